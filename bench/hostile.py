"""Hostile inputs, seeded: SKILL.md files and transcripts of every supported format, valid and broken.

Shared by the reliability tests (tests/reliability, a few hundred inputs) and the bench's
reliability section (10,000 of each). Everything is drawn from a `random.Random`, so a seed
names an input and a failure can be replayed (`skill_md(random.Random(seed))`).

SKILL.md files are built from fragments that broke parsers before (issue 13 and the YAML,
Markdown and path corner cases the rules know about), then sometimes mutated byte by byte.
Transcripts are copies of the fixtures in tests/fixtures/transcripts (never the originals)
with one mutation: bytes, lines, a JSON value somewhere inside a record, or a database row.
Sizes are bounded by construction (the largest input is a few hundred KB), so a run's cost
is known in advance.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoskill_mcp.skillmd.yamlbounds import MAX_KEYS

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"

WORDS = ("write test deploy review debug format commit branch release python docker sql api schema cache "
         "retry timeout logging metrics always never prefer use avoid check run keep small clear").split()
UNICODE = ["é", "技能", "😀", "\u200b", "\u2028", "\u0085", "\ufeff", "\ue000", "Ω", "ß", "\u202e"]
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\t", "\r", "\x0b", "\x0c"]
SURROGATES = ["\ud800", "\udfff", "\udc00"]


# ----------------------------------------------------------------------------------- SKILL.md

def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def valid_skill_md(rng: random.Random) -> str:
    """A SKILL.md that passes the rules: the baseline the hostile ones are measured against."""
    name = "-".join(rng.sample(WORDS, 2))
    desc = f"{words(rng, 6).capitalize()}. Use when {words(rng, 5)}."
    steps = "\n".join(f"{i}. {words(rng, 8).capitalize()}." for i in range(1, rng.randint(3, 12)))
    return f"---\nname: {name}\ndescription: {desc}\n---\n\n# {name}\n\n{steps}\n"


def _deep(rng: random.Random) -> str:
    n = rng.choice([10, 63, 65, 200, 1_000, 20_000])
    return rng.choice([
        "[" * n + "]" * n,
        "[" * n,
        "{a: " * n + "}" * n,
        "\n" + "".join(" " * i + f"k{i}:\n" for i in range(min(n, 300))) + " " * min(n, 300) + "v: 1",
        "\n" + "- " * n + "x",
    ])


def _bomb(rng: random.Random) -> str:
    levels = rng.randint(3, 10)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nmetadata:\n  boom: *a{levels - 1}"


def _scalar(rng: random.Random) -> str:
    """A value after `key: ` that YAML, strictyaml or the rules find hard."""
    return rng.choice([
        lambda: words(rng, rng.randint(1, 12)),
        lambda: "",
        lambda: rng.choice(["yes", "no", "on", "1.10", "0o17", "0x1F", "~", "null", "2024-01-01", ".nan", "-.inf",
                            "1e400", "12:30:00", "true", "0"]),
        lambda: rng.choice(["!!timestamp x", "!!binary @@@", "!!int abc", "!!float x", "!!set {a, b}", "!!omap [a]",
                            "!!python/object:os.system ls", "!custom v", "!!str", "!!null x", "!!bool maybe",
                            "!<tag:yaml.org,2002:timestamp> 2024-13-45"]),
        lambda: "a: b: c",
        lambda: '"unterminated',
        lambda: "'it''s'",
        lambda: "|\n  " + "\n  ".join(words(rng, 4) for _ in range(rng.randint(1, 5))),
        lambda: ">-\n  folded " + words(rng, 5),
        lambda: "[" + ", ".join(words(rng, 1) for _ in range(rng.randint(0, 5))) + "]",
        lambda: "{" + ", ".join(f"{w}: {w}" for w in rng.sample(WORDS, 3)) + "}",
        lambda: "&anchor " + words(rng, 2),
        lambda: "*undefined",
        lambda: "x" * rng.choice([200, 1025, 5000, 100_000]),
        lambda: "".join(rng.choice(UNICODE + CONTROL) for _ in range(rng.randint(1, 20))),
        lambda: "---",
        lambda: "--- inside",
        lambda: "<b>html</b> & ${CLAUDE_SKILL_DIR}",
        lambda: "# comment only",
        lambda: _deep(rng),
        lambda: "\t" + words(rng, 2),
    ])()


_KEYS = ["name", "description", "license", "compatibility", "metadata", "allowed-tools", "version", "tags",
         "context", "agent", "model", "effort", "hooks", "paths", "arguments", "disable-model-invocation",
         "user-invocable", "when_to_use", "descriptoin", "Name", "x-ext", "shell", "background", "id"]


def _frontmatter(rng: random.Random) -> str:
    lines = []
    if rng.random() < 0.8:
        lines.append(f"name: {rng.choice(['-'.join(rng.sample(WORDS, 2)), _scalar(rng)])}")
    if rng.random() < 0.8:
        lines.append(f"description: {rng.choice([words(rng, 8) + '. Use when ' + words(rng, 3), _scalar(rng)])}")
    for _ in range(rng.choice([0, 1, 3, 8])):
        lines.append(f"{rng.choice(_KEYS + [words(rng, 1)])}: {_scalar(rng)}")
    if rng.random() < 0.3:
        lines.append("metadata:\n" + "".join(f"  {rng.choice(WORDS)}{i}: {_scalar(rng)}\n"
                                             for i in range(rng.randint(0, 6))).rstrip("\n"))
    if rng.random() < 0.15:
        lines.append("allowed-tools:\n" + "".join(f"  - {rng.choice(['Read', 'Bash(git:*)', _scalar(rng)])}\n"
                                                  for _ in range(rng.randint(0, 4))).rstrip("\n"))
    if rng.random() < 0.05:
        lines.append(_bomb(rng))
    if rng.random() < 0.04:
        lines += [f"k{i}: v" for i in range(rng.choice([MAX_KEYS - 3, MAX_KEYS + 1, 5_000, 20_000]))]
    if rng.random() < 0.05:
        lines.append(rng.choice(["x: " + _deep(rng), "? [a, b]\n: c", "<<: *missing", "a: &x 1\nb: *x", "%YAML 1.1",
                                 "key with spaces: v", '"quoted key": v', "1: int key", "[a]: flow key"]))
    rng.shuffle(lines)
    return "\n".join(lines)


def _link_target(rng: random.Random) -> str:
    return rng.choice([
        "references/guide.md", "scripts/run.sh", "missing.md", "../outside.md", "/etc/passwd", "~/x", "C:\\x\\y.md",
        "references\\win.md", "${CLAUDE_SKILL_DIR}/scripts/run.sh", "https://example.com", "#anchor", "a" * 300,
        "/".join(["b" * 200] * 25), "refs/a\x00b.md", "<with spaces.md>", "x.md?q=1#f", "é/技能.md", "./",
        "references/" + "c" * 256 + ".md", "references/guide.md" + "\u202e",
    ])


def _body(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 8)):
        parts.append(rng.choice([
            lambda: f"# {words(rng, 3)}",
            lambda: words(rng, rng.randint(3, 30)),
            lambda: f"See [{words(rng, 1)}]({_link_target(rng)}).",
            lambda: f"Run `scripts/{rng.choice(['a.sh', 'b' * 300, 'x y'])}`.",
            lambda: "```" + rng.choice(["", "yaml", "bash"]) + "\n" + words(rng, 5) + rng.choice(["\n```", ""]),
            lambda: "$ARGUMENTS $1 ${CLAUDE_SESSION_ID} ${CLAUDE_NOPE} $undeclared",
            lambda: "## Triggers\n<!-- autoskill:triggers -->\n- " + rng.choice([words(rng, 3), '"bad json', "\"ok\""]),
            lambda: "## Examples\n<!-- autoskill:examples -->\n```yaml\n" + rng.choice([
                "- input: x\n  output: y", "not: a list", _bomb(rng).replace("metadata:\n  boom:", "- "),
                "- " + _deep(rng), "- !!timestamp x", "{{{{"]) + "\n```",
            lambda: "\n".join(f"- {words(rng, 4)}" for _ in range(rng.randint(1, 10))),
            lambda: "line\n" * rng.choice([10, 501, 3_000]),
            lambda: "".join(rng.choice(UNICODE + CONTROL) for _ in range(rng.randint(1, 50))),
            lambda: "---",
            lambda: "[" * rng.choice([10, 10_000]) + "](x)",
        ])())
    return "\n\n".join(parts) + rng.choice(["\n", "", "\n\n", "\r\n"])


def skill_md(rng: random.Random) -> str:
    """A hostile SKILL.md as text (it may hold lone surrogates, as text from an editor can)."""
    shape = rng.random()
    fm = _frontmatter(rng)
    if shape < 0.05:
        text = _body(rng)                                    # no frontmatter
    elif shape < 0.10:
        text = "---\n" + fm + "\n" + _body(rng)              # unclosed
    else:
        text = rng.choice(["---", "---  ", "\ufeff---", "---\t"]) + "\n" + fm + "\n" + rng.choice(
            ["---", "--- ", "...", "----"]) + "\n" + _body(rng)
    if rng.random() < 0.1:
        text = text.replace("\n", rng.choice(["\r\n", "\r"]))
    if rng.random() < 0.03:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(SURROGATES) + text[at:]
    return text


_SERVABLE_EXTRAS = ["created: !!timestamp x", "when: 2024-01-01", "raw: !!binary aGk=", "odd: !!set {a, b}",
                    "nan: .nan", "inf: -.inf", "big: 1e400", "version: 1.10", "tags: [a, 1, null]",
                    "metadata:\n  nested:\n    deeper: [1, {x: y}]", "license: LICENSE.txt",
                    "allowed-tools: [Read, Bash(git:*)]", "unicode: é技能😀\u2028", "empty:",
                    "a: &x [1, 2]\nb: *x", "hooks: {PreToolUse: []}", "context: fork\nagent: x"]


def servable_skill_md(rng: random.Random) -> bytes:
    """A SKILL.md an import accepts (valid YAML, a name and a description) with hostile values and body."""
    name = (
        rng.choice(["-".join(rng.sample(WORDS, 2)), "Bad_Name", "é-技能", "x" * 80, "a--b"])
        + f"-{rng.randrange(10**6)}"
    )
    desc = rng.choice([f"{words(rng, 6)}. Use when {words(rng, 3)}.", "<b>html</b> & more", "é技能😀 " * 3,
                       "d" * 2_000, "a: b"])
    extras = "\n".join(rng.sample(_SERVABLE_EXTRAS, rng.randint(0, 5)))
    text = f"---\nname: {name}\ndescription: {json.dumps(desc, ensure_ascii=False)}\n{extras}\n---\n{_body(rng)}"
    return text.encode("utf-8", "surrogatepass")


def skill_md_bytes(rng: random.Random) -> bytes:
    """A hostile SKILL.md file as bytes: `skill_md` encoded (or, a quarter of the time, one an import
    accepts, so conversion and rendering see hostile values too), then sometimes mutated byte by byte."""
    if rng.random() < 0.25:
        data = servable_skill_md(rng)
    else:
        data = skill_md(rng).encode("utf-8", "surrogatepass")
    return mutate_bytes(rng, data) if rng.random() < 0.3 else data


def skill_folder(rng: random.Random, folder: Path, data: bytes) -> Path:
    """A skill folder holding `data` as SKILL.md and a few of the files it may link to."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SKILL.md").write_bytes(data)
    if rng.random() < 0.5:
        (folder / "references").mkdir(exist_ok=True)
        links = "".join(f"[x](other{i}.md)\n" for i in range(rng.choice([0, 3])))
        (folder / "references" / "guide.md").write_text("# Guide\n" + links + "line\n" * rng.choice([5, 150]),
                                                        encoding="utf-8")
    if rng.random() < 0.3:
        (folder / "scripts").mkdir(exist_ok=True)
        (folder / "scripts" / "run.sh").write_bytes(b"#!/bin/sh\necho hi\n" + rng.randbytes(rng.randint(0, 64)))
    return folder / "SKILL.md"


