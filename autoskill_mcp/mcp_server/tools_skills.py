"""Skill tools: search, render_context, get, list, save, delete, rollback, report use.

Each tool returns a typed model, so clients get an output schema and structured
content. Writes touch only the caller's own skills (shared and library skills
are read-only over MCP) and go through the store's versioned write or through
maintenance, so every change is a new version with history.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from ..errors import AutoSkillError, quoted
from ..learning.maintenance import SaveOutcome
from ..runtime import skills
from ..skillmd.names import name_input_problem
from ..store.layout import MAX_SKILL_MD_BYTES
from .identity import caller_of
from .skill_files import skill_md_uri
from .state import StoreUnavailableError

READ = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
#: writes that repeat harmlessly (saving the same content, queueing the same transcript)
IDEMPOTENT_WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True,
                                   open_world_hint=False)
#: writes that change something each time (a new version, a use counted)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False)
ALWAYS_LOAD = {"anthropic/alwaysLoad": True}

Scope = Literal["all", "user", "project", "shared", "library", "common"]
SkillName = Annotated[str, Field(description="Skill name (or id)", min_length=1, max_length=200)]
MAX_MIB = f"{MAX_SKILL_MD_BYTES / 1024 / 1024:g} MiB"


class SearchHit(BaseModel):
    """One hit with its hybrid score and the parts it is made of (the skill API answers the same)."""

    id: str
    name: str
    description: str
    version: str
    scope: str
    score: float
    keyword: float | None = None
    vector: float | None = None
    mode: str
    note: str | None = None
    why: str


class SkillHitOut(SearchHit):
    uri: str


class SearchResult(BaseModel):
    query: str
    hits: list[SkillHitOut]
    note: str | None = Field(default=None, description=(
        "Why vectors did not rank this search, e.g. 'vector: pending 12 of 5000' while skills are "
        "being embedded (the hits come from keywords meanwhile); null when they did"))


class ContextResult(BaseModel):
    text: str = Field(description="The block to inject into the prompt (empty if nothing fits the budget)")
    tokens: int
    budget: int
    skills: list[dict[str, Any]]


class SkillFileOut(BaseModel):
    path: str
    size: int
    uri: str


class SkillOut(BaseModel):
    id: str
    name: str
    description: str
    version: str
    scope: str
    uri: str
    instructions: str
    tags: list[str]
    files: list[SkillFileOut]
    skill_md: str = Field(description="The SKILL.md file as stored")


class SkillSummaryOut(BaseModel):
    id: str
    name: str
    description: str
    version: str
    scope: str
    uri: str
    updated_at: str


class SkillPage(BaseModel):
    skills: list[SkillSummaryOut]
    total: int
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page")


class SaveResult(BaseModel):
    action: SaveOutcome
    id: str | None
    name: str
    version: str | None
    reason: str
    uri: str | None
    redacted: dict[str, int] = Field(default_factory=dict,
                                     description="Secrets replaced by [REDACTED:<kind>] before storing: kind -> count")


def _saved_reason(reason: str, redacted: dict[str, int]) -> str:
    """The decision's reason, and what was redacted: the stored skill differs from what was sent there."""
    if not redacted:
        return reason
    n = sum(redacted.values())
    return (f"{reason}; {n} secret{'s' if n > 1 else ''} replaced by [REDACTED:<kind>] before storing "
            f"({', '.join(sorted(redacted))})")


class DeleteResult(BaseModel):
    deleted: bool
    name: str


class RollbackResult(BaseModel):
    id: str
    name: str
    version: str = Field(description="The new version holding the restored content")
    history: list[dict[str, Any]]


class UsageResult(BaseModel):
    name: str
    usage: dict[str, Any]


async def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run blocking store work on a thread, turning our typed errors into tool errors."""
    def call() -> Any:
        try:
            return fn(*args, **kwargs)
        except (AutoSkillError, StoreUnavailableError) as exc:
            raise ToolError(str(exc)) from exc

    return await anyio.to_thread.run_sync(call)


def own_skill(store: Any, user: str, name: str) -> Any:
    """The caller's own skill by name or id (project, shared and library skills are read-only over MCP)."""
    return skills.own_skill(store, user, name, where="over MCP", hint="; list_skills shows the names")


def visible_skill(store: Any, user: str, name: str) -> Any:
    """A skill the caller may read, by name (own, then the project's, shared, library) or id."""
    return skills.visible_skill(store, user, name, hint="; search_skills or list_skills shows what exists")


