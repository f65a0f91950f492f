"""Format detection by path conventions and by content, whatever the file is called."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from autoskill_mcp.learning.transcripts import TranscriptError, detect_format, read_transcript

from .conftest import copy, fixture, write_jsonl

CONTENT_CASES = {
    "claude-code/spotter__short.jsonl": "claude-code",
    "codex/yoavf__codex_pre_envelope_format.jsonl": "codex",
    "codex/simonw__sample_codex_session.jsonl": "codex",
    "gemini/agent-sessions__jsonl_v040.jsonl": "gemini",
    "gemini/yoavf__gemini_session.json": "gemini",
    "cursor/agent_cli/agent-sessions__small.jsonl": "cursor-agent",
    "copilot/cli/agent-sessions__copilot_small.jsonl": "copilot-cli",
    "copilot/vscode_chat_export/copilot-chat-analyzer__chat.json": "copilot-vscode",
    "openai-chat/ms-foundry__stock_toolcall_validation.jsonl": "openai-chat",
    "aider/aider__chat-history_session046.aider.chat.history.md": "aider",
    "cursor/ide_state_vscdb/cursor-history__composer-global-state.vscdb": "cursor",
    "cursor/agent_cli/agent-sessions__test-store.db": "cursor-agent",
}


@pytest.mark.parametrize(("rel", "fmt"), sorted(CONTENT_CASES.items()))
def test_content_decides_when_the_name_says_nothing(rel: str, fmt: str, tmp_path: Path) -> None:
    renamed = copy(fixture(rel), tmp_path / "export.dat")
    assert detect_format(renamed) == fmt


def test_folders_are_recognised_by_what_they_hold(tmp_path: Path) -> None:
    task = tmp_path / "rooveterinaryinc.roo-cline" / "tasks" / "1767225600000"
    task.mkdir(parents=True)
    (task / "api_conversation_history.json").write_text("[]")
    assert detect_format(task) == "roo"                        # the extension id wins over the id's shape
    session = tmp_path / "session-state" / "s1"
    write_jsonl(session / "events.jsonl", [{"type": "session.start", "data": {}}])
    assert detect_format(session) == "copilot-cli"
    assert detect_format(session / "events.jsonl") == "copilot-cli"
    assert detect_format(tmp_path) is None


def test_anything_that_is_not_a_transcript_is_none(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text(json.dumps({"todo": ["a", "b"]}))
    assert detect_format(tmp_path / "notes.json") is None
    (tmp_path / "readme.md").write_text("# Title\n\ntext\n")
    assert detect_format(tmp_path / "readme.md") is None
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    assert detect_format(tmp_path / "other.db") is None
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "broken.json").write_text('{"requests": [')
    for name in ("empty.jsonl", "broken.json", "missing.jsonl"):
        assert detect_format(tmp_path / name) is None
    with pytest.raises(TranscriptError, match="empty file"):       # reading says why
        read_transcript(tmp_path / "empty.jsonl")
