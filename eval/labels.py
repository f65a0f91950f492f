"""Frozen labels: a digest per scenario, so a label that changes shows up in review.

The dev set was labelled before the learning rules were reworked, and the held-out set is
never tuned on; both stay as written. `LABELS.sha256` beside each set holds one line per
scenario (`<sha256>  <id>`, the digest of the whole scenario: its sessions and its labels).

    python -m eval.labels --check            # every set: exit 1 if a scenario differs from its lock
    python -m eval.labels --lock dev         # (re)write a set's lock: only when adding scenarios
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from .learning import SETS, load

LOCK = "LABELS.sha256"
LOCKED_SETS = ("dev", "holdout")


def digest(scenario: dict[str, Any]) -> str:
    clean = {k: v for k, v in scenario.items() if not k.startswith("_")}
    return hashlib.sha256(json.dumps(clean, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def lock(folder: Path) -> int:
    lines = [f"{digest(sc)}  {sc['id']}" for sc in load([folder])]
    (folder / LOCK).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def problems(folder: Path) -> list[str]:
    """How the scenarios in `folder` differ from its lock (empty: they match)."""
    path = folder / LOCK
    if not path.is_file():
        return [f"{path} missing"]
    locked = dict(reversed(line.split("  ", 1)) for line in path.read_text(encoding="utf-8").splitlines() if line)
    now = {sc["id"]: digest(sc) for sc in load([folder])}
    out = [f"{i}: changed since it was labelled" for i in now if i in locked and locked[i] != now[i]]
    out += [f"{i}: not in {LOCK}" for i in now if i not in locked]
    out += [f"{i}: in {LOCK} but gone" for i in locked if i not in now]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.labels", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lock", choices=LOCKED_SETS)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    if args.lock:
        print(f"locked {lock(SETS[args.lock])} scenarios in {SETS[args.lock] / LOCK}")
    bad = [f"{name}/{p}" for name in LOCKED_SETS for p in problems(SETS[name])] if args.check or not args.lock else []
    for line in bad:
        print(line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