# -------------------------------------------------------------------------------- byte and line level

def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """One byte-level mutation: flips, an insertion, a deletion, a truncation, a duplication."""
    b = bytearray(data)
    op = rng.randrange(7)
    if op == 0 and b:
        for _ in range(rng.choice([1, 4, 32])):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif op == 1:
        at = rng.randrange(len(b) + 1)
        b[at:at] = rng.choice([rng.randbytes(rng.randint(1, 64)), b"\x00", b"\xff\xfe", b"\xed\xa0\x80",
                               b"\r", b"\n---\n", "é".encode()[:1]])
    elif op == 2 and b:
        at = rng.randrange(len(b))
        del b[at:at + rng.randint(1, 256)]
    elif op == 3:
        b = b[:rng.randrange(len(b) + 1)]
    elif op == 4 and b:
        at = rng.randrange(len(b))
        b[at:at] = b[at:at + rng.randint(1, 512)]
    elif op == 5:
        b = bytearray(b"\xef\xbb\xbf") + b
    else:
        b = bytearray(bytes(b).replace(b"\n", b"\r\n"))
    return bytes(b)


_GARBAGE_LINES = [b"not json", b"{", b"[]", b"null", b"42", b'"text"', b'{"type": "user"}', b'{"type": "assistant"}',
                  b'{"role": "user", "content": "\\ud800"}', b"\x00\x00", b"[" * 5_000, b"{}" * 10_000,
                  b'{"type": "user", "message": {"role": "user", "content": ' + b"[" * 900 + b"]" * 900 + b"}}",
                  b'{"a": ' * 3_000 + b"1" + b"}" * 3_000, b'{"nan": NaN, "inf": Infinity, "big": 1e400}',
                  b'{"type": "user", "message": "' + b"x" * 300_000 + b'"}']


