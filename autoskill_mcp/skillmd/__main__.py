"""``python -m autoskill_mcp.skillmd rules [--markdown]``: print the rule catalogue.

Lives here rather than only in ``rules.py`` because ``python -m package.rules``
re-executes a module the package already imported (runpy warns about that).
"""

from __future__ import annotations

import sys

from .rules import main


def run(argv: list[str]) -> int:
    """Dispatch the one sub-command this package has."""
    if not argv or argv[0] != "rules":
        sys.stderr.write("usage: python -m autoskill_mcp.skillmd rules [--markdown]\n")
        return 2
    return main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
