"""`autoskill hooks install | uninstall | status` on each agent's configuration, beside the user's own entries.

Run as the user runs them (the CLI in a subprocess, HOME a temporary folder); the command an
install writes is then run the way the agent would run it, with the agent's payload, and must
enqueue the session.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from .conftest import Sandbox, autoskill_on_path, payload

CODEX_THREAD = "11111111-1111-4111-8111-111111111111"


def cli(sandbox: Sandbox, *args: str, cwd: Path | None = None, **env_vars: str) -> subprocess.CompletedProcess[str]:
    # no `autoskill` on PATH: the hook command is this interpreter with -m autoskill_mcp (the working copy)
    env = sandbox.env(**{"PATH": os.pathsep.join(("/usr/bin", "/bin")), **env_vars})
    return subprocess.run([sys.executable, "-m", "autoskill_mcp", *args], env=env, capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def run_command(sandbox: Sandbox, command: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """Run a hook command line the way agents do: through the shell, the payload on stdin."""
    return subprocess.run(command, shell=True, input=stdin, env=sandbox.env(), capture_output=True,  # noqa: S602
                          text=True, timeout=60)


USER_SETTINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "claude-code": (".claude/settings.json", {
        "model": "opus", "permissions": {"allow": ["Bash(git status)"]},
        "hooks": {"SessionEnd": [{"hooks": [{"type": "command", "command": "say bye"}]}],
                  "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]}}),
    "gemini": (".gemini/settings.json", {
        "theme": "GitHub", "general": {"vimMode": True},
        "hooks": {"SessionEnd": [{"hooks": [{"name": "mine", "type": "command", "command": "./cleanup.sh"}]}]}}),
    "cursor": (".cursor/hooks.json", {
        "version": 1, "hooks": {"afterFileEdit": [{"command": "./format.sh"}], "stop": [{"command": "./audit.sh"}]}}),
    "copilot": (".copilot/hooks/autoskill.json", {}),
}


def commands_in(agent: str, data: dict[str, Any]) -> list[str]:
    """Our command lines in a JSON hook configuration."""
    found = []
    for entries in data.get("hooks", {}).values():
        for entry in entries:
            for hook in entry.get("hooks", [entry]):
                if f"hook {agent}" in hook.get("command", ""):
                    found.append(hook["command"])
    return found


@pytest.mark.parametrize("agent", list(USER_SETTINGS))
def test_json_install_keeps_the_users_entries_is_idempotent_and_uninstalls_only_ours(
        sandbox: Sandbox, agent: str) -> None:
    rel, theirs = USER_SETTINGS[agent]
    path = sandbox.home / rel
    if theirs:
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(theirs, indent=4) + "\n")
    first = cli(sandbox, "hooks", "install", "--agent", agent, "--yes")
    assert first.returncode == 0, first.stderr
    assert f"installed into {path}" in first.stdout
    data = json.loads(path.read_text())
    for key, value in theirs.items():   # every one of the user's settings is still there
        if key != "hooks":
            assert data[key] == value
    for event, entries in theirs.get("hooks", {}).items():
        assert data["hooks"][event][: len(entries)] == entries
    [command, *_] = commands_in(agent, data)
    assert set(commands_in(agent, data)) == {command} and command.endswith(f"-m autoskill_mcp hook {agent}")
    if theirs:
        assert json.loads(path.with_name(path.name + ".autoskill-backup").read_text()) == theirs
    written = path.read_bytes()

    again = cli(sandbox, "hooks", "install", "--agent", agent, "--yes")
    assert again.returncode == 0 and "already installed" in again.stdout and "nothing changed" in again.stdout
    assert path.read_bytes() == written

    status = json.loads(cli(sandbox, "hooks", "status", "--agent", agent, "--scope", "user", "--json").stdout)
    assert status == [{"agent": agent, "scope": "user", "status": "installed", "path": str(path)}]

    gone = cli(sandbox, "hooks", "uninstall", "--agent", agent)
    assert gone.returncode == 0 and "removed" in gone.stdout
    if theirs:
        assert json.loads(path.read_text()) == theirs
    else:
        assert not path.exists()   # Copilot's file is ours alone
    assert "not installed" in cli(sandbox, "hooks", "status", "--agent", agent, "--scope", "user").stdout
    assert "no autoskill hook" in cli(sandbox, "hooks", "uninstall", "--agent", agent).stdout


def test_the_installed_claude_code_command_runs_and_enqueues(sandbox: Sandbox) -> None:
    assert cli(sandbox, "hooks", "install", "--agent", "claude-code", "--yes").returncode == 0
    data = json.loads((sandbox.home / ".claude/settings.json").read_text())
    transcript = sandbox.place("claude-code/spotter__short.jsonl", ".claude/projects/p/abc123.jsonl")
    for command in commands_in("claude-code", data):
        result = run_command(sandbox, command + " --no-worker", payload("claude-code__SessionEnd.json",
                                                                        TRANSCRIPT=str(transcript)))
        assert result.returncode == 0
    [job] = sandbox.jobs()
    assert job.source == os.path.realpath(transcript) and job.format == "claude-code"


def test_the_installed_cursor_and_copilot_commands_run_and_enqueue(sandbox: Sandbox) -> None:
    for agent in ("cursor", "copilot"):
        assert cli(sandbox, "hooks", "install", "--agent", agent, "--yes").returncode == 0
    cid = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"
    sandbox.place("cursor/agent_cli/agent-sessions__small.jsonl",
                  f".cursor/projects/p/agent-transcripts/{cid}/{cid}.jsonl")
    sid = "aaaabbbb-1111-2222-3333-ccccddddeeee"
    sandbox.place(f"copilot/cli/agent-sessions__subdir_v1/{sid}/events.jsonl",
                  f".copilot/session-state/{sid}/events.jsonl")
    [cursor] = commands_in("cursor", json.loads((sandbox.home / ".cursor/hooks.json").read_text()))
    copilot = json.loads((sandbox.home / ".copilot/hooks/autoskill.json").read_text())
    assert copilot["version"] == 1 and set(copilot["hooks"]) == {"sessionEnd", "Stop"}
    assert run_command(sandbox, cursor + " --no-worker", payload("cursor__stop.json", CONVERSATION=cid)).returncode == 0
    entry = copilot["hooks"]["sessionEnd"][0]
    assert entry["type"] == "command" and entry["timeout"] == 10
    ran = run_command(sandbox, entry["command"] + " --no-worker", payload("copilot__cli_sessionEnd.json"))
    assert ran.returncode == 0
    assert sorted(j.format for j in sandbox.jobs()) == ["copilot-cli", "cursor-agent"]


def test_gemini_entries_have_a_name_and_a_timeout_in_milliseconds(sandbox: Sandbox) -> None:
    assert cli(sandbox, "hooks", "install", "--agent", "gemini", "--yes").returncode == 0
    data = json.loads((sandbox.home / ".gemini/settings.json").read_text())
    assert set(data["hooks"]) == {"SessionEnd", "PreCompress"}
    [hook] = data["hooks"]["SessionEnd"][0]["hooks"]
    assert hook["name"] == "autoskill" and hook["type"] == "command" and hook["timeout"] == 10000


CODEX_CONFIG = """\
# my Codex settings
model = "gpt-5-codex"
approval_policy = "on-request"   # keep asking

