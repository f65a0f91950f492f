"""autoskill-mcp: learn reusable Agent Skills from coding-agent sessions and hand them back.

The public surface is small; everything not listed here is private. Names load on
first use (see `_lazy.py`), so importing the package costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "AutoSkill": ".sdk",
    "AutoSkillConfig": ".config",
    "default_home": ".config",
    "RenderedContext": ".context",
    "estimate_tokens": ".context",
    "render_context": ".context",
    "AutoSkillError": ".errors",
    "ConfigError": ".errors",
    "ConflictError": ".errors",
    "InvalidInputError": ".errors",
    "NotFoundError": ".errors",
    "ReadOnlyError": ".errors",
    "Provenance": ".skill",
    "Scope": ".skill",
    "Skill": ".skill",
    "SkillExample": ".skill",
    "SkillStatus": ".skill",
    "ImportReport": ".store",
    "LocalSkillStore": ".store",
    "SkillHit": ".store",
    "SkillStore": ".store",
    "SkillSummary": ".store",
    "VersionInfo": ".store",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:
    from .config import AutoSkillConfig, default_home
    from .context import RenderedContext, estimate_tokens, render_context
    from .errors import AutoSkillError, ConfigError, ConflictError, InvalidInputError, NotFoundError, ReadOnlyError
    from .sdk import AutoSkill
    from .skill import Provenance, Scope, Skill, SkillExample, SkillStatus
    from .store import ImportReport, LocalSkillStore, SkillHit, SkillStore, SkillSummary, VersionInfo
