"""The shared skill store as the language server sees it: opened and watched by the core runtime
(so changes made by other processes reach the editor), searched for near-duplicates.

Every call goes to the core (``runtime``, ``store``, ``retrieval``, ``learning.maintenance``);
this module only adds caching and the JSON shapes of the editor contract
(editors/vscode/src/protocol.ts).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import NotFoundError
from ..runtime import Runtime, StoreChange, build_config
from ..skill import Skill
from ..skillmd import ParsedSkillMd, to_skill
from ..store.base import SkillStore

log = logging.getLogger(__name__)

#: a stored skill at least this similar (calibrated hybrid score) to the open one is reported
DUPLICATE_SCORE = 0.55
#: how often the catalog's change counter is read (one SQLite query)
POLL_SECONDS = 1.0
OPEN_TIMEOUT = 120.0
#: how often an idle queue worker looks for jobs
QUEUE_POLL_SECONDS = 1.0
#: a job in flight at shutdown may finish in this time (else its lease lets another worker take it)
WORKER_STOP_SECONDS = 30.0


@dataclass(frozen=True)
class Similar:
    """A stored skill that closely matches the document being edited."""

    skill_id: str
    name: str
    version: str
    score: float
    path: str | None


class StoreService:
    """The store handle of one language server process: the shared runtime plus the editor's commands."""

    def __init__(self, home: str | None, user: str | None, on_change: Callable[[], None], *,
                 work_queue: bool = True) -> None:
        self.config = build_config(home, user)
        self.user = self.config.resolved_user()
        self.work_queue = work_queue
        self.runtime = Runtime(self.config, poll=POLL_SECONDS, worker_poll=QUEUE_POLL_SECONDS,
                               worker_stop_seconds=WORKER_STOP_SECONDS)
        self._on_change = on_change
        self._seq = -1
        self._stopped = False
        self._cache: OrderedDict[tuple[str, int], list[tuple[Skill, Similar]]] = OrderedDict()
        self._lock = threading.Lock()
        self.runtime.subscribe(self._changed)

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the store and watch it in the background (opening can take seconds)."""
        if not self._stopped:
            self.runtime.start(work_queue=self.work_queue)

    def _changed(self, change: StoreChange) -> None:
        self._seq = change.seq
        self._on_change()

    def poll(self) -> bool:
        """Pick up writes by any process; True (and listeners told) when the store changed."""
        return self.runtime.check()

    def stop(self) -> None:
        """Stop the worker and the watcher, then close the store (whatever start-up had reached); for good."""
        self._stopped = True
        self.runtime.stop()

    @property
    def ready(self) -> bool:
        return self.runtime.is_ready

    @property
    def seq(self) -> int:
        return self._seq

    def store(self) -> SkillStore:
        """The open store, waiting for it to open; raises with the reason when it cannot."""
        if not self.runtime.ready.wait(OPEN_TIMEOUT):
            raise RuntimeError(f"the skill store at {self.config.home} is still opening; try again")
        store: SkillStore | None = self.runtime.store
        if store is None:
            error = self.runtime.error
            raise RuntimeError(f"cannot open the skill store at {self.config.home}: {error}" if error is not None
                               else "the skill store is closed")
        return store

    # -- near-duplicates ----------------------------------------------------------------------------

    def similar(self, parsed: ParsedSkillMd, dir_name: str | None) -> Similar | None:
        """The stored skill this document closely duplicates, if any (never waits for the store).

        The search depends on the name and description only, so it is cached until they or the
        store change: typing in the body costs no search.
        """
        store: SkillStore | None = self.runtime.store
        if store is None or not isinstance(parsed.data, dict):
            return None
        name, description = parsed.data.get("name"), parsed.data.get("description")
        if not isinstance(description, str) or not description.strip():
            return None
        name = name if isinstance(name, str) else (dir_name or "")
        query = f"{name.replace('-', ' ')}\n{description}"
        key = (query, self._seq)
        with self._lock:
            hits = self._cache.get(key)
            if hits is not None:
                self._cache.move_to_end(key)
        if hits is None:
            hits = self._search_similar(store, query)
            with self._lock:
                self._cache[key] = hits
                while len(self._cache) > 256:
                    self._cache.popitem(last=False)
        if not hits:
            return None
        mine = to_skill(parsed, dir_name=dir_name).skill
        for skill, found in hits:
            if mine is not None and _same_content(mine, skill):
                continue  # the stored copy of this very document
            return found
        return None

    def _search_similar(self, store: SkillStore, query: str) -> list[tuple[Skill, Similar]]:
        try:
            hits = store.search(query, user_id=self.user, scope="all", top_k=3, wait=False)
        except Exception as exc:
            log.warning("duplicate search failed: %s", exc)
            return []
        return [(h.skill, Similar(h.skill.id, h.skill.name, h.skill.version, round(h.score, 2),
                                  _skill_md_path(store, h.skill.id)))
                for h in hits if h.score >= DUPLICATE_SCORE]

    # -- the editor's commands (shapes from editors/vscode/src/protocol.ts) --------------------------

    def search(self, query: str, top_k: int = 10) -> list[dict[str, Any]]:
        """`autoskill.searchSkills`: SearchHit[] best first."""
        store = self.store()
        hits = store.search(query, user_id=self.user, scope="all", top_k=top_k, wait=False)
        return [{"id": h.skill.id, "name": h.skill.name, "description": h.skill.description,
                 "score": round(float(h.score), 6), "scope": h.skill.scope.value,
                 "path": _skill_md_path(store, h.skill.id)} for h in hits]

    def save(self, parsed: ParsedSkillMd, dir_name: str | None) -> dict[str, Any]:
        """`autoskill.saveToStore`: add or update through maintenance (version bump, history kept)."""
        from ..learning.maintenance import Maintainer

        where = parsed.path or "the document"
        if not parsed.frontmatter_closed or parsed.yaml_errors or not isinstance(parsed.data, dict):
            # The converter would guess a skill from prose; a hand-written skill should say what it is.
            raise ValueError(f"{where} cannot be saved: it needs a frontmatter with name and description "
                             "(see the SKL001-SKL004 diagnostics)")
        converted = to_skill(parsed, dir_name=dir_name)
        if converted.skill is None:
            raise ValueError(f"{where} cannot be saved: {converted.skipped_reason}; fix the frontmatter first")
        store = self.store()
        decision = Maintainer(store).save_skill(converted.skill, user_id=self.user)
        self.poll()
        skill_id = decision.skill_id or ""
        out: dict[str, Any] = {"id": skill_id, "name": decision.name, "version": decision.version or "",
               "action": decision.action, "path": _skill_md_path(store, skill_id)}
        if decision.redacted:  # the stored skill is not the document: say where and why it differs
            out["redacted"] = dict(decision.redacted)
        return out

    def versions(self, subject: str | ParsedSkillMd) -> list[dict[str, Any]]:
        """`autoskill.showVersions`: SkillVersion[] newest first ([] when the store has no such skill)."""
        store = self.store()
        skill: Skill | None
        if isinstance(subject, ParsedSkillMd):
            name = subject.data.get("name") if isinstance(subject.data, dict) else None
            skill = store.find(name, user_id=self.user) if isinstance(name, str) and name.strip() else None
        else:
            skill = store.get(subject) or store.find(subject, user_id=self.user)
        if skill is None:
            return []
        try:
            history = store.versions(skill.id)
        except NotFoundError:
            return []
        return [{"version": v.version, "created_at": v.created_at, "reason": v.reason,
                 "content_hash": v.content_hash} for v in reversed(history)]


def _skill_md_path(store: SkillStore, skill_id: str) -> str | None:
    folder = store.skill_dir(skill_id) if skill_id else None
    if folder is None:
        return None
    path = Path(folder) / "SKILL.md"
    return str(path) if path.is_file() else None


def _same_content(a: Skill, b: Skill) -> bool:
    return (a.name, " ".join(a.description.split()), a.instructions.strip()) == (
        b.name, " ".join(b.description.split()), b.instructions.strip())