async def search_skills(
    query: Annotated[str, Field(description="The task, in a few words", min_length=1, max_length=2000)],
    ctx: Context,
    top_k: Annotated[int, Field(ge=1, le=50)] = 5,
    scope: Scope = "all",
    min_score: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0,
) -> SearchResult:
    """Find the user's skills relevant to a task (hybrid keyword + vector; each hit says why)."""
    state, user, project = await caller_of(ctx)

    def work() -> SearchResult:
        sdk = state.view(project)
        hits = sdk.search(query, user_id=user, limit=top_k, scope=scope, min_score=min_score, wait=False,
                          load_model=False)
        state.retrievals().count(user, query, (h.skill.id for h in hits))
        note = hits[0].note if hits else getattr(sdk.store, "vector_note", lambda: None)()
        return SearchResult(query=query, note=note, hits=[
            SkillHitOut(**{k: v for k, v in h.to_dict().items() if k in SkillHitOut.model_fields},
                        uri=skill_md_uri(h.skill.name))
            for h in hits
        ])

    return await run(work)


async def render_context(
    query: Annotated[str, Field(description="The task, in a few words", min_length=1, max_length=2000)],
    ctx: Context,
    budget: Annotated[int, Field(ge=50, le=50_000, description="Token budget for the block")] = 2000,
    level: Literal["auto", "catalog", "full", "files"] = "auto",
    top_k: Annotated[int, Field(ge=1, le=20)] = 5,
    scope: Scope = "all",
) -> ContextResult:
    """The relevant skills as one block to inject into a prompt, within a token budget."""
    state, user, project = await caller_of(ctx)

    def work() -> ContextResult:
        out = state.view(project).render_context_result(query, user_id=user, limit=top_k, scope=scope, budget=budget,
                                                level=level, wait=False, load_model=False)
        state.retrievals().count(user, query, (s["id"] for s in out.skills))
        return ContextResult(**out.to_dict())

    return await run(work)


async def get_skill(
    name: SkillName,
    ctx: Context,
) -> SkillOut:
    """One skill in full: instructions, SKILL.md text and its files (read them as skill:// resources)."""
    state, user, project = await caller_of(ctx)

    def work() -> SkillOut:
        store = state.view(project).store
        skill = visible_skill(store, user, name)
        text = store.read_skill_md(skill.id).decode("utf-8", "replace")
        files = [SkillFileOut(path=f.path, size=f.size, uri=f"skill://{skill.name}/{f.path}")
                 for f in store.list_files(skill.id)]
        return SkillOut(id=skill.id, name=skill.name, description=skill.description, version=skill.version,
                        scope=skill.scope.value, uri=skill_md_uri(skill.name), instructions=skill.instructions,
                        tags=list(skill.tags), files=files, skill_md=text)

    return await run(work)


async def list_skills(
    ctx: Context,
    scope: Scope = "all",
    cursor: str | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 100,
) -> SkillPage:
    """The skills this user can use, by name, a page at a time."""
    state, user, project = await caller_of(ctx)

    def work() -> SkillPage:
        page = skills.list_page(state.view(project).store, user, scope=scope, cursor=cursor, limit=limit)
        return SkillPage(total=page.total, next_cursor=page.next_cursor, skills=[
            SkillSummaryOut(id=s.id, name=s.name, description=s.description, version=s.version, scope=s.scope,
                            uri=skill_md_uri(s.name), updated_at=s.updated_at) for s in page.skills])

    return await run(work)


