"""The offline extractor: skills a person would keep, from the evidence, without an LLM.

Used when no LLM is configured (and said so in every result). It takes what the
gate weighed (directives, requirements built up over a task, corrections, a spelled-
out procedure, a requirement that came back) and writes one skill per task or topic:
named for the task (`trip-planning`, `commit-message-writing`), described in the
session's language by what it does and when to use it, its constraints rewritten as
short imperatives, its workflow in the user's order. Questions, complaints, pasted
output and this artefact's edits never become constraints (evidence.py sets them
aside). A session without such evidence yields nothing.
"""

from __future__ import annotations

import re

from .candidate import Candidate
from .evidence import GATE_THRESHOLD, Evidence, Item, score, without_recurrence_talk
from .naming import STACK_NAMES, TaskName, is_domain, occasion, rank_topics, task_name, topic_name, topic_words
from .noise import FILE_REF, LINT_FINDING, is_complaint, is_question
from .requirements import kinds_of
from .signals import KANA

EXTRACTOR = "rules"
MAX_CANDIDATES = 3
MAX_CONSTRAINTS = 14

_FLOW_ANCHOR = re.compile(r"^\W*(?:before|after|when(?:ever)?|for|每次|在|antes d[eoa]s?|depois d[eoa]s?|sempre que|"
                          r"quando)\s*(?:each|every|any|a|an|all|cada|todo|toda|qualquer)?\s*"
                          r"([^:：,，、]{2,40}?)\s*(?:之前|以前|前|之后|后|时|(?:の|する)?(?:前|後|とき|時|際)(?:に|は)?)?"
                          r"[:：,，、]", re.I)
#: "リリースの前に：", "PRを出すときは、": the Japanese occasion comes first, without a word for "before each"
_FLOW_ANCHOR_JA = re.compile(r"^\W*(?:毎回|いつも)?([\u30a1-\u30fa\u30fc\u3400-\u9fffA-Za-z]{2,20}?)(?:を\S{0,6}?)?"
                             r"(?:の|する)?(?:前|後|とき|時|際)(?:に|は|には)?[:：、]")
_TICKET = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d{1,6}\b")
_ISSUE = re.compile(r"(?<![\w&])#\d{2,}\b")
_VAGUE = {"module", "function", "class", "file", "code", "test", "tests", "fix", "script", "service", "list"}
_GENERAL = {"limit", "exclude", "format", "fallback", "tone", "length", "time", "audience", "language"}
_ANCHOR = re.compile(r"^\W*(from now on|going forward|as a rule|in (this|the) (repo|codebase|project)|always|"
                     r"every ?time|whenever|when(ever)? you|each time you|before you|for (all|every|any)|"
                     r"a partir de agora|daqui (pra|para a) frente|de agora em diante|sempre|toda vez que|"
                     r"これから(は|も)?|今後(は|も)?|以後|以降(は|も)?|毎回|常に|いつも|デフォルトで)[\s,:、：]*", re.I)
_LEAD = re.compile(
    r"^\s*((ok(ay)?|ah|oh|hey|hi|so|and|but|also|plus|btw|actually|now|then|well|alright|right|great|thanks|thx|"
    r"perfect|cool|nice|good|hmm+|ugh|nope|yes|yeah|yep|please|pls|plz|one more thing|another thing|oh and|"
    r"and also|last thing|finally|again|like i said|as i said|wait)\b[\s,.:;!-]*|no[,.!:;]\s*)+", re.I)
_ASK = re.compile(
    r"^\s*((can|could|would|will) (you|u)( please)?|i (want|need|would like|'d like) (you )?to|"
    r"i('d| would) (like|prefer|rather)( it)?( if you)?|make sure (to|you)|remember to|don'?t forget to|"
    r"let'?s|we (need|want) to|you (should|need to|have to|must))\s+", re.I)
