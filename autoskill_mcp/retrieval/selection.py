"""Top-k selection over a score array, with an optional row filter.

Both indexes score every row with numpy and then need the best k rows that a
caller allows. `argpartition` keeps that O(n); a predicate filter (a user's
visibility rule, say) is applied to a widening window of the best rows so
that a permissive filter costs little and a strict one stays correct.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["top_rows"]


def top_rows(
    scores: np.ndarray,
    k: int,
    *,
    mask: np.ndarray | None = None,
    accept: Callable[[int], bool] | None = None,
    floor: float = -np.inf,
    with_ties: bool = False,
) -> np.ndarray:
    """Rows of the k highest scores above `floor`, best first; equal scores go by row.

    `with_ties` also returns the rows tied with the k-th, so that a candidate set
    does not depend on how rows happen to be laid out (a rebuilt index vs a snapshot).

    `mask` (bool per row) restricts the rows cheaply; `accept(row)` is checked
    only on the best rows, widening the window until k rows pass.
    """
    n = scores.shape[0]
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    if mask is not None:
        scores = np.where(mask[:n], scores, -np.inf)
    if accept is None:
        rows = _best(scores, k, floor)
        return rows if with_ties else rows[:k]
    window = k + 16  # permissive filters (the usual case) pass at once; strict ones widen
    while True:
        rows = _best(scores, min(window, n), floor)
        kept = [int(r) for r in rows if accept(int(r))]
        if with_ties and len(kept) > k and scores[kept[k]] == scores[kept[k - 1]] and len(rows) == min(window, n) < n:
            window *= 4  # the tie with the k-th may run past this window
            continue
        if len(kept) >= k or len(rows) < min(window, n) or window >= n:
            last = k
            while with_ties and last < len(kept) and scores[kept[last]] == scores[kept[k - 1]]:
                last += 1
            return np.asarray(kept[:last], dtype=np.int64)
        window *= 4


def _best(scores: np.ndarray, k: int, floor: float) -> np.ndarray:
    """The k best rows, plus any rows tied with the k-th (so which of several equal
    scores make the cut never depends on where rows happen to sit), best first."""
    valid = scores > floor
    count = int(np.count_nonzero(valid))
    if count == 0:
        return np.empty(0, dtype=np.int64)
    # Partition only the rows above the floor (for BM25 usually a small share),
    # and without negating a copy of the array.
    cand = None if count == scores.shape[0] else np.flatnonzero(valid)
    sub = scores if cand is None else scores[cand]
    if k < sub.shape[0]:
        cut = sub.shape[0] - k
        part = np.argpartition(sub, cut)
        kth = sub[part[cut]]
        tied = part[:cut][sub[part[:cut]] == kth]
        idx = part[cut:] if tied.size == 0 else np.concatenate([part[cut:], tied])
    else:
        idx = np.arange(sub.shape[0])
    rows = idx if cand is None else cand[idx]
    # Stable tie-break by row so results are deterministic.
    return rows[np.lexsort((rows, -scores[rows]))]
