"""Evidence: what a session gives extraction to learn from, and the gate that weighs it.

The user's own prose is the evidence (pasted output, code, questions and complaints
are set aside: noise.py); what the agent said or ran is context only. Five kinds of
evidence are weighed, each explained in the verdict:

- a durable directive ("always", "never", "from now on", "in this repo");
- requirements accumulated over three or more of the user's turns for one task
  (a budget, a hard constraint, a fallback, the output's shape, a refinement);
- corrections and refinements of the agent's output that say how to work;
- a procedure the user spells out, step by step;
- recurrence: the user says it comes back ("again", "as last time"), or a kept-aside
  candidate from an earlier session is stated again (pending.py, checked by the pipeline).

The gate's verdict is `pass` (learn now), `borderline` (an LLM decides; offline, the
candidate is kept aside until it recurs) or `reject` (surely a one-off: no call).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from .naming import has_task_verb, occasion, stack_of
from .noise import FILE_REF, LINT_FINDING, is_complaint, is_question, is_reference, is_reported, noise_kind
from .requirements import Requirement, instructs, kinds_of, policy, requirement
from .session import Event, Kind, Role, Session
from .signals import KANA, Directive, DirectiveKind, directive, is_correction, language, sentences

#: a pasted log or file is not the user speaking: keep the head of very long turns only
MAX_TURN_CHARS = 4000
#: the agent's text shown beside a correction, so a reader knows what was corrected
MAX_CONTEXT_CHARS = 400
#: a turn this long is a pasted spec or task brief: its imperatives describe the task, not standing policy
LONG_TURN = 1200
LONG_TURN_FACTOR = 0.4
#: text some agents store as a user message that the user never typed (compaction summaries)
_INJECTED = re.compile(
    r"^(This session is being continued from a previous conversation|<environment_details>|<system-reminder>|"
    r"<autoskill-context>|Caveat: The messages below were generated|<user_instructions>|<environment_context>|"
    r"# AGENTS\.md instructions)", re.IGNORECASE)
_RECUR = re.compile(
    r"\b(again|as (last time|before|usual|always|i said|discussed)|like (last time|before|always)|same as (last time|"
    r"before)|once more|one more time|as we did)\b|(又(要|是|忘|用|写|搞)|再次|还是要|跟上次一样|和上次一样|像上次|"
    r"照旧|老规矩|照常|同上次)|"
    r"\b((?<!pas )encore|comme (la dernière fois|d'habitude|avant|toujours)|de nouveau|à nouveau)\b|"
    r"\b(otra vez|de nuevo|como (la última vez|siempre|antes)|(schon )?wieder|nochmal|noch einmal|"
    r"wie (letztes mal|immer|beim letzten mal))\b|"
    r"\b(de novo|outra vez|novamente|mais uma vez|como (da última vez|sempre|antes|combinamos)|igual (à|a|da) última "
    r"vez)\b|(前回(と同じ|同様|みたいに|のように|と同様)|いつも(通り|どおり|のように)|再度(お願い|言)|また同じ|何度も言)",
    re.IGNORECASE,
)
_UNLIKE_BEFORE = re.compile(r"\b(not|unlike|instead of|rather than)\b[^,.;—–-]{0,30}\b(?<!same )(like|as) "
                            r"(last time|before)\b|"
                            r"(不像|不要像|别像)(上次|之前)|\b(pas comme|contrairement à) (la dernière fois|avant)\b|"
                            r"\b(não|diferente d[ae]) como (da última vez|antes)\b|(前回と(は)?違って|前回とは別)",
                            re.I)
#: the user saying this kind of task comes back: its requirements are worth keeping
_REUSE = re.compile(
    r"\b(every (summer|winter|year|month|week|quarter|sprint|release|time|monday|friday|morning)|each (release|sprint)|"
    r"every other (day|week|weekend|month|friday|monday)|this (happens|comes up) (\w+ ){0,3}(every|each|all the time|"
    r"a lot|weekly|monthly)|"
    r"(for|on) (the )?(next(?! (week|weekend|month|year|days?|mon|tue|wed|thu|fri|sat|sun)\w*\b)|future|other|"
    r"rest of the|all (the )?(other|future))( \w+)?|same (approach|format|checklist|"
    r"structure|template|rules?|setup|layout|style) (for|each|every|next|from now)|one of these (every|each|a)|(more|"
    r"rest) of these|(a lot|lots|bunch|\d+(-\d+)?) (more )?of these|use this (same )?(approach|format|template|"
    r"structure) (each|every|for)|(weekly|monthly|every week|every month) (thing|report|update|review|digest|plan))\b|"
    r"(每周|每个月|每月|每次都|以后(都|每)|下次|其他的?.{0,4}也|都按这个|照这个(格式|来))|\b(chaque (semaine|mois|"
    r"année|fois)|toutes les semaines|tous les mois|la prochaine fois|pour les (prochain|autres)|même (format|méthode|"
    r"structure) pour)\b|"
    # "15 more endpoints, all following this pattern", "alle nach diesem Muster", "todas con este formato"
    r"\b((all|every one) (of them )?(following|in|with|like|on) (this|the same) (pattern|format|shape|structure|"
    r"template)|nach (diesem|dem gleichen|demselben) (muster|schema|format)|(todas las|todos los) (semanas|meses|"
    r"lunes|viernes)|(con|según|siguiendo) (este|el mismo) (patrón|formato|esquema)|la próxima vez)\b|"
    r"\b(toda (semana|segunda|sexta|vez)|todo (mês|ano|dia)|todos os (meses|anos|dias)|todas as semanas|"
    r"da próxima vez|nas próximas|nos próximos|mesmo formato (para|pra|nas|nos)|sempre que eu (pedir|mandar))\b|"
    r"(毎週|毎月|毎回|次回(も|から|は)|次も|今後も|他の.{0,6}も|同じ(形式|フォーマット)で)",
    re.IGNORECASE,
)
#: the user saying this instance is one of many of its kind: "a dozen of these endpoints left", "four more
#: services to port, same deal for each", "that's the house style for the whole crate", "pour nos autres dépôts",
#: "cada mes", "alle unsere Service-Images": what was asked for here holds for the others too
_GENERALISES = re.compile(
    r"\b((\d+|a dozen|dozens|a few|a couple|several|two|three|four|five|six|seven|eight|ten|twenty|thirty|fifty|"
    r"a hundred)\s+more\b|(\d+|a dozen|dozens|several|few|four|five|ten|twenty|thirty)\s+(of these|other|\w+ ?\w*s)\b"
    r"[^.;]{0,40}\b(left|to go|to (port|do|write|review|document|migrate|convert|fix|add|build)|after this|"
    r"without|in the queue|queued|lined up|coming)\b|same (deal|treatment|drill|goes|shape|thing|way|pattern)\b|"
    r"(that'?s|this is) (the|our|my) (shape|format|template|pattern|way|style|house style|default)\b|"
    r"(keep|use) (that|this|the same) (format|shape|structure|layout|style|template)\b|house style|"
    r"(for|across|in) (the|our|my) (whole|entire|other) \w+|(the )?rest of (the|my|our) (queue|list|backlog|chapters|"
    r"papers|repos|services|packages|endpoints)|"
    r"keep to (that|this|those|these)\b|for (these|such) (\w+ )?(reviews|reports|emails|prs|posts|summaries|"
    r"tickets|notes|changes|releases|docs)|every \w+ (\w+ )?like (that|this)|expect more|most (months|weeks)|"
    r"every (month|week)s?\b|(next|every) (month|week)'s\b|"  # "next week" alone is a date, but
    r"keep (all )?(that|this|these|those) in mind (for|when|next)|(i|we) (post|write|send|do|make|run|need|get|"
    r"publish) (one of )?(these|this|it|them) (about |roughly |like )?(once|twice) a (week|month|quarter|year)|"
    r"(i'?ll|i will|we'?ll|we will) (send|give|ask|bring|share|paste|need)\b[^.;]{0,40}\b(next|each|every) "
    r"(month|week)\b)|"
    r"\b(pour (nos|les|mes) autres|(nos|les|mes|tous nos|toutes nos) autres \w+|partout|chaque (lundi|mardi|mercredi|"
    r"jeudi|vendredi|samedi|dimanche|matin|soir)|je te (le )?redemanderai|servira de base|pour tous (nos|mes|les))\b|"
    r"\b(cada (mes|semana|vez|año|lunes|viernes|día)|todo el (servicio|proyecto|repo|equipo|código)|te lo (voy a )?"
    r"pedir|todos (nuestros|mis|los) \w+)\b|"
    r"\b(alle (unsere|meine|weiteren|anderen) \w+|jede[nrs]? (woche|monat|montag|freitag|mal)|jedes mal|immer wenn|"
    r"so sollen alle)\b|(以后.{0,6}(都|基本|也)|其他.{0,8}(也|都)|每周|每个?月|下个月|下次)|"
    r"\b(para (os|as|nossos|nossas|meus|minhas) outr[oa]s|tod[oa]s (os|as) (nossos|nossas|meus|minhas) \w+|em todo o "
    r"(projeto|serviço|repo|repositório|código)|vou te pedir (isso )?(de novo|sempre|mais vezes)|cada (mês|semana))\b|"
    r"(他の.{0,8}(も|にも)|全部の|すべての.{0,6}(で|に)|プロジェクト全体|リポジトリ全体|また頼む|また頼みます)",
    re.IGNORECASE)
_SCOPED_INTRO = re.compile(r"\b(for this (one|change|pr|rename|fix|time|task)|this time|for now|just for this|"
                           r"(for|steps for|list for|plan for) (today|tonight|tomorrow))\b|"
                           r"(这次|这一次|先这样|今天|明天)|\b(pour cette fois|cette fois|pour l'instant|aujourd'hui|"
                           r"demain|para hoy|für heute|für morgen|desta vez|dessa vez|por enquanto|para hoje|pra hoje|"
                           r"para amanhã)\b|(今回|今日(は|だけ)|明日(は|まで)|今だけ)", re.IGNORECASE)
_INLINE_STEP = re.compile(r"(?:^|\s)\(?\d{1,2}[.)]\s+")
_THEN = re.compile(r"[,;]\s*(?:and\s+)?(?:then|after that|afterwards)\s+|\s+(?:and then|then)\s+(?=\S)|"
                   r"[，,；;]\s*(?:然后|再|接着)|[,;]\s*(?:puis|ensuite)\s+|[,;]\s*(?:depois|em seguida)\s+|"
                   r"[、]\s*(?:それから|次に|その後)", re.IGNORECASE)
_STEP_LINE = re.compile(r"^\s*(\d+[.)、]|[-*•]|step \d+[:.]|第[一二三四五六七八九十\d]+步)\s*(.+)$", re.IGNORECASE)
#: "first" and "next" as adverbs of order, not "the first line" or "the next release" (an ordinal of a thing)
_ADVERB = r"(?<!\bthe )(?<!\ba )(?<!\bmy )(?<!\bour )(?<!\byour )(?<!\bits )(?<!\bthis )(?<!\bthat )\b"
_SEQUENCE = re.compile(
    _ADVERB + r"(first|1st)\b.{3,}\b" + _ADVERB + r"(then|next|after that|afterwards)\b.{3,}\b"
    r"(then|finally|lastly|and then)\b|"
    r"先.{2,}(再|然后).{2,}(最后|再|然后)|\b(d'abord)\b.{3,}\b(ensuite|puis)\b.{3,}\b(enfin|puis|ensuite)\b|"
    r"\bprimeiro\b.{3,}\b(depois|em seguida|aí)\b.{3,}\b(por último|no fim|no final|depois|e aí)\b|"
    r"まず.{2,}(次に|それから|その後).{2,}(最後に|それから|その後)",
    re.IGNORECASE | re.S)

#: picking one of the options the agent offered ("ok go with 1", "选第二个吧") asks nothing of the next task
_CHOICE = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|yes|yeah|yep|great|perfect|cool|sure|alright|thanks|thx)[\s,.!]+)*(?:let'?s |i'?ll |we'?ll )?"
    r"(?:go|going)(?: ahead)? (?:with|for) (?:option |number |steps? |#)?(?:\d+(?:\s*[-–]\s*\d+)?|[a-d]|the "
    r"(?:first|second|third|last|other|cheaper) "
    r"(?:one|option))\b[^,;]{0,24}$|^\W*(?:那|好的?|行)?[，,]?(?:就|选|用)+(?:第?[一二三四1-4](?:个|种|套|条)|方案[一二三ABC])"
    r"(?:吧|就行|好了)?\W*$|^\W*(?:ok |d'accord |vale |gut )?(?:on part sur|je prends|nehmen wir|me quedo con) "
    r"(?:la |le |l'|el |la opción |option )?(?:\d|premi|deuxi|second|primer|segund|erste|zweite)", re.I)
#: a record about a person or a thing ("张琳（设计）：周一全天可以", "Me: free tue/wed"): this instance's data
_RECORD = re.compile(r"^\W*(?:[\u3400-\u9fff]{2,4}\s*[（(][^）)\n]{1,12}[）)]|我|(?i:me|moi|yo|ich))\s*[:：]")
_TICKS = re.compile(r"`[^`\n]+`")
#: "i'll get Tomasz to review it", "je le relirai demain": what the user will do, not what they ask for
_OWN_PLAN = re.compile(r"^\W*((ok|and|then|so),?\s+)?(i'?ll|i will|i'?m going to|we'?ll|we will|je vais|je (le |la )?"
                       r"\w+rai\b|我(会|再|回头|自己)|(eu )?vou (\w+r|mandar|pedir|revisar)\b|"
                       r"(私|僕|自分)(が|で)(後で|あとで)?(やります|確認します|直します))", re.I)
#: a sentence that opens a quotation it does not close: the first line of a text the user pasted
_OPENS_QUOTE = re.compile(r"^\s*(“[^”]*|«[^»]*|「[^」]*|\"[^\"]*)$")
#: "can you also draft …", "peux-tu aussi rédiger …": the user asking for one more piece of work
_NEW_REQUEST = re.compile(r"^\W*((ok|great|thanks|perfect|and),?\s+)*((can|could|would) (you|u) also|also,? (please )?|"
                          r"please also|(peux|pourrais)-tu aussi|(kannst|könntest) du auch|(puedes|podrías) también)\s+"
                          r"(draft|write|send|make|create|prepare|book|schedule|rédiger|écrire|préparer|schreib\w*|"
                          r"escrib\w*|redact\w*|escreve\w*|prepara\w*|faz|faça|redige|redija)\b|"
                          r"^\W*((ok|ótimo|valeu|e),?\s+)*((você )?(pode|poderia|podes|consegue) também|também,? )\s*"
                          r"(escrever|escreve|preparar|prepara|fazer|faz|mandar|redigir)\b", re.I)
#: the next piece of work, asked for once the rules are said: "ok now add ...", "great. set up a sync ...", "现在给..."
_NEXT_TASK = re.compile(r"^\W*((ok(ay)?|great|cool|thanks|thx|perfect|good|nice|alright|right|gut|bien|vale|bon|"
                        r"parfait|super|好的?|行|嗯)[,.!，。\s]+)*((?P<word>now|next|then|first one|jetzt|maintenant|"
                        r"ahora|現在|现在|接下来)[,:：，\s]*)?", re.I)
#: the user describing the agent's habit ("you always tack a summary on", "you never close the file"):
#: a complaint that may point at a rule, said without asking for one
_AGENT_HABIT = re.compile(r"^\W*(but |and |lol |ugh |also )?(you|u) (always|never|keep|constantly|still) "
                          r"(?!(should|must|need|have to|want)\b)\w+|"
                          r"^\W*(mas |e )?(você|vc|tu) (sempre|nunca|continua) (?!(deve|precisa|tem que)\b)\w+|"
                          r"^\W*(あなた|君|AI)は?(いつも|毎回|また)", re.I)
#: a quotation of several sentences (a mail to answer, a paragraph to rework)
_QUOTE_BLOCK = re.compile(r"«[^»]{20,4000}»|“[^”]{20,4000}”|„[^“”]{20,4000}[“”]|「[^」]{20,4000}」|"
                          r"(?:(?<=^)|(?<=[\s(:]))\"[^\"]{20,4000}\"(?=[\s,.;:!?)—–-]|$)")
#: a quoted span: the words of a document, a message or a form field, not the user's own rule
_QUOTED = re.compile(r"«[^»\n]{1,120}»|“[^”\n]{1,120}”|„[^“”\n]{1,120}[“”]|「[^」\n]{1,120}」|"
                     r"(?:(?<=^)|(?<=[\s(:]))(?:\"[^\"\n]{1,120}\"|'[^'\n]{1,80}')(?=[\s,.;:!?)—–-]|$)")
#: "don't touch the rest", "leave the other workflows alone", "别的别动": the edges of this change
_LEAVE_ALONE = re.compile(
    r"\b(don'?t|do not|never|no need to) (touch|change|modify|edit|refactor|reformat|fix)\b[^.;]{0,40}\b(the rest|"
    r"others?|anything else|it|that|those|them)\b|\b(don'?t|do not) (touch|change|modify|edit) (the )?[\w/-]*\.\w+|"
    r"\b(the rest|other \w+|everything else)\b[^.;]{0,60}\b(don'?t|do not)"
    r" (touch|change|modify|edit)\b|\b(leave|keep) (the rest|everything else|the others?|other \w+) (alone|as is|"
    r"untouched)\b|(别的|其他|其余|剩下)[^。；]{0,20}(别|不要|先别)(动|碰|改)|先只改|"
    r"(?i:\b(não|nao) (mexa|mexe|toque|altere) (no|na|nos|nas|em) (resto|mais nada|outr[oa]s)\b)|"
    r"(他(の|は)|それ以外|残り)[^。]{0,20}(触らないで|変えないで|いじらないで)")
#: "same text as before": the thing named, if this session said it already, is what "before" points at
_SAME_AS_BEFORE = re.compile(r"\bsame (\w+) as (before|earlier|above)\b", re.I)

_UNTICK = re.compile(r"\x00(\d+)\x00")

ItemKind = Literal["directive", "requirement", "correction", "procedure", "recurrence"]
Verdict = Literal["pass", "borderline", "reject"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One thing the user said on the main thread."""

    n: int                          # 1-based position among the user's turns
    text: str
    correction: str | None = None   # why it counts as a correction (interrupt, rejected_tool, feedback, ...)
    context: str = ""               # what the agent had just said or done
    uid: str = ""
    prose: tuple[str, ...] = ()     # its sentences, output/code/questions/complaints set aside
    set_aside: int = 0              # how many lines were set aside as output or code
    confirms: bool = False          # a short approval of what the agent just did ("yes, this format", "对，就这样")


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of evidence: the user's sentence, what kind of evidence it is, how strong."""

    kind: ItemKind
    text: str
    turn: int
    weight: float
    kinds: tuple[str, ...] = ()     # requirement kinds (limit, exclude, format, ...)
    steps: tuple[str, ...] = ()     # a procedure's steps, in the user's order
    directive: Directive | None = None
    rule: str = ""                  # the instructing clauses of `text` (what a constraint line says)


