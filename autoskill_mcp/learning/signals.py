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
    r"default to|"
    r"as a rule|in this (repo|repository|project|codebase)|in all (my|our) |for all (my|our) |remember (to|that)|"
    r"don'?t ever|do not ever|ever again|(all|any) future|not just (this|for this|that) one|(my|our) house style|"
    r"(for|to|in) (any|every|all) (\w+ ){0,2}(you|we) (write|send|make|create|add|draft|build|open|do)|"
    r"(same|that goes) for (anything|everything|whatever|any|every|all)\b|(for|with) (anything|everything|whatever) "
    r"(you|we) \w+|"
    r"applies to (any|every|all)|when(ever)? (you|u) (change|touch|edit|add|write|fix|make|refactor|modify|update) "
    r"(something|anything|code|stuff)|(keep|stick) to (that|this|those|these)( \w+)? (for|in|across) the rest of the "
    r"(service|repo|codebase|project|app|module|crate|package|code|book|thesis|docs))\b",
    _I,
)
# "以后" is "from now on" unless it follows a time ("18:30 以后": after half past six)
_DURABLE_ZH = re.compile(r"(总是|始终|一直要|一律|永远|每次|每当|(?<![\d:：点号天周月年前])\s*以后|今后|从现在起|"
                         r"从今以后|默认(都|就|用|使用|情况下|要)|记住|"
                         r"所有的?(代码|回答|回复|提交))")
# "toujours" is "always" only when not negated: "tu n'as toujours pas" / "toujours pas" is "still not".
# "toujours" is "always" before what to do ("toujours utiliser", "mets toujours"); elsewhere it is
# mostly "still" ("toujours pas", "toujours insuffisant", "toujours des 502").
_TOUJOURS = (r"(^|[.!]\s*)toujours\b(?!\s+(pas|des|de|du|le|la|les|un|une|aussi|autant|rien|insuffisant|en|là))|"
             r"\b\w+(e|ez|s)\s+toujours\b(?!\s+pas)|\btoujours\s+\w+(er|ir|re)\b")
_DURABLE_FR = re.compile(
    rf"{_TOUJOURS}|\b(jamais|à partir de maintenant|dorénavant|désormais|chaque fois)\b|"
    r"\b(siempre|nunca|jamás|a partir de ahora|de ahora en adelante|cada vez|en todo el (servicio|proyecto|código))\b|"
    r"\b((?<!noch )immer(?! noch)|niemals|ab jetzt|ab sofort|künftig|in zukunft|jedes mal|bei uns gilt|"
    r"grundsätzlich)\b", _I)  # "immer noch", "noch immer": still, not always

_NEVER_EN = re.compile(
    r"(^|[,;:]\s*|\b(and|but|so|also|please|just)\s+)(please\s+)?(never|don'?t|do not|dont|avoid|stop|no more)\b|"
    r"\b(never|don'?t ever|must not|mustn'?t|should not|shouldn'?t)\s+\w+|\b(you|we) (don'?t|do not|dont)\s+\w+",
    _I,
)
_ALWAYS_EN = re.compile(r"\b(always|every ?time|each time|whenever|by default|default to)\b", _I)
_MUST_EN = re.compile(
    r"\b(must|make sure (to|that|you)|be sure to|remember to|need(s)? to always|have to always)\b", _I
)
_PREFER_EN = re.compile(
    r"\b(prefer|rather than|instead of|use \S+ (instead|rather)|favou?r|stick (to|with)|go with)\b|"
    r"^(please\s+)?use\b.*\binstead\b",
    _I,
)
_NEVER_ZH = re.compile(r"(不要|别再?|禁止|不准|不许|切勿|避免|不能|不可以|千万别|不让|不允许)")
_ALWAYS_ZH = re.compile(r"(总是|始终|一律|永远|每次|每当|默认)")
_MUST_ZH = re.compile(r"(必须|务必|一定要|需要先|记得)")
_PREFER_ZH = re.compile(r"(优先|更喜欢|尽量用|改用|换成|请用|而不是|代替|[，,]\s*用)")
# French negation is everywhere; only an opening negation is an order ("Ne modifie pas ...", "N'utilise jamais ...").
_NEVER_FR = re.compile(r"^(ne|n')\s*\w+\s+(pas|jamais)\b|\bjamais\b|^évite[rz]?\b|"
                       r"^(no (uses|pongas|escribas|añadas|hagas)|nada de|evita|nunca)\b|"
                       r"^(kein(e|en)?|nie|niemals|vermeide|bitte kein(e|en)?)\b", _I)
