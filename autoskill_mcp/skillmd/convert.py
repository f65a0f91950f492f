"""ParsedSkillMd -> Skill, leniently, for import: our layout, AutoSkill's SkillBank, Claude Code.

Lenient like the clients' loaders (agentskills.io "adding skills support"): a bad
name is read with a warning (the store then keeps its slug, and import says so), a missing name falls back to the
folder, a missing description to the body's first paragraph; only unparseable YAML or no usable
name/description skips the file (``skipped_reason``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..skill import DEFAULT_VERSION, SKILL_TYPE_KEY, Provenance, Skill, SkillExample, SkillStatus
from .names import folder_name_of, name_problems
from .parser import FieldNode, ParsedSkillMd
from .profiles import CLAUDE_CODE_KEYS, SPEC_KEYS
from .render import (
    AUTOSKILL_TOP_KEYS,
    EXTENSION_PREFIX,
    METADATA_ID,
    METADATA_PROVENANCE,
    METADATA_STATUS,
    METADATA_TAGS,
    METADATA_VERSION,
    extension_value,
)
from .sections import (
    ManagedBody,
    bullets,
    first_heading,
    first_paragraph,
    markdown_section,
    normalize_newlines,
    split_managed,
)

# AutoSkill's body sections after "## Prompt"; the prompt itself may contain other "## " headings.
_AUTOSKILL_TRAILING = ("Files", "Triggers", "Examples")


@dataclass
class ConversionResult:
    """The imported skill (None when skipped), what was bent to get it, and where it came from."""

    skill: Skill | None
    warnings: list[str] = field(default_factory=list)
    skipped_reason: str | None = None
    layout: str = "spec"  # "autoskill-mcp" | "autoskill" | "claude-code" | "spec"
    had_id: bool = False  # False: the id is new, the store may want to write it back


def to_skill(parsed: ParsedSkillMd, *, dir_name: str | None = None) -> ConversionResult:
    """Build a Skill from a parsed SKILL.md; never raises."""
    return _Converter(parsed, dir_name).run()


def split_tools(value: str) -> list[str]:
    """Tool names from a space- or comma-separated string; commas inside parentheses stay."""
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0 and (ch == "," or ch.isspace()):
            if current:
                out.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        out.append("".join(current))
    return out


def has_top_level_comma(value: str) -> bool:
    """True when a comma outside parentheses separates tools (Claude Code's comma form)."""
    depth = 0
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            return True
    return False


class _Converter:
    def __init__(self, parsed: ParsedSkillMd, dir_name: str | None) -> None:
        self.parsed = parsed
        self.dir_name = dir_name if dir_name is not None else folder_name_of(parsed.path)
        self.warnings: list[str] = []

    def run(self) -> ConversionResult:
        p = self.parsed
        if p.yaml_errors:
            first = p.yaml_errors[0]
            return self._skip(f"invalid YAML in frontmatter at line {first.range.start.line + 1}: {first.message}")
        if p.has_frontmatter and not p.frontmatter_closed:
            return self._skip("frontmatter not closed with a `---` line")
        if p.encoding_error:
            self.warnings.append(f"file is {p.encoding_error}; undecodable bytes were replaced")
        data: dict[str, Any]
        if not p.has_frontmatter:
            self.warnings.append("no frontmatter; name and description come from the folder and the body")
            data = {}
        elif p.data is None:
            data = {}
        elif isinstance(p.data, dict):
            data = p.data
        else:
            return self._skip(f"frontmatter is a {type(p.data).__name__}, not a mapping")
        try:
            return self._convert(data)
        except Exception as exc:  # a bug must not stop a bulk import
            return self._skip(f"could not convert: {type(exc).__name__}: {exc}")

    def _skip(self, reason: str) -> ConversionResult:
        return ConversionResult(None, self.warnings, reason)

    # -- main ---------------------------------------------------------------------------

    def _convert(self, data: dict[str, Any]) -> ConversionResult:
        fields = self.parsed.fields
        body = normalize_newlines(self.parsed.body)
        meta_field = fields.get("metadata")
        metadata_in: dict[str, Any] = {}
        if "metadata" in data:
            if isinstance(data["metadata"], dict):
                metadata_in = data["metadata"]
            elif data["metadata"] is not None:
                self.warnings.append("metadata is not a mapping; dropped (as Claude Code does)")

        autoskill = any(k in data for k in ("id", "skill_id", "triggers", "examples", "instructions", "prompt"))
        ours = METADATA_ID in metadata_in
        layout = "autoskill-mcp" if ours else "autoskill" if autoskill else "spec"
        if layout == "spec" and any(k in data for k in CLAUDE_CODE_KEYS):
            layout = "claude-code"

        name = self._name(data, body)
        description = self._description(data, body)
        if name is None:
            return self._skip("no usable name: the frontmatter has none and no folder name is known")
        if description is None:
            return self._skip("no usable description: the frontmatter has none and the body has no paragraph")

        managed = split_managed(body)
        self.warnings.extend(managed.warnings)
        instructions = managed.instructions
        if not (managed.has_triggers or managed.has_examples) and layout == "autoskill":
            instructions = self._autoskill_instructions(data, body)

        skill = Skill(name=name, description=description, instructions=instructions)
        skill.license = self._text_field(data, "license")
        skill.compatibility = self._text_field(data, "compatibility")
        skill.allowed_tools = self._allowed_tools(data)

        had_id = False
        top_id = data.get("id", data.get("skill_id"))
        if METADATA_ID in metadata_in and _scalar_text(metadata_in[METADATA_ID]):
            skill.id = _scalar_text(metadata_in[METADATA_ID])
            had_id = True
        elif top_id is not None and str(top_id).strip():
            skill.id = str(top_id).strip()
            had_id = True

        version = metadata_in.get(METADATA_VERSION) if METADATA_VERSION in metadata_in else None
        version_text = self._meta_text(meta_field, METADATA_VERSION, version)
        if version_text is None and "version" in data:
            version_text = self._raw(fields.get("version"), data["version"])
            if layout not in ("autoskill", "autoskill-mcp"):
                self.warnings.append("top-level 'version' is not a spec key; read as the skill version")
        skill.version = (version_text or "").strip() or DEFAULT_VERSION

        skill.tags = self._tags(data, metadata_in, layout)
        skill.status = self._status(metadata_in)
        skill.provenance = self._provenance(metadata_in)
        skill.triggers = self._triggers(data, body, managed, layout)
        skill.examples = self._examples(data, managed)

        for key, value in metadata_in.items():
            k = str(key)
            if k in (METADATA_ID, METADATA_VERSION, METADATA_TAGS, METADATA_STATUS, METADATA_PROVENANCE):
                continue
            if k.startswith(EXTENSION_PREFIX) and isinstance(value, str):
                skill.extensions[k[len(EXTENSION_PREFIX) :]] = extension_value(value)
                continue
            text = self._meta_text(meta_field, k, value)
            skill.metadata[k] = text if text is not None else ""

        for key, value in data.items():
            if key in SPEC_KEYS or key in AUTOSKILL_TOP_KEYS:
                continue
            if key == SKILL_TYPE_KEY and isinstance(value, str) and skill.metadata.get(key, value) == value:
                skill.metadata[key] = value  # EvoMaster's top-level key: kept in metadata, where the spec allows it
                continue
            skill.extensions[key] = value
            if key not in CLAUDE_CODE_KEYS:
                self.warnings.append(f"unknown frontmatter key '{key}' kept as an extension")
        return ConversionResult(skill, self.warnings, None, layout, had_id)

    # -- fields -------------------------------------------------------------------------

    def _name(self, data: dict[str, Any], body: str) -> str | None:
        value = data.get("name")
        name: str | None = None
        if isinstance(value, str) and value.strip():
            name = value.strip()
        elif value is not None and not isinstance(value, (dict, list)):
            name = self._raw(self.parsed.fields.get("name"), value).strip() or None
            if name:
                self.warnings.append(f"name {name!r} is not a string in YAML; read as text")
        if name is None:
            if self.dir_name:
                name = self.dir_name
                self.warnings.append(f"no name in the frontmatter; using the folder name '{name}'")
            else:
                heading = first_heading(body)
                if heading:
                    name = heading
                    self.warnings.append(f"no name in the frontmatter; using the first heading '{name}'")
        if name is not None:
            problems = name_problems(name)
            if problems:
                kinds = ", ".join(p.detail for p in problems)
                self.warnings.append(f"name '{name}' is not a valid spec name ({kinds})")
        return name

    def _description(self, data: dict[str, Any], body: str) -> str | None:
        value = data.get("description")
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is not None and not isinstance(value, (dict, list)) and str(value).strip():
            text = self._raw(self.parsed.fields.get("description"), value).strip()
            self.warnings.append("description is not a string in YAML; read as text")
            return text
        para = first_paragraph(body)
        if para:
            self.warnings.append("no description in the frontmatter; using the body's first paragraph")
            return para
        return None

    def _text_field(self, data: dict[str, Any], key: str) -> str | None:
        if key not in data or data[key] is None:
            return None
        value = data[key]
        if isinstance(value, str):
            return value.strip()
        self.warnings.append(f"{key} is not a string; stored as text")
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, default=str)
        return self._raw(self.parsed.fields.get(key), value).strip()

    def _allowed_tools(self, data: dict[str, Any]) -> str | None:
        if "allowed-tools" not in data or data["allowed-tools"] is None:
            return None
        value = data["allowed-tools"]
        if isinstance(value, list):
            self.warnings.append("allowed-tools was a YAML list; stored space-separated")
            return " ".join(str(v).strip() for v in value if str(v).strip())
        if isinstance(value, str):
            if has_top_level_comma(value):
                self.warnings.append("allowed-tools was comma-separated; stored space-separated")
                return " ".join(split_tools(value))
            return value.strip()
        self.warnings.append("allowed-tools is not a string; stored as text")
        return str(value)

    def _tags(self, data: dict[str, Any], metadata_in: dict[str, Any], layout: str) -> list[str]:
        raw: Any = None
        if METADATA_TAGS in metadata_in:
            raw = metadata_in[METADATA_TAGS]
        else:
            for key in ("tags", "tag"):
                if key in data:
                    raw = data[key]
                    if layout not in ("autoskill", "autoskill-mcp"):
                        self.warnings.append(f"top-level '{key}' is not a spec key; read as the skill's tags")
                    break
        if raw is None:
            return []
        items = raw if isinstance(raw, list) else str(raw).split(",")
        out: list[str] = []
        for item in items:
            s = str(item).strip()
            if s and s not in out:
                out.append(s)
        return out

    def _status(self, metadata_in: dict[str, Any]) -> SkillStatus:
        value = metadata_in.get(METADATA_STATUS)
        if value is None:
            return SkillStatus.ACTIVE
        try:
            return SkillStatus(str(value).strip().lower())
        except ValueError:
            self.warnings.append(f"unknown {METADATA_STATUS} '{value}'; treated as active")
            return SkillStatus.ACTIVE

    def _provenance(self, metadata_in: dict[str, Any]) -> list[Provenance]:
        value = metadata_in.get(METADATA_PROVENANCE)
        if value is None:
            return []
        try:
            items = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            self.warnings.append(f"{METADATA_PROVENANCE} is not valid JSON; dropped")
            return []
        if not isinstance(items, list):
            self.warnings.append(f"{METADATA_PROVENANCE} is not a list; dropped")
            return []
        return [Provenance.from_dict(d) for d in items if isinstance(d, dict)]

    def _triggers(self, data: dict[str, Any], body: str, managed: ManagedBody, layout: str) -> list[str]:
        if managed.has_triggers:
            return list(managed.triggers)
        for key in ("triggers", "trigger"):
            if key in data and data[key] is not None:
                value = data[key]
                items = value if isinstance(value, list) else [value]
                return [str(v).strip() for v in items if str(v).strip()]
        if layout == "autoskill":
            section = markdown_section(body, "Triggers")
            if section:
                return bullets(section)
        return []

    def _examples(self, data: dict[str, Any], managed: ManagedBody) -> list[SkillExample]:
        raw = managed.examples if managed.has_examples else data.get("examples")
        if raw is None:
            return []
        if not isinstance(raw, list):
            raw = [raw]
        out: list[SkillExample] = []
        for item in raw:
            ex = SkillExample.from_any(item)
            if ex is None:
                self.warnings.append("an example without input was dropped")
            else:
                out.append(ex)
        return out

    def _autoskill_instructions(self, data: dict[str, Any], body: str) -> str:
        for key in ("instructions", "prompt"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        for title, stops in (("Prompt", _AUTOSKILL_TRAILING), ("Instructions", _AUTOSKILL_TRAILING)):
            section = markdown_section(body, title, stops)
            if section and section.strip():
                return section.strip()
        return body.strip()

    # -- text of values -----------------------------------------------------------------

    def _raw(self, node: FieldNode | None, value: Any) -> str:
        """The value as written (``1.10`` stays "1.10"), else its JSON or str form."""
        if node is not None and node.scalar_text is not None:
            return node.scalar_text
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, default=str)
        return "" if value is None else str(value)

    def _meta_text(self, meta_field: FieldNode | None, key: str, value: Any) -> str | None:
        if value is None and (meta_field is None or key not in meta_field.children):
            return None
        if isinstance(value, str):
            return value
        child = meta_field.children.get(key) if meta_field is not None else None
        text = self._raw(child, value)
        self.warnings.append(f"metadata.{key} is not a string; stored as {text!r}")
        return text


def _scalar_text(value: Any) -> str:
    return "" if value is None else str(value).strip()
