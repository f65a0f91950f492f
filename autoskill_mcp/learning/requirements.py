"""Requirements: what a user's sentence asks of the deliverable, by kind, in its own clauses.

Most skills worth keeping are never stated as "always" or "never". They are built up
over a task: a budget ("keep it under 4,000 USD"), a hard constraint ("no overnight
transfers"), a fallback ("add a rainy-day option"), the output's shape ("a detailed
and a compact version"), a refinement ("now cut 10%"). Each of those says how this
kind of task should be done, and the next request of the same kind needs it again.
What is not one: the facts of this instance ("2 adults + 2 kids, 6 days in July"),
the reasons around a rule ("last time the kids were wrecks"), an edit of this one
artefact ("make the logo bigger", "rename it to fetch_user").

A sentence is read clause by clause: the clauses that instruct (an imperative, a
modal, a "no X") and carry a kind make the rule; explanations, complaints and
questions around them are dropped. English, Chinese, French, Spanish, German,
Portuguese and Japanese cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .noise import is_complaint, is_question
from .signals import KANA, TENTATIVE

_I = re.IGNORECASE
_NUM = r"(?:[$€£¥]\s?)?\d[\d,.]*(?:\s?k\b)?"
_DELIVERABLE_UNITS = (r"words?|pages?|lines?|bullets?|bullet points|items?|points?|sentences?|paragraphs?|characters?|"
                      r"chars?|slides?|steps?|options?|suggestions?|examples?|questions?|tweets?|emojis?|hashtags?|"
                      r"columns?|rows?|sections?|%|percent")

_KINDS_EN: dict[str, str] = {
    "limit": (rf"\b(under|below|less than|fewer than|no more than|not more than|at most|max(imum)?|up to|within|"
              rf"cap(ped)? at|limit(ed)? to|no longer than|shorter than|not exceed|budget( of| is)?|stay under|"
              rf"keep (it|them|each|the \w+|[\w-]+s) (under|below|to|within))\s*{_NUM}|"
              rf"\b\d+\s*({_DELIVERABLE_UNITS})\s*(max|maximum|tops|at most|or (less|fewer))\b|"
              rf"\b(max|maximum|at most|up to|only|exactly|just)\s+(one|two|three|four|five|\d+)\b|(?<!\w)[≤<]\s*\d|"
              rf"\bbudget\b|\bcheap(er|est)?\b|\b(per|a) (day|night|person|page|line|item|paragraph) (max|tops)\b"),
    "exclude": (r"(^|[,;:]\s*|\b(and|but|also|please|just|so|plus)\s+)(no(?!\s+(idea|clue|problem|worries|rush|"
                r"thanks|way|kidding|luck|matter)\b)|without|avoid|skip|drop|exclude|leave out|"
                r"nothing|none of|zero)\b|\b(don'?t|do not|never|stop|no need to|not)\s+(use|using|add|include|put|"
                r"give|make|write|mock|book|schedule|suggest|mention|touch|change|call|create|hard-?code|print|commit|push|"
                r"rely|show|list|bother|open|end|start|invent|guess|patch|leak|log|pin|catch|swallow|return|ask|send)\b|"
                r"\binstead of\b|\brather than\b|\bnot (a|an|the) \w+\b|(^|[,;]\s*)not \w+"),
    "include": (r"\b(include|add|put in|mention|attach|provide|cite|link|handle|cover|support|account for|"
                r"give (me )?(a|an|the|both|two|each)|with (a|an) [\w-]+ (section|column|line|list|summary|note|option|"
                r"field|step)|(every|each) \w+ (needs?|gets?|has|should have|must have)|needs? (a|an)\b)"),
    "format": (r"\b(tables?|bullets?|bullet points|markdown|json|yaml|csv|headings?|headers?|sections?|format(ted)?|"
               r"template|tl;?dr|summary|versions?|compact|detailed|one-?pager|outline|numbered|bold|code blocks?|"
               r"docstrings?|comments?|columns?|subject line|checklist|diagram|chart|spreadsheet|pdf|plain text|"
               r"structure[ds]?|layout|order|in that order|style|prefix(es)?|naming|named|convention(al)?)\b"),
    "fallback": (r"\b(fallback|fall back|backup|plan b|alternatives?|otherwise|in case|contingency|rainy|if (it|the|"
                 r"that|this|a|an|we|they|there|you|something|anything) [^,.]{0,40}\b(rains?|fails?|is closed|closed|"
                 r"sold out|down|unavailable|cancel+ed|late|missing|empty|errors?|times? out|doesn'?t exist|isn'?t "
                 r"there|unsure|unclear|not sure))\b"),
    "tone": (r"\b(formal|informal|casual|friendly|polite|professional|concise|brief|terse|plain (english|language)|"
             r"simple (words|language|terms)|tone|voice|jargon|buzzwords|warm|neutral|blunt|upbeat|humble|"
             r"corporate|chatty|cheesy|salesy|hype|exclamation)\b"),
    "length": (r"\b(shorter|longer|shorten|trim|condense|tighten|expand|more detail|less detail|too long|too short|"
               r"too wordy|wordy|verbose|brief|concise|one line|one sentence|one paragraph|cut (it|that|this|them|"
               r"down|back|the \w+)|cut\s+\d+\s*%)\b"),
    "order": (r"\b(sort(ed)? by|order(ed)? by|rank(ed)? by|prioriti[sz]e|(at|on) (the )?top|at the (end|bottom|start|"
              r"beginning)|group(ed)? (by|as|into)|lead with|start with|end with|first|then|before|after)\b"),
    "check": (r"\b(check|verify|validate|confirm|double-?check|tests?|tested|make sure|ensure|lint|review|sanity|"
              r"dry-?run|re-?run|show me|tell me|ask me|ask first|run (the )?[\w:-]+)\b"),
    "tool": (r"\b(use|using|switch to|prefer|stick (to|with)|go with|instead of|rather than|in place of|via|"
             r"through)\b"),
    "audience": (r"\b(for (kids|children|beginners|newcomers|my (boss|team|manager|parents|clients?|students|readers|"
                 r"family|kids|husband|wife|partner))|non-?technical|executives|stakeholders|audience|readers?|"
                 r"reviewers?)\b"),
    "language": r"\b(in (plain )?(english|french|chinese|spanish|german|japanese|portuguese)|answer in|reply in|"
                r"bilingual)\b",
    "time": (r"\b(before|after|by|until|no later than|not before)\s+\d{1,2}(:\d\d)?\s*(am|pm|h)?\b|\b(morning|"
             r"evening|overnight|red-?eye|weekends?|weekdays?|deadline|daily|weekly|monthly|every (day|week|month|"
             r"morning|friday)|time blocks?|travel time|timezone|utc)\b"),
}
_KINDS_ZH: dict[str, str] = {
    "limit": r"(不超过|不多于|不高于|以内|之内|控制在|最多|至多|少于|低于|上限|不要超过|预算|便宜|省钱|\d+\s*(字|条|页|"
             r"行|个字|句|点|%))",
    "exclude": r"(不要|别|不用|不让|不允许|避免|去掉|不能有|不含|无需|禁止|不许|不准|少用|别用|不加|不写|不带|而不是|"
               r"不是.{1,10}而是)",
    "include": r"(加上|加入|包含|附上|列出|补充|增加|带上|注明|标注|给出|写明|都要有|需要有|每个.{0,6}(都|要))",
    "format": r"(表格|列表|格式|模板|标题|要点|摘要|版本|分点|编号|清单|小结|总结|图表|注释|markdown|json|结构|风格|"
              r"命名|前缀|段落|排版)",
    "fallback": r"(备选|备用|备案|替代方案|万一|否则|下雨|失败时|不行的话|如果.{1,12}(就|则|的话))",
    "tone": r"(语气|正式|口语|简洁|礼貌|专业|通俗|简短|客气|委婉|直接|官方|套话|成语|官腔|啰嗦|夸张)",
    "length": r"(精简|缩短|删减|压缩|太长|太短|再短|简短|展开|详细|一句话|短一点|长一点|篇幅)",
    "order": r"(先|然后|最后|排序|按照|按|优先|放在(最)?(前|后)|开头|结尾|顺序)",
    "check": r"(检查|确认|验证|测试|核对|跑一下|确保|自测|回归|跑过|单测|lint)",
    "tool": r"(用|使用|改用|换成|而不是|代替|优先用|采用|通过)",
    "audience": r"(给.{1,6}看|面向|读者|受众|小白|领导|老板|客户|新人)",
    "language": r"(用(中文|英文|英语|法语)|中英|双语|中文|英文)",
    "time": r"(点(前|后|以前|以后)|上午|下午|晚上|周末|工作日|截止|每天|每周|每月|红眼|时区|时间段)",
}
_KINDS_FR: dict[str, str] = {
    "limit": (r"\b(moins de|pas plus de|au plus|au maximum|maximum|max|sous les|ne dépasse pas|budget)\b|"
              r"\b\d+\s*(mots|pages?|lignes?|points?|phrases?|puces)\b"),
    "exclude": (r"\b(pas de|pas d'|sans|évite[rz]?|aucune?|jamais|ne (mets|mettez|fais|faites|utilise|utilisez|ajoute|"
                r"touche|invente|écris)\w* pas|plutôt que|au lieu de)\b"),
    "include": r"\b(ajoute[rz]?|inclu[st]|inclure|mets|mentionne|indique|précise|cite|joins|chaque \w+ (doit|a))\b",
    "format": (r"\b(tableau|liste|format|puces|titre|résumé|version|modèle|colonnes?|sections?|structure|gras|"
               r"markdown|json|style|nommage|préfixe)\b"),
    "fallback": r"\b(plan b|sinon|au cas où|solution de repli|alternative|s'il pleut|en cas de|si .{1,30} (pas|"
                r"échoue))\b",
    "tone": r"\b(ton|formel|vouvoie|tutoie|vouvoiement|tutoiement|concis|poli|professionnel|familier|sobre|jargon)\b",
    "length": r"\b(plus court|raccourcis|trop long|réduis|condense|développe|plus détaillé|bavard|une phrase|une "
              r"ligne)\b",
    "order": r"\b(d'abord|ensuite|puis|enfin|trie|par ordre|en premier|en haut|à la fin|commence par|avant|après)\b",
    "check": r"\b(vérifie[rz]?|valide[rz]?|teste[rz]?|tests?|assure-toi|contrôle[rz]?|relis|lance)\b",
    "tool": r"\b(utilise[rz]?|plutôt que|au lieu de|préfère|passe à|avec)\b",
    "audience": r"\b(pour (les )?(enfants|débutants|mon équipe|mon chef|mes clients)|public|lecteurs?)\b",
    "language": r"\b(en (français|anglais|chinois))\b",
    "time": r"\b(avant|après)\s+\d{1,2}\s*h|\b(matin|soir|week-end|hebdo|chaque (jour|semaine|mois)|créneaux?)\b",
}
_KINDS_ES: dict[str, str] = {
    "limit": r"\b(menos de|no más de|como máximo|máximo|máx|hasta|presupuesto|sin decimales)\b|\b\d+\s*(palabras|"
             r"líneas|frases|puntos|%)",
    "exclude": r"\b(sin|nada de|no (uses|pongas|añadas|escribas|incluyas)|evita[rn]?|ningún|ninguna|en vez de|en lugar "
               r"de)\b",
    "include": r"\b(añade|incluye|pon|marca|indica|menciona|separa)\b",
    "format": r"\b(tabla|lista|formato|resumen|versión|columnas?|secciones?|viñetas|estructura|euros|estilo)\b",
    "fallback": r"\b(plan b|si no|por si|alternativa|en caso de)\b",
    "tone": r"\b(tono|formal|informal|primera persona|frases cortas|cercano|profesional|emojis?|hashtags?)\b",
    "length": r"\b(más corto|demasiado largo|resumido|breve|corto|largo)\b",
    "order": r"\b(primero|después|luego|al final|al principio|ordena)\b",
    "check": r"\b(comprueba|verifica|revisa|prueba|tests?)\b",
    "tool": r"\b(usa|utiliza|con)\b",
    "time": r"\b(cada (mes|semana|día)|mensual|semanal|antes de las|después de las)\b",
}
_KINDS_DE: dict[str, str] = {
    "limit": r"\b(höchstens|maximal|max|weniger als|nicht mehr als|bis zu|budget)\b|\b\d+\s*(wörter|zeilen|sätze|"
             r"punkte|minuten|%)",
    "exclude": r"\b(kein(e|en|er)?|ohne|nicht|nie|niemals|statt|anstatt|vermeide)\b",
    "include": r"\b(mit|inklusive|füge|ergänze|noch ein(e|en)?)\b",
    "format": r"\b(tabelle|liste|format|zusammenfassung|version|spalten?|abschnitte?|stichpunkte|struktur|"
              r"multi-stage)\b",
    "fallback": r"\b(plan b|sonst|falls|notfalls|alternative)\b",
    "tone": r"\b(ton|förmlich|locker|du-form|sie-form|sachlich|freundlich)\b",
    "length": r"\b(kürzer|zu lang|knapp|ausführlich)\b",
    "order": r"\b(zuerst|dann|danach|erst|zum schluss|am ende|vorher)\b",
    "check": r"\b(prüfe|teste|test|tests|regressionstest|überprüfe|rot|grün)\b",
    "tool": r"\b(nutze|verwende|benutze|basis|als)\b",
    "time": r"\b(vormittags|nachmittags|abends|montag|freitag|jede (woche|nacht)|wöchentlich|puffer)\b",
}
_KINDS_PT: dict[str, str] = {
    "limit": r"\b(no máximo|máximo|máx|até \d|menos de|não mais (que|de)|não passar de|limite de|orçamento|barat[oa]s?|"
             r"sem casas decimais)\b|\b\d+\s*(palavras|linhas|frases|tópicos|itens|páginas|caracteres|parágrafos|"
             r"slides|pontos|%)",
    "exclude": r"\b(sem|nada de|(não|nao) (use|usa|uses|coloque|coloca|ponha|ponhas|metas|põe|bote|bota|adicione|"
               r"adiciona|"
               r"inclua|escreva|escrevas|faças|"
               r"escreve|faça|faz|mexa|mencione|invente|commite|deixe)|evite|evita|nenhum|nenhuma|em vez de|"
               r"no lugar de|"
               r"ao invés de|tira|tire|remova|jamais|nunca)\b",
    "include": r"\b(adicione|adiciona|inclua|inclui|coloque|coloca|põe|ponha|bota|mencione|indique|cite|separe|anexe|"
               r"acrescente|acrescenta|termin[ae] com|comece com|começa com)\b",
    "format": r"\b(tópicos|em tópicos|lista|tabela|formato|resumo|versão|colunas?|seções?|seção|marcadores|bullets?|"
              r"estrutura|estilo|markdown|json|títulos?|cabeçalhos?|negrito|numerad[ao]s?|modelo|template)\b",
    "fallback": r"\b(plano b|senão|se não der|caso contrário|por via das dúvidas|alternativa|em caso de|se chover|caso "
                r"(falhe|dê erro|não dê))\b",
    "tone": r"\b(tom|formal|informal|descontraíd[oa]|profissional|educad[oa]|diret[oa]|objetiv[oa]|gírias?|emojis?|"
            r"primeira pessoa|amigável|sem rodeios|tratamento|o senhor|a senhora|tu|você)\b",
    "length": r"\b(curt[oa]s?|mais curto|muito longo|longo demais|resumid[oa]|breve|enxut[oa]|concis[oa]|sucint[oa]|"
              r"uma frase|uma linha|encurta|encurte|detalhad[oa])\b",
    "order": r"\b(primeiro|depois|em seguida|por último|no final|no fim|no começo|no início|ordena|ordene|em ordem)\b",
    "check": r"\b(verifique|verifica|confira|confere|testes?|rode|roda|valide|valida|checa|cheque|revisa|revise)\b",
    "tool": r"\b(use|usa|utilize|utiliza|com)\b",
    "audience": r"\b(para (iniciantes|crianças|leigos|o cliente|os clientes|meu chefe|minha chefe|a diretoria|"
                r"a equipe)|"
                r"público|leitor(es)?|diretoria)\b",
    "language": r"\b(em (português|inglês|espanhol|francês|alemão|japonês|chinês))\b",
    "time": r"\b(cada (mês|semana|dia)|toda (semana|segunda|sexta|manhã)|todo (mês|dia)|mensal|semanal|antes das \d|"
            r"depois das \d|de manhã|à tarde|à noite|fim de semana|prazo)\b",
}
# Japanese has no word boundaries: the cues are the words themselves ("以内", "箇条書き", "敬語", "なしで")
_KINDS_JA: dict[str, str] = {
    "limit": r"(以内|上限|最大|超えない|超えないよう|に抑え|予算|安め|安く|\d+\s*(字|文字|行|個|点|項目|語|ページ|枚|"
             r"つ|件|"
             r"%|％|割|円|万円)(以下|まで|程度|くらい|ぐらい|に収め)?)",
    "exclude": r"(なし|無し|抜きで|抜き|使わない|使わず|入れない|書かない|含めない|不要|いらない|要らない|禁止|避けて|"
               r"やめて|しないで|ないで|ではなく|じゃなくて|代わりに|除いて|除外|省いて|控えて)",
    "include": r"(追加|加えて|入れて|含めて|付けて|添えて|記載|明記|載せて|書き添え)",
    "format": r"(箇条書き|(?<![発代公図年])表(形式|で|に|を)|テーブル|一覧|リスト|形式|フォーマット|見出し|要約|"
              r"番号付き|太字|"
              r"マークダウン|markdown|json|構成|テンプレート|章立て|命名|接頭辞|プレフィックス|スタイル|体裁)",
    "fallback": r"(代替案|代案|予備|念のため|万が一|万一|もし.{1,15}(なら|たら|場合)|失敗したら|雨の場合|雨なら|"
                r"プランB|"
                r"できない場合|ダメなら)",
    "tone": r"(敬語|です・ます|ですます|です/ます|だ・である|である調|丁寧|カジュアル|フランク|砕けた|くだけた|口調|"
            r"トーン|"
            r"語調|フォーマル|簡潔|絵文字|専門用語|柔らか)",
    "length": r"(短く|短め|長すぎ|長い|簡潔に|手短|詳しく|詳細に|一文で|一行で|1行で|削って|縮めて|要点だけ|"
              r"コンパクト)",
    "order": r"(先に|最初に|まず|次に|その後|最後に|順番|並べ|ソート|降順|昇順|冒頭|末尾)",
    "check": r"(確認|テスト|検証|チェック|見直し|レビュー|動作確認|lint|実行して)",
    "tool": r"(使って|使用|利用|を使う|で書いて)",
    "audience": r"(向け|初心者|子供|子ども|上司|お客様|顧客|読者|非エンジニア|経営陣|役員)",
    "language": r"(英語|日本語|中国語|二か国語|英訳|和訳)",
    "time": r"(毎日|毎週|毎月|午前|午後|夜|週末|平日|締め切り|締切|期限|\d+時(まで|以降|前|より前)|タイムゾーン)",
}
_PT_NO = re.compile(r"\b(no|nos)\b", _I)
_COMPILED = {lang: {k: re.compile(p, _I) for k, p in kinds.items()}
             for lang, kinds in (("en", _KINDS_EN), ("zh", _KINDS_ZH), ("fr", _KINDS_FR), ("es", _KINDS_ES),
                                 ("de", _KINDS_DE), ("pt", _KINDS_PT), ("ja", _KINDS_JA))}
#: kinds too common to make a requirement on their own
_WEAK = {"tool", "order", "include", "check", "format"}

# Someone being told what to do: an imperative, a modal, a "no X", a limit.
_INSTRUCT_EN = re.compile(
    r"^(please\s+|pls\s+|just\s+|also\s+|and\s+|oh and\s+|plus\s+|then\s+|now\s+|so\s+|ok\s+|but\s+)*"
    r"(no|never|always|only|don'?t|do not|avoid|skip|drop|keep|make|use|add|put|give|include|write|show|list|sort|"
    r"group|start|end|lead|open|mention|note|cut|trim|shorten|remove|limit|stick|switch|prefer|go|stay|run|check|"
    r"verify|test|ensure|return|raise|log|wrap|split|mark|name|call|pin|set|follow|format|structure|send|book|plan|"
    r"pick|choose|aim|target|max|stop|leave|exclude|bold|round|convert|translate|explain|ask|tell|quiz|flag|"
    r"highlight|link|cite|attach|assume|prefix|tag|label|default|treat|handle|reply|answer|respond|be|do|try|"
    r"double-check|lowercase|capitalize|mock|inject|wait|post|draft|rewrite|rename|move|bump|fix|change|replace|"
    r"delete|create|build|generate|update|merge|rebase|squash|push|commit|deploy|release|tighten|expand|lose|"
    r"less|more|fewer|same|every|each|all|both|two|one|look|block|read|compare|copy|paste|upload|download|install|"
    r"tag|pull|fetch|confirm|email|pay|file|submit|collect|match|fill|export|import|scan|archive|count|sum|total|"
    r"calculate|schedule|clean|reproduce|profile|measure|record|screenshot|share|publish|announce|notify|ping|"
    r"lint|restart|kill|revert|rollback|restore|backup|rotate|review|approve|assign|triage|close|reopen|search|"
    r"find|grep|summari[sz]e|resize|crop|compress|sign|prepare|prep|mark|walk|bring|pack|print|cancel|buy|order|"
    r"reserve|ship|tidy|organi[sz]e|rank|estimate|budget|book|draft|outline|proofread|double|cc|bcc|forward|"
    r"scale|branch|cherry-pick|watch|bisect|retry|convert|translate|attach|paste|commit|stage|squash|"
    r"promote|roll|drain|migrate|seed|snapshot|diff|grep|tail)\b"
    r"|\b(should|must|has to|have to|had better|needs? to|needs? (a|an|the)|need|want|wants|'d like|would like|prefer|"
    r"please|pls|make sure|ensure|can you|could you|would you|can u|i'?d rather|rather than|instead of|at most|"
    r"no more than|only|every time|each time|never|always|don'?t|do not|not allowed|is not ok|isn'?t ok|not ok|"
    r"i (like|hate|prefer|want|need)|we (use|don'?t|never|always|do|keep|prefer|want|need)|is (required|mandatory)|"
    r"gets? (a|an|its own)|goes (in|into|under|through|to)|go (in|into|under|through|to)|as a rule|from now on|"
    r"going forward|in this (repo|codebase|project))\b", _I)
_INSTRUCT_ZH = re.compile(
    r"(要|不要|请|必须|需要|应该|别|加上|加个|用|控制|保持|给我|帮我|记得|一定|只|不能|最好|务必|改成|换成|希望|得|统一|每个|"
    r"每次|以后|都|不许|禁止|避免|尽量|优先|放在|按|列出|写成|改为|不超过|以内|去掉|不用|少|多|先|再|最后|分成|附上|注明)")
_INSTRUCT_FR = re.compile(
    r"\b(il faut|faut|doit|dois|devrait|je veux|je voudrais|j'aimerais|merci de|pas de|sans|évite|utilise|ajoute|mets|"
    r"garde|fais|donne|écris|toujours|jamais|uniquement|seulement|maximum|max|peux-tu|tu peux|n'oublie pas|pense à|"
    r"privilégie|préfère|plutôt|au lieu|commence|termine|trie|groupe|vérifie|lance|relis|reste)\b|"
    r"^(ne|n')\s*\w+", _I)
# How things are done here, by the team or in this codebase: a standing rule by definition.
_HOUSE = re.compile(
    r"\b(in this (repo|repository|codebase|project|team|app|house|company)|here we|[\w-]+ (style|format|convention|"
    r"conventions|layout) here|(?<!so )(?<!that )we (don'?t|"
    r"never|always|only|keep|use|prefer|do not) \w+|our (convention|rule|policy|style|house style|standard)|"
    r"(team|house|company) "
    r"(rule|policy|style|convention|standard))\b|(我们(这边|这里|团队|项目|组|公司)?(都|一般|不|一律|统一|从来不|规定)|"
    r"公司(规定|要求)|团队(规范|约定))|\b(chez nous|ici on|dans (ce|notre) (projet|dépôt|repo|équipe)|"
    r"notre (convention|règle|charte))\b|"
    # German and Spanish teams, and the user's own "all my X": "bei uns im Team", "mes mails pro partent tous"
    r"\b(bei uns|in unserem (team|projekt|repo)|en (nuestro|este) (equipo|proyecto|repo)|aquí (usamos|no usamos)|"
    r"all (my|our) \w+ (are|go|get|use|have)|tous mes|toutes mes|mes \w+ (\w+ )?(sont|partent|se font) tou(te)?s|"
    r"alle (meine|unsere)|todos (mis|nuestros)|todas (mis|nuestras))\b|"
    # Portuguese and Japanese teams: "aqui a gente usa", "na nossa equipe", "うちのチームでは", "このリポジトリでは"
    r"\b(aqui (a gente|nós|nos|no time|na equipe)? ?(usa|usamos|não usa|não usamos|sempre|nunca|prefere|preferimos)|"
    r"(na|da) nossa (equipe|empresa)|no nosso (time|projeto|repo|repositório|código)|neste (projeto|repo|repositório)|"
    r"nosso (padrão|estilo|guia)|a gente (usa|não usa|sempre|nunca|prefere)|todos os (meus|nossos) \w+|"
    r"todas as (minhas|nossas) \w+)\b|(うち(の(チーム|会社|部署|プロジェクト))?では|弊社では|当社では|社内(では|"
    r"の(ルール|規定))|"
    r"チームの(ルール|規約|方針)|この(リポジトリ|リポ|プロジェクト|コードベース)では|コーディング規約)|"
    # "fyi, ...", "heads up: ...", "pour info, ...", "zur Info, ...": the user telling the agent how things are
    r"^\W*(fyi|heads up|for the record|just so you know|pour info(rmation)?|zur info|nur zur info|"
    r"para que lo sepas|para tu información|供参考|顺便说一下|só pra você saber|pra constar|参考までに)\b", _I)
#: "we use that in a few of the report models": a practice in some places is a fact, not the house's rule; nor is
#: what keeps happening ("we always end up fielding questions")
_PARTIAL = re.compile(r"\b(in (a few|some|one|two|a couple) (of )?|some of (the|our)|sometimes|here and there|"
                      r"for now|at the moment|currently|always (end(s|ed)? up|seem|get stuck|run into|forget))\b|"
                      r"(有些|个别|部分|暂时)|\b(em alguns|às vezes|por enquanto|no momento|atualmente)\b|"
                      r"(一部の|たまに|ときどき|時々|今のところ|現状)", _I)
# A rule stated as how things are done here: "keys are snake_case", "errors go back as problem+json".
_POLICY = re.compile(
    r"\b(is|are|goes|go|get|gets|stays?|lives?|belongs?) (always |never |only )?(in|under|into|through|via|as|"
    r"our|kebab|snake|camel|pascal|lower|upper|[\w-]+case|prefixed|suffixed|named|pinned|required|"
    r"mandatory|forbidden|banned|not allowed|off limits|read-?only)\b|\b(here|in here|we|this (repo|codebase|team|"
    r"project)) (use|uses|do|does|don'?t|never|always|only|prefer|keep|write|name|put)\b|"
    # "PR descriptions here are three headings", "it's chi everywhere": how things are, said of the place
    r"\b[\w-]+ (here|in this (repo|codebase|team|project)) (are|is|have|has|get|take|follow|need|must)\b|"
    r"\bit'?s [\w.-]+ everywhere\b|\b[\w-]+ (style|format|convention|conventions|layout) (here|in this (repo|codebase|"
    r"team|project))\b|"
    r"(都(是|用|放|走|按)|统一|一律|按照|一般都|我们(都|一般|一律|统一|用|不用|不))|"
    r"\b(c'est|on utilise|on met|on fait|chez nous|ici on)\b|"
    r"\b(aqui (a gente |nós )?(usa|usamos|é|são|fica|ficam|vai|vão)|a gente (usa|não usa|sempre|nunca)|"
    r"(fica|ficam|vai|vão) (sempre )?(em|no|na|dentro d))\b|(で統一|に統一|は(全部|すべて|必ず)|にしています|"
    r"ことになっています)",
    _I)
# A constraint said without a verb, right after the agent's output: "bullets not paragraphs", "and table-driven
# tests w/ t.Run per case", "noch ein HEALTHCHECK auf /health", "还有单测".
_FRAGMENT = re.compile(
    r"^\W*[\w+#./:-]+( [\w+#./:-]+){0,3},? (not|instead of|over|rather than|statt|anstatt|plutôt que|pas|en vez de|"
    r"y no|而不是|不要|não|e não|em vez de|no lugar de)\s+\S|"
    r"^\W*(and|also|plus|oh and|noch|und|aussi|et aussi|y|además|también|还有|再加|另外)\s+(a |an |the |ein |eine |un |"
    r"une |los |las |el |la )?[\w+#./:-]+,?( [\w+#./:-]+,?){0,8}\W*$|"
    # "jira key first in the title": where a thing goes, said without a verb
    r"^\W*[\w+#./:-]+( [\w+#./:-]+){0,3} (first|last|on top|at the (top|start|end|bottom)) (in|of|on) "
    r"(the |each |every )?\w+|"
    # "then the primary metric with its CI": the next part of an order the previous sentence began
    r"^\W*(then|and then|after that|followed by|next|ensuite|puis|luego|después|dann|danach|然后|接着)\s*,?\s*"
    r"(the |a |an |le |la |les |el |los |die |der |das )?[\w%+#./:-]+( [\w%+#./:()-]+){0,10}\W*$",
    _I,
)
_CLAUSE_SPLIT = re.compile(r"\s*(?:[;；]|,\s+(?=(?:what|how|why|which|where|when|can you|could you|is there|are there|"
                           r"any idea|thoughts)\b)|,\s+(?=(?:but|because|since|so|as|cause|which|otherwise|last time|"
                           r"i'?m |i'?ve |we'?re |i "
                           r"|we |it |they |that'?s|this is|the \w+ (?:is|are|was|were)))|\s[–—-]{1,2}\s|"
                           r"\s\((?=[^)]*\)\s*$)|\b(?:because|since|cause|bc|so that|as otherwise|porque|pois|"
                           r"já que|senão a|senão o)\b|(?<=ので)、|(?<=から)、|、(?=(?:前回|以前|この前|なぜなら|"
                           r"というのも|私|僕|俺|上司が|うちの))|"
                           r"，(?=(?:因为|不然|否则|上次|我|我们|他|她|它|这样))|\b(?:car|parce que|sinon la)\b|"
                           r",\s+(?=(?:a minha|o meu|minha|meu|ele|ela|eles|elas|da última vez|senão)\b))\s*",
                           _I)
_EXPLAIN = re.compile(r"^(the last (guy|time|one|person)|(she|he|they) (reads?|uses?|needs?|hates?|likes?)|"
                      r"it (catches|breaks|means|saves|makes)|last time|i (always|never|keep|can'?t|don'?t|hate|know|"
                      r"think|mean|guess|read|use)|we (got|had|did|were)|it (was|is|gets|keeps|looks)|that'?s|this is|"
                      r"they|the kids|otherwise|上次|之前|因为|我(总是|老是|不|是|用的|就|先|做|试|昨天|今天|刚|已经|"
                      r"也)|结果|明白了|知道了|懂了|c'est|la dernière fois|da última vez|na última vez|semana passada|"
                      r"eu (sempre|nunca|acho|sei|uso|odeio|gosto)|ele|ela|eles|elas|senão|(a|o) (minha|meu) \w+ "
                      r"(é|está|tem|não|odeia|fica)|(minha|meu) \w+ (é|está|tem|não|odeia|fica))\b|"
                      r"^((前回|以前|この前|先週)(は|に|の|も|、)|(私|僕|俺|うちの子|子ども|子供)(は|が|も))|"
                      # a Japanese reason said on its own: "子どもが眠れないので。"
                      r"(ので|から|ため|んで)[。.！!]?\s*$", _I)

# An edit of this one artefact: its elements renamed, moved, resized, recoloured, or given new values.
_CONTENT_EDIT = re.compile(
    r"\b(rename|move|swap (the|these|those|them|it|its|places|positions)|swap [^,.;]{1,40} (for|with)|resize|"
    r"recolou?r|align|center|centre|indent|bump|replace \S+ with|change (the|it|this|that) "
    r"(\w+ )?(to|from)|make (the|it|this|that) (\w+ )?(bigger|smaller|larger|wider|narrower|taller|red|blue|green|"
    r"black|white|bold|italic|darker|lighter|async|static|public|private)|set (the )?\w+ to|fix (the|that|this) typo|"
    r"move (it|this|that)|put (it|this|that) (on|in|at|under|next)|the (logo|title|button|header|footer|image|font|"
    r"colou?r|date|name|heading|icon|background)\b)|"
    r"\b(drop|remove|delete|add|say|replace|change|mention|write|put|move|cut|keep|mets|enlève|retire|supprime|"
    r"remplace|écris|dis|quita|cambia|escribe|schreib|streich|ersetze|entferne)\b[^,.;]{0,20}"
    r"['\"‘“«„][^'\"’”»“]{1,40}['\"’”»“]|\b(add|say|tell (him|her|them)|mention to \w+) that\b|"
    r"^\W*(non |no |juste |just |nur )?[«„“][^»“”]{1,40}[»“”]|"
    r"\b(plus (grand|petit|gros|clair|foncé)|à (gauche|droite) d|en (rouge|vert|bleu|gras)|más (grande|pequeño|"
    r"oscuro|claro)|a la (izquierda|derecha)|en (rojo|verde|azul|negrita)|größer|kleiner|grün|links neben|"
    r"rechts neben|fett)\b|"
    r"(改名|重命名|移到|挪到|放大|缩小|换个颜色|改成(红|蓝|绿|黑|白)|把.{1,12}(改成|换成|挪到|删掉|去掉)|"
    r"(删掉?|去掉|改|换|挪|放到).{0,12}(这句|那句|那几句|这段|那段|这一段|标题)|(这句|那句|这段|那段|标题).{0,8}"
    r"(删|去掉|改|换|用你|挪)|用你这个|"
    r"['‘“「《][^'’”」》]{1,30}['’”」》].{0,4}(那句|这句|那段|这段|改成|挪到|删掉|换成|加上))|"
    r"\b(renomme|déplace|agrandis|rétrécis|change (le|la) (titre|couleur|date|nom))\b|"
    # one element of this artefact, pointed at: "drop the brownie joke", "make the last bullet about X"
    r"\b(drop|cut|remove|delete|lose|kill|lose|shorten|move|reword|swap) the (\w+ ){0,2}(joke|line|bit|part|paragraph|"
    r"sentence|bullet|section|intro|outro|emojis?|title|heading|word|table|column|row|photo|image|link|quote|"
    r"example|slide|sign-?off|greeting|opening|ending|p\.?s\.?)\b|"
    # ("the ask goes in the first line" places something: a structure, not an edit of one line)
    r"(?<!\bin )(?<!\bon )(?<!\bat )(?<!\binto )(?<!\bas )\bthe (first|last|second|third|next|previous|"
    r"final|opening|closing) (bullet|line|paragraph|sentence|section|slide|point|row|column|item|step)\b|"
    # "bullet 3 is a bit long", "slide 2", "le paragraphe 2": one numbered part of this artefact (a step of the
    # user's own procedure, "pour le point 3, ...", refines how the work is done: not one of these)
    r"\b(bullet|paragraph|para|slide|item|section|row|column|question|option|"
    r"puce|paragraphe|diapo|párrafo|diapositiva|absatz|folie) #?\d{1,2}\b|"
    # "the money bullet", "for 3.4", "bigger still", "left of the text": this artefact's parts, pointed at
    r"\bthe [\w-]+ (bullet|paragraph|slide|column|heading|banner|modal|button)\b|"
    r"(^|\b(for|in|on|at|under) )(item |question |section |point |q)?\d+\.\d+\b|"
    r"\b(bigger|smaller|larger|wider|narrower|taller|shorter|darker|lighter|bolder|thinner) still\b|"
    r"\b(left|right) of the\b|\b(on top of|underneath) the \w+\b|#[0-9a-fA-F]{6}\b|\b(a (bit|touch|little|tad) "
    r"(more|less|bigger|smaller|darker|lighter|bolder|higher|lower|wider)|add (a|an|one|another) (bullet|line|"
    r"paragraph|sentence|row|column|slide|note) (about|for|on|with))\b|"
    r"再.{0,4}(一点|一些|点儿?)|往(左|右|上|下)(挪|移|放|靠)?|(换|改)成.{0,3}(红|蓝|绿|黑|白|黄|紫|橙|灰)色?|"
    r"(粗|细|大|小|深|浅)一点|放到.{1,10}(前面|后面|上面|下面)|(删掉?|去掉)(最后|第.)一?(句|段|行|条|页)|"
    r"(字体|字号|颜色|背景)(换成|改成|调成)|(?-i:\b[A-Z]-\d{2,3}\b)|"
    r"\b(slide|page|section|chapter|figure|question|exercise) \d+\b|"
    r"\bthe ['\"‘“][^'\"’”]{1,40}['\"’”] (slide|section|bullet|paragraph|page|heading|column|tab)\b|"
    r"\bdrop the (others|rest)\b|"
    # Portuguese and Japanese: this artefact's parts, resized, recoloured, renamed, pointed at
    r"\b(mais (grande|pequeno|escuro|claro|largo|estreito)|maior|menor|à (esquerda|direita) d|em (vermelho|verde|azul|"
    r"negrito)|renomei[ae]|muda (o|a) (título|cor|nome|data|fonte)|troca (o|a) (título|cor|nome|data|fonte)|"
    r"(tira|remove|apaga) (o|a) (\w+ )?(parágrafo|frase|linha|título|slide|piada|foto|imagem|link|coluna|tópico))\b|"
    r"((大きく|小さく|太く|細く|赤く|青く|濃く|薄く)して|名前を.{1,12}に(変えて|変更)|タイトルを|色を.{0,8}(変え|に)|"
    r"「[^」]{1,30}」(を|は)(消して|削除|変えて|に変更|追加)|(右|左|上|下)に(移動|ずらして|寄せて)|"
    r"(最初|最後|\d+番目)の(行|段落|文|スライド|項目)を)", _I)
_TASK_SCOPED = re.compile(
    r"\b(for now|this time|for this (one|trip|time|file|pr|commit|change|email|version|branch|client|customer|guy|"
    r"pitch|deck|talk|demo|build|submission|event|party)|for the demo|just (this|here|once)|"
    r"right now|today|tonight|tomorrow|yet|until (i|we|product|the|it|they)|before i (review|check|look)|"
    r"temporarily|this (morning|afternoon|evening)|this (week|month|"
    r"weekend|sprint)|next week it|don'?t (copy|carry) (any of )?(this|it) (forward|over))\b|"
    r"(这次|这一次|暂时|先别|先不|先用|先放|下周再|今天|明天|目前先|只改这|这个函数|这个文件|这一个|这里的|就行|就好了|"
    r"只(处理|动|看|改)[^，,。]{0,6}这一?[列行个段]|这个页面|这个接口|这封)|"
    r"\b(just this once|only this once|this once)\b|\b(pour l'instant|pour cette fois|cette fois|pour le moment|"
    r"aujourd'hui|demain|pas encore|la semaine prochaine|ce matin|cet après-midi)\b|\b(nächste woche|heute|morgen früh|"
    r"la semana que viene|la próxima semana|esta mañana|hoy)\b|(今早|今天上午)|"
    r"\b(por (enquanto|agora)|(só )?(desta|dessa|esta|essa) vez|hoje|amanhã|semana que vem|ainda não|até (eu|o|a) "
    r"(revisar|aprovar|liberar)|temporariamente|provisoriamente|só (aqui|neste|nesse|nesta|nessa))\b|"
    # Japanese, in words Chinese does not write ("今日" and "一旦" are Chinese words too: only with kana)
    r"(今回|今だけ|今日(は|だけ|中)|明日(まで|は)|今週(は|中)|来週は|一旦(は|、)|いったん|とりあえず|ひとまず|当面は|暫定で|"
    r"このファイル|この関数|ここだけ)|"
    + TENTATIVE.pattern, _I)
#: what the speaker has or has not done ("we've never been", "i always forget"): a fact about them, no ask
_EXPERIENCE = re.compile(r"^\W*(and |but |so )?(i|we|they|he|she)('ve|'d| have| had)? (never|always|already|often) "
                         r"(been|seen|had|tried|used|heard|done|liked|understood|got|gotten|forget|forgot|end up|"
                         r"met)\b", _I)
#: this instance of the task, stated: "now I need to go to Rome in September", "do it for the shipments feed",
#: "现在给 retry.py 写 docstring": what to do this time, never how such work is done
_INSTANCE = re.compile(
    r"^\W*((ok|so|right|and|alright|vale|bon|gut)[,\s]+)?(now|ahora|jetzt|maintenant|là)[,\s]+(i|we|i'?ve|there'?s|"
    r"necesito|tengo|quiero|ich|wir|je|j'ai|il me faut|on a)\b|^\W*现在(给|帮|把|来|要|我)|"
    r"^\W*(i|we) (really )?(need|have|must|'ve got|got) to (go|fly|travel|be in|get to|head|visit)\b|"
    r"\b(ich|wir) (muss|müssen|fahre|fahren|fliege|fliegen)\b[^,.]{0,30}\bnach [A-ZÄÖÜ]|"
    r"\b(necesito|tengo que|quiero) (ir|viajar|volar)\b|\bil me faut\b|"
    r"^\W*((ok|então|beleza|certo|e)[,\s]+)?agora[,\s]+(eu |a gente )?(preciso|tenho|quero|temos|vou)\b|"
    r"\b(preciso|tenho que|quero) (ir|viajar|voar)\b|^\W*(今度は|今回は|次は).{0,20}(行く|行きます|旅行|出張)|"
    r"^\W*(now |then |ok |so )?(do|run) (it|this|the same)( one)? (for|on) (the|my|our|this)\b", _I)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One sentence of the user's that constrains how the task is done."""

    text: str
    kinds: tuple[str, ...]
    rule: str = ""                  # the instructing clauses alone (reasons and complaints dropped)
    content_edit: bool = False      # changes this artefact's elements rather than how such work is done
    task_scoped: bool = False       # "for now", "this time": about this task only

    @property
    def general(self) -> bool:
        """Says how this kind of task is done, beyond the artefact at hand."""
        return bool(self.kinds) and not self.task_scoped and not self.content_edit


