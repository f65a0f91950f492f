"""The shared skill store as the language server sees it: opened in the background, watched for
changes made by other processes (MCP server, CLI, learning queue), searched for near-duplicates.

Every call goes to the core (``store``, ``retrieval``, ``learning.maintenance``);
this module only adds threading, caching and the JSON shapes of the editor contract
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
from ..runtime import build_config
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
SAVE_ACTIONS = {"add": "added", "merge": "updated", "unchanged": "unchanged"}


@dataclass(frozen=True)
class Similar:
    """A stored skill that closely matches the document being edited."""

    skill_id: str
    name: str
    version: str
    score: float
    path: str | None


class StoreService:
    """Owns the store handle for one language server process."""

    def __init__(self, home: str | None, user: str | None, on_change: Callable[[], None], *,
                 work_queue: bool = True) -> None:
        self.config = build_config(home, user)
        self.user = self.config.resolved_user()
        self._on_change = on_change
        self._store: SkillStore | None = None
        self._error: str | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._seq = -1
        self._cache: OrderedDict[tuple[str, int], list[tuple[Skill, Similar]]] = OrderedDict()
        self._lock = threading.Lock()
        #: held while a thread is started or stopped, so stop() never meets one half set up
        self._life = threading.Lock()
        self._thread: threading.Thread | None = None
        self.work_queue = work_queue
        self._worker: Any = None
        self._queue: Any = None
        self._worker_thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the store and watch it, on a daemon thread (opening can take seconds)."""
        with self._life:
            if self._stop.is_set():
                return
            self._thread = threading.Thread(target=self._run, name="autoskill-store", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            cfg = self.config
            from ..store.factory import open_store

            store = open_store(cfg.store, home=cfg.home, embeddings=cfg.resolved_embeddings(),
                               library_dirs=cfg.library_dirs())
            with self._life:
                if self._stop.is_set():  # stopped while opening: stop() could not close what was not there yet
                    store.close()
                    return
                self._store = store
            self._seq = store.change_seq()
            log.info("skill store open at %s (user %s)", cfg.home, self.user)
        except Exception as exc:  # a broken store must not take the editor features down
            self._error = f"cannot open the skill store at {self.config.home}: {exc}"
            log.error("%s", self._error)
            return
        finally:
            self._ready.set()
        self._on_change()
        if self.work_queue:
            self._start_worker(store)
        while not self._stop.wait(POLL_SECONDS):
            self.poll()

    def _start_worker(self, store: SkillStore) -> None:
        """Work the shared ingestion queue here too, so hooks' transcripts get learned while the editor runs."""
        try:
            from ..learning.pipeline import configured_learner
            from ..learning.queue import JobQueue
            from ..learning.worker import Worker

        except Exception as exc:  # noqa: BLE001 - the editor features do not depend on learning
            log.warning("not working the ingestion queue: %s", exc)
            return
        with self._life:
            if self._stop.is_set():  # the editor closed while we were getting here
                return
            try:
                queue = JobQueue(getattr(store, "root", self.config.home))
                worker = Worker(queue, configured_learner(store, self.config.resolved_llm()))
            except Exception as exc:  # noqa: BLE001
                log.warning("not working the ingestion queue: %s", exc)
                return
            thread = threading.Thread(target=worker.run, kwargs={"poll": QUEUE_POLL_SECONDS},
                                      name="autoskill-queue", daemon=True)
            thread.start()
            self._queue, self._worker, self._worker_thread = queue, worker, thread

    def poll(self) -> bool:
        """Pick up writes by any process; True (and listeners told) when the store changed."""
        store = self._store
        if store is None:
            return False
        try:
            seq = store.change_seq()
        except Exception as exc:
            log.warning("reading the store's change counter failed: %s", exc)
            return False
        if seq == self._seq:
            return False
        refresh = getattr(store, "refresh", None)
        if callable(refresh):
            refresh()
        self._seq = seq
        self._on_change()
        return True

    def stop(self) -> None:
        """Stop the worker and the watcher, then close the store (whatever start-up had reached)."""
        with self._life:
            self._stop.set()
            worker, worker_thread, queue = self._worker, self._worker_thread, self._queue
            thread = self._thread
        if worker is not None and worker_thread is not None:
            worker.stop()
            worker_thread.join(timeout=30)  # a job in flight finishes (or its lease lets another take it)
            queue.close()
            worker.learner.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        with self._life:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    @property
    def ready(self) -> bool:
        return self._store is not None

    @property
    def seq(self) -> int:
        return self._seq

    def store(self) -> SkillStore:
        """The open store, waiting for it to open; raises with the reason when it cannot."""
        if not self._ready.wait(OPEN_TIMEOUT):
            raise RuntimeError(f"the skill store at {self.config.home} is still opening; try again")
        if self._store is None:
            raise RuntimeError(self._error or "the skill store is closed")
        return self._store

    # -- near-duplicates ----------------------------------------------------------------------------

    def similar(self, parsed: ParsedSkillMd, dir_name: str | None) -> Similar | None:
        """The stored skill this document closely duplicates, if any (never waits for the store).

        The search depends on the name and description only, so it is cached until they or the
        store change: typing in the body costs no search.
        """
        store = self._store
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
        hits = store.search(query, user_id=self.user, scope="all", top_k=max(1, int(top_k)), wait=False)
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
               "action": SAVE_ACTIONS[decision.action], "path": _skill_md_path(store, skill_id)}
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