@dataclass(slots=True)
class Evidence:
    session_id: str
    agent: str
    turns: list[Turn] = field(default_factory=list)
    found: list[tuple[Directive, Turn]] = field(default_factory=list)
    language: str = "en"
    project: str | None = None
    items: list[Item] = field(default_factory=list)
    earlier: list[Item] = field(default_factory=list)   # the same requirement said in earlier sessions (recurrence)
    #: the session's texts and tool inputs, kept (as references) for `stack`, which only naming needs
    code: list[str] = field(default_factory=list, repr=False)

    @property
    def corrections(self) -> list[Turn]:
        return [t for t in self.turns if t.correction]

    @property
    def task(self) -> str:
        """The request that set the task: the user's first turn with prose."""
        return next((t.prose[0] if t.prose else t.text for t in self.turns if t.prose), "")

    @property
    def stack(self) -> str | None:
        """What the session's code is written in (`rust`, `terraform`): read only when a skill is named,
        not for every session the gate weighs."""
        return stack_of(self.code)

    def quotes(self) -> list[str]:
        """The user's sentences that carry the evidence, in order, once each."""
        return list(dict.fromkeys(i.text for i in [*self.earlier, *self.items]))


def gather(session: Session, *, since_uid: str | None = None) -> Evidence:
    """The user's turns with corrections marked, their prose read for evidence.

    `since_uid` (incremental ingest of a growing transcript) keeps only turns after
    that event; earlier ones were learned from already.
    """
    events = session.events
    start = 0
    if since_uid:
        for i, e in enumerate(events):
            if e.uid == since_uid:
                start = i + 1
                break
    turns: list[Turn] = []
    context = ""
    agent_acted = False
    n = 0
    lang = language(" ".join(e.text for e in events[start:] if e.role is Role.USER)[:4000])
    for e in events[start:]:
        if e.is_sidechain:
            continue
        if e.role is Role.ASSISTANT and e.kind in (Kind.REPLY, Kind.TOOL_CALL):
            agent_acted = True
            context = _context_of(e) or context
            continue
        if e.role is not Role.USER or e.kind not in (Kind.PROMPT, Kind.CORRECTION):
            continue
        text = e.text.strip()[:MAX_TURN_CHARS]
        if not text or _INJECTED.match(text):
            continue
        n += 1
        reason = e.correction if e.kind is Kind.CORRECTION else None
        if reason is None and agent_acted and is_correction(text, lang):
            reason = "feedback"
        prose, aside = _prose(text)
        if reason is None and agent_acted and n > 1 and revises(prose, lang):
            reason = "revision"  # the agent's output, redone on request in a way that says how
        confirms = agent_acted and n > 1 and bool(_CONFIRM.match(text.strip())) and len(text) <= 80 \
            and not re.search(r"[?？]", text)
        turns.append(Turn(n, text, reason, context[:MAX_CONTEXT_CHARS] if reason else "", e.uid, prose, aside,
                          confirms))
        agent_acted = False
    evidence = Evidence(session.session_id, session.agent, turns,
                        language=language(" ".join(t.text for t in turns)[:4000]) if turns else "en",
                        project=session.project,
                        code=[e.text for e in events[start:]]
                        + [e.tool.input for e in events[start:] if e.tool is not None])
    evidence.found = [(d, t) for t in turns if not _pasted(t) for d in _directives(t, evidence.language)]
    evidence.items = _items(evidence)
    return evidence