#: "no wait thats wrong", "scratch that": the user taking back what they just said, not a constraint
_SELF_REVISION = re.compile(r"^\W*((no|nah|hmm+|actually|oh),?\s+wait\b|scratch that|never ?mind|forget (that|it)\b)",
                            _I)


def requirement(sentence: str, lang: str = "en") -> Requirement | None:
    """The requirement this sentence states (None: it instructs nothing or constrains nothing)."""
    kept: list[str] = []
    kinds: dict[str, None] = {}
    for clause in clauses(sentence):
        found = kinds_of(clause, lang)
        told = instructs(clause, lang) or policy(clause) or bool(found and _FRAGMENT.match(clause))
        if is_question(clause) or _EXPLAIN.match(clause) or is_complaint(clause) or _SELF_REVISION.match(clause) \
                or _INSTANCE.search(clause) or _EXPERIENCE.match(clause):
            continue
        if not told and not (found and (kept or set(found) - _WEAK)):
            continue  # a fact of this instance, not something asked for
        if not found and len(clause.split()) < 3 and not re.search(r"[\u3400-\u9fff]{4,}", clause):
            continue
        kept.append(clause)
        kinds.update(dict.fromkeys(found or ("rule",)))
    if not kept:
        return None
    rule = ", ".join(kept)
    if (_HOUSE.search(sentence) or EVERY_ONE.search(sentence)) and not _PARTIAL.search(sentence):
        kinds["house"] = None  # a rule of the team or the codebase: standing by definition
    return Requirement(sentence, tuple(kinds), rule, bool(_CONTENT_EDIT.search(rule)),
                       bool(_TASK_SCOPED.search(sentence)))


