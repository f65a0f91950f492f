"""Every file in the shared fixture tree is recognised and read (a new unknown file fails here)."""

from __future__ import annotations

import pytest

from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import detect_format, read_transcript
from autoskill_mcp.learning.transcripts.fields import TOOL_TEXT_LIMIT

from .conftest import FIXTURES

# Which format each fixture folder holds. A file in a folder not listed here fails the test.
EXPECTED_FORMAT = {
    "aider": "aider",
    "claude-code": "claude-code",
    "cline-roo": "roo",
    "codex": "codex",
    "copilot/cli": "copilot-cli",
    "copilot/vscode_chat_export": "copilot-vscode",
    "cursor/agent_cli": "cursor-agent",
    "cursor/ide_state_vscdb": "cursor",
    "gemini": "gemini",
    "openai-chat": "openai-chat",
}
DOCUMENTATION = {"SOURCES.md"}
FIXTURE_FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*")
                       if p.is_file() and p.name not in DOCUMENTATION) if FIXTURES.is_dir() else []


def expected_format(rel: str) -> str:
    folder = next((f for f in sorted(EXPECTED_FORMAT, key=len, reverse=True) if rel.startswith(f + "/")), None)
    assert folder is not None, f"fixture {rel} is in a folder with no known transcript format"
    return EXPECTED_FORMAT[folder]


def test_fixture_tree_is_present_and_complete() -> None:
    assert FIXTURES.is_dir(), f"{FIXTURES} missing: put shared/ beside the repository"
    assert len(FIXTURE_FILES) >= 54, f"only {len(FIXTURE_FILES)} fixture files under {FIXTURES}"


@pytest.mark.parametrize("rel", FIXTURE_FILES)
def test_every_fixture_is_detected_and_read(rel: str) -> None:
    path = FIXTURES / rel
    assert detect_format(path) == expected_format(rel)
    sessions = read_transcript(path)
    assert sessions, f"{rel}: no sessions"
    for session in sessions:
        assert session.session_id and session.agent
        uids = [e.uid for e in session.events]
        assert len(uids) == len(set(uids)), f"{rel}: duplicate event uids"
        for event in session.events:
            assert event.uid and event.source_ref
            if event.tool is not None:
                assert len(event.tool.input) <= TOOL_TEXT_LIMIT + 60
                assert event.tool.output is None or len(event.tool.output) <= TOOL_TEXT_LIMIT + 60
            if event.kind is Kind.CORRECTION:
                assert event.correction in {"interrupt", "rejected_tool", "rewind", "undo", "feedback"}
