"""The gate weighs kinds of evidence and explains itself; what is not the user instructing never becomes a rule."""

from __future__ import annotations

import re

import pytest

from autoskill_mcp.learning import rules
from autoskill_mcp.learning.evidence import gate, gather
from autoskill_mcp.learning.naming import task_name
from autoskill_mcp.learning.noise import is_complaint, is_question, noise_kind
from autoskill_mcp.learning.requirements import requirement
from autoskill_mcp.learning.session import Event, Kind, Role, Session


def session(*turns: str) -> Session:
    """User and assistant alternate, the user first."""
    events = [Event(Role.USER if i % 2 == 0 else Role.ASSISTANT, Kind.PROMPT if i % 2 == 0 else Kind.REPLY, text,
                    uid=str(i)) for i, text in enumerate(turns)]
    return Session("s1", "openai-chat", events)


TRIP = session(
    "hey can you plan a 5 day trip to Kyoto for me and my family (2 adults 2 kids) in april",
    "Day 1: Fushimi Inari ... (a long itinerary)",
    "keep the whole thing under 4,000 USD",
    "Here is a cheaper version ...",
    "no overnight transfers, last time the kids were wrecks",
    "Rearranged the trains ...",
    "can you add a weather fallback for each day?",
    "Added an indoor option per day ...",
    "give me a detailed and a compact version",
    "Detailed: ... Compact: ...",
    "now cut 10%",
)


def test_requirements_built_over_turns_pass_the_gate_and_say_why() -> None:
    decision = gate(gather(TRIP))
    assert decision.passed and decision.verdict == "pass"
    assert re.search(r"requirements in [45] turn\(s\)", decision.reason)
    assert {"limit", "exclude", "fallback", "format"} <= set(re.findall(r"[a-z]+", decision.reason))


def test_the_learned_skill_is_the_reusable_workflow_named_for_the_task() -> None:
    [cand] = rules.extract(gather(TRIP))
    assert cand.name == "trip-planning"
    assert cand.description.startswith("Plans trips the way this user wants: ")
    assert cand.description.endswith("Use when asked to plan a trip.")
    lines = [x[2:] for x in cand.instructions.splitlines() if x.startswith("- ")]
    assert lines == ["Keep the whole thing under 4,000 USD.", "No overnight transfers.",
                     "Add a weather fallback for each day.", "Give me a detailed and a compact version.", "Cut 10%."]
    assert (
        "Kyoto" not in cand.instructions and "kids were wrecks" not in cand.instructions
    )  # facts and reasons stay out


def test_chinese_requirement_building_gives_a_chinese_skill() -> None:
    ev = gather(session("帮我规划一个五天的家庭旅行", "好的……", "预算控制在3万以内", "好", "不要红眼航班", "好",
                        "每天加一个下雨的备选方案", "好", "给我一个详细版和一个精简版", "好", "再压缩10%"))
    assert gate(ev).verdict == "pass"
    [cand] = rules.extract(ev)
    assert "旅行" in cand.name and cand.description.startswith("按用户的要求规划")
    assert "- 不要红眼航班。" in cand.instructions and "- 预算控制在3万以内。" in cand.instructions


def test_french_requirements_are_read_as_french() -> None:
    ev = gather(session("tu peux préparer le rapport mensuel des ventes", "Voici ...",
                        "pas de tableaux, des listes courtes", "ok", "maximum 200 mots", "ok",
                        "mets le total en haut", "ok"))
    assert ev.language == "fr" and gate(ev).passed
    [cand] = rules.extract(ev)
    assert "- Pas de tableaux, des listes courtes." in cand.instructions


@pytest.mark.parametrize("turns", [
    ("make a logo for my bakery", "Here it is", "make the logo bigger", "Bigger", "move it left", "Moved",
     "now make it red", "Red now"),
    ("what's the capital of australia?", "Canberra."),
    ("translate this to french: Our office is closed on Monday.", "Notre bureau est fermé lundi."),
    ("thanks, that worked!", "Glad it helped."),
])
def test_one_offs_and_edits_of_one_artefact_learn_nothing(turns: tuple[str, ...]) -> None:
    ev = gather(session(*turns))
    assert not gate(ev).passed and rules.extract(ev) == []


