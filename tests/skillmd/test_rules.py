"""Every rule fires on a minimal bad example, stays quiet on a good one, and its fixes work."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoskill_mcp.skillmd import RULES, Severity, detect_profile, duplicate_names, parse, validate, validate_dir
from autoskill_mcp.skillmd.rules import rules_markdown

REPO = Path(__file__).resolve().parents[2]
DESC = "Extracts text from PDF files. Use when the user mentions PDFs."


def skill_md(fm: str = "", body: str = "Run the steps.\n", name: str = "pdf-tools", desc: str | None = DESC) -> str:
    lines = ["---"]
    if name is not None:
        lines.append(f"name: {name}")
    if desc is not None:
        lines.append(f"description: {desc}")
    if fm:
        lines.append(fm.rstrip("\n"))
    lines.append("---")
    return "\n".join(lines) + "\n\n" + body


GOOD = skill_md()


@dataclass
class Case:
    rule: str
    bad: str | bytes
    good: str | bytes = GOOD
    profile: str | None = "spec"
    folder: str = "pdf-tools"
    file: str = "SKILL.md"
    files: dict[str, str] = field(default_factory=dict)  # written for both bad and good
    good_files: dict[str, str] = field(default_factory=dict)  # extra files that make it good
    use_dir: bool = False
    sparse: dict[str, int] = field(default_factory=dict)


LONG_MD = "# Long\n" + "text\n" * 150
CASES = [
    Case("SKL001", "Just text.\n"),
    Case("SKL002", "---\nname: pdf-tools\ndescription: x\n"),
    Case("SKL003", skill_md(desc="Use this skill when: the user asks")),
    Case("SKL004", "---\n- a\n- b\n---\nbody\n"),
    Case("SKL005", skill_md("name: pdf-tools")),
    Case("SKL006", skill_md("metadata: {author: me}"), skill_md("metadata:\n  author: me")),
    Case("SKL007", GOOD, file="skill.md"),
    Case("SKL008", "\ufeff" + GOOD),
    Case("SKL009", GOOD.encode() + b"\xff\xfe"),
    Case("SKL010", skill_md("version: 1.0")),
    Case("SKL011", skill_md("disable-model-invocation: true"), profile="claude-code"),
    Case("SKL012", skill_md(name=None)),
    Case("SKL013", skill_md(name="123"), folder="123"),
    Case("SKL014", skill_md(name="a" * 65), folder="a" * 65),
    Case("SKL015", skill_md(name="Pdf-tools"), folder="Pdf-tools"),
    Case("SKL016", skill_md(name="-pdf-tools"), folder="-pdf-tools"),
    Case("SKL017", skill_md(name="pdf--tools"), folder="pdf--tools"),
    Case("SKL018", skill_md(name="pdf_tools"), folder="pdf_tools"),
    Case("SKL019", skill_md(name="other-name")),
    Case("SKL020", skill_md(name="claude-helper"), skill_md(name="helper"), folder="claude-helper"),
    Case("SKL021", skill_md(desc=None)),
    Case("SKL022", skill_md(desc="''")),
    Case("SKL023", skill_md(desc="Use when " + "x" * 1020)),
    Case("SKL024", skill_md(desc="Handles <xml> tags. Use when parsing.")),
    Case("SKL025", skill_md("when_to_use: " + "y" * 1500), skill_md("when_to_use: asked"), profile="claude-code"),
    Case("SKL026", skill_md(desc="I can help")),
    Case("SKL027", skill_md(name="données"), folder="données"),
    Case("SKL030", skill_md("compatibility:\n  - git")),
    Case("SKL031", skill_md("compatibility: " + "z" * 501), skill_md("compatibility: Requires git")),
    Case("SKL040", skill_md("metadata: just text")),
    Case("SKL041", skill_md("metadata:\n  v: 1.10"), skill_md('metadata:\n  v: "1.10"')),
    Case("SKL042", skill_md("metadata:\n  short-description: " + "s" * 501), profile="codex"),
    Case("SKL050", skill_md("allowed-tools:\n  - Read\n  - Grep"), skill_md("allowed-tools: Read Grep")),
    Case("SKL051", skill_md("license: Proprietary. LICENSE.txt has complete terms"), use_dir=True,
         good_files={"LICENSE.txt": "terms"}),
    Case("SKL052", skill_md("effort: extreme"), skill_md("effort: high"), profile="claude-code"),
    Case("SKL053", skill_md("agent: Explore"), skill_md("agent: Explore\ncontext: fork"), profile="claude-code"),
    Case("SKL054", skill_md("disable-model-invocation: true\nuser-invocable: false"),
         skill_md("disable-model-invocation: true"), profile="claude-code"),
    Case("SKL060", skill_md(body="")),
    Case("SKL061", skill_md(body="line\n" * 600)),
    Case("SKL043", skill_md("metadata:\n  skill_type: Operator"), skill_md("metadata:\n  skill_type: operator")),
    Case("SKL043", skill_md("skill_type: tool"), skill_md("skill_type: knowledge"), profile="evomaster"),
    Case("SKL044", skill_md("metadata:\n  skill_type: operator"), skill_md("metadata:\n  skill_type: operator"),
         use_dir=True, good_files={"scripts/run.py": "print(1)\n"}),
    Case("SKL062", skill_md(body=("word " * 80 + "\n") * 60)),
    Case("SKL063", skill_md(body="See [the guide](references/guide.md).\n"), use_dir=True,
         good_files={"references/guide.md": "# Guide\n"}),
    Case("SKL064", skill_md(body="See [other](../other/SKILL.md).\n")),
    Case("SKL065", skill_md(body="See [a](references/a.md).\n"),
         skill_md(body="See [a](references/a.md) and [b](references/b.md).\n"), use_dir=True,
         files={"references/b.md": "# B\n"}, good_files={"references/a.md": "# A\n"}),
    Case("SKL066", skill_md(body="Run `scripts\\run.py`.\n"), skill_md(body="Run `scripts/run.py`.\n")),
    Case("SKL067", skill_md(body="Read [long](references/long.md).\n"), use_dir=True,
         files={"references/long.md": LONG_MD}, good_files={"references/long.md": "## Contents\n" + LONG_MD}),
    Case("SKL068", skill_md(body="Dir: ${CLAUDE_SKIL_DIR}\n"), skill_md(body="Dir: ${CLAUDE_SKILL_DIR}\n"),
         profile="claude-code"),
    Case("SKL071", GOOD, profile="claude-upload", use_dir=True, sparse={"assets/big.bin": 31 * 1024 * 1024}),
    Case("SKL072", skill_md(name="synced"), skill_md(name="synced"), folder="synced"),
]
# SKL065 needs a.md to link on; add it to the bad setup only.
CASES[[c.rule for c in CASES].index("SKL065")].files["references/a.md"] = "# A\nSee [b](b.md).\n"


def run_case(case: Case, text: str | bytes, tmp_path: Path, good: bool) -> list:
    root = tmp_path / ("good" if good else "bad")
    if case.rule == "SKL072":
        root = root / ".claude" / "skills" if not good else root / "skills"
    folder = root / case.folder
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(case.files)
    if good:
        files.update(case.good_files)
    for rel, content in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(content, encoding="utf-8")
    if not good:
        for rel, size in case.sparse.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            with open(folder / rel, "wb") as fh:
                fh.truncate(size)
    file_name = case.file if not good else "SKILL.md"
    path = folder / file_name
    kwargs = {"skill_dir": folder} if case.use_dir or case.sparse else {}
    return validate(text, path=str(path), profile=case.profile, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule_fires_on_bad_example(case: Case, tmp_path: Path) -> None:
    diags = run_case(case, case.bad, tmp_path, good=False)
    assert case.rule in {d.rule_id for d in diags}, [(d.rule_id, d.message) for d in diags]


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule_quiet_on_good_example(case: Case, tmp_path: Path) -> None:
    diags = run_case(case, case.good, tmp_path, good=True)
    assert case.rule not in {d.rule_id for d in diags}, [(d.rule_id, d.message) for d in diags]


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_fixes_make_the_diagnostic_go_away(case: Case, tmp_path: Path) -> None:
    diags = [d for d in run_case(case, case.bad, tmp_path, good=False) if d.rule_id == case.rule]
    text = case.bad.decode("utf-8", "replace") if isinstance(case.bad, bytes) else case.bad
    for diag in diags:
        for fix in diag.fixes:
            if not fix.edits:
                assert fix.rename is not None
                continue
            fixed = fix.apply(text)
            after = run_case(case, fixed, tmp_path / "fixed", good=False)
            same = [d for d in after if d.rule_id == case.rule and d.range.start.line == diag.range.start.line]
            assert not same, (fix.title, fixed, [d.message for d in same])


def test_every_rule_has_a_case_or_a_dedicated_test() -> None:
    # SKL000: validate_dir; SKL070: duplicate_names; SKL073: the language server (tests/lsp/test_store.py)
    covered = {c.rule for c in CASES} | {"SKL000", "SKL070", "SKL073"}
    assert covered == set(RULES)


def test_rules_with_fixable_problems_offer_edits(tmp_path: Path) -> None:
    fixable = {"SKL001", "SKL002", "SKL003", "SKL005", "SKL006", "SKL008", "SKL010", "SKL012", "SKL013",
               "SKL015", "SKL016", "SKL017", "SKL018", "SKL019", "SKL021", "SKL027", "SKL041", "SKL050", "SKL066"}
    for case in CASES:
        if case.rule in fixable:
            diags = [d for d in run_case(case, case.bad, tmp_path / case.rule, False) if d.rule_id == case.rule]
            assert any(f.edits for d in diags for f in d.fixes), case.rule


def test_messages_name_the_fix_and_carry_doc_urls(tmp_path: Path) -> None:
    for case in CASES:
        for d in run_case(case, case.bad, tmp_path / case.rule, False):
            assert d.doc_url.endswith("#" + d.rule_id.lower())
            assert d.message and not re.search(r"\{[a-z_]+\}", d.message), d.message
            json.dumps(d.to_dict())


def test_validate_dir_reports_missing_skill_md_and_accepts_lowercase_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert [d.rule_id for d in validate_dir(empty)] == ["SKL000"]
    assert [d.rule_id for d in validate_dir(tmp_path / "nope")] == ["SKL000"]
    lower = tmp_path / "pdf-tools"
    lower.mkdir()
    (lower / "skill.md").write_text(GOOD, encoding="utf-8")
    assert [d.rule_id for d in validate_dir(lower)] == ["SKL007"]
    (lower / "skill.md").rename(lower / "SKILL.md")
    assert validate_dir(lower) == []


def test_did_you_mean_renames_a_misspelt_key() -> None:
    text = skill_md("licence: MIT\nallowed_tools: Read")
    diags = [d for d in validate(text, path="/s/pdf-tools/SKILL.md") if d.rule_id == "SKL010"]
    assert {d.data["suggestion"] for d in diags} == {"license", "allowed-tools"}
    for d in diags:
        assert d.fix is not None and "Rename" in d.fix.title
        assert "did you mean" in d.message
    move = [f for d in diags for f in d.fixes if f.title.startswith("Move")]
    assert move


def test_move_under_existing_metadata_keeps_yaml_valid() -> None:
    text = skill_md("owner: team\nmetadata:\n  author: me")
    [diag] = [d for d in validate(text, path="/s/pdf-tools/SKILL.md") if d.rule_id == "SKL010"]
    fixed = diag.fixes[-1].apply(text)
    assert 'metadata:\n  author: me\n  owner: "team"\n' in fixed
    assert validate(fixed, path="/s/pdf-tools/SKILL.md") == []


def test_dir_mismatch_offers_folder_rename_when_folder_known(tmp_path: Path) -> None:
    folder = tmp_path / "old-name"
    folder.mkdir()
    diags = validate(skill_md(name="new-name"), skill_dir=folder)
    [d] = [d for d in diags if d.rule_id == "SKL019"]
    assert d.fix is not None and d.fix.edits
    assert d.alt_fixes[0].rename == (str(folder), str(tmp_path / "new-name"))


def test_severity_depends_on_profile() -> None:
    text = skill_md("disable-model-invocation: true")
    spec = {d.rule_id: d.severity for d in validate(text, path="/s/pdf-tools/SKILL.md", profile="spec")}
    cc = {d.rule_id: d.severity for d in validate(text, path="/s/pdf-tools/SKILL.md", profile="claude-code")}
    up = {d.rule_id: d.severity for d in validate(text, path="/s/pdf-tools/SKILL.md", profile="claude-upload")}
    assert spec == {"SKL010": Severity.ERROR}
    assert cc == {"SKL011": Severity.INFORMATION}
    assert up == {"SKL011": Severity.ERROR}
    missing = skill_md(name=None)
    assert [d.severity for d in validate(missing, path="/s/pdf-tools/SKILL.md", profile="claude-code")] == [
        Severity.WARNING
    ]


def test_profile_is_detected_from_the_path() -> None:
    assert detect_profile("/home/u/.claude/skills/x/SKILL.md") == "claude-code"
    assert detect_profile("/repo/.codex/skills/x/SKILL.md") == "codex"
    assert detect_profile("/etc/codex/skills/x/SKILL.md") == "codex"
    assert detect_profile("/home/u/.codex/.agents/skills/x/SKILL.md") == "codex"
    assert detect_profile("/repo/.agents/skills/x/SKILL.md") == "spec"
    assert detect_profile("C:\\Users\\me\\.claude\\skills\\x\\SKILL.md") == "claude-code"
    assert detect_profile(None) == "spec"
    diags = validate(skill_md("when_to_use: asked"), path="/h/.claude/skills/pdf-tools/SKILL.md")
    assert [d.rule_id for d in diags] == ["SKL011"]


def test_codex_counts_description_after_collapsing_whitespace() -> None:
    desc = '"' + "word \\n " * 200 + ' Use when asked."'
    assert len(" ".join(("word \n " * 200).split())) < 1024 < len("word \n " * 200)
    codex = [d.rule_id for d in validate(skill_md(desc=desc), path="/s/pdf-tools/SKILL.md", profile="codex")]
    spec = [d.rule_id for d in validate(skill_md(desc=desc), path="/s/pdf-tools/SKILL.md", profile="spec")]
    assert "SKL023" not in codex and "SKL023" in spec


def test_dollar_arguments_must_be_declared_in_claude_code() -> None:
    text = skill_md("arguments: issue", body="Fix $issue then $other.\n\n```sh\necho $file\n```\n")
    diags = [d for d in validate(text, path="/s/pdf-tools/SKILL.md", profile="claude-code") if d.rule_id == "SKL068"]
    assert [d.message.split()[0] for d in diags] == ["$other"]


def test_references_inside_code_fences_are_ignored(tmp_path: Path) -> None:
    text = skill_md(body="```\n[x](references/missing.md)\n```\n")
    assert validate(text, skill_dir=tmp_path / "pdf-tools") == []


def test_docs_rules_md_is_up_to_date() -> None:
    doc = REPO / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == rules_markdown(), (
        "run: python -m autoskill_mcp.skillmd rules --markdown > docs/rules.md"
    )
    for rule in RULES.values():
        assert f"## {rule.id}\n" in rules_markdown()


def test_rules_module_cli_prints_markdown() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "autoskill_mcp.skillmd", "rules", "--markdown"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )
    assert out.stdout == rules_markdown() and out.stderr == ""


def test_duplicate_names_across_a_workspace() -> None:
    a, b, c = parse(skill_md()), parse(skill_md(name="PDF-tools")), parse(skill_md(name="other"))
    found = duplicate_names([("/u/pdf-tools/SKILL.md", a), ("/p/pdf-tools/SKILL.md", b), ("/o/other/SKILL.md", c)])
    assert found == {}  # "PDF-tools" is a different (invalid) name, not a duplicate
    b2 = parse(skill_md())
    found = duplicate_names([("/u/pdf-tools/SKILL.md", a), ("/p/pdf-tools/SKILL.md", b2), ("/o/other/SKILL.md", c)])
    assert set(found) == {"/u/pdf-tools/SKILL.md", "/p/pdf-tools/SKILL.md"}
    [d] = found["/u/pdf-tools/SKILL.md"]
    assert d.rule_id == "SKL070" and d.data["others"] == ["/p/pdf-tools/SKILL.md"]
    assert d.range == a.fields["name"].value_range


def test_validate_handles_a_ten_megabyte_file() -> None:
    body = "Run `scripts/x.py` and read [y](references/y.md); $foo `$bar` ${CLAUDE_NOPE}\n" * 140_000
    text = skill_md("arguments: x", body=body)
    assert len(text) > 10_000_000
    for profile in ("spec", "claude-code"):
        diags = validate(text, path="/s/pdf-tools/SKILL.md", profile=profile)
        assert {"SKL061", "SKL062"} <= {d.rule_id for d in diags}


_PIECES = st.sampled_from([
    "---\n", "name: Bad_Name\n", "name: pdf-tools\n", "description: Use when: x\n", "description: ok text\n",
    "metadata:\n", "  v: 1.10\n", "  k: {a: b}\n", "version: 1\n", "licence: MIT\n", "allowed-tools: [Read]\n",
    "effort: nope\n", "compatibility:\n", "\ufeff", "[x](../a.md) `scripts\\x.py`\n", "name: dup\n", "\n", "x: &a 1\n",
])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=12).map("".join), st.sampled_from(["spec", "claude-code", "codex", "claude-upload"]))
def test_validate_and_fixes_never_raise(text: str, profile: str) -> None:
    for diag in validate(text, path="/s/pdf-tools/SKILL.md", profile=profile):
        json.dumps(diag.to_dict())
        for fix in diag.fixes:
            fixed = fix.apply(text)
            validate(fixed, path="/s/pdf-tools/SKILL.md", profile=profile)


def test_the_uppercase_fix_is_a_name_every_name_rule_accepts() -> None:
    from autoskill_mcp.skillmd import apply_edits

    text = "---\nname: Bad_Name\ndescription: Does X. Use when doing X.\n---\nBody\n"
    (case,) = [d for d in validate(text, dir_name="bad-name") if d.rule_id == "SKL015"]
    assert "use 'bad-name'" in case.message and case.fix is not None
    fixed = apply_edits(text, case.fix.edits)
    assert "name: bad-name\n" in fixed
    assert not {"SKL015", "SKL018"} & {d.rule_id for d in validate(fixed, dir_name="bad-name")}
    (plain,) = [d for d in validate(text.replace("Bad_Name", "Bad-Name"), dir_name="bad-name")
                if d.rule_id == "SKL015"]
    assert plain.fix is not None and plain.fix.title == "Lowercase the name to 'bad-name'"
