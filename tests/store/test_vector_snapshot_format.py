"""Vector snapshots: int8 rows round-trip, and a store saved in the float32 format opens without re-embedding."""

from __future__ import annotations

import marshal
import struct
from pathlib import Path

import numpy as np

from autoskill_mcp import LocalSkillStore
from autoskill_mcp.retrieval.hybrid import VectorSnapshot
from autoskill_mcp.store import snapshots

HASHING = {"provider": "hashing", "dims": 256}


def _ranked(store: LocalSkillStore, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [[(h.skill.name, round(h.score, 4)) for h in store.search(q, user_id="alice", top_k=5, wait=True)]
            for q in queries]


def test_int8_snapshot_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(size=(30, 16)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    ids = [f"d{i}" for i in range(30)]
    snap = VectorSnapshot.from_floats("sig", ids, [f"h{i}" for i in range(30)], m)
    with_partition = VectorSnapshot(snap.signature, snap.ids, snap.hashes, snap.codes, snap.scales,
                                    m[:4].copy(), np.arange(30, dtype=np.int32) % 4)
    for original in (snap, with_partition):
        snapshots.write_vectors(tmp_path, "cat", original)
        saved = snapshots.read_vectors(tmp_path, "cat")
        assert saved is not None and saved[1]  # current format
        back = saved[0]
        assert (back.signature, back.ids, back.hashes) == (original.signature, original.ids, original.hashes)
        assert back.codes.dtype == np.int8 and np.array_equal(back.codes, original.codes)
        assert np.array_equal(back.scales, original.scales)
        if original.centroids is None:
            assert back.centroids is None and back.lists is None
        else:
            assert np.array_equal(back.centroids, original.centroids) and np.array_equal(back.lists, original.lists)
    assert snapshots.vectors_path(tmp_path).stat().st_size < m.nbytes  # int8 rows: under a third of float32
    assert snapshots.read_vectors(tmp_path, "another catalog") is None


def _write_float32_snapshot(root: Path, catalog_id: str, snap: VectorSnapshot) -> None:
    """The format before int8 rows (autoskill-vectors-1), byte for byte as it was written."""
    matrix = np.ascontiguousarray(snap.matrix, dtype="<f4")
    meta = marshal.dumps((snap.signature, list(snap.ids), list(snap.hashes)))
    header = f"autoskill-vectors-1 {catalog_id} {matrix.shape[0]} {matrix.shape[1]}\n".encode("ascii")
    snapshots.vectors_path(root).write_bytes(header + struct.pack("<Q", len(meta)) + meta + matrix.tobytes())


def test_a_float32_snapshot_opens_without_reembedding_and_is_upgraded(tmp_path: Path, make_skill) -> None:
    home = tmp_path / "home"
    queries = ["skill 7", "check skill 120", "do the thing"]
    with LocalSkillStore(home, embeddings=HASHING) as s:
        s.save_many([make_skill(f"skill-{i}") for i in range(250)])
        s.search("warm", user_id="alice", wait=True)
        assert s.save_index_snapshot(force=True)
        before = _ranked(s, queries)
        snap = s.index.vector_snapshot()
        catalog_id = s.catalog.catalog_id
    # what a store saved by the previous version holds: float32 rows (the keyword snapshot is unchanged)
    _write_float32_snapshot(home, catalog_id, VectorSnapshot.from_floats(
        snap.signature, snap.ids, snap.hashes, snap.matrix))
    assert snapshots.read_vectors(home, catalog_id)[1] is False
    with LocalSkillStore(home, embeddings=HASHING) as old:
        assert old.index.vector_count == 250 and old.index.pending == 0  # every vector read, none re-embedded
        assert old._vector_snapshot_n == -1  # so the close rewrites it in the current format
        assert _ranked(old, queries) == before
    saved = snapshots.read_vectors(home, catalog_id)
    assert saved is not None and saved[1] and len(saved[0].ids) == 250
    assert snapshots.vectors_path(home).read_bytes().startswith(b"autoskill-vectors-2 ")
    with LocalSkillStore(home, embeddings=HASHING) as upgraded:
        assert upgraded.index.vector_count == 250 and upgraded._vector_snapshot_n == 250
        assert _ranked(upgraded, queries) == before
