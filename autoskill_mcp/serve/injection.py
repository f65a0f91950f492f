"""Which skills a chat request gets, and the one system message that carries them.

The query is the latest user message (its text parts, for multimodal content). The block is the
context renderer's (fenced, labelled as reference data, within the token budget), cut to the
character budget too. It goes right after the client's leading system messages, so the client's
own system prompt stays first and the conversation itself is untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..context import RenderedContext, estimate_tokens
from ..learning.transcripts.fields import text_of

if TYPE_CHECKING:
    from ..store.base import SkillHit
    from .query import Query

log = logging.getLogger(__name__)

#: the roles OpenAI accepts for instructions before the conversation
SYSTEM_ROLES = ("system", "developer")
#: at most this much of the latest user message is the query (a pasted file must not slow the search)
MAX_QUERY_CHARS = 2000


@dataclass
class Injection:
    """What one request got: the system message text ('' for none) and the skills in it."""

    text: str = ""
    skills: list[str] = field(default_factory=list)
    note: str | None = None
    #: what the renderer said of each skill in the text (id, name, score, level): the preview shows it
    details: list[dict[str, Any]] = field(default_factory=list)
    #: the text's size in tokens, estimated as the budget counts them
    tokens: int = 0
    #: what was searched (the latest message, or its rewrite)
    query: Query | None = None

    @property
    def header(self) -> str:
        """The `X-AutoSkill-Skills` value: the skill names, comma-separated (names are slugs: header-safe)."""
        return ",".join(self.skills)


def latest_user_text(messages: list[dict[str, Any]]) -> str:
    """The text of the last user message ('' when there is none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def user_turns(messages: list[dict[str, Any]]) -> int:
    """How many user messages the conversation holds."""
    return sum(1 for m in messages if m.get("role") == "user")


def from_rendered(rendered: RenderedContext, max_chars: int) -> Injection:
    """The injection for a rendered block; none when it is over `max_chars` (the token budget is set from
    `max_chars` at ~4 characters a token, so this is only a guard)."""
    if not rendered.skills or not rendered.text:
        return Injection()
    if len(rendered.text) > max_chars:
        return Injection(note=f"context over {max_chars} characters")
    return Injection(text=rendered.text, skills=[str(s["name"]) for s in rendered.skills],
                     details=[dict(s) for s in rendered.skills], tokens=rendered.tokens)


def retrieve(sdk: Any, query: str, *, user: str, top_k: int, min_score: float, budget: int,
             max_chars: int, select: Callable[[list[SkillHit]], list[SkillHit]] | None = None) -> Injection:
    """Search `user`'s skills for `query` and render them, or those of them `select` keeps (blocking: call it
    on a worker thread)."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return Injection()
    budget = min(budget, max(1, max_chars // 4))  # ~4 characters a token: the character cap bounds the tokens
    rendered = sdk.render_context_result(query, user_id=user, limit=top_k, min_score=min_score, budget=budget,
                                         wait=False, load_model=False, select=select)
    injection = from_rendered(rendered, max_chars)
    if injection.skills:
        log.debug("injecting %d skill(s), %d tokens", len(injection.skills), estimate_tokens(injection.text))
    return injection


def inject(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """`messages` with one system message holding `text` after the leading system messages (a new list)."""
    if not text:
        return list(messages)
    at = 0
    while at < len(messages) and messages[at].get("role") in SYSTEM_ROLES:
        at += 1
    return [*messages[:at], {"role": "system", "content": text}, *messages[at:]]