def _prose(text: str) -> tuple[tuple[str, ...], int]:
    """The sentences a user wrote themselves; pasted output and code lines are counted, not kept."""
    kept: list[str] = []
    aside = 0
    for line in re.sub(r"```.*?(```|$)", "\n", text, flags=re.S).splitlines():
        if noise_kind(line):
            aside += 1
            continue
        kept.append(line)
    # inline code is one word of the sentence: never split inside it
    spans: list[str] = []

    def hold(m: re.Match[str]) -> str:
        spans.append(m.group(0))
        return f"\x00{len(spans) - 1}\x00"

    body = _TICKS.sub(hold, "\n".join(kept))
    out = [_quote_head_cut(_quote_tail_cut(_UNTICK.sub(lambda m: spans[int(m.group(1))], s))) for s in sentences(body)]
    return tuple(s for s in out if s and not noise_kind(s)), aside


_QUOTE_MARK = re.compile(r"(?<![A-Za-z])'|'(?![A-Za-z])|[\"“”«»「」]")
_CLOSING_FIRST = re.compile(r"^[^'\"“”«»「」]*?\S['\"”»」](?=\s|$)")


def _quote_tail_cut(sentence: str) -> str:
    """A sentence that starts inside a quote opened in the one before ("If so, provide X.' we don't ...")
    keeps only what follows the quote: the quoted document's words are not the user's."""
    if len(_QUOTE_MARK.findall(sentence)) % 2 == 1:
        m = _CLOSING_FIRST.match(sentence)
        if m:
            return sentence[m.end():].strip()
    return sentence


#: a quotation opened in this sentence and closed in a later one: 'implement this ticket: "Logs must always ...'
_OPENS_LATER = re.compile(r"(?:^|(?<=[\s:：(（]))[\"“«「„](?=[^\"”»」“]*$)")


def _quote_head_cut(sentence: str) -> str:
    """A sentence that opens a quotation it does not close keeps only what comes before it: the rest is the first
    sentence of the ticket, mail or document the user pasted, its author's words."""
    if len(_QUOTE_MARK.findall(sentence)) % 2 == 1:
        m = _OPENS_LATER.search(sentence)
        if m:
            return sentence[:m.start()].strip()
    return sentence


def _said_earlier_here(sentence: str, earlier: list[Turn]) -> bool:
    """Does "same X as before" point back inside this session (X in an earlier turn) rather than to a past one?"""
    m = _SAME_AS_BEFORE.search(sentence)
    return m is not None and any(re.search(rf"\b{re.escape(m.group(1))}\b", t.text, re.I) for t in earlier)


