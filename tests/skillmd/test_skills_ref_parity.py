"""Differential test against skills-ref 0.1.1, the validator the spec points authors to.

Our ``spec`` profile must reach the same verdict (any error = invalid) and report
the same error classes as ``skills_ref.validate`` on every spec rule. The places
where we deliberately differ are listed in ``EXPECTED_DIVERGENCES`` with a reason;
a case marked there must really diverge, so the list cannot go stale either.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import skills_ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoskill_mcp.skillmd import has_errors, parse, spec_error_class, validate_dir
from autoskill_mcp.skillmd.yamltext import double_quoted

PARSE_STAGE = {"frontmatter.start", "frontmatter.unclosed", "yaml", "frontmatter.not-mapping", "file.missing"}

# Why we knowingly disagree with skills-ref. Keys are case ids below.
EXPECTED_DIVERGENCES: dict[str, str] = {
    "int-name": "strictyaml reads every scalar as a string, so `name: 123` passes there; PyYAML and the "
    "clients' YAML 1.1/1.2 loaders read a number, which is not a string name (SKL013).",
    "bool-description": "`description: yes` is the string 'yes' in strictyaml but a boolean for PyYAML, "
    "Claude Code and Codex (SKL022).",
    "date-description": "`description: 2024-01-01` is a date outside strictyaml (SKL022).",
    "yes-name": "`name: yes` is a boolean outside strictyaml (SKL013).",
    "empty-compatibility": "The spec says compatibility is 1-500 characters; skills-ref only checks the maximum "
                           "(SKL031).",
    "null-compatibility": "`compatibility:` with no value is null, not a string (SKL030); strictyaml reads ''.",
    "metadata-string": "The spec defines metadata as a string->string map; skills-ref does not check it (SKL040).",
    "metadata-null": "`metadata:` with no value is not a map (SKL040); strictyaml reads '' and skips the check.",
    "four-dash-open": "skills-ref only checks startswith('---') and then splits on the substring, so `----` opens a "
    "frontmatter; we need a line that is exactly `---` (SKL001).",
    "dash-suffix-close": "skills-ref splits on any `---` substring, so `---x` closes the frontmatter; we need a "
    "delimiter line (SKL002).",
    "invalid-utf8": "skills-ref raises UnicodeDecodeError instead of reporting; we report SKL009.",
}
# Cases where the verdicts agree but the *content* differs (skills-ref reads something else).
CONTENT_QUIRKS = {
    "dashes-in-desc": "skills-ref truncates the description at the first `---` substring ('Use a'); we keep it whole.",
}
# Agreements that are decisions, not accidents (kept here so a change is noticed).
DELIBERATE_AGREEMENTS = {
    "bom-skill": "A BOM is an error in `spec` (SKL008, class frontmatter.start) because skills-ref and "
    "quick_validate.py both fail on it; the parser itself tolerates it.",
    "flow-yaml": "Flow style is an error in `spec` (SKL006) because strictyaml rejects it.",
    "dup-keys": "Duplicate keys are an error (SKL005) as in strictyaml, although PyYAML keeps the last.",
}


@dataclass
class Case:
    id: str
    content: bytes | str | None  # None: no SKILL.md
    dir: str | None = None  # defaults to the case id
    file: str = "SKILL.md"


def fm(*lines: str, body: str = "Body text.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


def named(name: str, *extra: str, desc: str = "Does things. Use when asked.") -> str:
    return fm(f"name: {name}", f"description: {desc}", *extra)


CASES = [
    # agentskills_ecosystem.md §2.4 (the 26 sample folders)
    Case("pdf-tools", fm("name: pdf-tools", "description: Extracts PDF text. Use when PDFs are mentioned.",
                         "license: Apache-2.0", "compatibility: Requires poppler", "metadata:", "  author: me",
                         '  version: "1.0"', "allowed-tools: Bash(git:*) Read")),
    Case("crlf-skill", named("crlf-skill").replace("\n", "\r\n").encode()),
    Case("lowercase-file", named("lowercase-file"), file="skill.md"),
    Case("données", named("données")),
    Case("int-name", named("123"), dir="123"),
    Case("bool-description", named("bool-description", desc="yes")),
    Case("list-tools",
         named("list-tools", "allowed-tools:", "  - Bash", "  - Read", "metadata:", "  nested:", "    a: 1")),
    Case("dashes-in-desc", named("dashes-in-desc", desc="Use a --- separator in text")),
    Case("bom-skill", ("\ufeff" + named("bom-skill")).encode()),
    Case("colon-desc", named("colon-desc", desc="Use this when: the user asks")),
    Case("flow-yaml", named("flow-yaml", "metadata: {author: me}")),
    Case("dup-keys", named("dup-keys", "description: again")),
    Case("extra-fields", named("extra-fields", "version: 1.0", "when_to_use: always")),
    Case("Bad-Case", named("Bad-Case")),
    Case("-double--hyphen-", named("-double--hyphen-")),
    Case("underscore_name", named("underscore_name")),
    Case("long-name", named("long-name-" + "a" * 60), dir="long-name-" + "a" * 60),
    Case("long-description", named("long-description", desc="d" * 1025)),
    Case("long-compat", named("long-compat", "compatibility: " + "c" * 501)),
    Case("dir-mismatch", named("other-name")),
    Case("empty-name", named('""'), dir="empty-name"),
    Case("empty-frontmatter", "---\n---\nBody.\n"),
    Case("no-frontmatter", "# Just markdown\n"),
    Case("unclosed", "---\nname: unclosed\ndescription: x\n"),
    Case("missing-file", None),
    Case("exact-1024", named("exact-1024", desc="e" * 1024)),
    # skillmd_lsp.md §1.8 and the validate_metadata probes
    Case("angle-brackets", named("angle-brackets", desc="Handles <xml> tags")),
    Case("claude-name", named("claude-name")),
    Case("claude-code-keys", named("claude-code-keys", "disable-model-invocation: true", 'argument-hint: "[file]"')),
    Case("empty-description", named("empty-description", desc="''")),
    Case("folded-description", fm("name: folded-description", "description: >-", "  Folded text", "  over lines.")),
    Case("numeric-metadata", named("numeric-metadata", "metadata:", "  version: 1.10", "  count: 3")),
    Case("compat-list", named("compat-list", "compatibility:", "  - git")),
    Case("技能", named("技能")),
    Case("НАВЫК", named("НАВЫК")),
    Case("fullwidth", named("ｐｄｆ"), dir="pdf"),
    Case("my skill", named('"my skill"')),
    Case("license-dict", named("license-dict", "license:", "  name: MIT")),
    Case("wrong-keys", fm("Name: A--", "foo: 1")),
    Case("anchors", fm("name: &n anchors", "description: *n")),
    Case("tabs", "---\nname: tabs\ndescription:\tx\n---\n"),
    Case("nul-in-body", named("nul-in-body").replace("Body text.", "Body \x00 text.")),
    Case("trailing-space-delims", "---  \nname: trailing-space-delims\ndescription: x y z\n--- \nBody\n"),
    # our deliberate divergences
    Case("date-description", named("date-description", desc="2024-01-01")),
    Case("yes-name", named("yes"), dir="yes"),
    Case("empty-compatibility", named("empty-compatibility", 'compatibility: ""')),
    Case("null-compatibility", named("null-compatibility", "compatibility:")),
    Case("metadata-string", named("metadata-string", "metadata: text")),
    Case("metadata-null", named("metadata-null", "metadata:")),
    Case("four-dash-open", "----\nname: four-dash-open\ndescription: x\n---\nBody\n"),
    Case("dash-suffix-close", "---\nname: dash-suffix-close\ndescription: x\n---x\nBody\n"),
    Case("invalid-utf8", named("invalid-utf8").encode() + b"\xff\xfe body"),
]


def build(case: Case, root: Path) -> Path:
    folder = root / (case.dir or case.id)
    folder.mkdir(parents=True)
    if case.content is not None:
        data = case.content.encode() if isinstance(case.content, str) else case.content
        (folder / case.file).write_bytes(data)
    return folder


def oracle(folder: Path) -> list[str] | None:
    """skills-ref's messages, or None when it crashes instead of answering."""
    try:
        return skills_ref.validate(folder)
    except UnicodeDecodeError:
        return None


