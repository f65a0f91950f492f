"""What in a user's turn is not the user stating how work should be done.

People paste tool output, stack traces, lint lines, logs and code into the same
message that holds their requirements, and they ask questions, complain and
report bugs. None of that is a constraint a skill should carry ("F841 local
variable assigned but never used" is flake8 speaking; "it still shows 22 tasks"
is a bug report). Extraction reads only the prose that is left, and never keeps
a question or a complaint as a rule.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

#: a line that is program output or code, not prose: (reason, pattern)
_LINE_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lint", re.compile(r"^\s*\S+\.\w{1,6}:\d+(:\d+)?:?\s+\S|^\s*\d+:\d+\s+(error|warning)\b|"
                        r"\b[A-Z]{1,4}\d{3,4}\b.*\b(line|col|unused|never|expected|missing|undefined)\b", _I)),
    ("stack trace", re.compile(r"^\s*(Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|at [\w$.<>]+\(|"
                               r"[\w.]*(Error|Exception)(:|$)|Caused by:|panic:|goroutine \d+|\^{3,})")),
    ("log", re.compile(r"^\s*(\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\[?\d\d:\d\d:\d\d[\].,]|"
                       r"\[?(DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|TRACE)\]?[:\s])")),
    ("shell", re.compile(r"^\s*(\$|>>>|\.\.\.|❯|➜|PS [A-Z]:\\|[\w.-]+@[\w.-]+:[~/])\s?")),
    ("test output", re.compile(r"^\s*(=+ .* =+|-+ .* -+|(?-i:PASSED|FAILED|ERROR)\b|ok \d+|not ok \d+|\d+ (passed|"
                               r"failed)\b|[.FEsx]{6,}\s*(\[\s*\d+%\])?$|✓|✗|✔|✘|×)", _I)),
    ("diff", re.compile(r"^(\+\+\+|---|@@ |[+-](?![+-])\S)")),
    ("code", re.compile(r"^\s*(def |class |import |from \S+ import|return\b|const |let |var |function\s*\w*\s*\(|"
                        r"\"\"\"|'''|assert |@\w+\b|if __name__|print\(|console\.log|"
                        r"public |private |#include|SELECT\b.*\bFROM\b|INSERT INTO|CREATE TABLE|\}|\{$|</?\w+[^>]*>$|"
                        r"[\w.]+\s*=\s*[\w\"'\[{(]|[\w.]+\(.*\);?$)")),
    ("table", re.compile(r"^\s*\|.*\|\s*$")),
)
#: a reference to a place in a file: `src/app.py:88`, `app.ts(12,5)`
FILE_REF = re.compile(r"\b[\w./\\-]+\.\w{1,6}(:\d+(:\d+)?|\(\d+,\d+\))")
_PATHISH = re.compile(r"(^|\s)(/|~/|\./|[A-Z]:\\)[\w./\\-]+")

# Questions: asking, not instructing. A polite request ("can you keep it short?") is not one.
_POLITE = re.compile(r"^\s*(ok(ay)?,?\s+|so,?\s+|and\s+|also,?\s+)*(can|could|would|will) (you|u)\s+(please\s+)?"
                     r"(?!(tell|explain|think|help me understand|remind)\b)\w+|"
                     # "você pode fazer em tópicos?", "consegue deixar mais curto?": a request, politely
                     r"^\s*((e|ok|então|beleza),?\s+)?(você |vc )?(pode|poderia|podes|consegue) (me |"
                     r"por favor )?"
                     r"(?!(explicar|dizer|me dizer|contar)\b)\w+|"
                     # "箇条書きにしてもらえますか？": asking for something to be done, not for information
                     r"^.*(て|で)(もらえ|いただけ|くれ)(ます|ません)か[？?。]?\s*$", _I)
_ASKING = re.compile(
    r"^\s*((and|but|so|also|or|ok(ay)?|hmm+),?\s+)?(what|why|how|which|who|whom|whose|where|when|is|are|was|were|"
    r"does|do|did|has|have|should (i|we)|shall (i|we)|can (i|we)|could (i|we)|may i|is there|are there|any idea|"
    r"anyone)\b|"
    r"(吗|呢|么|吧)\s*[？?]?\s*$|^(为什么|怎么|如何|是否|有没有|能不能|是不是|哪)|"
    r"^(est-ce que|pourquoi|comment|quel(le)?s?|qu'est-ce|combien|où)\b|"
    r"^((e|mas|então),?\s+)?(o que|por que|porque|como|qual|quais|quem|onde|quando|quanto|será que|é possível|"
    r"tem como|dá pra|existe)\b|"
    r"(ですか|ますか|でしょうか|ませんか|んですか|のか|かな|っけ)[。．]?\s*$|^(なぜ|なんで|どうして|どうやって|"
    r"どうすれば)",
    _I)
_QMARK = re.compile(r"[?？]\s*$|^\s*¿|^\W*(hypothetically|what if|suppose|imagine if|假如|假设|et si|supposons|"
                    r"hipotéticamente|angenommen|e se|supondo que|hipoteticamente|仮に|もしも)\b|"
                    r"(ですか|ますか|でしょうか|んですか)[。．]?\s*$", re.I)
#: "how I write to clients: ...", "what we need from a paper: ...": a wh-word opening a statement of practice
#: "when you change something, run ...": a condition, then what to do
#: "when you set up meetings for me, default to 25 minutes": with no question mark, an occasion and what to do
_CONDITIONAL = re.compile(r"^\s*(when|whenever|once|after|before)\s+(you|u)\s+[^,?]{2,80},\s*(please\s+)?"
                          r"(?!(does|do|did|is|are|was|were|can|could|would|will|should|what|why|how|which|who|where)\b)"
                          r"[a-z]", _I)
_DECLARATIVE_WH = re.compile(r"^\s*(how|what|when|where|which|why)\s+(i|we|our \w+|my \w+|this team|the team)\s+"
                             r"(?!(do|does|did|can|could|should|would|will|is|are)\b)\w+", _I)

# Complaints and bug reports: the user saying what is wrong, not how to work.
_COMPLAINT = re.compile(
    # "always something with this repo", "it's always the same with X": a sigh, not a rule
    r"^\W*(it'?s |there'?s )?always (something|the same|one thing|like this|a problem)\b|"
    r"\b(still (fails?|failing|broken|crash(es|ing)?|shows?|showing|doesn'?t|does not|isn'?t|not|wrong|the same|"
    r"getting|get|seeing|see|there|empty|blank|red)|doesn'?t work|does not work|not working|isn'?t working|no longer "
    r"works|stopped working|same (problem|error|issue|thing|result|bug)|it (fails|crashes|breaks|broke|hangs)|"
    r"(is|are|was) (broken|wrong|missing|empty|blank)|nothing (happens|changed|works)|you broke|this broke|"
    r"still (see|get|have)|i('m| am) (still )?(getting|seeing)|throws?|returns? (an? )?(error|500|404|null|none)|"
    r"(doesn'?t|does not|won'?t|didn'?t) (stick|save|persist|load|show|update|fire|trigger|render|stay|connect|start|"
    r"build|compile|open)|(it'?s|it is|goes|went|comes|came) (back )?(to )?\w+ again|keeps? (resetting|dropping|"
    r"disconnecting|crashing|failing|reverting|flashing|timing out))\b|"
    r"(^|\s)(❌|ÉCHEC|FAIL(ED)?\b)|\b(ne (marche|fonctionne)|toujours pas|toujours (des|le|la|les|un|une) |"
    r"c'est pénible|on tourne en rond|ça plante|ça bug|ne s'affiche|"
    r"tu as échoué|pas content|mal compris|n'a pas été fait|n'ont rien à faire|superficielle|tu oublies|"
    r"tu ne sais pas|tu n'as (pas|toujours pas|rien)|je te confirme que|"
    r"je (ne )?vois (toujours|encore)|rien ne (change|marche|s'affiche)|c'est (cassé|faux|vide))|"
    r"\b(immer noch nicht|noch immer nicht|geht (immer )?noch nicht|gleiche(n|s)? (Fehler|Fehlermeldung|Problem)|"
    r"dasselbe Problem|même (problème|souci|erreur)|"
    r"funktioniert (immer )?noch nicht|klappt (immer )?noch nicht|sigue sin|sigue igual|"
    r"sigue (fallando|dando|petando|rompiendo)|mismo (error|problema|fallo)|no funciona|falla otra vez)\b|"
    r"(还是(不|没|有|报错|空白|错|一样)|仍然(不|没|报错)|没反应|不起作用|没有效果|报错了|出错了|又(错|报错|挂)了|挂了|"
    r"崩了|很烦|好烦|烦死|麻烦死|头疼)|"
    # Portuguese: "ainda não funciona", "continua dando erro", "o mesmo erro", "quebrou"
    r"\b(ainda (não|nao) (funciona|roda|abre|carrega|aparece|mudou|deu|foi|passou|compila|está|tá)|continua (dando|com|"
    r"falhando|quebrando|igual|o mesmo|a mesma|travando|a falhar|a dar|sem funcionar)|(não|nao) (funciona|está "
    r"funcionando|tá funcionando|funcionou|roda|rodou|abre|carrega|compila|mudou nada)|(o )?mesmo (erro|problema|bug)|"
    r"a mesma (coisa|mensagem|falha)|(quebrou|travou|deu (erro|pau|ruim))|está (quebrado|errado|vazio|em branco)|"
    r"(dá|da) erro|continua a (falhar|dar))\b|"
    # Japanese: "まだ動かない", "動きません", "同じエラー", "エラーが出る", "落ちる", "直っていない"
    r"(まだ.{0,12}(ない|ません|エラー|失敗|落ち)|動かない|動きません|動作しない|同じエラー|同じ(問題|結果)|"
    r"エラーが(出|で)|"
    r"エラーになり|エラーになる|落ちる|落ちます|落ちた|失敗する|失敗します|失敗した|直って(い)?ない|直りません|"
    r"変わらない|"
    r"変わりません|壊れ(た|て)|表示されない|反映されない|効かない|固まる|フリーズ)",
    _I,
)


_TICKS = re.compile(r"`[^`\n]+`")


def noise_kind(line: str) -> str | None:
    """Why this line is output or code rather than the user's prose (None: it is prose).

    Inline code in backticks is part of the prose ("use `uv add`, not pip").
    """
    stripped = _TICKS.sub("code", line.strip())
    if not stripped:
        return None
    for why, pattern in _LINE_KINDS:
        if pattern.search(stripped):
            return why
    if FILE_REF.search(stripped) and len(FILE_REF.sub("", stripped).split()) <= 6:
        return "file reference"
    symbols = sum(1 for ch in stripped if not (ch.isalnum() or ch.isspace()) and ord(ch) < 0x3000)
    words = len(re.findall(r"(?<![\w.])[A-Za-z]{3,}(?![\w.(])", stripped))  # a sentence around some code is prose
    if len(stripped) >= 12 and symbols / len(stripped) > 0.18 and words < 8 \
            and not re.search(r"[\u3400-\u9fff]", stripped):
        return "code"
    return None


def is_question(sentence: str) -> bool:
    """Asking for information or an opinion (a polite request phrased as a question is not one)."""
    s = sentence.strip()
    if _POLITE.match(s):
        return False
    if not _QMARK.search(s) and (_DECLARATIVE_WH.match(s) or _CONDITIONAL.match(s)
                                 or re.search(r"^[^?？]{3,80}[:：]\s*\S", s)):
        return False  # no question mark and a statement's shape: "how I write to clients: first name, ..."
    return bool(_QMARK.search(s) or (_ASKING.match(s) and len(s) < 200 and not s.endswith(".")))


#: "S608: table comes from our enum, ...": a sentence that answers one finding of a linter's output
LINT_FINDING = re.compile(r"^\W*[A-Z]{1,4}\d{3,4}\b\s*[:：-]")


def is_reported(sentence: str) -> bool:
    """Someone else's words passed on ("someone in review said we should never ..."): what they said, not
    what the user asks for."""
    for m in _REPORTED.finditer(sentence):
        before = sentence[max(0, m.start() - 40): m.start()]
        if m.group(0)[:1].isascii() and _NOT_HEARSAY.search(before):
            continue  # "the body says why", "something I should have said": a thing's content, or the user's own
        return True
    return False


#: what comes before "says"/"said" when no one else is being quoted: a thing that says (the body, the diff, it),
#: or the user speaking of their own words ("I should have said", "as I said", "I've said")
_NOT_HEARSAY = re.compile(
    r"(\b(the|this|that|its|each|every|a|my|our)\s+([\w-]+\s+)?(body|diff|doc|docs|documentation|error|log|message|"
    r"readme|spec|title|test|output|code|comment|ticket|page|label|line|note|subject|header|column|field|sign|"
    r"description|changelog|warning|name|summary|section)|\b(it|this|that|which|what))"
    r"(\s+(already|also|just|only|still|even|clearly|\w+ly))?\s*$|"
    r"\b(i|we)\s*('ve|'d| have| had| should have| should've| would have| just| already| never| always)\s*$|"
    r"\b(as|like|what|than)\s+(i|we)\s*('ve| have)?\s*$", re.I)


_REPORTED = re.compile(
    r"(?<!\bi )(?<!\bwe )(?<!\bI )\b(says|said|told (me|us)|tells (me|us)|insists|insisted|argues|argued|claims|"
    r"claimed|reckons|swears|suggested|suggests|wrote)\b|"
    r"(有人|同事|他|她|他们|老板|领导|评审|客户|你)(说|觉得|建议|提到|认为|坚持|强调|表示|非要|写的|写了)|"
    r"\b(quelqu'un|il|elle|ils|on|tu|mon (chef|collègue)|le client|notre \w+) (m'a dit|a dit|dit|pense|trouve|"
    r"suggère|insiste|as écrit|as dit|a écrit)\b|\b(dijo|dice|dijiste|escribiste|insiste|sagt|sagte|meint|"
    r"hast geschrieben)\b|"
    r"\b(disse|falou|diz|acha que|sugeriu|insiste|escreveu|mandou dizer)\b|(と言って(い|た)|が言う|に言われ|によると|"
    r"らしい|って言って)")


def is_complaint(sentence: str) -> bool:
    """Saying what is broken or still wrong: a bug report, not a rule. A condition and what to do then
    ("if it fails all 10 it's a real bug, fix it") is a step of a procedure, not a report."""
    if _IF_THEN.match(sentence):
        return False
    return bool(_COMPLAINT.search(sentence))


#: "if it fails some of the time: mark it flaky", "si ça échoue, relance": a condition, then an order
_IF_THEN = re.compile(r"^\W*(if|when|whenever|in case|si|quand|cuando|wenn|falls|如果|要是)\b[^?？]{3,120}[,:，：]\s*"
                      r"(then\s+)?(fix|mark|open|rerun|retry|run|add|ping|tell|ask|stop|skip|revert|roll|file|"
                      r"quarantine|escalate|page|use|drop|delete|move|flag|note|log|raise|create|check)\b", re.I)


def is_reference(sentence: str) -> bool:
    """Mostly a pointer into this codebase (file:line, a path): specific to this change, not a rule."""
    rest = _PATHISH.sub(" ", FILE_REF.sub(" ", sentence))
    return rest != sentence and len(rest.split()) <= 4
