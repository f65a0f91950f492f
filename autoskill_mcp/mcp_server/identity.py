"""Who a request is for: the verified HTTP user, else the server's default user."""

from __future__ import annotations

from typing import Any

from .auth import user_of_request
from .state import ServerState


def user_of(request_context: Any, state: ServerState) -> str:
    """The user of a request (`ServerRequestContext`, or an MCPServer `Context`)."""
    rc = getattr(request_context, "request_context", request_context)
    user = user_of_request(getattr(rc, "request", None))
    return user or state.default_user
