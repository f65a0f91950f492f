"""SEP-2640 publication of skills: URIs, MIME types, exact bytes, digests and limits (no MCP imports).

Every file of a skill is a resource at `skill://<name>/<file>`, `SKILL.md`
explicit. The manifest (`sha256` + size) is computed over exactly the bytes
`resources/read` returns, read once into a `Published` snapshot, so a listing
and a read made from the same snapshot can never disagree. The skills a user
sees are deduplicated by name by the store (its own rules of visibility and
precedence, `SkillStore.visible`), so every name maps to one skill.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import logging
import math
import mimetypes
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInputError, NotFoundError
from ..store.base import SkillStore, SkillSummary

log = logging.getLogger(__name__)

SCHEME = "skill://"
SKILL_FILE = "SKILL.md"
#: SEP-2640: hosts must accept up to these per skill; servers should not exceed them
MAX_FILES = 512
MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class PublishedFile:
    """One file of a skill as served."""

    uri: str
    path: str
    data: bytes
    mime_type: str

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def text(self) -> str | None:
        """The content as text when it round-trips exactly (UTF-8, no NUL), else None (serve as blob)."""
        if b"\x00" in self.data:
            return None
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None


@dataclass(frozen=True)
class Published:
    """A skill's SEP-2640 entry and its files, read in one go."""

    summary: SkillSummary
    frontmatter: dict[str, Any]
    files: tuple[PublishedFile, ...]

    @property
    def uri(self) -> str:
        return skill_md_uri(self.summary.name)

    def entry(self) -> dict[str, Any]:
        """The `Skill` object of `skills/list` and `skills/get`."""
        return {
            "uri": self.uri,
            "frontmatter": self.frontmatter,
            "resources": [{"uri": f.uri, "digest": f.digest, "size": f.size} for f in self.files],
        }

    def file(self, path: str) -> PublishedFile | None:
        return next((f for f in self.files if f.path == path), None)


def skill_md_uri(name: str) -> str:
    return f"{SCHEME}{name}/{SKILL_FILE}"


def split_uri(uri: str) -> tuple[str, str]:
    """(skill name, file path) of a `skill://<name>/<file>` URI; InvalidInputError otherwise."""
    if not uri.startswith(SCHEME):
        raise InvalidInputError(f"not a skill:// URI: {uri!r}")
    rest = uri[len(SCHEME):]
    name, sep, path = rest.partition("/")
    if not name or not sep or not path:
        raise InvalidInputError(f"{uri!r} names no file; skill URIs look like skill://<name>/SKILL.md")
    return name, path


def mime_type(path: str, data: bytes) -> str:
    """SKILL.md and Markdown are text/markdown; otherwise the extension's type, else text/plain or octet-stream."""
    if path == SKILL_FILE or path.endswith("/" + SKILL_FILE):
        return "text/markdown"
    guessed, _ = mimetypes.guess_type(path, strict=False)
    if guessed:
        return guessed
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            pass
    return "application/octet-stream"


def find_visible(store: SkillStore, user_id: str, name: str) -> SkillSummary | None:
    """The skill `store.visible` would list under `name` (the store's lookup has the same precedence)."""
    skill = store.find(name, user_id=user_id, scope="all")
    if skill is None or skill.status.value != "active":
        return None
    folder = store.skill_dir(skill.id)
    return SkillSummary(skill.id, skill.name, skill.description, skill.version, skill.scope.value, skill.user_id,
                        skill.status.value, tuple(skill.tags), skill.updated_at, str(folder or ""))


def frontmatter_of(text: bytes) -> dict[str, Any]:
    """The YAML frontmatter as JSON-ready data, every field kept (dates become ISO strings).

    Read with the SKILL.md parser, which never raises and bounds what it does (size, nesting,
    aliases, keys): a skill's frontmatter is its author's input, and one odd skill (a tag YAML
    cannot construct, an alias bomb) must not break `skills/list` for every other skill. A value
    YAML cannot construct is kept as written; a frontmatter that cannot be read is `{}`.
    """
    from ..skillmd.parser import parse

    parsed = parse(text)
    if not parsed.frontmatter_closed or parsed.yaml_errors or not isinstance(parsed.data, dict):
        return {}
    return _jsonable(parsed.data)


def _jsonable(value: Any) -> Any:
    """Any value YAML's safe loader builds, as JSON (sets, pairs and bytes included)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=str)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or Infinity
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


def publish(store: SkillStore, summary: SkillSummary) -> Published:
    """Read every file of a skill once; InvalidInputError when it exceeds the SEP-2640 limits."""
    files = store.list_files(summary.id)  # NotFoundError once gone (a store need not have folders)
    if len(files) + 1 > MAX_FILES:
        raise InvalidInputError(f"skill {summary.name!r} has {len(files) + 1} files, over the {MAX_FILES}-file limit")
    if sum(f.size for f in files) > MAX_BYTES:
        raise InvalidInputError(f"skill {summary.name!r} is over the {MAX_BYTES}-byte limit")
    skill_md = store.read_skill_md(summary.id)  # not a read of the folder: the store never follows a link
    out = [PublishedFile(f"{SCHEME}{summary.name}/{SKILL_FILE}", SKILL_FILE, skill_md, "text/markdown")]
    total = len(skill_md)
    for f in files:
        data = store.read_file(summary.id, f.path)
        total += len(data)
        if total > MAX_BYTES:
            raise InvalidInputError(f"skill {summary.name!r} is over the {MAX_BYTES}-byte limit")
        out.append(PublishedFile(f"{SCHEME}{summary.name}/{f.path}", f.path, data, mime_type(f.path, data)))
    out.sort(key=lambda f: (f.path != SKILL_FILE, f.path))
    return Published(summary, frontmatter_of(skill_md), tuple(out))


def publish_all(store: SkillStore, user_id: str) -> list[Published]:
    """Every visible skill that can be published (ones over the limits are logged and left out)."""
    out: list[Published] = []
    for summary in store.visible(user_id):
        try:
            out.append(publish(store, summary))
        except (InvalidInputError, NotFoundError, OSError) as exc:
            log.warning("not publishing %s: %s", summary.name, exc)
    return out