_ASK_ZH = re.compile(r"^(好的|好|嗯|对|另外|还有|然后|再|请|麻烦|帮我|你|能不能|可以|能否|记得|注意)+[，,、\s]*")
_ASK_FR = re.compile(r"^\s*((ok|bon|alors|et|aussi|merci|super|parfait|d'accord)\b[\s,]*)*"
                     r"((tu peux|peux-tu|pourrais-tu|est-ce que tu peux|merci de|pense à|n'oublie pas de)\s+)?", re.I)
_TAIL = re.compile(
    r"[\s,;:]*(please|pls|plz|thanks|thank you|thx|ok\??|stp|s'il te pla[iî]t|merci|谢谢|好吗|吧|呢|por favor|pfv|"
    r"obrigad[oa]|valeu)?[\s?？!！.。]*$",
    re.I,
)
_ASK_PT = re.compile(r"^\s*((ok|beleza|certo|então|e|também|ah|tá|ótimo|perfeito|valeu|obrigad[oa])\b[\s,.!]*)*"
                     r"((não|nao)[,.!:;]\s*|((você |vc )?(pode|poderia|podes|consegue)( por favor)?|por favor,?|"
                     r"(eu )?(quero|queria|gostaria) que (você )?|lembre(-se)? de|lembra de)\s+)?", re.I)
#: Japanese openers and fillers before the rule: "違います、", "いや、", "あと、", "それから"
_ASK_JA = re.compile(r"^((違います|違う|ちがう|いや|いいえ|そうじゃなくて|じゃなくて|はい|ありがとう(ございます)?|"
                     r"あと|それと|それから|また|ええと|えっと|うーん|すみません|了解|OK|ok)[、。,.!！\s]*)+")


def extract(evidence: Evidence) -> list[Candidate]:
    """Skill candidates from the evidence in `evidence` ([] when nothing durable was said)."""
    out: list[Candidate] = []
    groups = _groups([*evidence.earlier, *evidence.items])
    scored = [(g, score(g, evidence.turns)[0]) for g in groups]
    # a skill of its own needs more than one reinforced "don't" (which joins the session's main skill instead)
    strong = [(g, t) for n, (g, t) in enumerate(scored) if (t >= GATE_THRESHOLD or evidence.earlier)
              and (n == 0 or len(g) >= 2 or any(i.weight >= 1.0 for i in g))]
    weak = [g for g, t in scored if (g, t) not in strong]
    if weak and (strong or score([i for g in weak for i in g], evidence.turns)[0] >= GATE_THRESHOLD):
        # the same user's rules, each too weak alone: better kept together than lost
        head = strong[0][0] if strong else weak.pop(0)
        for g in weak:
            head.extend(g)
        strong = [(g, score(g, evidence.turns)[0]) for g in [head, *[g for g, _ in strong if g is not head]]]
    stack = evidence.stack if strong else None
    for group, total in strong:
        out.append(_candidate(group, evidence, total, stack, main=not out))
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def provisional_name(evidence: Evidence) -> str:
    """What a kept-aside candidate would be called if it were learned now."""
    task = request_task(evidence)
    return task.slug if task else topic_name(_topics(evidence.items, evidence.task), evidence.language)


def _groups(items: list[Item]) -> list[list[Item]]:
    """The task's requirements together; directives on other topics apart; strongest first.

    Requirements and corrections belong to the task the session is about; a procedure
    and the directives that share its words join it; a directive about something else
    ("never commit to main" in a session about an endpoint) is its own skill.
    """
    task = [i for i in items if i.kind in ("requirement", "correction", "recurrence")]
    groups: list[list[Item]] = [task] if task else []
    words: list[set[str]] = [{w for i in task for w in topic_words(i.text)}] if task else []
    built = len({i.turn for i in task}) >= 3
    for item in (i for i in items if i.kind in ("directive", "procedure")):
        mine = set(topic_words(item.text + " " + " ".join(item.steps)))
        # steps for the task join it, and so does a weak "don't" said while its requirements were built up;
        # steps anchored on their own occasion join only when they share the task's words
        joins_task = _steps_for_the_task(item) or (built and item.weight < 1.0)
        for g, ws in zip(groups, words, strict=True):
            joins = g is task and joins_task
            if mine & ws or joins:
                g.append(item)
                ws |= mine
                break
        else:
            groups.append([item])
            words.append(mine)
    groups = [g for g in groups if g]
    groups.sort(key=lambda g: -sum(i.weight for i in g))
    return groups


