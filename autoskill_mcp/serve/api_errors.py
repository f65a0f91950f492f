"""How the skill API says what went wrong: its failures as JSON errors.

Handlers raise; `failure` turns what they raised into the status the API documents (the typed
errors of `errors.py` by kind, bad bodies as 400 naming the field, SKILL.md diagnostics as 422).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import ValidationError
from starlette.responses import Response

from ..errors import AutoSkillError, ConflictError, InvalidInputError, NotFoundError, ReadOnlyError
from .errors import openai_error
from .proxy import describe

if TYPE_CHECKING:
    from ..skillmd import Diagnostic

log = logging.getLogger(__name__)


class BadBody(Exception):
    """The request's body or query does not fit its model (400, the fields named)."""


class InvalidSkillMd(Exception):
    """A SKILL.md the rule catalogue finds errors in (422, the diagnostics listed); nothing was stored."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics or []


class TooLarge(Exception):
    """A SKILL.md over the store's size limit (413)."""


class Unavailable(Exception):
    """The store is still opening, failed to open, or is closed (503)."""


def problem_text(exc: ValidationError) -> str:
    """pydantic's errors as one plain line per field (no pydantic types, no links)."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


def failure(exc: Exception) -> Response:
    """The error response for what a handler raised."""
    if isinstance(exc, BadBody):
        return openai_error(400, str(exc), code="invalid_request")
    if isinstance(exc, InvalidSkillMd):
        return openai_error(422, str(exc), code="invalid_skill_md",
                            details={"diagnostics": [d.to_dict() for d in exc.diagnostics]})
    if isinstance(exc, TooLarge):
        return openai_error(413, str(exc), code="too_large")
    if isinstance(exc, Unavailable):
        return openai_error(503, str(exc), kind="server_error", code="store_unavailable")
    statuses: list[tuple[type[AutoSkillError], int, str]] = [
        (NotFoundError, 404, "not_found"), (ConflictError, 409, "version_conflict"),
        (ReadOnlyError, 403, "read_only"), (InvalidInputError, 400, "invalid_request")]
    for kind, status, code in statuses:
        if isinstance(exc, kind):
            return openai_error(status, str(exc), code=code)
    log.warning("skill API request failed: %s", describe(exc))
    return openai_error(500, f"the request failed: {type(exc).__name__}", kind="server_error", code="internal")
