"""Gemini CLI recordings: legacy JSON, JSONL upserts with $set and $rewindTo, cancellations."""

from __future__ import annotations

import json
from pathlib import Path

from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import read_transcript

from .conftest import fixture, write_jsonl


def test_legacy_recording_with_tool_calls_and_thoughts() -> None:
    [s] = read_transcript(fixture("gemini/yoavf__gemini_session.json"))
    assert s.session_id == "f86f5318-f47b-4433-85f8-ec9d9a417f8e"
    assert [e.text for e in s.user_events()] == ["List the files in the current directory",
                                                 "Great! Can you read the README?"]
    results = [e.tool for e in s.events if e.kind is Kind.TOOL_RESULT and e.tool]
    assert [r.name for r in results] == ["list_directory", "read_file", "read_many_files"]
    assert "Content of file 2" in results[2].output                 # text parts after the functionResponse
    assert s.events[1].kind is Kind.THINKING and s.events[1].text.startswith("Analyzing Directory Structure: ")


def test_jsonl_replay_merges_set_metadata() -> None:
    [s] = read_transcript(fixture("gemini/agent-sessions__jsonl_v040.jsonl"))
    assert s.session_id == "gemini_stage0_jsonl"
    assert s.ended_at and s.ended_at.isoformat() == "2026-04-29T21:39:33.156000+00:00"   # from the $set line
    assert [e.kind for e in s.events] == [Kind.PROMPT, Kind.TOOL_CALL, Kind.TOOL_RESULT, Kind.REPLY]


def test_rewind_deletes_messages_and_marks_the_rephrased_prompt(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "session-2026-05-01T10-00-abcd1234.jsonl", [
        {"sessionId": "abcd1234-0000", "projectHash": "h", "startTime": "2026-05-01T10:00:00Z", "kind": "main"},
        {"id": "m1", "type": "user", "content": [{"text": "add logging"}]},
        {"id": "m2", "type": "gemini", "content": "Added print statements."},
        {"id": "m2", "type": "gemini", "content": "Added print statements everywhere."},     # upsert
        {"id": "m3", "type": "user", "content": [{"text": "use print"}]},
        {"id": "m4", "type": "gemini", "content": "OK, print."},
        {"$rewindTo": "m3"},
        {"id": "m5", "type": "user", "content": [{"text": "use the logging module instead"}]},
        {"$set": {"summary": "Logging setup"}},
    ])
    [s] = read_transcript(path)
    assert [e.text for e in s.events] == ["add logging", "Added print statements everywhere.",
                                          "use the logging module instead"]
    [c] = s.corrections()
    assert (c.uid, c.correction) == ("m5", "rewind") and s.title == "Logging setup"


def test_cancel_notice_and_cancelled_tool_call_are_corrections(tmp_path: Path) -> None:
    [s] = read_transcript(fixture("gemini/agent-sessions__large.json"))
    assert [(c.uid, c.correction) for c in s.corrections()] == [("m3", "interrupt")]
    path = tmp_path / "session-x.json"
    path.write_text(json.dumps({"sessionId": "x", "projectHash": "h", "messages": [
        {"id": "u", "type": "user", "content": "delete the build folder"},
        {"id": "g", "type": "gemini", "content": "", "toolCalls": [
            {"id": "rm-1", "name": "run_shell_command", "args": {"command": "rm -rf build"},
             "status": "cancelled"}]}]}))
    [s] = read_transcript(path)
    [c] = s.corrections()
    assert c.correction == "rejected_tool" and c.tool and c.tool.input == '{"command":"rm -rf build"}'


def test_history_shaped_record_and_subagent_recordings(tmp_path: Path) -> None:
    [s] = read_transcript(fixture("gemini/agent-sessions__schema_drift.json"))
    assert [e.text for e in s.events] == ["Describe this image:", "It looks like..."]
    assert s.title == "Redacted session summary"
    chats = tmp_path / "chats"
    write_jsonl(chats / "session-2026-05-01T10-00-main0001.jsonl", [
        {"sessionId": "main0001-full", "projectHash": "h", "kind": "main"},
        {"id": "u1", "type": "user", "content": "research the API"}])
    write_jsonl(chats / "main0001-full" / "child-7.jsonl", [
        {"sessionId": "child-7", "projectHash": "h", "kind": "subagent"},
        {"id": "c1", "type": "user", "content": "look up the endpoint"}])
    main, child = read_transcript(chats / "session-2026-05-01T10-00-main0001.jsonl")
    assert (child.session_id, child.parent_session_id) == ("child-7", "main0001-full")
    assert child.events[0].is_sidechain and child.user_events() == []
    assert [e.text for e in main.user_events()] == ["research the API"]
