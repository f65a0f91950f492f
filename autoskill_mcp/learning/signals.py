"""Lexical signals in the user's own words: durable directives and corrections.

Shared by the gate (is this session worth an LLM call?) and the offline
extractor (build a skill without one). English and Chinese are first-class
(AutoSkill's users write both); French, Spanish, German, Portuguese (Brazilian
and European) and Japanese are read too, each by its own cues. A *directive*
is a sentence that sets policy beyond this one task:
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
    ALWAYS = "always"        # always / every time / by default / 总是 / 每次 / 毎回 / sempre
    NEVER = "never"          # never / don't / avoid / 不要 / 禁止 / しないで / não use
    PREFER = "prefer"        # prefer X / use X instead of Y / 优先 / の方がいい / prefiro
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
    r"default to|the way i (want|like|prefer) (my |our )?[\w-]+( [\w-]+)? (done|set up|written|formatted|handled|"
    r"organi[sz]ed|structured|booked|planned)|for (any|all|each|every one) of (them|these|those)\b|"
    r"(please )?stick to (this|these|that|those)( rules?)? (for|in|across) (the|my|our|all|any|every)|house rule|"
    r"(make it|as) a habit|"
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
    rf"{_TOUJOURS}|\b(jamais|à partir de maintenant|dorénavant|désormais|chaque fois|par habitude|en règle générale)\b|"
    r"\b(por costumbre|por norma|como norma|grundsätzlich gilt)\b|"
    r"\b(siempre|nunca|jamás|a partir de ahora|de ahora en adelante|cada vez|en todo el (servicio|proyecto|código))\b|"
    r"\b((?<!noch )immer(?! noch)|niemals|ab jetzt|ab sofort|künftig|in zukunft|jedes mal|bei uns gilt|"
    r"grundsätzlich)\b|"  # "immer noch", "noch immer": still, not always
    # Portuguese: "sempre" is "always" unless it describes ("está sempre a falhar", "sempre dá erro": _IDIOM)
    r"\b(sempre|jamais|a partir de agora|daqui (pra|para a?) frente|de agora em diante|doravante|toda vez que|"
    r"todas as vezes|por padrão|(em|no|neste|nesse) (todo o |todo )?(projeto|repo|repositório|código) (todo|"
    r"inteiro))\b",
    _I)

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
# Japanese: "これからは…", "今後", "毎回", "必ず"; never: "…ないでください", "禁止"; prefer: "…の方がいい", "…を優先".
# "以降" after a time or a date ("3時以降", "来週以降") is "after", not "from now on".
_DURABLE_JA = re.compile(r"(これから(は|も)|今後|以後|(?<![\d:：時日週月年])以降(は|も)|毎回|常に|いつも(?!の).{0,40}"
                         r"(て|で)(ください|下さい|ほしい|欲しい|ね)|必ず|絶対に?|デフォルトで|基本的に|原則(として)?|"
                         r"ずっと|二度と|今後とも)")
_NEVER_JA = re.compile(r"(ないで(ください|下さい|ほしい|欲しい|ね|。|$)|しないで|禁止|使わないで|書かないで|入れないで|"
                       r"やめて|避けて|しないこと|ないこと|べからず|厳禁|二度と)")
_ALWAYS_JA = re.compile(r"(毎回|常に|いつも|必ず|デフォルトで|絶対に?)")
_MUST_JA = re.compile(r"(なければ(なら|いけ)ない|ないといけない|必要があ|べき|必須|忘れずに)")
_PREFER_JA = re.compile(r"(の方が(いい|良い|好き)|を優先|優先して|代わりに|ではなく|じゃなくて|より.{1,12}を(使|選))")
_ONE_OFF_JA = re.compile(r"(今回|今だけ|今日|明日|一旦|いったん|とりあえず|ひとまず|試しに|試して|このファイル|"
                         r"この関数|この行|元に戻|取り消して|当面)")
# French negation is everywhere; only an opening negation is an order ("Ne modifie pas ...", "N'utilise jamais ...").
_NEVER_FR = re.compile(r"^(ne|n')\s*\w+\s+(pas|jamais)\b|\bjamais\b|^évite[rz]?\b|"
                       r"^(no (uses|pongas|escribas|añadas|hagas)|nada de|evita|nunca)\b|"
                       r"^(kein(e|en)?|nie|niemals|vermeide|bitte kein(e|en)?)\b|"
                       r"^(por favor,? )?(não|nao) (use|usa|usem|uses|coloque|coloca|ponha|ponhas|põe|bote|bota|faça|"
                       r"faças|"
                       r"faz|escreva|escrevas|metas|"
                       r"escreve|adicione|adiciona|inclua|mexa|mexe|commite|invente|deixe|deixa)\b|^(evite|evita|"
                       r"jamais|nada de)\b|\bnunca (use|usa|coloque|faça|faz|escreva|escreve|commite|deixe|mexa)\b",
                       _I)
_PREFER_PT = re.compile(r"\b(prefiro|prefira|dê preferência|em vez de|no lugar de|ao invés de|em lugar de)\b", _I)
_ALWAYS_FR = re.compile(rf"{_TOUJOURS}|\bchaque fois\b", _I)

_ARROW = re.compile(r"\s*(?:->|→|=>|⇒|➡|➜|-->)\s*")
_WORKFLOW_ANCHOR_EN = re.compile(
    r"^(?P<anchor>(before|after|when|whenever|for)\s+(each|every|any|a|an|all)?\s*[^:：]{2,60})[:：,]\s*(?P<rest>.+)$",
    _I,
)
_WORKFLOW_ANCHOR_ZH = re.compile(
    r"^(?P<anchor>(每次|每当|在)?[^:：]{1,30}(之前|以前|之后|前|后|时))[:：，,]\s*(?P<rest>.+)$"
)
#: "antes de cada release: ...", "sempre que abrir um PR: ...", "コミットする前に：..."
_WORKFLOW_ANCHOR_PT = re.compile(
    r"^(?P<anchor>(antes|depois) d[eoa]s? (cada |todo |toda |qualquer )?[^:：]{2,60}|sempre que [^:：]{2,60}|"
    r"quando [^:：]{2,60})[:：,]\s*(?P<rest>.+)$", _I)
_WORKFLOW_ANCHOR_JA = re.compile(
    r"^(?P<anchor>(毎回|いつも)?[^:：、]{1,30}(前に|後に|前は|後は|とき(は|に)?|時(は|に)?|際(は|"
    r"に)?))[:：、,]\s*(?P<rest>.+)$")
_STEPS_ZH = re.compile(
    r"先(?P<a>[^，,；;。]+)[，,]?\s*(再|然后)(?P<b>[^，,；;。]+)(?:[，,]?\s*(最后|然后|再)(?P<c>[^，,；;。]+))?"
)

# Questions and plain one-off asks are never directives, whatever words they use.
_QUESTION = re.compile(
    r"(\?|？)\s*$|^\s*¿|^(what|why|how|which|who|where|when|can|could|would|is|are|does|do)\b.*\?|"
    r"(ですか|ますか|でしょうか|ませんか|んですか|のか|かな|っけ)[。．]?\s*$", _I
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
    r"\b(probier|versuch|rückgängig|setz (das|es) zurück)\w*|"
    r"\b(tenta (de novo|com|sem|usar|trocar|mudar|outr[ao])|experimenta|desfaz|reverte|volta (pra|para) (a|o) "
    r"(versão|anterior))\b|(試して|試しに|やってみて|元に戻して|戻して|取り消して)", _I)
_ONE_OFF_SCOPE = re.compile(r"\b(this (time|once|one|file|function|test|bug|pr|commit|week|month|weekend)|for now|"
                            r"for this (branch|client|customer|guy|pitch|deck|talk|demo|build|submission|event|party)|"
                            r"for the demo|"
                            r"just here|right now|today|tomorrow|yet|don'?t (copy|carry) (any of )?(this|it) "
                            r"(forward|over))\b|"
                            r"\b(só (desta|dessa|essa|esta) vez|(desta|dessa) vez|por (enquanto|agora)|só (hoje|agora|"
                            r"aqui)|hoje|amanhã|neste arquivo|nessa função|nesta função)\b|" + TENTATIVE.pattern, _I)
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
_CORRECTION_PT = re.compile(r"^\s*(não\b|nao\b|assim não|errado|está errado|tá errado|na verdade|de novo|"
                            r"muito (longo|grande|formal|comprido)|em vez disso|eu (disse|pedi|falei)|"
                            r"você (esqueceu|não|deveria))", _I)
#: Portuguese "no", "na", "nos", "nas" before a word: "in the"
_PT_IN_THE = re.compile(r"^\s*n[oa]s?\s+\w", _I)
_CORRECTION_JA = re.compile(r"^\s*(違う|違います|ちがう|ちがいます|そうじゃな|そうではな|じゃなくて|ではなくて|"
                            r"いや[、,]|いいえ|だめ|ダメ|やり直して|長すぎ)")

# "I always forget ..." describes the user, it instructs nobody; "I always want tests" does.
# "never mind", "never sure", "toujours des 502": the words, not a rule
_IDIOM = re.compile(r"\bnever (mind|sure|knew|know|heard|seen|thought|been|had|got|understood|really|quite)\b|"
                    r"\b(she|he|they|her|his|their|mum|mom|dad|it)\b[^.,;]{0,24}\b(always|never)\b|"
                    # what trips the speaker up: "the effect/affect one always gets me"
                    r"\b(always|never) (gets|got|trips|tripped|catches|caught|confuses|confused|fools|throws) "
                    r"(me|us)\b|"
                    # something misbehaving, described: "the cache never hits", "the app never loads on my pixel"
                    # ... or does it each time: "still resets every time i open the app"
                    r"\b(it|this|that|still) [a-z]+s (every ?time|each time|whenever) (i|we|you|someone|anyone|a user) "
                    r"(open|start|load|log|launch|run|restart|refresh|reload|click|tap|visit|try|use|deploy|push|build)|"
                    # (the verb says it is described: "never loads", "the tests always fail"; "always update the
                    # changelog", "never break the api" are orders)
                    r"\b(always|never|still) (resets|remembers|forgets|reverts|logs (me |us )?out|switches|jumps|"
                    r"goes back|shows up|persists|loads|hits|works|fails|crashes|shows|starts|finishes|renders|"
                    r"responds|connects|syncs|saves|updates|appears|happens|breaks|times out|builds|passes|compiles|"
                    r"triggers|fires|opens|closes|arrives|gets (picked|called|sent|used|hit))\b|"
                    r"\b(the|my|our|these|those|some|all|both|their|its) ([\w-]+ ){1,2}(always|never|still) (load|hit|"
                    r"work|fail|crash|show|start|finish|render|respond|connect|sync|save|update|appear|happen|break|"
                    r"time out|build|pass|compile|trigger|fire|open|close|arrive)\b|"
                    r"\balways (been|had|thought|wondered|forget|forgot|late|early|busy|tired|on time|broke|hungry|"
                    r"cold|right|wrong|the first|the last|around|there|moaning|complaining|losing)\b|"
                    r"\btoujours (des|de|du|le|la|les|un|une|aussi|autant|rien|même|la même)\b|"
                    r"(总是|每次都?)(忘|搞不清|记不住|弄错|报错|出错|卡)|"
                    # the speaker about themselves: a first-person verb ("siempre lo olvido", "ich vergesse immer")
                    r"\b(siempre|nunca) (lo |la |me |se me |te )?\w+o\b|\bich \w+e (das |es )?(immer|nie)\b|"
                    r"\bsempre (me |se |te )?(?!(tudo|isso|isto|todo|como|no|do|ao|pelo|mesmo|junto|primeiro|antes)\b)"
                    r"\w+o\b|"
                    # Portuguese: "está sempre a falhar", "sempre dá erro", "ele sempre pede": a description, no rule
                    r"\b(sempre|nunca) (dá|da|deu|falha|quebra|trava|cai|funciona|funcionou|carrega|aparece|"
                    r"passa|roda|compila|esquece|lembra)\b|\b(está|estou|estás|anda) sempre a\b|"
                    r"\b(ele|ela|eles|elas|meu chefe|minha chefe|o cliente)\b[^.,;]{0,24}\b(sempre|nunca)\b|"
                    # Japanese: "いつも忘れる", "毎回落ちる": what keeps happening, not a rule
                    r"(いつも|毎回|常に)[^、。]{0,8}(忘れ|落ち|失敗|エラー|止ま|固ま|動かな|クラッシュ|遅れ|遅い|壊れ|"
                    r"迷)", _I)
_SELF_REPORT = re.compile(r"^(i|i'm|i am|i've)\s+(?!.*\b(want|need|prefer|like|expect|use|ask|insist)\b)", _I)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: hiragana and katakana: what Japanese has and Chinese never does
KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")
#: a sentence ends after . ! ? (not after "e.g.", "incl.", "vs." and their like), or after 。！？
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bincl\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bcf\.)"
                           r"(?<!\bz\.B\.)(?<=[.!?。！？])\s+|(?<=[。！？])|\n+")
_CODE_FENCE = re.compile(r"```.*?(```|$)", re.S)
_INLINE_NOISE = re.compile(r"^\s*([>$#]|\d+\s*\||at\s+\S+\(|Traceback|File \")")


def language(text: str) -> str:
    """'ja' when kana make up a real share of the CJK text, 'zh' when CJK characters make up a real share of the
    text, else the Latin-script language whose function words it mostly uses ('en' when none stands out)."""
    cjk = len(_CJK.findall(text))
    kana = len(KANA.findall(text))
    # Japanese writes its particles and endings in kana; a stray "の" in Chinese is no Japanese sentence
    if kana >= 2 and kana * 5 >= cjk + kana and (cjk + kana) * 3 >= len(text.replace(" ", "")) * 0.3:
        return "ja"
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
        found = best if counts[best][0] >= 3 and counts[best][0] > en else None
        # Spanish and Portuguese share "para", "por", "que", "no": "não", "você", "uma", "com" and the nasal
        # endings ("-ção", "-ões") are Portuguese, and Portuguese wins only on more words of its own
        pt = sum(1 for w in words if w in _PT_WORDS or _PT_ONLY.search(w))
        own = sum(1 for w in words if (w in _PT_OWN or _PT_ONLY.search(w)))
        if (pt >= 3 and pt > en and (own >= 2 or (own and pt >= en + 3))) or (own >= 2 and not en):
            rival = 0 if found is None else sum(1 for w in words if w in _TABLES[found] - _PT_WORDS)
            if own > rival:
                return "pt"
        if found is not None:
            return found
    if not words and (_DURABLE_FR.search(text) or _CORRECTION_FR.search(text)):
        return "fr"
    return "en"


_LATIN_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœáíóúñäößãõ']+")
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
#: Portuguese (Brazilian and European): the words Spanish spells otherwise decide between the two
_PT_WORDS = set("""o os as um uma uns umas do da dos das no na nos nas ao aos pelo pela pelos pelas com sem para pra
    pro por que não é são está estão estou foi ser ter tem isso isto esse essa este esta aquilo meu minha meus minhas
    seu sua você vocês eu nós ele ela mas também já então sempre nunca cada todo toda todos todas mais muito muita
    obrigado obrigada aqui agora depois antes vez use usa faz faça escreva escreve prefiro quero preciso tá né ou se
    me te lhe de e em ainda hoje só até pode podes vai vou fazer tudo coisa coisas quando onde porque bem sim
    numa num dele dela essas esses seus suas às têm há assim ótimo valeu beleza certo""".split())
_EN_WORDS = set("""the a an and is are not that who for in on with without this these my your i you he she we they it
    to of at or but so very all do does be have has was were can could would should will just also like""".split())
#: ... of which these are no word of Spanish, French, German or English
_PT_OWN = _PT_WORDS - _ES_WORDS - _FR_WORDS - _DE_WORDS - _EN_WORDS - set("o a e as do no se me te use".split())
#: letters and endings only Portuguese has: "não", "ações", "informação"
_PT_ONLY = re.compile(r"[ãõ]|ç(ão|ões)$")
_TABLES = {"fr": _FR_WORDS, "es": _ES_WORDS, "de": _DE_WORDS}


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
    if lang == "ja" or (lang == "zh" and KANA.search(s)):
        return _directive_cjk(s, "ja")
    if lang == "zh":
        return _directive_cjk(s, "zh")
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
    elif _PREFER_EN.search(s) or _PREFER_PT.search(s):
        kind = DirectiveKind.PREFER
    if kind is None and durable and not one_off:
        kind = DirectiveKind.ALWAYS  # "from now on answer in French"
    if kind is None:
        return None
    weight = 1.0 if durable else (0.7 if kind in (DirectiveKind.PREFER, DirectiveKind.MUST) else 0.6)
    if kind is DirectiveKind.NEVER and not durable and (_PREFER_EN.search(s) or _PREFER_PT.search(s)):
        weight = 0.8  # "don't use var, use const instead": a prohibition with its alternative
    if one_off and not durable:
        weight = 0.2  # "don't touch this file for now": about this task only
    return Directive(s, kind, weight, (), lang)


@dataclass(frozen=True, slots=True)
class _Cues:
    """A CJK language's directive cues: Chinese and Japanese weigh them alike, in words of their own."""

    durable: re.Pattern[str]
    never: re.Pattern[str]
    always: re.Pattern[str]
    must: re.Pattern[str]
    prefer: re.Pattern[str]
    one_off: re.Pattern[str]
    #: said for this time only, however firmly ("今回だけは必ず…")
    this_time: re.Pattern[str] | None = None


