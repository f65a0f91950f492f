"""Input found by fuzzing (issue 13), served by a real `autoskill mcp` subprocess: one odd skill never
breaks the listing of the others, and a line that is not JSON-RPC gets a JSON-RPC error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from autoskill_mcp.mcp_server.skill_files import frontmatter_of

from .helpers import PYTHON, REPO, all_skills, server_env

pytestmark = pytest.mark.anyio

GOOD = "---\nname: good\ndescription: Good skill. Use when good.\n---\n\nBody.\n"
ODD = "---\nname: odd\ndescription: Odd skill. Use when odd.\ncreated: !!timestamp x\n---\n\nBody.\n"


def test_a_tag_yaml_cannot_construct_keeps_the_value_as_written() -> None:
    assert frontmatter_of(ODD.encode()) == {"name": "odd", "description": "Odd skill. Use when odd.", "created": "x"}


def test_every_value_the_safe_loader_builds_becomes_strict_json() -> None:
    text = ("---\nname: odd\ndescription: d\nset: !!set {a: null, b: null}\nblob: !!binary aGk=\n"
            "nan: .nan\npairs: !!pairs [a: 1]\nwhen: 2024-01-02\n---\n")
    data = frontmatter_of(text.encode())
    assert json.loads(json.dumps(data, allow_nan=False)) == {
        "name": "odd", "description": "d", "set": {"a": None, "b": None}, "blob": "aGk=", "nan": "nan",
        "pairs": [["a", 1]], "when": "2024-01-02"}


@pytest.mark.parametrize("frontmatter", [
    "x: é\ny: " + "[" * 5_000 + "]" * 5_000,
    "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n"
                                                    for i in range(1, 9)),
], ids=["deep", "alias bomb"])
def test_a_frontmatter_over_the_yaml_bounds_is_served_empty(frontmatter: str) -> None:
    assert frontmatter_of(f"---\nname: n\ndescription: d\n{frontmatter}\n---\n".encode()) == {}


def imported(tmp_path: Path, skills: dict[str, str]) -> Path:
    src = tmp_path / "src"
    for name, text in skills.items():
        (src / name).mkdir(parents=True)
        (src / name / "SKILL.md").write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run([PYTHON, "-m", "autoskill_mcp", "import", str(src)], env=server_env(home), cwd=str(REPO),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return home


def stdio(home: Path) -> StdioServerParameters:
    return StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp", "--no-worker"],
                                 env=server_env(home), cwd=str(REPO))


async def test_skills_list_serves_every_skill_when_one_has_an_unconstructible_tag(tmp_path: Path) -> None:
    home = imported(tmp_path, {"good": GOOD, "odd": ODD})
    async with Client(stdio(home), raise_exceptions=True) as c:
        listed = {s["uri"]: s["frontmatter"] for s in await all_skills(c)}
    assert listed == {
        "skill://good/SKILL.md": {"name": "good", "description": "Good skill. Use when good."},
        "skill://odd/SKILL.md": {"name": "odd", "description": "Odd skill. Use when odd.", "created": "x"},
    }


def test_stdio_answers_every_line_that_is_not_json_rpc_with_an_error_and_keeps_serving(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    lines = [
        json.dumps(initialize).encode(),
        b'{"jsonrpc": "2.0", "method": "notifications/initialized"}',
        b"not json",
        b'{"jsonrpc": "2.0", "id": 5, "method": "ping", "params": {"x": "\\ud800"}}',  # a lone surrogate
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff\xfe{",  # not UTF-8
        b'{"foo": 1}',  # JSON, but not JSON-RPC
        b'{"jsonrpc": "2.0", "id": 7, "method": 42}',
        b'{"jsonrpc": "2.0", "id": 9, "method": "ping"}',
    ]
    proc = subprocess.Popen([PYTHON, "-m", "autoskill_mcp", "mcp", "--no-worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=server_env(home), cwd=REPO)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"\n".join(lines) + b"\n")
        proc.stdin.flush()
        answers = []
        for line in proc.stdout:  # the answer to the last ping ends the exchange
            answers.append(json.loads(line))
            if answers[-1].get("id") == 9:
                break
    finally:
        proc.kill()
        proc.wait()
    assert answers[0]["id"] == 1 and "result" in answers[0]
    assert answers[-1] == {"jsonrpc": "2.0", "id": 9, "result": {}}
    errors = [(a["id"], a["error"]["code"]) for a in answers[1:-1]]
    assert errors == [(None, -32700), (5, -32700), (None, -32700), (None, -32700), (None, -32600), (7, -32600)]
    assert all(a["error"]["message"] for a in answers[1:-1])
