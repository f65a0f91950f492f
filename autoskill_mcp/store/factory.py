"""Opening a store from settings: the local folder store, a temporary one (the seed's `inmemory`),
or the team store on PostgreSQL (store/postgres/, imported only when chosen); and the bearer tokens
that go with it (`open_tokens`), picked by the same settings."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..config import POSTGRES_PROVIDERS, postgres_dsn
from ..errors import ConfigError
from .base import SkillStore
from .local import LocalSkillStore
from .tokens import FileTokenStore, TokenStore

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
    provider = _provider(settings)
    common: dict[str, Any] = {
        "embeddings": embeddings,
        "library_dirs": library_dirs or [],
        "background": background,
    }
    if "sync_interval" in settings:
        common["sync_interval"] = float(settings["sync_interval"])
    if provider == "local":
        return LocalSkillStore(home, **common)
    if provider == "inmemory":
        return EphemeralSkillStore(**common)
    dsn = _dsn(settings)
    from .postgres import PostgresSkillStore

    if library_dirs:
        log.warning("the team store does not search library folders yet; ignoring %s",
                    ", ".join(map(str, library_dirs)))
    return PostgresSkillStore(dsn, embeddings=embeddings, background=background, cache_dir=home / "team-index",
                              vectors=settings.get("vectors"))


def open_tokens(settings: dict[str, Any], *, home: Path) -> TokenStore:
    """The bearer tokens that go with the store the settings name: the team store's database for a
    postgres store (every replica in front of it accepts the same tokens), else `<home>/mcp/tokens.json`."""
    if _provider(settings) != "postgres":
        return FileTokenStore(home)
    from .postgres.tokens import PgTokenStore

    tokens = PgTokenStore(_dsn(settings), home=home)
    local = FileTokenStore(home)
    if local.path.exists():
        log.warning("%s is not used with the team store: its tokens are not accepted; issue them again "
                    "with `autoskill mcp --new-token USER` (they go to %s)", local.path, tokens.where)
    return tokens


def _provider(settings: dict[str, Any]) -> str:
    """`local`, `inmemory` or `postgres`, from the provider's name or one of its aliases."""
    provider = str(settings.get("provider", "local")).lower()
    for name, aliases in (("local", ("local", "filesystem", "fs")), ("inmemory", ("inmemory", "memory", "in-memory")),
                          ("postgres", POSTGRES_PROVIDERS)):
        if provider in aliases:
            return name
    raise ConfigError(f"unknown store provider {provider!r}; use 'local', 'inmemory' or 'postgres'")


def _dsn(settings: dict[str, Any]) -> str:
    """The postgres store's DSN; ConfigError when psycopg is missing (naming the extra) or no DSN is set."""
    from .postgres import require_psycopg

    require_psycopg()
    dsn = postgres_dsn(settings)
    assert dsn is not None, "only called for settings whose provider is postgres"
    return dsn