def _directives(turn: Turn, lang: str = "en") -> list[Directive]:
    out = []
    for s in turn.prose:
        if is_question(s) or is_complaint(s) or is_reference(s):
            continue
        # `always` in backticks is a keyword, 'Never' in quotes a word of the text at hand: neither is a rule
        d = directive(_QUOTED.sub("quote", _TICKS.sub("code", s)))
        if d is not None and (is_reported(s) or _LEAVE_ALONE.search(s)):
            continue
        if d is not None:
            d = replace(d, text=s)
            if _AGENT_HABIT.match(s):  # "you always tack a summary on": what the agent does, no rule yet
                d = replace(d, weight=min(d.weight, 0.5))
        if d is not None and d.kind is not DirectiveKind.WORKFLOW and d.weight < 1.0 \
                and not (instructs(s, lang) or policy(s)):
            continue  # a plain "don't" in a description asks nothing ("the old one doesn't scale")
        if d is not None:
            out.append(d if len(turn.text) < LONG_TURN else replace(d, weight=round(d.weight * LONG_TURN_FACTOR, 2)))
    return out


#: the user saying what follows is for someone else to read: the message's content, not the agent's rules
_CONTENT_FOR = re.compile(
    r"\b(things (she|he|they|you) (needs?|should|has|have) to know|(tell|remind) (her|him|them) (that|to|about)|"
    r"let (her|him|them) know|(the|this) (email|message|note|letter|text) (should|must|needs to) (say|tell|mention|"
    r"include)|here'?s what (she|he|they) (needs?|should) to know)\b|(告诉|提醒)(她|他|他们)(要|别|不要|一定)|"
    r"\b(dis-(lui|leur)|rappelle-(lui|leur)|dile que|recuérdale|sag (ihr|ihm|ihnen)),? ", re.I)
#: a message for someone who is not the agent: "write a note for the babysitter", "un mot pour la nounou",
#: "给阿姨写个便条": the request's other sentences are what it is to tell them
_MESSAGE_FOR = re.compile(
    r"\b(write|draft|leave|compose|put together)\b[^.?!]{0,30}\b(note|message|email|e-mail|letter|text|card)s? "
    r"(for|to) (the|our|my|a) (baby-?sitter|sitter|dog ?sitter|cat ?sitter|pet ?sitter|nanny|cleaner|neighbou?r|"
    r"house-?sitter|au pair|contractor|plumber|builder|landlord|tenant|guest|guests|substitute|sub|cover teacher)|"
    r"\b(rédiger|écrire|écris|rédige|laisser)\b[^.?!]{0,30}\b(mot|message|note|mail|lettre) (pour|à) "
    r"(la|le|l'|notre|ma|mon) ?(baby-?sitter|nounou|voisin|voisine|femme de ménage|remplaçant|remplaçante|gardien|"
    r"locataire)|"
    r"\b(escribe|escríbeme|redacta|déjame)\b[^.?!]{0,30}\b(nota|mensaje|correo|carta) (para|a) (la|el|nuestra|mi) "
    r"(niñera|canguro|vecin[oa]|asistenta|cuidador[a]?)|"
    r"(给|帮我给)(保姆|阿姨|邻居|钟点工|房客|代课老师).{0,8}(写|留)(个|一张|一个|一封)?(便条|留言|纸条|消息|短信|邮件)",
    re.I)
#: what a message's form is (its tone, length, format, language), which a user may want every time
_FORM_KINDS = {"tone", "length", "format", "language"}
#: the user saying they ask for nothing: "not asking you to do it, just curious", "hypothetically"
_DISCLAIMS = re.compile(
    r"\b(not asking you to|i'?m not asking (you )?(to|for)|just curious|purely hypothetical(ly)?|hypothetically|"
    r"out of curiosity|par curiosité|por curiosidad|hipotéticamente|nur aus neugier|rein hypothetisch)\b|"
    r"(只是好奇|假设一下|不是让你)", re.I)


def _items(ev: Evidence) -> list[Item]:
    items: list[Item] = []
    task = ev.task
    # the session opens with rules, not a task ("heads up: in this codebase we ...", "when you book for me,
    # default to ..."): the request that comes after them is the task they apply to
    opening = next((d for d, turn in ev.found if ev.turns and turn.n == ev.turns[0].n and d.text == task), None)
    rules_first = bool(task) and ((opening is not None and opening.weight >= 1.0)
                                  or not has_task_verb(task, ev.language))
    for t in ev.turns:
        if _pasted(t):
            # a text the user wants summarised, translated or turned into something: its rules are its own
            continue
        ds = {d.text: d for d, turn in ev.found if turn.n == t.n}
        quoted = [m.group(0) for m in _QUOTE_BLOCK.finditer(t.text)]
        # a note for the babysitter, an email to the dog sitter: the rest of the request is what it says
        content = t.n == ev.turns[0].n and bool(_MESSAGE_FOR.search(task))
        for n_s, s in enumerate(t.prose):
            if _DISCLAIMS.search(s):
                continue  # "not asking you to do it, just curious": the user says it is no request
            content = content or bool(_CONTENT_FOR.search(s))
            if content and s != task and not (set(kinds_of(s, ev.language)) & _FORM_KINDS):
                # "things she needs to know: always keep him on the leash": what the message is to say,
                # a rule for its reader, not for the agent
                continue
            if is_reference(s) or (is_question(s) and "," not in s and "，" not in s):
                continue  # a question with a clause before it may still say what the user wants
            if any(s.strip(" «»\"“”„") in q for q in quoted):
                continue  # a sentence of the mail or document the user quoted: its author's words, not the user's
            if _CHOICE.search(s) or _RECORD.match(s) or is_reported(s) or LINT_FINDING.match(s) \
                    or _OPENS_QUOTE.match(s):
                continue  # a pick from a list, a record of who said what, hearsay, an answer to one lint finding
            if _OWN_PLAN.match(s) and not re.search(r"[,，;；]", s):
                # the user's own next step asks nothing (a clause after it may: "i'll ask weekly, knee status
                # included"), but may say the task comes back: "i'll ask you for one of these every sunday"
                if t.n > ev.turns[0].n and reuses(s):
                    items.append(Item("recurrence", s, t.n, 0.5, kinds_of(s, ev.language)))
                continue
            d = ds.get(s)
            if d is not None and d.kind is DirectiveKind.WORKFLOW:
                items.append(Item("procedure", s, t.n, 1.0 if len(d.steps) >= 3 else 0.6, steps=d.steps, directive=d))
                continue
            laid_out = s == task and t.n == ev.turns[0].n and _lays_out_rules(s, ev.language)
            if s == task and t.n == ev.turns[0].n and (d is None or d.weight < 1.0) and not _RECUR.search(s) \
                    and has_task_verb(s, ev.language) and not laid_out:
                if _REUSE.search(s):  # "more of these" needs a first one: only later turns generalise
                    items.append(Item("recurrence", s, t.n, 0.5))
                continue  # the request that sets the task names the skill; its specifics are not rules
            req = requirement(s, ev.language)
            if req is not None and t.n == ev.turns[0].n and set(req.kinds) <= {"time"} \
                    and not instructs(s, ev.language) and not policy(s):
                req = None  # "meetings are 10-5 on wed and thu morning", said with the request: this trip's times
            if req is not None and set(req.kinds) <= {"rule"} and t.n > ev.turns[0].n and _NEW_REQUEST.match(s) \
                    and has_task_verb(s, ev.language):
                req = None  # "can you also draft a reply to Marta": another piece of work, no constraint on this one
            nxt = _NEXT_TASK.match(s) if t.n > ev.turns[0].n and rules_first else None
            # "great." then the request; ("good. add APA citations at the end" is one more requirement of this
            # task: only "now ..." adds one)
            if nxt is not None and (nxt.end() > 0 or (n_s > 0 and _NEXT_TASK.fullmatch(t.prose[n_s - 1])))  \
                    and has_task_verb(s[nxt.end():], ev.language) and not reuses(s) and (req is None or set(
                        req.kinds) <= ({"rule", "include", "order"} if nxt.group("word") else {"rule"})):
                # "ok now add error logging in webhooks.py", after the rules: the task they apply to, not a rule
                continue
            general = req is not None and req.general
            # "leave the flag off until product says go": how this change ends, not a standing rule
            scoped = req is not None and req.task_scoped
            if d is not None and d.weight >= 0.5 and not is_complaint(s) and not scoped and (
                    d.weight >= 1.0 or general or not req):
                if req is not None and general and "house" in req.kinds:  # "we use plain pytest functions here"
                    d = replace(d, weight=1.0)                           # is how things are done, by definition
                items.append(Item("directive", s, t.n, d.weight, req.kinds if req else (), directive=d,
                                  rule=req.rule if req and d.weight < 1.0 else s))
            elif general and req is not None and d is None and occasion(s, ev.language) is not None:
                # "when I ask you research questions I need the sources": the user names when it holds
                items.append(Item("directive", s, t.n, 1.0, req.kinds, directive=Directive(
                    s, DirectiveKind.ALWAYS, 1.0, lang=ev.language), rule=req.rule))
            elif general and req is not None:
                kind: ItemKind = "correction" if t.correction else "requirement"
                kinds = (*req.kinds, "laid-out") if laid_out else req.kinds
                items.append(Item(kind, s, t.n, _weight(req, t), kinds, rule=req.rule))
            if (general or d is not None) and _RECUR.search(s) and not _UNLIKE_BEFORE.search(s) and not (
                    _said_earlier_here(s, ev.turns[: t.n - ev.turns[0].n])):
                # "again", "as last time": asked for before ("not csv like last time" says the opposite)
                items.append(Item("recurrence", s, t.n, 1.0, req.kinds if req else ()))
            elif (reuses(s) if t.n > ev.turns[0].n else _REUSE.search(s)) and not is_complaint(s) \
                    and not (req and req.task_scoped) and not _SCOPED_INTRO.search(s):
                # "every friday", "for the next screens": this kind of task comes back
                items.append(Item("recurrence", s, t.n, 0.5, req.kinds if req else ()))
        steps = () if any(i.kind == "procedure" and i.turn == t.n for i in items) else _listed_steps(t)
        if steps:
            items.append(Item("procedure", " / ".join(steps), t.n, 1.0 if len(steps) >= 3 else 0.5, steps=steps))
    return items


