"""Run the rule catalogue over one SKILL.md (and optionally its folder).

Each check emits at most what the active profile enables (``Rule.severity_for``),
with the message naming the fix and, where an edit can do it, the fix as data.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import yamltext
from .convert import has_top_level_comma, split_tools
from .diagnostics import Diagnostic, Fix
from .names import folder_name_of, is_ascii_name, is_valid_name, name_problems, normalize_name, slugify
from .parser import FieldNode, ParsedSkillMd, parse
from .positions import Position, Range, TextEdit, apply_edits
from .profiles import CLAUDE_CODE, CLAUDE_CODE_KEYS, CLAUDE_UPLOAD, CODEX, SPEC_KEYS, detect_profile, get_profile
from .references import find_references, has_table_of_contents, local_links
from .rules import RULES
from .sections import first_paragraph

MAX_DESCRIPTION = 1024
MAX_COMPATIBILITY = 500
MAX_LISTING = 1536
MAX_LINES = 500
MAX_TOKENS = 5000
MAX_UPLOAD_BYTES = 30 * 1024 * 1024
RESERVED_WORDS = ("anthropic", "claude")
CLAUDE_VARIABLES = frozenset(
    {
        "CLAUDE_SESSION_ID",
        "CLAUDE_EFFORT",
        "CLAUDE_SKILL_DIR",
        "CLAUDE_PROJECT_DIR",
        "CLAUDE_PLUGIN_ROOT",
        "CLAUDE_PLUGIN_DATA",
    }
)
_BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0"}
_TRUE_WORDS = {"true", "yes", "on", "1"}
_LICENSE_FILE = re.compile(r"\b((?:LICEN[CS]E|COPYING|NOTICE)(?:\.[A-Za-z0-9]+)?|[\w-]+\.(?:txt|md))\b", re.I)
_MAX_PER_RULE = 100  # body findings per rule; more is noise and costs time on huge files
_KEY_VALUE_LINE = re.compile(r"^([A-Za-z0-9_-]+)(\s*:[ \t]+)(.*?)\s*$")


def validate(
    text_or_parsed: str | bytes | ParsedSkillMd,
    *,
    path: str | None = None,
    profile: str | None = None,
    dir_name: str | None = None,
    skill_dir: str | Path | None = None,
) -> list[Diagnostic]:
    """Diagnostics for one SKILL.md, sorted by position; file checks run when ``skill_dir`` is given."""
    if isinstance(text_or_parsed, ParsedSkillMd):
        parsed = text_or_parsed
        path = path or parsed.path
    else:
        parsed = parse(text_or_parsed, path)
    folder = Path(skill_dir) if skill_dir is not None else None
    if dir_name is None:
        dir_name = folder.name if folder is not None else folder_name_of(path)
    name = get_profile(profile or detect_profile(path if path else folder)).name
    checker = _Checker(parsed, name, dir_name, folder, path)
    checker.run()
    return sorted(checker.out, key=lambda d: (d.range.start, d.rule_id))


def validate_dir(skill_dir: str | Path, *, profile: str | None = None) -> list[Diagnostic]:
    """Validate a skill folder: find SKILL.md (any casing), then run every check including files."""
    folder = Path(skill_dir)
    origin = Range.point(0, 0)
    rule = RULES["SKL000"]
    sev = rule.severity_for(profile or detect_profile(folder)) or rule.severity
    if not folder.is_dir():
        return [Diagnostic("SKL000", sev, rule.format(problem=f"{folder} is not a directory"), origin)]
    exact = folder / "SKILL.md"
    candidate: Path | None = None
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        return [Diagnostic("SKL000", sev, rule.format(problem=f"cannot list {folder}: {exc}"), origin)]
    if "SKILL.md" in names:
        candidate = exact
    else:
        candidate = next((folder / n for n in names if n.lower() == "skill.md"), None)
    if candidate is None:
        return [Diagnostic("SKL000", sev, rule.format(problem=f"no SKILL.md in {folder}"), origin)]
    try:
        data = candidate.read_bytes()
    except OSError as exc:
        return [Diagnostic("SKL000", sev, rule.format(problem=f"cannot read {candidate}: {exc}"), origin)]
    return validate(data, path=str(candidate), profile=profile, skill_dir=folder)


def duplicate_names(
    skills: Iterable[tuple[str, ParsedSkillMd]], *, profile: str = "spec"
) -> dict[str, list[Diagnostic]]:
    """SKL070 across a workspace or store: path -> diagnostics for every file whose name another uses."""
    rule = RULES["SKL070"]
    severity = rule.severity_for(get_profile(profile).name)
    by_name: dict[str, list[tuple[str, FieldNode]]] = {}
    for path, parsed in skills:
        node = parsed.fields.get("name")
        if node is not None and isinstance(node.value, str) and node.value.strip():
            by_name.setdefault(normalize_name(node.value), []).append((path, node))
    out: dict[str, list[Diagnostic]] = {}
    if severity is None:
        return out
    for name, entries in by_name.items():
        if len(entries) < 2:
            continue
        for path, node in entries:
            others = [p for p, _ in entries if p != path]
            message = rule.format(name=name, other=", ".join(others))
            diag = Diagnostic("SKL070", severity, message, node.value_range, data={"others": others})
            out.setdefault(path, []).append(diag)
    return out


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """True when any diagnostic is an error (the skills-ref verdict 'invalid')."""
    return any(d.is_error for d in diagnostics)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, for did-you-mean suggestions on keys."""
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


