"""Hypothesis strategies shared by the round-trip and parity tests."""

from __future__ import annotations

from hypothesis import strategies as st

from autoskill_mcp.skill import Provenance, Skill, SkillExample, SkillStatus
from autoskill_mcp.skillmd.profiles import CLAUDE_CODE_KEYS
from autoskill_mcp.skillmd.render import RESERVED_METADATA_KEYS

# Text with the characters that break naive writers: YAML indicators, delimiters,
# backticks, quotes, unicode; no surrogates and no CR (CRLF-free newlines).
_NASTY = st.sampled_from(["---", ": ", " #", "`", "```", '"', "'", "\\", "- ", "{", "[", "\n", "é", "技能", "\u2028",
                          "\t", "yes", "1.10", "~"])
_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r")
nasty_text = st.lists(st.one_of(st.text(_CHARS, max_size=8), _NASTY), max_size=8).map("".join)
# Scalar fields are stripped on import, so generate them stripped and non-empty.
stripped_text = nasty_text.map(str.strip).filter(bool)
simple_word = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=10)
tag_text = (
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r,"), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
meta_key = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True).filter(
    lambda k: k not in RESERVED_METADATA_KEYS and not k.startswith("x-")
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(_CHARS, max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(_CHARS, min_size=1, max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
ext_key = st.one_of(st.sampled_from(CLAUDE_CODE_KEYS), st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True))
instructions_text = nasty_text.filter(lambda s: "autoskill:" not in s)

examples = st.builds(
    SkillExample,
    input=stripped_text,
    output=st.none() | nasty_text,
    notes=st.none() | nasty_text,
)
provenance = st.builds(
    Provenance,
    source=st.sampled_from(["transcript", "import", "manual"]),
    session_id=st.none() | simple_word,
    agent=st.none() | simple_word,
    quotes=st.lists(nasty_text, max_size=2),
    at=st.none() | st.just("2025-01-01T00:00:00+00:00"),
)


@st.composite
def skills(draw: st.DrawFn) -> Skill:
    """A Skill with every content field drawn from hostile text."""
    return Skill(
        name=draw(stripped_text),
        description=draw(stripped_text),
        instructions=draw(instructions_text),
        id=draw(stripped_text),
        version=draw(st.one_of(st.just("0.1.0"), st.just("1.10"), stripped_text)),
        status=draw(st.sampled_from(list(SkillStatus))),
        tags=draw(st.lists(tag_text, max_size=3, unique=True)),
        triggers=draw(st.lists(nasty_text, max_size=3)),
        examples=draw(st.lists(examples, max_size=2)),
        license=draw(st.none() | stripped_text),
        compatibility=draw(st.none() | stripped_text),
        allowed_tools=draw(st.none() | stripped_text.filter(lambda s: "," not in s)),
        metadata=draw(st.dictionaries(meta_key, nasty_text, max_size=3)),
        extensions=draw(st.dictionaries(ext_key, json_value, max_size=3)),
        provenance=draw(st.lists(provenance, max_size=2)),
    )
