"""What `autoskill mcp` was asked to do: transport, store, user, HTTP security, worker, sampling."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: default HTTP request body limit: a transcript sent inline is the largest thing a client posts
DEFAULT_MAX_BODY = 8 * 1024 * 1024

SamplingMode = Literal["auto", "off"]


@dataclass
class McpSettings:
    """Settings for one server process; everything left None falls back to `AutoSkillConfig`."""

    home: Path | None = None
    user: str | None = None
    embeddings: str | None = None
    library_dirs: list[Path] = field(default_factory=list)
    #: run the queue worker in this process (jobs queued by anyone get worked while the server runs)
    worker: bool = True
    #: "auto": extract with the client's model when the client offers sampling (legacy era), else the
    #: configured provider, else the offline rules; "off": never ask the client
    sampling: SamplingMode = "auto"
    page_size: int = 100
    #: the repository whose own skills are scope `project` when the client lists no roots
    #: (None: the folder the server was started in, over stdio; none over HTTP)
    project: Path | None = None
    # -- HTTP --
    host: str = "127.0.0.1"
    port: int = 8765
    path: str = "/mcp"
    #: require a bearer token even on loopback
    require_token: bool = False
    #: extra Host header values to accept (besides the bind address and localhost)
    allowed_hosts: list[str] = field(default_factory=list)
    allowed_origins: list[str] = field(default_factory=list)
    max_body: int = DEFAULT_MAX_BODY
    #: folders `ingest_transcript(path=...)` may read besides `ingest_roots` in config.toml (`{user}` allowed)
    ingest_roots: list[str] = field(default_factory=list)

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    def config(self) -> Any:
        """The `AutoSkillConfig` these settings describe."""
        from ..runtime.config import build_config

        return build_config(self.home, self.user, self.embeddings, self.library_dirs)
