"""Look-alike skeletons: names a reader cannot tell apart share one skeleton; different names do not."""

from __future__ import annotations

import pytest

from autoskill_mcp.skillmd.lookalike import skeleton

PLAIN = "git-commit-messages"


@pytest.mark.parametrize("twin", [
    "ｇｉｔ-commit-messages",            # fullwidth
    "g\u0456t-commit-messages",          # Cyrillic і
    "git-c\u043emmit-m\u0435ss\u0430g\u0435s",  # Cyrillic о, е, а
    "git-\u03f2\u03bfmmit-messages",     # Greek lunate sigma, omicron
    "g\u0131t-commit-messages",          # Latin dotless i
    "GIT-COMMIT-MESSAGES",
])
def test_look_alikes_share_the_plain_skeleton(twin: str) -> None:
    assert twin != PLAIN
    assert skeleton(twin) == skeleton(PLAIN) == PLAIN


@pytest.mark.parametrize("other", ["git-commit-message", "git-comit-messages", "données", "技能", "навык"])
def test_different_names_keep_different_skeletons(other: str) -> None:
    assert skeleton(other) != skeleton(PLAIN)
    assert skeleton("données") != skeleton("donnees")
