"""Every skill the offline rules make from the transcript fixtures has been reviewed, and a person keeps them."""

from __future__ import annotations

from eval.precision import evaluate


def test_every_fixture_skill_is_reviewed_and_at_least_nine_in_ten_are_keepers() -> None:
    report = evaluate()["now"]
    assert report["unreviewed"] == [], "new or changed skills: review them (python -m eval.precision --pending)"
    assert report["skills"] >= 1 and report["keep_rate"] >= 0.9
