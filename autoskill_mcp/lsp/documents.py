"""One open SKILL.md at one version: its text parsed once and shared by every feature.

Diagnostics, completion, hover, symbols and code actions on the same version
reuse the parse and the rule results instead of redoing them per request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from ..skillmd import Diagnostic, ParsedSkillMd, parse, validate
from ..skillmd.names import folder_name_of
from ..skillmd.profiles import detect_profile
from .positions import PositionMap


def is_skill_md(uri: str) -> bool:
    """True for documents named SKILL.md in any case (wrong casings get their own diagnostic)."""
    return uri.rsplit("/", 1)[-1].lower() == "skill.md"


@dataclass
class Snapshot:
    """The analysis of one document version; cheap parts are computed on first use."""

    uri: str
    version: int | None
    text: str
    encoding: str | None
    profile_setting: str | None
    path: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.path = to_fs_path(self.uri) if self.uri.startswith("file:") else None

    @cached_property
    def skill_dir(self) -> Path | None:
        """The folder holding the file, when it exists on disk (file checks run only then)."""
        if self.path is None:
            return None
        folder = Path(os.path.dirname(self.path))
        return folder if folder.is_dir() else None

    @cached_property
    def profile(self) -> str:
        return self.profile_setting or detect_profile(self.path)

    @cached_property
    def dir_name(self) -> str | None:
        return folder_name_of(self.path)

    @cached_property
    def parsed(self) -> ParsedSkillMd:
        return parse(self.text, self.path)

    @cached_property
    def positions(self) -> PositionMap:
        return PositionMap(self.text, self.encoding)

    @cached_property
    def diagnostics(self) -> list[Diagnostic]:
        """The rule catalogue's findings for this version (store findings are added by the server)."""
        return validate(self.parsed, path=self.path, profile=self.profile, dir_name=self.dir_name,
                        skill_dir=self.skill_dir)


class Documents:
    """Snapshots of the open SKILL.md files, one per URI, rebuilt when the version or settings change."""

    def __init__(self) -> None:
        self._snapshots: dict[str, Snapshot] = {}

    def get(self, doc: TextDocument, encoding: str | None, profile: str | None) -> Snapshot:
        snap = self._snapshots.get(doc.uri)
        text = doc.source
        if (snap is None or snap.version != doc.version or snap.profile_setting != profile
                or snap.encoding != encoding or snap.text != text):
            snap = Snapshot(doc.uri, doc.version, text, encoding, profile)
            self._snapshots[doc.uri] = snap
        return snap

    def forget(self, uri: str) -> None:
        self._snapshots.pop(uri, None)

    def invalidate(self) -> None:
        """Drop every snapshot (files on disk or settings changed)."""
        self._snapshots.clear()
