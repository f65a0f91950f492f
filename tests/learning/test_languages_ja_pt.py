"""Japanese and Portuguese (Brazilian and European) sessions, offline: read in their language, standing rules
learned and named for their task in the user's words, one-offs, questions, complaints and quoted tickets left alone.

The sessions are invented for these tests, built like test_offline_rules.py's: the user and the agent in turn.
"""

from __future__ import annotations

import pytest

from autoskill_mcp import skillmd
from autoskill_mcp.learning import rules
from autoskill_mcp.learning.candidate import Candidate
from autoskill_mcp.learning.evidence import Evidence, gate, gather
from autoskill_mcp.learning.naming import task_name
from autoskill_mcp.learning.noise import is_complaint, is_question
from autoskill_mcp.learning.requirements import requirement
from autoskill_mcp.learning.session import Event, Kind, Role, Session
from autoskill_mcp.learning.signals import DirectiveKind, directives, is_correction, language


def session(*turns: tuple[str, str], agent: str = "claude-code") -> Session:
    events = [
        Event(Role.USER if who == "u" else Role.ASSISTANT, Kind.PROMPT if who == "u" else Kind.REPLY, text, uid=str(i))
        for i, (who, text) in enumerate(turns)
    ]
    return Session("s-lang", agent, events)


def constraints(cand: Candidate) -> list[str]:
    return [line[2:] for line in cand.instructions.splitlines() if line.startswith("- ")]


def learned(turns: list[tuple[str, str]]) -> tuple[Evidence, list[Candidate]]:
    evidence = gather(session(*turns))
    decision = gate(evidence)
    assert decision.passed and decision.verdict == "pass", decision.reason
    cands = rules.extract(evidence)
    assert cands
    for cand in cands:
        skill = cand.to_skill(user_id="u1", session_id="s-lang", agent="claude-code")
        errors = [d for d in skillmd.validate(skillmd.render(skill), path=f"{skill.name}/SKILL.md")
                  if d.severity == "error"]
        assert not errors, errors
        for line in constraints(cand):  # the last guard, on what was actually written
            assert not is_question(line) and not is_complaint(line), line
    return evidence, cands


# -- language --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("これからはコミットメッセージは英語で書いてください", "ja"),
    ("今回だけテストを飛ばしてもいいですか", "ja"),
    ("箇条書きで三行以内にまとめてください", "ja"),
    ("daqui pra frente, sempre use pytest nos testes", "pt"),
    ("não use print para logs, por favor", "pt"),
    ("Estás sempre a esquecer o ponto e vírgula, isso não pode ser", "pt"),
    ("Escreve o relatório semanal de status do projeto", "pt"),
    # the others stay what they were
    ("以后提交信息都用英文写", "zh"),
    ("no uses print para los logs, usa el módulo logging", "es"),
    ("usa slog con campos estructurados, nada de Printf, así lo parsea nuestro Loki", "es"),
    ("N'utilise jamais de tabulations, merci de garder les espaces", "fr"),
    ("Bitte nie direkt auf main pushen, immer über einen PR", "de"),
    ("no, do it as a list and push it to github.com", "en"),
])
def test_the_language_is_told_by_kana_and_by_the_words_only_portuguese_uses(text: str, lang: str) -> None:
    assert language(text) == lang


@pytest.mark.parametrize(("text", "kind", "weight"), [
    ("これからはコミットメッセージは英語で書いてください。", DirectiveKind.ALWAYS, 1.0),
    ("今後、PRの説明は箇条書きでお願いします。", DirectiveKind.ALWAYS, 1.0),
    ("本番のDBは絶対に直接触らないでください。", DirectiveKind.NEVER, 1.0),
    ("printは使わないでください。", DirectiveKind.NEVER, 0.6),
    ("テストはpytestの方がいいです。", DirectiveKind.PREFER, 0.7),
    ("daqui pra frente, sempre use pytest", DirectiveKind.ALWAYS, 1.0),
    ("A partir de agora, escreva as mensagens de commit em inglês.", DirectiveKind.ALWAYS, 1.0),
    ("não use print para logs", DirectiveKind.NEVER, 0.6),
    ("Evite abreviações nos nomes de variáveis.", DirectiveKind.NEVER, 0.6),
    ("prefiro respostas curtas", DirectiveKind.PREFER, 0.7),
    ("Use pytest em vez de unittest.", DirectiveKind.PREFER, 0.7),
])
def test_directive_cues_in_japanese_and_portuguese(text: str, kind: DirectiveKind, weight: float) -> None:
    [d] = directives(text)
    assert (d.kind, d.weight) == (kind, weight)