#: the user judging the agent's output by a quality it lacks: "way too formal", "trop long", "太啰嗦了"
_TOO = re.compile(
    r"\b(way |far |much |a bit |bit |a little )?too (long|short|formal|informal|wordy|verbose|dense|stiff|casual|much|"
    r"many|generic|salesy|technical|vague|complicated|complex|busy|cluttered|flowery|corporate|detailed|fancy|polite)\b|"
    r"\b(beaucoup |bien )?trop (long|court|formel|verbeux|dense|détaillé|technique|familier|compliqué|de \w+)\b|"
    r"\bdemasiado (largo|formal|corto|técnico|denso|\w+)\b|\bzu (lang|kurz|förmlich|formell|steif|ausführlich|"
    r"technisch|viel)\b|太(啰嗦|啰唆|长|短|正式|口语|复杂|多|官方|书面)|太.{1,3}了|"
    r"\bmuito (longo|comprido|formal|informal|curto|técnico|prolixo|genérico|denso|complicado)\b|"
    r"\b(longo|comprido|formal|técnico|prolixo) demais\b|(長すぎ|堅すぎ|硬すぎ|多すぎ|短すぎ|丁寧すぎ|くどい|"
    r"\S{1,3}すぎ(る|ます|です)?)", re.IGNORECASE)
#: a short approval of the agent's revised output
_CONFIRM = re.compile(
    r"^\W*(yes|yep|yeah|ya|exactly|perfect|great|better|much better|nice|good|that'?s (it|right|the one)|this format|"
    r"like this|love it|spot on|👍|👌|对|就这样|这样就行|可以了|好的?，?就这样|parfait|super|exactement|c'est (ça|"
    r"parfait)|así sí|eso|perfecto|genau|perfekt|so ist'?s gut|passt|isso( mesmo| aí)?|perfeito|ótimo|exato|"
    r"assim (está|tá|fica) (bom|ótimo|perfeito)|show|beleza|そう(、|，)?それ|それで(いい|お願い|OK)|完璧|いいね|"
    r"いいです|ばっちり|その通り|これで(いい|OK))",
    re.IGNORECASE,
)


def revises(prose: tuple[str, ...], lang: str) -> bool:
    """Does this turn, said right after the agent's output, ask for it to be redone in a way that says how work
    is done (a quality it lacks, a general constraint, a house rule), rather than edit this one artefact?"""
    for s in prose:
        if is_question(s) or is_complaint(s):
            continue
        if _TOO.search(s):
            return True
        req = requirement(s, lang)
        if req is not None and req.general and set(req.kinds) & (_GENERAL_KINDS | {"house"}):
            return True
    return False


#: a clause that only says the task comes back ("I do one of these every month", "same rules every time"):
#: evidence that the skill is worth keeping, never a constraint of it
_ONLY_RECURS = re.compile(
    r"^\W*(and |but |so )?(i|we)\b[^,;]{0,40}\b(one|a lot|lots|a bunch|loads|plenty|dozens|\d+|a few|several|a couple)"
    r"( more)? of (these|them|those)\b|"
    r"^\W*(and |but |so )?(i|we) (do|write|send|make|run|plan|book|prepare|get|file|draft|organi[sz]e)\b[^,;]{0,30}"
    r"\b(these|this|them|it)\b[^,;]{0,30}\b(every|each|all the time|a lot|often|regularly|weekly|monthly)\b|"
    r"^\W*(and |but |so )?(the )?same (rules?|thing|deal|drill)( applies| goes)?( \w+){0,2} (every|each) "
    r"(time|one|month|week)\b\W*$|\bthey all (need|have|ought) to (be|look|read) like (that|this)\b|"
    r"^\W*我(每|经常|常常|隔三差五|几乎每|差不多每).{0,10}(做|写|发|排|订|弄|安排|准备|整理)|规则(都|也)?(一样|不变)|"
    r"^\W*(je|on) (fais|fait|écris|écrit|envoie|prépare|rédige|organise)\b.{0,30}\b(chaque|tous les|toutes les|souvent|"
    r"régulièrement)\b|\bmêmes règles\b|"
    r"^\W*(hago|escribo|preparo|mando|organizo)\b.{0,30}\b(cada|todos los|todas las|a menudo)\b|"
    r"^\W*(ich|wir) (mache|machen|schreibe|schreiben|plane|planen|organisiere)\b.{0,30}\b(jede[nrs]?|regelmäßig|"
    r"oft|ständig)\b|"
    r"^\W*(eu )?(faço|escrevo|preparo|mando|organizo|monto)\b.{0,30}\b(toda|todo|todas|todos|sempre|com frequência)\b|"
    r"^\W*(毎週|毎月|毎回|いつも).{0,10}(書いて|作って|まとめて)(います|いる|る)",
    re.IGNORECASE,
)


def without_recurrence_talk(sentence: str, lang: str = "en") -> str:
    """The sentence with its clauses that only say the task comes back taken out ("" if nothing else is left
    that asks for anything): "i send one of these every week, always in english" -> "always in english"."""
    parts = [p.strip() for p in re.split(r"[,;，；]|\s+(?:and|et|y|und)\s+(?=(?:they|ils|sie|ellos)\b)", sentence)
             if p.strip()]
    if not any(_ONLY_RECURS.search(p) for p in parts):
        return sentence
    kept = [p for p in parts if not _ONLY_RECURS.search(p) and (instructs(p, lang) or kinds_of(p, lang))]
    return ", ".join(kept)


def reuses(sentence: str) -> bool:
    """Does the user say this kind of task comes back, or that what they asked holds for other instances?"""
    return bool(_REUSE.search(sentence) or _GENERALISES.search(sentence))


def _lays_out_rules(sentence: str, lang: str) -> bool:
    """Rules stated before any task, as a scope and a list: "context for when you put stuff on my calendar:
    nothing before 9:30, keep 12-13 free, and a 10 min buffer" is how such work is done, not a request."""
    head, _, rest = re.sub("：", ":", sentence).partition(":")
    if not rest.strip() or len(head) > 90 or _SCOPED_INTRO.search(head) or _TASK_SCOPED_HEAD.search(sentence):
        return False
    if has_task_verb(head, lang) and not _SCOPE_HEAD.search(head):
        return False  # "write a backup script: nightly, keep 14": the request and this instance's spec
    words = head.split()
    if len(words) <= 2 and head.isascii() and not words[-1].lower().endswith("s") and not _SCOPE_HEAD.search(head):
        return False  # "query: users who signed up in may ...": one thing's label, then its spec
    parts = [x for x in re.split(r"[,;，；、]\s*(?:and\s+|et\s+|y\s+|und\s+)?|\s+(?:and|et|y|und)\s+", rest)
             if len(x.split()) >= 1 and x.strip()]
    if len(parts) < 2:
        return False
    general = {k for x in parts for k in kinds_of(x, lang)} & _GENERAL_KINDS
    return len(general) >= 2 or (len(parts) >= 3 and bool(general))


