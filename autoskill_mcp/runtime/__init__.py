"""The store's life in a long-running process, shared by the MCP server and the language server.

Each server used to open the store, watch it for changes and run the queue worker on
its own; here it is done once, so the adapters keep only their protocol code. Nothing
in this package imports a protocol library (mcp, pygls, starlette, uvicorn).
"""

from __future__ import annotations

from .config import build_config
from .lifecycle import Runtime
from .watch import ChangeWatch, StoreChange
from .worker import QueueWorker

__all__ = ["ChangeWatch", "QueueWorker", "Runtime", "StoreChange", "build_config"]