@pytest.mark.parametrize("text", [
    "いつもどうやってテストのモックを作っていますか？",       # a question, whatever word it uses
    "いつも忘れるんだけど、rebaseのやり方は？",
    "毎回CIが落ちる。",                                      # what keeps happening
    "今回だけ、テストは飛ばしてデプロイしてください。",         # this time only
    "Você sempre usa pytest nos seus exemplos?",
    "Estou sempre a esquecer como se faz rebase.",           # the speaker about themselves
    "O teste sempre falha no CI.",
    "Só desta vez, pode pular os testes.",
])
def test_questions_habits_and_this_time_only_are_no_directives(text: str) -> None:
    assert directives(text) == []


def test_corrections_open_with_a_rejection_in_both_languages() -> None:
    assert is_correction("違います、printではなくloggingを使ってください")
    assert is_correction("そうじゃなくて、もっと短く")
    assert is_correction("長すぎます。3行で")
    assert is_correction("Não, assim não. Usa o logging.")
    assert is_correction("Errado, o formato é ISO 8601")
    assert is_correction("Na verdade, prefiro em tópicos")
    assert not is_correction("ありがとう、完璧です")
    assert not is_correction("Valeu, ficou ótimo")
    assert not is_correction("No final, coloca os riscos numa tabela.", "pt")  # "no": in the


def test_questions_and_complaints_are_told_apart_from_requests() -> None:
    assert is_question("これで合っていますか。") and is_question("E qual é a diferença para o unittest?")
    assert not is_question("箇条書きにしてもらえますか？")      # asked politely, still a request
    assert not is_question("Você pode fazer em tópicos?")
    assert not is_question("誰でも分かるように書いてください。")
    assert is_complaint("まだ動かないです。") and is_complaint("同じエラーが出ます。")
    assert is_complaint("O login ainda não funciona, continua dando erro 500.")
    assert is_complaint("Continua igual, não funciona.")
    assert not is_complaint("Não use print para logs.")


@pytest.mark.parametrize(("text", "lang", "kinds"), [
    ("箇条書きで、全体を10行以内にしてください。", "ja", {"format", "limit"}),
    ("専門用語はなしで、上司向けの丁寧な敬語でお願いします。", "ja", {"exclude", "tone", "audience"}),
    ("雨の場合の代替案も各日に入れてください。", "ja", {"fallback", "include"}),
    ("Em tópicos, no máximo 8 itens.", "pt", {"format", "limit"}),
    ("Sem jargão técnico, o público é a diretoria.", "pt", {"exclude", "audience"}),
    ("Responde sempre em português, num tom informal.", "pt", {"language", "tone"}),
])
def test_requirement_kinds_are_read_from_each_languages_own_words(text: str, lang: str, kinds: set[str]) -> None:
    req = requirement(text, lang)
    assert req is not None and req.general and kinds <= set(req.kinds)


def test_a_portuguese_in_the_is_no_english_no() -> None:
    req = requirement("Roda os testes no CI antes do merge.", "pt")
    assert req is None or "exclude" not in req.kinds


