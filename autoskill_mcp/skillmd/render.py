"""Skill -> SKILL.md text that every client and validator reads back the same way.

In profile ``spec`` only the six spec keys appear at the top level; our fields live
in ``metadata`` as quoted strings (see ``METADATA_*``), client extension keys as
``x-<key>`` strings holding their YAML value (``colour: blue`` -> ``x-colour: "blue"``). Profile ``claude-code``
writes extension keys at the top level with their YAML value instead, so a copy in ~/.claude/skills keeps working.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from ..skill import SKILL_TYPE_KEY, SKILL_TYPES, Skill, SkillStatus
from . import yamlbounds, yamltext
from .profiles import CLAUDE_CODE, PROFILES, SPEC_KEYS
from .sections import render_managed

METADATA_ID = "autoskill-id"
METADATA_VERSION = "version"
METADATA_TAGS = "tags"
METADATA_STATUS = "autoskill-status"
METADATA_PROVENANCE = "autoskill-provenance"
EXTENSION_PREFIX = "x-"
RESERVED_METADATA_KEYS = frozenset(
    {METADATA_ID, METADATA_VERSION, METADATA_TAGS, METADATA_STATUS, METADATA_PROVENANCE}
)
# Top-level keys AutoSkill's SkillBank writes; read back as skill fields, so never
# written at the top level as extensions either.
AUTOSKILL_TOP_KEYS = frozenset(
    {"id", "skill_id", "version", "tags", "tag", "triggers", "trigger", "examples", "instructions", "prompt"}
)


def render(skill: Skill, profile: str = "spec") -> str:
    """The SKILL.md text for ``skill`` in ``profile`` ("spec" or "claude-code" change the output)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of: {', '.join(PROFILES)}")
    lines = ["---", f"name: {yamltext.scalar(skill.name)}", f"description: {yamltext.scalar(skill.description)}"]
    if skill.license is not None:
        lines.append(f"license: {yamltext.scalar(skill.license)}")
    if skill.compatibility is not None:
        lines.append(f"compatibility: {yamltext.scalar(skill.compatibility)}")
    if skill.allowed_tools is not None:
        lines.append(f"allowed-tools: {yamltext.scalar(skill.allowed_tools)}")

    metadata: list[tuple[str, str]] = [(METADATA_ID, skill.id), (METADATA_VERSION, skill.version)]
    if skill.tags:
        metadata.append((METADATA_TAGS, ", ".join(skill.tags)))
    if skill.status is SkillStatus.ARCHIVED:
        metadata.append((METADATA_STATUS, skill.status.value))
    if skill.provenance:
        compact = json.dumps([p.to_dict() for p in skill.provenance], ensure_ascii=False, separators=(",", ":"))
        metadata.append((METADATA_PROVENANCE, compact))
    for key, value in skill.metadata.items():
        if key in RESERVED_METADATA_KEYS or key.startswith(EXTENSION_PREFIX):
            continue  # ours win; an x- key would be read back as an extension
        metadata.append((key, str(value)))

    for key, value in skill.extensions.items():
        top = _top_level_extension(key, value) if profile == CLAUDE_CODE else None
        if top is not None:
            lines.append(top)
        else:
            metadata.append((EXTENSION_PREFIX + key, extension_text(value)))

    lines.append("metadata:")
    lines.extend(f"  {yamltext.key(k)}: {metadata_value(k, v)}" for k, v in metadata)
    lines.append("---")

    body = render_managed(
        skill.instructions,
        list(skill.triggers),
        [e.to_dict() for e in skill.examples],
    )
    return "\n".join(lines) + "\n\n" + body if body else "\n".join(lines) + "\n"


def metadata_value(key: str, value: str) -> str:
    """A metadata value as written: double-quoted, so YAML reads a string back, except a valid
    `skill_type` (one plain word), left bare as EvoMaster's line-by-line reader expects it."""
    if key == SKILL_TYPE_KEY and value in SKILL_TYPES:
        return value
    return yamltext.double_quoted(value)


def extension_text(value: Any) -> str:
    """An extension key's value as the string stored under `metadata.x-<key>`: its YAML, once.

    A plain string is itself (`colour: blue` -> `x-colour: "blue"`); anything else, or a string
    YAML would read as something else (`"3"`, `"yes"`), is its one-line YAML form (`[a, b]`,
    `'3'`), so `extension_value` gives back exactly the value that was there.
    """
    if isinstance(value, str) and value.isprintable() and _reads_back_as(value, value):
        return value
    text = _flow(value, allow_unicode=True)
    if not text.isprintable():  # NEL, U+2028 and kin are line breaks to YAML: escape them
        text = _flow(value, allow_unicode=False)
    return text


def _flow(value: Any, *, allow_unicode: bool) -> str:
    try:
        dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=allow_unicode, sort_keys=False,
                                width=2**31 - 1)
    except yaml.YAMLError:
        dumped = yaml.safe_dump(str(value), default_flow_style=True, allow_unicode=allow_unicode,
                                width=2**31 - 1)
    return dumped[: -len("\n...\n")] if dumped.endswith("\n...\n") else dumped.rstrip("\n")


def extension_value(text: str) -> Any:
    """The value `extension_text` stored (older stores wrote JSON, which YAML reads the same).

    The text comes from a file anyone may have written, so it is read within the YAML bounds;
    text over them (an alias bomb, deep nesting) stays the text it is.
    """
    try:
        return yamlbounds.safe_load(text, "extension value") if text.strip() else text
    except yaml.YAMLError:
        return text


def _reads_back_as(text: str, value: Any) -> bool:
    # The text may be anyone's (an extension string from an imported file): read within the bounds.
    try:
        return bool(text.strip()) and "\n" not in text and yamlbounds.safe_load(text) == value
    except yaml.YAMLError:
        return False


def _top_level_extension(key: str, value: Any) -> str | None:
    """``key: value`` in block YAML, or None when it cannot sit safely at the top level."""
    if key in SPEC_KEYS or key in AUTOSKILL_TOP_KEYS or not yamltext.is_plain_safe(key) or key.startswith("-"):
        return None
    try:
        dumped = yaml.safe_dump(
            {key: value}, allow_unicode=True, sort_keys=False, default_flow_style=False, width=2**31 - 1
        ).rstrip("\n")
        if yaml.safe_load(dumped) != {key: value}:
            return None
    except Exception:
        return None
    # A continuation line that reads as a delimiter would end the frontmatter early.
    if any(line.rstrip(" \t") in ("---", "...") for line in dumped.split("\n")):
        return None
    return dumped