def compare(folder: Path) -> str | None:
    """None when we agree with skills-ref on verdict and error classes, else the difference."""
    theirs = oracle(folder)
    ours = validate_dir(folder, profile="spec")
    if theirs is None:
        return f"skills-ref crashed; ours: {[d.rule_id for d in ours]}"
    their_classes = {spec_error_class(m) for m in theirs}
    our_classes = {d.spec_class for d in ours if d.is_error and d.spec_class}
    if bool(theirs) != has_errors(ours):
        return f"verdict: skills-ref {theirs} vs ours {[(d.rule_id, d.message) for d in ours if d.is_error]}"
    if their_classes & PARSE_STAGE:
        # skills-ref stops at the first parse problem; we may report more.
        if not their_classes <= our_classes:
            return f"classes: skills-ref {their_classes} not within ours {our_classes}"
    elif their_classes != our_classes:
        return f"classes: skills-ref {their_classes} vs ours {our_classes}"
    return None


def test_case_list_covers_the_26_research_samples() -> None:
    assert len(CASES) >= 26 + 15
    assert len({c.id for c in CASES}) == len(CASES)
    assert set(EXPECTED_DIVERGENCES) <= {c.id for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_spec_profile_agrees_with_skills_ref(case: Case, tmp_path: Path) -> None:
    folder = build(case, tmp_path)
    difference = compare(folder)
    if case.id in EXPECTED_DIVERGENCES:
        assert difference is not None, f"{case.id} no longer diverges: remove it from EXPECTED_DIVERGENCES"
    else:
        assert difference is None, difference


def test_dashes_in_description_content_quirk(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "dashes-in-desc")
    folder = build(case, tmp_path)
    assert skills_ref.read_properties(folder).description == "Use a"
    assert parse((folder / "SKILL.md").read_text()).data["description"] == "Use a --- separator in text"
    assert "dashes-in-desc" in CONTENT_QUIRKS


def test_error_classes_of_named_cases(tmp_path: Path) -> None:
    expected = {
        "Bad-Case": {"name.case"},
        "-double--hyphen-": {"name.hyphen-edge", "name.hyphen-double"},
        "underscore_name": {"name.chars"},
        "long-name": {"name.length"},
        "long-description": {"description.length"},
        "long-compat": {"compatibility.length"},
        "dir-mismatch": {"name.dir"},
        "empty-name": {"name.empty"},
        "extra-fields": {"fields.unexpected"},
        "wrong-keys": {"fields.unexpected", "name.missing", "description.missing"},
        "compat-list": {"compatibility.type"},
        "НАВЫК": {"name.case"},
        "my skill": {"name.chars"},
    }
    for case in CASES:
        if case.id in expected:
            folder = build(case, tmp_path / "c")
            ours = {d.spec_class for d in validate_dir(folder, profile="spec") if d.is_error and d.spec_class}
            theirs = {spec_error_class(m) for m in skills_ref.validate(folder)}
            assert ours == theirs == expected[case.id], case.id
            shutil.rmtree(tmp_path / "c")


# -- generated frontmatter ---------------------------------------------------------------

_SLUG = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
_NAME = st.one_of(
    _SLUG,
    _SLUG,
    _SLUG,
    st.sampled_from(["Bad-Case", "-lead", "trail-", "a--b", "under_score", "my skill", "données", "技能", "НАВЫК",
                     "ｐｄｆ", "x" * 65, "  padded  ", "", "   ", "claude-x", "İ", "ǅa"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)
_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40),
    st.integers(0, 1100).map(lambda n: "d" * n),
    st.sampled_from(["", "   ", "Use when: asked", "a---b", "<xml>", "yes", "1.10"]),
)
_EXTRA_KEYS = st.sampled_from(["version", "when_to_use", "foo", "Name", "allowed_tools", "tags"])


@st.composite
def frontmatters(draw: st.DrawFn) -> tuple[dict, str]:
    d: dict = {"name": draw(_NAME)}
    if draw(st.integers(0, 9)) > 0:
        d["description"] = draw(_TEXT)
    if draw(st.booleans()):
        d["compatibility"] = draw(st.one_of(st.text(max_size=30), st.integers(495, 505).map(lambda n: "c" * n)))
    if draw(st.booleans()):
        d["license"] = draw(_TEXT)
    if draw(st.booleans()):
        d["allowed-tools"] = draw(_TEXT)
    if draw(st.booleans()):
        d["metadata"] = draw(
            st.dictionaries(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), _TEXT, min_size=1, max_size=3)
        )
    if draw(st.integers(0, 3)) == 0:
        for key in draw(st.lists(_EXTRA_KEYS, min_size=1, max_size=2, unique=True)):
            d[key] = draw(_TEXT)
    if draw(st.integers(0, 7)) == 0:
        d.pop("name")
    dir_name = draw(st.sampled_from([None, None, None, "some-dir", "pdf"]))
    return d, dir_name or ""


def _yaml(d: dict) -> str:
    lines = []
    for key, value in d.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {double_quoted(v)}" for k, v in value.items())
        else:
            lines.append(f"{key}: {double_quoted(value)}")
    return "---\n" + "\n".join(lines) + "\n---\nBody.\n"


def _fs_safe(name: str) -> bool:
    return (
        bool(name) and name not in (".", "..") and "/" not in name and "\x00" not in name and len(name.encode()) < 200
    )


@settings(
    max_examples=int(__import__("os").environ.get("PARITY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(frontmatters())
def test_generated_frontmatter_agrees_with_skills_ref(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[dict, str]
) -> None:
    d, dir_name = case
    name = d.get("name")
    if not dir_name:
        dir_name = name.strip() if isinstance(name, str) and _fs_safe(name.strip()) else "some-dir"
    root = tmp_path_factory.mktemp("gen")
    folder = root / dir_name
    folder.mkdir()
    (folder / "SKILL.md").write_text(_yaml(d), encoding="utf-8")
    compat = d.get("compatibility")
    if isinstance(compat, str) and not compat.strip():
        return  # EXPECTED_DIVERGENCES["empty-compatibility"]
    difference = compare(folder)
    assert difference is None, (d, dir_name, difference)