@pytest.mark.parametrize(("request_", "lang", "slug"), [
    ("チームの週報を書いて", "ja", "週報作成"),
    ("来週の京都旅行の計画を立ててください", "ja", "京都旅行計画"),
    ("今日の会議の議事録をまとめて", "ja", "議事録まとめ"),
    ("このPRをレビューして", "ja", "prレビュー"),
    ("READMEを英語に翻訳して", "ja", "readme翻訳"),
    ("ログイン画面のバグを修正して", "ja", "バグ修正"),
    ("Escreve o relatório semanal de status do projeto", "pt", "redação-relatório-semanal"),
    ("Revisa esse pull request, por favor", "pt", "revisão-pull-request"),
    ("Me faz um resumo da reunião", "pt", "resumo-reunião"),
    ("Prepara-me um plano de treino para a semana", "pt", "preparação-plano-treino"),
    ("Traduz o README para inglês", "pt", "tradução-readme"),
    ("Planeja uma viagem de 5 dias a Lisboa", "pt", "planejamento-viagem"),  # the place is this trip's
])
def test_requests_name_their_task(request_: str, lang: str, slug: str) -> None:
    named = task_name(request_, lang)
    assert named is not None and named.slug == slug and skillmd.is_valid_name(named.slug)


# -- Japanese sessions -----------------------------------------------------------------------------------------


def test_japanese_directive_becomes_a_japanese_skill_named_for_what_it_is_about() -> None:
    ev, [cand] = learned([
        ("u", "ユーザー登録APIのエンドポイントを実装して"),
        ("a", "実装しました。コミットメッセージは「ユーザー登録APIを追加」としました。"),
        ("u", "ありがとう。これからはコミットメッセージは英語で、Conventional Commits形式で書いてください。"),
    ])
    assert ev.language == "ja" and "directive" in gate(ev).reason
    assert cand.name == "コミットメッセージ作成"
    assert cand.instructions.startswith("# 目的\n") and "# 制約とスタイル" in cand.instructions
    assert constraints(cand) == ["これからはコミットメッセージは英語で、Conventional Commits形式で書いてください。"]
    assert cand.description.startswith("コミットメッセージ作成をこのユーザーの求めるやり方で行う：")


def test_japanese_correction_keeps_the_rule_not_the_rejection() -> None:
    ev, [cand] = learned([
        ("u", "CSVを読み込んで集計するスクリプトを書いて"),
        ("a", "print()で進捗を表示するようにしました。"),
        ("u", "違います、printでログを出さないでください。"
              "今後はloggingモジュールを使って、ログレベルも必ず設定してください。"),
    ])
    assert ev.turns[1].correction == "feedback"
    assert "never" in gate(ev).reason and "in corrections" in gate(ev).reason
    assert "csv" in cand.name and cand.name != "working-style"
    lines = constraints(cand)
    assert "printでログを出さないでください。" in lines  # "違います、" is how it was said, not the rule
    assert any("loggingモジュール" in line for line in lines)


def test_japanese_requirements_built_over_turns_make_the_weekly_report_skill() -> None:
    ev, [cand] = learned([
        ("u", "チームの週報を書いて"),
        ("a", "週報の下書きです……"),
        ("u", "箇条書きで、全体を10行以内にしてください。"),
        ("a", "修正しました……"),
        ("u", "専門用語はなしで、上司向けの丁寧な敬語でお願いします。まだ表のレイアウトが崩れています。"),
        ("a", "修正しました……"),
        ("u", "最後に来週の予定を3点まで入れてください。来週の分も同じ形式で大丈夫ですか？"),
        ("a", "追加しました……"),
    ])
    assert "requirements in 3 turn(s)" in gate(ev).reason
    assert cand.name == "週報作成"
    assert constraints(cand) == ["箇条書きで、全体を10行以内にしてください。",
                                 "専門用語はなしで、上司向けの丁寧な敬語でお願いします。",
                                 "最後に来週の予定を3点まで入れてください。"]  # the complaint and the question stay out


def test_japanese_trip_requirements_keep_the_rules_and_drop_the_reason() -> None:
    _, [cand] = learned([
        ("u", "来月の家族旅行の計画を立てて"),
        ("a", "3泊4日のプランです……"),
        ("u", "予算は一人5万円以内でお願いします。"),
        ("a", "調整しました……"),
        ("u", "夜行バスはなしで。子どもが眠れないので。"),
        ("a", "新幹線に変えました……"),
        ("u", "雨の場合の代替案も各日に入れてください。"),
        ("a", "追加しました……"),
    ])
    assert cand.name == "家族旅行計画"
    assert constraints(cand) == ["予算は一人5万円以内でお願いします。", "夜行バスはなしで。",
                                 "雨の場合の代替案も各日に入れてください。"]


