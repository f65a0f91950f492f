"""Lexical signals in the user's own words: durable directives and corrections.

Shared by the gate (is this session worth an LLM call?) and the offline
extractor (build a skill without one). English and Chinese are first-class
(AutoSkill's users write both), with French correction cues seen in the Roo
fixtures. A *directive* is a sentence that sets policy beyond this one task:
"always run ruff before committing", "never use print for logging",
"from now on answer in French", "before each release: tests -> tag -> push",
"以后提交前先跑测试". A plain request ("write me a poem", "fix the failing
test") is not one, however imperative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class DirectiveKind(StrEnum):
    ALWAYS = "always"        # always / every time / by default / 总是 / 每次
    NEVER = "never"          # never / don't / avoid / 不要 / 禁止
    PREFER = "prefer"        # prefer X / use X instead of Y / 优先
    WORKFLOW = "workflow"    # before each X: a -> b -> c / 先…再…
    MUST = "must"            # must / make sure / 必须 / 务必


@dataclass(frozen=True, slots=True)
class Directive:
    """One policy sentence the user said, with how strongly it reads as durable."""

    text: str
    kind: DirectiveKind
    weight: float            # 0..1: 1 = unmistakably durable ("always", "from now on")
    steps: tuple[str, ...] = ()
    lang: str = "en"


# -- patterns --------------------------------------------------------------------------------------------

_I = re.IGNORECASE
# Words that make any directive durable: it reaches past the current task.
_DURABLE_EN = re.compile(
    r"\b(always|never|from now on|going forward|in (the )?future|every ?time|each time|whenever|by default|"
    r"as a rule|in this (repo|repository|project|codebase)|in all (my|our) |for all (my|our) |remember (to|that)|"
    r"don'?t ever|do not ever|ever again|(all|any) future)\b",
    _I,
)
_DURABLE_ZH = re.compile(
    r"(总是|始终|一直要|一律|永远|每次|每当|以后|今后|从现在起|从今以后|默认|记住|所有的?(代码|回答|回复|提交))"
)
# "toujours" is "always" only when not negated: "tu n'as toujours pas" / "toujours pas" is "still not".
_DURABLE_FR = re.compile(
    r"(?<!n'as )(?<!n'est )\btoujours\b(?!\s+pas)|\b(jamais|à partir de maintenant|dorénavant|désormais|chaque fois)\b",
    _I,
)

_NEVER_EN = re.compile(
    r"^(please\s+)?(never|don'?t|do not|dont|avoid|stop|no more)\b|\b(never|don'?t ever|must not|mustn'?t|should not|"
    r"shouldn'?t|do not|don'?t)\s+\w+",
    _I,
)
_ALWAYS_EN = re.compile(r"\b(always|every ?time|each time|whenever|by default)\b", _I)
_MUST_EN = re.compile(
    r"\b(must|make sure (to|that|you)|be sure to|remember to|need(s)? to always|have to always)\b", _I
)
_PREFER_EN = re.compile(
    r"\b(prefer|rather than|instead of|use \S+ (instead|rather)|favou?r|stick (to|with)|go with)\b|"
    r"^(please\s+)?use\b.*\binstead\b",
    _I,
)
_NEVER_ZH = re.compile(r"(不要|别再?|禁止|不准|不许|切勿|避免|不能|不可以|千万别)")
_ALWAYS_ZH = re.compile(r"(总是|始终|一律|永远|每次|每当|默认)")
_MUST_ZH = re.compile(r"(必须|务必|一定要|需要先|记得)")
_PREFER_ZH = re.compile(r"(优先|更喜欢|尽量用|改用|换成|请用|而不是|代替|[，,]\s*用)")
# French negation is everywhere; only an opening negation is an order ("Ne modifie pas ...", "N'utilise jamais ...").
_NEVER_FR = re.compile(r"^(ne|n')\s*\w+\s+(pas|jamais)\b|\bjamais\b|^évite[rz]?\b", _I)
_ALWAYS_FR = re.compile(r"(?<!n'as )\btoujours\b(?!\s+pas)|\bchaque fois\b", _I)

_ARROW = re.compile(r"\s*(?:->|→|=>|⇒|➡|➜|-->)\s*")
_WORKFLOW_ANCHOR_EN = re.compile(
    r"^(?P<anchor>(before|after|when|whenever|for)\s+(each|every|any|a|an|all)?\s*[^:：]{2,60})[:：,]\s*(?P<rest>.+)$",
    _I,
)
_WORKFLOW_ANCHOR_ZH = re.compile(
    r"^(?P<anchor>(每次|每当|在)?[^:：]{1,30}(之前|以前|之后|前|后|时))[:：，,]\s*(?P<rest>.+)$"
)
_STEPS_ZH = re.compile(
    r"先(?P<a>[^，,；;。]+)[，,]?\s*(再|然后)(?P<b>[^，,；;。]+)(?:[，,]?\s*(最后|然后|再)(?P<c>[^，,；;。]+))?"
)

# Questions and plain one-off asks are never directives, whatever words they use.
_QUESTION = re.compile(r"(\?|？)\s*$|^(what|why|how|which|who|where|when|can|could|would|is|are|does|do)\b.*\?", _I)
_ONE_OFF_SCOPE = re.compile(
    r"\b(this (time|once|one|file|function|test|bug|pr|commit)|for now|just here|right now|today)\b", _I
)
_ONE_OFF_ZH = re.compile(r"(这次|这一次|暂时|先这样|就这一次|今天)")

# Corrections: the next user message after the agent acted, negating or redirecting it.
_CORRECTION_EN = re.compile(
    r"^\s*(no\b|nope\b|not\s+(that|like|what)|don'?t\b|do not\b|stop\b|wrong\b|that'?s (wrong|not)|actually\b|"
    r"instead\b|i (meant|said|told you|asked)|still\b|again\b|revert\b|undo\b|why did you\b|you (should|shouldn'?t|"
    r"forgot)\b)",
    _I,
)
_CORRECTION_ZH = re.compile(
    r"^\s*(不对|不是|错了|不行|不要|别|还是不对|我的意思是|我说的是|应该是|改成|为什么你|你又|重新)"
)
_CORRECTION_FR = re.compile(r"^\s*(non\b|pas (ça|comme)|toujours pas|échec|ce n'est pas|au lieu)", _I)

# "I always forget ..." describes the user, it instructs nobody; "I always want tests" does.
_SELF_REPORT = re.compile(r"^(i|i'm|i am|i've)\s+(?!.*\b(want|need|prefer|like|expect|use|ask|insist)\b)", _I)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+")
_CODE_FENCE = re.compile(r"```.*?(```|$)", re.S)
_INLINE_NOISE = re.compile(r"^\s*([>$#]|\d+\s*\||at\s+\S+\(|Traceback|File \")")


def language(text: str) -> str:
    """'zh' when CJK characters make up a real share of the text, else 'en' (or 'fr')."""
    cjk = len(_CJK.findall(text))
    if cjk >= 2 and cjk * 3 >= len(text.replace(" ", "")) * 0.3:
        return "zh"
    if _DURABLE_FR.search(text) or _CORRECTION_FR.search(text):
        return "fr"
    return "en"


def sentences(text: str) -> list[str]:
    """The user's prose split into sentences; code blocks, log lines and long pastes dropped."""
    text = _CODE_FENCE.sub(" ", text)
    out: list[str] = []
    for line in text.splitlines():
        if _INLINE_NOISE.match(line) or len(line) > 600:
            continue
        for part in _SENTENCE_END.split(line):
            part = part.strip(" \t-*•")
            if 3 <= len(part) <= 400:
                out.append(part)
    return out


