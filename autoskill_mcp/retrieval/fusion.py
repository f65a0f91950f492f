"""Fusing keyword and vector scores into one ranked list with an honest score.

Ranking: a convex mix of min-max normalised scores over the union of both
candidate lists (0.7 dense / 0.3 BM25 beat RRF on 4 of 5 labelled sets;
RRF lost 13 nDCG points on MetaTool because it gives a weak list equal say).
The mix weights are tuned on MetaTool by `python eval/retrieval.py --tune`
(`python -m eval` reports every mode).

Score: min-max always gives the best candidate 1.0, even for a query nothing
matches, which would make `min_score` meaningless. So each candidate also gets
an absolute strength (cosine mapped through the embedder's calibration; BM25
divided by the score of a document covering every query word), and the ranked
list is scaled so its top hit reports the top hit's absolute strength. Ranks
come from the fusion, magnitudes from absolute evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Fused", "FusedArrays", "fuse", "fuse_arrays", "DEFAULT_ALPHA", "METHODS"]

#: Weight of the vector side. MetaTool sweep (eval/retrieval.py --tune, MiniLM,
#: 2000 queries, nDCG@10): 0.5 0.668, 0.6 0.691, 0.7 0.701, 0.75 0.703, 0.8 0.704,
#: 0.9 0.693; dense alone 0.676, BM25 0.546. The plateau is flat from 0.7 to 0.85,
#: and 0.7 measured best on sets where BM25 is the stronger side, so 0.7.
DEFAULT_ALPHA = 0.7
METHODS = ("minmax", "absolute", "rrf")


@dataclass(frozen=True, slots=True)
class Fused:
    """One fused candidate: the final score and what each method contributed."""

    doc_id: str
    score: float
    keyword: float | None  # keyword score min-max normalised over this query's candidates
    vector: float | None  # vector score min-max normalised likewise
    keyword_raw: float | None  # BM25
    vector_raw: float | None  # cosine
    keyword_part: float  # share of `score` due to keywords (keyword_part + vector_part == score)
    vector_part: float


def fuse(
    keyword: Mapping[str, float] | None,
    vector: Mapping[str, float] | None,
    *,
    alpha: float = DEFAULT_ALPHA,
    keyword_norm: float = 0.0,
    calibration: tuple[float, float] = (0.15, 0.6),
    method: str = "minmax",
    rrf_k: float = 60.0,
) -> list[Fused]:
    """Fuse raw keyword (BM25) and vector (cosine) scores of candidate docs, best first.

    Pass raw scores for every candidate on each side when known (a doc absent
    from one mapping counts as that method's worst). `keyword_norm` is
    `BM25Index.coverage_norm(query)`; `calibration` the embedder's.
    `method`: "minmax" (default), "absolute" (rank by the absolute strengths),
    "rrf" (reciprocal rank fusion, for comparison).
    """
    kw = dict(keyword or {})
    vec = dict(vector or {})
    ids = list(dict.fromkeys([*kw, *vec]))
    if not ids:
        if method not in METHODS:
            raise ValueError(f"fusion method must be one of {METHODS}, got {method!r}")
        return []
    k_arr = np.array([kw.get(d, np.nan) for d in ids], dtype=np.float64) if kw else None
    v_arr = np.array([vec.get(d, np.nan) for d in ids], dtype=np.float64) if vec else None
    r = fuse_arrays(
        k_arr, v_arr, alpha=alpha, keyword_norm=keyword_norm, calibration=calibration, method=method, rrf_k=rrf_k
    )
    return [r.hit(ids[i], i, kw.get(ids[i]), vec.get(ids[i])) for i in r.order]


@dataclass(frozen=True)
class FusedArrays:
    """Column-wise fusion result; `order` ranks candidate positions best first."""

    order: np.ndarray
    score: np.ndarray
    keyword: np.ndarray | None
    vector: np.ndarray | None
    keyword_part: np.ndarray
    vector_part: np.ndarray
    #: True where a candidate has evidence of its own: a keyword match, or a cosine above the
    #: embedder's "unrelated" level. Min-max gives the best candidate of a query nothing matches
    #: full marks; this is how a caller tells such a candidate from a match.
    matched: np.ndarray | None = None

    def hit(self, doc_id: str, i: int, keyword_raw: float | None, vector_raw: float | None) -> Fused:
        """The `Fused` record of candidate position `i`."""
        return Fused(
            doc_id=doc_id,
            score=float(self.score[i]),
            keyword=None if self.keyword is None else float(self.keyword[i]),
            vector=None if self.vector is None else float(self.vector[i]),
            keyword_raw=keyword_raw,
            vector_raw=vector_raw,
            keyword_part=float(self.keyword_part[i]),
            vector_part=float(self.vector_part[i]),
        )


def _minmax(values: np.ndarray) -> np.ndarray:
    """Min-max over known values; unknown (NaN) counts as the minimum (0)."""
    known = values[~np.isnan(values)]
    if known.size == 0:
        return np.zeros_like(values)
    lo, hi = float(known.min()), float(known.max())
    if hi - lo <= 1e-12:
        flat = 1.0 if (hi > 0 or known.size == 1) else 0.0
        return np.where(np.isnan(values), 0.0, flat)
    return np.where(np.isnan(values), 0.0, (values - lo) / (hi - lo))


def fuse_arrays(
    keyword: np.ndarray | None,
    vector: np.ndarray | None,
    *,
    alpha: float = DEFAULT_ALPHA,
    keyword_norm: float = 0.0,
    calibration: tuple[float, float] = (0.15, 0.6),
    method: str = "minmax",
    rrf_k: float = 60.0,
) -> FusedArrays:
    """`fuse` over aligned candidate arrays (NaN = no score from that method); numpy only."""
    if method not in METHODS:
        raise ValueError(f"fusion method must be one of {METHODS}, got {method!r}")
    n = (keyword if keyword is not None else vector).shape[0]  # type: ignore[union-attr]
    has_k, has_v = keyword is not None, vector is not None
    wv = alpha if (has_k and has_v) else (1.0 if has_v else 0.0)
    wk = 1.0 - wv
    zeros = np.zeros(n)
    k_in = keyword if keyword is not None else zeros
    v_in = vector if vector is not None else zeros
    k_raw = np.nan_to_num(k_in, nan=0.0) if has_k else zeros
    v_raw = v_in
    nk = _minmax(k_in) if has_k else zeros
    nv = _minmax(v_in) if has_v else zeros
    # Absolute strengths: BM25 as the share of the query a doc covers; cosine
    # mapped linearly from (unrelated, clear match) to (0, 1).
    ka = np.clip(k_raw / keyword_norm, 0.0, 1.0) if keyword_norm > 0 else zeros
    lo, hi = calibration
    va = np.where(np.isnan(v_raw), 0.0, np.clip((np.nan_to_num(v_raw, nan=lo) - lo) / max(hi - lo, 1e-9), 0.0, 1.0))
    absolute = wv * va + wk * ka
    if method == "minmax":
        rank_score = wv * nv + wk * nk
    elif method == "absolute":
        rank_score = absolute
    else:
        rank_score = np.zeros(n)
        for weight, side, present in ((wk, k_in, has_k), (wv, v_in, has_v)):
            if present:
                filled = np.nan_to_num(side, nan=-np.inf)
                ranks = np.empty(n)
                ranks[np.argsort(-filled, kind="stable")] = np.arange(n)
                rank_score += np.where(np.isfinite(filled), weight / (rrf_k + ranks + 1), 0.0)
    order = np.lexsort((np.arange(n), -absolute, -rank_score))
    top = int(order[0])
    if wv in (0.0, 1.0) or method == "absolute":
        # One method (or absolute ranking): the absolute strength is the score.
        kpart, vpart = wk * ka, wv * va
    else:
        scale = absolute[top] / rank_score[top] if rank_score[top] > 0 else 0.0
        if method == "minmax":
            kpart, vpart = wk * nk * scale, wv * nv * scale
        else:
            share = rank_score * scale
            total = wk * ka + wv * va
            safe = np.where(total > 0, total, 1.0)
            kpart = np.where(total > 0, share * wk * ka / safe, share / 2)
            vpart = share - kpart
    return FusedArrays(
        order=order,
        score=kpart + vpart,
        keyword=nk if has_k else None,
        vector=nv if has_v else None,
        keyword_part=kpart,
        vector_part=vpart,
        matched=(k_raw > 0) | (va > 0),
    )