def _candidate(group: list[Item], evidence: Evidence, total: float, stack: str | None, *,
               main: bool = True) -> Candidate:
    lang = evidence.language
    first = evidence.turns[0].n if evidence.turns else 0
    # a requirement said with the request and of no general kind ("the client is Brenner & fils", "a lasagne
    # for 6") is this instance's detail: evidence the task was specified, never a constraint of the skill
    ordered = sorted((i for i in group if not (i.kind == "requirement" and i.turn == first
                                               and set(i.kinds) <= {"rule"})), key=lambda i: (i.turn, 0))
    flows = [i for i in ordered if i.kind == "procedure"]
    rules = _unique([r for r in (_imperative(without_recurrence_talk(i.rule or i.text, lang), lang) for i in ordered
                                 if i.kind not in ("procedure", "recurrence")) if r and not _not_a_rule(r)])
    steps = {_imperative(step, lang) for flow in flows for step in flow.steps}
    rules = [r for r in rules if r not in steps][:MAX_CONSTRAINTS]  # a step is said once, in the workflow
    # the session's request says what the task's own requirements are about; a separate rule speaks for itself
    of_task = main or any(i.kind in ("requirement", "correction", "recurrence") for i in group)
    topics = _topics(group, evidence.task if of_task else "")
    task = _task_of(group, evidence, topics)
    anchor = (_FLOW_ANCHOR.match(flows[0].text) or _FLOW_ANCHOR_JA.match(flows[0].text)) if flows and not rules \
        else None
    if anchor and not task:  # "before each commit: a -> b -> c" is the commit workflow
        topics = rank_topics([anchor.group(1)]) or topics
    if not task and any("house" in i.kinds for i in group):
        topics = _topics(group)  # this task's words say nothing about a rule of the codebase
    name = task.slug if task else topic_name(topics, lang, workflow=bool(flows) and not rules)
    if task and "-" not in name and lang in ("en", "pt"):  # "test" says little: "httpx-test" says what about
        about = next((t for t in topics if t[:3] != name[:3] and t.isascii() and is_domain(t) and t not in _VAGUE),
                     None)
        name = f"{about}-{name}" if about else name
    # "no unwrap() outside tests", said in a Rust session, is a Rust rule; a practice named by one word of
    # its own ("logging", "changelog") holds in any language and keeps its name
    if stack and not flows and not set(name.split("-")) & STACK_NAMES and not ("-" not in name and is_domain(name)):
        name = f"{stack}-{name}"
    zh, fr, ja = lang == "zh", lang == "fr", lang == "ja"
    joiner = {"zh": "、", "ja": "、", "fr": " et ", "es": " y ", "de": " und ", "pt": " e "}.get(lang, " and ")
    what = task.phrase if task else joiner.join(topics[:2]) or _THIS_WORK.get(lang, "this work")
    telling = sorted(rules, key=lambda r: -len(set(kinds_of(r, lang)) & _GENERAL))  # budgets and formats first
    gist = ("；" if zh else "。" if ja else "; ").join(_clause(r) for r in telling[:2]) or (
        ("、" if zh or ja else ", ").join(flows[0].steps[:3]) if flows else "")
    if zh:
        description = f"按用户的要求{what}：{gist}。在{task.when if task else f'处理{what}相关任务'}时使用。"
        goal = f"按这位用户一贯的要求{what}。"
    elif fr:
        description = (f"{what[0].upper() + what[1:]} comme cet utilisateur le demande : {gist}. "
                       f"À utiliser pour {task.when if task else what}.")
        goal = f"{what[0].upper() + what[1:]} en respectant les exigences habituelles de cet utilisateur."
    elif lang == "es":  # the session's language: a Spanish user reads a Spanish description
        description = f"Reglas de este usuario para {what}: {gist}. Úsala cuando una tarea trate de {what}."
        goal = f"Aplicar las reglas de este usuario siempre que una tarea trate de {what}."
    elif lang == "de":
        description = f"Regeln dieses Nutzers für {what}: {gist}. Verwenden, wenn eine Aufgabe {what} betrifft."
        goal = f"Die Regeln dieses Nutzers anwenden, wann immer eine Aufgabe {what} betrifft."
    elif lang == "pt":  # Brazilian and European readers alike: "usuário" and "tarefa" are understood by both
        description = f"Regras deste usuário para {what}: {gist}. Use quando uma tarefa envolver {what}."
        goal = f"Aplicar as regras deste usuário sempre que uma tarefa envolver {what}."
    elif ja:
        description = (f"{what}をこのユーザーの求めるやり方で行う：{gist}。{task.when if task else what}に関する作業で"
                       "使用する。")
        goal = f"このユーザーがいつも求めるやり方で{what}を行う。"
    elif task:
        description = f"{task.does} the way this user wants: {gist}. Use when {task.when}."
        goal = f"{task.does} the way this user asked for, every time."
    else:
        description = f"This user's rules for {what}: {gist}. Use when a task involves {what}."
        goal = f"Apply this user's rules whenever a task involves {what}."
    heads = _HEADINGS.get(lang, _HEADINGS["en"])
    sections = [heads[0], goal]
    if rules:
        sections += ["", heads[1]]
        sections += [f"- {r}" for r in rules]
    for flow in flows:
        sections += ["", heads[2]]
        sections += [f"{n}. {_imperative(step, lang)}" for n, step in enumerate(flow.steps, 1)]
    triggers = ([task.trigger] if task else []) + [
        (f"处理{t}相关任务" if zh else f"{t}に関する作業" if ja else f"working with {t}") for t in topics[:2]
    ]
    return Candidate(
        name=name,
        description=description,
        instructions="\n".join(sections),
        triggers=triggers,
        tags=[t for t in topics if t.isascii()][:5] or topics[:5],
        confidence=min(0.9, 0.35 + 0.15 * total),
        quotes=[i.text for i in ordered],
        extractor=EXTRACTOR,
    )


