"""The rule catalogue: one entry per check, with per-profile severities and documentation.

``python -m autoskill_mcp.skillmd rules --markdown > docs/rules.md`` regenerates the
rule reference, so the docs and the checks cannot drift apart (a test compares them).
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .profiles import CLAUDE_CODE, CLAUDE_UPLOAD, CODEX, EVOMASTER, PROFILES, SPEC
from .yamlbounds import MAX_DEPTH, MAX_EXPANDED_NODES, MAX_KEYS, MAX_YAML_CHARS

DOC_BASE = "https://github.com/autoskill-mcp/autoskill-mcp/blob/main/docs/rules.md"


class Severity(str, enum.Enum):
    """LSP diagnostic severities; ``lsp`` is the protocol's number."""

    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"

    @property
    def lsp(self) -> int:
        return {"error": 1, "warning": 2, "information": 3, "hint": 4}[self.value]


E, W, N, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT  # N: iNformation (`I` reads as `l`)


@dataclass(frozen=True)
class Rule:
    """One check. ``profiles`` None means every profile; ``overrides`` change the severity per profile."""

    id: str
    severity: Severity
    title: str
    message: str
    why: str
    fix: str
    profiles: frozenset[str] | None = None
    overrides: Mapping[str, Severity] = field(default_factory=dict)
    # The error class skills-ref reports for the same problem (None: skills-ref does not check it).
    spec_class: str | None = None
    needs_dir: bool = False

    @property
    def doc_url(self) -> str:
        return f"{DOC_BASE}#{self.id.lower()}"

    def severity_for(self, profile: str) -> Severity | None:
        """The severity in ``profile``, or None when the rule is off there."""
        if self.profiles is not None and profile not in self.profiles:
            return None
        return self.overrides.get(profile, self.severity)

    def format(self, **values: Any) -> str:
        return self.message.format(**values)


def _r(
    id: str,
    severity: Severity,
    title: str,
    message: str,
    why: str,
    fix: str,
    *,
    profiles: tuple[str, ...] | None = None,
    overrides: Mapping[str, Severity] | None = None,
    spec_class: str | None = None,
    needs_dir: bool = False,
) -> Rule:
    return Rule(
        id,
        severity,
        title,
        message,
        why,
        fix,
        frozenset(profiles) if profiles else None,
        dict(overrides or {}),
        spec_class,
        needs_dir,
    )