def test_japanese_steps_become_the_occasions_workflow() -> None:
    _, [cand] = learned([("u", "リリースの前に：テストを実行 -> CHANGELOGを更新 -> タグを付けてpush"),
                         ("a", "了解しました。")])
    assert cand.name == "リリース-手順"
    assert "# 手順\n1. テストを実行。\n2. CHANGELOGを更新。\n3. タグを付けてpush。" in cand.instructions


JA_ONE_OFFS = [
    [("u", "いつもどうやってテストのモックを作っていますか？"), ("a", "unittest.mockを使うことが多いです。"),
     ("u", "なるほど、pytestのフィクスチャと比べてどちらがいいですか？"), ("a", "場合によります……")],
    [("u", "ログイン画面が動かない。ボタンを押すとエラーが出ます。"), ("a", "原因を修正しました。"),
     ("u", "まだ動かないです。同じエラーが出ます。"), ("a", "もう一度見直しました。"),
     ("u", "やっぱり動きません。毎回500エラーになります。"), ("a", "ログを確認します。")],
    [("u", "今回だけ、テストは飛ばしてステージングにデプロイしてください。"), ("a", "デプロイしました。"),
     ("u", "今回だけなので、lintの警告も無視していいです。"), ("a", "了解です。")],
    [("u", "このチケットを実装して：「ログは常にJSON形式で出力すること。printは絶対に使わないこと。」"),
     ("a", "実装しました。")],
    [("u", "いつも忘れるんだけど、直前のコミットを取り消すにはどうすればいい？"),
     ("a", "git reset --soft HEAD~1 です。")],
]


# -- Portuguese sessions ---------------------------------------------------------------------------------------


def test_brazilian_directive_becomes_a_portuguese_skill() -> None:
    ev, [cand] = learned([
        ("u", "Escreve os testes do módulo de pagamentos"),
        ("a", "Criei os testes com unittest.TestCase ..."),
        ("u", "Valeu. Daqui pra frente, sempre use pytest, nunca unittest, e não use print para logs."),
    ])
    assert ev.language == "pt" and "directive" in gate(ev).reason
    assert "pytest" in cand.name
    assert cand.instructions.startswith("# Objetivo\n") and "# Restrições e estilo" in cand.instructions
    assert constraints(cand) == ["Daqui pra frente, sempre use pytest, nunca unittest, e não use print para logs."]
    assert cand.description.startswith("Regras deste usuário para ")


def test_european_correction_is_learned_without_its_no() -> None:
    ev, [cand] = learned([
        ("u", "Faz-me uma função que valida o NIF"),
        ("a", "def valida_nif(nif): ... print('NIF inválido')"),
        ("u", "Não, assim não. Não uses print para registar erros; a partir de agora usa sempre o módulo logging."),
    ])
    assert ev.language == "pt" and ev.turns[1].correction == "feedback"
    assert "logging" in cand.name
    assert constraints(cand) == ["Não uses print para registar erros; a partir de agora usa sempre o módulo logging."]


def test_brazilian_requirements_built_over_turns_make_the_report_skill() -> None:
    ev, [cand] = learned([
        ("u", "Escreve o relatório semanal de status do projeto"),
        ("a", "Aqui está o relatório ..."),
        ("u", "Em tópicos, no máximo 8 itens."),
        ("a", "Certo ..."),
        ("u", "Sem jargão técnico, o público é a diretoria. Ainda não aparece a tabela de prazos."),
        ("a", "Ajustei ..."),
        ("u", "No final, coloca os riscos da semana numa tabela. Dá pra fazer isso toda semana?"),
        ("a", "Feito ..."),
    ])
    assert "requirements in 3 turn(s)" in gate(ev).reason
    assert cand.name == "redação-relatório-semanal"
    assert constraints(cand) == ["Em tópicos, no máximo 8 itens.", "Sem jargão técnico, o público é a diretoria.",
                                 "No final, coloca os riscos da semana numa tabela."]  # no complaint, no question
    assert "redação de relatório semanal" in cand.description