def directive(sentence: str) -> Directive | None:
    """The directive this sentence states, or None for requests, questions and chatter."""
    s = sentence.strip()
    if not s or _QUESTION.search(s) or _SELF_REPORT.match(s):
        return None
    lang = language(s)
    if lang == "zh":
        return _directive_zh(s)
    steps = _workflow_steps(s)
    durable = bool(_DURABLE_EN.search(s) or _DURABLE_FR.search(s))
    one_off = bool(_ONE_OFF_SCOPE.search(s))
    if steps:
        return Directive(s, DirectiveKind.WORKFLOW, 1.0 if durable or len(steps) >= 3 else 0.8, steps, lang)
    kind: DirectiveKind | None = None
    if _NEVER_EN.search(s) or _NEVER_FR.search(s):
        kind = DirectiveKind.NEVER
    elif _ALWAYS_EN.search(s) or _ALWAYS_FR.search(s):
        kind = DirectiveKind.ALWAYS
    elif _MUST_EN.search(s):
        kind = DirectiveKind.MUST
    elif _PREFER_EN.search(s):
        kind = DirectiveKind.PREFER
    if kind is None and durable and not one_off:
        kind = DirectiveKind.ALWAYS  # "from now on answer in French"
    if kind is None:
        return None
    weight = 1.0 if durable else (0.7 if kind in (DirectiveKind.PREFER, DirectiveKind.MUST) else 0.6)
    if kind is DirectiveKind.NEVER and not durable and _PREFER_EN.search(s):
        weight = 0.8  # "don't use var, use const instead": a prohibition with its alternative
    if one_off and not durable:
        weight = 0.2  # "don't touch this file for now": about this task only
    return Directive(s, kind, weight, (), lang)