def mutate_lines(rng: random.Random, data: bytes) -> bytes:
    """One line-level mutation: a line dropped, repeated, swapped, replaced by garbage or cut."""
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    op = rng.randrange(5)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[i])
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3:
        lines.insert(i, rng.choice(_GARBAGE_LINES))
    else:
        lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
    return b"\n".join(lines)


# ------------------------------------------------------------------------------------- JSON level

_RAWS: dict[str, str] = {}  # marker string -> raw JSON text json.dumps cannot make (too deep, NaN, a lone surrogate)


def _raw(rng: random.Random, text: str) -> str:
    marker = f"@@raw-{rng.getrandbits(64):016x}@@"
    _RAWS[marker] = text
    return marker


def hostile_json(rng: random.Random) -> Any:
    """A JSON value where a reader expects another: wrong types, deep nesting, huge or odd text."""
    makers: list[Callable[[], Any]] = [
        lambda: None, lambda: True, lambda: 0, lambda: -1, lambda: 2**70, lambda: 1.5, lambda: "",
        lambda: [], lambda: {}, lambda: [None], lambda: {"type": None}, lambda: {"text": 5},
        lambda: "x" * rng.choice([5_000, 200_000]),
        lambda: "".join(rng.choice(UNICODE + CONTROL) for _ in range(20)),
        lambda: [{"type": "text", "text": words(rng, 4)}, {"type": 3}, "str", None],
        lambda: {"role": rng.choice(["user", "assistant", "tool", 7]), "content": rng.choice(["hi", [], None, {}])},
        lambda: _raw(rng, "[" * (n := rng.choice([50, 500, 990, 2_000])) + "]" * n),
        lambda: _raw(rng, '{"a":' * (n := rng.choice([50, 900, 3_000])) + "1" + "}" * n),
        lambda: _raw(rng, '"\\ud800 lone"'),
        lambda: _raw(rng, "NaN"),
        lambda: _raw(rng, "1e999"),
        lambda: "2024-13-45T99:99:99Z",
        lambda: -1e20,
    ]
    return rng.choice(makers)()


