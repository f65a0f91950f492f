"""The `autoskill` console entry: agent hooks and the language server take a fast path that skips the CLI's imports.

A hook must enqueue and exit in well under 100 ms, and the full CLI imports the
SDK and the store; everything else goes to `cli.main`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["hook"]:
        from .learning.hooks import main as hook_main

        return hook_main(args[1:])
    if args[:1] == ["mcp"]:  # the server must answer `initialize` fast: skip the CLI's imports
        from .mcp_server.cli import main as mcp_main

        return mcp_main(args[1:])
    if args[:1] == ["lsp"]:
        from .lsp.main import main as lsp_main

        return lsp_main(args[1:])
    from .cli import main as cli_main

    return cli_main(args)
