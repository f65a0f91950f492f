"""Who a request is for: the verified HTTP user, else the server's default user; and, for a tool, what it sees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from .auth import user_of_request
from .state import ServerState, state_of

if TYPE_CHECKING:
    from ..runtime.project import ProjectSkills


def user_of(request_context: Any, state: ServerState) -> str:
    """The user of a request (`ServerRequestContext`, or an MCPServer `Context`)."""
    rc = getattr(request_context, "request_context", request_context)
    user = user_of_request(getattr(rc, "request", None))
    return user or state.default_user


class Caller(NamedTuple):
    """What a skill tool works with: the server's state, the request's user, the project of its roots."""

    state: ServerState
    user: str
    project: ProjectSkills


async def caller_of(ctx: Any) -> Caller:
    """The `Caller` of a tool call (an MCPServer `Context`): one place every skill tool starts from."""
    state = state_of(ctx)
    return Caller(state, user_of(ctx, state), await state.roots.project(ctx))