#: a head that scopes rules to a kind of work: "context for when you book", "pour mes mails pro", "bei uns gilt"
_SCOPE_HEAD = re.compile(r"\b(for (when|whenever|any|all|every|my|our)|when(ever)? you|pour (mes|nos|les|tous)|"
                         r"quand tu|para (mis|nuestros|todos)|cuando|für (alle|meine|unsere)|wenn du|bei uns|"
                         r"para (os meus|as minhas|todos os|todas as)|quando (você|vc)|sempre que|na nossa equipe)\b|"
                         r"(每次|以后|凡是|ときは|時は|際は|うちでは|今後)", re.IGNORECASE)
_TASK_SCOPED_HEAD = re.compile(r"\b(today|tonight|tomorrow|this (trip|time|one|week|weekend)|aujourd'hui|demain|"
                               r"hoy|mañana|heute|morgen|hoje|amanhã|desta vez|dessa vez)\b|"
                               r"(今天|明天|这次|今回|今日(は|だけ)|明日(は|まで))", re.IGNORECASE)


def _pasted(turn: Turn) -> bool:
    """A turn the user did not write as talk: a text quoted to be summarised, translated or turned into a
    checklist, or a brief or report laid out in markdown (orchestrator agents store their sub-task briefs
    and reports as user messages)."""
    if len(turn.prose) < 2:
        return False
    lines = turn.text.splitlines()
    if _PROC_INTRO.search(lines[0][-200:]) and not _ABOUT_TEXT.search(lines[0]):
        return False  # "when this happens here's the drill: 1. ... 2. ...": the user's own steps, laid out
    laid_out = sum(1 for x in lines if _LAID_OUT.match(x))
    if laid_out >= 3 or turn.text.count("**") >= 8:
        return True
    if len(lines) >= 4 and any(_CAPS_TITLE.match(x) and sum(c.isalpha() for c in x) >= 6 for x in lines[1:]):
        return True
    head = turn.text.strip().splitlines()[0]
    if _ABOUT_TEXT.search(head) and (len(turn.text.strip().splitlines()) > 1 or head.rstrip().endswith((":", "："))):
        return True
    if len(turn.text) < 400 or len(turn.prose) < 5:
        return False
    head = turn.text[:200]
    return bool(_ABOUT_TEXT.search(turn.prose[-1]) or _ABOUT_TEXT.search(head) or _PASTE_INTRO.search(head)) \
        and not _listed_steps_in(turn.text)


_LAID_OUT = re.compile(r"^\s*(#{1,6} \S|[-*] \*\*|[✅❌⚠🎯🔍🛠💻📋🚀🔧🔄📝]|\|.*\|\s*$|-{3,}\s*$)")
#: "NORMAS DE LA CASA", "SECURITY POLICY v3": a document's title, so what follows is that document
_CAPS_TITLE = re.compile(r"^\s*[A-ZÀ-Ý][A-ZÀ-Ý0-9 '&/.-]{5,60}\s*:?\s*$")
_ABOUT_TEXT = re.compile(
    r"\b(summari[sz]e|summary of|tl;?dr|translate|translation|turn (this|it|these|the|my|our)( [\w-]+){0,3} into|"
    r"make (a|me a) checklist|checklist (from|of)|explain (this|it)|simplify|what does (this|it) (mean|say)|"
    r"go through (this|it)|proofread|rewrite this|list (the )?(problems|issues|mistakes)|anything (contradictory|"
    r"unclear|missing|wrong|off)|(review|critique|check|look over|go over|comment on) (this|the|my|our|her|his|their)"
    r"( [\w-]+){0,3} (draft|doc|document|guide|policy|text|spec|proposal|post|essay|email|letter|cv|resume|page))\b|"
    r"make (it|this|these|that) into|(sent|forwarded|left) (me |us )?(this|these|the following)|condense|"
    # a ticket to work: its acceptance criteria are that change's, however they are worded
    r"(implement|do|handle|work on|pick up|address|tackle) (this|the following|the below|this jira|this linear) "
    r"(ticket|issue|story|task|spec|bug)|"
    r"(实现|处理|做|搞)一?下?(这个|下面的?|以下的?)(需求|工单|ticket|issue|任务单)|"
    r"\b(implémente|traite) (ce|le) ticket|implementa (este|el) (ticket|issue)|"
    r"(总结|翻译|翻成|译成|译为|整理成|概括|解释一下|下面这段|改成一条|转成|(改|润色|修改|优化|看)一下(这|下面)(段|篇|封|份))|"
    r"\b(résume|traduis|traduire|résumer|fais-en|resume|resumir|resúmelo|hazme un resumen|nos dejó esto|"
    r"me (mandó|envió) esto|convierte esto|zusammenfass\w*|fass\w* zusammen|resum[ae] (isso|isto|esse|este|esta|essa|"
    r"o texto|o e-?mail|a seguir)|traduz[a]? (isso|isto|esse|este|o texto|pra|para)|me mandaram isso)\b|"
    r"((以下|下記|この)の?(文章|メール|内容|テキスト|記事)を?(要約|翻訳|訳|まとめ)|要約して|翻訳して|訳して)",
    re.IGNORECASE)
#: ... and, in a long turn, the words that introduce a pasted text
_PASTE_INTRO = re.compile(r"\b(pasted|here'?s the|below is|as follows)\b|(下面是|以下是)|\b(voici le|ci-dessous)\b",
                          re.IGNORECASE)


def _weight(req: Requirement, turn: Turn) -> float:
    """A requirement's strength: more kinds say more; inside a correction it was reinforced."""
    base = 0.3 + 0.1 * min(3, len([k for k in req.kinds if k != "rule"]))
    if turn.correction:
        base += 0.2
    return round(min(0.9, base), 2)


def _listed_steps_in(text: str) -> tuple[str, ...]:
    """Steps written as a list, one a line or inline ("1) look back 2) go through 3) pick"), when most tell what
    to do (a list of facts, a CV or an inbox, is not a procedure)."""
    lines: list[str] = []
    for line in text.splitlines():
        if len(_INLINE_STEP.findall(line)) >= 3:
            intro, *inline = _INLINE_STEP.split(line)
            lines += ([intro] if intro.strip() else []) + [f"- {x}" for x in inline if x.strip()]  # the intro scopes
        else:
            lines.append(line)
    first = next((n for n, x in enumerate(lines) if _STEP_LINE.match(x)), len(lines))
    if _SCOPED_INTRO.search(" ".join(lines[:first + 1])[:400]):
        return ()  # "couple of things for this one: - ... - ...": this task's list, not a procedure
    steps = [m.group(2).strip() for m in map(_STEP_LINE.match, lines) if m]
    if not steps:
        # "here's how we handle flaky tests, follow it:" then one plain line a step: announced, so a list too
        at = next((n for n, x in enumerate(lines) if x.rstrip().endswith((":", "："))
                   and _PROC_INTRO.search(x[-200:])), None)
        plain = [x.strip() for x in lines[at + 1:] if x.strip()] if at is not None else []
        if at is not None and len(plain) >= 3 and not any(noise_kind(x) for x in plain):
            steps, first = plain, at + 1  # (a pasted log after "here's the output:" is no list of steps)
    # "`utils/cache.py:41` "must return None ..."": a comment on a line of this change, quoted, is no step of ours
    steps = [s for s in steps if s and not noise_kind(s) and not is_question(s) and len(s) <= 240
             and not (FILE_REF.search(s) and _QUOTED.search(s))]
    pt = language(text) == "pt"  # Portuguese imperatives ("rode", "tire") are English words too: only in pt
    told = sum(s.startswith("`") or instructs(s, "en") or instructs(s, "zh") or instructs(s, "fr")
               or (bool(KANA.search(s)) and instructs(s, "ja")) or (pt and instructs(s, "pt")) for s in steps)
    # "my process, in this order:", "voilà la marche à suivre :": the user announces the list as how it is done
    announced = bool(_PROC_INTRO.search(" ".join(lines[:first])[-300:]))
    return tuple(steps[:12]) if len(steps) >= 3 and (told * 3 >= len(steps) * 2 or announced) else ()