[mcp_servers.docs]
command = "docs-mcp"
args = ["--stdio"]

[profiles.fast]
model = "gpt-5-mini"
"""


def test_codex_notify_is_added_as_one_line_and_the_rest_of_config_toml_keeps_its_bytes(sandbox: Sandbox) -> None:
    config = sandbox.home / ".codex/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(CODEX_CONFIG)
    result = cli(sandbox, "hooks", "install", "--agent", "codex", "--yes")
    assert result.returncode == 0, result.stderr
    text = config.read_text()
    first, rest = text.split("\n", 1)
    assert rest == CODEX_CONFIG and first.startswith("notify = [")
    data = tomllib.loads(text)
    assert data["notify"][-2:] == ["hook", "codex"] and data["mcp_servers"]["docs"]["command"] == "docs-mcp"
    assert data["model"] == "gpt-5-codex"       # still top level: notify went before the first table

    again = cli(sandbox, "hooks", "install", "--agent", "codex", "--yes")
    assert "already installed" in again.stdout and config.read_text() == text

    # Codex runs notify with the JSON as the last argument
    rollout = sandbox.place(f"codex/claude-code-log__rollout-2026-01-02T03-04-05-{CODEX_THREAD}.jsonl",
                            f".codex/sessions/2026/01/02/rollout-2026-01-02T03-04-05-{CODEX_THREAD}.jsonl")
    argv = [*data["notify"], payload("codex__notify_agent-turn-complete.json")]
    ran = subprocess.run([*argv[:-1], "--no-worker", argv[-1]], env=sandbox.env(), capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert ran.returncode == 0
    [job] = sandbox.jobs()
    assert job.source == os.path.realpath(rollout) and job.format == "codex"

    assert cli(sandbox, "hooks", "uninstall", "--agent", "codex").returncode == 0
    assert config.read_text() == CODEX_CONFIG


def test_codex_with_the_users_own_notify_is_left_alone_with_the_way_out(sandbox: Sandbox) -> None:
    config = sandbox.home / ".codex/config.toml"
    config.parent.mkdir(parents=True)
    mine = 'notify = ["python3", "/home/me/notify.py"]\n' + CODEX_CONFIG
    config.write_text(mine)
    result = cli(sandbox, "hooks", "install", "--agent", "codex", "--yes")
    assert result.returncode != 0 and "already has notify" in result.stderr
    assert "ingest --agent codex --since" in result.stderr
    assert config.read_text() == mine
    assert cli(sandbox, "hooks", "uninstall", "--agent", "codex").returncode == 0 and config.read_text() == mine


def test_codex_has_no_project_scope(sandbox: Sandbox, tmp_path: Path) -> None:
    result = cli(sandbox, "hooks", "install", "--agent", "codex", "--scope", "project", "--yes", cwd=tmp_path)
    assert result.returncode != 0 and "user's configuration only" in result.stderr


def test_cline_hooks_are_executables_that_enqueue_and_answer_cline(sandbox: Sandbox) -> None:
    folder = sandbox.home / "Documents/Cline/Hooks"
    folder.mkdir(parents=True)
    (folder / "PreToolUse").write_text("#!/bin/sh\necho '{\"cancel\": false}'\n")   # the user's own hook
    result = cli(sandbox, "hooks", "install", "--agent", "cline", "--yes")
    assert result.returncode == 0, result.stderr
    for name in ("TaskComplete", "TaskCancel"):
        assert (folder / name).stat().st_mode & stat.S_IXUSR
    assert "already installed" in cli(sandbox, "hooks", "install", "--agent", "cline", "--yes").stdout

    task = sandbox.home / ".cline/data/tasks/1733579000000"
    sandbox.place("cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338/ui_messages.json",
                  str(task.relative_to(sandbox.home) / "ui_messages.json"))
    ran = subprocess.run([str(folder / "TaskComplete")], input=payload("cline__TaskComplete.json"),
                         env=sandbox.env(), capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and json.loads(ran.stdout.splitlines()[-1]) == {"cancel": False}
    [job] = sandbox.jobs()
    assert job.format == "cline" and job.source == os.path.realpath(task / "ui_messages.json")

    assert cli(sandbox, "hooks", "uninstall", "--agent", "cline").returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["PreToolUse"]


def test_cline_refuses_to_replace_the_users_own_task_complete(sandbox: Sandbox) -> None:
    folder = sandbox.home / "Documents/Cline/Hooks"
    folder.mkdir(parents=True)
    (folder / "TaskComplete").write_text("#!/bin/sh\n./report.sh\n")
    result = cli(sandbox, "hooks", "install", "--agent", "cline", "--yes")
    assert result.returncode != 0 and "not ours" in result.stderr
    assert (folder / "TaskComplete").read_text() == "#!/bin/sh\n./report.sh\n"
    assert not (folder / "TaskCancel").exists()


def test_project_scope_writes_the_projects_configuration(sandbox: Sandbox, tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    for agent, rel in (("claude-code", ".claude/settings.json"), ("cursor", ".cursor/hooks.json"),
                       ("gemini", ".gemini/settings.json"), ("copilot", ".github/hooks/autoskill.json")):
        result = cli(sandbox, "hooks", "install", "--agent", agent, "--scope", "project", "--yes", cwd=project)
        assert result.returncode == 0, result.stderr
        assert commands_in(agent, json.loads((project / rel).read_text()))
    assert cli(sandbox, "hooks", "install", "--agent", "cline", "--project", str(project), "--yes").returncode == 0
    assert (project / ".clinerules/hooks/TaskComplete").is_file()
    assert not (sandbox.home / ".claude").exists()


def test_a_broken_settings_file_is_reported_and_left_as_it_was(sandbox: Sandbox) -> None:
    path = sandbox.home / ".claude/settings.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"model": "opus",')
    result = cli(sandbox, "hooks", "install", "--agent", "claude-code", "--yes")
    assert result.returncode != 0 and "not valid JSON" in result.stderr
    assert path.read_text() == '{"model": "opus",'


@pytest.mark.parametrize("agent", ["aider", "roo"])
def test_an_agent_without_hooks_gets_the_scheduled_ingest_line(sandbox: Sandbox, agent: str) -> None:
    result = cli(sandbox, "hooks", "install", "--agent", agent, "--yes")
    assert result.returncode == 0
    [line] = [ln.strip() for ln in result.stdout.splitlines() if ln.strip().startswith("*/")]
    schedule, command = line.split(" ", 5)[:5], line.split(" ", 5)[5]
    assert schedule == ["*/30", "*", "*", "*", "*"]
    argv = shlex.split(command.split(">")[0])
    assert argv[-5:] == ["ingest", "--agent", agent, "--since", "60m"]
    assert list(sandbox.home.iterdir()) == []   # nothing written


def test_status_lists_every_agent(sandbox: Sandbox, tmp_path: Path) -> None:
    rows = json.loads(cli(sandbox, "hooks", "status", "--json", cwd=tmp_path).stdout)
    agents = {r["agent"] for r in rows}
    assert agents == {"claude-code", "codex", "gemini", "cursor", "copilot", "cline", "aider", "roo"}
    assert {r["status"] for r in rows} == {"not installed", "no hook"}
    assert [r["scope"] for r in rows if r["agent"] == "codex"] == ["user"]


def test_the_folders_the_agents_honour_are_honoured(sandbox: Sandbox, tmp_path: Path) -> None:
    moved = {"claude-code": ("CLAUDE_CONFIG_DIR", "settings.json"), "cursor": ("CURSOR_CONFIG_DIR", "hooks.json"),
             "copilot": ("COPILOT_HOME", "hooks/autoskill.json"), "codex": ("CODEX_HOME", "config.toml")}
    for agent, (var, rel) in moved.items():
        where = tmp_path / var.lower()
        result = cli(sandbox, "hooks", "install", "--agent", agent, "--yes", **{var: str(where)})
        assert result.returncode == 0, result.stderr
        assert (where / rel).is_file() and str(where / rel) in result.stdout
    gemini = tmp_path / "gemini-home"
    assert cli(sandbox, "hooks", "install", "--agent", "gemini", "--yes", GEMINI_CLI_HOME=str(gemini)).returncode == 0
    assert (gemini / ".gemini" / "settings.json").is_file()
    assert list(sandbox.home.iterdir()) == []


def test_a_projects_configuration_names_autoskill_bare_when_it_is_on_path(sandbox: Sandbox, tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    path_var = autoskill_on_path(bindir)
    project = tmp_path / "repo"
    project.mkdir()
    result = cli(sandbox, "hooks", "install", "--agent", "claude-code", "--scope", "project", "--yes", cwd=project,
                 PATH=path_var)
    assert result.returncode == 0, result.stderr
    assert set(commands_in("claude-code", json.loads((project / ".claude/settings.json").read_text()))) == {
        "autoskill hook claude-code"}   # no path of this machine's in a file a team commits
    assert cli(sandbox, "hooks", "install", "--agent", "claude-code", "--yes", PATH=path_var).returncode == 0
    [user_command] = set(commands_in("claude-code", json.loads((sandbox.home / ".claude/settings.json").read_text())))
    assert user_command == f"{bindir / 'autoskill'} hook claude-code"


def test_a_cline_hook_where_autoskill_is_missing_still_lets_cline_carry_on(sandbox: Sandbox, tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    result = cli(sandbox, "hooks", "install", "--agent", "cline", "--scope", "project", "--yes", cwd=project,
                 PATH=autoskill_on_path(tmp_path / "bin"))
    assert result.returncode == 0, result.stderr
    hook = project / ".clinerules/hooks/TaskComplete"
    assert "autoskill hook cline" in hook.read_text()
    # a teammate without autoskill: the command is not found, the hook still exits 0 with Cline's answer
    ran = subprocess.run([str(hook)], input=payload("cline__TaskComplete.json"), capture_output=True, text=True,
                         env=sandbox.env(PATH="/usr/bin:/bin"), timeout=60)
    assert ran.returncode == 0 and json.loads(ran.stdout.splitlines()[-1]) == {"cancel": False}