def test_a_fact_question_is_surely_a_one_off_and_costs_no_llm_call() -> None:
    assert gate(gather(session("how do I undo the last git commit?", "git reset --soft HEAD~1"))).verdict == "reject"


def test_a_single_mild_preference_is_borderline() -> None:
    decision = gate(gather(session("write a helper to parse the dates", "def parse(d): ...",
                                   "can you use dataclasses instead of dicts here", "Done.")))
    assert decision.verdict == "borderline" and not decision.passed


def test_a_pasted_document_with_must_and_never_is_not_the_users_policy() -> None:
    doc = ("summarise these discharge instructions for my dad:\n"
           "You must take your anticoagulant once daily for 14 days. Never skip a dose. Always use your walking "
           "frame when mobilising. Do not get the wound wet for 10 days. Never drive while taking codeine. "
           "Keep the dressing clean and dry. Please book a follow-up appointment with your GP.")
    ev = gather(session(doc, "Here is a summary ..."))
    assert not gate(ev).passed and rules.extract(ev) == []


def test_pasted_output_questions_and_complaints_never_become_constraints() -> None:
    ev = gather(session(
        "from now on always run ruff before you commit\n"
        "src/app/models.py:88:5: F841 local variable 'x' is assigned to but never used\n"
        "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\n"
        "2024-05-01 12:00:01 ERROR never retried",
        "Ran ruff.",
        "it still fails with the same error. why does it never retry?",
        "Looking...",
    ))
    [cand] = rules.extract(ev)
    rules_text = "\n".join(x for x in cand.instructions.splitlines() if x.startswith("- "))
    assert "ruff" in rules_text
    for junk in ("F841", "Traceback", "ERROR", "still fails", "why does"):
        assert junk not in cand.instructions


def test_noise_questions_and_complaints_are_recognised() -> None:
    assert noise_kind("aider/coders/base_coder.py:1245:9: F841 local variable 'e' is assigned to but never used")
    assert noise_kind('  File "/app/main.py", line 12, in handler') == "stack trace"
    assert noise_kind("[2024-01-02 10:00:00] INFO worker started") == "log"
    assert noise_kind("use `uv add` for dependencies, not pip") is None
    assert is_question("does git always rebase when I pull?")
    assert not is_question("can you keep it under 200 words?")
    assert is_complaint("same problem if the app tried to provide an api key")
    assert is_complaint("❌ ÉCHEC : Je ne vois toujours que les 22 tâches")
    assert is_complaint("还是不对，页面还是空白")


def test_a_requirement_keeps_its_instructing_clauses_and_drops_the_reasons() -> None:
    req = requirement("and no overnight flights, last time we did the red eye the kids were wrecks")
    assert req is not None and req.rule == "and no overnight flights" and "exclude" in req.kinds
    assert requirement("2 adults + 2 kids, thinking lisbon for 6 days end of july") is None   # facts
    edit = requirement("make the logo bigger")
    assert edit is None or not edit.general                                                     # this artefact


@pytest.mark.parametrize(("request_text", "slug"), [
    ("can you plan a 5 day family trip to Kyoto", "family-trip-planning"),
    ("turn this into my weekly status for my manager pls", "weekly-status"),
    ("write the weekly status report for my team", "weekly-status-report-writing"),
    ("review PR #812 please", "pr-review"),
    ("帮我写一份周报", "周报撰写"),
])
def test_names_say_the_task(request_text: str, slug: str) -> None:
    name = task_name(request_text, "zh" if re.search(r"[\u4e00-\u9fff]", request_text) else "en")
    assert name is not None and name.slug == slug


# -- what a debugging session, a described bug or a pasted document asks is not a way of working -------------