def _dump(value: Any) -> str:
    """JSON text of `value`, with the raw texts its markers stand for put in place."""
    text = json.dumps(value, ensure_ascii=False)
    for marker, raw in list(_RAWS.items()):
        text = text.replace(f'"{marker}"', raw)
    _RAWS.clear()
    return text


def mutate_json(rng: random.Random, doc: Any) -> str:
    """`doc` with one value somewhere inside replaced, removed or retyped, as JSON text."""
    containers: list[Any] = []
    stack = [doc]
    while stack and len(containers) < 5_000:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            containers.append(node)
            stack.extend(node.values() if isinstance(node, dict) else node)
    if not containers:
        return _dump(hostile_json(rng))
    target = rng.choice(containers)
    if isinstance(target, dict) and target:
        key = rng.choice(list(target))
        op = rng.randrange(3)
        if op == 0:
            del target[key]
        elif op == 1:
            target[key] = hostile_json(rng)
        else:
            target[rng.choice(["type", "role", "content", "message", "text", "id", "timestamp"])] = hostile_json(rng)
    elif isinstance(target, list) and target:
        target[rng.randrange(len(target))] = hostile_json(rng)
    else:
        (target.__setitem__("x", hostile_json(rng)) if isinstance(target, dict) else target.append(hostile_json(rng)))
    return _dump(doc)


