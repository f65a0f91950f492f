"""Cursor IDE databases (read-only) and Cursor agent transcripts."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from autoskill_mcp.learning.session import Kind
from autoskill_mcp.learning.transcripts import read_transcript

from .conftest import fixture, write_jsonl

CONSTRUCTED = "cursor/ide_state_vscdb/constructed"


def kv_db(path: Path, rows: dict[str, object], table: str = "cursorDiskKV") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {table} (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
        conn.executemany(f"INSERT INTO {table} VALUES (?, ?)", [(k, json.dumps(v)) for k, v in rows.items()])
    return path


def test_global_database_gives_each_composer_in_header_order() -> None:
    fast, old = read_transcript(fixture(f"{CONSTRUCTED}/globalStorage/state.vscdb"))
    assert (fast.session_id, fast.title) == ("11111111-2222-4333-8444-555555555555", "Fix flaky date test")
    assert fast.cwd == "/home/dev/fixture-proj"
    assert [e.text for e in fast.user_events()] == ["the date test fails around midnight UTC, fix it",
                                                    "don't touch the test, fix is_today() itself instead"]
    assert [e.kind for e in fast.events][:6] == [Kind.PROMPT, Kind.THINKING, Kind.TOOL_CALL, Kind.TOOL_RESULT,
                                                 Kind.TOOL_CALL, Kind.TOOL_RESULT]
    edit = fast.events[4].tool
    assert edit and edit.name == "edit_file" and "relativeWorkspacePath" in edit.input
    assert fast.started_at and fast.started_at.isoformat() == "2026-01-01T00:00:00+00:00"
    # the older composer keeps its bubbles inline; its project comes from the workspace database
    assert [e.text for e in old.events] == ["how does load_config pick the env file?",
                                            "It reads APP_ENV and falls back to .env.local."]
    assert old.cwd == "/home/dev/fixture-proj"


def test_missing_null_and_renamed_bubbles_are_handled() -> None:
    [s] = read_transcript(fixture("cursor/ide_state_vscdb/cursor-history__composer-global-state.vscdb"))
    assert s.cwd == "/fixture/v016/project"
    assert [e.text for e in s.events if e.kind in (Kind.PROMPT, Kind.REPLY)] == [
        "Synthetic question alpha.", "Composer owns the synthetic collision identity.",
        "Synthetic answer beta.\n```ts\nconst fixtureValue = 16;\n```", "Synthetic empty-ID compatibility turn."]
    assert s.skipped == {"bubble.unreadable": 1, "bubble.missing": 2}
    assert s.warnings == ["1 bubble(s) not named in the conversation headers, appended at the end"]


def test_workspace_database_adds_its_legacy_chat_tabs_and_is_not_modified() -> None:
    db = fixture(f"{CONSTRUCTED}/workspaceStorage/0f1e2d3c4b5a69788796a5b4c3d2e1f0/state.vscdb")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    sessions = read_transcript(db)
    assert [s.title for s in sessions] == ["Fix flaky date test", "Explain config loader", "Legacy chat about regex"]
    legacy = sessions[2]
    assert [e.text for e in legacy.user_events()] == ["Why does my regex not match multiline input?",
                                                      "no, I meant DOTALL - newlines inside the match"]
    assert legacy.cwd == "/home/dev/fixture-proj"
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert [s.session_id for s in read_transcript(db.parent / "workspace.json")] == [s.session_id for s in sessions]


def test_rejected_tool_bubble_is_a_correction(tmp_path: Path) -> None:
    db = kv_db(tmp_path / "globalStorage" / "state.vscdb", {
        "composerData:c1": {"name": "Clean up", "fullConversationHeadersOnly": [{"bubbleId": "b1"}, {"bubbleId": "b2"}],
                            "workspaceIdentifier": {"uri": {"fsPath": "/srv/app"}}},
        "bubbleId:c1:b1": {"type": 1, "bubbleId": "b1", "text": "remove the temp files"},
        "bubbleId:c1:b2": {"type": 2, "bubbleId": "b2", "capabilityType": 15, "toolFormerData": {
            "name": "run_terminal_cmd", "params": "{\"command\":\"rm -rf /\"}", "userDecision": "rejected"}},
    })
    [s] = read_transcript(db)
    [c] = s.corrections()
    assert c.correction == "rejected_tool" and c.tool and c.tool.name == "run_terminal_cmd"
    assert s.cwd == "/srv/app"


def test_a_database_locked_by_the_editor_is_read_from_a_copy(tmp_path: Path) -> None:
    db = kv_db(tmp_path / "globalStorage" / "state.vscdb", {
        "composerData:c1": {"name": "Locked", "conversation": [{"type": 1, "bubbleId": "b1", "text": "hello"}]}})
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("PRAGMA locking_mode=EXCLUSIVE")
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("INSERT INTO cursorDiskKV VALUES ('x', '1')")
        [s] = read_transcript(db)
        assert [e.text for e in s.events] == ["hello"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_agent_transcript_takes_cwd_from_its_chat_folder() -> None:
    root = "cursor/agent_cli/cursor-history__store-root"
    transcript = fixture(f"{root}/projects/d-1-yuyu-proj-cursor-history/agent-transcripts/"
                         "aaaaaaaa-0000-0000-0000-000000000001/aaaaaaaa-0000-0000-0000-000000000001.jsonl")
    [s] = read_transcript(transcript)
    assert (s.session_id, s.cwd, s.agent) == (
        "aaaaaaaa-0000-0000-0000-000000000001",
        "/mnt/d/1_yuyu_proj/cursor-history",
        "cursor",
    )
    assert [e.text for e in s.user_events()] == ["Read foo.txt"]            # <user_query> unwrapped
    meta = fixture(f"{root}/chats/46d408964d3ec2a21d9a23d01b13d82c/aaaaaaaa-0000-0000-0000-000000000001/meta.json")
    assert hashlib.md5(s.cwd.encode()).hexdigest() == meta.parent.parent.name
    [same] = read_transcript(meta)
    assert [e.text for e in same.events] == [e.text for e in s.events]


def test_transcript_blocks_of_every_generation(tmp_path: Path) -> None:
    [s] = read_transcript(fixture("cursor/agent_cli/agent-sessions__schema_drift.jsonl"))
    assert [e.kind for e in s.events] == [Kind.PROMPT, Kind.THINKING, Kind.TOOL_CALL, Kind.REPLY, Kind.TOOL_RESULT,
                                          Kind.REPLY]
    assert s.events[4].tool and s.events[4].tool.name == "read_file"
    [small] = read_transcript(fixture("cursor/agent_cli/agent-sessions__small.jsonl"))
    assert small.skipped == {"turn_ended": 1} and len(small.user_events()) == 2
    folder = tmp_path / "agent-transcripts" / "t1"
    write_jsonl(folder / "t1.jsonl", [
        {"role": "user", "message": {"content": [{"type": "text", "text": "<user_info>OS: linux</user_info>\n"
                                                  "<user_query>\nsplit the module\n</user_query>"}]}}])
    write_jsonl(
        folder / "subagents" / "c1.jsonl", [{"role": "user", "message": {"content": [{"type": "text", "text": "x"}]}}]
    )
    main, child = read_transcript(folder / "t1.jsonl")
    assert main.events[0].text == "split the module"
    assert (child.parent_session_id, child.events[0].is_sidechain) == ("t1", True)


def test_store_db_messages_follow_the_root_blob(tmp_path: Path) -> None:
    [meta_only] = read_transcript(fixture("cursor/agent_cli/agent-sessions__test-store.db"))
    assert (meta_only.session_id, meta_only.title) == ("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "Test Session")
    assert meta_only.events == [] and meta_only.warnings
    messages = [{"role": "user", "content": [{"type": "text", "text": "<user_query>fix the build</user_query>"}]},
                {"role": "assistant", "content": [{"type": "tool-call", "toolCallId": "t1", "toolName": "Shell",
                                                   "args": {"command": "make"}}]},
                {"role": "tool", "content": [{"type": "tool-result", "toolCallId": "t1", "toolName": "Shell",
                                              "result": "ok"}]}]
    blobs = {hashlib.sha256(json.dumps(m).encode()).hexdigest(): json.dumps(m).encode() for m in messages}
    ids = list(blobs)
    root = b"".join(b"\x0a\x20" + bytes.fromhex(i) for i in reversed(ids[1:]))   # refs out of storage order
    root = b"\x0a\x20" + bytes.fromhex(ids[0]) + root
    root_id = hashlib.sha256(root).hexdigest()
    store = tmp_path / "chats" / "abc" / "s9" / "store.db"
    store.parent.mkdir(parents=True)
    with sqlite3.connect(store) as conn:
        conn.execute("CREATE TABLE blobs (id TEXT PRIMARY KEY, data BLOB)")
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.executemany("INSERT INTO blobs VALUES (?, ?)", [*blobs.items(), (root_id, root)])
        meta = {"agentId": "s9", "name": "Build fix", "createdAt": 1767225600000, "latestRootBlobId": root_id}
        conn.execute("INSERT INTO meta VALUES ('0', ?)", (json.dumps(meta).encode().hex(),))
    [s] = read_transcript(store)
    assert (s.session_id, s.title) == ("s9", "Build fix")
    assert [e.kind for e in s.events] == [Kind.PROMPT, Kind.TOOL_RESULT, Kind.TOOL_CALL]   # the root's order
    assert s.events[0].text == "fix the build" and s.events[1].tool and s.events[1].tool.output == "ok"
