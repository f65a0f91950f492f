"""autoskill-mcp: learn reusable Agent Skills from coding-agent sessions and hand them back.

The public surface is small; everything not listed here is private.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import AutoSkillConfig, default_home
from .context import RenderedContext, estimate_tokens, render_context
from .errors import (
    AutoSkillError,
    ConfigError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ReadOnlyError,
)
from .sdk import AutoSkill
from .skill import Provenance, Scope, Skill, SkillExample, SkillStatus
from .store import ImportReport, LocalSkillStore, SkillHit, SkillStore, SkillSummary, VersionInfo

__all__ = [
    "AutoSkill",
    "AutoSkillConfig",
    "AutoSkillError",
    "ConfigError",
    "ConflictError",
    "ImportReport",
    "InvalidInputError",
    "LocalSkillStore",
    "NotFoundError",
    "Provenance",
    "ReadOnlyError",
    "RenderedContext",
    "Scope",
    "Skill",
    "SkillExample",
    "SkillHit",
    "SkillStatus",
    "SkillStore",
    "SkillSummary",
    "VersionInfo",
    "__version__",
    "default_home",
    "estimate_tokens",
    "render_context",
]
