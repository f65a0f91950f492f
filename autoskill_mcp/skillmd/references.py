"""File references in a SKILL.md body: Markdown links and backticked ``scripts/...`` paths.

Found outside fenced code blocks only, with their exact ranges, so the rules can
point at the path and the LSP can offer go-to-definition on it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from . import fences
from .parser import ParsedSkillMd
from .positions import Range

# Link text holds no brackets or one level of them (`[a [b] c](x)`): a text that may run over
# brackets makes every "[" of a line rescan the rest of it (quadratic on "[[[[...").
_LINK = re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+\"[^\"\n]*\")?\s*\)")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_RESOURCE_PATH = re.compile(r"^(?:\./)?(?:scripts|references|assets)[/\\][^\s`*?<>|\"']+$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_SKILL_DIR_VAR = re.compile(r"^\$\{CLAUDE_SKILL_DIR\}[/\\]")


@dataclass(frozen=True)
class Reference:
    """One local path the body points at; ``target`` is as written, ``path`` is cleaned for lookup."""

    target: str
    path: str
    range: Range
    kind: str  # "link" | "code"

    @property
    def has_backslash(self) -> bool:
        return "\\" in self.target

    @property
    def is_absolute(self) -> bool:
        return self.path.startswith("/") or self.path.startswith("~") or bool(_DRIVE.match(self.target))

    @property
    def escapes_root(self) -> bool:
        norm = posixpath.normpath(self.path)
        return norm == ".." or norm.startswith("../")


MAX_REFERENCES = 1000


def find_references(parsed: ParsedSkillMd, limit: int = MAX_REFERENCES) -> list[Reference]:
    """Local file references in the body, skipping URLs, anchors and fenced code.

    Stops after ``limit`` references: a body with more is already flagged as too
    long, and the checks must stay fast on a 10 MB file.
    """
    refs: list[Reference] = []
    offset = parsed.body_offset
    fence: str | None = None
    for line in _lines_with_offsets(parsed.body):
        if len(refs) >= limit:
            break
        text, start = line
        fence, is_fence = fences.step(fence, text)
        if is_fence or fence is not None:
            continue
        for lm in _LINK.finditer(text):
            raw = lm[1]
            s, e = lm.start(1), lm.end(1)
            if raw.startswith("<") and raw.endswith(">"):
                raw, s, e = raw[1:-1], s + 1, e - 1
            ref = _reference(raw, parsed, offset + start + s, offset + start + e, "link")
            if ref:
                refs.append(ref)
        for cm in _CODE_SPAN.finditer(text):
            raw = cm[1].strip()
            if _RESOURCE_PATH.match(raw) or _RESOURCE_PATH.match(_SKILL_DIR_VAR.sub("", raw)):
                s = cm.start(1) + (len(cm[1]) - len(cm[1].lstrip()))
                ref = _reference(raw, parsed, offset + start + s, offset + start + s + len(raw), "code")
                if ref:
                    refs.append(ref)
    return refs


def _reference(raw: str, parsed: ParsedSkillMd, start: int, end: int, kind: str) -> Reference | None:
    target = raw.strip()
    if not target or target.startswith("#"):
        return None
    cleaned = _SKILL_DIR_VAR.sub("", target)
    if _SCHEME.match(cleaned) and not _DRIVE.match(cleaned):
        return None  # https:, mailto:, file: ...
    if cleaned.startswith("$") or cleaned.startswith("{"):
        return None  # other substitutions are resolved at run time
    path = re.split(r"[#?]", cleaned, maxsplit=1)[0].replace("\\", "/")
    if path.startswith("./"):
        path = path[2:]
    if not path:
        return None
    return Reference(target, path, parsed.index.range(start, end), kind)


def _lines_with_offsets(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    pos = 0
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        chunk = m[0]
        if not chunk and m.start() >= len(text):
            break
        out.append((chunk.rstrip("\r\n"), pos))
        pos += len(chunk)
    return out


def local_links(path: Path, limit_bytes: int = 1_000_000) -> list[str]:
    """Relative .md links inside a referenced file (to spot nested reference chains)."""
    try:
        with path.open("rb") as fh:
            text = fh.read(limit_bytes).decode("utf-8", errors="replace")
    except OSError:
        return []
    out: list[str] = []
    for lm in _LINK.finditer(text):
        raw = lm[1].strip("<>").strip()
        if not raw or raw.startswith("#") or _SCHEME.match(raw):
            continue
        target = re.split(r"[#?]", raw, maxsplit=1)[0]
        if target.lower().endswith(".md") and target not in out:
            out.append(target)
    return out


def has_table_of_contents(text: str) -> bool:
    """A contents heading, or at least three links to in-page anchors."""
    if re.search(r"^#{1,6}\s*(table of contents|contents|toc)\b", text, re.I | re.M):
        return True
    return len(re.findall(r"\]\(#", text)) >= 3