def test_european_meal_plan_requirements_drop_the_reason() -> None:
    _, [cand] = learned([
        ("u", "Prepara-me um plano de refeições para a semana"),
        ("a", "Segunda: ..."),
        ("u", "Orçamento de 60 euros no máximo."),
        ("a", "Ajustei ..."),
        ("u", "Nada de marisco, a minha filha é alérgica."),
        ("a", "Troquei ..."),
        ("u", "E põe a lista de compras numa tabela no fim."),
        ("a", "Aqui está ..."),
    ])
    assert cand.name == "preparação-plano-refeições"
    assert constraints(cand) == ["Orçamento de 60 euros no máximo.", "Nada de marisco.",
                                 "Põe a lista de compras numa tabela no fim."]


def test_portuguese_steps_become_the_release_workflow() -> None:
    _, [cand] = learned([("u", "Antes de cada release: roda os testes -> atualiza o changelog -> cria a tag"),
                         ("a", "Combinado.")])
    assert cand.name == "release-workflow"
    assert "# Passos\n1. Roda os testes.\n2. Atualiza o changelog.\n3. Cria a tag." in cand.instructions


PT_ONE_OFFS = [
    [("u", "Você sempre usa pytest nos seus exemplos?"), ("a", "Normalmente sim."),
     ("u", "E qual é a diferença para o unittest?"), ("a", "O pytest usa asserts simples ...")],
    [("u", "O login ainda não funciona, continua dando erro 500."), ("a", "Corrigi o handler."),
     ("u", "Continua igual, não funciona."), ("a", "Vou olhar de novo."),
     ("u", "Ainda não funciona, sempre dá erro no mesmo lugar."), ("a", "Vou ver os logs.")],
    [("u", "Só desta vez, pode pular os testes e fazer o deploy direto."), ("a", "Deploy feito."),
     ("u", "É só hoje, não precisa rodar o lint."), ("a", "Ok.")],
    [("u", 'Implementa esse ticket: "Os logs devem sempre ser em JSON. Nunca use print no código de produção."'),
     ("a", "Implementado.")],
    [("u", "Estou sempre a esquecer como se faz rebase. Podes explicar?"), ("a", "Claro: git rebase -i ...")],
]

ONE_OFF_KINDS = ["question-with-always", "bug-report", "this-time-only", "quoted-ticket", "forgetful-question"]


@pytest.mark.parametrize(("lang", "turns"), [("ja", t) for t in JA_ONE_OFFS] + [("pt", t) for t in PT_ONE_OFFS],
                         ids=[f"ja-{k}" for k in ONE_OFF_KINDS] + [f"pt-{k}" for k in ONE_OFF_KINDS])
def test_one_offs_are_rejected_and_learn_nothing(lang: str, turns: list[tuple[str, str]]) -> None:
    evidence = gather(session(*turns))
    assert evidence.language == lang
    assert gate(evidence).verdict == "reject"
    assert rules.extract(evidence) == []


def test_a_quoted_ticket_is_its_authors_words_in_any_language() -> None:
    for turns in ([("u", 'Implement this ticket: "Logs must always be JSON. Never use print in production code."'),
                   ("a", "Done.")],
                  [("u", "实现这个工单：“日志必须总是JSON格式。永远不要在生产代码里用print。”"), ("a", "好的")]):
        assert not gate(gather(session(*turns))).passed


def test_this_time_only_is_read_in_japanese_without_taking_chinese_words_for_it() -> None:
    for text in ("今回だけ箇条書きでお願いします。", "とりあえず箇条書きでお願いします。"):
        req = requirement(text, "ja")
        assert req is not None and req.task_scoped and not req.general
    req = requirement("预算一旦超过5000就提醒我", "zh")  # "一旦" is Chinese "once", not Japanese "for now"
    assert req is not None and not req.task_scoped
