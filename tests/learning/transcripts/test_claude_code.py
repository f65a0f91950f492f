"""Claude Code JSONL: live branch, compaction, corrections, injected text, sub-agents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from autoskill_mcp.learning.session import Kind, Role
from autoskill_mcp.learning.transcripts import read_transcript

from .conftest import copy, fixture, write_jsonl


def texts(session, kind: Kind) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in session.events if e.kind is kind]


def line(uuid: str, parent: str | None, kind: str, content: object, **extra: object) -> dict[str, object]:
    message: dict[str, object] = {"role": kind, "content": content}
    if kind == "assistant":
        message["id"] = extra.pop("mid", f"msg_{uuid}")
    return {"type": kind, "uuid": uuid, "parentUuid": parent, "sessionId": "s-1", "cwd": "/repo",
            "timestamp": "2026-03-01T10:00:00.000Z", "message": message, **extra}


def test_real_session_keeps_the_five_prompts_and_the_compaction_summary() -> None:
    [s] = read_transcript(fixture("claude-code/fasthooks__sample_main_transcript.jsonl"))
    assert s.session_id == "c45af7b1-cb7c-4e51-93db-8cbb250a877a"
    assert s.cwd == "/workspace" and s.project == "workspace"
    assert [e.text for e in s.user_events()] == [
        "can you run a command ls -la",
        "ok can you create a hello_world.py file and add a minimal code in it?",
        "can you read it back with Read tool?",
        "can you run `cat nonexistent.txt`",
        "do something requiring multiple tools in one turn,",
    ]
    summary = texts(s, Kind.SUMMARY)
    assert len(summary) == 1 and summary[0].startswith("This session is being continued")
    assert s.events[-2].text == "/compact" and s.events[-2].kind is Kind.META    # UI command, not a prompt
    assert s.started_at == datetime(2026, 1, 2, 19, 18, 31, 28000, tzinfo=UTC)
    failed = [e.tool for e in s.events if e.kind is Kind.TOOL_RESULT and e.tool and e.tool.is_error]
    assert [(t.name, t.output.splitlines()[0]) for t in failed] == [("Bash", "Exit code 1"), ("Bash", "Exit code 127")]
    assert all(e.tool and e.tool.call_id for e in s.events if e.kind in (Kind.TOOL_CALL, Kind.TOOL_RESULT))
    assert not any("Caveat:" in e.text for e in s.events)


def test_rewound_branch_is_dropped_and_the_new_prompt_is_a_rewind_correction() -> None:
    [s] = read_transcript(fixture("claude-code/claude-code-log__dag_compact_after_rewind.jsonl"))
    assert [e.text for e in s.user_events()] == ["Start", "Second attempt", "Keep going", "After compaction"]
    assert "First attempt" not in [e.text for e in s.events] and "First answer" not in [e.text for e in s.events]
    [rewind] = s.corrections()
    assert (rewind.uid, rewind.correction, rewind.text) == ("b2u", "rewind", "Second attempt")
    assert s.skipped["abandoned_branch"] == 2
    assert texts(s, Kind.SUMMARY) == ["This session is being continued from a previous conversation that ran out "
                                      "of context. Summary: the user asked for a plan."]
    assert texts(s, Kind.REPLY)[-1] == "Final answer"


def test_rejected_tools_and_the_interrupt_are_corrections() -> None:
    [s] = read_transcript(fixture("claude-code/spotter__short.jsonl"))
    assert [e.text for e in s.events if e.kind is Kind.PROMPT] == ["mix phx.server doesnt seem to start"]
    corrections = s.corrections()
    assert [(c.correction, c.tool.name if c.tool else None) for c in corrections] == [
        ("rejected_tool", "Bash"), ("rejected_tool", "Glob"), ("interrupt", None)]
    assert corrections[0].tool and "mix phx.server" in corrections[0].tool.input
    assert [e.text for e in s.events if e.kind is Kind.META] == ["/model", "Kept model as Default (recommended)"]


def test_parallel_tool_results_are_not_mistaken_for_a_rewind() -> None:
    [s] = read_transcript(fixture("claude-code/spotter__tool_heavy.jsonl"))
    assert "abandoned_branch" not in s.skipped
    results = [e.tool.name for e in s.events if e.kind is Kind.TOOL_RESULT and e.tool]
    assert results == ["Bash", "Bash", "Glob", "WebSearch", "Read", "WebFetch"]
    assert s.skipped["queue-operation"] == 2 and s.skipped["progress"] == 10
    assert [c.correction for c in s.corrections()] == ["interrupt", "interrupt"]
    assert s.user_events()[-1].kind is Kind.CORRECTION


def test_rejection_reason_typed_by_the_user_is_the_correction_text(tmp_path: Path) -> None:
    reason = ("The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file "
              "edit, the new_string was NOT written to the file). To tell you how to proceed, the user said:\n"
              "use pnpm, not npm")
    path = write_jsonl(tmp_path / "s-1.jsonl", [
        line("u1", None, "user", "install the deps"),
        line("a1", "u1", "assistant",
             [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "npm i"}}]),
        line("u2", "a1", "user", [{"type": "tool_result", "tool_use_id": "t1", "content": reason, "is_error": True}]),
    ])
    [s] = read_transcript(path)
    [c] = s.corrections()
    assert (c.correction, c.text, c.role) == ("rejected_tool", "use pnpm, not npm", Role.USER)
    assert c.tool and c.tool.name == "Bash" and c.tool.input == '{"command":"npm i"}' and c.tool.is_error


def test_injected_text_never_becomes_a_prompt_and_task_commands_do(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s-1.jsonl", [
        line("u1", None, "user",
             "<command-name>/review-pr</command-name>\n<command-message>review-pr</command-message>\n"
                                 "<command-args>123</command-args>"),
        line("u2", "u1", "user", "Review pull request 123 carefully.", isMeta=True),
        line("u3", "u2", "user", "<system-reminder>\nThe date changed.\n</system-reminder>"),
        line("u4", "u3", "user", "<command-name>/model</command-name>\n<command-args></command-args>"),
        line("u5", "u4", "user", "<local-command-stdout>Set model to opus</local-command-stdout>"),
        line("u6", "u5", "user", "<bash-input>git status</bash-input>"),
        line("u7", "u6", "user", "Caveat: The messages below were generated by the user while running local commands."),
        line("u8", "u7", "user", "<task-notification>agent finished</task-notification>"),
        line("u9", "u8", "user", "now fix the flaky test"),
    ])
    [s] = read_transcript(path)
    assert [e.text for e in s.events if e.kind is Kind.PROMPT] == ["/review-pr 123", "now fix the flaky test"]
    assert [(e.role, e.text) for e in s.events if e.kind is Kind.META] == [
        (Role.SYSTEM, "Review pull request 123 carefully."), (Role.USER, "/model"),
        (Role.SYSTEM, "Set model to opus"), (Role.USER, "! git status")]
    assert s.skipped["injected"] == 3


def test_streamed_parts_of_one_message_become_one_reply(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s-1.jsonl", [
        line("u1", None, "user", "explain"),
        line("a1", "u1", "assistant", [{"type": "text", "text": "First part."}], mid="msg_X"),
        line("a2", "a1", "assistant", [{"type": "text", "text": "Second part."}], mid="msg_X"),
        line("a3", "a2", "assistant", [{"type": "text", "text": "Second part."}], mid="msg_X"),   # repeated block
        line("a4", "a3", "assistant", [{"type": "tool_use", "id": "t1", "name": "Read", "input": {}}], mid="msg_X"),
    ])
    [s] = read_transcript(path)
    assert texts(s, Kind.REPLY) == ["First part.\n\nSecond part."]
    assert s.skipped["duplicate_block"] == 1
    assert [e.uid for e in s.events] == ["u1", "a1", "a4"]


def test_unknown_record_types_are_counted_not_fatal() -> None:
    [s] = read_transcript(fixture("claude-code/agent-sessions__claude_small_schema_coverage.jsonl"))
    assert s.title == "Stage0 small fixture"
    for kind in ("attachment", "permission-mode", "bridge-session", "atis-latch", "worktree-state", "system.api_error"):
        assert s.skipped[kind] >= 1
    assert [c.correction for c in s.corrections()] == []       # sidechain lines in a main file
    assert any(e.correction == "rejected_tool" and e.is_sidechain for e in s.events)


def test_subagents_21x_layout_are_sessions_linked_to_their_parent() -> None:
    main_path = fixture("claude-code/agent-sessions__subagent_layout/0a1b2c3d-4e5f-4061-8071-2a3b4c5d6e7f.jsonl")
    main, child = read_transcript(main_path)
    assert main.session_id == "0a1b2c3d-4e5f-4061-8071-2a3b4c5d6e7f" and main.parent_session_id is None
    assert child.parent_session_id == main.session_id
    assert child.session_id == f"{main.session_id}/agent-a0ad4f44468bdf20d"
    assert child.title == "general-purpose"                       # agentType from the .meta.json
    assert child.events and all(e.is_sidechain for e in child.events)
    assert child.user_events() == []                              # its "user" is the parent agent
    assert child.events[0].text == "Search the repo for TODO comments"


def test_subagents_20x_siblings_are_matched_on_session_id(tmp_path: Path) -> None:
    main_path = copy(fixture("claude-code/fasthooks__sample_main_transcript.jsonl"),
                     tmp_path / "c45af7b1-cb7c-4e51-93db-8cbb250a877a.jsonl")
    copy(fixture("claude-code/fasthooks__sample_agent_sidechain.jsonl"), tmp_path / "agent-af1ff21.jsonl")
    write_jsonl(
        tmp_path / "agent-0000000.jsonl", [line("x", None, "user", "Warmup", isSidechain=True, agentId="0000000")]
    )
    sessions = read_transcript(main_path)
    assert [s.session_id for s in sessions] == ["c45af7b1-cb7c-4e51-93db-8cbb250a877a",
                                                "c45af7b1-cb7c-4e51-93db-8cbb250a877a/agent-af1ff21"]
    assert sessions[1].events[0].text == "Warmup" and sessions[1].events[0].is_sidechain


def test_inline_sidechain_lines_of_1x_stay_in_the_session_marked(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s-1.jsonl", [
        line("u1", None, "user", "find the bug"),
        line("a1", "u1", "assistant",
             [{"type": "tool_use", "id": "t1", "name": "Task", "input": {"prompt": "search"}}]),
        line("x1", None, "user", "search", isSidechain=True),
        line("x2", "x1", "assistant", [{"type": "text", "text": "found it"}], isSidechain=True),
        line("u2", "a1", "user", [{"type": "tool_result", "tool_use_id": "t1", "content": "found it"}]),
        line("a2", "u2", "assistant", [{"type": "text", "text": "The bug is in x.py"}]),
    ])
    [s] = read_transcript(path)
    assert [e.text for e in s.user_events()] == ["find the bug"]
    assert [(e.text, e.is_sidechain) for e in s.events if e.kind in (Kind.PROMPT, Kind.REPLY)] == [
        ("find the bug", False), ("search", True), ("found it", True), ("The bug is in x.py", False)]


def test_reading_a_meta_json_reads_its_subagent_transcript() -> None:
    meta = fixture("claude-code/agent-sessions__subagent_layout/0a1b2c3d-4e5f-4061-8071-2a3b4c5d6e7f/subagents/"
                   "agent-a0ad4f44468bdf20d.meta.json")
    [child] = read_transcript(meta)
    assert child.parent_session_id == "0a1b2c3d-4e5f-4061-8071-2a3b4c5d6e7f"
    assert json.loads(meta.read_text())["agentType"] == child.title