_CJK_CUES = {
    "zh": _Cues(_DURABLE_ZH, _NEVER_ZH, _ALWAYS_ZH, _MUST_ZH, _PREFER_ZH, _ONE_OFF_ZH),
    "ja": _Cues(_DURABLE_JA, _NEVER_JA, _ALWAYS_JA, _MUST_JA, _PREFER_JA, _ONE_OFF_JA,
                re.compile(r"(今回|今だけ|今日)(だけ|限り|は)")),
}


def _directive_cjk(s: str, lang: str) -> Directive | None:
    cues = _CJK_CUES[lang]
    steps = _workflow_steps(s)
    durable = bool(cues.durable.search(s))
    one_off = bool(cues.one_off.search(s))
    if steps:
        return Directive(s, DirectiveKind.WORKFLOW, 1.0 if durable or len(steps) >= 3 else 0.8, steps, lang)
    kind: DirectiveKind | None = None
    if cues.never.search(s):
        kind = DirectiveKind.NEVER
    elif cues.always.search(s):
        kind = DirectiveKind.ALWAYS
    elif cues.must.search(s):
        kind = DirectiveKind.MUST
    elif cues.prefer.search(s):
        kind = DirectiveKind.PREFER
    if kind is None and durable and not one_off:
        kind = DirectiveKind.ALWAYS  # "以后用中文回答", "これからは英語で答えて"
    if kind is None:
        return None
    weight = 1.0 if durable else (0.7 if kind in (DirectiveKind.PREFER, DirectiveKind.MUST) else 0.6)
    if kind is DirectiveKind.NEVER and not durable and cues.prefer.search(s):
        weight = 0.8  # "printではなくloggingを使って": a prohibition with its alternative
    if one_off and (not durable or (cues.this_time is not None and cues.this_time.search(s))):
        weight = 0.2  # "这次先不写测试", "今回はテストを飛ばして": about this task only
    return Directive(s, kind, weight, (), lang)