#: "this work", when nothing better names what the rules are for
_THIS_WORK = {"zh": "工作", "fr": "ce travail", "es": "este trabajo", "de": "diese Arbeit", "pt": "este trabalho",
              "ja": "この作業"}
#: section headings in the session's language: goal, constraints, workflow
_HEADINGS = {"en": ("# Goal", "# Constraints & Style", "# Workflow"), "zh": ("# 目标", "# 约束与风格", "# 流程"),
             "fr": ("# Objectif", "# Contraintes et style", "# Étapes"),
             "es": ("# Objetivo", "# Restricciones y estilo", "# Pasos"),
             "de": ("# Ziel", "# Vorgaben und Stil", "# Ablauf"),
             "pt": ("# Objetivo", "# Restrições e estilo", "# Passos"), "ja": ("# 目的", "# 制約とスタイル", "# 手順")}


def _not_a_rule(line: str) -> bool:
    """The last guard before a line becomes a constraint: a file:line or lint reference, a question or a
    complaint is never one, however it got this far."""
    return bool(FILE_REF.search(line) or LINT_FINDING.match(line) or _LINT_CODE.search(line) or is_question(line)
                or is_complaint(line))


#: "F841 local variable ...": a linter's code followed by its message
_LINT_CODE = re.compile(r"\b[A-Z]{1,3}\d{3,4} [a-z]")


def _steps_for_the_task(item: Item) -> bool:
    """Steps the user spells out for the session's task; steps anchored on their own occasion
    ("before each commit: a -> b") are that occasion's workflow, whatever the session was about."""
    return item.kind == "procedure" and _FLOW_ANCHOR.match(item.text) is None


def _topics(group: list[Item], task: str = "") -> list[str]:
    return rank_topics([(i.rule or i.text) + " " + " ".join(i.steps) for i in group], boost=task)