def _directive_zh(s: str) -> Directive | None:
    steps = _workflow_steps(s)
    durable = bool(_DURABLE_ZH.search(s))
    if steps:
        return Directive(s, DirectiveKind.WORKFLOW, 1.0 if durable or len(steps) >= 3 else 0.8, steps, "zh")
    kind: DirectiveKind | None = None
    if _NEVER_ZH.search(s):
        kind = DirectiveKind.NEVER
    elif _ALWAYS_ZH.search(s):
        kind = DirectiveKind.ALWAYS
    elif _MUST_ZH.search(s):
        kind = DirectiveKind.MUST
    elif _PREFER_ZH.search(s):
        kind = DirectiveKind.PREFER
    if kind is None and durable and not _ONE_OFF_ZH.search(s):
        kind = DirectiveKind.ALWAYS  # "以后用中文回答"
    if kind is None:
        return None
    weight = 1.0 if durable else (0.7 if kind in (DirectiveKind.PREFER, DirectiveKind.MUST) else 0.6)
    if kind is DirectiveKind.NEVER and not durable and _PREFER_ZH.search(s):
        weight = 0.8
    if _ONE_OFF_ZH.search(s) and not durable:
        weight = 0.2
    return Directive(s, kind, weight, (), "zh")


def _workflow_steps(s: str) -> tuple[str, ...]:
    """Steps of "before each X: a -> b -> c", "先 a，再 b，最后 c"; () if the sentence is no workflow."""
    m = _STEPS_ZH.search(s)
    if m:
        return tuple(x.strip() for x in (m.group("a"), m.group("b"), m.group("c")) if x and x.strip())
    body = s
    anchored = _WORKFLOW_ANCHOR_EN.match(s) or _WORKFLOW_ANCHOR_ZH.match(s)
    if anchored:
        body = anchored.group("rest")
    parts = [p.strip(" .。") for p in _ARROW.split(body) if p.strip(" .。")]
    if len(parts) >= 2:
        return tuple(parts)
    if anchored:
        # "before committing: run the tests, then the linter, then push"
        parts = [
            p.strip(" .。") for p in re.split(r",\s*(?:and\s+)?then\s+|;\s*|，然后|，再|、", body) if p.strip(" .。")
        ]
        if len(parts) >= 2:
            return tuple(parts)
    return ()


def is_correction(text: str) -> bool:
    """Does this user message open by rejecting or redirecting what the agent just did?"""
    head = text.strip()[:200]
    return bool(_CORRECTION_EN.match(head) or _CORRECTION_ZH.match(head) or _CORRECTION_FR.match(head))


def directives(text: str) -> list[Directive]:
    """Every directive in a message, in order."""
    return [d for d in map(directive, sentences(text)) if d is not None]
