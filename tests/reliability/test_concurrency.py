"""Many real processes on one store at once behave as if they had run one after another."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.bench_concurrency import http_calls, writers_and_searchers  # noqa: E402 - after races_helpers' path

from .races_helpers import catalog_integrity, cli, cli_env, live_names, orphans, write_skill_folders

IMPORTERS = 4
OWN_EACH = 60
SHARED = [f"shared-skill-{i}" for i in range(6)]


def test_concurrent_imports_report_name_clashes_per_skill_and_import_the_rest(tmp_path: Path) -> None:
    home = tmp_path / "home"
    sources = []
    for p in range(IMPORTERS):
        # The clashing names are spread through each folder, so every process meets them mid-import.
        own = [f"p{p}-skill-{i:03d}" for i in range(OWN_EACH)]
        names = own[:20] + SHARED[:3] + own[20:40] + SHARED[3:] + own[40:]
        sources.append(write_skill_folders(tmp_path / f"src{p}", names, tag=f"p{p}"))
    procs = [subprocess.Popen(cli("import", str(src), "--embeddings", "hashing", "--json"), env=cli_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for src in sources]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        reports.append(json.loads(out))

    imported = [name for r in reports for name in r["imported"]]
    skipped = [(s["path"], s["reason"]) for r in reports for s in r["skipped"]]
    assert sorted(imported) == sorted(set(imported)), "a name was imported twice"
    assert set(imported) == {f"p{p}-skill-{i:03d}" for p in range(IMPORTERS) for i in range(OWN_EACH)} | set(SHARED)
    # Every clash is reported as a sequential import reports it, skill by skill.
    assert len(skipped) == (IMPORTERS - 1) * len(SHARED)
    assert all("already exists" in reason for _, reason in skipped), skipped
    assert sorted(Path(p).name for p, _ in skipped) == sorted(SHARED * (IMPORTERS - 1))
    assert live_names(home, "alice") == sorted(imported)
    assert catalog_integrity(home) == "ok"
    assert orphans(home) == []


def test_concurrent_overwriting_imports_update_the_clashing_names_instead(tmp_path: Path) -> None:
    home = tmp_path / "home"
    own = {p: [f"p{p}-skill-{i:03d}" for i in range(OWN_EACH)] for p in range(IMPORTERS)}
    sources = [write_skill_folders(tmp_path / f"src{p}", own[p][:30] + SHARED + own[p][30:], tag=f"p{p}")
               for p in range(IMPORTERS)]
    procs = [subprocess.Popen(cli("import", str(src), "--overwrite", "--embeddings", "hashing", "--json"),
                              env=cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for src in sources]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        reports.append(json.loads(out))
    for r in reports:
        assert r["skipped"] == [] and len(r["imported"]) + len(r["updated"]) + len(r["unchanged"]) == OWN_EACH + len(
            SHARED
        )
    first = [name for r in reports for name in r["imported"] if name in SHARED]
    assert sorted(first) == sorted(SHARED)  # each shared name created once, updated by the others
    assert live_names(home, "alice") == sorted({n for names in own.values() for n in names} | set(SHARED))
    assert catalog_integrity(home) == "ok" and orphans(home) == []


def test_processes_importing_clashing_names_while_others_search_lose_nothing(tmp_path: Path) -> None:
    result = writers_and_searchers(tmp_path, writers=3, skills_each=40, searchers=2)
    assert result["errors"] == [] and set(result["exits"]) == {0}
    assert (result["lost"], result["duplicated"]) == (0, 0)
    assert result["stored"] == result["expected"] == result["imported"]
    assert result["clashes_reported"] == 2 * 4  # 4 shared names, each met by the 2 importers that came second
    assert result["searches"] > 0 and result["problems"] == []


def test_concurrent_http_calls_to_the_mcp_server_all_succeed(tmp_path: Path) -> None:
    result = http_calls(tmp_path, calls=40, sessions=4, bare=False)
    assert result["errors"] == []
    assert result["exit"] == 0  # SIGTERM: a graceful stop