async def save_skill(
    ctx: Context,
    name: Annotated[str | None, Field(description="Skill name (lowercase-hyphenated)", max_length=64)] = None,
    description: Annotated[str | None, Field(description="What it does and when to use it",
                                             max_length=1024)] = None,
    instructions: Annotated[str | None, Field(
        description=f"The Markdown body: steps, conventions, checks (the whole SKILL.md at most {MAX_MIB} as UTF-8)"
    )] = None,
    tags: list[str] | None = None,
    skill_md: Annotated[str | None, Field(description="A whole SKILL.md instead of the fields above "
                                                      f"(at most {MAX_MIB} as UTF-8)")] = None,
    mode: Annotated[Literal["replace", "merge"], Field(
        description="replace: write exactly this (a new version if it exists); "
                    "merge: let maintenance merge it into a similar skill or add it")] = "replace",
    expected_version: Annotated[str | None, Field(description="Fail if the stored version differs")] = None,
    scope: Annotated[Literal["user", "project"], Field(
        description="user: the user's own skills (default); project: write the SKILL.md into the repository "
                    "being worked in (its first root), only when the user asked for that")] = "user",
) -> SaveResult:
    """Author or edit one of the user's skills; every change becomes a new version with history."""
    state, user, project = await caller_of(ctx)
    for field_name, value in (("instructions", instructions), ("skill_md", skill_md)):
        size = len(value.encode("utf-8", "surrogatepass")) if value is not None else 0
        if size > MAX_SKILL_MD_BYTES:  # refused before it is parsed, rendered or stored
            raise ToolError(f"{field_name} is {size:,} bytes; a skill's SKILL.md may be at most "
                            f"{MAX_SKILL_MD_BYTES:,} bytes ({MAX_MIB}): move long material into files under "
                            "references/; nothing was stored")

    def work() -> SaveResult:
        from ..learning.candidate import Candidate
        from ..learning.maintenance import Maintainer
        from ..skill import Skill

        if skill_md is not None:
            new = skills.skill_from_md(skill_md)
        else:
            if not name or not description:
                raise ToolError("give name and description (and instructions), or a whole skill_md")
            new = Skill(name=name, description=description, instructions=instructions or "", tags=list(tags or []))
        problem = name_input_problem(new.name)
        if problem is not None:  # checked here for both modes: merge would slugify it into another name
            raise ToolError(f"invalid skill name {quoted(new.name)}: {problem}")
        if scope == "project":
            if mode == "merge":
                raise ToolError("mode 'merge' works on your own skills; save into the project with mode 'replace'")
            from ..runtime.project import ProjectView  # here: it loads the index's modules

            view = state.view(project).store
            assert isinstance(view, ProjectView)  # what with_project always serves
            done = view.save_to_project(new, expected_version=expected_version)
            reason = f"written to {done.path}" if done.action != "unchanged" else f"{done.path} already says this"
            return SaveResult(action=done.action, id=done.skill.id, name=done.skill.name, version=done.skill.version,
                              reason=_saved_reason(reason, done.redacted), redacted=done.redacted,
                              uri=skill_md_uri(done.skill.name))
        store = state.store
        if mode == "merge":
            decision = Maintainer(store).apply(
                Candidate(name=new.name, description=new.description, instructions=new.instructions,
                          tags=list(new.tags)), user_id=user, session_id=None, agent="mcp")
        else:
            decision = Maintainer(store).save_skill(new, user_id=user, reason="saved through MCP",
                                                    expected_version=expected_version)
        reason = decision.reason
        theirs = state.view(project).store.find(decision.name, user_id=user, scope="project") if project else None
        if theirs is not None and decision.skill_id:
            reason += (f"; this is your own copy, which now wins over the project's {theirs.name!r} for you "
                       "(to change the repository's file, save with scope 'project')")
        return SaveResult(action=decision.action, id=decision.skill_id, name=decision.name, version=decision.version,
                          reason=_saved_reason(reason, decision.redacted), redacted=decision.redacted,
                          uri=skill_md_uri(decision.name) if decision.skill_id else None)

    return await run(work)


async def delete_skill(
    name: SkillName,
    ctx: Context,
) -> DeleteResult:
    """Delete one of the user's skills (its history stays in the catalog)."""
    state, user, project = await caller_of(ctx)

    def work() -> DeleteResult:
        store = state.view(project).store  # a project skill of that name is refused, not passed over
        skill = own_skill(store, user, name)
        return DeleteResult(deleted=store.delete(skill.id), name=skill.name)

    return await run(work)


async def rollback_skill(
    name: SkillName,
    ctx: Context,
    to_version: Annotated[str | None, Field(description="e.g. 0.1.2 or #3; default: the previous version")] = None,
) -> RollbackResult:
    """Restore an earlier version of one of the user's skills, as a new version."""
    state, user, project = await caller_of(ctx)

    def work() -> RollbackResult:
        store = state.view(project).store
        skill = own_skill(store, user, name)
        restored = store.rollback(skill.id, to_version)
        return RollbackResult(id=restored.id, name=restored.name, version=restored.version,
                              history=[v.to_dict() for v in store.versions(restored.id)])

    return await run(work)


async def report_skill_used(
    name: Annotated[str, Field(description="The skill you applied", min_length=1, max_length=200)],
    ctx: Context,
) -> UsageResult:
    """Tell autoskill a skill was applied in this session (the signal opt-in pruning waits for)."""
    state, user, project = await caller_of(ctx)

    def work() -> UsageResult:
        store = state.view(project).store
        skill = visible_skill(store, user, name)
        store.record_usage(skill.id, used=1, user_id=user)  # a project skill is not counted (not the store's)
        return UsageResult(name=skill.name, usage=store.usage(skill.id, user_id=user))

    return await run(work)


def register(server: MCPServer) -> None:
    """Add these tools to `server`, in this order (they find the server state in the lifespan context)."""
    server.add_tool(search_skills, title="Search skills", annotations=READ, meta=ALWAYS_LOAD)
    server.add_tool(render_context, title="Render skill context", annotations=READ)
    server.add_tool(get_skill, title="Get a skill", annotations=READ)
    server.add_tool(list_skills, title="List skills", annotations=READ)
    server.add_tool(save_skill, title="Save a skill", annotations=IDEMPOTENT_WRITE)
    server.add_tool(delete_skill, title="Delete a skill", annotations=DESTRUCTIVE)
    server.add_tool(rollback_skill, title="Roll a skill back", annotations=WRITE)
    server.add_tool(report_skill_used, title="Report a skill used", annotations=WRITE)
