"""One typed settings object shared by the SDK, the CLI and the servers.

Defaults come from, in order: explicit arguments, environment variables
(`AUTOSKILL_HOME`, `AUTOSKILL_USER`, `AUTOSKILL_STORE_URL`), the optional `<home>/config.toml`, and
the built-in values below. The CLI and the SDK resolve them the same way, so
what one writes the other finds.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_USER = "default"
#: store providers that name the team store on PostgreSQL (store/postgres/)
POSTGRES_PROVIDERS = ("postgres", "postgresql", "pg")


def postgres_dsn(store: dict[str, Any]) -> str | None:
    """The DSN of store settings that name the team store (None for any other provider); a ConfigError
    when they name it without one. Read alike by the store factory and by what must not open the store."""
    if str(store.get("provider", "local")).lower() not in POSTGRES_PROVIDERS:
        return None
    dsn = store.get("dsn") or store.get("url")
    if not isinstance(dsn, str) or not dsn.strip():
        raise ConfigError('the postgres store needs a "dsn" (postgresql://user:password@host/database)')
    return dsn


def default_home() -> Path:
    """The per-user store root: `AUTOSKILL_HOME`, else the platform's data directory."""
    env = os.environ.get("AUTOSKILL_HOME")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "autoskill"


def _read_config_file(home: Path) -> dict[str, Any]:
    path = home / "config.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc}); fix or remove it") from exc


@dataclass
class AutoSkillConfig:
    """Settings in the shape of AutoSkill's `AutoSkillConfig`, with better defaults.

    `llm`, `embeddings` and `store` take the seed's dicts, e.g.
    `embeddings={"provider": "hashing", "dims": 256}` or
    `store={"provider": "local", "path": "SkillBank"}`. Left out, the store is
    the per-user local store and embeddings are the offline MiniLM model
    (falling back to hashing when it cannot be loaded).
    """

    llm: dict[str, Any] = field(default_factory=lambda: {"provider": "auto"})
    embeddings: dict[str, Any] = field(default_factory=lambda: {"provider": "auto"})
    store: dict[str, Any] = field(default_factory=lambda: {"provider": "local"})
    default_user: str | None = None
    maintenance_strategy: str = "auto"
    dedupe_similarity_threshold: float = 0.4
    max_candidates_per_ingest: int = 1
    max_similar_skills_to_consider: int = 5
    default_search_limit: int = 5
    max_context_chars: int = 6000
    context_token_budget: int = 2000
    bm25_weight: float = 0.3
    redact_sources_before_llm: bool = True
    store_sources: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AutoSkillConfig:
        """Build from a dict; unknown keys are kept in `extra` instead of failing."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known}
        cfg = cls(**kwargs)
        cfg.extra.update(extra)
        return cfg

    @property
    def home(self) -> Path:
        """Root of the local store (the `path` in `store`, else `default_home()`)."""
        path = self.store.get("path")
        return Path(path).expanduser() if path else default_home()

    def resolved_user(self) -> str:
        """The user id used when a call names none."""
        if self.default_user:
            return self.default_user
        env = os.environ.get("AUTOSKILL_USER")
        if env:
            return env
        file_user = _read_config_file(self.home).get("default_user")
        return str(file_user) if file_user else DEFAULT_USER

    def resolved_embeddings(self) -> dict[str, Any]:
        """Embedding settings, with `<home>/config.toml` `[embeddings]` filling an `auto` default."""
        if self.embeddings.get("provider", "auto") != "auto":
            return dict(self.embeddings)
        from_file = _read_config_file(self.home).get("embeddings")
        return dict(from_file) if isinstance(from_file, dict) else dict(self.embeddings)

    def resolved_store(self) -> dict[str, Any]:
        """Store settings with the team store's URL applied: `AUTOSKILL_STORE_URL`, else `<home>/config.toml`
        `[store] url`, unless the settings name a provider or DSN of their own (`[store] vectors` goes
        with the URL).

        A `postgresql://` URL selects the postgres store (store/postgres/); nothing above the store changes.
        """
        explicit = str(self.store.get("provider", "local")).lower() not in ("local", "filesystem", "fs") or any(
            k in self.store for k in ("dsn", "url"))
        url = os.environ.get("AUTOSKILL_STORE_URL")
        section: dict[str, Any] = {}
        if not explicit:
            section = self.file_section("store")
            url = url or section.get("url")
        if explicit or not url:
            return dict(self.store)
        if not isinstance(url, str) or not url.startswith(("postgresql://", "postgres://")):
            raise ConfigError(f"store url {url!r}: a team store's url starts with postgresql://")
        # `vectors`: where the team store's searches keep their vectors ("memory" | "database", docs/team.md)
        extra = {"vectors": section["vectors"]} if "vectors" in section and "vectors" not in self.store else {}
        return {**self.store, **extra, "provider": "postgres", "dsn": url}

    def team_store_dsn(self) -> str | None:
        """The team store's DSN when the store settings name one (`resolved_store`), else None: what
        a process that must not open the store (a hook) decides from, with no import of psycopg."""
        return postgres_dsn(self.resolved_store())

    def resolved_llm(self) -> dict[str, Any]:
        """LLM settings, with `<home>/config.toml` `[llm]` filling an `auto` default."""
        if str(self.llm.get("provider", "auto")).lower() != "auto":
            return dict(self.llm)
        from_file = _read_config_file(self.home).get("llm")
        return {**self.llm, **from_file} if isinstance(from_file, dict) else dict(self.llm)

    def ingest_roots(self) -> list[str]:
        """Folders whose transcripts `ingest_transcript(path=...)` may read (`ingest_roots` in config.toml).

        Kept as written: an entry may hold `{user}`, replaced by the caller's user when checked.
        """
        roots = list(self.store.get("ingest_roots") or [])
        listed = _read_config_file(self.home).get("ingest_roots") or []
        if not isinstance(listed, list) or not all(isinstance(r, str) and r.strip() for r in listed):
            raise ConfigError(f"{self.home / 'config.toml'}: ingest_roots must be a list of folder paths")
        return [str(r) for r in roots + listed]

    def file_section(self, name: str) -> dict[str, Any]:
        """One `[name]` table of `<home>/config.toml` (empty when absent), for settings only a server reads."""
        section = _read_config_file(self.home).get(name)
        if section is None:
            return {}
        if not isinstance(section, dict):
            raise ConfigError(f"{self.home / 'config.toml'}: [{name}] must be a table")
        return dict(section)

    def library_dirs(self) -> list[Path]:
        """Read-only library folders from the store settings and the config file."""
        dirs = list(self.store.get("library_dirs") or [])
        dirs += list(_read_config_file(self.home).get("library_dirs") or [])
        return [Path(d).expanduser() for d in dirs]