#: words that announce a list as the way something is done, not as this task's items
_PROC_INTRO = re.compile(
    r"\b(process|procedure|workflow|routine|steps|drill|runbook|playbook|checklist|in (this|that) order|"
    r"how (we|i) (do|handle|go|work|bump|ship|roll|"
    r"release|deploy|plan|write|review|run|prepare)|this is how|here'?s how|the way (we|i))\b|"
    r"\b(marche à suivre|étapes|procédure|dans cet ordre|voilà comment|voici comment)\b|"
    r"\b(pasos|proceso|en este orden|así es como)\b|\b(schritte|ablauf|reihenfolge|so (plane|mache|gehe) ich)\b|"
    r"(流程|步骤|顺序|按这个)|\b(do it|do them|handle (it|them)) like this\b|"
    r"\b(passos|processo|procedimento|nessa ordem|nesta ordem|é assim que|assim que (eu|a gente) (faço|faz))\b|"
    r"(手順|流れ|この順(番)?で|やり方は)", re.IGNORECASE)


def _listed_steps(turn: Turn) -> tuple[str, ...]:
    """A procedure the user wrote as a list ("1. run the tests 2. bump the version ...") or a sequence."""
    steps = _listed_steps_in(turn.text)
    if steps:
        return steps
    for s in turn.prose:
        thens = [p.strip(" ,.;") for p in _THEN.split(s) if p.strip(" ,.;")]
        if len(thens) >= 3 and not is_question(s) and sum(instructs(x, "en") or instructs(x, "zh") for x in thens) \
                * 3 >= len(thens) * 2:  # "edit the markdown, then build --strict, then lychee"
            return tuple(thens[:12])
        if _SEQUENCE.search(s) and not is_question(s):
            parts = [p.strip(" ,.;") for p in re.split(
                r"\b" + _ADVERB + r"(?:first|then|next|after that|afterwards|finally|lastly|and then)\b|"
                r"先|再|然后|最后|"
                r"\b(?:d'abord|ensuite|puis|enfin)\b", s, flags=re.I) if p.strip(" ,.;")]
            if len(parts) >= 3:
                return tuple(parts[:12])
    return ()


def _context_of(e: Event) -> str:
    if e.kind is Kind.TOOL_CALL and e.tool is not None:
        return f"[ran {e.tool.name}] {e.tool.input}"
    return e.text


@dataclass(frozen=True, slots=True)
class GateDecision:
    """Whether a session is worth extracting from, and why (shown in job results)."""

    passed: bool
    score: float
    reason: str
    verdict: Verdict = "reject"
    kinds: dict[str, int] = field(default_factory=dict)   # evidence kind -> how many items

    def to_dict(self) -> dict[str, object]:
        return {"passed": self.passed, "score": self.score, "reason": self.reason, "verdict": self.verdict,
                "evidence": dict(self.kinds)}


#: kinds that say how such work is done (budgets, exclusions, shape, fallbacks, tone), not just "do X too"
_GENERAL_KINDS = {"limit", "exclude", "format", "fallback", "tone", "length", "time", "audience", "language"}
#: the gate's bar for learning offline
GATE_THRESHOLD = 1.0
#: below this a session is surely a one-off: no LLM call
BORDERLINE = 0.3
#: the most that requirements which were not built up over a task add
NOT_ALONE = 0.6
#: requirement-building needs this many of the user's turns
REQUIREMENT_TURNS = 3


def directive_score(found: list[tuple[Directive, Turn]]) -> tuple[float, int]:
    """(score, distinct directives): how strongly these directives read as standing policy.

    Each distinct sentence counts once at its strongest; said inside a correction it
    weighs 0.3 more, said twice 0.5 more; a long brief counts once, however many
    imperatives it lists.
    """
    best: dict[str, float] = {}
    said: dict[str, int] = {}
    for d, turn in found:
        key = f"brief {turn.n}" if len(turn.text) >= LONG_TURN else " ".join(d.text.lower().split())
        w = d.weight + (0.4 if turn.correction else 0.0)
        best[key] = max(best.get(key, 0.0), w)
        said[key] = said.get(key, 0) + 1
    return round(sum(w + (0.5 if said[k] > 1 else 0.0) for k, w in best.items()), 6), len(best)


def score(items: list[Item], turns: list[Turn]) -> tuple[float, list[str]]:
    """The evidence's total weight and a phrase per kind that contributed (for the verdict)."""
    parts: list[str] = []
    total = 0.0
    directives = [i for i in items if i.kind == "directive"]
    if directives:
        long_turns = {t.n for t in turns if len(t.text) >= LONG_TURN}
        found = [(i.directive, Turn(i.turn, "x" * LONG_TURN if i.turn in long_turns else i.text,
                                    next((t.correction for t in turns if t.n == i.turn and t.correction != "revision"),
                                         None)))  # a revision asked for says how; it is no rebuke of the agent
                 for i in directives if i.directive is not None]
        d_score, distinct = directive_score(found)
        total += d_score
        said = sorted({i.directive.kind.value for i in directives if i.directive is not None})
        in_corrections = sum(1 for i in directives if any(t.n == i.turn and t.correction for t in turns))
        parts.append(f"{distinct} directive(s) ({', '.join(said)})"
                     + (f", {in_corrections} in corrections" if in_corrections else ""))
    reqs = [i for i in items if i.kind in ("requirement", "correction")]
    req_turns = sorted({i.turn for i in reqs})
    if reqs:
        kinds = sorted({k for i in reqs for k in i.kinds})
        general = sum(1 for i in reqs if set(i.kinds) & _GENERAL_KINDS)
        reuse = any(i.kind == "recurrence" for i in items)
        corr_turns = {i.turn for i in reqs if i.kind == "correction"}
        # one correction that says how, in several respects ("too long: 5 bullets max, no tables") is a rule too
        by_turn: dict[int, set[str]] = {}
        for i in reqs:
            by_turn.setdefault(i.turn, set()).update(set(i.kinds) & _GENERAL_KINDS)
        # ... so is a correction the user then approves ("yes, this format"), or rules laid out before the task
        confirmed = {t.n - 1 for t in turns if t.confirms}
        asked = {t.n for t in turns if t.correction and t.correction != "revision"}  # rejected, not just redone
        rich = any(len(by_turn[n]) >= 2 for n in corr_turns & asked) or (
            len(req_turns) >= 2 and len(set().union(*by_turn.values())) >= 3) or any(
            k in i.kinds for i in reqs for k in ("house", "laid-out")) or any(
            len(by_turn[n] - {"time"}) >= (1 if reuse else 2) for n in corr_turns & confirmed)  # "nothing on the 8th"
        # is this trip's dates; one approved kind needs the user saying such tasks come back
        spread = (len(req_turns) >= REQUIREMENT_TURNS and len(kinds) >= 2 and (general >= 2 or reuse)) or \
            (len(corr_turns) >= 2 and general >= 1) or rich
        # built up over the task: enough alone; otherwise a maybe, however many small asks
        w = max(1.0, sum(i.weight for i in _best_per_turn(reqs)) * 0.5) if spread else \
            min(NOT_ALONE, max(BORDERLINE if general else 0.0, sum(i.weight for i in _best_per_turn(reqs)) * 0.55))
        total += w
        corr = sum(1 for i in reqs if i.kind == "correction")
        parts.append(f"requirements in {len(req_turns)} turn(s) ({', '.join(kinds)})"
                     + (f", {corr} in corrections" if corr else ""))
    procs = [i for i in items if i.kind == "procedure"]
    if procs:
        total += max(i.weight for i in procs)
        parts.append(f"a procedure of {max(len(i.steps) for i in procs)} steps")
    recur = [i for i in items if i.kind == "recurrence"]
    if recur:
        total += max(i.weight for i in recur)
        parts.append("the user says it was asked before" if max(i.weight for i in recur) >= 1.0
                     else "the user says this kind of task comes back")
    corrections = sum(1 for t in turns if t.correction)
    if corrections >= 2 and not reqs:
        total += 0.15 * corrections
        parts.append(f"{corrections} corrections")
    return round(total, 2), parts


def debugging(first: Turn) -> bool:
    """Does the session open with a problem to chase (a bug report, pasted errors) rather than a task?"""
    head = first.prose[0] if first.prose else first.text[:300]
    if has_task_verb(head, "zh" if re.search(r"[\u3400-\u9fff]", head) else "en"):
        return False
    return (first.set_aside >= 3 and bool(_ERROR_OUTPUT.search(first.text))) or \
        any(is_complaint(x) for x in first.prose[:3]) or bool(_BUG_REPORT.search(head))


