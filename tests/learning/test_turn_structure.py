"""Evidence read from the shape of a session, not from cue words: revisions of the agent's output,
approvals of a revision, rules laid out before a task, "more of these", announced procedures."""

from __future__ import annotations

from autoskill_mcp.learning.evidence import gate, gather, reuses
from autoskill_mcp.learning.noise import is_question
from autoskill_mcp.learning.requirements import requirement
from autoskill_mcp.learning.session import Event, Kind, Role, Session


def session(*turns: str) -> Session:
    """User and assistant alternate, the user first."""
    events = [Event(Role.USER if i % 2 == 0 else Role.ASSISTANT, Kind.PROMPT if i % 2 == 0 else Kind.REPLY, text,
                    uid=str(i)) for i, text in enumerate(turns)]
    return Session("s1", "openai-chat", events)


def test_a_general_constraint_said_after_the_agents_output_is_a_revision() -> None:
    ev = gather(session("turn these numbers into the weekly ops report", "This week the team handled ... (paragraphs)",
                        "bullets not paragraphs, at most one short comment each", "- 412 tickets (+6%) ..."))
    assert ev.turns[1].correction == "revision"


def test_an_edit_of_this_artefact_is_no_revision() -> None:
    ev = gather(session("make a poster text for the bake sale", "BAKE SALE ...", "make the title bigger", "BIG ..."))
    assert ev.turns[1].correction is None


def test_a_revision_the_user_then_approves_passes_the_gate() -> None:
    """Approved, two kinds of constraint (or one, when the user says such tasks come back) are a rule; unapproved,
    a maybe: an LLM decides, offline it waits for the requirement to recur."""
    turns = ("turn these numbers into the weekly ops report", "This week the team handled ... (paragraphs)",
             "bullets not paragraphs, at most one short comment each", "- 412 tickets (+6%) ...")
    assert gate(gather(session(*turns, "yes, this format"))).verdict == "pass"
    assert gate(gather(session(*turns))).verdict == "borderline"
    one_kind = ("write a fn that reads config.toml", "fn load(path) { ...unwrap() }", "no unwrap() outside tests pls",
                "fn load(path) -> Result<Config> { ... }")
    assert gate(gather(session(*one_kind, "👍 that's the house style for the whole crate"))).verdict == "pass"
    assert gate(gather(session(*one_kind, "perfect"))).verdict == "borderline"


def test_an_approved_edit_of_one_element_stays_out() -> None:
    ev = gather(session("draft an email to the parents' group about the bake sale", "Hi all ...",
                        "and drop the brownie joke", "Hi all ... (no joke)", "perfect, sending"))
    assert not gate(ev).passed


def test_an_approval_with_a_question_is_no_approval() -> None:
    ev = gather(session("help me with this rebase conflict", "Keep main's version ...", "keep the version of main then",
                        "Done.", "Super. Do the tests pass?"))
    assert not ev.turns[2].confirms


def test_rules_laid_out_before_the_task_are_not_the_request() -> None:
    ev = gather(session("context for when you put stuff on my calendar: nothing before 9:30, keep 12:00-13:00 free "
                        "for lunch, and leave a 10 min buffer between back-to-back meetings", "Noted.",
                        "book 30 min with Jonas tomorrow", "Booked 9:30-10:00."))
    assert gate(ev).verdict == "pass"
    one_day = gather(
        session(
            "steps for today: 1) pick up the dry cleaning before 12, 2) call the bank about the card, "
            "3) book the dentist for next week. turn that into a reminder list",
            "- 10:30 ...",
            "thanks",
        )
    )
    assert not gate(one_day).passed


def test_more_of_these_generalises_the_task_in_every_language() -> None:
    for said in ("we've got about a dozen of these endpoints left to port", "four more services to port, same deal",
                 "that's the house style for the whole crate", "Ça servira de base pour nos autres dépôts",
                 "esto te lo voy a pedir cada mes", "So sollen alle unsere Service-Images aussehen",
                 "以后出差基本都是这几条要求"):
        assert reuses(said), said
    assert not reuses("the bake sale needs volunteers for the 2-4pm slot")