def policy(text: str) -> bool:
    """A rule stated as how things are done here ("keys are snake_case", "we never squash")."""
    return bool(_POLICY.search(text) or EVERY_ONE.search(text))


#: what every one of a kind gets: "every handler needs a timeout", "jeder Handler braucht", "每个接口都要":
#: a rule of the codebase or the work, stated as a fact
EVERY_ONE = re.compile(
    r"\b((every|each) (new )?([\w-]+ ){1,2}(needs|gets|has to|must|should|goes (in|into|through|to)|lives in|"
    r"belongs in)|"
    r"(jede[rsn]?|alle) (neuen? )?[\w-]+ (braucht|brauchen|muss|müssen|soll|sollen|bekommt|bekommen|kriegt|kriegen)|"
    r"cada [\w-]+ (nuevo |nueva )?(necesita|debe|lleva|tiene que)|chaque [\w-]+ (doit|a besoin|prend))\b|"
    r"每个.{1,8}?都(要|需要|得|必须)", _I)


def clauses(sentence: str) -> list[str]:
    """A sentence cut where reasons, complaints and asides usually begin."""
    parts = [p.strip(" ,，") for p in _CLAUSE_SPLIT.split(sentence) if p and p.strip(" ,，")]
    return parts or [sentence]


def kinds_of(text: str, lang: str = "en") -> tuple[str, ...]:
    """The requirement kinds whose cues this text carries."""
    tables = [_COMPILED["en"]]
    if lang == "pt":
        text = _PT_NO.sub("em", text)  # "no máximo", "no CI": "in the", never the English "no"
    japanese = lang == "ja" or bool(KANA.search(text))
    if (lang == "zh" or re.search(r"[\u3400-\u9fff]", text)) and not japanese:
        tables.append(_COMPILED["zh"])  # Chinese cues ("用", "先", "按") read Japanese kanji wrongly
    if japanese:
        tables.append(_COMPILED["ja"])
    if lang in ("fr", "es", "de", "pt"):
        tables.append(_COMPILED[lang])
    found: dict[str, None] = {}
    for table in tables:
        for kind, pattern in table.items():
            if pattern.search(text):
                found[kind] = None
    return tuple(found)


