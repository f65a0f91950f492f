"""Hypothesis strategies for hostile SKILL.md files and transcript records.

They complement the seeded generators of bench/hostile.py (which the bench runs by the
ten thousand): here Hypothesis combines the same kinds of fragment freely and shrinks a
failure to its smallest form. Sizes are bounded so an example costs milliseconds.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from autoskill_mcp.learning.transcripts.detect import CLAUDE_TYPES, CODEX_ITEMS, CODEX_TYPES, GEMINI_TYPES
from autoskill_mcp.skillmd.yamlbounds import MAX_KEYS

# -- SKILL.md -------------------------------------------------------------------------------------

_TRICKY_SCALARS = [
    "", "yes", "no", "~", "null", "1.10", "0o17", "2024-01-01", "2024-13-45", ".nan", "1e400", "12:30", "a: b",
    '"unterminated', "'it''s'", "|", ">-", "[a, b]", "{a: b}", "&a x", "*a", "*undefined", "!!timestamp x",
    "!!binary @@", "!!set {a}", "!!python/object:os.system x", "!custom x", "!!str", "---", "...", "# c",
    "<b>x</b>", "${CLAUDE_SKILL_DIR}", "\t x", "x\x00y", "\u2028", "\ufeff", "é技能😀", "\ud800",
]
_KEYS = ["name", "description", "license", "compatibility", "metadata", "allowed-tools", "version", "tags",
         "context", "agent", "hooks", "paths", "arguments", "disable-model-invocation", "user-invocable",
         "when_to_use", "descriptoin", "x-ext", "id", "<<", "? x"]
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_RAW_TEXT = st.text(max_size=20)  # may hold lone surrogates, as an editor's buffer can


@st.composite
def nested_yaml(draw: st.DrawFn) -> str:
    """A flow or block collection nested around the YAML bound (64 levels) or far past it."""
    levels = draw(st.sampled_from([2, 63, 64, 65, 200, 3_000]))
    kind = draw(st.sampled_from(["flow-seq", "flow-map", "unclosed", "block-seq"]))
    if kind == "flow-seq":
        return "[" * levels + "]" * levels
    if kind == "flow-map":
        return "{a: " * levels + "}" * levels
    if kind == "unclosed":
        return "[" * levels
    return "\n" + "- " * levels + "x"


@st.composite
def alias_chain(draw: st.DrawFn) -> str:
    levels = draw(st.integers(1, 9))
    width = draw(st.integers(1, 9))
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines)


yaml_value = st.one_of(st.sampled_from(_TRICKY_SCALARS), _TEXT, _RAW_TEXT, nested_yaml(),
                       st.lists(_TEXT, max_size=4).map(lambda xs: "\n" + "".join(f"  - {x}\n" for x in xs)),
                       st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_TRICKY_SCALARS), max_size=4)
                       .map(lambda d: "\n" + "".join(f"  {k}: {v}\n" for k, v in d.items())))
frontmatter_line = st.one_of(
    st.tuples(st.one_of(st.sampled_from(_KEYS), _TEXT), yaml_value).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    alias_chain(), st.sampled_from(["%YAML 1.1", "? [a, b]\n: c", "<<: *x", "- item", "  indented: x", "\t"]),
    _RAW_TEXT,
)
link_target = st.one_of(
    st.sampled_from(["references/a.md", "scripts/run.sh", "missing.md", "../up.md", "/abs", "C:\\x.md", "a\\b.md",
                     "#anchor", "https://x.y", "${CLAUDE_SKILL_DIR}/scripts/run.sh", "a\x00b", "<x y.md>"]),
    st.integers(200, 400).map(lambda n: "a" * n),
    st.integers(10, 30).map(lambda n: "/".join(["d" * 200] * n)),
    _TEXT,
)
body_block = st.one_of(
    _RAW_TEXT,
    st.sampled_from(["# Heading", "```", "```yaml", "~~~", "---", "$ARGUMENTS $1 $undeclared ${CLAUDE_NOPE}",
                     "## Triggers\n<!-- autoskill:triggers -->\n- \"x", "## Examples\n<!-- autoskill:examples -->"]),
    link_target.map(lambda t: f"See [x]({t})."),
    link_target.map(lambda t: f"Run `scripts/{t}`."),
    alias_chain().map(lambda a: "## Examples\n<!-- autoskill:examples -->\n```yaml\n" + a + "\n```"),
    st.integers(1, 20_000).map(lambda n: "[" * n + "](x)"),
    st.integers(1, 600).map(lambda n: "line\n" * n),
)


@st.composite
def skill_md_text(draw: st.DrawFn) -> str:
    """A SKILL.md text: frontmatter delimiters right or wrong, hostile keys and values, a hostile body."""
    opening = draw(st.sampled_from(["---", "---  ", "\ufeff---", "--- x", ""]))
    closing = draw(st.sampled_from(["---", "--- ", "...", "----", ""]))
    lines = draw(st.lists(frontmatter_line, max_size=8))
    if draw(st.booleans()):
        lines = [f"name: {draw(_TEXT)}", f"description: {draw(_TEXT)}"] + lines
    if draw(st.integers(0, 30)) == 0:
        lines += [f"k{i}: v" for i in range(draw(st.sampled_from([MAX_KEYS - 1, MAX_KEYS + 1, 20_000])))]
    body = "\n\n".join(draw(st.lists(body_block, max_size=6)))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = "\n".join([opening, *lines, closing, body])
    return text.replace("\n", newline)


# -- transcripts ----------------------------------------------------------------------------------

_RECORD_KEYS = sorted({"type", "role", "content", "message", "text", "parts", "uuid", "parentUuid", "sessionId",
                       "timestamp", "payload", "record_type", "id", "call_id", "name", "arguments", "output",
                       "summary", "messages", "conversations", "mapping", "requests", "kind", "v", "data",
                       "projectHash", "tool_calls", "isSidechain", "cwd", "say", "ask", "ts", "model", "history",
                       "tabs", "bubbles", "$set", "$rewindTo", "leafUuid", "input", "toolUseResult"})
_RECORD_TYPES = sorted(CLAUDE_TYPES | CODEX_TYPES | CODEX_ITEMS | GEMINI_TYPES
                       | {"session.start", "user.message", "assistant.message", "tool.execution_start", "text",
                          "tool_use", "tool_result", "function_call", "say", "ask"})
_USER_WORDS = st.sampled_from([
    "always run the tests before committing", "from now on use pytest fixtures", "never push to main",
    "in this repo keep functions short", "now cut it by 10%", "first lint, then format, then commit",
    "no, use tabs instead", "what is the capital of France?", "thanks", "<user_query>fix it</user_query>",
])
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                      _TEXT, _USER_WORDS, st.sampled_from(_RECORD_TYPES),
                      st.sampled_from(["user", "assistant", "system", "tool", "model", "gemini"]),
                      st.sampled_from(["2024-01-01T00:00:00Z", "1700000000000", "2024-13-45T99:99:99Z", ""]))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.sampled_from(_RECORD_KEYS), _TEXT), inner, max_size=5),
    max_leaves=20,
)
record = st.dictionaries(st.sampled_from(_RECORD_KEYS), json_value, max_size=8)


@st.composite
def transcript_text(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, content): JSON lines, one JSON document, or an Aider chat log, with hostile records."""
    shape = draw(st.sampled_from(["jsonl", "json", "aider"]))
    if shape == "aider":
        lines = ["# aider chat started at 2024-01-01 00:00:00"]
        lines += draw(st.lists(st.one_of(_USER_WORDS.map(lambda w: f"#### {w}"), _RAW_TEXT,
                                         st.sampled_from(["> tool output", "```", "#### ", "> Applied edit"])),
                               max_size=12))
        return ".aider.chat.history.md", "\n".join(lines).encode("utf-8", "surrogatepass")
    records = draw(st.lists(record, min_size=1, max_size=8))
    if shape == "json":
        doc: Any = draw(st.sampled_from(["list", "messages", "history", "requests", "mapping"]))
        doc = records if doc == "list" else {doc: records}
        return "session.json", _dumps(doc).encode("utf-8", "surrogatepass")
    name = draw(st.sampled_from(["session.jsonl", "events.jsonl", "rollout.jsonl"]))
    lines = [_dumps(r) for r in records]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))),
                     draw(st.sampled_from(["not json", "{", "[1]", "[" * 2_000, '{"a": ' * 600 + "1" + "}" * 600])))
    return name, "\n".join(lines).encode("utf-8", "surrogatepass")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)
