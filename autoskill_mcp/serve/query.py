"""What the proxy searches for, and which of the found skills it keeps: query rewriting and LLM selection.

The latest user message is often no search query at all: "and now for the staging cluster", "do
the same in Chinese", "again but shorter". Rewriting turns the recent turns into one standalone
query: with the configured LLM when there is one, else offline by putting the previous user turn
in front of a short or referring latest one (what such a message refers to is almost always
there). `rewrite_mode`: `never` searches the latest message as it is, `auto` rewrites only a
message that needs it (short, or pointing back), `always` rewrites whenever there are earlier turns.

Selection (`select_mode = "llm"`) asks the LLM which of the retrieved skills apply to the request
and injects only those; without an LLM, or when the call fails, every retrieved skill is kept.
Both are blocking calls: run them on a worker thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..learning.transcripts.fields import text_of

if TYPE_CHECKING:
    from ..llm.provider import Provider
    from ..store.base import SkillHit

log = logging.getLogger(__name__)

RewriteMode = Literal["never", "auto", "always"]
REWRITE_MODES: tuple[RewriteMode, ...] = ("never", "auto", "always")
SelectMode = Literal["never", "llm"]
SELECT_MODES: tuple[SelectMode, ...] = ("never", "llm")

#: `auto` rewrites a latest message of fewer words than this (CJK: characters / 2)
SHORT_WORDS = 6
#: the recent user turns an LLM rewrite sees (the latest included), each cut to TURN_CHARS
REWRITE_TURNS = 4
TURN_CHARS = 600
#: a rewrite or selection call may take this long (the request waits for it): then the offline rules serve
LLM_TIMEOUT_SECONDS = 10.0
#: the previous user turn an offline rewrite puts in front of the latest, cut to this
OFFLINE_CONTEXT_CHARS = 400

#: words by which a message points back at what came before
_REFERS_BACK = re.compile(
    r"\b(it|its|that|this|these|those|them|same|again|also|too|instead|another|other|previous|above|"
    r"ça|cela|pareil|même|encore|aussi|eso|esto|mismo|otra vez|das|dasselbe|nochmal|auch)\b"
    r"|这个|那个|它|他们|同样|一样|再|还是|也|上面|刚才",
    re.I,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")

REWRITE_SYSTEM = (
    "You turn the latest request of a conversation into one standalone search query for a library of "
    "skills (reusable instructions for kinds of tasks). Name the kind of task, its domain and the tools "
    "or formats involved; leave out greetings and this instance's specifics (names, numbers, dates). "
    "Answer with the query only, on one line, in the language of the request."
)
SELECT_SYSTEM = (
    "You pick which skills (reusable instructions) apply to a user's request. A skill applies when "
    "following it would help with this request; a skill about another kind of task does not. "
    'Answer with one JSON object: {"use": ["skill-name", ...]} listing only names from the list '
    "(an empty list when none applies)."
)
SELECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"use": {"type": "array", "items": {"type": "string"}}},
    "required": ["use"],
}


@dataclass(frozen=True)
class Query:
    """The text to search and how it was made (`latest`, `recent turns` or `llm rewrite`)."""

    text: str
    how: str = "latest"


def user_texts(messages: Sequence[dict[str, Any]]) -> list[str]:
    """The text of each user message, in order (empty ones left out)."""
    texts = (text_of(m.get("content")) for m in messages if m.get("role") == "user")
    return [t.strip() for t in texts if t.strip()]


def needs_rewrite(latest: str) -> bool:
    """`auto`: a message too short to search on its own, or one that points back at earlier turns."""
    words = len(latest.split()) + len(_CJK.findall(latest)) // 2
    return words < SHORT_WORDS or bool(_REFERS_BACK.search(latest))


def search_query(messages: Sequence[dict[str, Any]], mode: RewriteMode, llm: Provider | None) -> Query:
    """The query for `messages` under `mode`; an LLM that fails leaves the offline rewrite."""
    turns = user_texts(messages)
    if not turns:
        return Query("")
    latest = turns[-1]
    if mode == "never" or len(turns) < 2 or (mode == "auto" and not needs_rewrite(latest)):
        return Query(latest)
    if llm is not None:
        recent = "\n".join(f"[{i}] {t[:TURN_CHARS]}" for i, t in enumerate(turns[-REWRITE_TURNS:], 1))
        try:
            answer = llm.complete(system=REWRITE_SYSTEM, user=f"User turns, oldest first:\n{recent}\n\nQuery:",
                                  max_tokens=80)
        except Exception as exc:  # noqa: BLE001 - a provider's failure: the offline rewrite serves
            log.warning("query rewrite failed, searching without it: %s", exc)
        else:
            line = next((ln.strip() for ln in answer.splitlines() if ln.strip()), "")
            if line:
                return Query(line.strip("\"'`"), "llm rewrite")
    return Query(f"{turns[-2][:OFFLINE_CONTEXT_CHARS]}\n{latest}", "recent turns")


def select(hits: list[SkillHit], request: str, llm: Provider | None) -> list[SkillHit]:
    """The hits the LLM says apply to `request`, in their ranked order; all of them without an LLM or on failure."""
    if llm is None or len(hits) == 0:
        return hits
    from ..llm.structured import complete_json

    listing = "\n".join(f"- {h.skill.name}: {h.skill.description}" for h in hits)
    try:
        data = complete_json(llm, system=SELECT_SYSTEM, schema=SELECT_SCHEMA, max_tokens=200,
                             user=f"Request:\n{request[:TURN_CHARS * 2]}\n\nSkills:\n{listing}")
    except Exception as exc:  # noqa: BLE001 - selection is an extra: keep what retrieval found
        log.warning("skill selection failed, injecting every retrieved skill: %s", exc)
        return hits
    chosen = {str(name) for name in data["use"]}
    return [h for h in hits if h.skill.name in chosen]
