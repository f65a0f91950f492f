"""The offline extractor: real skills from the user's durable directives, no LLM.

Used when no LLM is configured (and said so in every result). It turns what the
user laid down ("always run ruff before committing", "never use print for
logging", "before each release: tests -> tag -> push", "以后提交前先跑测试")
into one skill per topic, in the user's words, and returns nothing for
sessions without such directives: a one-off request yields no skill.
"""

from __future__ import annotations

import re
from collections import Counter

from autoskill_mcp.learning.candidate import Candidate

from .evidence import GATE_THRESHOLD, Evidence, Turn, directive_score
from .signals import Directive, DirectiveKind

EXTRACTOR = "rules"
MAX_CANDIDATES = 3

_WORD = re.compile(r"[\u3400-\u9fff]{2,}|[^\W\d_\u3400-\u9fff][\w+#.-]*[\w+#]")
# Words that say how strongly, not what about: never a topic.
_NOT_TOPIC = set(
    """a an the and or but if then than so to of in on at by for with from into onto as is are be been being it its
    this that these those there here i me my we our you your they them he she his her please always never ever
    every each time times whenever default rule from now on going forward future don dont do does did not no nope
    use using used prefer rather instead favor favour stick go make sure must should shouldn need needs have has had
    remember run running write writing add adding keep get put let also just only all any some more most other
    same new old way thing things stuff something anything everything one ones before after when while until
    actually still again wrong right good better best bad like want wanted would could can will shall may might
    answer reply respond code file files line lines project repo repository codebase work working task tasks yes ok
    avoid stop start first last next instead them those over under via per etc directly enable enabled
    open create change update remove delete set call show give take short long small big large base simple
    plain proper properly correct correctly good nice clean new old instead least most even really very
    le la les de des du un une et ou que qui quoi dans pour par pas ne est sont avec sans sur au aux ce cet cette ces
    il elle ils elles nous vous tu te toi je me moi on en y mon ma mes ton ta tes son sa ses leur leurs plus moins
    toujours jamais chaque fois faut faire fais utilise utiliser ça cela tout tous toute toutes aussi mais donc
    module modules function functions class classes method methods variable variables value values""".split()
)
_CJK_NOT_TOPIC = {"以后", "今后", "每次", "每当", "总是", "始终", "一律", "永远", "不要", "禁止", "不准", "必须",
                  "务必", "一定", "记住", "默认", "优先", "使用", "用户", "然后", "最后", "之前", "之后", "时候",
                  "现在", "从现", "在起", "一定要", "不能", "别再", "而不是", "需要"}
_CJK_CUT = re.compile(
    "|".join(sorted(_CJK_NOT_TOPIC, key=len, reverse=True))
    + "|[的了在是和与及或先再前后时要不别请用把给对就都也还又从以每次跑做写让被将个这那些]"
)
_DURABLE_LEAD = re.compile(r"^(以后|今后|从现在起|每次|每当|from now on,?\s*|going forward,?\s*)", re.IGNORECASE)
_LEAD_CUES = re.compile(
    r"^\s*(no|nope|actually|again|still|wrong|please|ok(ay)?|also|and|so|but|hey|non|不对|不是|错了|还有|另外|请)[\s,，:：!！.]+",
    re.IGNORECASE,
)


def extract(evidence: Evidence) -> list[Candidate]:
    """Skill candidates from the directives in `evidence` ([] when nothing durable was said)."""
    strong = [(d, t) for d, t in evidence.found if d.weight >= 0.5]
    if not strong:
        return []
    groups = _group(strong)
    out: list[Candidate] = []
    for group in groups:
        score = _score(group)
        if score < GATE_THRESHOLD:
            continue
        out.append(_candidate(group, evidence.language, score))
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def _score(group: list[tuple[Directive, Turn]]) -> float:
    return directive_score(group)[0]


def topic_words(text: str) -> list[str]:
    """What a sentence is about: technical nouns and CJK terms, generic verbs and markers removed."""
    out = []
    for w in _WORD.findall(text):
        if w[0] >= "\u3400":
            out += [b for b in _cjk_terms(w) if b not in _CJK_NOT_TOPIC]
        else:
            low = w.lower().strip(".-")
            if len(low) >= 2 and low not in _NOT_TOPIC and not low.isdigit():
                out.append(low)
    return out


def _cjk_terms(run: str) -> list[str]:
    # No segmenter: cut the run at function words and directive markers and keep the pieces
    # ("以后提交代码前先跑测试" -> 提交代码, 测试); single characters are too ambiguous to keep.
    return [piece for piece in _CJK_CUT.split(run) if 2 <= len(piece) <= 6]


