"""`python -m bench`: every speed and memory table in one run.

    python -m bench                     # all sections (store at 1k / 5k / 100k: ~7 minutes here; races ~10 more)
    python -m bench --quick             # about two minutes: store at 1k / 5k, fewer repeats
    python -m bench store ingest        # chosen sections
    python -m bench reliability         # 10,000 hostile SKILL.md files and transcripts (~6 minutes; --quick: 300)
    python -m bench pg                  # the team store (vectors in memory, and through HNSW) beside local (5k, 100k)
    python -m bench --out results/      # where bench.md and bench.json go (default: results/)

Each section runs in its own interpreter, so its peak RSS (from wait4) is its own
and one section's caches cannot flatter the next. Every row shows its figure, the
baseline measured in the same run, and the ratio.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .report import Row, markdown

ROOT = Path(__file__).resolve().parents[1]
#: section name -> module with `sections(quick) -> [(title, rows)]`
SECTIONS = {
    "store": "bench.bench_store",
    "mcp": "bench.bench_mcp_startup",
    "lsp": "bench.bench_lsp",
    "ingest": "bench.bench_ingest",
    "serve": "bench.bench_serve",
    "reliability": "bench.bench_reliability",
    "concurrency": "bench.bench_concurrency",
    "pg": "bench.bench_pg",
    "project": "bench.bench_project",
}


def run_child(name: str, quick: bool, out: Path) -> None:
    """In the child interpreter: run one section and write its tables as JSON."""
    module = importlib.import_module(SECTIONS[name])
    tables = module.sections(quick)
    out.write_text(json.dumps([{"title": t, "rows": [r.to_dict() for r in rows]} for t, rows in tables]))


def run_section(name: str, quick: bool) -> dict[str, Any]:
    """Run one section in a fresh interpreter; its tables, wall time and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bench", "--child", name, "--child-out", str(out)]
                                + (["--quick"] if quick else []), cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t
        peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
        if proc.returncode != 0 or not out.exists():
            return {"section": name, "ok": False, "seconds": seconds, "peak_rss_mb": peak_mb,
                    "error": f"exit code {proc.returncode}", "tables": []}
        return {"section": name, "ok": True, "seconds": seconds, "peak_rss_mb": peak_mb,
                "tables": json.loads(out.read_text())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sections", nargs="*", metavar="SECTION", help=f"any of {', '.join(SECTIONS)} (default: all)")
    ap.add_argument("--quick", action="store_true", help="a run of about two minutes")
    ap.add_argument("--out", type=Path, default=Path("results"), help="folder for bench.md and bench.json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        run_child(args.child, args.quick, args.child_out)
        return 0

    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    started = time.perf_counter()
    chosen = args.sections or list(SECTIONS)
    results, parts = [], []
    for name in chosen:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        res = run_section(name, args.quick)
        results.append(res)
        if not res["ok"]:
            text = f"## {name}\n\nfailed ({res['error']}, after {res['seconds']:.0f} s): see the output above"
        else:
            text = "\n\n".join(markdown(t["title"], [Row(**r) for r in t["rows"]]) for t in res["tables"])
        text += f"\n\n_{name}: {res['seconds']:.0f} s, peak RSS {res['peak_rss_mb']:.0f} MB_"
        parts.append(text)
        print(text + "\n", flush=True)
    seconds = time.perf_counter() - started
    cmd = "python -m bench" + (" --quick" if args.quick else "") + "".join(f" {s}" for s in args.sections)
    head = (f"# autoskill-mcp bench ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
            f"{platform.machine()}, Python {platform.python_version()}, {seconds:.0f} s)\n\n`{cmd}`\n")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.md").write_text(head + "\n" + "\n\n".join(parts) + "\n", encoding="utf-8")
    (args.out / "bench.json").write_text(json.dumps({"command": cmd, "seconds": seconds, "sections": results},
                                                    indent=2), encoding="utf-8")
    print(f"({seconds:.0f} s; wrote {args.out / 'bench.md'} and {args.out / 'bench.json'})")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