def mutate_json_text(rng: random.Random, data: bytes) -> bytes:
    """One JSON value changed: in a random line of a JSONL file, or in a whole JSON document."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return mutate_bytes(rng, data)
    lines = text.split("\n")
    whole = None
    try:
        whole = json.loads(text)
    except ValueError:
        pass
    if whole is not None:  # one JSON document
        return mutate_json(rng, whole).encode("utf-8", "surrogatepass")
    candidates = [i for i, line in enumerate(lines) if line.strip()]
    if not candidates:
        return mutate_bytes(rng, data)
    i = rng.choice(candidates)
    try:
        record = json.loads(lines[i])
    except ValueError:
        return mutate_lines(rng, data)
    lines[i] = mutate_json(rng, record)
    return "\n".join(lines).encode("utf-8", "surrogatepass")


# ------------------------------------------------------------------------------------- SQLite level

def mutate_sqlite(rng: random.Random, path: Path) -> None:
    """One row of a copied database changed: a value replaced by hostile JSON, NULL, a blob, or deleted."""
    try:
        conn = sqlite3.connect(path)
    except sqlite3.Error:
        return
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows: list[tuple[str, int, str]] = []
        for table in tables:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for (rowid,) in conn.execute(f'SELECT rowid FROM "{table}" LIMIT 200'):
                rows += [(table, rowid, c) for c in cols]
        if not rows:
            return
        table, rowid, col = rng.choice(rows)
        op = rng.randrange(4)
        if op == 0:
            conn.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
        else:
            value: Any = _dump(hostile_json(rng)) if op == 1 else None if op == 2 else rng.randbytes(rng.randint(0, 64))
            conn.execute(f'UPDATE "{table}" SET "{col}" = ? WHERE rowid = ?', (value, rowid))
        conn.commit()
    except sqlite3.Error:
        pass
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------- transcripts

@dataclass(frozen=True)
class Entry:
    """One transcript of the fixtures: what `read_transcript` is given, and its companions."""

    rel: Path                  # path under FIXTURES of the file or folder to read
    companions: tuple[Path, ...] = ()   # read with it (a Claude Code session's sub-agent folder)


def fixture_entries() -> list[Entry]:
    """Every fixture transcript once, as `autoskill ingest <folder>` queues them."""
    from autoskill_mcp.learning.transcripts import detect_format
    from autoskill_mcp.learning.transcripts.discover import entry_points

    out = []
    for path in entry_points(FIXTURES, lambda p: detect_format(p) is not None):
        rel = path.relative_to(FIXTURES)
        companion = path.with_suffix("") if path.suffix == ".jsonl" else None
        extra: tuple[Path, ...] = ()
        if companion is not None and companion.is_dir():
            extra += (companion.relative_to(FIXTURES),)
        # A Cursor profile (globalStorage beside workspaceStorage, chats beside projects) is read as a whole.
        profile = next((a for a in rel.parents if a.name == "constructed" or a.name.endswith("store-root")), None)
        if profile is not None:
            extra += (profile,)
        out.append(Entry(rel, extra))
    return out


def copy_entry(entry: Entry, root: Path) -> Path:
    """The entry and its companions copied under `root` at their fixture paths; the copy to read."""
    for rel in (entry.rel, *entry.companions):
        src, dest = FIXTURES / rel, root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() and src.is_file():
            continue  # inside a companion copied before
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)
    return root / entry.rel


def transcript(rng: random.Random, entries: list[Entry], root: Path) -> tuple[Path, str]:
    """A mutated copy of one fixture transcript under `root`: (what to read, what was done to it)."""
    entry = rng.choice(entries)
    path = copy_entry(entry, root)
    files = sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())
    for rel in entry.companions:
        if rng.random() < 0.3:
            c = root / rel
            files += sorted(p for p in ([c] if c.is_file() else c.rglob("*")) if p.is_file())
    target = rng.choice(files)
    data = target.read_bytes()
    is_db = data.startswith(b"SQLite format 3\x00")
    op = rng.choice(["sqlite", "sqlite", "bytes"] if is_db else ["json", "json", "json", "lines", "bytes"])
    if op == "sqlite":
        mutate_sqlite(rng, target)
    elif op == "json":
        target.write_bytes(mutate_json_text(rng, data))
    elif op == "lines":
        target.write_bytes(mutate_lines(rng, data))
    else:
        target.write_bytes(mutate_bytes(rng, data))
    return path, f"{entry.rel}: {op} on {target.relative_to(root)}"