def test_more_of_these_needs_a_first_one() -> None:
    """In the request itself "10 more volunteers" is this task's content, not a sign of recurrence."""
    ev = gather(session("draft an email saying the bake sale needs 10 more volunteers for saturday", "Hi all ..."))
    assert not any(i.kind == "recurrence" for i in ev.items)


def test_requirements_built_up_then_generalised_pass() -> None:
    ev = gather(session("write k8s manifests for the notifier service", "apiVersion: apps/v1 ...",
                        "no :latest tag, pin the image by digest", "Pinned.",
                        "drop the hardcoded namespace, the overlay sets it", "Removed.",
                        "keep requests and limits at most 500m cpu", "Set.",
                        "good. four more services to port after this one, same deal for each", "Will do."))
    assert gate(ev).verdict == "pass"


def test_an_announced_list_is_a_procedure_whatever_its_mood() -> None:
    ev = gather(session("Avant chaque migration de base, voilà la marche à suivre :\n1) sauvegarde avec pg_dump\n"
                        "2) jouer la migration sur une copie\n3) comparer le nombre de lignes\n4) seulement ensuite, "
                        "la prod",
                        "Entendu."))
    assert any(i.kind == "procedure" and len(i.steps) >= 4 for i in ev.items)
    assert gate(ev).verdict == "pass"


def test_a_wh_word_opening_a_statement_is_no_question() -> None:
    assert not is_question("how I write to clients: first name, the ask in the first line")
    assert not is_question("what I need from a paper: the claim, the method, the sample size")
    assert is_question("how do I write to clients")
    assert is_question("what does this error mean?")


def test_for_now_in_chinese_scopes_a_requirement_to_this_task() -> None:
    req = requirement("测试先不用补，下周统一弄", "zh")
    assert req is None or not req.general


def test_spanish_and_german_sessions_are_read_in_their_language() -> None:
    from autoskill_mcp.learning import rules
    from autoskill_mcp.learning.signals import language

    assert language("usa slog con campos estructurados, nada de Printf, así lo parsea nuestro Loki") == "es"
    assert language("Bei uns gilt: jeder Bugfix kommt mit einem Regressionstest, der vorher rot war") == "de"
    es = gather(session("añade logs al handler de pagos", "log.Printf(...)",
                        "usa slog con campos estructurados, nada de Printf, así lo parsea nuestro Loki",
                        "h.log.Error(...)", "eso, gracias. en todo el servicio igual"))
    assert es.language == "es" and gate(es).passed
    [cand] = rules.extract(es)
    assert cand.instructions.startswith("# Objetivo") and "slog" in cand.instructions
    de = gather(session("Kurz vorweg, bei uns gilt: jeder Bugfix kommt mit einem Regressionstest, der vor dem Fix rot "
                        "war. Halt dich bitte daran.", "Verstanden."))
    assert de.language == "de" and gate(de).passed
    assert rules.extract(de)[0].instructions.startswith("# Ziel")


def test_always_about_oneself_is_no_rule_in_spanish_or_german() -> None:
    from autoskill_mcp.learning.signals import directive

    assert directive("jaja siempre lo olvido") is None
    assert directive("ich vergesse immer die Hälfte") is None
    assert directive("¿cuál es la capital de australia") is None


def test_a_name_in_the_request_is_never_the_skills_topic() -> None:
    from autoskill_mcp.learning.naming import rank_topics

    topics = rank_topics(["draft a reply to Priya at Northwind about the kickoff email"])
    assert "priya" not in topics and "northwind" not in topics and "email" in topics
    assert not set(rank_topics(["Kurz vorweg, bei uns gilt: jeder Bugfix kommt mit einem Test"])) & {
        "bei",
        "gilt",
        "kurz",
    }