def instructs(text: str, lang: str = "en") -> bool:
    """Does this clause tell someone what to do (rather than state a fact)?"""
    if _INSTRUCT_EN.search(text):
        return True
    if lang == "ja" or KANA.search(text):
        return bool(_INSTRUCT_JA.search(text))
    if (lang == "zh" or re.search(r"[\u3400-\u9fff]", text)) and _INSTRUCT_ZH.search(text):
        return True
    if lang == "pt":
        return bool(_INSTRUCT_PT.search(text))
    if lang == "es":
        return bool(_INSTRUCT_ES.search(text))
    if lang == "de":
        return bool(_INSTRUCT_DE.search(text))
    return lang == "fr" and bool(_INSTRUCT_FR.search(text))


# Spanish and German imperatives: the tú/du forms people type to an assistant, "bitte", modals, "no/kein X"
_INSTRUCT_ES = re.compile(
    r"\b(usa|utiliza|haz|hazme|pon|añade|separa|marca|escribe|dame|evita|incluye|quita|deja|mantén|ordena|agrupa|"
    r"redondea|resume|revisa|comprueba|no (uses|pongas|añadas|escribas|hagas)|nada de|sin|siempre|nunca|máximo|"
    r"tiene que|debe|hay que|quiero|necesito|por favor|porfa)\b", _I)
