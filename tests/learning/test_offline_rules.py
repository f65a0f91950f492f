"""The offline path: directives in the user's words -> gate -> a real skill; nothing from one-offs."""

from __future__ import annotations

import pytest

from autoskill_mcp import skillmd
from autoskill_mcp.learning import rules
from autoskill_mcp.learning.evidence import gate, gather
from autoskill_mcp.learning.session import Event, Kind, Role, Session
from autoskill_mcp.learning.signals import DirectiveKind, directives, is_correction


def session(*turns: tuple[str, str], agent: str = "openai-chat") -> Session:
    events = [
        Event(Role.USER if who == "u" else Role.ASSISTANT, Kind.PROMPT if who == "u" else Kind.REPLY, text, uid=str(i))
        for i, (who, text) in enumerate(turns)
    ]
    return Session("s1", agent, events)


ONE_OFFS = [
    [("u", "Write me a poem about the sea."), ("a", "Waves roll in...")],
    [("u", "Fix the failing test in utils.py"), ("a", "Fixed the off-by-one."), ("u", "Thanks, that works!")],
    [("u", "What does this regex do? ^a+$"), ("a", "It matches one or more a's.")],
    [("u", "帮我写一首关于春天的诗"), ("a", "春风……")],
    [("u", "Rename the variable x to count in main.py"), ("a", "Done."), ("u", "Don't touch this file for now.")],
    [("u", "I always forget how to undo a commit. How do I?"), ("a", "git reset --soft HEAD~1")],
]


@pytest.mark.parametrize("turns", ONE_OFFS, ids=lambda t: t[0][1][:30])
def test_one_off_sessions_give_no_skill_and_fail_the_gate(turns: list[tuple[str, str]]) -> None:
    evidence = gather(session(*turns))
    assert not gate(evidence).passed
    assert rules.extract(evidence) == []


def test_a_correction_with_a_durable_rule_becomes_a_valid_skill_in_the_users_words() -> None:
    evidence = gather(session(
        ("u", "Add logging to the fetcher module"),
        ("a", "I added print() calls around each request."),
        ("u", "No, never use print for logging; always use the logging module with a module-level logger."),
    ))
    assert evidence.corrections and evidence.corrections[0].correction == "feedback"
    assert "print() calls" in evidence.corrections[0].context
    decision = gate(evidence)
    assert decision.passed and decision.verdict == "pass" and "never" in decision.reason
    [cand] = rules.extract(evidence)
    assert "logging" in cand.name and not cand.name.endswith("conventions")
    assert "- Never use print for logging; always use the logging module" in cand.instructions
    assert cand.quotes == ["No, never use print for logging; always use the logging module with a module-level logger."]
    skill = cand.to_skill(user_id="alice", session_id="s1", agent="codex")
    text = skillmd.render(skill)
    assert not [d for d in skillmd.validate(text, path=f"{skill.name}/SKILL.md") if d.severity == "error"]
    assert skill.provenance[0].quotes == cand.quotes and skill.provenance[0].agent == "codex"


def test_an_arrow_workflow_becomes_numbered_steps_with_its_anchor_as_trigger() -> None:
    [cand] = rules.extract(gather(session(
        ("u", "Before each release: run regression -> canary -> monitor -> full rollout."),
    )))
    assert "release" in cand.name
    assert "1. Run regression.\n2. Canary.\n3. Monitor.\n4. Full rollout." in cand.instructions
    assert "release" in cand.description.lower()


def test_separate_topics_become_separate_skills() -> None:
    cands = rules.extract(gather(session(
        ("u", "Never use print for logging; use the logging module."),
        ("a", "ok"),
        ("u", "Also, we prefer pytest over unittest in this repo."),
    )))
    names = sorted(c.name for c in cands)
    assert len(cands) == 2 and any("logging" in n for n in names) and any("pytest" in n for n in names)


def test_chinese_sessions_give_chinese_skills() -> None:
    cands = rules.extract(gather(session(
        ("u", "以后提交代码前先跑测试，再跑lint，最后推送。"),
        ("a", "好的"),
        ("u", "不要使用print调试，用logging。"),
    )))
    flow = next(c for c in cands if "1. 跑测试" in c.instructions)
    assert "# 流程" in flow.instructions and "2. 跑lint" in flow.instructions
    assert flow.description.startswith("按用户的要求") and flow.description.endswith("时使用。")
    assert skillmd.is_valid_name(flow.name) and "提交" in flow.name