_ALWAYS_FR = re.compile(rf"{_TOUJOURS}|\bchaque fois\b", _I)

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
_QUESTION = re.compile(
    r"(\?|？)\s*$|^\s*¿|^(what|why|how|which|who|where|when|can|could|would|is|are|does|do)\b.*\?", _I
)
#: a move while debugging or trying things out: "try mode=max instead", "revert that", "换成 gb18030 试试".
#: An experiment on this problem, never a way of working (shared with requirements.py)
TENTATIVE = re.compile(
    r"\b(try(ing)? (setting|adding|using|switching|removing|changing|bumping|pinning|running|disabling|enabling|"
    r"increasing|lowering|raising|passing|it|again|just|with|without|mode|another|a different|the other)|"
    r"maybe (try|it'?s|just|we)|let'?s (try|see if)|see if (it|that|this)|(revert|undo|roll ?back) (that|it|this|the|"
    r"your|those|these|what)|back to the (previous|old|last|original|earlier) (version|one)|put (it|that) back)\b|"
    r"(试试|试一下|先试|再试|回滚|撤回|撤销|改回去|改回来|还原)|"
    r"\b(essaie|essayons|essaye|annule (ça|ce|le|la)|remets (le|la|les|ça))\b|"
    r"\b(prueba (a|con|sin|otra)|intenta|deshaz|vuelve a (poner|dejar))\b|"
    r"\b(probier|versuch|rückgängig|setz (das|es) zurück)\w*", _I)
_ONE_OFF_SCOPE = re.compile(r"\b(this (time|once|one|file|function|test|bug|pr|commit|week|month|weekend)|for now|"
                            r"for this (branch|client|customer|guy|pitch|deck|talk|demo|build|submission|event|party)|"
                            r"for the demo|"
                            r"just here|right now|today|tomorrow|yet|don'?t (copy|carry) (any of )?(this|it) "
                            r"(forward|over))\b|" + TENTATIVE.pattern, _I)
_ONE_OFF_ZH = re.compile(
    r"(这次|这一次|暂时|先这样|就这一次|今天|就行|就好了|顺手|顺便|这个函数|这个文件|试试|试一下|先试|回滚|"
    r"改回去|改回来|还原|这一列|这一行|这个页面)"
)

# Corrections: the next user message after the agent acted, negating or redirecting it.
_CORRECTION_EN = re.compile(
    r"^\s*(no\b|nope\b|nah\b|hmm+,? no\b|not\s+(that|like|what)|don'?t\b|do not\b|stop\b|wrong\b|"
    r"that'?s (wrong|not)|actually\b|"
    r"instead\b|i (meant|said|told you|asked)|still\b|again\b|revert\b|undo\b|why did you\b|you (should|shouldn'?t|"
    r"forgot|didn'?t|did not|missed|skipped|left out)\b)",
    _I,
)
_CORRECTION_ZH = re.compile(
    r"^\s*(不对|不是|错了|不行|不要|别|还是不对|我的意思是|我说的是|应该是|改成|为什么你|你又|重新)"
)
_CORRECTION_FR = re.compile(r"^\s*(non\b|pas (ça|comme)|toujours pas|échec|ce n'est pas|au lieu)", _I)

# "I always forget ..." describes the user, it instructs nobody; "I always want tests" does.
# "never mind", "never sure", "toujours des 502": the words, not a rule
_IDIOM = re.compile(r"\bnever (mind|sure|knew|know|heard|seen|thought|been|had|got|understood|really|quite)\b|"
                    r"\b(she|he|they|her|his|their|mum|mom|dad|it)\b[^.,;]{0,24}\b(always|never)\b|"
                    # what trips the speaker up: "the effect/affect one always gets me"
                    r"\b(always|never) (gets|got|trips|tripped|catches|caught|confuses|confused|fools|throws) "
                    r"(me|us)\b|"
                    # something misbehaving, described: "the cache never hits", "the app never loads on my pixel"
                    r"\b(always|never|still) (loads?|hits?|works?|fails?|crashes|crash|shows?|starts?|finish(es)?|"
                    r"renders?|responds?|connects?|syncs?|saves?|updates?|appears?|happens?|breaks?|times? out|"
                    r"builds?|passes|pass|compiles?|triggers?|fires?|opens?|closes?|arrives?|gets? (picked|called|"
                    r"sent|used|hit))\b|"
                    r"\balways (been|had|thought|wondered|forget|forgot|late|early|busy|tired|on time|broke|hungry|"
                    r"cold|right|wrong|the first|the last|around|there|moaning|complaining|losing)\b|"
                    r"\btoujours (des|de|du|le|la|les|un|une|aussi|autant|rien|même|la même)\b|"
                    r"(总是|每次都?)(忘|搞不清|记不住|弄错|报错|出错|卡)|"
                    # the speaker about themselves: a first-person verb ("siempre lo olvido", "ich vergesse immer")
                    r"\b(siempre|nunca) (lo |la |me |se me |te )?\w+o\b|\bich \w+e (das |es )?(immer|nie)\b", _I)
