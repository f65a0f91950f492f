"""What an extractor is and returns, shared by the pipeline and the extractors it runs.

Its own module so the LLM extractor (llm_extract.py) needs nothing from the pipeline
that builds it: the dependency runs one way, pipeline -> llm_extract -> extraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .candidate import Candidate
from .evidence import Evidence
from .served import Served

__all__ = ["OWN_MARKER", "Extraction", "Extractor"]

#: put into our own LLM prompts, so a transcript of an extraction run is never learned from
OWN_MARKER = "[autoskill-extraction]"


@dataclass(slots=True)
class Extraction:
    """What an extractor found: candidates, and (LLM only) whether each served skill was followed."""

    candidates: list[Candidate] = field(default_factory=list)
    followed: dict[str, tuple[bool | None, str]] = field(default_factory=dict)


class Extractor(Protocol):
    """Turns evidence into candidates; `name` says which kind did it (shown in every result)."""

    name: str
    offline: bool  # True: no model looks at borderline sessions, so they wait for recurrence

    @property
    def calls(self) -> int: ...  # LLM calls made so far

    def extract(self, evidence: Evidence, *, hint: str | None = None, served: Sequence[Served] = ()) -> Extraction: ...