CELERY_DEBUG = session(
    "celery worker keeps dying on the sync_invoices task since this morning.\n```\n"
    "Traceback (most recent call last):\n  File \"tasks.py\", line 40, in sync\nConnectionError: broker refused\n"
    "ERROR worker lost\n```",
    "The broker URL points at localhost ...",
    "try setting broker_connection_retry_on_startup=True instead, i saw that in the warning above",
    "Done, restarted ...",
    "no, revert that, it just hides it.",
    "Reverted. The .env.local overrides BROKER_URL ...",
    "ok delete that line from .env.local, don't touch .env, restart it and tail the log",
    "It is up again ...",
    "add a retry on the task, 3 attempts max, and no more than one alert per hour for it",
    "Added ...",
)


def test_a_debugging_session_is_not_learned_offline_but_still_reaches_an_llm() -> None:
    ev = gather(CELERY_DEBUG)
    decision = gate(ev)
    assert decision.verdict == "borderline" and not decision.passed
    # the bug report ("keeps dying ... since this morning") is this instance, not a requirement of anything
    assert all("keeps dying" not in i.text for i in ev.items)
    # with one more ask the asks alone would pass: the debugging cap keeps them for an LLM to judge
    more = session(*[e.text for e in CELERY_DEBUG.events], "and log each retry with the task id and the attempt number")
    capped = gate(gather(more))
    assert capped.verdict == "borderline" and "a debugging session" in capped.reason
    # the same asks after a request for work, not a bug report, are weighed as they are (no debugging cap);
    # "don't touch .env" is this change's edge either way, so what is left is one turn of requirements
    as_task = Session("s1", "openai-chat", [Event(Role.USER, Kind.PROMPT, "write a celery task that syncs invoices",
                                                  uid="x"), *CELERY_DEBUG.events[1:]])
    weighed = gate(gather(as_task))
    assert "a debugging session" not in weighed.reason and weighed.verdict == "borderline"
    assert "requirements in 1 turn(s)" in weighed.reason


def test_an_unmistakable_rule_said_while_debugging_is_still_learned() -> None:
    ev = gather(session(
        "the nightly export fails randomly on ci\n```\nFAILED tests/test_export.py::test_csv - TimeoutError\n```",
        "It is a race ...",
        "from now on every test that touches the clock gets the FakeClock fixture, never time.sleep",
        "Done ..."))
    assert gate(ev).verdict == "pass"


@pytest.mark.parametrize("sentence", [
    "our docker build in CI went from 3 min to 14 min and the cache never hits.",
    "also the avatar never loads on that page, just the grey circle",
    "since 4.12 the app never loads on my pixel 6, just the spinner forever.",
])
def test_always_or_never_describing_a_bug_is_no_directive(sentence: str) -> None:
    ev = gather(session("hi", "Hello!", sentence))
    assert not any(i.kind == "directive" for i in ev.items)


@pytest.mark.parametrize("sentence", [
    "try mode=max on cache-to instead, someone on the team said that fixes it",
    "no, revert that, it just hides it.",
    "换成 gb18030 试试",
    "hmm no drop the total row again, back to the previous version",
])
def test_an_experiment_while_debugging_is_this_task_only(sentence: str) -> None:
    req = requirement(sentence, "zh" if re.search(r"[\u3400-\u9fff]", sentence) else "en")
    assert req is None or not req.general


def test_a_pasted_policy_to_turn_into_a_cheat_sheet_gives_no_rules() -> None:
    policy = ("can you turn this on-call policy into a one-page cheat sheet for her?\n\n---\n"
              "1. The primary on-call must acknowledge every page within 5 minutes.\n"
              "2. Always open an incident channel for any SEV1 before starting work.\n"
              "3. Never restart the primary Postgres cluster without approval.\n"
              "4. Postmortems are required for every SEV1 within 5 business days.")
    ev = gather(session(policy, "Here's the cheat sheet ...", "great, thanks"))
    assert ev.items == [] and gate(ev).verdict == "reject"


def test_not_like_last_time_is_no_recurrence_but_same_as_last_time_is() -> None:
    contrast = gather(session("reply to Ravi", "Draft ...",
                              "add that the export will be in parquet, not csv like last time"))
    again = gather(session("the signups query", "SELECT ...",
                           "CTEs again please, not nested subqueries — same as last time"))
    assert not any(i.kind == "recurrence" for i in contrast.items)
    assert any(i.kind == "recurrence" for i in again.items)


