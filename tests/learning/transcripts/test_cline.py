"""Cline and Roo task folders: the UI log first, API history when it is missing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import detect_format, read_transcript

from .conftest import fixture

ROO_TASK = "cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338"


def test_real_roo_task_reads_the_ui_log_with_one_structural_correction() -> None:
    [s] = read_transcript(fixture(f"{ROO_TASK}/ui_messages.json"))
    assert (s.agent, s.cwd) == ("roo", "d:/dev/roo-extensions")
    assert s.started_at == datetime(2025, 9, 17, 13, 28, 34, 892000, tzinfo=UTC)
    users = s.user_events()
    assert len(users) == 9                                       # the task + 8 user_feedback replies
    assert users[0].text.startswith("# PHASE 1 : Diagnostic Système Interface-First")
    [feedback] = s.corrections()                                 # the reply after "completion_result"
    assert feedback.correction == "feedback"
    assert feedback.text.startswith("Interface first, tu auras pu me demander, non?")
    assert "Ne range pas juste les 3 docuemnts" in users[-1].text
    mcp = [e.tool for e in s.events if e.kind is Kind.TOOL_RESULT and e.tool]
    assert mcp[0].name == "roo-state-manager.list_conversations"
    assert s.skipped["partial"] == 32 and s.skipped["say.api_req_started"] == 30
    assert [s.session_id for s in read_transcript(fixture(ROO_TASK))] == [s.session_id]


def test_api_history_only_task_strips_environment_details() -> None:
    [s] = read_transcript(fixture("cline-roo/roo__38948ef0-4a8b-40a2-ae29-b38d2aa9d5a7/api_conversation_history.json"))
    assert s.cwd == "d:/dev/2025-Epita-Intelligence-Symbolique"
    assert s.user_events()[0].text.startswith("TEST-NODE-B1: Tu es un nœud intermédiaire")
    assert not any("environment_details" in e.text or "VSCode Open Tabs" in e.text for e in s.events)
    calls = [e.tool.name for e in s.events if e.kind is Kind.TOOL_CALL and e.tool]
    assert calls == ["new_task", "new_task", "attempt_completion"]
    results = [e.tool.output for e in s.events if e.kind is Kind.TOOL_RESULT and e.tool]
    assert results[0].startswith("J'ai créé le fichier") and results[1].startswith("Successfully created new task")


def write_task(folder: Path, ui: list[dict[str, object]] | None = None,
               api: list[dict[str, object]] | None = None) -> Path:
    folder.mkdir(parents=True)
    if ui is not None:
        (folder / "ui_messages.json").write_text(json.dumps(ui))
    if api is not None:
        (folder / "api_conversation_history.json").write_text(json.dumps(api))
    return folder


def test_cline_replies_to_tool_asks_and_denials_are_rejections(tmp_path: Path) -> None:
    folder = write_task(tmp_path / "saoudrizwan.claude-dev" / "tasks" / "1767225600000", ui=[
        {"ts": 1767225600000, "type": "say", "say": "task", "text": "rename the config loader"},
        {"ts": 1767225601000, "type": "ask", "ask": "tool",
         "text": json.dumps({"tool": "editedExistingFile", "path": "a.py"})},
        {"ts": 1767225602000, "type": "say", "say": "user_feedback", "text": "keep the old name as an alias"},
        {"ts": 1767225603000, "type": "ask", "ask": "command", "text": "rm -rf build"},
        {"ts": 1767225604000, "type": "say", "say": "api_req_started",
         "text": json.dumps({"request": "[execute_command for 'rm -rf build'] Result:\n"
                                        "The user denied this operation."})},
        {"ts": 1767225605000, "type": "say", "say": "completion_result", "text": "Renamed."},
        {"ts": 1767225606000, "type": "ask", "ask": "completion_result", "text": ""},
        {"ts": 1767225607000, "type": "say", "say": "user_feedback", "text": "the tests still import the old module"},
        {"ts": 1767225608000, "type": "say", "say": "text", "text": "", "partial": True},
    ])
    assert detect_format(folder) == "cline"
    [s] = read_transcript(folder)
    assert s.agent == "cline"
    assert [(c.correction, c.text, c.tool.name if c.tool else None) for c in s.corrections()] == [
        ("rejected_tool", "keep the old name as an alias", "editedExistingFile"),
        ("rejected_tool", "", "execute_command"),
        ("feedback", "the tests still import the old module", None)]


def test_api_history_feedback_after_completion_and_native_tool_blocks(tmp_path: Path) -> None:
    folder = write_task(tmp_path / "tasks" / "1767225600001", api=[
        {"role": "user", "content": [{"type": "text", "text": "<task>\nadd a CLI flag\n</task>"},
                                     {"type": "text", "text": "<environment_details>\n# Current Workspace Directory "
                                                              "(/home/u/proj) Files\n</environment_details>"}]},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "Find argparse."},
                                          {"type": "tool_use", "id": "toolu_1", "name": "read_file",
                                           "input": {"path": "cli.py"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "import argparse"}]},
        {"role": "assistant",
         "content": "Added.\n<attempt_completion>\n<result>Added --dry-run</result>\n</attempt_completion>"},
        {"role": "user", "content": [{"type": "text", "text": "[attempt_completion] Result:"},
                                     {"type": "text", "text": "The user has provided feedback on the results.\n"
                                                              "<feedback>\ncall it --check instead\n</feedback>"}]},
    ])
    [s] = read_transcript(folder)
    assert s.cwd == "/home/u/proj"
    assert [e.kind for e in s.events] == [Kind.PROMPT, Kind.THINKING, Kind.TOOL_CALL, Kind.TOOL_RESULT, Kind.REPLY,
                                          Kind.TOOL_CALL, Kind.CORRECTION]
    assert s.events[3].tool and s.events[3].tool.name == "read_file"
    assert (s.events[-1].correction, s.events[-1].text) == ("feedback", "call it --check instead")
