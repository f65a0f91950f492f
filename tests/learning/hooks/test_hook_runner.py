"""`autoskill hook AGENT` with each agent's documented payload enqueues that session's transcript.

Every test runs the hook as the agent does (a subprocess, the payload on stdin or, for Codex's
notify, as the last argument) against a real transcript fixture placed where the agent writes
it, then reads the job back from the queue and the transcript with the format the job names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoskill_mcp.learning.transcripts import read_transcript

from .conftest import Sandbox, payload

CODEX_THREAD = "11111111-1111-4111-8111-111111111111"
CODEX_ROLLOUT = f"codex/claude-code-log__rollout-2026-01-02T03-04-05-{CODEX_THREAD}.jsonl"
COPILOT_SESSION = "aaaabbbb-1111-2222-3333-ccccddddeeee"
CURSOR_CONVERSATION = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"
CLINE_TASK = "1733579000000"
ROO_TASK = "cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338"


def the_job(sandbox: Sandbox, transcript: Path, fmt: str) -> None:
    """One job, for this transcript, in this format, which reads as at least one session with events."""
    [job] = sandbox.jobs()
    assert job.source == os.path.realpath(transcript) and job.format == fmt and job.user_id == "alice"
    sessions = read_transcript(job.source, format=job.format)
    assert sessions and any(s.events for s in sessions)


def test_claude_code_session_end_and_pre_compact(sandbox: Sandbox) -> None:
    transcript = sandbox.place("claude-code/spotter__short.jsonl", ".claude/projects/-home-USER-project/abc123.jsonl")
    for name in ("claude-code__SessionEnd.json", "claude-code__PreCompact.json"):
        result = sandbox.hook("claude-code", payload(name, TRANSCRIPT=str(transcript)))
        assert result.returncode == 0 and result.stdout == ""
    the_job(sandbox, transcript, "claude-code")
    assert [line.split()[2] for line in sandbox.log()] == ["enqueued", "duplicate"]


def test_claude_code_skips_what_is_no_session_boundary_and_still_exits_0(sandbox: Sandbox, tmp_path: Path) -> None:
    transcript = sandbox.place("claude-code/spotter__short.jsonl", ".claude/projects/p/abc123.jsonl")
    end = json.loads(payload("claude-code__SessionEnd.json", TRANSCRIPT=str(transcript)))
    inside_store = sandbox.store / "x.jsonl"
    for bad in (dict(end, transcript_path=str(tmp_path / "gone.jsonl")), dict(end, hook_event_name="Stop"),
                dict(end, transcript_path=str(inside_store))):
        result = sandbox.hook("claude-code", json.dumps(bad))
        assert result.returncode == 0 and result.stdout == ""
    assert sandbox.jobs() == []
    log = sandbox.log()
    assert [line.split()[2] for line in log] == ["skipped"] * 3
    assert "transcript not found" in log[0] and "not a session boundary" in log[1]


def test_codex_notify_passes_the_payload_as_an_argument_and_the_rollout_is_found_by_thread_id(
        sandbox: Sandbox) -> None:
    rollout = sandbox.place(CODEX_ROLLOUT,
                            f".codex/sessions/2026/01/02/rollout-2026-01-02T03-04-05-{CODEX_THREAD}.jsonl")
    sandbox.place("codex/yoavf__codex_envelope_format.jsonl", ".codex/sessions/2026/01/02/rollout-2026-01-02T09-00-00-"
                  "22222222-2222-4222-8222-222222222222.jsonl")   # another session: must not be the one taken
    # Codex leaves the hook's stdin open: the hook must not wait on it when the payload is an argument
    proc = subprocess.Popen([sys.executable, "-m", "autoskill_mcp", "hook", "codex", "--no-worker",
                             payload("codex__notify_agent-turn-complete.json")],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=sandbox.env())
    try:
        assert proc.wait(timeout=60) == 0
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
    the_job(sandbox, rollout, "codex")


def test_codex_honours_codex_home(sandbox: Sandbox, tmp_path: Path) -> None:
    codex_home = tmp_path / "elsewhere"
    rollout = codex_home / "sessions/2026/01/02" / f"rollout-2026-01-02T03-04-05-{CODEX_THREAD}.jsonl"
    rollout.parent.mkdir(parents=True)
    rollout.write_bytes((sandbox.place(CODEX_ROLLOUT, "tmp.jsonl")).read_bytes())
    result = subprocess.run([sys.executable, "-m", "autoskill_mcp", "hook", "codex", "--no-worker",
                             payload("codex__notify_agent-turn-complete.json")],
                            env=sandbox.env(CODEX_HOME=str(codex_home)), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    the_job(sandbox, rollout, "codex")


def test_codex_hooks_json_stop_on_stdin_with_a_transcript_path(sandbox: Sandbox) -> None:
    """Codex's experimental hooks.json sends Claude-style input on stdin (`transcript_path`, nullable)."""
    rollout = sandbox.place(CODEX_ROLLOUT, f".codex/sessions/2026/01/02/rollout-x-{CODEX_THREAD}.jsonl")
    stop = {"session_id": CODEX_THREAD, "transcript_path": str(rollout), "cwd": "/home/USER/project",
            "hook_event_name": "Stop", "model": "gpt-5-codex", "turn_id": "1", "stop_hook_active": False}
    assert sandbox.hook("codex", json.dumps(stop)).returncode == 0
    without_path = dict(stop, transcript_path=None, hook_event_name="SessionEnd")   # found by session id then
    assert sandbox.hook("codex", json.dumps(without_path)).returncode == 0
    the_job(sandbox, rollout, "codex")
    assert [line.split()[2] for line in sandbox.log()] == ["enqueued", "duplicate"]