@pytest.mark.parametrize(("sentence", "lang"), [
    ("enlève « en grande partie », mon co-auteur n'est pas d'accord", "fr"),
    ("das Bild kleiner und links neben den Text statt drüber", "de"),
    ("add that the export will be in parquet", "en"),
])
def test_an_edit_of_this_text_in_any_language_is_a_content_edit(sentence: str, lang: str) -> None:
    req = requirement(sentence, lang)
    assert req is None or req.content_edit


def test_a_purpose_clause_is_no_house_rule() -> None:
    req = requirement("put the files in tmp_path_factory so we don't litter the repo")
    assert req is None or "house" not in req.kinds
    assert "house" in (requirement("we don't use mocks for the database in this repo") or requirement("x")).kinds


@pytest.mark.parametrize(("sentence", "lang"), [
    ("bullets not paragraphs.", "en"),
    ("and table-driven tests w/ t.Run per case, httptest recorder.", "en"),
    ("Noch ein HEALTHCHECK auf /health.", "de"),
])
def test_a_constraint_said_without_a_verb_is_a_requirement(sentence: str, lang: str) -> None:
    req = requirement(sentence, lang)
    assert req is not None and req.general


def test_a_sentence_around_inline_code_is_prose_not_code() -> None:
    line = ('errors too: wrap with fmt.Errorf("...: %w", err) on the way up and the handler writes a problem+json '
            'body (RFC 7807), not http.Error with the raw message')
    assert noise_kind(line) is None
    assert noise_kind("function components + hooks, named exports only (export function PriceTag)") is None
    assert noise_kind("function formatPrice(amount) {") == "code"


@pytest.mark.parametrize(("request_", "lang", "slug"), [
    ("schreib mir einen k6-Lasttest für den /search endpoint", "de", "k6-lasttest"),
    ("So plane ich meine Woche, bitte mach das jeden Montag mit mir so", "de", "woche-planung"),
    ("hazme un resumen de los gastos de este mes, te pego el extracto", "es", "resumen-gastos"),
    ("escríbeme un post de linkedin anunciando que dejo la empresa", "es", "redacción-post-linkedin"),
])
def test_spanish_and_german_requests_name_their_task(request_: str, lang: str, slug: str) -> None:
    task = task_name(request_, lang)
    assert task is not None and task.slug == slug


def test_the_occasion_the_user_names_names_the_skill() -> None:
    ev = gather(session(
        "can you find a slot for a call with the berlin and austin folks next week",
        "Here are three options ...",
        "no one should have a call before 8am or after 7pm their own time",
        "Updated: ...",
        "and leave at least 15 min buffer after anything already in my calendar",
        "Updated: ...",
        "ok go with 1. and yes thats the way to do it whenever i ask for a cross-timezone slot",
    ))
    [cand] = rules.extract(ev)
    assert cand.name == "cross-timezone-slot" and cand.description.endswith("Use when asked for a cross-timezone slot.")
    assert "go with 1" not in cand.instructions.lower()  # picking an offered option is no rule


@pytest.mark.parametrize(("text", "lang", "slug"), [
    ("whenever i ask you to explain a concept, first ask me one question", "en", "concept-explanation"),
    ("以后帮我排会议都按这几条来：周五下午不排", "zh", "排会议"),
])
def test_an_occasion_in_any_language(text: str, lang: str, slug: str) -> None:
    from autoskill_mcp.learning.naming import occasion

    named = occasion(text, lang)
    assert named is not None and named.slug == slug
    assert occasion("以后在这个仓库里都按这个来", "zh") is None  # a place is no task
    assert occasion("when i want to go home", "en") is None


def test_records_of_this_instance_are_no_constraints() -> None:
    ev = gather(session("帮我排一下下周的评审会", "好的", "张琳（设计）：周一全天可以，周二下午不行", "好",
                        "我：周二周三都行", "好", "会议不要超过45分钟，要带议程", "好"))
    text = " ".join(i.text for i in ev.items)
    assert "张琳" not in text and "周二周三都行" not in text and "45分钟" in text


