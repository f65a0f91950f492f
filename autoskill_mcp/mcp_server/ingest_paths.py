"""Which transcript files `ingest_transcript(path=...)` may make the server read.

A path names a file on the server's machine, read with the server's rights: left open, any
client could queue the password database, or, with alice's token, bob's transcripts. The rule
(docs/mcp.md, "Learning"):

* `content` is always accepted; only `path` is restricted.
* A path must be absolute, free of control and invisible characters, and name a regular file
  whose real path (links and `..` resolved) lies inside an allowed root, itself resolved.
* stdio (the server runs for the person who started it): the agents' transcript folders that
  `discover` knows on this machine, plus every `ingest_roots` entry (config.toml or
  `--ingest-root`), `{user}` in it replaced by the server's user.
* HTTP: only `ingest_roots` entries that hold `{user}`, with the request's verified user put in,
  so each user reads only their own folder. The agents' folders belong to the account the server
  runs as, not to an HTTP caller, and a root without `{user}` would be shared by every caller:
  neither counts over HTTP. With no `{user}` root configured, a path over HTTP is refused (send
  the transcript as `content`). Off loopback a path is never read.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError

USER_PLACEHOLDER = "{user}"
MAX_PATH_CHARS = 4096


@dataclass(frozen=True)
class Roots:
    """The real folders (or single files) a caller may name, and how to say which they are."""

    paths: tuple[Path, ...]
    described: str
    over_http: bool


def allowed_roots(configured: Sequence[str], *, user: str, over_http: bool) -> Roots:
    """What this caller may name: see the module docstring for the rule."""
    agents: list[Path] = []
    if not over_http:
        from ..learning.transcripts.discover import transcript_roots

        agents = transcript_roots()
    mine = [Path(e.replace(USER_PLACEHOLDER, user)).expanduser() for e in configured
            if not over_http or USER_PLACEHOLDER in e]
    parts = ["the agents' transcript folders (such as ~/.claude/projects)"] if agents else []
    if mine:
        parts.append("ingest_roots " + ", ".join(str(p) for p in mine[:5]) + (", …" if len(mine) > 5 else ""))
    return Roots(tuple(Path(os.path.realpath(r)) for r in agents + mine), " and ".join(parts), over_http)


def _inside(real: Path, root: Path) -> bool:
    return real == root or real.is_relative_to(root)


def checked_path(raw: str, roots: Roots) -> Path:
    """The real path of a transcript the caller may have read; InvalidInputError saying why not otherwise.

    The roots are checked before the file's existence, so a refusal tells nothing about files outside them.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInputError("path must name a transcript file")
    if len(raw) > MAX_PATH_CHARS:
        raise InvalidInputError(f"path is {len(raw)} characters long; at most {MAX_PATH_CHARS}")
    hidden = next((ch for ch in raw if unicodedata.category(ch).startswith("C")), None)
    if hidden is not None:
        raise InvalidInputError(f"path contains the control or invisible character U+{ord(hidden):04X}; "
                                "give the file's plain path")
    given = Path(raw).expanduser()
    if not given.is_absolute():
        raise InvalidInputError("path must be absolute: it names a file on the server's machine")
    if not roots.paths:
        if roots.over_http:
            raise InvalidInputError(
                "over HTTP a path is read only inside the caller's own transcript folder, an ingest_roots entry "
                "with {user} in it (config.toml or --ingest-root); none is configured: send the transcript as content")
        raise InvalidInputError("this server reads transcripts from no folder; send the transcript as content")
    real = Path(os.path.realpath(given))
    if not any(_inside(real, root) for root in roots.paths):
        raise InvalidInputError(
            f"{raw} is outside the folders this server reads transcripts from ({roots.described}); send the "
            "transcript as content" + ("" if roots.over_http else ", or add its folder to ingest_roots in config.toml"))
    if not real.is_file():
        raise InvalidInputError(f"no transcript file at {raw}")
    return real