_CATALOGUE: list[Rule] = [
    _r("SKL000", E, "SKILL.md missing",
       "Missing required file: SKILL.md ({problem}): create SKILL.md in the skill folder",
       "A skill is a folder whose only required file is SKILL.md.",
       "Create SKILL.md with a frontmatter and instructions.",
       spec_class="file.missing", needs_dir=True),
    # -- the file and its frontmatter block ---------------------------------------------
    _r("SKL001", E, "No frontmatter",
       "SKILL.md must start with YAML frontmatter (---): add a `---` line, `name:` and `description:`, then a closing "
       "`---`",
       "Clients read the name and description from the frontmatter; without it the skill is never listed.",
       "Insert a frontmatter skeleton with the folder name and a description placeholder.",
       spec_class="frontmatter.start"),
    _r("SKL002", E, "Frontmatter not closed",
       "SKILL.md frontmatter not properly closed with ---: add a line containing only `---` after the last key",
       "Without the closing line the whole file is read as YAML and fails.",
       "Insert a `---` line after the last frontmatter-looking line.",
       spec_class="frontmatter.unclosed"),
    _r("SKL003", E, "Invalid YAML",
       "Invalid YAML in frontmatter: {error}{hint}",
       "Clients skip skills whose frontmatter does not parse. The most common cause is an unquoted value "
       "containing `: `. "
       f"Frontmatter over the parser's bounds ({MAX_YAML_CHARS // 1024} KB, {MAX_DEPTH} levels of nesting, "
       f"{MAX_KEYS} keys, {MAX_EXPANDED_NODES:,} values once aliases are expanded) is reported here instead of read, "
       "so a hostile file costs milliseconds.",
       "For `key: text: more`, quote the value (the quick fix writes a double-quoted scalar).",
       spec_class="yaml"),
    _r("SKL004", E, "Frontmatter is not a mapping",
       "SKILL.md frontmatter must be a YAML mapping of `key: value` lines; found {found}",
       "Every client expects keys such as `name` and `description` at the top level.",
       "Rewrite the frontmatter as `name: ...` and `description: ...` lines.",
       spec_class="frontmatter.not-mapping"),
    _r("SKL005", E, "Duplicate key",
       "Duplicate key '{key}' (first at line {line}): PyYAML keeps the last one and strictyaml rejects the file; "
       "remove one",
       "Loaders disagree on which value wins, and skills-ref rejects the file.",
       "Delete the repeated key.",
       spec_class="yaml"),
    _r("SKL006", W, "YAML construct strictyaml rejects",
       "{what} is not accepted by strictyaml (skills-ref): {remedy}",
       "skills-ref, the spec's reference validator, parses with strictyaml, which rejects flow collections, anchors, "
       "aliases and tags.",
       "Write block style (`key:` then indented lines or `- item` lines) and repeat values instead of aliasing them.",
       overrides={SPEC: E, CLAUDE_UPLOAD: E}, spec_class="yaml"),
    _r("SKL007", W, "File name is not exactly SKILL.md",
       "Name the file exactly `SKILL.md` (found `{found}`): clients look for that exact name",
       "Discovery is case-sensitive on Linux; Claude Code and Codex only load `SKILL.md`.",
       "Rename the file to `SKILL.md`."),
    _r("SKL008", E, "UTF-8 byte order mark",
       "The file starts with a UTF-8 byte order mark, so `---` is not the first thing in it: remove the BOM",
       "skills-ref and quick_validate.py both check `startswith('---')` and then see no frontmatter.",
       "Delete the BOM character at the start of the file.",
       spec_class="frontmatter.start"),
    _r("SKL009", E, "Not valid UTF-8",
       "SKILL.md is {problem}: save it as UTF-8",
       "The spec's tools read SKILL.md as UTF-8; skills-ref raises on undecodable bytes.",
       "Re-save the file with UTF-8 encoding.",
       spec_class="encoding"),
    # -- top-level keys ----------------------------------------------------------------
    _r("SKL010", E, "Unknown frontmatter key",
       "Unexpected field '{key}' in frontmatter{context}: {remedy}",
       "skills-ref and claude.ai uploads reject keys outside name, description, license, compatibility, metadata and "
       "allowed-tools.",
       "Did-you-mean rename for a near miss (edit distance <= 2), or move the key under `metadata:` as a string.",
       overrides={CLAUDE_CODE: W, CODEX: W}, spec_class="fields.unexpected"),
    _r("SKL011", N, "Claude Code extension key",
       "'{key}' is a Claude Code extension: other clients ignore it{upload}",
       "The skill behaves differently outside Claude Code, and uploads to claude.ai fail on it.",
       "Keep it for Claude Code only, or drop it for a portable skill.",
       profiles=(CLAUDE_CODE, CLAUDE_UPLOAD), overrides={CLAUDE_UPLOAD: E}, spec_class="fields.unexpected"),
    # -- name --------------------------------------------------------------------------
    _r("SKL012", E, "Missing name",
       "Missing required field in frontmatter: name{remedy}",
       "The name identifies the skill and must match its folder.",
       "Insert `name:` with the folder name.",
       overrides={CLAUDE_CODE: W}, spec_class="name.missing"),
    _r("SKL013", E, "Name is not a non-empty string",
       "Field 'name' must be a non-empty string{found}",
       "YAML turns unquoted `123` or `yes` into a number or boolean; clients expect a string.",
       "Quote the value, or write the folder name.",
       spec_class="name.empty"),
    _r("SKL014", E, "Name too long",
       "Skill name '{name}' exceeds 64 character limit ({count} chars): shorten it",
       "The spec limits names to 64 characters.",
       "Shorten the name (and rename the folder to match).",
       spec_class="name.length"),
    _r("SKL015", E, "Name has uppercase letters",
       "Skill name '{name}' must be lowercase: use '{lower}'",
       "Names are lowercase so that they match folder names on every file system.",
       "Lowercase the name (its slug, when lowercasing alone leaves other invalid characters).",
       spec_class="name.case"),
    _r("SKL016", E, "Name starts or ends with a hyphen",
       "Skill name cannot start or end with a hyphen: use '{suggestion}'",
       "The spec forbids leading and trailing hyphens.",
       "Strip the hyphens.",
       spec_class="name.hyphen-edge"),
    _r("SKL017", E, "Name has consecutive hyphens",
       "Skill name cannot contain consecutive hyphens: use '{suggestion}'",
       "The spec forbids `--` in names.",
       "Collapse the hyphens.",
       spec_class="name.hyphen-double"),
    _r("SKL018", E, "Name has invalid characters",
       "Skill name '{name}' contains invalid characters ({chars}). Only letters, digits, and hyphens are allowed: use "
       "'{suggestion}'",
       "Names are lowercase letters, digits and hyphens; spaces and underscores break folder matching and slash "
       "commands.",
       "Replace the name with its slug.",
       spec_class="name.chars"),
    _r("SKL019", E, "Name does not match the folder",
       "Directory name '{dir}' must match skill name '{name}': set the name to '{dir}' or rename the folder",
       "The spec requires the name to equal the parent folder; Claude Code takes the command name from the folder.",
       "Set `name` to the folder name, or rename the folder (a workspace rename).",
       overrides={CLAUDE_CODE: W}, spec_class="name.dir"),
    _r("SKL020", W, "Name uses a reserved word",
       "Skill name '{name}' contains the reserved word '{word}': the Claude API rejects it, so choose another name",
       "platform.claude.com rejects names containing 'anthropic' or 'claude'.",
       "Rename the skill.",
       overrides={CLAUDE_UPLOAD: E}),
    _r("SKL027", W, "Name uses non-ASCII letters",
       "Skill name '{name}' uses characters outside a-z, 0-9 and '-': skills-ref accepts them but Codex and the Claude "
       "API do not; use '{suggestion}'",
       "The spec text says a-z and 0-9; only skills-ref's isalnum check accepts other scripts.",
       "Transliterate the name, or keep it for clients that accept Unicode names.",
       overrides={CODEX: E, CLAUDE_UPLOAD: E}),
    # -- description -------------------------------------------------------------------
    _r("SKL021", E, "Missing description",
       "Missing required field in frontmatter: description: add one sentence on what the skill does and when to use it",
       "Agents choose skills by their description; clients skip skills without one.",
       "Insert `description:` (the quick fix uses the body's first paragraph when there is one).",
       overrides={CLAUDE_CODE: W}, spec_class="description.missing"),
    _r("SKL022", E, "Description is not a non-empty string",
       "Field 'description' must be a non-empty string{found}",
       "An empty or non-text description gives the agent nothing to match on.",
       "Write the description as text (quote it if YAML would read it as a number or boolean).",
       spec_class="description.empty"),
    _r("SKL023", E, "Description too long",
       "Description exceeds 1024 character limit ({count} chars{how}): shorten it by {excess}",
       "The spec limits descriptions to 1024 characters; Codex counts after collapsing whitespace.",
       "Move detail into the body.",
       spec_class="description.length"),
    _r("SKL024", W, "Description contains angle brackets",
       "Description contains '<' or '>': claude.ai and quick_validate.py reject XML-like text; rephrase it",
       "The Claude platform forbids XML tags in descriptions.",
       "Remove the angle brackets.",
       overrides={CLAUDE_UPLOAD: E}),
    _r("SKL025", W, "Description and when_to_use too long for the listing",
       "description + when_to_use is {count} characters; Claude Code truncates the listing at 1536",
       "Claude Code appends when_to_use to the description and cuts the result at 1536 characters.",
       "Shorten either field.",
       profiles=(CLAUDE_CODE,)),
    _r("SKL026", H, "Description could be more useful",
       "Description {problems}",
       "Agents pick skills from the description alone: it should say what the skill does and when to use it, in the "
       "third person.",
       "Add a 'Use when ...' clause and write 'Processes X' rather than 'I can' or 'You can'."),
    # -- compatibility -----------------------------------------------------------------
    _r("SKL030", E, "Compatibility is not a string",
       "Field 'compatibility' must be a string{found}",
       "The spec defines compatibility as free text of 1-500 characters.",
       "Write it as one string, e.g. `Requires git and network access`.",
       spec_class="compatibility.type"),
    _r("SKL031", E, "Compatibility empty or too long",
       "{problem}",
       "The spec allows 1-500 characters; most skills need no compatibility field at all.",
       "Shorten it, or delete an empty field.",
       spec_class="compatibility.length"),
    # -- metadata ----------------------------------------------------------------------
    _r("SKL040", E, "Metadata is not a mapping",
       "Field 'metadata' must be a mapping of string keys to string values{found}",
       "The spec defines metadata as a string-to-string map; Claude Code silently drops anything else.",
       "Write `metadata:` followed by indented `key: \"value\"` lines."),
    _r("SKL041", W, "Metadata value is not a string",
       "metadata.{key} is {found}, not a string{coerced}: quote it",
       "Metadata values must be strings; YAML reads `1.10` as 1.1 and `yes` as true.",
       "Quote the value exactly as written."),
    _r("SKL042", E, "metadata.short-description too long",
       "metadata.{key} is {count} characters; Codex allows 500",
       "Codex shows short-description in its picker and rejects longer ones.",
       "Shorten it.",
       profiles=(CODEX,)),
    # -- EvoMaster's skill_type ---------------------------------------------------------
    _r("SKL043", W, "Invalid skill_type",
       "{where} is {found}: use `knowledge` or `operator`{hint}",
       "EvoMaster loads a skill as knowledge (its instructions are read) or as an operator (it also ships scripts/ "
       "the agent runs); any other value leaves the skill untyped, here and there. The evomaster profile takes "
       "`skill_type` at the top level, every profile as `metadata.skill_type` (kept there unquoted).",
       "Write `knowledge` or `operator`; the quick fix writes the one a near miss meant.",
       overrides={EVOMASTER: E}),
    _r("SKL044", N, "Operator skill without scripts",
       "skill_type is `operator`, but the folder has no scripts/: add the scripts it runs, or make it `knowledge`",
       "An operator skill is one whose scripts/ the agent runs; without them it is a knowledge skill.",
       "Add the scripts under scripts/, or set `skill_type: knowledge`.",
       needs_dir=True),
    # -- allowed-tools, license, Claude Code values --------------------------------------
    _r("SKL050", W, "allowed-tools is not a space-separated string",
       "allowed-tools should be a space-separated string, found {found}: write `{suggestion}`",
       "The spec defines allowed-tools as one space-separated string; lists and commas only work in Claude Code.",
       "Join the tools with spaces.",
       overrides={}, profiles=(SPEC, CODEX, CLAUDE_UPLOAD)),
    _r("SKL051", W, "License file missing",
       "license names '{file}', which is not in the skill folder: add the file or fix the name",
       "A license that points to a file should ship that file.",
       "Add the file, or name the license directly (e.g. `Apache-2.0`).",
       needs_dir=True),
    _r("SKL052", E, "Invalid Claude Code value",
       "{key} {problem}",
       "Claude Code ignores or rejects malformed values, so the option silently has no effect.",
       "Use one of the documented values.",
       profiles=(CLAUDE_CODE,)),
    _r("SKL053", W, "agent/background without context: fork",
       "'{key}' only has an effect with `context: fork`: add it or remove '{key}'",
       "Claude Code uses agent and background only for forked skills.",
       "Add `context: fork`.",
       profiles=(CLAUDE_CODE,)),
    _r("SKL054", W, "Skill cannot be invoked",
       "disable-model-invocation is true and user-invocable is false, so nothing can invoke this skill: drop one of "
       "them",
       "The model may not use it and the user cannot see it in the / menu.",
       "Remove `user-invocable: false` or `disable-model-invocation: true`.",
       profiles=(CLAUDE_CODE,)),
    # -- body --------------------------------------------------------------------------
    _r("SKL060", W, "Empty body",
       "The SKILL.md body is empty: add the instructions the agent should follow",
       "The body is what the agent reads once the skill is activated.",
       "Write step-by-step instructions below the frontmatter."),
    _r("SKL061", W, "SKILL.md too long",
       "SKILL.md has {count} lines; keep it under 500 and move detail into references/",
       "The whole file is loaded on activation; long files waste context.",
       "Split detail into files under references/ and link them."),
    _r("SKL062", W, "Body too many tokens",
       "The body is about {count} tokens; keep it under 5000 and move detail into references/",
       "The spec recommends under 5000 tokens for the instructions tier.",
       "Split detail into reference files."),
    _r("SKL063", W, "Referenced file missing",
       "'{target}' does not exist in the skill folder: create it or fix the path",
       "Agents follow these paths; a missing file wastes a tool call and confuses the model.",
       "Fix the path or add the file.",
       needs_dir=True),
    _r("SKL064", W, "Reference leaves the skill folder",
       "'{target}' {problem}: keep referenced files inside the skill folder and use relative paths",
       "Skills are copied and uploaded as one folder; outside paths break.",
       "Move the file into the skill folder and link it relatively."),
    _r("SKL065", N, "Nested reference chain",
       "'{target}' links to further files ({others}); keep references one level deep from SKILL.md",
       "Agents read referenced files partially; chains hide information.",
       "Link every reference directly from SKILL.md.",
       needs_dir=True),
    _r("SKL066", W, "Backslash in a path",
       "'{target}' uses backslashes: use forward slashes ('{fixed}')",
       "Skills run on Unix-like sandboxes; backslash paths do not resolve there.",
       "Replace the backslashes with forward slashes."),
    _r("SKL067", N, "Long reference without a table of contents",
       "'{target}' has {count} lines and no table of contents: add one at the top",
       "Agents often preview only the start of a file; a contents list tells them what is there.",
       "Add a short contents list at the top of the reference file.",
       needs_dir=True),
    _r("SKL068", N, "Unknown substitution variable",
       "{problem}",
       "Claude Code substitutes only declared arguments and its own ${CLAUDE_*} variables.",
       "Declare the argument in `arguments:` or fix the variable name.",
       profiles=(CLAUDE_CODE,)),
    # -- workspace / folder -------------------------------------------------------------
    _r("SKL070", W, "Duplicate skill name",
       "Another skill is also named '{name}' ({other}): one shadows the other; rename one",
       "Clients keep one skill per name (project overrides user), so the other never loads.",
       "Rename one of the skills and its folder."),
    _r("SKL073", N, "Similar skill in the store",
       "A stored skill closely matches this one: '{name}' (v{version}, score {score}); open it, or save this skill to "
       "update it",
       "Two skills for the same task split the agent's choice; updating the stored one keeps its history.",
       "Open the stored skill and merge the two, or rename this one if it is really a different task."),
    _r("SKL071", W, "Skill folder too large to upload",
       "The skill folder holds {size} MB; uploads are limited to 30 MB",
       "The Skills API rejects uploads over 30 MB uncompressed.",
       "Remove large assets or fetch them at run time.",
       profiles=(CLAUDE_UPLOAD,), needs_dir=True),
    _r("SKL072", N, "Reserved folder name 'synced'",
       "Claude Code reserves the folder name 'synced' under a skills root: rename the folder",
       "Claude Code uses `synced` for its own skills; yours may be overwritten or ignored.",
       "Rename the folder (and the name)."),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in sorted(_CATALOGUE, key=lambda r: r.id)}


