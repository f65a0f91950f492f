"""The skill REST API of `autoskill serve` (`/v1/autoskill/...`): a thin adapter over the shared core.

Every route is behind the proxy's guard (the user comes from the token, or is the default user
on loopback; Host/Origin checks; the body limit), answers JSON errors in the proxy's shape, and
runs its store work on a worker thread. What a route decides (which skill a name means, who may
change it, how a SKILL.md is saved or a listing paged) is decided by the functions the MCP tools
use too (`runtime.skills`, maintenance, the store), never here. The learning routes (queue, job
events, retrieval preview) are in learning_api.py and the error mapping in api_errors.py; the
route table below lists every route, and the OpenAPI document is generated from it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..errors import InvalidInputError, NotFoundError, quoted
from ..learning.maintenance import OUTCOMES
from ..runtime import skills
from ..store.layout import MAX_SKILL_MD_BYTES
from . import openapi
from . import skill_api_models as m
from .api_errors import BadBody, InvalidSkillMd, TooLarge, Unavailable, failure, problem_text
from .learning_api import LearningApi
from .openapi import Endpoint
from .proxy import describe

if TYPE_CHECKING:
    from ..sdk import AutoSkill
    from .app import Proxy

PREFIX = "/v1/autoskill"
#: how long a request waits for the store to open before it is told 503
STORE_WAIT_SECONDS = 30.0
#: where shared and library skills are read-only, in the words of ReadOnlyError
WHERE = "over the REST API"
T = TypeVar("T", bound=BaseModel)


def media_type(request: Request) -> str:
    """The request's Content-Type without its parameters, lowercased ('' when there is none)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def check_size(text: str, tail: str = "") -> None:
    """TooLarge for a SKILL.md over the store's limit (the store would not read it back)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SKILL_MD_BYTES:
        raise TooLarge(f"the SKILL.md is {size:,} bytes; a skill's SKILL.md may be at most {MAX_SKILL_MD_BYTES:,} "
                       f"bytes: move long material into files{tail}")


class SkillApi:
    """The routes under `/v1/autoskill`, over one proxy's runtime."""

    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        self.learning = LearningApi(self)
        self._retrievals: Any = None

    # -- plumbing -------------------------------------------------------------------------------------

    def sdk(self) -> AutoSkill:
        """The open store's SDK (blocking: waits while it opens; Unavailable when it cannot)."""
        runtime = self.proxy.runtime
        if not runtime.ready.wait(STORE_WAIT_SECONDS):
            raise Unavailable(f"the skill store is still opening after {STORE_WAIT_SECONDS:.0f} s; try again")
        if runtime.error is not None:
            raise Unavailable(f"the skill store could not be opened: {describe(runtime.error)}")
        sdk = runtime.sdk
        if sdk is None:
            raise Unavailable("the skill store is closed (the server is shutting down)")
        return sdk

    def user(self, request: Request) -> str:
        return self.proxy.user(request)

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Blocking store work, on a worker thread."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))

    async def body(self, request: Request, model: type[T], *, empty_ok: bool = False) -> T:
        raw = await request.body()
        try:
            doc = json.loads(raw) if raw.strip() or not empty_ok else {}
        except (ValueError, UnicodeDecodeError):
            raise BadBody("the request body is not valid JSON") from None
        if not isinstance(doc, dict):
            raise BadBody("the request body must be a JSON object")
        try:
            return model.model_validate(doc)
        except ValidationError as exc:
            raise BadBody(problem_text(exc)) from None

    @staticmethod
    def query(request: Request, model: type[T]) -> T:
        try:
            return model.model_validate(dict(request.query_params))
        except ValidationError as exc:
            raise BadBody(problem_text(exc)) from None

    def route(self, e: Endpoint) -> Route:
        """`e` behind the Host/Origin (and, for POST, JSON Content-Type) checks, its errors answered as JSON."""
        async def endpoint(request: Request) -> Response:
            kind = media_type(request)
            # a POST must send JSON, or the raw media type its route also takes (a zip of skill folders)
            refusal = await self.proxy.refused(request, post=e.method == "POST" and kind != e.raw_body)
            if refusal is not None:
                return refusal
            try:
                out = await e.handler(request)
            except Exception as exc:  # noqa: BLE001 - every failure is answered, the typed ones with their status
                return failure(exc)
            if isinstance(out, BaseModel):
                return JSONResponse(out.model_dump(mode="json"), status_code=e.status)
            return out  # type: ignore[no-any-return]

        endpoint.__name__ = e.handler.__name__
        return Route(e.path, endpoint, methods=[e.method])

    def routes(self) -> list[Route]:
        return [self.route(e) for e in self.endpoints()]

    # -- skills ---------------------------------------------------------------------------------------

    async def list_skills(self, request: Request) -> m.SkillPageOut:
        q, user = self.query(request, m.ListQuery), self.user(request)
        page = await self.run(lambda: skills.list_page(self.sdk().store, user, scope=q.scope, cursor=q.cursor,
                                                       limit=q.limit, q=q.q))
        return m.SkillPageOut(total=page.total, next_cursor=page.next_cursor, skills=[
            m.SkillSummaryOut(id=s.id, name=s.name, description=s.description, version=s.version, scope=s.scope,
                              tags=list(s.tags), updated_at=s.updated_at) for s in page.skills])

    async def get_skill(self, request: Request) -> m.SkillOut:
        ref, user = request.path_params["ref"], self.user(request)

        def work() -> m.SkillOut:
            store = self.sdk().store
            s = skills.visible_skill(store, user, ref)
            files = [m.FileOut(path=f.path, size=f.size) for f in store.list_files(s.id, user_id=user)]
            usage = store.usage(s.id, user_id=user)
            return m.SkillOut(id=s.id, name=s.name, description=s.description, version=s.version,
                              scope=s.scope.value, tags=list(s.tags), updated_at=s.updated_at,
                              instructions=s.instructions, triggers=list(s.triggers), metadata=dict(s.metadata),
                              files=files, usage=m.UsageOut.model_validate(usage, strict=False),
                              evidence=[m.EvidenceOut(**p.to_dict()) for p in s.provenance])

        return await self.run(work)  # type: ignore[no-any-return]

    async def get_md(self, request: Request) -> Response:
        ref, user = request.path_params["ref"], self.user(request)

        def work() -> Response:
            store = self.sdk().store
            s = skills.visible_skill(store, user, ref)
            return Response(store.read_skill_md(s.id, user_id=user), media_type="text/markdown; charset=utf-8",
                            headers={"X-AutoSkill-Version": s.version})

        return await self.run(work)  # type: ignore[no-any-return]

    async def get_file(self, request: Request) -> Response:
        ref, path, user = request.path_params["ref"], request.path_params["path"], self.user(request)

        def work() -> Response:
            store = self.sdk().store
            s = skills.visible_skill(store, user, ref)
            try:  # the store checks the path: no `..`, nothing through a symbolic link, only inside the folder
                data = store.read_file(s.id, path, user_id=user)
            except InvalidInputError as exc:
                raise NotFoundError(f"skill {s.name!r} has no file {path!r}: {exc}") from None
            name = path.rsplit("/", 1)[-1].replace('"', "")
            headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'"}
            try:
                return Response(data.decode("utf-8"), media_type="text/plain; charset=utf-8", headers=headers)
            except UnicodeDecodeError:
                return Response(data, media_type="application/octet-stream",
                                headers={**headers, "Content-Disposition": f'attachment; filename="{name}"'})

        return await self.run(work)  # type: ignore[no-any-return]

    async def put_md(self, request: Request) -> m.SaveOut:
        ref, user = request.path_params["ref"], self.user(request)
        kind = media_type(request)
        if kind == "application/json":
            doc = await self.body(request, m.SkillMdIn)
            text, expected = doc.skill_md, doc.expected_version
        elif kind in ("text/markdown", "text/plain", "text/x-markdown"):
            try:
                text = (await request.body()).decode("utf-8")
            except UnicodeDecodeError:
                raise BadBody("the SKILL.md must be UTF-8 text") from None
            expected = request.headers.get("if-match", "").strip('" ') or None
        else:
            raise BadBody("send the SKILL.md as text/markdown, or JSON {\"skill_md\", \"expected_version\"}")
        check_size(text, "; nothing was stored")
        return await self.run(self._save_md, user, ref, text, expected)  # type: ignore[no-any-return]

    async def validate_md(self, request: Request) -> m.ValidateOut:
        doc = await self.body(request, m.ValidateIn)
        check_size(doc.skill_md)
        return await self.run(check_md, doc.skill_md, doc.name)  # type: ignore[no-any-return]

    def _save_md(self, user: str, ref: str, text: str, expected: str | None) -> m.SaveOut:
        """Validate with the rule catalogue first: a SKILL.md with errors stores nothing."""
        from .. import skillmd
        from ..learning.maintenance import Maintainer

        store = self.sdk().store
        current = skills.own_skill(store, user, ref, where=WHERE)
        found = skillmd.validate(text, dir_name=current.name)
        errors = [d for d in found if d.severity == "error"]
        if errors:
            raise InvalidSkillMd(f"the SKILL.md has {len(errors)} error(s); nothing was stored", errors)
        try:
            new = skills.skill_from_md(text)
        except InvalidInputError as exc:
            raise InvalidSkillMd(f"{exc}; nothing was stored") from None
        if new.name != current.name:
            raise InvalidSkillMd(f"the SKILL.md names {quoted(new.name)}, not {current.name!r}: rename through "
                                 "import, or PUT it at its own name; nothing was stored")
        saved = Maintainer(store).save_skill(new, user_id=user, reason="saved through the REST API",
                                             expected_version=expected)
        self.proxy.runtime.check()
        return m.SaveOut(outcome=saved.action, id=saved.skill_id, name=saved.name,
                         version=saved.version, reason=saved.reason, redacted=dict(saved.redacted))

    async def delete_skill(self, request: Request) -> m.DeleteOut:
        ref, user = request.path_params["ref"], self.user(request)

        def work() -> m.DeleteOut:
            store = self.sdk().store
            s = skills.own_skill(store, user, ref, where=WHERE)
            out = m.DeleteOut(deleted=store.delete(s.id), id=s.id, name=s.name)
            self.proxy.runtime.check()
            return out

        return await self.run(work)  # type: ignore[no-any-return]

    async def rollback(self, request: Request) -> m.VersionsOut:
        ref, user = request.path_params["ref"], self.user(request)
        doc = await self.body(request, m.RollbackIn, empty_ok=True)

        def work() -> m.VersionsOut:
            store = self.sdk().store
            restored = store.rollback(skills.own_skill(store, user, ref, where=WHERE).id, doc.version)
            self.proxy.runtime.check()
            return m.VersionsOut(id=restored.id, name=restored.name,
                                 versions=[m.VersionOut(**v.to_dict()) for v in store.versions(restored.id)])

        return await self.run(work)  # type: ignore[no-any-return]

    async def versions(self, request: Request) -> m.VersionsOut:
        ref, user, q = request.path_params["ref"], self.user(request), self.query(request, m.VersionsQuery)
        if (q.from_ is None) != (q.to is None):
            raise BadBody("give both 'from' and 'to' for a diff, or neither")

        def work() -> m.VersionsOut:
            store = self.sdk().store
            s = skills.visible_skill(store, user, ref)
            diff = None if q.from_ is None or q.to is None else skills.version_diff(store, s.id, q.from_, q.to)
            return m.VersionsOut(id=s.id, name=s.name, diff=diff,
                                 versions=[m.VersionOut(**v.to_dict()) for v in store.versions(s.id)])

        return await self.run(work)  # type: ignore[no-any-return]

    async def export(self, request: Request) -> Response:
        ref, user = request.path_params["ref"], self.user(request)

        def work() -> Response:
            from ..store.transfer import export_archive

            store = self.sdk().store
            s = skills.visible_skill(store, user, ref)  # the export itself is the operator's: visibility first
            return Response(export_archive(store, [s.id]), media_type="application/zip",
                            headers={"Content-Disposition": f'attachment; filename="{s.name}.zip"'})

        return await self.run(work)  # type: ignore[no-any-return]

    async def search(self, request: Request) -> m.SearchOut:
        doc, user = await self.body(request, m.SearchIn), self.user(request)

        def work() -> m.SearchOut:
            from ..learning.usage import RetrievalCounter

            sdk = self.sdk()
            hits = sdk.search(doc.query, user_id=user, limit=doc.top_k, scope=doc.scope, min_score=doc.min_score,
                              wait=False, load_model=False)
            if self._retrievals is None:
                self._retrievals = RetrievalCounter(sdk.store)
            self._retrievals.count(user, doc.query, (h.skill.id for h in hits))
            note = hits[0].note if hits else getattr(sdk.store, "vector_note", lambda: None)()
            return m.SearchOut(query=doc.query, note=note, hits=[m.HitOut(**h.to_dict()) for h in hits])

        return await self.run(work)  # type: ignore[no-any-return]

    async def import_skills(self, request: Request) -> m.ImportOut:
        if media_type(request) == "application/zip":
            return await self.import_archive(request)
        doc, user = await self.body(request, m.ImportIn), self.user(request)

        def work() -> m.ImportOut:
            from ..store.transfer import import_skill_texts

            report, names = import_skill_texts(self.sdk().store, doc.skills, user_id=user, overwrite=doc.overwrite)
            self.proxy.runtime.check()
            skipped, outcomes = dict(report.skipped), report.outcomes()
            items = []
            for i, name in enumerate(names):
                where = f"skills[{i}]"
                outcome = None if where in skipped or name is None else outcomes.get(name)
                items.append(m.ImportItemOut(index=i, name=name, outcome=outcome,
                                             reason=skipped.get(where),
                                             warnings=[w for at, w in report.warnings if at == where]))
            return m.ImportOut(items=items)

        return await self.run(work)  # type: ignore[no-any-return]

    async def import_archive(self, request: Request) -> m.ImportOut:
        """A zip of skill folders (what `/skills/{ref}/export` gives): one item per folder, scripts and all."""
        data, user, overwrite = await request.body(), self.user(request), request.query_params.get("overwrite")
        if overwrite not in (None, "true", "false"):
            raise BadBody("overwrite must be true or false")

        def work() -> m.ImportOut:
            from ..store.transfer import import_archive

            report = import_archive(self.sdk().store, data, user_id=user, overwrite=overwrite == "true")
            self.proxy.runtime.check()
            done = list(report.outcomes().items())
            items = [m.ImportItemOut(index=i, name=name, outcome=outcome)
                     for i, (name, outcome) in enumerate(done)]
            items += [m.ImportItemOut(index=len(done) + i, name=None, outcome=None, reason=f"{where}: {reason}")
                      for i, (where, reason) in enumerate(report.skipped)]
            return m.ImportOut(items=items, warnings=[f"{where}: {message}" for where, message in report.warnings])

        return await self.run(work)  # type: ignore[no-any-return]

    # -- about the server -----------------------------------------------------------------------------

    async def capabilities(self, request: Request) -> m.CapabilitiesOut:
        def work() -> m.CapabilitiesOut:
            config, settings = self.proxy.runtime.config, self.proxy.settings
            embedder = {k: v for k, v in config.resolved_embeddings().items() if k in ("provider", "model", "dims")}
            llm: dict[str, Any] = {"provider": str(config.resolved_llm().get("provider", "auto"))}
            sdk = self.proxy.runtime.sdk if self.proxy.runtime.is_ready else None
            if sdk is not None:
                try:
                    llm["extractor"] = sdk.learner.extractor.name
                except Exception as exc:  # noqa: BLE001 - a broken provider: the worker learns offline then
                    llm["extractor"] = f"rules (offline: {type(exc).__name__})"
            routes = [m.RouteOut(method=e.method, path=e.path, summary=e.summary) for e in self.endpoints()]
            return m.CapabilitiesOut(
                version=__version__, routes=routes, embedder=embedder, llm=llm, extract_mode=settings.extract_mode,
                mcp=settings.http.path if settings.mcp else None, worker=settings.http.worker,
                store_ready=self.proxy.runtime.is_ready, max_body=settings.http.max_body,
                save_outcomes=list(OUTCOMES))

        return await self.run(work)  # type: ignore[no-any-return]

    async def openapi_json(self, request: Request) -> Response:
        return JSONResponse(openapi.document(self.endpoints()))

    def endpoints(self) -> list[Endpoint]:
        """The route table: the app's routes and the OpenAPI document are both built from it."""
        p, skill, learn = PREFIX, f"{PREFIX}/skills/{{ref}}", self.learning
        conflict, invalid, read_only = (409, "expected_version differs"), (422, "the SKILL.md is invalid"), \
            (403, "a shared or library skill")
        return [
            Endpoint("GET", f"{p}/skills", self.list_skills, "List the skills you can use, a page at a time",
                     query=m.ListQuery, response=m.SkillPageOut),
            Endpoint("POST", f"{p}/skills/search", self.search, "Hybrid search with each hit's score parts",
                     body=m.SearchIn, response=m.SearchOut),
            Endpoint("POST", f"{p}/skills/validate", self.validate_md,
                     "Check a SKILL.md with the rule catalogue (as a PUT would), with each fix applied; stores nothing",
                     body=m.ValidateIn, response=m.ValidateOut),
            Endpoint("POST", f"{p}/skills/import", self.import_skills,
                     "Import SKILL.md texts, or a zip of skill folders with their files (application/zip, "
                     "?overwrite=true); an outcome per item", body=m.ImportIn, response=m.ImportOut,
                     raw_body="application/zip"),
            Endpoint("GET", skill, self.get_skill, "One skill by name or id: metadata, instructions, files",
                     response=m.SkillOut),
            Endpoint("DELETE", skill, self.delete_skill, "Delete one of your skills (its history stays)",
                     response=m.DeleteOut, errors=(read_only,)),
            Endpoint("GET", f"{skill}/md", self.get_md, "The SKILL.md as stored", media="text/markdown"),
            Endpoint("GET", f"{skill}/files/{{path:path}}", self.get_file,
                     "One file of the skill's folder: UTF-8 text as text/plain, anything else as a download",
                     media="text/plain"),
            Endpoint("PUT", f"{skill}/md", self.put_md, "Save a new SKILL.md: validated, then a new version",
                     body=m.SkillMdIn, response=m.SaveOut, raw_body="text/markdown",
                     errors=(read_only, conflict, invalid)),
            Endpoint("POST", f"{skill}/rollback", self.rollback, "Restore an earlier version as a new version",
                     body=m.RollbackIn, response=m.VersionsOut, errors=(read_only,)),
            Endpoint("GET", f"{skill}/versions", self.versions, "The history; with from and to, a diff",
                     query=m.VersionsQuery, response=m.VersionsOut),
            Endpoint("GET", f"{skill}/export", self.export, "The skill folder as a zip (as `autoskill export`)",
                     media="application/zip"),
            *learn.endpoints(p),
            Endpoint("GET", f"{p}/capabilities", self.capabilities, "What this server can do",
                     response=m.CapabilitiesOut),
            Endpoint("GET", f"{p}/openapi.json", self.openapi_json, "This document"),
        ]


def check_md(text: str, name: str | None) -> m.ValidateOut:
    """The catalogue's findings as a PUT would see them, each text fix also as the whole fixed text, so a
    client (the web UI) applies a fix without its own position arithmetic."""
    from .. import skillmd
    from ..skillmd.fixall import fix_all

    found = skillmd.validate(text, dir_name=name)
    out = []
    for d in found:
        doc = d.to_dict()
        for fix, fixed in zip(d.fixes, doc["fixes"], strict=True):
            fixed["text"] = None if fix.rename is not None or not fix.edits else _applied(fix, text)
        out.append(m.DiagnosticOut.model_validate(doc))
    every = fix_all(text, path=f"{name}/SKILL.md" if name else None) if found else None
    return m.ValidateOut(diagnostics=out, errors=sum(d.severity == "error" for d in found),
                         fixed=every.text if every is not None and every.changed else None)


def _applied(fix: Any, text: str) -> str | None:
    try:
        return str(fix.apply(text))
    except ValueError:  # edits that no longer fit the text: offered without a result
        return None
