"""Names that say the task: `trip-planning`, `status-report-writing`, `api-endpoint`, `周报撰写`, `週報作成`.

A learned skill is found again by what it is for, so its name comes from the request
that set the task ("can you plan a 5-day family trip to Kyoto" -> `family-trip-planning`),
or, for a rule with no task around it, from what the rule is about
(`commit-messages`, `python-logging`), never from a generic word plus "-conventions".
Instance details (numbers, names after "to"/"for", this file) stay out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..skillmd import slugify
from .signals import KANA

#: a run of CJK characters (kana too: Japanese), or a Latin-script word, which ends where kana begin ("pytestを")
_WORD = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]{2,}|"
                   r"[^\W\d_\u3041-\u30ff\u3400-\u9fff](?:[^\W\u3041-\u30ff]|[+#.-])*(?:[^\W\u3041-\u30ff]|[+#])")
#: words that say how strongly or how politely, not what about: never a topic
NOT_TOPIC = set(
    """a an the and or but if then than so to of in on at by for with from into onto as is are be been being it its
    this that these those there here i me my we our you your they them he she his her please always never ever
    every each time times whenever default rule from now on going forward future don dont do does did not no nope
    use using used prefer rather instead favor favour stick go make sure must should shouldn need needs have has had
    remember run running write writing add adding keep get put let also just only all any some more most other
    same new old way thing things stuff something anything everything one ones before after when while until
    actually still again wrong right good better best bad like want wanted would could can will shall may might
    answer reply respond code file files line lines project repo repository codebase work working task tasks yes ok
    avoid stop start first last next them those over under via per etc directly enable enabled okay hey thanks thx up
    week weeks month months year years
    open create change update remove delete set call show give take short long small big large base simple
    plain proper properly correct correctly nice clean least even really very pls plz lol yeah yep sorry
    le la les de des du un une et ou que qui quoi dans pour par pas ne est sont avec sans sur au aux ce cet cette ces
    il elle ils elles nous vous tu te toi je me moi on en y mon ma mes ton ta tes son sa ses leur leurs plus moins
    toujours jamais chaque fois faut faire fais utilise utiliser ça cela tout tous toute toutes aussi mais donc
    module modules function functions class classes method methods variable variables value values version versions
    usd eur dollars euros words word pages page minutes hours days day people person bullets bullet items item
    max maximum minimum min less fewer least most much many lot lots bit dont doesnt cant wont isnt arent im ive id
    thats theres whats lets youre theyre didnt wasnt shouldnt wouldnt couldnt hasnt havent exist exists know see look
    think feel seem happen happens tell say said ask asks asked try find mean means help leave turn turns adds answers
    need want wants needs go goes went got gets give gives put puts make makes made come comes keep keeps sure
    back way ways kind sort lot bit part rest whole thing stuff something anyone someone everyone nothing else
    though already yet ever even still quite pretty super literally basically honestly probably maybe
    fine okay great awesome perfect better worse best worst nope yeah yep lol idk btw fyi tbh imo
    differently actually directly properly quickly clearly exactly usually really simply instead otherwise
    how what why where which who whose whom
    avant après voilà voici comment ceci chez
    el los las una unos con sin por para del al lo su sus mi mis tus esto eso este esta hay cada siempre nunca
    así nada todo todos también pero como muy más hazme dame
    der die das den dem des ein eine einen einem und oder ist sind nicht kein keine mit ohne für auf von zu im ins
    bei uns unser unsere mein meine dein ich du wir ihr sie es aber wie sehr alle immer nie bitte danke auch jeder
    jede jedes jeden soll sollen muss kurz vorweg dich mir mich dir halt mach schreib plane gilt seulement ensuite
    puis enfin deux trois quatre cinq dos tres zwei drei vier
    partir ahora luego después antes primero siempre necesito necesitas quiero quieres puedes hacer haz pon
    usa usar dime mira vale bueno gracias favor porfa cuando donde aquí allí ese esa esos esas otro otra otros
    ser estar tiene tienen tengo hay muy mucho poco solo sólo sin también ya aún todavía nuevo nueva mismo misma
    zum zur vom beim ans aufs aus auf an in im am um über unter vor nach seit bis durch gegen dass wenn weil ob
    noch schon nur erst dann danach zuerst jetzt hier dort mal gerne gern brauche brauchst will willst kannst
    kann mache machst rechne rechnest gib zeig nimm lass neue neuen neuer neues festen feste fest etwas
    dies diese dieser dieses jene welche alles nichts viel viele wenig mehr weniger gut besser
    très bien merci voilà peux veux besoin aussi toujours encore déjà juste vraiment
    maintenant quand dis dit dire mots mot objet chose choses truc trucs rien quelque quelques chaque celui celle
    ceux celles peu beaucoup trop mieux vrai bon bonne mauvais petit petite grand grande fois
    moment parce pourquoi combien lequel laquelle lesquels quel quelle quels quelles être avoir fait faites
    va vais vas allons allez vont doit doivent peut peuvent veut voulons sais sait savoir mettre mets met
    meinen meiner meines deinen deiner unseren unserer ihren ihrem ihre ihr wer was wo wann warum welche welcher
    welches man noch schon ganz gerade eben etwa sowie also oder sondern dabei dafür damit davon dazu hier
    heute morgen gestern mal sachen sache ding dinge leute
    ahora cuando quién quien qué cómo dónde donde porque mucho poco nada algo alguien cosa cosas gente
    vez veces bien mal mejor peor cada hacer hace hago quiero quieres tengo tienes
    os um uma uns umas do da dos das na nas ao aos pelo pela pelos pelas com sem pra não sim é são está estão
    estou foi ser ter tem isso isto esse essa aquele aquela meu minha meus minhas seu sua seus suas você vocês eu nós
    ele ela eles elas mas também já então sempre nunca jamais toda todas muito muita pouca coisa coisas obrigado
    obrigada valeu beleza aqui ali agora depois antes primeiro vezes partir padrão lugar invés frente diante daqui
    use usa usar usem faz faça fazer escreva escreve prefiro prefira quero queria preciso precisa deve devem pode
    podes deixe deixa coloque coloca põe ponha mantenha evite evita nada tudo algo alguém ainda hoje amanhã ontem
    mês meses dia dias ano só até sobre numa num dele dela assim bem mal melhor pior favor certo
    ótimo mesmo mesma outro outra outros outras novo nova quando onde porque qual quais quem como vai vou
    termina termine começa comece separa separe inclui inclua adiciona adicione rode roda manda mande módulo
    atualiza atualize verifica verifique confere confira abre abra fecha feche envia envie sobe suba coloca coloque
    valida valide validar
    arquivo arquivos função funções""".split()
)
_CJK_NOT_TOPIC = {"以后", "今后", "每次", "每当", "总是", "始终", "一律", "永远", "不要", "禁止", "不准", "必须",
                  "务必", "一定", "记住", "默认", "优先", "使用", "用户", "然后", "最后", "之前", "之后", "时候",
                  "现在", "从现", "在起", "一定要", "不能", "别再", "而不是", "需要", "帮我", "一下", "可以", "我们",
                  "你们", "这个", "那个", "一个", "还是", "就是", "不是", "没有", "这样", "那样", "怎么", "什么",
                  "很好", "不错", "好的", "谢谢", "看下", "看一下", "辛苦", "太长", "太短", "太多", "下面", "上面",
                  "如下", "以下"}
#: ... and Japanese: when, how firmly and how politely, never what about
_JA_NOT_TOPIC = set("""これから 今後 以後 以降 毎回 常に 必ず 絶対 禁止 使用 利用 以内 以下 以上 最大 全体 全部 今回
    今日 明日 来週 今週 先週 場合 必要 確認 お願い ください デフォルト 基本的 原則 前回 以前 最初 最後 一旦 毎日
    毎週 毎月 自分 感じ 部分 内容 方法 説明 問題 大丈夫 本当 一緒 ありがとう よろしく すみません 違 優先 代 形式
    程度 ファイル 関数 クラス メソッド 変数 モジュール コード 処理 機能 出力 作成 修正 対応""".split())
_JA_CUES = ("以内", "以下", "禁止", "必須", "厳禁", "不要", "以降", "毎回", "今後")
_JA_TERM = re.compile(r"[\u30a1-\u30fa\u30fc\u3400-\u9fff]{2,}")
_CJK_CUT = re.compile(
    "|".join(sorted(_CJK_NOT_TOPIC, key=len, reverse=True))
    + "|[的了在是和与及或先再前后时要不别请用把给对就都也还又从以每次跑做写让被将个这那些吗呢吧啊我你他她它想]"
)

# English task verbs: verb -> (what the skill's name adds, the description's verb).
_VERBS: dict[str, tuple[str, str]] = {
    "plan": ("planning", "Plans"), "write": ("writing", "Writes"), "draft": ("writing", "Drafts"),
    "review": ("review", "Reviews"), "summarize": ("summary", "Summarizes"), "summarise": ("summary", "Summarises"),
    "translate": ("translation", "Translates"), "fix": ("fixing", "Fixes"), "debug": ("debugging", "Debugs"),
    "refactor": ("refactoring", "Refactors"), "test": ("testing", "Tests"), "document": ("documentation", "Documents"),
    "analyze": ("analysis", "Analyzes"), "analyse": ("analysis", "Analyses"), "book": ("booking", "Books"),
    "prepare": ("preparation", "Prepares"), "organize": ("organizing", "Organizes"),
    "organise": ("organising", "Organises"), "schedule": ("scheduling", "Schedules"), "design": ("design", "Designs"),
    "deploy": ("deployment", "Deploys"), "release": ("release", "Releases"), "migrate": ("migration", "Migrates"),
    "update": ("update", "Updates"), "clean": ("cleanup", "Cleans up"), "optimize": ("optimization", "Optimizes"),
    "format": ("formatting", "Formats"), "convert": ("conversion", "Converts"), "compare": ("comparison", "Compares"),
    "research": ("research", "Researches"), "rewrite": ("rewriting", "Rewrites"), "edit": ("editing", "Edits"),
    "proofread": ("proofreading", "Proofreads"), "estimate": ("estimation", "Estimates"),
    "calculate": ("calculation", "Calculates"), "track": ("tracking", "Tracks"), "cook": ("cooking", "Cooks"),
    "buy": ("shopping", "Shops for"), "shop": ("shopping", "Shops for"), "build": ("", "Builds"),
    "create": ("", "Creates"), "make": ("", "Makes"), "add": ("", "Adds"), "implement": ("", "Implements"),
    "generate": ("", "Generates"), "set": ("setup", "Sets up"), "setup": ("setup", "Sets up"),
    "configure": ("configuration", "Configures"), "find": ("search", "Finds"), "suggest": ("suggestions", "Suggests"),
    "recommend": ("recommendations", "Recommends"), "outline": ("outline", "Outlines"),
    "reply": ("reply", "Replies to"), "respond": ("reply", "Replies to"), "answer": ("answers", "Answers"),
    "explain": ("explanation", "Explains"), "investigate": ("investigation", "Investigates"),
    "triage": ("triage", "Triages"), "profile": ("profiling", "Profiles"), "package": ("packaging", "Packages"),
    "containerize": ("containerization", "Containerizes"), "ship": ("release", "Ships"), "run": ("", "Runs"),
    "put": ("", "Puts together"), "come": ("", "Comes up with"), "do": ("", "Does"), "bump": ("upgrade", "Bumps"),
    "upgrade": ("upgrade", "Upgrades"), "port": ("port", "Ports"), "audit": ("audit", "Audits"),
    "turn": ("", "Turns notes into"), "need": ("", "Prepares"), "want": ("", "Prepares"), "get": ("", "Gets"),
    "give": ("", "Gives"), "send": ("", "Sends"), "prep": ("preparation", "Prepares"), "quiz": ("quiz", "Quizzes on"),
    "check": ("check", "Checks"), "help": ("", "Helps with"), "sort": ("", "Sorts out"), "tidy": ("cleanup", "Tidies"),
    "wire": ("", "Wires up"), "hook": ("", "Hooks up"), "sketch": ("", "Sketches"),
    "brainstorm": ("ideas", "Brainstorms"), "compile": ("", "Compiles"), "produce": ("", "Produces"),
    "polish": ("editing", "Polishes"), "improve": ("", "Improves"), "cut": ("release", "Cuts"),
    "handle": ("handling", "Handles"), "look": ("review", "Looks over"), "go": ("review", "Goes over"),
    "redo": ("rewriting", "Redoes"), "tweak": ("editing", "Tweaks"), "mock": ("mockup", "Mocks up"),
}
#: verbs whose object is who the message goes to ("email my landlord", "text the parents' group")
_TO_SOMEONE = {"email": "email", "e-mail": "email", "text": "message", "message": "message", "ping": "message",
               "dm": "message", "whatsapp": "message"}
_LEAD = re.compile(
    r"^\s*((hi|hey|hello|ok(ay)?|so|um+|hmm+|right|alright|yo|morning|quick one|quick question)\b[\s,.!:-]*)*"
    r"((can|could|would|will) (you|u)( please)?( help me)?|please|pls|help me( to)?|i (need|want|would like|'d like)"
    r"( you)?( to)?|i'?m (trying|going|looking) to|we need to|let'?s|time to|i have to|need to|need you to|"
    r"go ahead and|i'd love (it if you could|you to))?\s*", re.I)
_CODE = re.compile(r"`[^`]*`|\S*[/\\]\S*|#\d+|\b\w+\.\w{1,5}\b")
_STOP = re.compile(r"\b(to|for|in|at|on|with|from|about|by|under|below|over|into|that|which|who|where|when|so|and|but|"
                   r"because|since|if|like|using|based|before|after|while|per|around|within|without|than)\b|[,.;:!?()\[\]\"]",
                   re.I)
_DROP = set("a an the my our your their his her this that these those some any me us it one two three four five six "
            "seven eight nine ten few couple new quick small little simple short long big full nice good proper "
            "basic first next whole entire please pls plz thanks thx real actual another".split())
#: "a 5-day trip", "a two week plan": the length of this one, not the kind of task
_UNITS = set("day days week weeks night nights month months hour hours minute minutes year years page pages word words "
             "day-long week-long".split())
#: what people ask for: a name ends at the first of these in the object ("weekly status report for my boss")
DELIVERABLES = set(
    """report reports status update updates summary summaries digest itinerary itineraries trip trips plan plans
    email emails letter letters post posts message messages reply replies recipe recipes menu budget review reviews
    test tests suite endpoint endpoints api migration migrations component components screen screens page pages
    workflow workflows pipeline dockerfile image readme docs documentation docstring docstrings changelog commit commits
    description descriptions pr prs adr adrs query queries model models script scripts function functions module class
    schema dashboard chart charts spreadsheet invoice invoices quiz flashcards notes agenda slides deck proposal brief
    checklist release releases deploy deployment backfill fix fixes handler middleware service job cron config
    template resume cv application newsletter announcement speech toast essay story article blog tweet thread
    getaway holiday vacation weekend booking schedule routine workout meal meals list breakdown analysis forecast
    estimate spec ticket tickets issue issues branch hook hooks alert alerts runbook playbook audit triage
    icon icons logo asset assets certificate certificates cert certs return returns postmortem postmortems
    post-mortem worksheet worksheets exercises lesson lessons subcommand subcommands command commands dto dtos
    entity entities controller controllers view views form forms rule rules manifest manifests chart-release
    reservation reservations visa presentation talk talks interview interviews offer offers contract contracts
    survey surveys poll questionnaire translation translations caption captions thumbnail thumbnails""".split()
)
#: what skills are about, in coding and everyday work: a name prefers these over incidental words
DOMAIN = DELIVERABLES | set(
    """python typescript javascript rust golang java kotlin swift sql bash shell css html react vue svelte
    angular node deno django flask fastapi rails spring pandas numpy pytest jest vitest playwright cypress docker
    kubernetes k8s helm terraform ansible aws gcp azure s3 lambda postgres postgresql mysql sqlite redis kafka
    graphql grpc rest http https json yaml toml csv markdown git github gitlab ci cd actions jenkins lint linter
    eslint prettier ruff mypy black flake8 typing types type logging logs logger log metrics tracing monitoring
    errors error exception exceptions retries retry timeout timeouts cache caching auth authentication
    authorization permissions secrets secret credentials env config configuration dependency dependencies
    package packages lockfile version versioning semver tag tags rebase merge squash commit message messages
    naming imports import exports export barrel formatting style accessibility a11y i18n l10n localization
    translations strings mobile android ios frontend backend database db index indexes transaction backups
    security vulnerability vulnerabilities performance perf profiling benchmark latency memory concurrency async
    queue worker workers cron jobs events webhook webhooks sdk cli flags flag feature features fixtures mocks
    mock factory factories coverage regression regressions flaky docstring comments notebook notebooks
    dataframe etl dbt warehouse analytics dashboard kpi okr travel flight flights hotel hotels train itinerary
    packing food cooking baking recipe recipes grocery groceries diet nutrition meal workout fitness health
    medication doctor budget budgeting expenses expense spending savings tax taxes invoice bills finance
    investing shopping purchase gifts gift wedding party birthday calendar meeting meetings scheduling
    timezone availability email inbox newsletter writing essay blog linkedin tweet social presentation slides
    study exam exams revision homework language vocabulary reading research sources citations paper papers
    grant grants funding proposal resume cv interview job jobs application cover letter letters translation
    summary notes minutes agenda standup retro postmortem incident incidents oncall runbook deploys rollout
    rollback canary hotfix changelog release releases migration migrations schema api endpoint endpoints
    component components screen screens state theme tokens design figma storybook stories css-modules""".split()
) | set(
    # the tools, libraries and ideas a coding rule is usually about: a rule naming one is about it
    """pathlib datetime asyncio subprocess argparse dataclasses dataclass pydantic sqlalchemy alembic celery httpx
    requests pip poetry uv tox nox conda venv jupyter polars pyarrow parquet spark airflow pylint isort bandit
    pep8 docstrings typehints annotations generics enum enums decorator decorators fixture unittest hypothesis
    anyhow thiserror serde tokio clippy cargo unwrap lifetimes traits goroutine goroutines gofmt golangci
    npm pnpm yarn bun webpack vite esbuild rollup tailwind nextjs nuxt remix express nestjs prisma drizzle zod
    redux zustand tanstack hooks jsx tsx tsconfig strict nullable null optional optionals swiftui uikit combine
    xcode fastlane gradle maven junit mockito hibernate jetpack compose coroutines flutter dart nginx systemd
    prometheus grafana sentry datadog opentelemetry kubectl argocd istio vault shellcheck bats powershell cmake
    clang gcc valgrind rspec rubocop laravel composer dotnet csharp nuget xunit mongodb elasticsearch dynamodb
    bigquery snowflake redshift clickhouse cte ctes join joins subquery subqueries orm jwt oauth sso cors csrf
    xss tls ssh gpg pagination validation sanitization injection encryption hashing rate-limit ratelimit
    i18next gettext storage cookies sessions websocket websockets streaming serialization deserialization
    immutability mutation mutations fetch axios promise promises callbacks dependency-injection di clock
    mainactor concurrency threads threading locks transactions isolation indexing partitioning sharding
    notebook changelogs semver conventional commits trunk gitflow pull-request code-review lockfiles
    units metric imperial grams kilograms celsius fahrenheit currency timezones""".split()
)
#: what a session's code says it is written in: fence languages and file extensions -> the stack's name
_STACKS = {
    "python": "python", "py": "python", "pyi": "python", "ipynb": "python", "rust": "rust", "rs": "rust",
    "typescript": "typescript", "ts": "typescript", "tsx": "react", "jsx": "react", "javascript": "javascript",
    "js": "javascript", "mjs": "javascript", "vue": "vue", "svelte": "svelte", "go": "go", "golang": "go",
    "sql": "sql", "swift": "swift", "kotlin": "kotlin", "kt": "kotlin", "java": "java", "hcl": "terraform",
    "tf": "terraform", "terraform": "terraform", "sh": "shell", "bash": "shell", "zsh": "shell", "shell": "shell",
    "dockerfile": "docker", "ruby": "ruby", "rb": "ruby", "php": "php", "csharp": "csharp", "cs": "csharp",
    "cpp": "cpp", "cc": "cpp", "hpp": "cpp", "c++": "cpp", "scala": "scala", "dart": "dart", "ex": "elixir",
    "exs": "elixir", "elixir": "elixir", "lua": "lua", "r": "r",
}
#: a name holding one of these already says where it applies
STACK_NAMES = set(_STACKS.values()) | {"django", "flask", "fastapi", "rails", "spring", "ansible", "kubernetes", "k8s",
                                       "helm", "nextjs", "ios", "android", "swiftui", "pandas", "pytest", "jest"}
_FENCE = re.compile(r"```[ \t]*([\w+#-]+)")
_EXTENSION = re.compile(r"(?<![\w/])(?:[\w.-]+/)*[\w-]+\.([a-z]{1,6})\b(?![\w(])|\b(Dockerfile)\b")


def stack_of(texts: list[str]) -> str | None:
    """The language or platform a coding session works in (`rust`, `terraform`), if its code says one.

    Read from code fences and file names, what every coding transcript has, so a rule the user
    gives there ("no unwrap() outside tests") is named for where it applies.
    """
    counts: dict[str, int] = {}
    for text in texts:
        for m in _FENCE.finditer(text):
            stack = _STACKS.get(m.group(1).lower())
            if stack:
                counts[stack] = counts.get(stack, 0) + 2  # a fence says it outright
        for m in _EXTENSION.finditer(text):
            stack = _STACKS.get((m.group(1) or m.group(2)).lower())
            if stack and stack != "r":
                counts[stack] = counts.get(stack, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] >= 2 else None

_ZH_VERBS = ("规划", "计划", "安排", "撰写", "编写", "写", "整理", "准备", "设计", "翻译", "总结", "制定", "生成",
             "实现", "添加", "修复", "优化", "重构", "review", "审查", "检查", "分析", "做", "起草", "回复", "制作",
             "部署", "发布", "迁移", "配置", "测试", "记录", "统计", "汇总", "润色", "改写")
_ZH_NOUN_VERB = {"写": "撰写", "做": "制作", "编写": "编写", "计划": "规划"}
_FR_VERBS: dict[str, str] = {
    "planifier": "planification", "planifie": "planification", "organiser": "organisation", "organise": "organisation",
    "écrire": "rédaction", "écris": "rédaction", "rédiger": "rédaction", "rédige": "rédaction",
    "préparer": "préparation", "prépare": "préparation", "résumer": "résumé", "résume": "résumé",
    "traduire": "traduction", "traduis": "traduction", "corriger": "correction", "corrige": "correction",
    "analyser": "analyse", "analyse": "analyse", "créer": "création", "crée": "création", "faire": "", "fais": "",
    "ajouter": "ajout", "ajoute": "ajout", "écrit": "rédaction", "relire": "relecture", "relis": "relecture",
    "tester": "tests", "teste": "tests", "déployer": "déploiement", "déploie": "déploiement", "migrer": "migration",
    "générer": "génération", "génère": "génération", "réviser": "révision", "revoir": "revue", "calculer": "calcul",
    "calcule": "calcul", "réserver": "réservation", "chercher": "recherche", "cherche": "recherche",
    "trouver": "recherche", "trouve": "recherche", "proposer": "propositions", "propose": "propositions",
    "proposes": "propositions", "comparer": "comparaison", "compare": "comparaison", "répondre": "réponse",
    "réponds": "réponse",
}
_FR_DROP = set("un une le la les des du de d' l' mon ma mes ton ta tes notre nos votre vos ce cet cette ces moi nous "
               "petit petite nouveau nouvelle rapide".split())
_FR_STOP = re.compile(r"\b(à|a|pour|en|dans|sur|avec|chez|sans|de la|du|des|au|aux|qui|que|si|et|mais|avant|après|"
                      r"moins|sous)\b|[,.;:!?()]", re.I)


# Spanish and German: the imperative people type -> what the name adds; words dropped from the object; where
# the object ends. Spanish puts the kind of work first ("redacción-post-linkedin"), German last ("k6-lasttest").
_ES_VERBS = {
    "escribe": "redacción", "escríbeme": "redacción", "escribir": "redacción", "redacta": "redacción",
    "redáctame": "redacción", "hazme": "", "haz": "", "prepara": "preparación", "prepárame": "preparación",
    "planifica": "planificación", "planea": "planificación", "organiza": "organización", "organízame": "organización",
    "resume": "resumen", "resúmeme": "resumen", "traduce": "traducción", "tradúceme": "traducción", "busca": "búsqueda",
    "búscame": "búsqueda", "añade": "", "crea": "", "créame": "", "revisa": "revisión", "calcula": "cálculo",
    "analiza": "análisis", "genera": "", "diseña": "diseño", "monta": "", "arma": "", "armame": ""}
_DE_VERBS = {
    "schreib": "", "schreibe": "", "erstelle": "", "erstell": "", "mach": "", "mache": "", "plane": "planung",
    "plan": "planung", "bereite": "vorbereitung", "fasse": "zusammenfassung", "übersetze": "übersetzung",
    "übersetz": "übersetzung", "prüfe": "prüfung", "prüf": "prüfung", "rechne": "berechnung", "such": "suche",
    "suche": "suche", "füge": "", "bau": "", "baue": "", "entwirf": "entwurf", "formuliere": "", "organisiere":
    "organisation"}
_OTHER: dict[str, tuple[dict[str, str], set[str], re.Pattern[str]]] = {
    "es": (_ES_VERBS, set("un una unos unas el la los las lo de del al mi mis tu tus su sus me te nos por favor porfa "
                          "nuevo nueva pequeño rápido".split()),
           re.compile(r"\b(para|en|con|que|cuando|por|sobre|sin|desde|hasta|si|y|pero|como|a)\b|[,.;:!?()]", re.I)),
    "de": (_DE_VERBS, set("mir uns dir ein eine einen einem einer der die das den dem des mein meine meinen unser "
                          "unsere unseren bitte mal kurz noch neuen neue neues kleinen kleine schnell".split()),
           re.compile(r"\b(für|zu|zum|zur|mit|auf|in|im|an|am|bei|von|vom|nach|über|um|und|oder|aber|dass|wenn|"
                      r"was|wie|ob|aus)\b|[,.;:!?()]", re.I)),
}


# Portuguese: Brazilian "escreve", "faz", "monta", European and formal "escreva", "faça", "prepare"; like Spanish,
# the kind of work comes first, with its object after "de" ("revisão de pull request")
_PT_VERBS = {
    "escreva": "redação", "escreve": "redação", "escrever": "redação", "redija": "redação", "redige": "redação",
    "faz": "", "faça": "", "fazer": "", "prepara": "preparação", "prepare": "preparação", "preparar": "preparação",
    "planeja": "planejamento", "planeje": "planejamento", "planejar": "planejamento", "planeia": "planeamento",
    "planeie": "planeamento", "revisa": "revisão", "revise": "revisão", "revisar": "revisão", "resume": "resumo",
    "resuma": "resumo", "resumir": "resumo", "traduz": "tradução", "traduza": "tradução", "traduzir": "tradução",
    "cria": "", "crie": "", "criar": "", "monta": "", "monte": "", "montar": "", "organiza": "organização",
    "organize": "organização", "corrige": "correção", "corrija": "correção", "analisa": "análise", "analise": "análise",
    "calcula": "cálculo", "calcule": "cálculo", "gera": "", "gere": "", "elabora": "elaboração",
    "elabore": "elaboração", "sugere": "sugestões", "sugira": "sugestões", "procura": "busca", "busca": "busca",
    "desenha": "desenho", "desenhe": "desenho", "refatora": "refatoração", "refatore": "refatoração",
    "implementa": "implementação", "implemente": "implementação", "documenta": "documentação",
    "documente": "documentação", "configura": "configuração", "configure": "configuração", "otimiza": "otimização",
    "otimize": "otimização", "migra": "migração", "migre": "migração", "explica": "explicação",
    "explique": "explicação", "testa": "testes"}
_OTHER["pt"] = (_PT_VERBS, set("o a os as um uma uns umas de do da dos das no na nos nas meu minha meus minhas seu "
                               "sua nosso nossa me nos te por favor pf pfv novo nova pequeno pequena rápido rápida "
                               "esse essa este esta isso".split()),
                re.compile(r"\b(para|pra|pro|em|com|que|quando|por|sobre|sem|desde|até|se|e|mas|como|onde|pelo|"
                           r"pela|porque)\b|[,.;:!?()]", re.I))
#: Portuguese forms that are English words too ("prepare", "organize", "revise"): never taken for a task verb there
_PT_AS_EN = {"prepare", "organize", "revise", "configure"}
_ALL_VERBS = set(_FR_VERBS) | set(_ES_VERBS) | set(_DE_VERBS) | {"sucht", "suchen", "brauche", "cherches", "busco"} \
    | (set(_PT_VERBS) - _PT_AS_EN)


@dataclass(frozen=True, slots=True)
class TaskName:
    """A task as the skill names and describes it."""

    slug: str        # the skill's name: "family-trip-planning"
    phrase: str      # "plan family trips" / "规划家庭旅行"
    does: str        # "Plans family trips"
    when: str        # "planning family trips"
    trigger: str     # "plan a family trip"


def task_name(request: str, lang: str) -> TaskName | None:
    """The task a request sets, or None when no task verb and object can be read from it."""
    if lang == "ja" or KANA.search(request[:40]):
        return _task_ja(request)
    if lang == "zh" or re.search(r"[\u3400-\u9fff]{2,}", request[:40]):
        return _task_zh(request)
    if lang == "fr":
        return _task_fr(request) or _task_en(request)
    if lang == "pt":  # English verbs in a Portuguese request are its nouns ("antes de cada release: ...")
        return _task_other(request, lang)
    if lang in _OTHER:
        return _task_other(request, lang) or _task_en(request)
    return _task_en(request)


#: the user says when a rule applies: "whenever I ask you to explain a concept", "以后帮我排会议都按这几条来"
_OCCASION = (
    re.compile(r"\b(?:whenever|every ?time|each time|next time|any ?time|when|if) i "
               r"(?:(?:ask|send|give)(?: you)?|(?:need|want) you)(?: for| to| about)?\s+(?P<x>[^.,;:!?]{3,60})", re.I),
    re.compile(r"以后(?:帮我|给我|替我|你)?(?P<x>(?![在这那])[\u3400-\u9fff]{2,8}?)(?:都|就|也)(?:按|照|用)"),
    re.compile(r"(?:chaque fois|la prochaine fois|quand|lorsque) (?:que )?je (?:te |vous )?demande (?:de |d'|des? |"
               r"une? )?(?P<x>[^.,;:!?]{3,60})", re.I),
    re.compile(r"(?:cada vez|siempre|la próxima vez) que (?:te )?pida (?:que )?(?P<x>[^.,;:!?]{3,60})", re.I),
    re.compile(r"(?:immer|jedes ?mal),? wenn ich (?:dich )?(?:nach |um )?(?P<x>[^.,;:!?]{3,60}?) "
               r"(?:frage|bitte|brauche)", re.I),
    re.compile(r"(?:sempre|toda vez|cada vez|da próxima vez|quando) que (?:eu )?(?:te |lhe |você )?"
               r"(?:pedir|pedi|mandar) (?:para |pra |que )?(?P<x>[^.,;:!?]{3,60})", re.I),
)
#: "週報を頼むときは", "議事録をまとめるときは": the Japanese occasion, its object and verb
_OCCASION_JA = re.compile(r"(?P<x>[\u30a1-\u30fa\u30fc\u3400-\u9fffA-Za-z]{2,12})(?:を|の)"
                          r"(?P<v>頼む|頼んだ|お願いする|依頼する|書く|書いてもらう|作る|作ってもらう|まとめる|"
                          r"翻訳する|レビューする|計画する|立てる)"
                          r"(?:とき|時|際|場合)")
_JA_OCCASION_NOUN = {"書く": "作成", "書いてもらう": "作成", "作る": "作成", "作ってもらう": "作成",
                     "まとめる": "まとめ", "翻訳する": "翻訳", "レビューする": "レビュー", "計画する": "計画",
                     "立てる": "計画"}
_OCCASION_LEAD = re.compile(r"^(?:me |you |to |for |about |with |an? |the |some |anything about )+", re.I)


def occasion(text: str, lang: str) -> TaskName | None:
    """The task a user names as the occasion of their rules ("whenever I ask for a cross-timezone slot"):
    what the skill is for, in the user's own words, whatever this session's request was."""
    ja = _OCCASION_JA.search(text)
    if ja is not None:
        x = _JA_INSTANCE.sub("", ja.group("x")) or ja.group("x")
        noun_of = _JA_OCCASION_NOUN.get(ja.group("v"), "")
        name = x if x.endswith(noun_of) else x + noun_of
        return TaskName(slugify(name), name, name, name, f"{x}を{ja.group('v')}")
    for pattern in _OCCASION:
        m = pattern.search(text)
        if m is None:
            continue
        raw = re.split(r"\s+(?:and|or|then|but|so|i|we|please|pls|et|y|und|ou|o|oder)\s+", m.group("x").strip(),
                       maxsplit=1, flags=re.I)[0].strip()
        about = re.match(r"^(?:you )?(?:anything |questions? )?about ", raw, re.I) is not None
        x = _OCCASION_LEAD.sub("", raw)
        named = task_name(x, lang)
        if named is not None and not set(named.slug.split("-")) & NOT_TOPIC:
            return named
        if re.fullmatch(r"[\u3400-\u9fff]{2,8}", x):
            return TaskName(x, x, x, x, x)
        words = [w.lower() for w in _WORD.findall(x.split(" to ")[0])]
        words = [w for w in words if w not in NOT_TOPIC and not w.isdigit()][:3]
        if words and len(x.split()) <= 6:
            shown = " ".join(words)
            if about:
                return TaskName(slugify("-".join(words)), f"answer questions about {shown}",
                                f"Answers questions about {shown}", f"asked about {shown}", shown)
            return TaskName(slugify("-".join(words)), shown, f"Prepares {_a(words)}", f"asked for {_a(words)}", shown)
    return None


def has_task_verb(sentence: str, lang: str) -> bool:
    """Does this sentence ask for a piece of work (a request), whether or not a name can be read from it?"""
    if lang == "ja" or KANA.search(sentence[:40]):
        return any(v in sentence[:60] for v, _ in _JA_VERBS) or bool(re.search(r"(を|の)(お願い|頼みたい|依頼)",
                                                                              sentence[:60]))
    if lang == "zh" or re.search(r"[\u3400-\u9fff]{2,}", sentence[:40]):
        return any(v in sentence[:24] for v in _ZH_VERBS) or bool(
            re.search(
                r"(帮我|给我|麻烦|请你?|能不能|想让你|一下|加一?个|改一下|改成|修一下|查一下|跑一下)", sentence[:30]
            )
        )
    label = re.match(r"^\W*(?:[\w-]+ ){0,2}([\w-]+)\s*:", sentence)
    if label and label.group(1).lower() in DELIVERABLES:
        return True  # "query: users who signed up in may ...": a piece of work asked for by its label
    words = [w.lower().strip(",.:;!?'\"`") for w in _LEAD.sub("", sentence).split()[:8]]
    if lang == "pt":
        words = [re.sub(r"-(me|nos|lhe|lhes|te)$", "", w) for w in words]  # "faz-me", "prepara-me"
    return any(w in _VERBS or w in _TO_SOMEONE or w in _FR_VERBS or any(w in verbs for other, (verbs, _, _) in
                                                                     _OTHER.items() if other != "pt")
               or ((lang == "pt" or w not in _PT_AS_EN) and w in _PT_VERBS) for w in words)


def _task_en(request: str) -> TaskName | None:
    s = _LEAD.sub("", " ".join(_CODE.sub(" ", request).split())).strip()
    words = s.split()
    for i, raw in enumerate(words[:8]):
        verb = raw.lower().strip(",.:;!")
        if verb in _TO_SOMEONE and i + 1 < len(words) and not words[i + 1].lower().startswith(("me", "it", "them")):
            # "email my landlord about the boiler": the one it goes to is this instance; the task is the message
            kind = _TO_SOMEONE[verb]
            return TaskName(f"{kind}-writing", f"write {kind}s", f"Writes {kind}s", f"asked to write {_a([kind])}",
                            f"write {_a([kind])}")
        if verb not in _VERBS:
            continue
        rest = " ".join(words[i + 1:])
        low = rest.lower()
        if verb in ("set", "clean", "come", "put", "wire", "hook", "sort", "tidy", "look", "go", "mock", "help") and \
                low.startswith(("up ", "together ", "with ", "over ", "through ", "out ", "at ", "me with ", "me ")):
            rest = rest.split(" ", 2)[2] if low.startswith("me with ") else rest.split(" ", 1)[1] if " " in rest else ""
        if verb == "turn" and " into " in f" {low} ":
            rest = rest[low.index("into") + 4:]
        head = _STOP.split(rest, maxsplit=1)[0]
        obj = [w.lower().strip("'\"`") for w in head.split()]
        obj = [w for w in obj if w not in _DROP and w not in _UNITS and not re.search(r"\d", w) and w.isascii()
               and not (w.endswith("ly") and w in NOT_TOPIC)  # "actually", "really": how, not what
               and w not in DATES and w not in _FILLER
               and not w.endswith("'s") and len(w) > 1 and re.fullmatch(r"[a-z][a-z+#-]*", w)]
        ends = [n for n, w in enumerate(obj) if w in DELIVERABLES or w.rstrip("s") in DELIVERABLES]
        if ends:
            last = ends[0]
            while last + 1 < len(obj) and last + 1 in ends:  # "status report", "cover letter"
                last += 1
            obj = obj[max(0, ends[0] - 2): last + 1]
        obj = obj[:3]
        if not obj:
            continue
        noun, does = _VERBS[verb]
        if verb in ("need", "want", "get", "give", "send", "turn", "help", "do") and not ends:
            continue  # "need you to ..." with no deliverable: the real verb comes later
        slug = slugify("-".join(obj + ([noun] if noun and noun not in obj else [])))
        plural = _plural(obj)
        shown = verb if noun or verb not in ("need", "want", "get", "turn", "help") else "prepare"
        return TaskName(slug, f"{shown} {plural}", f"{does} {plural}", f"asked to {shown} {_a(obj)}",
                        f"{shown} {_a(obj)}")
    return None


def _task_zh(request: str) -> TaskName | None:
    s = re.sub(r"^(你好|嗨|请|麻烦|帮我|帮忙|能不能|可以|我想|我需要|我要|给我|替我|你)+", "", request.strip())
    for verb in _ZH_VERBS:
        at = s.find(verb)
        if at < 0 or at > 12:
            continue
        rest = re.split(r"[，,。.！!？?；;：:\s]", s[at + len(verb):], maxsplit=1)[0]
        rest = re.sub(r"^成?(一下|一个|一份|一篇|一封|个|份|篇|封|下|一套|一些)?", "", rest)  # 写成周报: 周报
        rest = re.sub(r"[\d一二三四五六七八九十两几]+(天|日|晚|个|份|人|周|月|年|页|条|篇|次)的?", "", rest)
        noun = rest.split("的")[-1] if "的" in rest else rest
        noun = noun[:10]
        if len(noun) < 2:
            continue
        verb_noun = _ZH_NOUN_VERB.get(verb, verb)
        slug = slugify(f"{noun}{verb_noun}")
        return TaskName(slug, f"{verb_noun}{noun}", f"{verb_noun}{noun}", f"{verb_noun}{noun}", f"{verb}{noun}")
    return None


#: Japanese requests: the verb's te-form (longest first) -> the noun the name ends with, as `週報作成`, `議事録まとめ`
_JA_VERBS: tuple[tuple[str, str], ...] = (
    ("計画を立てて", "計画"), ("プランを立てて", "計画"), ("リファクタリングして", "リファクタリング"),
    ("レビューして", "レビュー"), ("チェックして", "チェック"), ("デプロイして", "デプロイ"), ("テストして", "テスト"),
    ("下書きして", "下書き"), ("作成して", "作成"), ("計画して", "計画"), ("準備して", "準備"), ("用意して", "準備"),
    ("要約して", "要約"), ("翻訳して", "翻訳"), ("修正して", "修正"), ("整理して", "整理"), ("提案して", "提案"),
    ("設計して", "設計"), ("実装して", "実装"), ("追加して", "追加"), ("添削して", "添削"), ("分析して", "分析"),
    ("更新して", "更新"), ("まとめて", "まとめ"), ("立てて", "計画"), ("書いて", "作成"), ("作って", "作成"),
    ("訳して", "翻訳"), ("直して", "修正"), ("調べて", "調査"), ("考えて", "案"),
)
#: what an object's last part says too little alone: the part before it says which ("PRの説明文" -> PR説明文)
_JA_VAGUE = {"説明", "説明文", "文章", "内容", "計画", "予定", "プラン", "案", "資料", "一覧", "リスト", "コード",
             "スクリプト", "ファイル", "メモ", "テキスト", "関数", "クラス", "処理", "機能"}
_JA_INSTANCE = re.compile(r"^(この|その|あの|今週|来週|先週|今月|来月|今日|明日|私|僕|俺|うち)(の)?|"
                          r"[\d０-９一二三四五六七八九十]+(日間|泊|日|人|件|個|つ|枚|ページ|時間|週間|か月|ヶ月)(の)?")


_JA_OBJECT = re.compile(r"[\u30a1-\u30fa\u30fc\u3400-\u9fff]{2,}|[A-Za-z][A-Za-z0-9+#.-]*")


def _task_ja(request: str) -> TaskName | None:
    s = re.sub(r"^(すみません|お疲れ様です|こんにちは|あの|えっと|ちょっと)[、,。\s]*", "", request.strip())
    for verb, noun_of in _JA_VERBS:
        at = s.find(verb)
        if at < 0 or at > 60:
            continue
        terms: list[str] = []
        # the object is in the clause before the verb, or (when that clause says only how) in the one before it:
        # "コミットメッセージは英語で、Conventional Commits形式で書いて"
        for before in reversed(re.split(r"[、。，,：:！!？?]", s[:at])):
            before = before.strip()
            if before.endswith("で") and not re.search("[をは]", before):
                continue  # "英語で", "Conventional Commits形式で": how it is done, not what
            if before.endswith(("を", "は", "も")):
                obj = before[:-1]  # "設定ファイルを読み込む関数を": the whole phrase, its head last
            else:
                # "READMEを英語に": README; "コミットメッセージは英語で": what "は" marks is what it is about
                obj = before.rsplit("を", 1)[0] if "を" in before else before.rsplit("は", 1)[0]
            parts = [p for p in (_JA_INSTANCE.sub("", x) for x in obj.split("の")) if p]
            terms = [t for p in parts for t in _JA_OBJECT.findall(p) if t not in _JA_NOT_TOPIC]
            if terms:
                break
        if not terms:
            continue
        noun = terms[-1]
        if noun == noun_of and len(terms) >= 2:
            noun = terms[-2]  # "旅行の計画を立てて": 旅行計画
        elif noun in _JA_VAGUE and len(terms) >= 2:
            noun = terms[-2] + noun
        noun = noun[:12]
        name = f"{noun}{noun_of}" if noun != noun_of else noun
        return TaskName(slugify(name), name, name, name, f"{noun}{'の' if 'を' in verb else 'を'}{verb}")
    # "議事録の作成をお願いします": the work named as a noun
    m = re.search(r"(?P<x>[\u30a1-\u30fa\u30fc\u3400-\u9fffA-Za-z]{2,12})の"
                  r"(?P<v>作成|翻訳|レビュー|修正|要約|まとめ|計画|準備|添削|整理)を(お願い|して|頼)", s)
    if m:
        name = m.group("x") + m.group("v")
        return TaskName(slugify(name), name, name, name, f"{m.group('x')}の{m.group('v')}")
    return None


def _task_fr(request: str) -> TaskName | None:
    s = re.sub(r"^\s*((salut|bonjour|coucou|ok|alors|bon)\b[\s,!]*)*((est-ce que )?(tu peux|peux-tu|pourrais-tu|"
               r"tu pourrais|j'ai besoin que tu|je voudrais que tu|aide-moi à|merci de|il faut)\s+)?", "",
               " ".join(request.split()), flags=re.I)
    words = s.split()
    for i, raw in enumerate(words[:6]):
        verb = raw.lower().strip(",.:;!")
        if verb.startswith("m'") or verb.startswith("me"):
            continue
        if verb not in _FR_VERBS:
            continue
        head = _FR_STOP.split(" ".join(words[i + 1:]), maxsplit=1)[0]
        obj = [w.lower().strip("'\"") for w in re.split(r"\s+|'", head)]
        obj = [w for w in obj if w and w not in _FR_DROP and w not in DATES and not re.search(r"\d", w)
               and len(w) > 1][:3]
        if not obj:
            return None
        noun = _FR_VERBS[verb]
        slug = slugify("-".join(([noun] if noun else []) + obj))
        what = " ".join(obj)
        return TaskName(slug, f"{verb} {what}" if verb.endswith("r") else f"{noun} {what}".strip(),
                        f"{(noun or verb).capitalize()} {what}", f"{noun or verb} {what}", f"{verb} {what}")
    return None


def _task_other(request: str, lang: str) -> TaskName | None:
    verbs, drop, stop = _OTHER[lang]
    words = " ".join(_CODE.sub(" ", request).split()).split()
    for i, raw in enumerate(words[:6]):
        verb = raw.lower().strip(",.:;!¡¿")
        if lang == "pt":
            verb = re.sub(r"-(me|nos|lhe|lhes|te)$", "", verb)  # European "prepara-me", "faz-me"
        if verb not in verbs:
            continue
        head = stop.split(" ".join(words[i + 1:]), maxsplit=1)[0]
        said = head.split()
        if lang == "pt":  # "uma viagem a Lisboa": a capitalised word is this instance's place or person
            said = [w for w in said if not (w[:1].isupper() and w[1:2].islower())]
        obj = [w.lower().strip("'\"") for w in said]
        obj = [w for w in obj if w and w not in drop and not _not_a_topic(w) and not re.search(r"\d", w[:1])
               and len(w) > 1][:2]
        if not obj:
            return None
        noun = verbs[verb]
        what = " ".join(obj)
        if lang == "pt" and len(obj) == 2:  # "resumo da reunião", not "resumo reunião"
            low = [w.lower() for w in said]
            if obj[0] in low and obj[1] in low and set(low[low.index(obj[0]) + 1:low.index(obj[1])]) & \
                    {"de", "do", "da", "dos", "das"}:
                what = f"{obj[0]} de {obj[1]}"
        first = lang in ("es", "pt")
        parts = ([noun] if noun else []) + obj if first else obj + ([noun] if noun else [])
        slug = slugify("-".join(parts))
        shown = (f"{noun} de {what}" if lang == "pt" and noun else f"{noun} {what}".strip()) if first else \
            f"{what} {noun}".strip()
        return TaskName(slug, shown, shown[0].upper() + shown[1:], shown, f"{verb} {what}")
    return None


def topic_name(topics: list[str], lang: str, *, workflow: bool = False) -> str:
    """A name from what a rule is about: `commit-messages`, `release-workflow`, `提交流程`."""
    words = [w for n, w in enumerate(topics[:3]) if not any(_stem(w) == _stem(v) for v in topics[:n])][:2] or \
        ["workflow" if workflow else "working-style"]
    if workflow and words[-1] not in ("workflow", "流程", "手順"):
        words = [*words[:2], "流程" if lang == "zh" and not words[0].isascii() else
                 "手順" if lang == "ja" and not words[0].isascii() else "workflow"]
    return slugify("-".join(words))


def _stem(w: str) -> str:
    """`migrations` and `migration`, `tests` and `test`: one topic."""
    return re.sub(r"(ies|es|s)$", "", w) if w.isascii() and len(w) > 4 else w


def rank_topics(texts: list[str], *, boost: str = "") -> list[str]:
    """Topic words of `texts`, most telling first: what the work is about (DOMAIN), said often, said in `boost`.

    The first two come back in the order they were first said ("commit messages", not "messages commit").
    """
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    boosted = set(topic_words(boost))
    # a capitalised word inside a sentence is a name of this instance (a person, a client, a city): never the topic
    named = {w.lower() for text in [boost, *texts] for w in _PROPER.findall(text)} - DOMAIN
    # what a rule writes as an identifier (unwrap(), anyhow::Result, @MainActor, for_each) is what it is about
    code = {w.lower().strip(".-") for text in texts for m in _CODE_SHAPED.finditer(text)
            for w in _WORD.findall(next(g for g in m.groups() if g))}
    pos = 0
    for text in [boost, *texts] if boost else texts:
        for w in dict.fromkeys(topic_words(text)):
            first.setdefault(w, pos)
            pos += 1
            if text is boost and boost:
                continue
            score[w] = score.get(w, 0.0) + 1.0
    for w in list(first):
        if w in named or re.search(r"-(moi|toi|nous|me|te|mir|mich)$", w):
            score.pop(w, None)
            first.pop(w)
            continue
        score[w] = score.get(w, 0.0) + (2.5 if _domain(w) else 0.0) + (1.5 if w in code else 0.0) \
            + (1.0 if w in boosted else 0.0) \
            - (1.5 if w.isascii() is not False and not re.fullmatch(r"[a-z][a-z0-9+#-]*", w) else 0.0)
    best = sorted(score, key=lambda w: (-score[w], first[w]))[:4]
    return sorted(best[:2], key=lambda w: first[w]) + best[2:]


_CODE_SHAPED = re.compile(r"\b([A-Za-z_]\w+)\(\)|\b([A-Za-z]\w+)::\w|@([A-Z]\w+)|"
                          r"\b([a-z]+(?:_[a-z]+)+)\b")
#: "10h30", "h30", "9am", "15min", "40k": times and amounts of this instance, never a topic
_CLOCK = re.compile(r"^(\d+h\d*|h\d+|\d+(am|pm|min|mins|k|m|kg|km|gb|mb)|\d+[.:]\d+)$")
_PROPER = re.compile(r"(?<=[a-z0-9,;:] )[A-Z][a-z]{2,}\b(?![-./])")


def is_domain(w: str) -> bool:
    """Is this word about what work is (a deliverable, a technology, a kind of task)?"""
    return _domain(w)


def _domain(w: str) -> bool:
    if not w.isascii():
        return any(term in w for term in DOMAIN_ZH) or any(term in w for term in DOMAIN_JA) or w in DOMAIN_PT
    return w in DOMAIN or w.rstrip("s") in DOMAIN or (w.endswith("ies") and w[:-3] + "y" in DOMAIN)


#: the same for Chinese: a term containing one of these says what the work is
DOMAIN_ZH = set(
    """旅行 行程 出行 旅游 机票 酒店 周报 日报 月报 报告 汇报 总结 邮件 回复 文案 文章 公众号 演讲 简历 求职 面试
    菜谱 食谱 做菜 菜单 饮食 健身 训练 预算 账单 记账 开支 支出 花销 理财 报销 发票 会议 日程 安排 约会 时间
    代码 测试 单测 接口 文档 注释 提交 合并 评审 审查 发布 上线 部署 镜像 容器 依赖 配置 日志 异常 报错 数据库
    查询 样式 组件 页面 表单 前端 后端 脚本 迁移 分支 版本 翻译 成语 文风 写作 风格 指标 数据 报表 图表 论文 综述
    文献 作业 复习 考试 课程""".split()
)


#: ... Japanese (katakana loanwords and kanji terms of work) ...
DOMAIN_JA = set(
    """コミット メッセージ テスト レビュー ログ ドキュメント メール レポート スライド プレゼン スクリプト リリース
    デプロイ ブランチ エラー 設計 実装 仕様 日報 週報 月報 議事録 報告書 提案書 見積 資料 翻訳 旅行 出張 献立 レシピ
    予算 家計 請求書 契約 面接 履歴書 記事 ブログ 投稿 原稿 企画 日程 会議 打ち合わせ 英語 日本語 命名 依存 本番
    障害 pytest logging""".split()
)
#: ... and Portuguese spellings the English list does not have
DOMAIN_PT = set(
    """relatório relatórios reunião reuniões ata atas viagem viagens roteiro orçamento cardápio receita receitas
    testes mensagem mensagens currículo apresentação planilha tabela contrato proposta resumo tradução código
    documentação lançamento tarefas orçamentos faturas fatura artigo artigos postagem redação erros erro""".split()
)


#: months and weekdays (en, fr, es, de): when this instance happens, never what a skill is about
DATES = set(
    """january february march april june july august september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
    sat janvier février mars avril mai juin juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi
    vendredi samedi dimanche enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    lunes martes miércoles jueves viernes sábado domingo januar februar märz juni juli oktober dezember montag dienstag
    mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa janeiro fevereiro março abril maio junho julho agosto
    setembro outubro novembro dezembro segunda terça quarta quinta sexta sábado domingo segunda-feira terça-feira
    quarta-feira quinta-feira sexta-feira""".split()
)
#: words that count, point or fill ("two", "same", "anything"): they never say what the work is
_FILLER = set("of anything something everything nothing same other any all some more most two both either neither "
              "which what whatever mind against nächste nächsten nächster nächstes letzte letzten estoy estás está "
              "próximo próxima prochain prochaine voy vas vamos alguna alguno algún algunas algunos info fyi "
              "heads".split())


def _not_a_topic(low: str) -> bool:
    # a task verb in any language we read ("redacta", "cherche", "sucht") says what is done, not what about
    return low in NOT_TOPIC or low in DATES or low in _FILLER or low in _ALL_VERBS


def topic_words(text: str) -> list[str]:
    """What a sentence is about: technical nouns and CJK terms, generic verbs, dates and markers removed."""
    out = []
    for w in _WORD.findall(text):
        if KANA.search(w):
            # Japanese: its terms are the katakana and kanji runs; hiragana are particles and endings
            out += [b for b in _JA_TERM.findall(w) if 2 <= len(b) <= 10 and b not in _JA_NOT_TOPIC
                    and not any(b.startswith(x) or b.endswith(x) for x in _JA_CUES)]
        elif w[0] >= "\u3400":
            out += [b for b in _CJK_CUT.split(w) if 2 <= len(b) <= 6 and b not in _CJK_NOT_TOPIC]
        else:
            low = w.lower().strip(".-")
            if len(low) >= 2 and not _not_a_topic(low) and not low.isdigit() and not _CLOCK.match(low):
                out.append(low)
    return out


def restates(earlier: list[str], now: list[str], *, share: float = 0.5, said_again: bool = False) -> bool:
    """Does one of `now` say again what one of `earlier` said (the same topic words, mostly)?

    Two shared words are needed, one when the user says it is a repeat ("again", "as last time").
    """
    def words(text: str) -> set[str]:
        return {w for w in topic_words(text) if len(w) >= 3 or not w.isascii()}

    olds = [w for w in map(words, earlier) if w]
    for new in filter(None, map(words, now)):
        for old in olds:
            common = new & old
            if common and len(common) >= share * min(len(new), len(old)) and len(common) >= (1 if said_again else 2):
                return True
    return False


def _plural(obj: list[str]) -> str:
    last = obj[-1]
    if last.endswith(("s", "x", "ch", "sh", "ing")) or last in ("code", "data", "feedback", "documentation",
                                                                "research"):
        return " ".join(obj)
    if last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
        return " ".join([*obj[:-1], last[:-1] + "ies"])
    return " ".join([*obj[:-1], last + "s"])


def _a(obj: list[str]) -> str:
    phrase = " ".join(obj)
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase
