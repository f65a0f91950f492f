"""The Claude Code plugin: its manifests match the documented schemas, its skill passes our rules,
its MCP command starts our server, and its hook commands enqueue a session.

Schemas are written from https://code.claude.com/docs/en/plugins-reference (plugin.json, component
layout, hooks/hooks.json, .mcp.json) and https://code.claude.com/docs/en/plugins/marketplace-reference
(marketplace.json: required `name`, `owner.name`, `plugins[].name` and `source`; relative sources
start with `./` and resolve from the marketplace root; reserved names).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from autoskill_mcp.learning.queue import JobQueue
from autoskill_mcp.skillmd.validate import has_errors, validate_dir

REPO = Path(__file__).resolve().parents[2]
MARKETPLACE = REPO / ".claude-plugin" / "marketplace.json"
TRANSCRIPT = REPO / "tests" / "fixtures" / "transcripts" / "claude-code" / "spotter__short.jsonl"
KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SEMVER = r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$"
RESERVED = {"claude-code-marketplace", "claude-code-plugins", "claude-plugins-official", "anthropic-marketplace",
            "anthropic-plugins", "agent-skills", "anthropic-agent-skills", "claude-community",
            "claude-plugins-community", "anthropic-plugin-directory", "claude-plugin-directory"}
AUTHOR = {"type": "object", "required": ["name"], "additionalProperties": False,
          "properties": {"name": {"type": "string", "minLength": 1}, "email": {"type": "string"},
                         "url": {"type": "string"}}}
PLUGIN_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["name"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": KEBAB}, "version": {"type": "string", "pattern": SEMVER},
        "description": {"type": "string"}, "author": AUTHOR, "homepage": {"type": "string"},
        "repository": {"type": "string"}, "license": {"type": "string"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "commands": {}, "agents": {}, "skills": {}, "hooks": {}, "mcpServers": {}, "lspServers": {},
        "outputStyles": {},
    },
}
MARKETPLACE_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["name", "owner", "plugins"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": KEBAB, "not": {"enum": sorted(RESERVED)}},
        "owner": AUTHOR,
        "metadata": {"type": "object", "additionalProperties": False,
                     "properties": {"description": {"type": "string"}, "version": {"type": "string"},
                                    "pluginRoot": {"type": "string"}}},
        "plugins": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["name", "source"],
            "properties": {"name": {"type": "string", "pattern": KEBAB},
                           "source": {"type": "string", "pattern": r"^\./"},
                           "description": {"type": "string"}, "version": {"type": "string", "pattern": SEMVER},
                           "category": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}},
                           "author": AUTHOR, "homepage": {"type": "string"}, "license": {"type": "string"}}}},
    },
}
HOOK_EVENTS = ["PreToolUse", "PostToolUse", "Notification", "UserPromptSubmit", "Stop", "SubagentStop",
               "PreCompact", "SessionStart", "SessionEnd"]
HOOKS_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["hooks"], "additionalProperties": False,
    "properties": {
        "description": {"type": "string"},
        "hooks": {"type": "object", "propertyNames": {"enum": HOOK_EVENTS}, "additionalProperties": {
            "type": "array", "items": {
                "type": "object", "required": ["hooks"], "additionalProperties": False,
                "properties": {"matcher": {"type": "string"}, "hooks": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["type", "command"], "additionalProperties": False,
                    "properties": {"type": {"const": "command"}, "command": {"type": "string", "minLength": 1},
                                   "timeout": {"type": "number", "exclusiveMinimum": 0}}}}}}}},
    },
}
MCP_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["mcpServers"], "additionalProperties": False,
    "properties": {"mcpServers": {"type": "object", "minProperties": 1, "additionalProperties": {
        "type": "object", "required": ["command"],
        "properties": {"command": {"type": "string"}, "args": {"type": "array", "items": {"type": "string"}},
                       "env": {"type": "object"}}}}},
}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def plugin_root() -> Path:
    [entry] = load(MARKETPLACE)["plugins"]
    return (MARKETPLACE.parent.parent / entry["source"]).resolve()


def test_the_marketplace_lists_the_plugin_by_its_own_name_and_version() -> None:
    market = load(MARKETPLACE)
    jsonschema.validate(market, MARKETPLACE_SCHEMA)
    [entry] = market["plugins"]
    root = plugin_root()
    assert root.is_relative_to(REPO) and root.is_dir()
    manifest = load(root / ".claude-plugin" / "plugin.json")
    jsonschema.validate(manifest, PLUGIN_SCHEMA)
    assert manifest["name"] == entry["name"] and manifest["version"] == entry["version"]
    import tomllib
    assert manifest["version"] == tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_components_sit_at_the_plugin_root_and_only_the_manifest_in_claude_plugin() -> None:
    root = plugin_root()
    assert sorted(p.name for p in (root / ".claude-plugin").iterdir()) == ["plugin.json"]
    jsonschema.validate(load(root / "hooks" / "hooks.json"), HOOKS_SCHEMA)
    jsonschema.validate(load(root / ".mcp.json"), MCP_SCHEMA)
    skills = sorted(p for p in (root / "skills").iterdir() if p.is_dir())
    assert skills and all((s / "SKILL.md").is_file() for s in skills)


@pytest.mark.parametrize("profile", ["spec", "claude-code"])
def test_the_skill_passes_our_own_rule_catalogue(profile: str) -> None:
    for folder in (p for p in (plugin_root() / "skills").iterdir() if p.is_dir()):
        diagnostics = validate_dir(folder, profile=profile)
        assert not has_errors(diagnostics) and not diagnostics, [str(d) for d in diagnostics]
        text = (folder / "SKILL.md").read_text()
        for tool in ("search_skills", "get_skill", "report_skill_used"):   # tools the MCP server has
            assert f"`{tool}`" in text


@pytest.fixture
def shim(tmp_path: Path) -> dict[str, str]:
    """An environment where `autoskill` on PATH is this working copy, as `pipx install` would provide."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "autoskill"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m autoskill_mcp "$@"\n')
    exe.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin", HOME=str(tmp_path / "home"),
               AUTOSKILL_HOME=str(tmp_path / "autoskill"), AUTOSKILL_USER="alice",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("CLAUDE_CONFIG_DIR", None)
    return env


def test_the_hook_commands_enqueue_the_session(shim: dict[str, str], tmp_path: Path) -> None:
    hooks = load(plugin_root() / "hooks" / "hooks.json")["hooks"]
    assert set(hooks) == {"SessionEnd", "PreCompact"}
    transcript = tmp_path / "home" / ".claude" / "projects" / "p" / "abc123.jsonl"
    transcript.parent.mkdir(parents=True)
    transcript.write_bytes(TRANSCRIPT.read_bytes())
    for event, groups in hooks.items():
        for hook in (h for g in groups for h in g["hooks"]):
            data = {"session_id": "abc123", "transcript_path": str(transcript), "cwd": str(tmp_path),
                    "permission_mode": "default", "hook_event_name": event}
            ran = subprocess.run(hook["command"] + " --no-worker", shell=True, input=json.dumps(data),  # noqa: S602
                                 env=shim, capture_output=True, text=True, timeout=60)
            assert ran.returncode == 0 and ran.stdout == ""
    with JobQueue(tmp_path / "autoskill") as q:
        [job] = q.list()
    assert job.source == os.path.realpath(transcript) and job.format == "claude-code"


def test_the_mcp_command_starts_our_stdio_server(shim: dict[str, str]) -> None:
    [server] = load(plugin_root() / ".mcp.json")["mcpServers"].values()
    proc = subprocess.Popen([server["command"], *server["args"]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=shim)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "plugin-test", "version": "1"}}}
        proc.stdin.write((json.dumps(hello) + "\n").encode())
        proc.stdin.flush()
        answer = json.loads(proc.stdout.readline())
        assert answer["id"] == 1 and answer["result"]["serverInfo"]["name"]
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n"
                          + json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}) + "\n").encode())
        proc.stdin.flush()
        tools = json.loads(proc.stdout.readline())
        names = {t["name"] for t in tools["result"]["tools"]}
        assert {"search_skills", "get_skill", "report_skill_used"} <= names
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
        proc.stdout.close()


def claude_cli() -> str | None:
    """Claude Code's own CLI, when this machine has it (AUTOSKILL_TEST_CLAUDE names one elsewhere)."""
    import shutil

    return os.environ.get("AUTOSKILL_TEST_CLAUDE") or shutil.which("claude")


needs_claude = pytest.mark.skipif(
    claude_cli() is None,
    reason="Claude Code's CLI is not installed (npm install @anthropic-ai/claude-code; "
           "AUTOSKILL_TEST_CLAUDE=its bin/claude)")


@needs_claude
def test_claude_code_itself_validates_the_marketplace_and_the_plugin(shim: dict[str, str]) -> None:
    claude = str(claude_cli())
    for target in (REPO, plugin_root()):
        ran = subprocess.run([claude, "plugin", "validate", str(target)], env=shim, capture_output=True, text=True,
                             timeout=120)
        assert ran.returncode == 0 and "Validation passed" in ran.stdout and "✘" not in ran.stdout, ran.stdout


@needs_claude
def test_autoskill_plugin_install_is_one_command(shim: dict[str, str], tmp_path: Path) -> None:
    claude = str(claude_cli())
    (tmp_path / "home").mkdir(exist_ok=True)
    ran = subprocess.run(["autoskill", "plugin", "install", "--claude", claude], env=shim, capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    listed = subprocess.run([claude, "plugin", "list"], env=shim, capture_output=True, text=True, timeout=120)
    assert "autoskill@autoskill" in listed.stdout and "enabled" in listed.stdout
    installed = load(tmp_path / "home" / ".claude" / "plugins" / "installed_plugins.json")
    [copy] = installed["plugins"]["autoskill@autoskill"]
    hooks = load(Path(copy["installPath"]) / "hooks" / "hooks.json")
    assert hooks == load(plugin_root() / "hooks" / "hooks.json")


def test_plugin_show_prints_claude_codes_two_steps(shim: dict[str, str]) -> None:
    ran = subprocess.run(["autoskill", "plugin", "show"], env=shim, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0
    assert ran.stdout.splitlines() == [f"claude plugin marketplace add {REPO}",
                                       "claude plugin install autoskill@autoskill --scope user"]
