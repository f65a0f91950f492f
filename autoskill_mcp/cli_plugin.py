"""`autoskill plugin install | show`: the Claude Code plugin (MCP server, session hooks, a usage skill).

The plugin and its marketplace live in the repository (`.claude-plugin/marketplace.json` at the
root, the plugin in `editors/claude-code-plugin/`); installing is Claude Code's own two steps,
`claude plugin marketplace add SOURCE` and `claude plugin install autoskill@autoskill`, run here
as one command. SOURCE is this checkout by default, or any path, `owner/repo` or git URL.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from .errors import InvalidInputError, NotFoundError

MARKETPLACE = "autoskill"
PLUGIN = f"autoskill@{MARKETPLACE}"

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(add: AddCommand) -> None:
    p = add("plugin", _plugin, "install the Claude Code plugin (MCP server + session hooks + usage skill)")
    p.add_argument("action", choices=["install", "show"])
    p.add_argument("--source", help="the marketplace: a folder, owner/repo or git URL (default: this checkout)")
    p.add_argument("--scope", choices=["user", "project", "local"], default="user",
                   help="where Claude Code enables the plugin")
    p.add_argument("--claude", default="claude", help="the Claude Code command (default: claude on PATH)")


def checkout_marketplace() -> Path | None:
    """The repository this package runs from, when it holds the marketplace (an editable install)."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / ".claude-plugin" / "marketplace.json").is_file() else None


def commands(source: str, scope: str, claude: str = "claude") -> list[list[str]]:
    return [[claude, "plugin", "marketplace", "add", source],
            [claude, "plugin", "install", PLUGIN, "--scope", scope]]


def _plugin(args: argparse.Namespace) -> int:
    source = args.source or (str(checkout_marketplace()) if checkout_marketplace() else None)
    if source is None:
        raise InvalidInputError("this installation has no copy of the plugin's marketplace: pass --source "
                                "with a clone of the repository (or its owner/repo or git URL)")
    steps = commands(source, args.scope, args.claude)
    if args.action == "show":
        for step in steps:
            print(" ".join(step))
        return 0
    exe = shutil.which(args.claude)
    if exe is None:
        raise NotFoundError(f"{args.claude!r} is not on PATH; install Claude Code, or run inside it:\n"
                            f"  /plugin marketplace add {source}\n  /plugin install {PLUGIN}")
    for step in steps:
        print("$ " + " ".join(step), flush=True)
        done = subprocess.run([exe, *step[1:]], check=False)  # noqa: S603 - the user's own claude
        if done.returncode != 0:
            print(f"`{' '.join(step)}` failed (exit {done.returncode}); nothing more was run")
            return done.returncode
    print(f"installed {PLUGIN}: restart Claude Code to load it; it runs `autoskill mcp` and "
          "`autoskill hook claude-code`, so keep `autoskill` on PATH")
    return 0
