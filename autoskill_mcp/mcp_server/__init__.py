"""The MCP adapter: skill tools, SEP-2640 skill resources, prompts and live updates over the core.

`autoskill mcp` (stdio) and `autoskill mcp --http` (streamable HTTP) start it;
`build_server` returns the server object for in-process use. Only this package
imports `mcp`; the core never does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import AutoSkillServer
    from .settings import McpSettings


def build_server(settings: McpSettings | None = None) -> AutoSkillServer:
    """The server over the settings' store (loaded in the background once it runs)."""
    from .server import build_server as build

    return build(settings)


def __getattr__(name: str) -> Any:
    if name == "McpSettings":
        from .settings import McpSettings

        return McpSettings
    raise AttributeError(name)