_INSTRUCT_DE = re.compile(
    r"\b(bitte|mach|schreib|schreibe|nutze|verwende|benutze|halt|halte|füge|nimm|lass|plane|trage|kein(e|en)?|"
    r"ohne|immer|nie|niemals|soll|sollen|muss|müssen|darf nicht|höchstens|maximal|gilt)\b|"
    r"^\w+(en|ern|eln)\b.{0,40}$|\b\w+ (eintragen|einplanen|lassen|pinnen|laufen)\b|"
    # a participle as the constraint: "Version gepinnt", "nach Datum sortiert", "auf ganze Euro gerundet"
    r"\b\w+ (ge\w{3,}t|\w{3,}iert)\b(?! (hat|habe|haben|ist|sind|wurde|worden))", _I)
# Portuguese: the imperative (Brazilian "escreve", "faz"; European and formal "escreva", "faça"), modals, "sem X"
_INSTRUCT_PT = re.compile(
    r"\b(use|usa|utilize|utiliza|faça|faz|coloque|coloca|põe|ponha|bota|escreva|escreve|mantenha|mantém|adicione|"
    r"adiciona|inclua|inclui|evite|evita|separe|separa|organize|organiza|ordene|ordena|resuma|resume|traduza|traduz|"
    r"revise|revisa|deixe|deixa|tire|tira|remova|remove|mande|manda|responda|responde|rode|roda|confira|confere|"
    r"verifique|verifica|termine|termina|comece|começa|cite|indique|acrescente|prefira|lembre|lembra|"
    r"(não|nao) (use|usa|uses|coloque|coloca|ponha|ponhas|metas|bote|adicione|inclua|escreva|escrevas|escreve|faça|"
    r"faças|"
    r"faz|mexa|invente)|nada de|sem|usa|põe|mete|"
    r"sempre|nunca|jamais|no máximo|prefiro|quero|queria|preciso|tem que|têm que|deve|devem|precisa|por favor|pfv|"
    r"em vez de|no lugar de|ao invés de|tenta|tente)\b", _I)
