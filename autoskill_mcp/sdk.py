"""The Python SDK: AutoSkill's surface (`AutoSkill(AutoSkillConfig(...))`) over our core.

AutoSkill's documented examples run unchanged but for the import; `user_id`
may be left out and then defaults to the same user the CLI uses.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from . import skillmd
from .config import AutoSkillConfig
from .context import Level, RenderedContext, render_context
from .errors import AutoSkillError, InvalidInputError, NotFoundError
from .script_usage import HEAD_BYTES, MAX_SCRIPTS, ScriptUsage, is_script, script_usage
from .skill import Provenance, Scope, Skill, SkillExample, now_iso
from .skillmd.names import canonical_name
from .store import (
    ImportLimits,
    ImportReport,
    SkillHit,
    SkillStore,
    VersionInfo,
    export_skills,
    import_skill_dirs,
    open_store,
)

if TYPE_CHECKING:  # the learning package loads on first use, not with the SDK
    from .learning.pending import Pending
    from .learning.pipeline import Learner, LearnResult
    from .learning.pruning import PruneReport
    from .learning.queue import JobQueue
    from .learning.worker import Worker
    from .runtime.project import ProjectSkills


class AutoSkill:
    """Skills for one machine: search, read, write, version, import and export them."""

    def __init__(self, config: AutoSkillConfig | None = None, *, store: SkillStore | None = None,
                 project: ProjectSkills | str | Path | Sequence[str | Path] | None = None) -> None:
        """`project`: the repository (or repositories) whose own skills (`.claude/skills/`, ...) are
        searched and served beside the store's, as scope `project` (read-only, never stored)."""
        self.config = config or AutoSkillConfig()
        base = store or open_store(
            self.config.resolved_store(),
            home=self.config.home,
            embeddings=self.config.resolved_embeddings(),
            library_dirs=self.config.library_dirs(),
        )
        self.store: SkillStore = base
        if project is not None:
            from .runtime.project import ProjectSkills, ProjectView

            self.store = ProjectView(base, ProjectSkills.of(project), owns_base=True)
        self.default_user = self.config.resolved_user()
        self._queue: JobQueue | None = None
        self._learner: Learner | None = None

    @property
    def base_store(self) -> SkillStore:
        """The store itself, without a project's skills beside it."""
        from .runtime.project import ProjectView

        return self.store.base if isinstance(self.store, ProjectView) else self.store

    def with_project(self, project: ProjectSkills | str | Path | Sequence[str | Path] | None) -> AutoSkill:
        """This SDK's store with another project beside it (a server's per-request view): it shares the
        store, which closing the view leaves open, and reads the project's folders once, as they are now."""
        from .runtime.project import ProjectSkills, ProjectView

        view = AutoSkill.__new__(AutoSkill)
        view.config, view.default_user = self.config, self.default_user
        view.store = ProjectView(self.base_store, ProjectSkills.of(project).pinned())  # one look at the folders
        view._queue = view._learner = None
        return view

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> AutoSkill:
        """Build from a plain dict config, as the seed does."""
        return cls(AutoSkillConfig.from_dict(config))

    def close(self) -> None:
        if self._queue is not None:
            self._queue.close()
        if self._learner is not None:
            self._learner.close()
        self.store.close()

    def __enter__(self) -> AutoSkill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _user(self, user_id: str | None) -> str:
        return user_id or self.default_user

    # -- retrieval -------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        user_id: str | None = None,
        limit: int | None = None,
        scope: str | None = None,
        filters: dict[str, Any] | None = None,
        min_score: float = 0.0,
        wait: bool = False,
        load_model: bool = True,
    ) -> list[SkillHit]:
        """Skills relevant to `query`, best first (`filters` may hold `tags`).

        Never waits for skills to be embedded: while some lack a vector the answer comes
        from keywords and each hit's `note` says `vector: pending n of N` (a queue worker,
        `autoskill import` or `reindex` fills them in). `load_model` (default) loads the
        embedding model on first use so the query gets a vector; servers pass False to
        answer at once. `wait=True` embeds every missing vector first (evaluations).
        """
        filters = dict(filters or {})
        scope = scope or str(filters.pop("scope", "all"))
        tags = filters.get("tags")
        if isinstance(tags, str):
            tags = [tags]
        return self.store.search(
            query, user_id=self._user(user_id), scope=scope, top_k=limit or self.config.default_search_limit,
            min_score=min_score, tags=tags, wait=wait, load_model=load_model,
        )

    def render_context(
        self,
        query: str,
        *,
        user_id: str | None = None,
        limit: int | None = None,
        scope: str | None = None,
        filters: dict[str, Any] | None = None,
        budget: int | None = None,
        level: str = "auto",
        min_score: float = 0.0,
    ) -> str:
        """An injectable block of the skills relevant to `query`, within a token budget."""
        return self.render_context_result(
            query, user_id=user_id, limit=limit, scope=scope, filters=filters, budget=budget, level=level,
            min_score=min_score,
        ).text

    def render_context_result(
        self,
        query: str,
        *,
        user_id: str | None = None,
        limit: int | None = None,
        scope: str | None = None,
        filters: dict[str, Any] | None = None,
        budget: int | None = None,
        level: str = "auto",
        min_score: float = 0.0,
        wait: bool = False,
        load_model: bool = True,
        select: Callable[[builtins.list[SkillHit]], builtins.list[SkillHit]] | None = None,
    ) -> RenderedContext:
        """`render_context` with the token count and what each skill contributed.

        `select`, when given, picks which of the found hits are rendered (the proxy's LLM selection).
        `level` is checked first: a bad one must not cost a search (nor count its hits as retrieved).
        """
        if level not in get_args(Level):
            raise InvalidInputError(f"level must be one of {', '.join(get_args(Level))}")
        hits = self.search(query, user_id=user_id, limit=limit, scope=scope, filters=filters,
                           min_score=min_score, wait=wait, load_model=load_model)
        if select is not None:
            hits = select(hits)
        files: dict[str, list[str]] = {}
        locations: dict[str, str] = {}
        scripts: dict[str, builtins.list[ScriptUsage]] = {}
        for hit in hits:
            files[hit.skill.id] = [f.path for f in self.store.list_files(hit.skill.id)]
            where = self.store.skill_dir(hit.skill.id)
            if where is not None:
                locations[hit.skill.id] = str(where)
            if hit.skill.skill_type == "operator" and level != "catalog":
                scripts[hit.skill.id] = self._script_usages(hit.skill, files[hit.skill.id])
        return render_context(
            hits, budget=budget or self.config.context_token_budget, level=level,  # type: ignore[arg-type]
            query=query, files=files, locations=locations, scripts=scripts,
        )

    def _script_usages(self, skill: Skill, paths: builtins.list[str]) -> builtins.list[ScriptUsage]:
        """How to run each of an operator skill's scripts, from its SKILL.md and the scripts' heads (read only)."""
        out: builtins.list[ScriptUsage] = []
        for path in [p for p in paths if is_script(p)][:MAX_SCRIPTS]:
            try:
                head = self.store.read_file(skill.id, path)[:HEAD_BYTES]
            except (AutoSkillError, OSError):  # gone or unreadable since it was listed: listed without usage
                head = b""
            out.append(script_usage(path, head, skill.instructions))
        return out

    # -- reading ---------------------------------------------------------------------------------

    def get(self, skill_id: str) -> Skill | None:
        """One skill by id, or None."""
        return self.store.get(skill_id)

    def list(self, *, user_id: str | None = None, scope: str = "user") -> list[Skill]:
        """The active skills of a user (or of another scope)."""
        return self.store.list(user_id=self._user(user_id), scope=scope)

    def get_all(self, *, user_id: str | None = None) -> builtins.list[Skill]:
        """Alias of `list`, as in the seed."""
        return self.list(user_id=user_id)

    # -- writing ---------------------------------------------------------------------------------

    def upsert(
        self,
        *,
        name: str,
        description: str,
        instructions: str = "",
        user_id: str | None = None,
        triggers: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        examples: builtins.list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        source: dict[str, Any] | None = None,
        skill_id: str | None = None,
        scope: str = "user",
        files: dict[str, bytes | str] | None = None,
    ) -> Skill:
        """Write a structured skill: create it, or update the one with this id or, without an id, this name.

        Updating by name is what makes a script that upserts safe to run twice: the second run
        changes the same skill (a new version when the content changed), never a name conflict.
        """
        user = self._user(user_id)
        if not isinstance(name, str) or not isinstance(description, str) or not isinstance(instructions, str):
            raise InvalidInputError("name, description and instructions must be strings")
        if scope == Scope.PROJECT.value:  # only when asked: into the repository, never the store
            return self._save_to_project(name=name, description=description, instructions=instructions,
                                         triggers=triggers, tags=tags, files=files)
        where = Scope(scope) if scope in ("user", "shared") else Scope.USER
        if skill_id:
            existing = self.store.get(skill_id)
        else:
            stored_name = canonical_name(name)  # the store's own form: an upsert by 'ｇｉｔ-x' updates 'git-x'
            existing = self.store.find(stored_name, user_id=user, scope=where.value)
            if existing is not None and existing.scope != where:
                existing = None
        skill = Skill(
            id=skill_id or (existing.id if existing is not None else str(uuid.uuid4())),
            user_id=user,
            scope=where,
            name=name.strip(),
            description=description.strip(),
            instructions=instructions.strip(),
            triggers=[t.strip() for t in triggers or [] if t and t.strip()],
            tags=[t.strip() for t in tags or [] if t and t.strip()],
            examples=[e for e in (SkillExample.from_any(x) for x in examples or ()) if e is not None],
            metadata={str(k): str(v) for k, v in (metadata or {}).items()},
            files={k: v.encode("utf-8") if isinstance(v, str) else v for k, v in (files or {}).items()},
        )
        if existing is not None:
            skill.version = existing.version
            skill.provenance = existing.provenance
            skill.created_at = existing.created_at
        if source:
            skill.provenance.append(Provenance(source=str(source.get("source", "sdk")), at=now_iso(),
                                               session_id=source.get("session_id"), agent=source.get("agent")))
        return self.store.save(skill, reason="upsert")

    def _save_to_project(self, *, name: str, description: str, instructions: str, triggers: Iterable[str] | None,
                         tags: Iterable[str] | None, files: dict[str, bytes | str] | None) -> Skill:
        """`upsert(scope="project")`: the SKILL.md written into the project's first root (see `ProjectView`)."""
        from .runtime.project import ProjectView

        if not isinstance(self.store, ProjectView):
            raise InvalidInputError("scope 'project' needs a project: AutoSkill(..., project=PATH)")
        if files:
            raise InvalidInputError("a project skill is saved as its SKILL.md only; add its files in the repository")
        skill = Skill(name=name.strip(), description=description.strip(), instructions=instructions.strip(),
                      triggers=[t.strip() for t in triggers or [] if t and t.strip()],
                      tags=[t.strip() for t in tags or [] if t and t.strip()])
        saved = self.store.save_to_project(skill)
        saved.skill.redactions = saved.redacted
        return saved.skill

    def save(self, skill: Skill, *, reason: str = "save") -> Skill:
        """Write a Skill object as given (version bumped when content changed)."""
        return self.store.save(skill, reason=reason)

    def delete(self, skill_id: str) -> bool:
        """Delete a skill; its history stays in the catalog."""
        return self.store.delete(skill_id)

    # -- history ---------------------------------------------------------------------------------

    def versions(self, skill_id: str) -> builtins.list[VersionInfo]:
        """The skill's history, oldest first."""
        return self.store.versions(skill_id)

    def get_version(self, skill_id: str, version: str) -> Skill:
        """The skill as it was at `version`."""
        return self.store.get_version(skill_id, version)

    def rollback(self, skill_id: str, to_version: str | None = None) -> Skill:
        """Bring back an earlier version's content as a new version."""
        return self.store.rollback(skill_id, to_version)

    # -- import and export ------------------------------------------------------------------------

    def export_skill_md(self, skill_id: str, *, profile: str = "spec") -> str | None:
        """The skill as one SKILL.md string."""
        skill = self.store.get(skill_id)
        return None if skill is None else skillmd.render(skill, profile=profile)

    def export_skill_dir(self, skill_id: str) -> dict[str, str] | None:
        """The skill as `{relative path: text}` (binary files are left out)."""
        skill = self.store.get(skill_id, include_files=True)
        if skill is None:
            return None
        out = {"SKILL.md": skillmd.render(skill)}
        for rel, data in skill.files.items():
            try:
                out[rel] = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
        return out

    def write_skill_dir(self, skill_id: str, *, root_dir: str | Path, profile: str = "spec") -> str | None:
        """Write one skill as `<root_dir>/<name>/`; returns that folder."""
        if self.store.get(skill_id) is None:
            return None
        return str(export_skills(self.store, [skill_id], root_dir, profile=profile, overwrite=True)[0])

    def write_skill_dirs(self, *, user_id: str | None = None, root_dir: str | Path,
                         profile: str = "spec") -> builtins.list[str]:
        """Write all of a user's skills as folders under `root_dir`."""
        ids = [s.id for s in self.store.summaries(user_id=self._user(user_id), scope="user")]
        return [str(p) for p in export_skills(self.store, ids, root_dir, profile=profile, overwrite=True)]

    def import_agent_skill_dirs(
        self,
        *,
        root_dir: str | Path,
        user_id: str | None = None,
        overwrite: bool = True,
        include_files: bool = True,
        max_file_bytes: int = 1_000_000,
        max_depth: int = 6,
        reassign_ids: bool = True,
    ) -> builtins.list[Skill]:
        """Import every skill folder below `root_dir`; returns the skills added or updated."""
        report = self.import_skills(root_dir, user_id=user_id, overwrite=overwrite, include_files=include_files,
                                    limits=ImportLimits(max_depth=max_depth, max_file_bytes=max_file_bytes))
        names = set(report.imported) | set(report.updated) | set(report.unchanged)
        user = self._user(user_id)
        return [s for s in self.list(user_id=user) if s.name in names]

    def import_skills(
        self,
        root_dir: str | Path,
        *,
        user_id: str | None = None,
        scope: str = "user",
        overwrite: bool = False,
        include_files: bool = True,
        limits: ImportLimits | None = None,
        on_progress: Any = None,
    ) -> ImportReport:
        """Import skill folders and report, skill by skill, what happened and why.

        `on_progress(stage, done, total)` is called as folders are read and skills saved.
        """
        if scope not in ("user", "shared"):
            raise InvalidInputError("import into scope 'user' or 'shared'")
        return import_skill_dirs(self.store, root_dir, user_id=self._user(user_id), scope=Scope(scope),
                                 overwrite=overwrite, include_files=include_files, limits=limits,
                                 on_progress=on_progress)

    def record_usage(self, skill_id: str, *, retrieved: int = 0, used: int = 0, user_id: str | None = None) -> None:
        """Count that a skill was retrieved for or used by a user (feeds opt-in pruning later)."""
        if self.store.get(skill_id) is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        self.store.record_usage(skill_id, retrieved=retrieved, used=used, user_id=self._user(user_id))

    def prune(self, *, user_id: str | None = None, min_retrieved: int = 40, max_used: int = 0,
              min_age_days: float = 14.0, apply: bool = False) -> PruneReport:
        """Skills retrieved often and never used (opt-in; only while `used` reports are coming in).

        A dry run unless `apply`; pruned skills keep their history in the catalog.
        """
        from .learning.pruning import PrunePolicy, prune

        policy = PrunePolicy(min_retrieved=min_retrieved, max_used=max_used, min_age_days=min_age_days)
        return prune(self.store, self._user(user_id), policy, apply=apply)

    # -- learning --------------------------------------------------------------------------------------

    @property
    def queue(self) -> JobQueue:
        """The durable ingestion queue in this store's catalog (shared with every process on it)."""
        if self._queue is None:
            from .learning.queue import open_queue

            self._queue = open_queue(self.store, getattr(self.store, "root", self.config.home))
        return self._queue

    @property
    def learner(self) -> Learner:
        """The learning pipeline: an LLM extractor when one is configured, else the offline rules."""
        if self._learner is None:
            from .learning.pipeline import build_learner

            self._learner = build_learner(self.store, self.config.resolved_llm())
        return self._learner

    def candidates(self, *, user_id: str | None = None, status: str | None = "pending", all_users: bool = False,
                   limit: int = 200) -> builtins.list[Pending]:
        """Candidates kept aside until their requirement recurs (newest first); `status` None for every status."""
        pending = self.learner.pending
        if pending is None:
            return []
        return list(pending.list(None if all_users else self._user(user_id), status=status, limit=limit))

    def accept_candidate(self, candidate_id: str, *, user_id: str | None = None) -> LearnResult:
        """Learn a pending candidate now (the LearnResult: what was added or merged)."""
        return self.learner.accept(candidate_id, user_id=self._user(user_id))

    def reject_candidate(self, candidate_id: str, *, user_id: str | None = None) -> Pending:
        """Drop a pending candidate: it will not be promoted when its requirement recurs."""
        pending = self.learner.pending
        user = self._user(user_id)
        found = pending.get(candidate_id) if pending is not None else None
        done = None
        if pending is not None and found is not None and found.user_id == user and found.status == "pending":
            done = pending.resolve(candidate_id, "rejected")  # None: another process resolved it in between
        if done is None:
            raise NotFoundError(f"no pending candidate {candidate_id!r} for user {user!r}")
        return done

    def worker(self, *, lease: float = 60.0) -> Worker:
        """A queue worker over this store (`.run()` to work the queue, `.run_once()` for one job)."""
        from .learning.worker import Worker

        return Worker(self.queue, self.learner, lease=lease)

    def ingest(
        self,
        messages: builtins.list[dict[str, Any]] | None = None,
        events: builtins.list[dict[str, Any]] | None = None,
        *,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        hint: str | None = None,
    ) -> builtins.list[Skill]:
        """Learn from one conversation now; the skills added or changed (AutoSkill's `ingest`).

        `messages` are OpenAI-style `{"role", "content"}` dicts; `events` an agent's
        trajectory (dicts with a role and content, or tool calls). Details of the last
        call (gate, extractor, decisions) are in `last_ingest`.
        """
        result = self.ingest_result(messages, events, user_id=user_id, metadata=metadata, hint=hint)
        from .learning.maintenance import WROTE

        changed = [d.skill_id for d in result.decisions if d.action in WROTE and d.skill_id]
        return [s for s in (self.store.get(i) for i in changed) if s is not None]

    def ingest_result(
        self,
        messages: builtins.list[dict[str, Any]] | None = None,
        events: builtins.list[dict[str, Any]] | None = None,
        *,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        hint: str | None = None,
    ) -> LearnResult:
        """Like `ingest`, returning the full LearnResult (gate, extractor, candidates, decisions)."""
        from .learning.events import session_from_events
        from .learning.transcripts import session_from_messages

        if (messages is None) == (events is None):
            raise InvalidInputError("give exactly one of messages= or events=")
        meta = dict(metadata or {})
        session_id = str(meta.get("session_id") or uuid.uuid4())
        if messages is not None:
            if not isinstance(messages, list):
                raise InvalidInputError("messages must be a list of {'role', 'content'} dicts")
            session = session_from_messages(messages, agent=str(meta.get("agent") or "sdk"), session_id=session_id)
        else:
            if not isinstance(events, list):
                raise InvalidInputError("events must be a list of dicts")
            session = session_from_events(events, agent=str(meta.get("agent") or "sdk"), session_id=session_id)
        result = self.learner.learn(session, user_id=self._user(user_id), hint=hint)
        self.last_ingest = result
        return result

    def ingest_transcript(self, path: str | Path, *, user_id: str | None = None, format: str | None = None,
                          hint: str | None = None, wait: bool = True) -> dict[str, Any]:
        """Queue a transcript file (any supported agent); with `wait`, work it here and return the job."""
        job_id, _ = self.queue.enqueue_path(path, user_id=self._user(user_id), format=format, hint=hint)
        if wait:
            worker = self.worker()
            while (job := self.queue.get(job_id)) is not None and job.state in ("queued", "running"):
                if worker.run_once() is None:
                    import time

                    time.sleep(0.2)
        job = self.queue.get(job_id)
        return job.to_dict() if job is not None else {"id": job_id}

    def import_openai_conversations(
        self,
        *,
        user_id: str | None = None,
        data: Any = None,
        file_path: str | Path | None = None,
        hint: str | None = None,
        continue_on_error: bool = True,
        max_messages_per_conversation: int | None = None,
    ) -> dict[str, Any]:
        """Learn from OpenAI-format conversations (a file, or loaded JSON), through the same pipeline."""
        from .learning.events import conversations_in
        from .learning.maintenance import OUTCOMES
        from .learning.transcripts import read_transcript, session_from_messages

        if (data is None) == (file_path is None):
            raise InvalidInputError("give exactly one of data= or file_path=")
        sessions = []
        if file_path is not None:
            sessions = read_transcript(Path(file_path))
        else:
            for i, messages in enumerate(conversations_in(data)):
                sessions.append(session_from_messages(messages, agent="openai-chat",
                                                      session_id=f"conversation-{i + 1}"))
        summary: dict[str, Any] = {"conversations": len(sessions), "ingested": 0, **dict.fromkeys(OUTCOMES, 0),
                                   "skipped": 0, "llm_calls": 0, "errors": [], "skills": []}
        for session in sessions:
            if max_messages_per_conversation:
                session.events = session.events[-max_messages_per_conversation:]
            try:
                result = self.learner.learn(session, user_id=self._user(user_id), hint=hint)
            except Exception as exc:
                if not continue_on_error:
                    raise
                summary["errors"].append({"session_id": session.session_id, "error": str(exc)})
                continue
            summary["ingested"] += 1
            summary["llm_calls"] += result.llm_calls
            if result.error:
                summary["errors"].append({"session_id": session.session_id, "error": result.error})
            if not result.decisions:
                summary["skipped"] += 1
            for d in result.decisions:
                summary[d.action] += 1
                summary["skills"].append(d.to_dict())
        summary["extractor"] = self.learner.extractor.name
        return summary
