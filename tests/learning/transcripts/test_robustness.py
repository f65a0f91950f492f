"""Bad input gets a clear TranscriptError or a warning, never a traceback or unbounded memory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoskill_mcp.errors import InvalidInputError
from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import FORMATS, TranscriptError, detect_format, read_transcript
from autoskill_mcp.learning.transcripts.fields import TOOL_TEXT_LIMIT

from .conftest import copy, fixture, write_jsonl

SHORT = "claude-code/spotter__short.jsonl"


def test_a_truncated_last_line_is_a_warning_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(fixture(SHORT).read_bytes() + b'{"type":"user","message":{"role":"user","content":"hal')
    [s] = read_transcript(path)
    [whole] = read_transcript(fixture(SHORT))
    assert [e.uid for e in s.events] == [e.uid for e in whole.events]
    assert s.warnings == ["line 16: truncated last line ignored"]


def test_garbage_lines_are_skipped_with_their_line_numbers(tmp_path: Path) -> None:
    lines = fixture(SHORT).read_bytes().splitlines(keepends=True)
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(lines[:3] + [b"<<garbage>>\n", b"[1, 2]\n", b"\x00\xff\xfe\n"] + lines[3:]))
    [s] = read_transcript(path)
    assert s.warnings == ["line 4: not JSON, skipped", "line 5: a JSON list, not an object; skipped",
                          "line 6: not JSON, skipped"]
    assert s.skipped["bad_line"] == 3 and len(s.user_events()) == 4


def test_records_of_unexpected_shape_do_not_stop_the_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", [
        {"type": "user", "uuid": "u1", "sessionId": "s", "message": {"role": "user", "content": "first"}},
        {"type": "assistant", "uuid": "a1", "parentUuid": "u1", "message": ["not", "a", "dict"]},
        {"type": "user", "uuid": "u2", "parentUuid": "a1", "message": {"role": "user", "content": 42}},
        {"type": "brand-new-record", "uuid": "n1"},
        {"type": "user", "uuid": "u3", "parentUuid": "u2", "message": {"role": "user", "content": "second"}},
    ])
    [s] = read_transcript(path)
    assert [e.text for e in s.user_events()] == ["first", "second"]
    assert s.skipped["brand-new-record"] == 1


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_file_is_an_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(content)
    with pytest.raises(TranscriptError, match="empty"):
        read_transcript(path)


def test_binary_junk_is_an_error_even_with_a_format_given(tmp_path: Path) -> None:
    path = tmp_path / "junk.jsonl"
    path.write_bytes(os.urandom(4096).replace(b"\n", b"\x01"))
    with pytest.raises(TranscriptError, match="cannot tell which agent"):
        read_transcript(path)
    for fmt in FORMATS:
        with pytest.raises(TranscriptError):
            read_transcript(path, format=fmt)


def test_errors_are_invalid_input_errors_naming_the_problem(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no such file"):
        read_transcript(tmp_path / "nope.jsonl")
    with pytest.raises(InvalidInputError, match="unknown transcript format 'vim'"):
        read_transcript(fixture(SHORT), format="vim")
    broken = tmp_path / "s.json"
    broken.write_text('{"requests": [')
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        read_transcript(broken)
    with pytest.raises(InvalidInputError, match="not a Cline/Roo task folder"):
        read_transcript(tmp_path, format="cline")


def test_a_50_mb_transcript_streams_within_the_bound_and_clips_tool_text(tmp_path: Path) -> None:
    big = "x" * 1_000_000
    records = []
    for i in range(25):
        records.append({"type": "assistant", "uuid": f"a{i}", "parentUuid": f"u{i}" if i else None, "sessionId": "s",
                        "message": {"id": f"m{i}", "content": [{"type": "tool_use", "id": f"t{i}", "name": "Bash",
                                                                "input": {"command": big}}]}})
        records.append({"type": "user", "uuid": f"u{i + 1}", "parentUuid": f"a{i}", "sessionId": "s",
                        "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"t{i}",
                                                                 "content": big}]}})
    path = write_jsonl(tmp_path / "s.jsonl", records)
    assert path.stat().st_size > 50_000_000
    [s] = read_transcript(path)
    assert len(s.events) == 50
    assert all(e.tool and len(e.tool.input) <= TOOL_TEXT_LIMIT + 60 and len(e.tool.output or "") <= TOOL_TEXT_LIMIT + 60
               for e in s.events)
    assert s.events[1].kind is Kind.TOOL_RESULT and "more characters cut" in (s.events[1].tool.output or "")
    with pytest.raises(TranscriptError, match="over the 10,485,760-byte limit"):
        read_transcript(path, max_bytes=10 * 1024 * 1024)


def test_an_oversized_json_document_is_refused_before_loading(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "y" * 2_000_000}]}))
    with pytest.raises(TranscriptError, match="limit"):
        read_transcript(path, max_bytes=1_000_000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), name=st.sampled_from(["s.jsonl", "s.json", "x.aider.chat.history.md", "s.vscdb"]))
def test_any_bytes_give_sessions_or_a_transcript_error(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        sessions = read_transcript(path)
    except TranscriptError as exc:
        assert "cannot read it as" not in str(exc), exc
        return
    assert all(s.session_id for s in sessions)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.dictionaries(
    st.sampled_from(["type", "uuid", "parentUuid", "message", "payload", "role", "content", "id", "data", "kind"]),
    st.one_of(st.none(), st.integers(), st.text(max_size=8), st.sampled_from(["user", "assistant", "event_msg"]),
              st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))),
    min_size=1, max_size=6))
def test_records_of_any_shape_are_skipped_by_the_readers_not_by_a_catch_all(
        tmp_path: Path, records: list[dict[str, object]]) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", records)
    for fmt in ("claude-code", "codex", "gemini", "cursor-agent", "copilot-cli", "copilot-vscode", "openai-chat"):
        try:
            read_transcript(path, format=fmt)
        except TranscriptError as exc:
            assert "cannot read it as" not in str(exc), exc


COPILOT_SESSION = "copilot/cli/agent-sessions__subdir_v1/aaaabbbb-1111-2222-3333-ccccddddeeee"


@pytest.mark.parametrize("workspace", [
    "name: !!timestamp x\n",
    "name: é\nx: " + "[" * 50_000 + "\n",
    "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n"
                                                 for i in range(1, 9)) + "name: *a8\n",
], ids=["unconstructible tag", "deep nesting", "alias bomb"])
def test_a_copilot_workspace_yaml_over_the_bounds_costs_the_title_only(tmp_path: Path, workspace: str) -> None:
    session = copy(fixture(COPILOT_SESSION), tmp_path / "session-state" / "s1")
    (session / "workspace.yaml").write_text(workspace, encoding="utf-8")
    [s] = read_transcript(session)
    [whole] = read_transcript(fixture(COPILOT_SESSION))
    assert s.title is None
    assert [e.uid for e in s.events] == [e.uid for e in whole.events]


def corrupt_vscdb(path: Path) -> Path:
    """A Cursor database whose schema holds bytes that are not UTF-8 (SQLite's own error message
    then carries them, and Python's sqlite3 failed decoding it)."""
    data = bytearray(fixture("cursor/ide_state_vscdb/cursor-history__composer-global-state.vscdb").read_bytes())
    at = data.find(b"CREATE TABLE")
    data[at + 7:at + 12] = b"\xff\xfe\xfd\xfc\xfb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))
    return path


def test_a_corrupt_cursor_database_is_no_format_and_a_clear_error(tmp_path: Path) -> None:
    db = corrupt_vscdb(tmp_path / "state.vscdb")
    problems: list[str] = []
    assert detect_format(db) is None
    assert detect_format(db, problems=problems) is None
    assert len(problems) == 1 and problems[0].startswith(f"{db}: ") and "database" in problems[0]
    with pytest.raises(TranscriptError, match="database"):
        read_transcript(db)
    with pytest.raises(TranscriptError, match="database"):
        read_transcript(db, format="cursor")


def test_detect_format_reports_only_files_that_could_be_transcripts(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    problems: list[str] = []
    assert detect_format(tmp_path / "notes.md", problems=problems) is None and problems == []
    assert detect_format(tmp_path / "empty.jsonl", problems=problems) is None
    assert problems == [f"{tmp_path / 'empty.jsonl'}: empty file"]


def deep_json(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


def test_json_nested_deeper_than_the_bound_is_a_warning_naming_the_bound(tmp_path: Path) -> None:
    from autoskill_mcp.learning.transcripts.source import MAX_JSON_DEPTH

    lines = fixture(SHORT).read_text(encoding="utf-8").splitlines()
    record = '{"type": "user", "message": {"role": "user", "content": %s}}'
    for levels in (MAX_JSON_DEPTH + 1, 100_000):  # parseable by Python at the first, not at the second
        path = tmp_path / f"deep{levels}.jsonl"
        path.write_text("\n".join(lines[:2] + [record % deep_json(levels)] + lines[2:]) + "\n", encoding="utf-8")
        [s] = read_transcript(path)
        assert s.warnings == [f"line 3: JSON nests deeper than {MAX_JSON_DEPTH} levels; skipped"]
    document = tmp_path / "deep.json"
    document.write_text(f'{{"messages": {deep_json(100_000)}}}', encoding="utf-8")
    with pytest.raises(TranscriptError, match=f"nests deeper than {MAX_JSON_DEPTH} levels"):
        read_transcript(document)


def test_side_files_nested_too_deeply_cost_what_they_add_not_the_session(tmp_path: Path) -> None:
    claude = copy(fixture("claude-code/agent-sessions__subagent_layout"), tmp_path / "claude")
    [meta] = claude.rglob("*.meta.json")
    meta.write_text(deep_json(100_000), encoding="utf-8")
    [main] = claude.glob("*.jsonl")
    assert len(read_transcript(main)) == 2
    cursor = copy(fixture("cursor/ide_state_vscdb/constructed"), tmp_path / "cursor")
    [workspace] = cursor.rglob("workspace.json")
    workspace.write_text(deep_json(100_000), encoding="utf-8")
    whole = read_transcript(fixture("cursor/ide_state_vscdb/constructed") / workspace.relative_to(cursor).parent
                            / "state.vscdb")
    assert [s.session_id for s in read_transcript(workspace.parent / "state.vscdb")] == [s.session_id for s in whole]


def test_a_cline_tool_message_nested_too_deeply_is_kept_as_text(tmp_path: Path) -> None:
    task = copy(fixture("cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338"), tmp_path / "task")
    messages = json.loads((task / "ui_messages.json").read_text(encoding="utf-8"))
    tool = next(m for m in messages if m.get("ask") == "tool")
    tool["text"] = deep_json(100_000)
    (task / "ui_messages.json").write_text(json.dumps(messages), encoding="utf-8")
    [s] = read_transcript(task)
    [whole] = read_transcript(fixture("cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338"))
    assert len(s.events) == len(whole.events)