def rules_markdown() -> str:
    """The docs/rules.md text, generated so it always matches the catalogue."""
    profiles = list(PROFILES)
    lines = [
        "# SKILL.md rules",
        "",
        "<!-- Generated by `python -m autoskill_mcp.skillmd rules --markdown > docs/rules.md`; do not edit. -->",
        "",
        "Diagnostics from `autoskill_mcp.skillmd.validate` (CLI, MCP and the language server share them).",
        "Severities differ per profile: " + ", ".join(f"`{p}` ({PROFILES[p].title})" for p in profiles) + ".",
        "A dash means the rule does not run in that profile.",
        "",
        "| Rule | Title | " + " | ".join(profiles) + " |",
        "|---|---|" + "---|" * len(profiles),
    ]
    for rule in RULES.values():
        cells = [_severity_cell(rule.severity_for(p), "-") for p in profiles]
        lines.append(f"| [{rule.id}](#{rule.id.lower()}) | {rule.title} | " + " | ".join(cells) + " |")
    lines.append("")
    for rule in RULES.values():
        sev = ", ".join(f"{p}: {_severity_cell(rule.severity_for(p), 'off')}" for p in profiles)
        lines += [
            f"## {rule.id}",
            "",
            f"**{rule.title}**",
            "",
            f"- Checks: {_describe_check(rule)}",
            f"- Why: {rule.why}",
            f"- Severity: {sev}",
            f"- Fix: {rule.fix}",
        ]
        if rule.spec_class:
            lines.append(f"- skills-ref reports the same problem (class `{rule.spec_class}`).")
        if rule.needs_dir:
            lines.append("- Runs only when the skill folder is known (`skill_dir` or `validate_dir`).")
        if rule.id == "SKL070":
            lines.append("- Needs the whole workspace or store: `duplicate_names()` reports it, not `validate`.")
        if rule.id == "SKL073":
            lines.append(
                "- Needs the skill store: the language server reports it (hybrid search over the store), not "
                "`validate`."
            )
        lines.append("")
    return "\n".join(lines)


def _describe_check(rule: Rule) -> str:
    """The message template with its placeholders shown as ``<...>``."""
    return rule.message.replace("{", "<").replace("}", ">")


def main(argv: list[str] | None = None) -> int:
    """CLI: ``--markdown`` prints docs/rules.md; otherwise a one-line-per-rule listing."""
    args = sys.argv[1:] if argv is None else argv
    if "--markdown" in args:
        sys.stdout.write(rules_markdown())
        return 0
    for rule in RULES.values():
        sys.stdout.write(f"{rule.id}  {rule.severity.value:<11}  {rule.title}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _severity_cell(severity: Severity | None, off: str) -> str:
    return severity.value if severity is not None else off
