"""Opening a store from settings: the local folder store, a temporary one (the seed's `inmemory`),
or the team store on PostgreSQL (store/postgres/, imported only when chosen)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..config import POSTGRES_PROVIDERS
from ..errors import ConfigError
from .base import SkillStore
from .local import LocalSkillStore

log = logging.getLogger(__name__)


class EphemeralSkillStore(LocalSkillStore):
    """The seed's `inmemory` store: a private temporary folder removed on close."""

    def __init__(self, **kwargs: Any) -> None:
        self._tmp = tempfile.mkdtemp(prefix="autoskill-mem-")
        super().__init__(self._tmp, **kwargs)

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._tmp, ignore_errors=True)


def open_store(
    settings: dict[str, Any], *, home: Path, embeddings: dict[str, Any] | None = None,
    library_dirs: list[Path] | None = None, background: bool = True,
) -> SkillStore:
    """Open the store the settings name (`{"provider": "local" | "inmemory" | "postgres", ...}`)."""
    provider = str(settings.get("provider", "local")).lower()
    common: dict[str, Any] = {
        "embeddings": embeddings,
        "library_dirs": library_dirs or [],
        "background": background,
    }
    if "sync_interval" in settings:
        common["sync_interval"] = float(settings["sync_interval"])
    if provider in ("local", "filesystem", "fs"):
        return LocalSkillStore(home, **common)
    if provider in ("inmemory", "memory", "in-memory"):
        return EphemeralSkillStore(**common)
    if provider in POSTGRES_PROVIDERS:
        from .postgres import PostgresSkillStore, require_psycopg

        require_psycopg()  # a ConfigError naming the extra to install
        dsn = settings.get("dsn") or settings.get("url")
        if not isinstance(dsn, str) or not dsn.strip():
            raise ConfigError('the postgres store needs a "dsn" (postgresql://user:password@host/database)')
        if library_dirs:
            log.warning("the team store does not search library folders yet; ignoring %s",
                        ", ".join(map(str, library_dirs)))
        return PostgresSkillStore(dsn, embeddings=embeddings, background=background, cache_dir=home / "team-index")
    raise ConfigError(f"unknown store provider {provider!r}; use 'local', 'inmemory' or 'postgres'")

