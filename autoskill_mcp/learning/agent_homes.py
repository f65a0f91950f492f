"""Where each coding agent keeps its folders on this machine, honouring the variables that move them.

Shared by transcript discovery and the agent hooks. It imports only the standard library,
because a hook must start and enqueue in milliseconds (the transcript readers cost 130 ms to import).
"""

from __future__ import annotations

import os
from pathlib import Path


def env_dir(var: str, default: Path) -> Path:
    """The folder an environment variable names (`~` expanded), else `default`."""
    value = os.environ.get(var)
    return Path(value).expanduser() if value else default


def editor_user_dirs(app: str, home: Path, real_home: bool) -> list[Path]:
    """`<app>/User` for macOS, Linux and Windows under `home` (plus APPDATA / XDG when real)."""
    dirs = [home / "Library" / "Application Support" / app / "User", home / ".config" / app / "User",
            home / "AppData" / "Roaming" / app / "User"]
    if real_home:
        for var in ("APPDATA", "XDG_CONFIG_HOME"):
            if os.environ.get(var):
                dirs.append(Path(os.environ[var]) / app / "User")
    return dirs


def claude_dir(home: Path) -> Path:
    return env_dir("CLAUDE_CONFIG_DIR", home / ".claude")


def codex_dir(home: Path) -> Path:
    return env_dir("CODEX_HOME", home / ".codex")


def gemini_dir(home: Path) -> Path:
    return env_dir("GEMINI_CLI_HOME", home) / ".gemini"


def cursor_dir(home: Path) -> Path:
    return env_dir("CURSOR_CONFIG_DIR", home / ".cursor")


def copilot_dir(home: Path) -> Path:
    return env_dir("COPILOT_HOME", home / ".copilot")


def cline_dir(home: Path) -> Path:
    return env_dir("CLINE_DIR", home / ".cline")


#: the VS Code extension ids of Cline and Roo Code (their tasks live in the editor's globalStorage)
CLINE_IDS = {"cline": "saoudrizwan.claude-dev", "roo": "rooveterinaryinc.roo-cline"}
#: editors that host the Cline / Roo extensions, and those that host Copilot Chat
CLINE_EDITORS = ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf")
COPILOT_EDITORS = ("Code", "Code - Insiders", "VSCodium")


def cline_task_roots(flavor: str, home: Path, real_home: bool) -> list[Path]:
    """The `tasks` folders of Cline (or Roo) in every editor, the VS Code server and the Cline CLI."""
    users = [u for app in CLINE_EDITORS for u in editor_user_dirs(app, home, real_home)]
    users.append(home / ".vscode-server" / "data" / "User")
    roots = [user / "globalStorage" / CLINE_IDS[flavor] / "tasks" for user in users]
    if flavor == "cline":
        roots.append(cline_dir(home) / "data" / "tasks")
    return roots