def test_gemini_session_end_and_pre_compress(sandbox: Sandbox) -> None:
    chat = sandbox.place("gemini/yoavf__gemini_session.json",
                         ".gemini/tmp/9f86d081884c7d65/chats/session-2026-01-12T21-23-f2b7c1d0.json")
    for name in ("gemini__PreCompress.json", "gemini__SessionEnd.json"):
        result = sandbox.hook("gemini", payload(name, TRANSCRIPT=str(chat)))
        assert result.returncode == 0 and result.stdout == ""  # Gemini parses stdout as JSON: say nothing
    the_job(sandbox, chat, "gemini")


def test_cursor_stop_without_transcript_path_finds_the_agent_transcript(sandbox: Sandbox) -> None:
    cid = CURSOR_CONVERSATION
    transcript = sandbox.place("cursor/agent_cli/agent-sessions__small.jsonl",
                               f".cursor/projects/home-USER-project/agent-transcripts/{cid}/{cid}.jsonl")
    sandbox.place("cursor/agent_cli/agent-sessions__schema_drift.jsonl",
                  ".cursor/projects/home-USER-project/agent-transcripts/other/other.jsonl")
    stop = payload("cursor__stop.json", CONVERSATION=cid)
    assert "transcript_path" not in json.loads(stop)
    result = sandbox.hook("cursor", stop)
    assert result.returncode == 0
    the_job(sandbox, transcript, "cursor-agent")


def test_cursor_stop_in_the_ide_falls_back_to_the_global_database_that_holds_the_conversation(
        sandbox: Sandbox) -> None:
    db = sandbox.place("cursor/ide_state_vscdb/constructed/globalStorage/state.vscdb",
                       ".config/Cursor/User/globalStorage/state.vscdb")
    # a conversation the database does not hold: nothing to read there
    assert sandbox.hook("cursor", payload("cursor__stop.json", CONVERSATION=CURSOR_CONVERSATION)).returncode == 0
    assert sandbox.jobs() == [] and "no transcript for Cursor conversation" in sandbox.log()[0]
    # one of its composers
    composer = "11111111-2222-4333-8444-555555555555"
    result = sandbox.hook("cursor", payload("cursor__stop.json", CONVERSATION=composer))
    assert result.returncode == 0
    the_job(sandbox, db, "cursor")


