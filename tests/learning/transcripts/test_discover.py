"""Default session locations per agent, found in a fake home built from the fixtures."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autoskill_mcp.learning.transcripts import TranscriptError, detect_format, discover, read_transcript

from .conftest import copy, fixture

ROO_TASK = "cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home folder laid out the way each agent writes it (macOS, Linux and Windows editor dirs mixed)."""
    h = tmp_path / "home"
    claude = h / ".claude" / "projects" / "-workspace"
    copy(
        fixture("claude-code/fasthooks__sample_main_transcript.jsonl"),
        claude / "c45af7b1-cb7c-4e51-93db-8cbb250a877a.jsonl",
    )
    copy(fixture("claude-code/fasthooks__sample_agent_sidechain.jsonl"), claude / "agent-af1ff21.jsonl")
    copy(fixture("codex/simonw__sample_codex_session.jsonl"), h / ".codex" / "sessions" / "2025" / "12" / "28"
         / "rollout-2025-12-28T12-18-30-019b64e5-57fa-7463-b644-fba7e456f905.jsonl")
    copy(fixture("gemini/yoavf__gemini_session.json"),
         h / ".gemini" / "tmp" / "79b6fa86" / "chats" / "session-2025-10-18T14-57-f86f5318.json")
    constructed = fixture("cursor/ide_state_vscdb/constructed")
    copy(constructed / "globalStorage", h / ".config" / "Cursor" / "User" / "globalStorage")
    copy(constructed / "workspaceStorage", h / ".config" / "Cursor" / "User" / "workspaceStorage")
    store_root = fixture("cursor/agent_cli/cursor-history__store-root")
    copy(store_root, h / ".cursor")
    copy(fixture(ROO_TASK), h / "Library" / "Application Support" / "Code" / "User" / "globalStorage" /
         "rooveterinaryinc.roo-cline" / "tasks" / "bc93a6f7-cd2e-4686-a832-46e3cd14d338")
    copy(fixture("copilot/vscode_chat_export/copilot-chat-analyzer__chat.json"),
         h / "AppData" / "Roaming" / "Code" / "User" / "workspaceStorage" / "w1" / "chatSessions" / "chat-1.json")
    copy(fixture("copilot/cli/agent-sessions__subdir_v1"), h / ".copilot" / "session-state")
    copy(fixture("aider/aider__chat-history_session046.aider.chat.history.md"), h / ".aider.chat.history.md")
    return h


EXPECTED = {
    "claude-code": ["claude-code"], "codex": ["codex"], "gemini": ["gemini"], "cursor": ["cursor", "cursor-agent"],
    "roo": ["roo"], "copilot": ["copilot-cli", "copilot-vscode"], "aider": ["aider"], "cline": [],
}


@pytest.mark.parametrize("agent", sorted(EXPECTED))
def test_each_agent_is_found_where_it_writes_and_every_path_reads(home: Path, agent: str) -> None:
    paths = discover(agent, home=home)
    assert sorted(detect_format(p) for p in paths) == EXPECTED[agent]
    for path in paths:
        assert path.resolve().is_relative_to(home.resolve())
        assert read_transcript(path)


def test_subagent_files_are_not_listed_on_their_own(home: Path) -> None:
    [main] = discover("claude-code", home=home)
    assert main.name == "c45af7b1-cb7c-4e51-93db-8cbb250a877a.jsonl"
    assert [s.session_id for s in read_transcript(main)][1].endswith("/agent-af1ff21")


def test_all_agents_newest_first_and_since_filters_by_mtime(home: Path) -> None:
    everything = discover(home=home)
    assert len(everything) == 9
    old = time.time() - 10 * 86400
    for path in everything[1:]:
        os.utime(path, (old, old))
        if path.is_dir():
            for f in path.iterdir():
                os.utime(f, (old, old))
    assert discover(home=home)[0] == everything[0]
    assert discover(since=timedelta(days=2), home=home) == [everything[0]]
    assert discover(since=datetime.now(UTC) - timedelta(days=30), home=home) == discover(home=home)


def test_environment_variables_move_an_agents_home(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    moved = tmp_path / "claude-elsewhere"
    copy(home / ".claude", moved)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(moved))
    [found] = discover("claude-code", home=home)
    assert found.is_relative_to(moved)


def test_symlinks_out_of_an_agents_folder_and_loops_are_not_followed(home: Path, tmp_path: Path) -> None:
    outside = copy(fixture("claude-code/spotter__short.jsonl"), tmp_path / "outside" / "secret.jsonl")
    projects = home / ".claude" / "projects"
    (projects / "-link").mkdir()
    (projects / "-link" / "escape.jsonl").symlink_to(outside)
    (projects / "-outdir").symlink_to(outside.parent, target_is_directory=True)
    (projects / "-loop").symlink_to(projects, target_is_directory=True)
    found = discover("claude-code", home=home)
    assert [p.name for p in found] == ["c45af7b1-cb7c-4e51-93db-8cbb250a877a.jsonl"]


def test_unknown_agent_and_bad_since_are_errors(home: Path) -> None:
    with pytest.raises(TranscriptError, match="unknown agent 'emacs'"):
        discover("emacs", home=home)
    with pytest.raises(TranscriptError, match="since must be"):
        discover(since="yesterday", home=home)  # type: ignore[arg-type]
    assert discover("cline", home=home / "nowhere") == []
