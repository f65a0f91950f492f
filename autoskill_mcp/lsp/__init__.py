"""The SKILL.md language server: a thin pygls adapter over ``skillmd`` and the skill store.

``create_server`` builds it; ``python -m autoskill_mcp lsp`` runs it.
"""

from __future__ import annotations

__all__ = ["create_server", "main"]


def __getattr__(name: str) -> object:
    if name == "create_server":
        from .server import create_server

        return create_server
    if name == "main":
        from .main import main

        return main
    raise AttributeError(name)
