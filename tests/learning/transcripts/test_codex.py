"""Codex rollouts: envelope and pre-envelope variants, one source per kind, aborts and undo."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import read_transcript

from .conftest import fixture, write_jsonl


def test_real_session_takes_the_typed_prompt_and_drops_injected_context() -> None:
    [s] = read_transcript(fixture("codex/simonw__sample_codex_session.jsonl"))
    assert s.session_id == "019b64e5-57fa-7463-b644-fba7e456f905"
    assert s.cwd == "/Users/macmini/Code/homelab-migration" and s.project == "homelab-migration"
    assert [e.text for e in s.user_events()] == [
        "can you analyse the MD files in this directory and determine if the info we have is clear enough to start "
        "planning the migration?"]
    assert s.user_events()[0].uid == "L5"                           # the event_msg copy, not the response_item one
    assert s.skipped["injected"] == 2 and s.skipped["response_item.user_echo"] == 1
    assert s.started_at == datetime(2025, 12, 28, 12, 18, 30, 522000, tzinfo=UTC)


def test_prompt_is_read_once_and_encrypted_reasoning_never_surfaces() -> None:
    path = fixture("codex/claude-code-log__rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl")
    [s] = read_transcript(path)
    assert [e.text for e in s.user_events()] == ["List the synthetic files."]
    assert not any("SYNTHETIC_ENCRYPTED" in e.text for e in s.events)
    calls = {e.tool.call_id: e.tool for e in s.events if e.kind is Kind.TOOL_CALL and e.tool}
    results = {e.tool.call_id: e.tool for e in s.events if e.kind is Kind.TOOL_RESULT and e.tool}
    assert set(calls) == set(results) == {"call-structured-001", "call-custom-001", "call-mcp-001"}
    assert (
        calls["call-custom-001"].name == "apply_patch" and "*** Add File: gamma.txt" in calls["call-custom-001"].input
    )
    assert results["call-custom-001"].output == "Done!"
    assert [e.text for e in s.events if e.kind is Kind.REPLY] == ["The synthetic files are alpha.txt and beta.txt."]
    assert s.skipped["future_synthetic_record"] == 1 and s.skipped["event_msg.agent_message"] == 1


def test_turn_aborted_undo_and_compaction_in_the_schema_coverage_file() -> None:
    [s] = read_transcript(fixture("codex/agent-sessions__codex_small_schema_coverage.jsonl"))
    assert s.session_id == "019fc8be-3658-7ca3-9e29-000000000000" and s.cwd == "/tmp/repo"
    assert [c.correction for c in s.corrections()] == ["interrupt", "undo"]
    assert s.user_events()[0].text == "List the files"
    assert len([e for e in s.events if e.kind is Kind.SUMMARY]) == 5
    assert s.skipped["world_state"] == 5 and s.skipped["session_meta.repeat"] >= 1
    assert s.title == "[trimmed for fixture]"                      # thread_name_updated


def test_envelope_without_user_message_events_falls_back_to_response_items() -> None:
    [s] = read_transcript(fixture("codex/yoavf__codex_envelope_format.jsonl"))
    assert (s.session_id, s.cwd) == ("test-session-999", "/test/project")
    assert [e.text for e in s.user_events()] == ["List files"]
    [result] = [e.tool for e in s.events if e.kind is Kind.TOOL_RESULT]
    assert result and result.name == "shell" and result.output == "file1.txt\nfile2.txt"


def test_pre_envelope_rollout_reads_the_bare_header_and_items() -> None:
    [s] = read_transcript(fixture("codex/yoavf__codex_pre_envelope_format.jsonl"))
    assert s.session_id == "test-session-789"
    assert [e.kind for e in s.events] == [Kind.PROMPT, Kind.THINKING, Kind.REPLY, Kind.TOOL_CALL, Kind.TOOL_RESULT]
    assert s.events[0].text == "Create a README file" and s.skipped["record_type.state"] == 3


def test_token_count_only_rollout_is_a_session_without_events() -> None:
    [s] = read_transcript(fixture("codex/ccusage__session-alpha.jsonl"))
    assert s.events == [] and s.skipped == {"event_msg.token_count": 2}


def test_subagent_thread_names_its_parent_and_failed_commands_are_errors(tmp_path: Path) -> None:
    def rec(kind: str, payload: dict[str, object]) -> dict[str, object]:
        return {"timestamp": "2026-02-01T08:00:00Z", "type": kind, "payload": payload}

    path = write_jsonl(tmp_path / "rollout-2026-02-01T08-00-00-22222222-2222-4222-8222-222222222222.jsonl", [
        rec("session_meta", {"id": "22222222-2222-4222-8222-222222222222", "cwd": "/w",
                             "source": {"subagent": {"thread_spawn": {"parent_thread_id": "parent-1", "depth": 1}}}}),
        rec("event_msg", {"type": "user_message", "message": "run the tests"}),
        rec("response_item", {"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"pytest\"]}",
                              "call_id": "c1"}),
        rec("response_item", {"type": "function_call_output", "call_id": "c1",
                              "output": json.dumps({"output": "1 failed", "metadata": {"exit_code": 1}})}),
    ])
    [s] = read_transcript(path)
    assert s.parent_session_id == "parent-1"
    [result] = [e.tool for e in s.events if e.kind is Kind.TOOL_RESULT]
    assert result and (result.output, result.is_error) == ("1 failed", True)


def test_early_json_document_variant(tmp_path: Path) -> None:
    path = tmp_path / "rollout-2025-04-01-abc.json"
    path.write_text(json.dumps({"session": {"id": "early-1", "timestamp": "2025-04-01T09:00:00Z"},
                                "items": [{"type": "message", "role": "user",
                                           "content": [{"type": "input_text", "text": "add a README"}]},
                                          {"type": "message", "role": "assistant",
                                           "content": [{"type": "output_text", "text": "Done."}]}]}))
    [s] = read_transcript(path)
    assert s.session_id == "early-1" and [e.text for e in s.events] == ["add a README", "Done."]