_BUG_REPORT = re.compile(
    r"\b((disconnects|drops|dies|restarts|crashes|hangs|freezes|resets) (every|after|randomly|at random|when|on)|"
    r"(doesn'?t|won'?t|does not) (stick|start|load|save|connect|persist)|startet\b.{0,30}\bnicht|nicht mehr|"
    r"ya no (funciona|arranca|carga)|no arranca|ne (démarre|marche|charge) plus|keeps? (dying|crashing|failing|"
    r"timing out|restarting|hanging|breaking)|(fail|fails|failing|crash|crashes|"
    r"flak(e|es|y)) (randomly|intermittently|sometimes|on ci|in ci|locally)|went from .{1,20} to|since (this morning|"
    r"yesterday|the (upgrade|update|deploy|release)|\d)|(is|are|got|became) (slow|slower|down|stuck|flaky)|"
    r"(error|exception|traceback|segfault|oom|timeout)s?\b)|(报错|失败|崩了|挂了|卡住|很慢|超时)|"
    r"\b(plante|erreur|échoue|falla|se cae|fehler|stürzt|hängt|(não|nao) (funciona|roda|abre|carrega|conecta|inicia|"
    r"salva|compila)|parou de funcionar|deu erro|dá erro|trava|travando|quebrou|está lento|tá lento|erro)\b|"
    r"(動かない|動きません|エラー|落ちる|落ちます|失敗する|失敗します|遅い|固まる|クラッシュ|止まる|表示されない)",
    re.I)


#: tasks a person does once or once in years: the requirements they build up die with the task
_ONCE = re.compile(
    r"\b(retir(es|ing|ement)|farewell|leaving do|eulogy|funeral|wedding|best man|maid of honou?r|(we'?re|i'?m) "
    r"moving (house|flat|to)|relocat(e|ing|ion) to|one-(time|off) (migration|import|cleanup|backfill|job|script)|"
    r"just this once|only (this )?once|(pick|choose|decide on) one\b[^.?!]{0,30}\b(of|from) (these|them|the)|"
    r"honeymoon|voyage de noces|luna de miel|flitterwochen|once in a lifetime|une fois dans (une|sa|ma) vie|"
    r"una vez en la vida|einmal im leben|"
    r"(choose|choosing|pick|picking|buy|buying|find) (me )?(a|an|my|our|the) (new )?"
    r"(laptop|car|flat|apartment|house|sofa|couch|phone|fridge|washing machine|dishwasher|tv|bike|pram|stroller|"
    r"mattress|camera|venue)|which (laptop|car|flat|apartment|phone|tv|bike|camera) (should|to))\b|"
    r"(退休|欢送|婚礼|蜜月|葬礼|悼词|搬家|户口|落户|一次性(迁移|导入|脚本)|从这几(家|个|套|款|间)|(挑|选)(一家|一个|一套|哪家|哪个)|"
    r"(买|选)(一台|一辆|一套|个|台|辆|套)?(新的?)?"
    r"(电脑|笔记本|车|房子?|沙发|手机|冰箱|洗衣机|电视))|"
    r"\b(départ à la retraite|pot de départ|mariage|enterrement|déménag\w+|migration ponctuelle|une seule fois|"
    r"jubilación|boda|despedida|umzug|hochzeit|abschied\w*|casamento|aposentadoria|lua de mel|mudança de casa|"
    r"migração pontual)\b|(結婚式|送別会|退職|引っ越し|新婚旅行|披露宴|一回限り|一度きり)|"
    r"\b(turns? \d{1,3} (on|this|next)|\d{1,3}(st|nd|rd|th) birthday|birthday (party|dinner)|baby shower|"
    r"christening|bar mitzvah|bat mitzvah)\b|(满月酒|百日宴|生日宴|寿宴|婚宴|订婚宴|升学宴)", re.I)
#: the user saying this job is done once (anywhere in the first turn): what they ask for here is not a habit,
#: even spelled out as steps ("einmalig bereinigen: 1) ... 2) ...", "c'est ponctuel", "this is throwaway")
_SAID_ONCE = re.compile(
    r"\b(one-?(time|off|shot) (thing|job|task|cleanup|clean-up|migration|import|export|script|fix|build|run|report)|"
    r"this is (a )?(throwaway|throw-away|one-?off)|throwaway (build|branch|code|script|demo)|for the demo build|"
    r"(it'?s|this is|this'?s|that'?s) (a |just a |only a |strictly a )?one-?(time|off|shot)\b"
    r"(?!-? ?(per|a|every|each))|"
    r"(we|i)('ll| will)? revert (it |this |that )?right after|delete (the|this) branch after)\b|"
    r"\b(einmalig|ponctuel(le)?|por única vez|solo esta vez|só (desta|dessa|esta|essa) vez|uma única vez|"
    r"pontual)\b|(只用一次|就用这一次|临时用一下|今回だけ|今回限り|一回だけ|一度だけ|使い捨て)", re.I)
_ERROR_OUTPUT = re.compile(r"Traceback|\w+(Error|Exception)\b|\bFAILED\b|panic:|fatal:|报错")


def _durable(items: list[Item]) -> bool:
    """Evidence that holds beyond this session whatever it was about: an unmistakable directive, a rule of the
    codebase, a spelled-out procedure, a requirement the user says comes back."""
    return any((i.kind == "directive" and i.weight >= 1.0) or "house" in i.kinds or i.kind == "recurrence"
               or (i.kind == "procedure" and i.weight >= 1.0) for i in items)


def _comes_back(items: list[Item]) -> bool:
    """The user saying it holds beyond this job: a rule of the codebase, or this kind of task coming back."""
    return any("house" in i.kinds or i.kind == "recurrence" for i in items)


def _one_soft_rule(items: list[Item]) -> bool:
    """A single directive short of unmistakable, in one turn, and no other evidence at all."""
    return len(items) == 1 and items[0].kind == "directive" and items[0].weight < 1.0


def _best_per_turn(items: list[Item]) -> list[Item]:
    best: dict[int, Item] = {}
    for i in items:
        if i.turn not in best or i.weight > best[i.turn].weight:
            best[i.turn] = i
    return list(best.values())


def gate(evidence: Evidence) -> GateDecision:
    """Cheap and offline: is there durable evidence in this session, and how sure is it?

    `pass`: learn now. `borderline`: something that may be durable (an LLM decides; offline
    it is kept aside until it recurs). `reject`: a one-off (a question, a single request,
    small talk, a bug report): no skill and no LLM call.
    """
    if not evidence.turns:
        return GateDecision(False, 0.0, "no user turns")
    items = [*evidence.earlier, *evidence.items]
    total, parts = score(items, evidence.turns)
    kinds: dict[str, int] = {}
    for i in items:
        kinds[i.kind] = kinds.get(i.kind, 0) + 1
    if evidence.earlier:
        parts.append(f"{len(evidence.earlier)} requirement(s) from earlier sessions stated again")
        total = max(total, GATE_THRESHOLD)
    elif total >= GATE_THRESHOLD and debugging(evidence.turns[0]) and not _durable(items):
        # what a user asks while chasing a bug ("try X", "revert that", "only that column") fixes this bug;
        # a way of working needs more than that to be learned offline (an LLM still sees it)
        parts.append("a debugging session")
        total = round(GATE_THRESHOLD - 0.01, 2)
    elif total >= GATE_THRESHOLD and ((_ONCE.search(evidence.task) and not _durable(items))
                                      or (_SAID_ONCE.search(evidence.turns[0].text) and not _comes_back(items))):
        # a farewell speech, a move, a one-time migration: its requirements will not be asked for again
        parts.append("a task that happens once")
        total = round(GATE_THRESHOLD - 0.01, 2)
    elif total >= GATE_THRESHOLD and _one_soft_rule(items):
        # one "don't use X" said once, with nothing else behind it: kept aside until it comes back
        parts.append("one rule said once")
        total = round(GATE_THRESHOLD - 0.01, 2)
    what = "; ".join(parts)
    if total >= GATE_THRESHOLD:
        return GateDecision(True, total, what, "pass", kinds)
    if total >= BORDERLINE:
        return GateDecision(False, total, f"maybe durable: {what}", "borderline", kinds)
    if items:
        return GateDecision(False, total, f"only weak or one-off evidence: {what}", "reject", kinds)
    return GateDecision(False, total, "no durable instruction, requirement or correction: a one-off session",
                        "reject", kinds)
