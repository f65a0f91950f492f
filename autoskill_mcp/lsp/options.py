"""The language server's settings: LSP ``initializationOptions`` as one typed value.

The VS Code extension sends ``{"home": str | null, "user": str | null, "profile":
"auto" | "spec" | "claude-code" | "codex"}`` (editors/vscode/src/settings.ts). Null
or missing values fall back to the environment (``AUTOSKILL_HOME``,
``AUTOSKILL_USER``) and the path-based profile detection; wrong types are
ignored with a warning rather than failing the session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ..skillmd.profiles import PROFILES

log = logging.getLogger(__name__)

AUTO = "auto"


@dataclass(frozen=True)
class ServerOptions:
    """``profile`` None means "detect from each file's path"."""

    home: str | None = None
    user: str | None = None
    profile: str | None = None
    problems: tuple[str, ...] = field(default=())

    @classmethod
    def from_json(cls, data: Any) -> ServerOptions:
        """Read initializationOptions (or the ``autoskill`` settings section); never raises."""
        if not isinstance(data, dict):
            return cls()
        problems: list[str] = []

        def text(key: str) -> str | None:
            value = data.get(key)
            if value is None:
                return None
            if not isinstance(value, str):
                problems.append(f"initializationOptions.{key} should be a string, got {type(value).__name__}")
                return None
            return value.strip() or None

        profile = text("profile")
        if profile is not None:
            profile = profile.lower()
            if profile == AUTO:
                profile = None
            elif profile not in PROFILES:
                problems.append(f"unknown profile {profile!r}; use one of: auto, {', '.join(PROFILES)}")
                profile = None
        options = cls(text("home"), text("user"), profile, tuple(problems))
        for problem in options.problems:
            log.warning("%s", problem)
        return options

    def with_profile(self, value: Any) -> ServerOptions:
        """A copy with the profile changed by a settings update."""
        profile = ServerOptions.from_json({"profile": value}).profile
        return ServerOptions(self.home, self.user, profile, self.problems)