@pytest.mark.parametrize("said", [
    "someone in review said we should never use plain dataclasses anymore, feels like an overstatement",
    "3.2 should be 'Never', there are no shared prod creds at all",
    "the rest of the repo has the same warnings, that's Priya's cleanup PR, don't touch it",
    "先只改 nightly.yml，别的 workflow 下周统一升级，别动",
    "S608: table comes from our own enum, not user input, but use sql.Identifier anyway",
    "i'll get Tomasz to review the wording before it goes in",
    "and leave the flag off by default until product says go",
    "ne pousse pas encore la branche, Hugo doit relire le script",
    "frontend dev says everyone does it, our security person says never.",
    "hypothetically if we never expired sessions at all, what's the worst case",
    "Geht immer noch nicht, gleiche Fehlermeldung",
    "我们新项目有人坚持所有表都用 UUID，说自增 id 永远不该暴露给前端",
    "don't change .env.test though, everyone else uses the shared one",
])
def test_hearsay_quotes_edges_of_this_change_and_own_plans_are_no_evidence(said: str) -> None:
    """None of these is the user asking for a way of working (each came from a near-miss session)."""
    ev = gather(session("tidy up the ingest module", "Done: ...", said, "Ok."))
    assert [i for i in ev.items if i.turn == 2 and i.kind in ("directive", "recurrence")] == []


def test_a_quote_opened_in_the_previous_sentence_is_not_the_users_words() -> None:
    ev = gather(session("answer the vendor's form", "Sure.",
                        "4.1 reads 'Do you process card data? If so, provide your PCI attestation.' we're SAQ A"))
    assert not any("provide your PCI" in i.text for i in ev.items)


def test_requirements_for_a_task_done_once_wait_for_a_second_look() -> None:
    """A farewell speech's tone and length are real requirements, but nobody asks for that speech again."""
    speech = gather(session(
        "my manager retires friday after 31 years and i'm giving the farewell speech, can you draft it",
        "Dear colleagues, ...",
        "too formal, nobody talks like that at our lunches; keep it under three minutes",
        "Friends, ...",
        "end with a toast, not just 'to her', and no inside jokes about the budget",
        "..."))
    assert gate(speech).verdict == "borderline" and "a task that happens once" in gate(speech).reason


def test_the_same_thing_as_before_inside_one_session_is_no_recurrence() -> None:
    ev = gather(session("set up my out of office for next week. text: 'away until the 15th'", "Done.",
                        "sam still got the reply, limit it to external senders", "Fixed.",
                        "now the next one for june: same text as before", "Done."))
    assert not [i for i in ev.items if i.kind == "recurrence"]
    again = gather(session("write to Jon about the menu pages", "Hi Jon, ...",
                           "same as before: client emails are plain paragraphs, no bullets, under 150 words"))
    assert [i for i in again.items if i.kind == "recurrence"]


def test_a_pasted_document_under_its_title_is_the_text_at_hand_not_the_users_rules() -> None:
    ev = gather(session("the owner left us this, can you make a short list for sunday morning for the group?\n\n"
                        "HOUSE RULES\n1. Never throw cigarette ends in the garden.\n2. Always close the field gate.\n"
                        "3. Never light the fire without opening the flue.", "Sunday list: ..."))
    assert not [i for i in ev.items if i.kind == "directive"]


@pytest.mark.parametrize("said", ["slide 3 and slide 4 are in the wrong order", "drop F-07, that page was deleted",
                                  "the 'what went wrong' slide has 7 bullets, cut it to 4"])
def test_pointing_at_parts_of_this_artefact_is_an_edit(said: str) -> None:
    found = requirement(said)
    assert found is None or found.content_edit


def test_picking_one_of_these_is_a_decision_made_once() -> None:
    flat = gather(session("i need to pick ONE flat from these three listings", "Here they are compared ...",
                          "must be under 900 a month and no ground floor", "Then B or C ...",
                          "it has to have a dishwasher, and under 25 minutes to the office by bike", "C fits ..."))
    assert "a task that happens once" in gate(flat).reason and gate(flat).verdict != "pass"


