"""Skill storage behind one interface: the local folder store is the default.

Names load on first use, so light modules (the job queue a hook writes to, say)
can import `store.layout` without loading the store itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "SCOPES": ".base", "FileInfo": ".base", "ImportReport": ".base", "SkillHit": ".base", "SkillStore": ".base",
    "SkillSummary": ".base", "VersionInfo": ".base",
    "LocalSkillStore": ".local",
    "AGENT_SKILL_DIRS": ".transfer", "ImportLimits": ".transfer", "agent_skill_dir": ".transfer",
    "export_skills": ".transfer", "import_skill_dirs": ".transfer",
    "EphemeralSkillStore": ".factory", "open_store": ".factory", "open_tokens": ".factory",
    "FileTokenStore": ".tokens", "TokenStore": ".tokens",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .base import SCOPES, FileInfo, ImportReport, SkillHit, SkillStore, SkillSummary, VersionInfo
    from .factory import EphemeralSkillStore, open_store, open_tokens
    from .local import LocalSkillStore
    from .tokens import FileTokenStore, TokenStore
    from .transfer import AGENT_SKILL_DIRS, ImportLimits, agent_skill_dir, export_skills, import_skill_dirs