class _Checker:
    def __init__(
        self, parsed: ParsedSkillMd, profile: str, dir_name: str | None, folder: Path | None, path: str | None
    ) -> None:
        self.p = parsed
        self.profile = profile
        self.dir_name = dir_name
        self.folder = folder
        self.path = path
        self.out: list[Diagnostic] = []
        self.data: dict[str, Any] = parsed.data if isinstance(parsed.data, dict) else {}

    def emit(
        self,
        rule_id: str,
        rng: Range,
        *,
        fix: Fix | None = None,
        alt: list[Fix] | None = None,
        data: dict[str, Any] | None = None,
        **values: Any,
    ) -> None:
        rule = RULES[rule_id]
        severity = rule.severity_for(self.profile)
        if severity is None:
            return
        self.out.append(
            Diagnostic(rule_id, severity, rule.format(**values), rng, fix, dict(data or {}), list(alt or []))
        )

    def enabled(self, rule_id: str) -> bool:
        return RULES[rule_id].severity_for(self.profile) is not None

    # -- driver -------------------------------------------------------------------------

    def run(self) -> None:
        p = self.p
        self.check_file()
        if not p.has_frontmatter:
            self.emit("SKL001", Range.point(0, 1 if p.bom else 0), fix=self._skeleton_fix())
        elif not p.frontmatter_closed:
            self.emit("SKL002", p.index.line_range(0), fix=self._close_fix())
        elif p.yaml_errors:
            for issue in p.yaml_errors:
                self.check_yaml_error(issue)
        elif not isinstance(p.data, dict):
            found = "an empty frontmatter" if p.data is None else _type_name(p.data)
            close = p.close_line or 0
            self.emit("SKL004", Range(Position(0, 0), Position(close, 3)), found=found)
        else:
            self.check_yaml_shape()
            self.check_keys()
            self.check_name()
            self.check_description()
            self.check_compatibility()
            self.check_metadata()
            self.check_allowed_tools()
            self.check_license()
            self.check_claude_code()
        if p.frontmatter_closed or not p.has_frontmatter:
            self.check_body()
            self.check_references()
        self.check_folder()

    # -- file ---------------------------------------------------------------------------

    def check_file(self) -> None:
        p = self.p
        if p.encoding_error:
            self.emit("SKL009", Range.point(0, 0), problem=p.encoding_error)
        if p.bom:
            fix = Fix("Remove the byte order mark", [TextEdit(Range.of(0, 0, 0, 1), "")])
            self.emit("SKL008", Range.of(0, 0, 0, 1), fix=fix)
        base = os.path.basename(self.path) if self.path else None
        if base and base != "SKILL.md" and base.lower() == "skill.md":
            new = os.path.join(os.path.dirname(self.path or ""), "SKILL.md")
            self.emit(
                "SKL007",
                Range.point(0, 0),
                fix=Fix("Rename the file to SKILL.md", [], rename=(self.path or base, new)),
                found=base,
            )

    def _skeleton_fix(self) -> Fix:
        name = self.dir_name if self.dir_name and not name_problems(self.dir_name) else "my-skill"
        desc = first_paragraph(self.p.body) or "Describe what this skill does. Use when ..."
        text = f"---\nname: {yamltext.scalar(name)}\ndescription: {yamltext.scalar(desc[:MAX_DESCRIPTION])}\n---\n\n"
        at = Range.point(0, 1 if self.p.bom else 0)
        return Fix("Insert a frontmatter skeleton", [TextEdit(at, text)])

    def _close_fix(self) -> Fix:
        index = self.p.index
        line = 1
        while line < index.line_count:
            t = index.line_text(line)
            if t and not (t[0] in " \t#-" or re.match(r"^[\w.-]+\s*:", t)):
                break
            line += 1
        # Step back over blank lines so the delimiter sits right after the last key.
        while line > 1 and not index.line_text(line - 1).strip():
            line -= 1
        if line >= index.line_count:
            end = len(index.line_text(index.line_count - 1))
            at = Range.point(index.line_count - 1, end)
            return Fix("Close the frontmatter with ---", [TextEdit(at, "\n---\n")])
        return Fix("Close the frontmatter with ---", [TextEdit(Range.point(line, 0), "---\n")])

    # -- YAML ---------------------------------------------------------------------------

    def check_yaml_error(self, issue: Any) -> None:
        fix = None
        hint = f": fix the YAML at line {issue.range.start.line + 1}"
        if "mapping values are not allowed" in issue.problem:
            fix = self._quote_line_fix(issue.range.start.line)
            hint = ": a value containing ': ' must be quoted (quick fix: quote it)"
        elif "found character '\\t'" in issue.problem or "\\t" in issue.message:
            hint = ": replace tabs with spaces"
        self.emit("SKL003", issue.range, fix=fix, error=issue.message, hint=hint)

    def _quote_line_fix(self, line: int) -> Fix | None:
        text = self.p.index.line_text(line)
        m = _KEY_VALUE_LINE.match(text)
        if not m or not m[3]:
            return None
        start = len(m[1]) + len(m[2])
        edit = TextEdit(Range.of(line, start, line, start + len(m[3])), yamltext.double_quoted(m[3]))
        fixed = parse(apply_edits(self.p.text, [edit]))
        if any(e.range.start.line == line for e in fixed.yaml_errors):
            return None
        return Fix(f"Quote the value of '{m[1]}'", [edit])

    def check_yaml_shape(self) -> None:
        for dup in self.p.duplicates:
            fix = None
            node = dup.first_node
            if node is not None:
                fix = Fix(
                    f"Remove the earlier '{dup.key}' (line {dup.first.start.line + 1}); YAML keeps the later one",
                    [TextEdit(self._lines_of(node), "")],
                )
            self.emit("SKL005", dup.second, fix=fix, key=".".join(dup.path + (dup.key,)), line=dup.first.start.line + 1)
        labels = {
            "flow": ("A flow collection ({...} or [...])", "write block style: `key:` then indented lines"),
            "anchor": ("An anchor (&name)", "repeat the value instead"),
            "alias": ("An alias (*name)", "repeat the value instead"),
            "tag": ("A tag (!!type or !name)", "remove it and quote the value if it must stay a string"),
        }
        for feature in self.p.yaml_features:
            what, hint = labels[feature.kind]
            fix = self._flow_fix(feature.range) if feature.kind == "flow" else None
            self.emit("SKL006", feature.range, fix=fix, what=what, remedy=hint)

    def _flow_fix(self, rng: Range) -> Fix | None:
        for node in self.p.fields.values():
            if node.value_range != rng or not node.flow:
                continue
            indent = " " * (node.key_range.start.character + 2)
            value = node.value
            if isinstance(value, dict) and value and all(not isinstance(v, (dict, list)) for v in value.values()):
                lines = [f"{indent}{yamltext.key(str(k))}: {_yaml_scalar(v)}" for k, v in value.items()]
            elif isinstance(value, list) and value and all(not isinstance(v, (dict, list)) for v in value):
                lines = [f"{indent}- {_yaml_scalar(v)}" for v in value]
            else:
                return None
            edit = TextEdit(Range(node.key_range.end, node.value_range.end), ":\n" + "\n".join(lines))
            return Fix(f"Rewrite '{node.key}' in block style", [edit])
        return None

    def _lines_of(self, node: FieldNode) -> Range:
        """The whole lines a key and its value occupy (for deletions)."""
        first = node.key_range.start.line
        last = node.value_range.end.line
        if last + 1 < self.p.index.line_count:
            return Range(Position(first, 0), Position(last + 1, 0))
        return Range(Position(first, 0), Position(last, len(self.p.index.line_text(last))))

    # -- keys ---------------------------------------------------------------------------

    def check_keys(self) -> None:
        known = get_profile(self.profile).known_keys
        for key, node in self.p.fields.items():
            if key in known and not (key in CLAUDE_CODE_KEYS and self.profile == CLAUDE_CODE):
                continue
            if key in CLAUDE_CODE_KEYS and self.profile in (CLAUDE_CODE, CLAUDE_UPLOAD):
                upload = (
                    "; claude.ai uploads reject it (Unexpected key(s) in SKILL.md frontmatter)"
                    if self.profile == CLAUDE_UPLOAD
                    else ""
                )
                self.emit("SKL011", node.key_range, key=key, upload=upload)
                continue
            fixes: list[Fix] = []
            suggestion = self._did_you_mean(key, known)
            if suggestion and suggestion not in self.p.fields:
                fixes.append(Fix(f"Rename '{key}' to '{suggestion}'", [TextEdit(node.key_range, suggestion)]))
            move = self._move_to_metadata_fix(node)
            if move:
                fixes.append(move)
            context = (
                " (a Claude Code extension; the claude-code profile accepts it)" if key in CLAUDE_CODE_KEYS else ""
            )
            if suggestion:
                hint = f"did you mean '{suggestion}'?"
            else:
                hint = "move it under metadata: or remove it"
            self.emit(
                "SKL010",
                node.key_range,
                fix=fixes[0] if fixes else None,
                alt=fixes[1:],
                data={"key": key, "suggestion": suggestion},
                key=key,
                context=context,
                remedy=hint,
            )

    def _did_you_mean(self, key: str, known: tuple[str, ...]) -> str | None:
        candidates = list(known)
        if self.profile != CLAUDE_CODE:
            candidates = list(SPEC_KEYS)
        lowered = key.lower().replace("_", "-")
        best: tuple[int, str] | None = None
        for cand in candidates:
            if lowered != cand and abs(len(key) - len(cand)) > 2:
                continue  # the distance is at least the difference in length
            d = 0 if lowered == cand else edit_distance(key.lower(), cand)
            if d <= 2 and (best is None or d < best[0]):
                best = (d, cand)
        return best[1] if best else None

    def _move_to_metadata_fix(self, node: FieldNode) -> Fix | None:
        meta = self.p.fields.get("metadata")
        value = node.value
        if isinstance(value, str):
            text = value
        elif node.kind == "scalar" and node.scalar_text is not None:
            text = node.scalar_text
        else:
            try:
                text = json.dumps(value, ensure_ascii=False, default=str)
            except (TypeError, ValueError):
                return None
        delete = TextEdit(self._lines_of(node), "")
        if node.value_range.end.line + 1 >= self.p.index.line_count:
            return None
        if meta is None:
            at = Position(self.p.close_line or 0, 0)
            insert = TextEdit(Range(at, at), f"metadata:\n  {yamltext.key(node.key)}: {yamltext.double_quoted(text)}\n")
        elif meta.kind == "mapping" and not meta.flow and meta.children:
            if node.key in meta.children:
                return None
            children = list(meta.children.values())
            indent = " " * children[0].key_range.start.character
            last = max(c.value_range.end.line for c in children)
            at = Position(last + 1, 0)
            insert = TextEdit(Range(at, at), f"{indent}{yamltext.key(node.key)}: {yamltext.double_quoted(text)}\n")
        else:
            return None
        return Fix(f"Move '{node.key}' under metadata", [delete, insert])

    # -- name ---------------------------------------------------------------------------

    def check_name(self) -> None:
        node = self.p.fields.get("name")
        if node is None:
            if self.dir_name:
                at = Position(1, 0)
                edit = TextEdit(Range(at, at), f"name: {yamltext.scalar(self.dir_name)}\n")
                fix: Fix | None = Fix(f"Add name: {self.dir_name}", [edit])
                self.emit("SKL012", self._frontmatter_head(), fix=fix, remedy=f": add `name: {self.dir_name}`")
            else:
                self.emit("SKL012", self._frontmatter_head(), remedy=": add `name:` with the folder name")
            return
        value = node.value
        if not isinstance(value, str) or not value.strip():
            found = ""
            fix = None
            if node.kind == "scalar" and node.scalar_text and node.scalar_text.strip():
                found = f" (YAML reads `{node.scalar_text}` as {_type_name(value)}): quote it"
                fix = self._replace_value_fix(node, yamltext.double_quoted(node.scalar_text), "Quote the name")
            elif self.dir_name:
                found = f": set it to the folder name '{self.dir_name}'"
                fix = self._replace_value_fix(node, yamltext.scalar(self.dir_name), f"Set name to '{self.dir_name}'")
            self.emit("SKL013", node.value_range if node.source else node.key_range, fix=fix, found=found)
            return
        name = normalize_name(value)
        rng = node.value_range
        suggestion = slugify(name)
        for problem in name_problems(value):
            if problem.kind == "length":
                short = slugify(name)
                fix = (
                    self._replace_value_fix(node, yamltext.scalar(short), f"Shorten the name to '{short}'")
                    if short
                    else None
                )
                self.emit("SKL014", rng, fix=fix, name=name, count=len(name))
            elif problem.kind == "case":
                # Lowercasing alone can leave the name invalid (`Bad_Name` -> `bad_name`, SKL018):
                # then the fix is the slug, which passes every name rule.
                lower = name.lower() if is_valid_name(name.lower()) else suggestion
                fix = self._replace_value_fix(node, yamltext.scalar(lower), f"Lowercase the name to '{lower}'"
                                              if lower == name.lower() else f"Use '{lower}'")
                self.emit("SKL015", rng, fix=fix, name=name, lower=lower)
            elif problem.kind == "hyphen-edge":
                fix = self._replace_value_fix(node, yamltext.scalar(suggestion), f"Use '{suggestion}'")
                self.emit("SKL016", rng, fix=fix, suggestion=suggestion)
            elif problem.kind == "hyphen-double":
                fix = self._replace_value_fix(node, yamltext.scalar(suggestion), f"Use '{suggestion}'")
                self.emit("SKL017", rng, fix=fix, suggestion=suggestion)
            elif problem.kind == "chars":
                fix = self._replace_value_fix(node, yamltext.scalar(suggestion), f"Use '{suggestion}'")
                chars = ", ".join(repr(c) for c in problem.detail)
                self.emit("SKL018", rng, fix=fix, name=name, chars=chars, suggestion=suggestion)
        problems = {p.kind for p in name_problems(value)}
        if not problems and not is_ascii_name(name):
            ascii_name = slugify(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
            fix = self._replace_value_fix(node, yamltext.scalar(ascii_name), f"Use '{ascii_name}'")
            self.emit("SKL027", rng, fix=fix, name=name, suggestion=ascii_name)
        for word in RESERVED_WORDS:
            if word in name.lower():
                self.emit("SKL020", rng, name=name, word=word)
                break
        if self.dir_name is not None and normalize_name(self.dir_name) != name:
            fixes = [self._replace_value_fix(node, yamltext.scalar(self.dir_name), f"Set name to '{self.dir_name}'")]
            if not problems and self.folder is not None:
                target = str(self.folder.parent / name)
                fixes.append(Fix(f"Rename the folder to '{name}'", [], rename=(str(self.folder), target)))
            self.emit(
                "SKL019",
                rng,
                fix=fixes[0],
                alt=fixes[1:],
                data={"dir": self.dir_name, "name": name},
                dir=self.dir_name,
                name=name,
            )

    def _replace_value_fix(self, node: FieldNode, new_value: str, title: str) -> Fix:
        """Replace everything after the key (colon included) with ``: new_value``."""
        return Fix(title, [TextEdit(Range(node.key_range.end, node.value_range.end), f": {new_value}")])

    def _shorten_fix(self, node: FieldNode, value: str, limit: int, what: str) -> Fix | None:
        """Cut at the last sentence (else word) end within ``limit``, whitespace collapsed (every client's count)."""
        text = " ".join(value.split())
        if len(text) > limit:
            head = text[: limit + 1]
            cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
            text = head[: cut + 1] if cut >= limit // 2 else head[: max(head.rfind(" "), 1)].rstrip(" ,;:-")
            text = text[:limit]
        if not text or text == value:
            return None
        return self._replace_value_fix(node, yamltext.scalar(text), f"Shorten the {what} to {len(text)} characters")

    def _frontmatter_head(self) -> Range:
        return self.p.index.line_range(0)

    # -- description ----------------------------------------------------------------------

    def check_description(self) -> None:
        node = self.p.fields.get("description")
        if node is None:
            para = first_paragraph(self.p.body)
            text = (para or "Describe what this skill does. Use when ...")[:MAX_DESCRIPTION]
            name_node = self.p.fields.get("name")
            at = Position(name_node.value_range.end.line + 1, 0) if name_node else Position(1, 0)
            edit = TextEdit(Range(at, at), f"description: {yamltext.scalar(text)}\n")
            self.emit("SKL021", self._frontmatter_head(), fix=Fix("Add a description", [edit]))
            return
        value = node.value
        if not isinstance(value, str) or not value.strip():
            found = ""
            fix = None
            if node.kind == "scalar" and node.scalar_text and node.scalar_text.strip():
                found = f" (YAML reads `{node.scalar_text}` as {_type_name(value)}): quote it"
                fix = self._replace_value_fix(node, yamltext.double_quoted(node.scalar_text), "Quote the description")
            else:
                found = ": write what the skill does and when to use it"
            self.emit("SKL022", node.value_range if node.source else node.key_range, fix=fix, found=found)
            return
        rng = node.value_range
        count = len(" ".join(value.split())) if self.profile == CODEX else len(value)
        if count > MAX_DESCRIPTION:
            how = ", counted after collapsing whitespace" if self.profile == CODEX else ""
            fix = self._shorten_fix(node, value, MAX_DESCRIPTION, "description")
            self.emit("SKL023", rng, fix=fix, count=count, how=how, excess=count - MAX_DESCRIPTION)
        if "<" in value or ">" in value:
            self.emit("SKL024", rng)
        when = self.data.get("when_to_use")
        if isinstance(when, str) and len(value) + len(when) > MAX_LISTING:
            self.emit("SKL025", rng, count=len(value) + len(when))
        problems = _description_problems(value, has_when=isinstance(when, str) and bool(when.strip()))
        if problems:
            self.emit("SKL026", rng, problems="; ".join(problems))

    # -- compatibility, metadata, allowed-tools, license ------------------------------------

    def check_compatibility(self) -> None:
        node = self.p.fields.get("compatibility")
        if node is None:
            return
        value = node.value
        if not isinstance(value, str):
            fix = None
            found = f" (found {_type_name(value)})"
            if node.kind == "scalar" and node.scalar_text:
                fix = self._replace_value_fix(node, yamltext.double_quoted(node.scalar_text), "Quote the value")
                found += ": quote it"
            elif value is None:
                found += ": describe the requirements or delete the field"
            self.emit("SKL030", node.value_range if node.source else node.key_range, fix=fix, found=found)
            return
        if not value.strip():
            fix = Fix("Delete the empty compatibility field", [TextEdit(self._lines_of(node), "")])
            self.emit(
                "SKL031",
                node.full_range,
                fix=fix,
                problem="Field 'compatibility' is empty: describe the requirements or delete it",
            )
        elif len(value) > MAX_COMPATIBILITY:
            self.emit(
                "SKL031",
                node.value_range,
                fix=self._shorten_fix(node, value, MAX_COMPATIBILITY, "compatibility"),
                problem=f"Compatibility exceeds 500 character limit ({len(value)} chars): shorten it",
            )

    def check_metadata(self) -> None:
        node = self.p.fields.get("metadata")
        if node is None:
            return
        if not isinstance(node.value, dict):
            found = f" (found {_type_name(node.value)})"
            self.emit("SKL040", node.value_range if node.source else node.key_range, found=found)
            return
        for key, child in node.children.items():
            value = child.value
            if key in ("short-description", "shortDescription", "short_description") and isinstance(value, str):
                if len(value) > 500:
                    self.emit("SKL042", child.value_range, key=key, count=len(value))
            if isinstance(value, str):
                continue
            fix = None
            coerced = ""
            if child.kind == "scalar" and child.scalar_text is not None:
                if child.implicitly_typed and str(value) != child.scalar_text:
                    shown = str(value).lower() if isinstance(value, bool) else str(value)
                    coerced = f" (YAML reads `{child.scalar_text}` as {shown})"
                fix = self._replace_value_fix(child, yamltext.double_quoted(child.scalar_text), "Quote the value")
            else:
                try:
                    as_json = json.dumps(value, ensure_ascii=False, default=str)
                    fix = self._replace_value_fix(
                        child, yamltext.double_quoted(as_json), "Store the value as a JSON string"
                    )
                except (TypeError, ValueError):
                    fix = None
            self.emit(
                "SKL041",
                child.value_range if child.source else child.key_range,
                fix=fix,
                key=key,
                found=_type_name(value),
                coerced=coerced,
            )

    def check_allowed_tools(self) -> None:
        node = self.p.fields.get("allowed-tools")
        if node is None or node.value is None:
            return
        value = node.value
        if isinstance(value, list):
            joined = " ".join(str(v).strip() for v in value if str(v).strip())
            fix = self._replace_value_fix(node, yamltext.scalar(joined), "Write allowed-tools space-separated")
            self.emit("SKL050", node.value_range, fix=fix, found="a YAML list", suggestion=joined)
        elif isinstance(value, str):
            if has_top_level_comma(value):
                joined = " ".join(split_tools(value))
                fix = self._replace_value_fix(node, yamltext.scalar(joined), "Write allowed-tools space-separated")
                self.emit("SKL050", node.value_range, fix=fix, found="a comma-separated string", suggestion=joined)
        else:
            self.emit("SKL050", node.value_range, found=_type_name(value), suggestion="Read Bash(git:*)")

    def check_license(self) -> None:
        node = self.p.fields.get("license")
        if node is None or self.folder is None or not isinstance(node.value, str):
            return
        for m in _LICENSE_FILE.finditer(node.value):
            token = m[1]
            if not _exists(self.folder / token):
                self.emit("SKL051", node.value_range, file=token)

    # -- Claude Code ---------------------------------------------------------------------

    def check_claude_code(self) -> None:
        if not self.enabled("SKL052"):
            return
        data = self.data
        fields = self.p.fields

        def bad(key: str, problem: str) -> None:
            node = fields[key]
            self.emit("SKL052", node.value_range if node.source else node.key_range, key=key, problem=problem)

        for key in ("disable-model-invocation", "user-invocable", "background"):
            if key in data and not _is_bool(data[key]):
                bad(key, "must be true or false (also yes/no, on/off, 1/0)")
        choices = {
            "context": ("fork",),
            "effort": ("low", "medium", "high", "xhigh", "max"),
            "shell": ("bash", "powershell"),
        }
        for key, allowed in choices.items():
            if key in data and not (isinstance(data[key], str) and data[key] in allowed):
                bad(key, "must be one of: " + ", ".join(allowed))
        for key in ("paths", "arguments", "disallowed-tools"):
            if key in data and not _is_str_or_str_list(data[key]):
                bad(key, "must be a string or a list of strings")
        if "hooks" in data and not isinstance(data["hooks"], dict):
            bad("hooks", "must be a mapping of hook events")
        for key in ("model", "agent", "when_to_use"):
            if key in data and not isinstance(data[key], str):
                bad(key, "must be a string")
        forked = data.get("context") == "fork"
        for key in ("agent", "background"):
            if key in data and not forked:
                self.emit("SKL053", fields[key].key_range, key=key)
        if (
            _truthy(data.get("disable-model-invocation"))
            and "user-invocable" in data
            and _falsy(data["user-invocable"])
        ):
            self.emit("SKL054", fields["user-invocable"].key_range)

    # -- body -----------------------------------------------------------------------------

    def check_body(self) -> None:
        p = self.p
        body_line = min(p.body_start_line, p.index.line_count - 1)
        if not p.body.strip():
            at = p.close_line if p.close_line is not None else 0
            self.emit("SKL060", p.index.line_range(at))
        lines = p.index.line_count - (1 if p.text.endswith(("\n", "\r")) else 0)
        if lines > MAX_LINES:
            self.emit("SKL061", p.index.line_range(MAX_LINES), count=lines)
        tokens = len(p.body) // 4
        if tokens > MAX_TOKENS:
            self.emit("SKL062", p.index.line_range(body_line), count=tokens)
        if self.enabled("SKL068"):
            self.check_substitutions()

    def check_substitutions(self) -> None:
        p = self.p
        declared = _declared_arguments(self.data.get("arguments"))
        unknown = [m for m in re.finditer(r"\$\{(CLAUDE_[A-Z0-9_]*)\}", p.body) if m[1] not in CLAUDE_VARIABLES]
        for m in unknown[:_MAX_PER_RULE]:
            rng = p.index.range(p.body_offset + m.start(), p.body_offset + m.end())
            self.emit(
                "SKL068",
                rng,
                problem=f"Unknown variable ${{{m[1]}}}: use one of " + ", ".join(sorted(CLAUDE_VARIABLES)),
            )
        if declared is None:
            return
        code = _code_spans(p.body)
        starts = [a for a, _ in code]
        reported = 0
        for m in re.finditer(r"(?<![\\\w$])\$([a-z_][A-Za-z0-9_]*)", p.body):
            if m[1] in declared:
                continue
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0 and m.start() < code[i][1]:
                continue
            reported += 1
            if reported > _MAX_PER_RULE:
                break
            rng = p.index.range(p.body_offset + m.start(), p.body_offset + m.end())
            self.emit(
                "SKL068", rng, problem=f"${m[1]} is not declared in `arguments`: add it there or escape it as \\${m[1]}"
            )

    def check_references(self) -> None:
        # A long skill links the same few files many times: look at each once per pass.
        seen: dict[str, tuple[bool, list[str], int, bool]] = {}
        for ref in find_references(self.p):
            if ref.has_backslash:
                fixed = ref.target.replace("\\", "/")
                fix = Fix(f"Use '{fixed}'", [TextEdit(ref.range, fixed)])
                self.emit("SKL066", ref.range, fix=fix, target=ref.target, fixed=fixed)
            if ref.is_absolute:
                self.emit("SKL064", ref.range, target=ref.target, problem="is an absolute path")
                continue
            if ref.escapes_root:
                self.emit("SKL064", ref.range, target=ref.target, problem="points outside the skill folder")
                continue
            if self.folder is None:
                continue
            if ref.path not in seen:
                seen[ref.path] = _inspect_target(self.folder / ref.path)
            exists, others, count, has_toc = seen[ref.path]
            if not exists:
                self.emit("SKL063", ref.range, target=ref.path)
                continue
            if others:
                self.emit("SKL065", ref.range, target=ref.path, others=", ".join(others[:5]))
            if count > 100 and not has_toc:
                self.emit("SKL067", ref.range, target=ref.path, count=count)

    # -- folder ---------------------------------------------------------------------------

    def check_folder(self) -> None:
        folder = self.folder
        location = str(folder) if folder is not None else (os.path.dirname(self.path) if self.path else "")
        parts = [x for x in re.split(r"[\\/]", location) if x]
        if len(parts) >= 3 and parts[-1] == "synced" and parts[-2] == "skills" and parts[-3] == ".claude":
            self.emit("SKL072", Range.point(0, 0))
        if folder is not None and self.enabled("SKL071"):
            total = _folder_size(folder, MAX_UPLOAD_BYTES + 1)
            if total > MAX_UPLOAD_BYTES:
                self.emit("SKL071", Range.point(0, 0), size=f"{total / 1024 / 1024:.1f}")


def _exists(path: Path) -> bool:
    """Whether a path written in the file names something; a path the OS cannot even look up
    (a name over 255 bytes, a path over PATH_MAX, no permission) names nothing an agent can read."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _inspect_target(target: Path) -> tuple[bool, list[str], int, bool]:
    """(exists, further local links, line count, has a table of contents) for a referenced file."""
    if not _exists(target):
        return False, [], 0, False
    try:
        is_markdown = target.is_file() and target.suffix.lower() == ".md"
    except OSError:
        return True, [], 0, False
    if not is_markdown:
        return True, [], 0, False
    others = [o for o in local_links(target) if o.lower() != "skill.md"]
    try:
        text = target.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True, others, 0, False
    count = text.count("\n") + (0 if text.endswith("\n") else 1)
    return True, others, count, count > 100 and has_table_of_contents(text)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, str):
        return yamltext.scalar(value)
    return json.dumps(value, default=str)


def _is_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in (0, 1)
    return isinstance(value, str) and value.strip().lower() in _BOOL_WORDS


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE_WORDS if value is not None else False


def _falsy(value: Any) -> bool:
    return value is not None and _is_bool(value) and not _truthy(value)


def _is_str_or_str_list(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _declared_arguments(value: Any) -> set[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else re.split(r"[\s,]+", str(value))
    return {str(v).strip().lstrip("$") for v in items if str(v).strip()}


def _code_spans(body: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping offsets of fenced blocks and inline code, where `$x` is usually shell."""
    fences = [(m.start(), m.end()) for m in re.finditer(r"^(```|~~~).*?^\1[^\n]*$", body, re.S | re.M)]
    spans = list(fences)
    for m in re.finditer(r"`[^`\n]+`", body):
        spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


_WHEN = re.compile(r"\b(when|whenever|if|use (?:it |this )?(?:for|to|on))\b", re.I)
_PERSON = re.compile(r"^\s*(i|i'm|i am|we|you|you're|my|our)\b|\b(i can|i will|you can|we can)\b", re.I)


def _description_problems(text: str, *, has_when: bool) -> list[str]:
    """Heuristic quality notes (English only: other scripts are not judged)."""
    stripped = " ".join(text.split())
    letters = [c for c in stripped if c.isalpha()]
    if not letters or sum(c.isascii() for c in letters) / len(letters) < 0.8:
        return []
    problems = []
    if len(stripped) < 20 or len(stripped.split()) < 4:
        problems.append("is very short: say what the skill does and when to use it")
    if not has_when and not _WHEN.search(stripped):
        problems.append("does not say when to use the skill: add 'Use when ...'")
    if _PERSON.search(stripped):
        problems.append("is written in the first or second person: write 'Processes X', not 'I can' or 'You can'")
    return problems


def _folder_size(folder: Path, stop_at: int) -> int:
    total = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", "__pycache__")]
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                continue
            if total >= stop_at:
                return total
    return total
