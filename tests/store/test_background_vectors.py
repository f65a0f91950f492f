"""A search never waits for the embedder: keyword answers while vectors are missing, filled in
by the process that works the queue, persisted, and picked up by every other process.

Real parts only: the default MiniLM embedder (a costly one: `cheap` is False), real SQLite
catalogs, real `autoskill` subprocesses. Synchronisation is on process exits and on the
filler's idle event, never on sleeps.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from autoskill_mcp import LocalSkillStore, Skill
from autoskill_mcp.store.catalog import Catalog

REPO = Path(__file__).resolve().parents[2]
MINILM = {"provider": "minilm"}
N = 12
TOPICS = ["commit messages", "docker images", "csv cleaning", "kubernetes deploys", "sql migrations",
          "python logging", "react components", "terraform plans", "pytest fixtures", "rust errors",
          "bash scripts", "json schemas"]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    for i, topic in enumerate(TOPICS[:N]):
        name = topic.replace(" ", "-")
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: Handles {topic} the team's way. "
                                         f"Use when working on {topic}.\n---\n# {topic}\n\n1. Step {i}.\n")
    return root


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    env.update(AUTOSKILL_HOME=str(home), AUTOSKILL_USER="alice", PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "autoskill_mcp", *args, "--embeddings", "minilm"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def search(home: Path, query: str) -> dict[str, object]:
    return json.loads(cli(home, "search", query, "--json").stdout)  # type: ignore[no-any-return]


def vector_rows(home: Path) -> int:
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])


def test_after_import_no_embed_a_fresh_process_answers_from_keywords_and_says_so(tmp_path: Path,
                                                                                  source: Path) -> None:
    home = tmp_path / "home"
    imported = json.loads(cli(home, "import", str(source), "--no-embed", "--json").stdout)
    assert imported["embedded"] == 0 and vector_rows(home) == 0
    out = search(home, "docker images")
    hits = out["hits"]
    assert hits and hits[0]["name"] == "docker-images"  # type: ignore[index]
    assert {h["mode"] for h in hits} == {"keyword"}  # type: ignore[union-attr]
    assert out["note"] == f"vector: pending {N} of {N}"
    assert f"vector: pending {N} of {N}" in hits[0]["why"]  # type: ignore[index]
    assert vector_rows(home) == 0  # the search embedded nothing


def test_a_worker_fills_the_vectors_and_another_process_then_searches_hybrid(tmp_path: Path,
                                                                             source: Path) -> None:
    home = tmp_path / "home"
    cli(home, "import", str(source), "--no-embed")
    # `--once` exits when the queue is empty and no vector is missing: its exit is the event.
    cli(home, "worker", "--once")
    assert vector_rows(home) == N
    out = search(home, "ship container images")
    assert out["note"] is None
    assert out["hits"] and {h["mode"] for h in out["hits"]} == {"hybrid"}  # type: ignore[union-attr]


def test_import_embeds_what_it_imported_so_the_next_process_is_hybrid_at_once(tmp_path: Path,
                                                                              source: Path) -> None:
    home = tmp_path / "home"
    imported = json.loads(cli(home, "import", str(source), "--json").stdout)
    assert imported["embedded"] == N and vector_rows(home) == N
    out = search(home, "clean up a spreadsheet export")
    assert out["note"] is None and out["hits"][0]["mode"] == "hybrid"  # type: ignore[index]


def test_reindex_embeds_what_lacks_a_vector_and_no_embed_does_not(tmp_path: Path, source: Path) -> None:
    home = tmp_path / "home"
    cli(home, "import", str(source), "--no-embed")
    keywords_only = json.loads(cli(home, "reindex", "--no-embed", "--json").stdout)
    assert keywords_only == {"indexed": N, "embedded": 0, "vectors_pending": N}
    full = json.loads(cli(home, "reindex", "--json").stdout)
    assert full == {"indexed": N, "embedded": N, "vectors_pending": 0}
    assert vector_rows(home) == N


def _skills() -> list[Skill]:
    return [Skill(name=t.replace(" ", "-"), description=f"Handles {t}. Use when working on {t}.",
                  instructions=f"# {t}\n\n1. Do it.", user_id="alice") for t in TOPICS[:N]]


def test_a_reader_picks_up_vectors_a_filler_in_another_store_handle_wrote(tmp_path: Path) -> None:
    home = tmp_path / "home"
    writer = LocalSkillStore(home, embeddings=MINILM)
    writer.save_many(_skills())
    reader = LocalSkillStore(home, embeddings=MINILM)
    hits = reader.search("docker images", user_id="alice", load_model=True)
    assert hits[0].mode == "keyword" and hits[0].note == f"vector: pending {N} of {N}"
    filler = writer.start_filling_vectors(poll=0.05)
    assert filler.idle.wait(120) and filler.embedded == N
    hits = reader.search("ship container images", user_id="alice", load_model=True)
    assert hits[0].mode == "hybrid" and hits[0].note is None
    assert reader.vector_status() == (0, N)
    reader.close()
    writer.close()


def test_the_embedding_lease_admits_one_owner_until_it_is_dropped_or_expires(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    other = Catalog(tmp_path / "catalog.sqlite3")  # a second connection, as another process has
    assert catalog.take_embed_lease("sig", "a", 30, now=1000.0)
    assert not other.take_embed_lease("sig", "b", 30, now=1001.0)
    assert other.take_embed_lease("other-sig", "b", 30, now=1001.0)  # per embedder
    assert catalog.take_embed_lease("sig", "a", 30, now=1020.0)  # renewed by its owner
    assert not other.take_embed_lease("sig", "b", 30, now=1049.0)
    assert other.take_embed_lease("sig", "b", 30, now=1051.0)  # expired: a killed owner blocks no one
    other.drop_embed_lease("sig", "b")
    assert catalog.take_embed_lease("sig", "a", 30, now=1052.0)
    assert other.take_embed_lease("sig", "b", 30, now=1053.0, force=True)  # an import takes it over
    catalog.close()
    other.close()


def test_vectors_since_returns_only_batches_written_after_the_one_seen(tmp_path: Path) -> None:
    import numpy as np

    catalog = Catalog(tmp_path / "catalog.sqlite3")
    assert catalog.vector_seq("sig") == 0
    catalog.put_many("sig", [("a", "ha", np.ones(4, dtype=np.float32))])
    first = catalog.vector_seq("sig")
    catalog.put_many("sig", [("b", "hb", np.ones(4, dtype=np.float32)), ("c", "hc", np.ones(4, dtype=np.float32))])
    rows, top = catalog.vectors_since("sig", first)
    assert sorted(r[0] for r in rows) == ["b", "c"] and top == catalog.vector_seq("sig") > first
    assert catalog.vectors_since("sig", top) == ([], top)
    catalog.close()
