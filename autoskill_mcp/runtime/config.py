"""The one way a command line or a server turns its options into an `AutoSkillConfig`.

The CLI, the MCP server and the language server take the same few options (home,
user, embeddings, library folders); building the config in one place keeps what
one of them writes where the others look.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config import AutoSkillConfig


def build_config(home: str | Path | None = None, user: str | None = None, embeddings: str | None = None,
                 library_dirs: Iterable[str | Path] = (), *, llm: dict[str, Any] | None = None) -> AutoSkillConfig:
    """The local store at `home` (else the default home), everything left None resolved the usual way.

    `embeddings` names a provider ("hashing", "minilm", ...); None leaves `auto`, which
    `<home>/config.toml` may fill. `llm` is the seed's dict, `auto` when left out.
    """
    store: dict[str, Any] = {"provider": "local"}
    if home:
        store["path"] = str(home)
    dirs = [str(d) for d in library_dirs]
    if dirs:
        store["library_dirs"] = dirs
    return AutoSkillConfig(store=store, embeddings={"provider": embeddings or "auto"}, default_user=user,
                           llm=dict(llm) if llm else {"provider": "auto"})