_SELF_REPORT = re.compile(r"^(i|i'm|i am|i've)\s+(?!.*\b(want|need|prefer|like|expect|use|ask|insist)\b)", _I)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: a sentence ends after . ! ? (not after "e.g.", "incl.", "vs." and their like), or after 。！？
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bincl\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bcf\.)"
                           r"(?<!\bz\.B\.)(?<=[.!?。！？])\s+|(?<=[。！？])|\n+")
_CODE_FENCE = re.compile(r"```.*?(```|$)", re.S)
_INLINE_NOISE = re.compile(r"^\s*([>$#]|\d+\s*\||at\s+\S+\(|Traceback|File \")")


def language(text: str) -> str:
    """'zh' when CJK characters make up a real share of the text, else 'en' (or 'fr')."""
    cjk = len(_CJK.findall(text))
    if cjk >= 2 and cjk * 3 >= len(text.replace(" ", "")) * 0.3:
        return "zh"
    words = _LATIN_WORD.findall(text.lower())
    if words:
        en = sum(1 for w in words if w in _EN_WORDS)
        # French and Spanish share "la", "de", "que", "un": what only one of them uses decides between them
        counts = {lang: (sum(1 for w in words if w in table), sum(1 for w in words if w in table - others))
                  for lang, table, others in (("fr", _FR_WORDS, _ES_WORDS | _DE_WORDS),
                                              ("es", _ES_WORDS, _FR_WORDS | _DE_WORDS),
                                              ("de", _DE_WORDS, _FR_WORDS | _ES_WORDS))}
        best = max(counts, key=lambda lang: (counts[lang][0] >= 3 and counts[lang][0] > en, counts[lang][1],
                                             counts[lang][0]))
        if counts[best][0] >= 3 and counts[best][0] > en:
            return best
    if not words and (_DURABLE_FR.search(text) or _CORRECTION_FR.search(text)):
        return "fr"
    return "en"


_LATIN_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœáíóúñäöß']+")
#: frequent function words: which of the two languages a text is mostly written in
_FR_WORDS = set("""le la les un une des du de et est sont pas ne que qui pour dans sur avec sans ce cette ces mon ma mes
    ton ta tes je tu il elle nous vous ils on au aux ou mais donc car plus très tout tous fait faire être avoir
    c'est j'ai d'un d'une l'on qu'il n'est il faut merci aussi comme""".split())
#: ... and of Spanish and German, whose users get rules and descriptions in their language too
_ES_WORDS = set("""el la los las un una unos unas y es son no que qui para en con sin por del al lo su sus mi mis tu tus
    yo nosotros pero como más muy todo todos esto eso este esta estos hay gracias también cada siempre nunca se me te
    nos les de nada así nuestro nuestra hazme dame usa""".split())
_DE_WORDS = set("""der die das den dem des ein eine einen einem und ist sind nicht kein keine mit ohne für auf von zu im
    ins bei uns unser unsere mein meine dein ich du wir ihr sie es aber wie mehr sehr alle immer nie bitte danke auch
    jeder jede jedes soll sollen muss""".split())
_EN_WORDS = set("""the a an and is are not that who for in on with without this these my your i you he she we they it
    to of at or but so very all do does be have has was were can could would should will just also like""".split())


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
    if not s or _QUESTION.search(s) or _SELF_REPORT.match(s) or _IDIOM.search(s):
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
    # "lisbon -> berlin" is a route, not a procedure: two steps need an anchor ("before each release: a -> b")
    if len(parts) >= 3 or (len(parts) == 2 and anchored):
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
