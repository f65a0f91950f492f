"""Aider chat history: one session per run, `####` input, `/undo` corrections."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import detect_format, read_transcript

from .conftest import fixture

S046 = "aider/aider__chat-history_session046.aider.chat.history.md"
S050 = "aider/aider__chat-history_session050.aider.chat.history.md"


def test_four_undos_are_corrections_after_three_requests() -> None:
    [s] = read_transcript(fixture(S046))
    assert [e.text for e in s.events if e.kind is Kind.PROMPT] == [
        "handle Keys.BracketedPaste and print a when it happens", "handle command-v and print", "handle alt-v too"]
    assert [(c.correction, c.text) for c in s.corrections()] == [("undo", "/undo")] * 4
    assert s.started_at == datetime(2024, 8, 6, 10, 53, 39)       # local time: aider writes no zone
    assert s.cwd == str(fixture(S046).resolve().parent)
    assert s.skipped["banner"] == 1 and not any("Tokens:" in e.text for e in s.events)


def test_edit_blocks_stay_in_the_reply_and_commands_are_meta() -> None:
    [s] = read_transcript(fixture(S050))
    assert [e.text for e in s.user_events()] == ["can i make it so each image will have AIDER_DOCKER_IMAGE=true set?",
                                                 "no, i mean for processing that run inside the image", "/undo"]
    replies = [e.text for e in s.events if e.kind is Kind.REPLY]
    assert len(replies) == 2 and replies[0].count(">>>>>>> REPLACE") == 2 and replies[1].count(">>>>>>> REPLACE") == 3
    assert [e.text for e in s.events if e.kind is Kind.META and e.role.value == "user"] == ["/diff"]
    assert any(e.text.startswith("Applied edit to docker/Dockerfile") for e in s.events if e.kind is Kind.META)


def test_multi_line_input_is_one_prompt() -> None:
    [s] = read_transcript(fixture("aider/aider__chat-history_session079.aider.chat.history.md"))
    pasted = [e.text for e in s.user_events() if e.text.startswith("# Check if httpx.Client.get was called")]
    assert len(pasted) == 2 and all("mock_get.assert_called_once()" in p for p in pasted)
    assert "don't modify `send_with_retries`" in [e.text for e in s.user_events()]


def test_a_history_with_several_runs_gives_one_session_per_run(tmp_path: Path) -> None:
    history = tmp_path / ".aider.chat.history.md"
    history.write_text(fixture(S046).read_text() + "\n" + fixture(S050).read_text())
    assert detect_format(history) == "aider"
    first, second = read_transcript(history)
    assert first.session_id != second.session_id
    assert (first.started_at, second.started_at) == (datetime(2024, 8, 6, 10, 53, 39), datetime(2024, 8, 6, 11, 13, 10))
    assert len(first.corrections()) == 4 and len(second.corrections()) == 1
    assert [s.session_id for s in read_transcript(history)] == [first.session_id, second.session_id]   # stable ids