def _task_of(group: list[Item], evidence: Evidence, topics: list[str]) -> TaskName | None:
    """The task this group is about: the session's request when the group builds on it.

    A rule with no task around it ("when you review for me: ...", "from now on write commit
    messages in the imperative") is named from its own opening instead.
    """
    lang = evidence.language
    # the user said when these rules apply: that is what the skill is for
    for text in [evidence.task, *(item.rule or item.text for item in group)]:
        named = occasion(text, lang)
        if named is not None:
            return named
    task = request_task(evidence)
    built = len({i.turn for i in group if i.kind in ("requirement", "correction", "recurrence")}) >= 3
    # a rule of the codebase or team ("we don't fetch in useEffect here") outlives this task: named for itself
    house = not built and any("house" in i.kinds for i in group)
    # steps the user spells out for the task at hand ("here's how we add icons: 1. ...") are how that task is done
    spelled = any(_steps_for_the_task(i) for i in group)
    if task is not None and not house and (built or spelled or set(topic_words(task.slug.replace("-", " ")))
                                           & set(topics[:1])):
        return task
    for item in group:
        text = item.rule or item.text
        if _ANCHOR.match(text):
            anchored = task_name(_ANCHOR.sub("", text), lang)
            if anchored is not None:
                return anchored
    return None


#: where a request's clauses part: "here's the april export, can you do the monthly report"
_CLAUSE = re.compile(r"\s*(?:[,;:，；：]|\s[-–—]\s|\.\s)\s*")


def request_task(evidence: Evidence) -> TaskName | None:
    """The task the session's opening asks for, wherever in its first turn the request stands.

    People open with context ("here's the april export, can you do the monthly report?"): the
    opening sentence names the task, else the first of its later clauses that asks for something.
    """
    named = task_name(evidence.task, evidence.language)
    for clause in _CLAUSE.split(evidence.task)[1:]:
        if named is not None:
            break
        if len(clause) >= 6 and not _CONTEXT_CLAUSE.match(clause):
            named = task_name(clause, evidence.language)
    return named


#: a clause that tells, not asks: "this is how infra changes go here", "that's where it goes"
_CONTEXT_CLAUSE = re.compile(r"^\W*(this|that|it|here|there|which|who|so)('s|\b)", re.I)


def _imperative(text: str, lang: str) -> str:
    """The user's sentence as a short rule: openers, hedges and politeness dropped, one sentence,
    this instance's ticket numbers replaced by placeholders."""
    s = _ISSUE.sub("#<N>", _TICKET.sub("<TICKET>", " ".join(text.split())))
    for _ in range(3):
        s = _LEAD.sub("", s)
        s = _ASK.sub("", s)
    if lang == "ja" or KANA.search(s):
        s = _ASK_JA.sub("", s)
        s = re.sub(r"[？?！!。.]*$", "", s).strip("、, ")
        return (s + "。") if s else s
    if lang == "zh" or re.match(r"^[\u3400-\u9fff]", s):
        s = _ASK_ZH.sub("", s)
        s = re.sub(r"(吗|呢|吧|哦|啊|呀)?[？?！!。.]*$", "", s).strip("，, ")
        return (s + "。") if s else s
    if lang == "fr":
        s = _ASK_FR.sub("", s)
    if lang == "pt":
        s = _ASK_PT.sub("", s)
    s = _TAIL.sub("", s).strip(" ,;:-")
    if not s:
        return s
    s = re.sub(r"^(it|this|that) (should|must|has to|needs to) ", "", s, flags=re.I)
    return s[0].upper() + s[1:] + ("" if s[-1] in ".!" else ".")


def _clause(rule: str) -> str:
    clause = rule.rstrip("。.!")
    return clause[0].lower() + clause[1:] if clause[:1].isupper() and clause[1:2].islower() else clause


def _unique(rules: list[str]) -> list[str]:
    """Once each; of two where one says all the other does and more, the fuller one."""
    out: list[str] = []
    for r in rules:
        if not r:
            continue
        words = set(re.findall(r"\w+", r.lower()))
        for i, kept in enumerate(out):
            theirs = set(re.findall(r"\w+", kept.lower()))
            if words <= theirs:
                break
            if theirs <= words:
                out[i] = r
                break
        else:
            out.append(r)
    return out