def _workflow_steps(s: str) -> tuple[str, ...]:
    """Steps of "before each X: a -> b -> c", "先 a，再 b，最后 c"; () if the sentence is no workflow."""
    m = _STEPS_ZH.search(s)
    if m:
        return tuple(x.strip() for x in (m.group("a"), m.group("b"), m.group("c")) if x and x.strip())
    body = s
    anchored = _WORKFLOW_ANCHOR_EN.match(s) or _WORKFLOW_ANCHOR_ZH.match(s) or _WORKFLOW_ANCHOR_PT.match(s) \
        or _WORKFLOW_ANCHOR_JA.match(s)
    if anchored:
        body = anchored.group("rest")
    parts = [p.strip(" .。") for p in _ARROW.split(body) if p.strip(" .。")]
    # "lisbon -> berlin" is a route, not a procedure: two steps need an anchor ("before each release: a -> b")
    if len(parts) >= 3 or (len(parts) == 2 and anchored):
        return tuple(parts)
    if anchored:
        # "before committing: run the tests, then the linter, then push"
        # "リリースの前に、テストを実行して、それからタグを付けて": Japanese lists things with "、" too, so only
        # "それから", "次に", "その後" part its steps
        then = r"、?(?:それから|次に|その後|最後に)、?" if anchored.re is _WORKFLOW_ANCHOR_JA else \
            r",\s*(?:and\s+)?then\s+|;\s*|，然后|，再|、|,\s*(?:e\s+)?depois\s+"
        parts = [p.strip(" .。、") for p in re.split(then, body) if p.strip(" .。、")]
        if len(parts) >= 2:
            return tuple(parts)
    return ()


def is_correction(text: str, lang: str = "en") -> bool:
    """Does this user message open by rejecting or redirecting what the agent just did?"""
    head = text.strip()[:200]
    if lang == "pt" and _PT_IN_THE.match(head):
        return bool(_CORRECTION_PT.match(head))  # "No final, coloca ...": "in the", not the English "no"
    return bool(_CORRECTION_EN.match(head) or _CORRECTION_ZH.match(head) or _CORRECTION_FR.match(head)
                or _CORRECTION_PT.match(head) or _CORRECTION_JA.match(head))


def directives(text: str) -> list[Directive]:
    """Every directive in a message, in order."""
    return [d for d in map(directive, sentences(text)) if d is not None]