def test_asking_for_another_piece_of_work_is_no_requirement() -> None:
    ev = gather(session("make this notice into a short message for the flat chat", "Here it is ...",
                        "can you also draft a reply to Marta asking where we can park", "Hi Marta ..."))
    assert not [i for i in ev.items if i.turn == 2]


def test_one_soft_rule_said_once_is_kept_aside_until_it_comes_back() -> None:
    """A single "don't use X" in a correction, and nothing else: offline it waits for the second time."""
    once = gate(gather(session("tidy this paragraph for the landing page", "Here: ...",
                               "don't use words like 'synergy' here", "Done.")))
    assert once.verdict == "borderline" and "one rule said once" in once.reason


@pytest.mark.parametrize("first", [
    "ich muss die mitgliederliste einmalig bereinigen. schritte: 1) leerzeichen trimmen 2) doppelte zusammenführen "
    "3) immer 5-stellige plz 4) als csv exportieren",
    "investor demo tomorrow, this is throwaway, we revert right after. always hardcode the flag on, never call the api",
    "je soumets une nouvelle à une revue (c'est ponctuel). ne jamais dépasser 15 000 signes, toujours des tirets",
])
def test_a_job_the_user_says_is_done_once_waits_for_a_second_look(first: str) -> None:
    """Said in the first turn, "once" outweighs even steps and always/never: nobody asks for this job again."""
    decision = gate(gather(session(first, "Done: ...", "ok, and keep the order exactly like that", "Done.")))
    assert not decision.passed
    assert decision.verdict == "reject" or "a task that happens once" in decision.reason


def test_a_birthday_is_done_once_unless_the_user_says_it_comes_back() -> None:
    turns = ("my grandpa turns 90 on saturday, write captions for 12 photos", "1. ...",
             "under 10 words each, no hearing jokes, and funny but not roasting him", "1. ...",
             "and put the year first in each one", "1. ...")
    assert gate(gather(session(*turns))).verdict == "borderline"
    again = gate(gather(session(*turns, "thx! this happens basically every other weekend with the grandkids", "")))
    assert again.verdict == "pass"


@pytest.mark.parametrize("said", [
    "for this client: no slide with more than 3 bullets and dont mention the robotics line",
    "dont bother with tests for this branch",
])
def test_a_rule_for_this_client_or_branch_is_this_task_only(said: str) -> None:
    ev = gather(session("outline the pitch deck", "Draft: ...", said, "Ok."))
    assert all(i.weight < 1.0 for i in ev.items if i.turn == 2)


def test_a_condition_then_what_to_do_is_a_rule_not_a_question() -> None:
    said = ("when you change something, run the tests for that module first, fix whatever breaks, and only run "
            "the whole suite once at the very end")
    assert not is_question(said)
    assert is_question("when you run the suite, does it use the fixtures")
    ev = gather(session("add a --dry-run flag to prune", "Done, ran the suite (9 min).", said, "Ok."))
    assert any(i.kind == "directive" and i.weight >= 1.0 for i in ev.items)


def test_keeping_to_a_rule_for_the_rest_of_the_codebase_is_durable() -> None:
    ev = gather(session("add validation to CreateProject", "Done: errors.New(\"Name is required.\")",
                        "error strings in go are lowercase with no trailing period. fix these and keep to that for "
                        "the rest of the service", "Fixed."))
    assert gate(ev).verdict == "pass"


def test_what_keeps_happening_and_the_users_own_slip_are_no_rules() -> None:
    # what keeps happening to the team is no house rule (nor any ask at all)
    said = requirement("we always end up fielding questions we had answers for in the appendix")
    assert said is None or "house" not in said.kinds
    ev = gather(session("draw the outbox diagram", "Here: ...", "no wait thats wrong. leave the diagram", "Ok."))
    assert not any(i.kind == "correction" and "no wait" in i.text for i in ev.items)


def test_an_abbreviation_does_not_end_a_sentence() -> None:
    from autoskill_mcp.learning.signals import sentences

    said = "never catch everything, incl. KeyboardInterrupt. name the errors, e.g. ValueError. thx. ship it"
    assert sentences(said) == ["never catch everything, incl. KeyboardInterrupt.", "name the errors, e.g. ValueError.",
                               "thx.", "ship it"]