def test_repeating_a_weak_preference_makes_it_count() -> None:
    once = gather(session(("u", "Use uv instead of pip.")))
    twice = gather(session(("u", "Use uv instead of pip."), ("a", "Ran pip install."), ("u", "Use uv instead of pip.")))
    assert not gate(once).passed
    assert gate(twice).passed


@pytest.mark.parametrize(("text", "kind"), [
    ("Always run ruff before committing.", DirectiveKind.ALWAYS),
    ("From now on answer in French.", DirectiveKind.ALWAYS),
    ("Never commit directly to main.", DirectiveKind.NEVER),
    ("We prefer pytest over unittest in this repo.", DirectiveKind.PREFER),
    ("Make sure to add type hints to every function.", DirectiveKind.MUST),
    ("以后用中文回答。", DirectiveKind.ALWAYS),
    ("禁止在代码里硬编码密码。", DirectiveKind.NEVER),
    ("N'utilise jamais de tabulations.", DirectiveKind.NEVER),
])
def test_directive_kinds(text: str, kind: DirectiveKind) -> None:
    [d] = directives(text)
    assert d.kind is kind


def test_questions_code_and_self_reports_are_not_directives() -> None:
    assert directives("Should we always use tabs?") == []
    assert directives("```\n# never do this\nx = 1\n```") == []
    assert directives("I always forget the flag name") == []
    assert directives("Traceback (most recent call last): never mind") == []


def test_corrections_are_recognised_in_three_languages() -> None:
    assert is_correction("No, that's wrong, use the other API")
    assert is_correction("不对，应该用异步")
    assert is_correction("Non, toujours pas")
    assert not is_correction("Great, now add tests")


def test_incremental_gather_reads_only_turns_after_the_watermark() -> None:
    s = session(("u", "Never use print for logging."), ("a", "ok"), ("u", "Always pin versions in requirements."))
    evidence = gather(s, since_uid="1")
    assert [t.text for t in evidence.turns] == ["Always pin versions in requirements."]


def test_a_rule_given_in_a_coding_session_is_named_for_its_stack_and_what_it_writes_as_code() -> None:
    evidence = gather(session(
        ("u", "write a fn that reads config.toml into a Config struct, path passed in"),
        ("a", "```rust\npub fn load(path: &str) -> Config {\n    toml::from_str(&fs::read_to_string(path).unwrap())"
              ".unwrap()\n}\n```"),
        ("u", "no `unwrap()` outside tests. from now on return anyhow::Result with .context() naming the file"),
    ))
    assert evidence.stack == "rust"
    [cand] = rules.extract(evidence)
    assert cand.name.startswith("rust-") and "unwrap" in cand.name


@pytest.mark.parametrize(("texts", "stack"), [
    (["edit infra/queues.tf", "and variables.tf too"], "terraform"),
    (["```python\nimport os\n```"], "python"),
    (["see src/App.tsx and src/List.tsx"], "react"),
    (["plan a trip to Rome, e.g. three days"], None),
    (["one mention of setup.py only"], None),   # one file name alone says too little
])
def test_the_stack_comes_from_code_fences_and_file_names(texts: list[str], stack: str | None) -> None:
    from autoskill_mcp.learning.naming import stack_of

    assert stack_of(texts) == stack


@pytest.mark.parametrize(("line", "kept"), [
    ("aider/coders/base_coder.py:1245:9: F841 local variable 'e' is assigned to but never used", False),
    ("S608: use sql.Identifier for the table name", False),
    ("why does it still show 22 tasks", False),
    ("it still fails on save", False),
    ("Use {{ ref('stg_events') }}, dont hardcode schema names.", True),
    ("Keep functions under 40 lines.", True),
])
def test_the_last_guard_keeps_rules_and_drops_references_questions_and_complaints(line: str, kept: bool) -> None:
    assert rules._not_a_rule(line) is not kept


def test_a_request_after_context_names_the_task_and_the_instance_detail_is_no_constraint() -> None:
    # the request follows a clause of context; the client's name, said with it, is this email's detail
    evidence = gather(session(
        ("u", "here's the transcript of episode 12 of my cooking podcast, write show notes"),
        ("u", "the guest is Marguerite Dubois"),
        ("a", "Show notes: ..."),
        ("u", "too long: keep show notes under 150 words, no timestamps"),
        ("a", "Shorter show notes: ..."),
        ("u", "and always end with a one-line call to subscribe, in a friendly tone"),
    ))
    assert rules.request_task(evidence) is not None
    [cand] = rules.extract(evidence)
    assert "notes" in cand.name
    assert "150 words" in cand.instructions and "subscribe" in cand.instructions
    assert "Marguerite" not in cand.instructions + cand.description


