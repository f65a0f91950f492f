"""Numbers on the command line: argparse types that turn a bad value into a usage error (exit 2).

`type=int` alone lets `--budget -5` or `-k 0` through to code that then fails with a traceback
or quietly does something else; these say what is allowed before anything runs. Standard
library only: the MCP and LSP entry points use them and must start fast.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(kind: type[int | float], low: float | None, high: float | None,
            wanted: str) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is out of range: use {wanted}")
        return value

    parse.__name__ = wanted  # argparse names the type in its message when the call fails
    return parse


positive_int = _number(int, 1, None, "a whole number of at least 1")
non_negative_int = _number(int, 0, None, "a whole number of at least 0")
non_negative_float = _number(float, 0.0, None, "a number of at least 0")
positive_float = _number(float, 1e-9, None, "a number greater than 0")
score = _number(float, 0.0, 1.0, "a number from 0 to 1")
port = _number(int, 0, 65535, "a port number from 0 to 65535")
