"""Copilot: VS Code chat documents and patch logs, Copilot CLI event logs."""

from __future__ import annotations

import json
from pathlib import Path

from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import detect_format, read_transcript

from .conftest import copy, fixture, write_jsonl


def test_export_gives_one_prompt_per_request() -> None:
    [s] = read_transcript(fixture("copilot/vscode_chat_export/copilot-chat-analyzer__chat.json"))
    assert [e.text for e in s.user_events()] == ["hi", "hello"]
    assert [e.text for e in s.events if e.kind is Kind.REPLY] == ["Hello! How can I help you today?",
                                                                   "Hello! How can I help you?"]
    assert s.started_at and s.started_at.isoformat() == "2025-10-02T15:16:51.240000+00:00"


def test_mcp_tool_error_and_workspace_folder_from_the_export() -> None:
    [s] = read_transcript(fixture("copilot/vscode_chat_export/copilot-chat-analyzer__chat_error_mcp.json"))
    assert s.cwd == "c:/Users/USER/dev/mimicai/copilot-chat-analyzer" and s.project == "copilot-chat-analyzer"
    [result] = [e.tool for e in s.events if e.kind is Kind.TOOL_RESULT]
    assert result and result.name == "mcp_micmicai-mcp_update_entry_fields" and result.is_error
    assert "400" in result.output and json.loads(result.input) == {"entry_id": "invalid_id", "fields": {}}


def test_patch_log_is_replayed_in_order_with_cancel_and_denial(tmp_path: Path) -> None:
    folder = tmp_path / "workspaceStorage" / "abc123"
    folder.mkdir(parents=True)
    (folder / "workspace.json").write_text(json.dumps({"folder": "file:///home/u/my%20app"}))
    request = {"requestId": "r1", "timestamp": 1767225600000, "message": {"text": "migrate the db"}, "response": []}
    log = write_jsonl(folder / "chatSessions" / "sess-1.jsonl", [
        {"kind": 0, "v": {"version": 3, "sessionId": "sess-1", "creationDate": 1767225600000, "requests": []}},
        {"kind": 2, "k": ["requests"], "v": [request]},
        {"kind": 2, "k": ["requests", 0, "response"], "v": [{"kind": "markdownContent", "value": "Running "}]},
        {"kind": 2, "k": ["requests", 0, "response"], "v": [{"kind": "markdownContent", "value": "the migration."}]},
        {"kind": 2, "k": ["requests", 0, "response"], "v": [{
            "kind": "toolInvocationSerialized", "toolId": "run_in_terminal", "toolCallId": "c1",
            "isConfirmed": {"type": 0},
            "toolSpecificData": {"kind": "input", "rawInput": {"command": "alembic upgrade"}}}]},
        {"kind": 1, "k": ["requests", 0, "isCanceled"], "v": True},
        {"kind": 1, "k": ["customTitle"], "v": "DB migration"},
    ])
    assert detect_format(log) == "copilot-vscode"
    [s] = read_transcript(log)
    assert (s.session_id, s.title, s.cwd) == ("sess-1", "DB migration", "/home/u/my app")
    assert [(e.kind, e.text, e.correction) for e in s.events if e.kind is not Kind.TOOL_CALL] == [
        (Kind.PROMPT, "migrate the db", None), (Kind.REPLY, "Running the migration.", None),
        (Kind.CORRECTION, "", "rejected_tool"), (Kind.CORRECTION, "", "interrupt")]
    assert [s.session_id for s in read_transcript(folder)] == ["sess-1"]


def test_cli_events_in_the_current_layout() -> None:
    path = fixture("copilot/cli/agent-sessions__subdir_v1/aaaabbbb-1111-2222-3333-ccccddddeeee/events.jsonl")
    [s] = read_transcript(path)
    assert (s.session_id, s.cwd) == ("aaaabbbb-1111-2222-3333-ccccddddeeee", "/tmp/project")
    assert [e.text for e in s.user_events()] == ["List the files"]
    call, result = [e.tool for e in s.events if e.kind in (Kind.TOOL_CALL, Kind.TOOL_RESULT)]
    assert call and result and (call.call_id, result.call_id, result.name) == ("call_1", "call_1", "bash")
    assert result.output == "file1\nfile2\n"


def test_cli_abort_is_an_interrupt_and_subagent_events_are_sidechain(tmp_path: Path) -> None:
    [s] = read_transcript(fixture("copilot/cli/agent-sessions__copilot_small.jsonl"))
    assert s.session_id == "copilot_stage0_small"
    assert [c.correction for c in s.corrections()] == ["interrupt"]
    assert [e.is_sidechain for e in s.events if e.kind is Kind.TOOL_CALL] == [False, True, False, False]
    assert s.skipped["session.shutdown"] == 1 and "transformedContent" not in str(s.events)
    flat = copy(fixture("copilot/cli/agent-sessions__copilot_small.jsonl"),
                tmp_path / ".copilot" / "session-state" / "copilot_stage0_small.jsonl")
    assert detect_format(flat) == "copilot-cli"