def _group(found: list[tuple[Directive, Turn]]) -> list[list[tuple[Directive, Turn]]]:
    """Directives on shared topics together, strongest group first.

    What one message says is one topic ("Never commit to main. Always open a pull
    request."); messages sharing topic words join; a workflow that shares its topic
    with rules joins them ("always test" and "before committing: test -> lint -> push"
    make one skill); a group too weak to stand alone joins the strongest one (the
    same user's conventions, better kept than lost).
    """
    by_turn: dict[int, list[tuple[Directive, Turn]]] = {}
    for d, t in found:
        by_turn.setdefault(t.n, []).append((d, t))
    units = sorted(by_turn.values(), key=lambda u: any(d.kind is DirectiveKind.WORKFLOW for d, _ in u))
    groups: list[list[tuple[Directive, Turn]]] = []
    words: list[set[str]] = []
    for unit in units:
        mine = {w for d, _ in unit for w in topic_words(d.text)}
        for i, ws in enumerate(words):
            if mine & ws:
                groups[i].extend(unit)
                ws |= mine
                break
        else:
            groups.append(list(unit))
            words.append(mine)
    groups.sort(key=_score, reverse=True)
    strong = [g for g in groups if _score(g) >= GATE_THRESHOLD]
    if strong:
        for g in groups:
            if _score(g) < GATE_THRESHOLD:
                strong[0].extend(g)
    return strong


def _candidate(group: list[tuple[Directive, Turn]], lang: str, score: float) -> Candidate:
    directives = _unique_directives(d for d, _ in group)
    flows = [d for d in directives if d.kind is DirectiveKind.WORKFLOW]
    rules = [d for d in directives if d.kind is not DirectiveKind.WORKFLOW]
    counts = Counter(w for d in directives for w in dict.fromkeys(topic_words(d.text)))
    ascii_first = sorted(counts, key=lambda w: (-counts[w], w[0] >= "\u3400"))
    topics = ascii_first[:3] or (["workflow"] if flows else ["preferences"])
    anchor = _anchor(flows[0].text) if flows else ""
    if flows and not rules:
        anchor_words = [w for w in topic_words(anchor)][:2] or topics[:2]
        name = "-".join(anchor_words + ["流程" if lang == "zh" and not anchor_words[0].isascii() else "workflow"])
    else:
        name = "-".join(topics[:2] + ["约定" if lang == "zh" and not topics[0].isascii() else "conventions"])
    zh = lang == "zh"
    topic_text = ("、" if zh else ", ").join(topics)
    first = _clause(directives[0].text)
    if flows and not rules:
        when = anchor or topic_text
        description = (f"用户的固定流程：{first}。在{when}时使用。" if zh
                       else f"The steps this user follows: {first}. Use {when[0].lower() + when[1:]}.")
    elif zh:
        description = f"用户为{topic_text}设定的约定：{first}。处理与{topic_text}相关的任务时使用。"
    else:
        description = f"Conventions this user set for {topic_text}: {first}. Use when a task involves {topic_text}."
    if flows and not rules:
        goal = (f"{anchor or topic_text}，按用户的固定步骤执行。" if zh
                else f"Follow this user's steps, in order, {(anchor or 'each time').lower()}.")
    else:
        goal = (f"在涉及{topic_text}的每个任务中遵循用户设定的约定。" if zh
                else f"Apply the conventions this user set for {topic_text} in every task that touches them.")
    sections = ["# 目标" if zh else "# Goal", goal]
    if rules:
        sections += ["", "# 约束与风格" if zh else "# Constraints & Style"]
        sections += [f"- {_sentence(d.text)}" for d in rules]
    for flow in flows:
        sections += ["", "# 流程" if zh else "# Workflow"]
        head = _anchor(flow.text)
        if head:
            sections.append(f"{head}:" if not zh else f"{head}：")
        sections += [f"{i}. {step}" for i, step in enumerate(flow.steps, 1)]
    triggers = [anchor] if anchor else []
    triggers += [(f"处理{t}相关任务" if zh else f"working with {t}") for t in topics[:2]]
    return Candidate(
        name=name,
        description=description,
        instructions="\n".join(sections),
        triggers=triggers,
        tags=[t for t in topics if t[0] < "\u3400"] or topics,
        confidence=min(0.9, 0.35 + 0.15 * score),
        quotes=[d.text for d in directives],
        extractor=EXTRACTOR,
    )


def _unique_directives(items: object) -> list[Directive]:
    """Once each; of two where one says all the other does and more, the fuller one."""
    out: list[Directive] = []
    for d in items:  # type: ignore[attr-defined]
        words = set(_clause(d.text).lower().split())
        for i, kept in enumerate(out):
            theirs = set(_clause(kept.text).lower().split())
            if words <= theirs:
                break
            if theirs <= words:
                out[i] = d
                break
        else:
            out.append(d)
    return out


def _anchor(text: str) -> str:
    """When a workflow applies: "Before each release" of "Before each release: a -> b"."""
    m = re.match(r"^\s*(.{2,60}?)\s*[:：]", text) or re.match(r"^\s*(.{2,30}?)先", text)
    return _DURABLE_LEAD.sub("", _LEAD_CUES.sub("", m.group(1))).strip() if m else ""


def _clause(text: str) -> str:
    """The directive without opening cues ("No, ...", "Please ...") or closing punctuation."""
    text = _LEAD_CUES.sub("", text.strip())
    text = _LEAD_CUES.sub("", text)
    return text.rstrip(" .!。！") or text


def _sentence(text: str) -> str:
    clause = _clause(text)
    if not clause:
        return clause
    if clause[0] < "\u3400":
        return clause[0].upper() + clause[1:] + "."
    return clause + "。"