# Japanese: requests end in "…てください", "…で", "…こと", "お願いします";
# "なし", "禁止" and "以内" instruct on their own
_INSTRUCT_JA = re.compile(
    r"(てください|て下さい|でください|で下さい|てほしい|て欲しい|てね|お願い|して$|して。|ように|べき|こと[。！]?$|"
    r"ないで|なしで|なし[。！]?$|抜きで|禁止|必ず|常に|いつも|毎回|今後|これから|優先|の方がいい|の方が良い|"
    r"ましょう|しろ|統一|以内|まで[。！]?$|にして|(?<!の)(?<!ん)で[。！]?$|でいい|でよい|にする|してくれ)")


_STRONG = re.compile(
    r"\b(instead of|rather than|in place of|stick (to|with)|switch to|prefer|sort(ed)? by|order(ed)? by|rank(ed)? by|"
    r"prioriti[sz]e|(at|on) (the )?top|lead with|every|each|all|always|never|only|both|in that order|"
    r"no \w+|make sure|ensure|before (you|committing|merging|pushing|fixing|opening|sending|shipping)|"
    r"first\b.*\bthen)\b|(而不是|代替|改用|换成|优先|排序|都要|每个|每次|一律|统一|先.{1,20}再)|"
    r"\b(plutôt que|au lieu de|préfère|chaque|toujours|tous les|d'abord)\b|"
    r"\b(em vez de|no lugar de|ao invés de|cada|sempre|nunca|todos os|todas as|primeiro)\b|"
    r"(代わりに|ではなく|じゃなくて|毎回|必ず|すべて|全部の|常に|を優先|優先して)", _I)


def _strong_single(clause: str, kinds: tuple[str, ...]) -> bool:
    """Weak kinds alone count when the clause says it firmly ("every", "instead of", "sorted by")."""
    return bool(_STRONG.search(clause)) or len(kinds) >= 3