def test_cursor_stop_with_a_transcript_path_uses_it(sandbox: Sandbox) -> None:
    transcript = sandbox.place("cursor/agent_cli/agent-sessions__small.jsonl", "somewhere/else.jsonl")
    stop = dict(json.loads(payload("cursor__stop.json", CONVERSATION=CURSOR_CONVERSATION)),
                transcript_path=str(transcript))
    assert sandbox.hook("cursor", json.dumps(stop)).returncode == 0
    [job] = sandbox.jobs()
    assert job.source == os.path.realpath(transcript)
    assert read_transcript(job.source)   # detected when it runs


def test_cursor_stop_with_nothing_on_disk_is_logged(sandbox: Sandbox) -> None:
    result = sandbox.hook("cursor", payload("cursor__stop.json", CONVERSATION=CURSOR_CONVERSATION))
    assert result.returncode == 0 and sandbox.jobs() == []
    assert f"no transcript for Cursor conversation {CURSOR_CONVERSATION}" in sandbox.log()[0]


def test_copilot_cli_session_end_finds_the_session_state(sandbox: Sandbox) -> None:
    events = sandbox.place(f"copilot/cli/agent-sessions__subdir_v1/{COPILOT_SESSION}/events.jsonl",
                           f".copilot/session-state/{COPILOT_SESSION}/events.jsonl")
    result = sandbox.hook("copilot", payload("copilot__cli_sessionEnd.json"))
    assert result.returncode == 0 and result.stdout == ""
    the_job(sandbox, events, "copilot-cli")


def test_copilot_in_vscode_stop_finds_the_chat_session(sandbox: Sandbox) -> None:
    sid = "5eba223c-15f9-4aea-855d-b7894480893a"
    chat = sandbox.place("copilot/vscode_chat_export/copilot-chat-analyzer__chat.json",
                         f".config/Code/User/workspaceStorage/4a1b2c3d/chatSessions/{sid}.json")
    vscode_transcript = sandbox.home / ".config/Code/User/workspaceStorage/4a1b2c3d/GitHub.copilot-chat/transcripts"
    result = sandbox.hook("copilot", payload("copilot__vscode_Stop.json", SESSION=sid,
                                             TRANSCRIPT=str(vscode_transcript / f"{sid}.jsonl")))
    assert result.returncode == 0
    the_job(sandbox, chat, "copilot-vscode")


def test_cline_task_complete_finds_the_task_and_lets_cline_carry_on(sandbox: Sandbox) -> None:
    folder = f".cline/data/tasks/{CLINE_TASK}"
    ui = sandbox.place(f"{ROO_TASK}/ui_messages.json", f"{folder}/ui_messages.json")
    sandbox.place(f"{ROO_TASK}/api_conversation_history.json", f"{folder}/api_conversation_history.json")
    result = sandbox.hook("cline", payload("cline__TaskComplete.json"))
    assert result.returncode == 0
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"cancel": False}  # anything else blocks Cline
    the_job(sandbox, ui, "cline")


def test_cline_in_vscode_globalstorage(sandbox: Sandbox) -> None:
    folder = f".config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/{CLINE_TASK}"
    sandbox.place(f"{ROO_TASK}/api_conversation_history.json", f"{folder}/api_conversation_history.json")
    assert sandbox.hook("cline", payload("cline__TaskComplete.json")).returncode == 0
    [job] = sandbox.jobs()
    assert job.source.endswith(f"{CLINE_TASK}/api_conversation_history.json") and job.format == "cline"


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini", "cursor", "copilot", "cline"])
@pytest.mark.parametrize("bad", ["not json", "[1, 2]", "", "{}", '{"taskId": "../../etc", "sessionId": "a/b"}'])
def test_a_malformed_payload_exits_0_enqueues_nothing_and_is_logged(sandbox: Sandbox, agent: str, bad: str) -> None:
    result = sandbox.hook(agent, bad)
    assert result.returncode == 0
    assert result.stdout.strip() in ("", '{"cancel": false}')
    assert sandbox.jobs() == []
    [line] = sandbox.log()
    assert line.split()[1:3] == [agent, "skipped"]


def test_an_unknown_agent_exits_0(sandbox: Sandbox) -> None:
    result = sandbox.hook("windsurf", "{}")
    assert result.returncode == 0 and "unknown agent" in result.stderr