def test_a_clause_that_tells_does_not_name_the_task() -> None:
    evidence = gather(session(
        ("u", "before you touch anything under infra/ — this is how infra changes go here: terraform fmt, "
              "terraform validate, terraform plan, then wait for review"),
    ))
    task = rules.request_task(evidence)
    assert task is None or "review" not in task.slug


@pytest.mark.parametrize("turns", [
    # what the message says to its reader is no rule for the agent
    [("u", "help me write an email to the cat sitter. things she needs to know: always lock the cat flap at night. "
           "never give her milk. food is in the cupboard."), ("a", "Hi Sam, ..."),
     ("u", "make the opening friendlier and bold the milk line"), ("a", "Done."), ("u", "perfect, sending")],
    # a hypothetical, said to be no request, and what trips the user up
    [("u", "hypothetically, if i always wanted my reports in british spelling, would you remember it? "
           "not asking you to do it, just curious"), ("a", "Not between sessions by default..."),
     ("u", "ok. check this sentence: 'their going home'"), ("a", "they're going home"),
     ("u", "ha, that one always gets me")],
], ids=["message-content", "hypothetical"])
def test_rules_for_someone_else_and_hypotheticals_are_not_learned(turns: list[tuple[str, str]]) -> None:
    evidence = gather(session(*turns))
    assert not gate(evidence).passed
    assert rules.extract(evidence) == []


@pytest.mark.parametrize(("turns", "word"), [
    ([("u", "when you set up meetings for me, default to 25 minutes instead of 30, and nothing before 10:30"),
      ("a", "Noted."), ("u", "set up a sync with dana next week")], "25 minutes"),
    ([("u", "Schreib mir einen Handler für GET /v1/orders in unserem Go-Service"), ("a", "func getOrder(...)"),
      ("u", "Jeder Handler braucht ein context.WithTimeout von 2 Sekunden"), ("a", "Ergänzt."),
      ("u", "Fehler nicht mit http.Error, sondern über writeError(w, status, msg)"), ("a", "Umgestellt."),
      ("u", "Gut. Wir bauen noch 10 Endpunkte, alle nach diesem Muster")], "WithTimeout"),
], ids=["default-to", "jeder-handler"])
def test_defaults_and_what_every_one_of_a_kind_gets_are_standing_rules(turns: list[tuple[str, str]], word: str) -> None:
    evidence = gather(session(*turns))
    assert gate(evidence).passed
    [cand] = rules.extract(evidence)
    assert word in cand.instructions


@pytest.mark.parametrize("said", [
    "never show the password in logs", "always start with a one-line summary", "always update the changelog",
    "never break the public api", "never save secrets in the repo", "always run the tests every time you push",
])
def test_orders_with_a_verb_that_also_describes_misbehaviour_are_still_directives(said: str) -> None:
    assert directives(said), said


@pytest.mark.parametrize("said", [
    "the cache never hits", "the tests always fail on ci", "it always resets to dollars",
    "still resets every time i open the app", "the app never loads on my pixel",
])
def test_something_misbehaving_described_is_no_directive(said: str) -> None:
    assert not directives(said), said


def test_steps_announced_then_written_one_a_line_are_a_procedure() -> None:
    evidence = gather(session(
        ("u", "the nightly export broke again. here's how we handle a broken export, follow it:\n"
              "first check the export job's last run in the scheduler\n"
              "rerun it once by hand with --dry-run\n"
              "if the dry run passes, rerun it for real and post the row count in #data\n"
              "if it fails again, page the data on-call and link the run"),
        ("a", "Checked the scheduler: ..."),
        ("u", "good"),
    ))
    assert gate(evidence).passed
    [cand] = rules.extract(evidence)
    assert "1. First check the export job" in cand.instructions and "page the data on-call" in cand.instructions
    assert cand.instructions.count("dry run passes") == 1  # a step once, not again as a constraint


def test_a_note_for_the_babysitter_is_what_the_note_says() -> None:
    evidence = gather(session(
        ("u", "tu peux me rédiger un mot pour la baby-sitter ce soir ? jamais d'écran après 19h, toujours vérifier "
              "que la porte du balcon est fermée"),
        ("a", "Bonsoir ! ..."), ("u", "super merci"),
    ))
    assert not gate(evidence).passed and rules.extract(evidence) == []
