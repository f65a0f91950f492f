"""Ingesting a folder queues each transcript once: task folders whole, sub-agent files with their parent."""

from __future__ import annotations

from pathlib import Path

from autoskill_mcp.learning.transcripts import detect_format, read_transcript
from autoskill_mcp.learning.transcripts.discover import entry_points

FIXTURES = Path(__file__).parents[2] / "fixtures" / "transcripts"


def _entries() -> list[Path]:
    return entry_points(FIXTURES, lambda p: detect_format(p) is not None)


def test_task_folders_are_one_entry_and_their_files_none() -> None:
    entries = _entries()
    tasks = [p for p in entries if p.parent.name == "cline-roo"]
    assert len(tasks) == 2 and all(p.is_dir() for p in tasks)
    assert not [p for p in entries if p.parent in tasks]


def test_claude_sub_agents_come_with_their_parent_once() -> None:
    layout = FIXTURES / "claude-code" / "agent-sessions__subagent_layout"
    mine = [p.relative_to(layout) for p in _entries() if layout in p.parents]
    assert mine == [Path("0a1b2c3d-4e5f-4061-8071-2a3b4c5d6e7f.jsonl")]
    sessions = read_transcript(layout / mine[0])
    assert any(s.events and all(e.is_sidechain for e in s.events) for s in sessions)  # the sub-agent, read with it


def test_every_fixture_is_reached_and_entries_do_not_overlap() -> None:
    entries = _entries()
    assert len(set(entries)) == len(entries)
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.name != "SOURCES.md"]
    for f in files:
        covered = f in entries or any(e in f.parents for e in entries if e.is_dir()) \
            or any(e.with_suffix("") in f.parents for e in entries if e.suffix == ".jsonl")
        assert covered or detect_format(f) is None or f.name.endswith(".meta.json"), f
    assert sum(len(read_transcript(e)) for e in entries) >= 60  # every entry reads; a few hold no session
