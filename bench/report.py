"""Rows and tables shared by the bench sections.

Every row names the figure, the baseline it is compared with (measured in the same
run, never a remembered number) and the ratio, so a noisy machine moves both.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Row:
    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ratio(value: float, base: float) -> str:
    """`value / base` as `1.8x`; empty when the baseline is zero."""
    return f"{value / base:.2f}x" if base else ""


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank on the sorted values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def markdown(title: str, rows: list[Row]) -> str:
    lines = [f"## {title}", "", "| measure | value | baseline (same run) | ratio | note |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(_cell(c) for c in (r.measure, r.value, r.baseline, r.ratio, r.note)) + " |"
              for r in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """One table cell: a `|` or a line break inside (an error message, say) would break the table."""
    return " ".join(str(text).split()).replace("|", "\\|")
