"""`autoskill`: the command line over the SDK.

Every command takes `--json` for scripts. Exit codes scripts can rely on:
0 success, 1 failure (e.g. validation found errors), 2 bad input or usage
(any bad number too), 3 not found, 4 conflict, 5 read-only target, 141 stdout
closed by its reader (`| head`), which ends the command quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__, cli_args, cli_learn, cli_plugin, cli_progress, cli_store, cli_sync, skillmd
from .config import AutoSkillConfig
from .errors import AutoSkillError, InvalidInputError, NotFoundError, quoted
from .runtime import build_config
from .sdk import AutoSkill
from .serve import cli as serve_cli
from .skill import Skill
from .skillmd.names import unsafe_name_problem
from .store import AGENT_SKILL_DIRS, agent_skill_dir, export_skills
from .store.base import SCOPES
from .store.layout import check_user_id
from .store.nofollow import read_regular
from .store.transfer import ImportLimits, export_profile_for, find_skill_files

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
#: stdout was closed by its reader: what a shell reports for a program ended by SIGPIPE
EXIT_CLOSED_PIPE = 141
QUICKSTART_QUERY = "add logging to the checkout service"
#: the scopes `search`, `context`, `list` and `show` take (`project`: the current repository's own skills)
SCOPE_CHOICES = list(SCOPES)


def _emit(args: argparse.Namespace, data: Any, human: Callable[[], None]) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        human()


def _config(args: argparse.Namespace, *, llm: dict[str, Any] | None = None) -> AutoSkillConfig:
    return build_config(args.home, args.user, args.embeddings, args.library or (), llm=llm)


def _open(args: argparse.Namespace, *, llm: dict[str, Any] | None = None) -> AutoSkill:
    config = _config(args, llm=llm)
    check_user_id(config.resolved_user())  # a bad id is bad input (exit 2), even for commands that only read
    project = getattr(args, "project", None)
    if project is None and hasattr(args, "project"):  # the reading commands: the repository of the current folder
        project = Path.cwd()
    return AutoSkill(config, project=project)


def _resolve(sdk: AutoSkill, ref: str) -> Skill:
    skill = sdk.store.get(ref)
    if skill is None:
        problem = unsafe_name_problem(ref)
        if problem is not None:  # no skill can have this name: bad input, not a miss
            raise InvalidInputError(f"{quoted(ref)} is not a skill name or id: it {problem}")
        skill = sdk.store.find(ref, user_id=sdk.default_user)
    if skill is None:
        raise NotFoundError(f"no skill with id or name {quoted(ref)} for user {sdk.default_user!r} "
                            "(try `autoskill list`)")
    return skill


# -- commands ------------------------------------------------------------------------------------------


def _warm(args: argparse.Namespace, sdk: AutoSkill) -> None:
    """With `--wait`: build the index and embed what lacks a vector first, under a progress bar.

    A search does not wait for this by default: it answers from keywords while vectors are
    missing (and says so); `--wait` is for when a full hybrid answer is worth the wait.
    """
    warm = getattr(sdk.store, "warm_index", None)
    if warm is None or not getattr(args, "wait", False):
        return
    with cli_progress.bar("building the search index", None, show=cli_progress.wanted(args)) as bar:
        warm(on_progress=bar.stage)


def _vector_note(hits: list[Any], sdk: AutoSkill) -> str | None:
    """The search's `vector: pending n of N` note, also when nothing matched."""
    if hits:
        return hits[0].note  # type: ignore[no-any-return]
    note = getattr(sdk.store, "vector_note", None)
    return note() if note is not None else None


def cmd_search(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        if args.query.strip():
            _warm(args, sdk)
        hits = sdk.search(args.query, limit=args.top_k, scope=args.scope, min_score=args.min_score,
                          filters={"tags": args.tag} if args.tag else None, wait=args.wait,
                          load_model=not args.no_wait)
        note = _vector_note(hits, sdk)

        def human() -> None:
            if not hits:
                print("no matching skills")
            for i, hit in enumerate(hits, 1):
                print(f"{i}. {hit.skill.name}  v{hit.skill.version}  [{hit.skill.scope.value}]  ({hit.why()})")
                print(f"   {' '.join(hit.skill.description.split())[:200]}")
            if note:
                print(f"({note}: answered from keywords; `autoskill reindex` or a running worker embeds them)",
                      file=sys.stderr)

        _emit(args, {"query": args.query, "hits": [h.to_dict() for h in hits], "note": note}, human)
    return EXIT_OK


def cmd_context(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        if args.query.strip():
            _warm(args, sdk)
        result = sdk.render_context_result(args.query, limit=args.top_k, scope=args.scope, budget=args.budget,
                                           level=args.level, min_score=args.min_score, wait=args.wait,
                                           load_model=not args.no_wait)
        _emit(args, result.to_dict(), lambda: print(result.text))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        user = None if args.all_users else sdk.default_user
        rows = sdk.store.summaries(user_id=user, scope=args.scope, include_archived=args.archived)
        project = getattr(sdk.store, "project", None) if "project" in SCOPES[args.scope] else None
        problems = project.problems if project is not None else {}  # the repository's files not served, and why

        def human() -> None:
            if not rows:
                print(f"no skills in scope {args.scope!r} (store: {sdk.config.home})")
            for r in rows:
                owner = f"{r.owner}/" if r.scope == "user" and args.all_users else ""
                print(f"{owner}{r.name}  v{r.version}  [{r.scope}]  {r.id}")
                print(f"   {' '.join(r.description.split())[:160]}")
            for path, why in problems.items():
                print(f"not served: {path}: {why}", file=sys.stderr)

        data: dict[str, Any] = {"skills": [r.to_dict() for r in rows]}
        if project is not None:
            data["problems"] = [{"path": path, "reason": why} for path, why in problems.items()]
        _emit(args, data, human)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        skill = _resolve(sdk, args.skill)
        files = [f.path for f in sdk.store.list_files(skill.id)]
        text = skillmd.render(skill)
        data = skill.to_dict() | {"files": files, "skill_md": text, "path": str(sdk.store.skill_dir(skill.id)),
                                  "usage": sdk.store.usage(skill.id)}

        def human() -> None:
            print(f"# {skill.name}  v{skill.version}  [{skill.scope.value}]  id {skill.id}")
            print(f"# {data['path']}")
            print(text, end="" if text.endswith("\n") else "\n")
            if files:
                print("# files: " + ", ".join(files))

        _emit(args, data, human)
    return EXIT_OK


def _validate_targets(paths: Sequence[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        try:
            kind = "file" if p.is_file() else "dir" if p.is_dir() else None
        except OSError as exc:  # a name longer than the OS allows, a NUL byte: no such path
            raise InvalidInputError(
                f"{quoted(raw)} is not a path this system can open ({exc.strerror or exc})"
            ) from exc
        if kind == "file":
            out.append(p)
        elif kind == "dir":
            found = find_skill_files(p, ImportLimits())
            if not found:
                raise NotFoundError(f"{p}: no SKILL.md found in this folder or below it")
            out += found
        else:
            raise NotFoundError(f"{p} does not exist")
    return out


def cmd_validate(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    errors = 0
    targets = _validate_targets(args.paths)
    with cli_progress.bar("validating", len(targets), show=cli_progress.wanted(args) and len(targets) > 1) as bar:
        for path in targets:
            diags = skillmd.validate(path.read_bytes(), path=str(path), profile=args.profile,
                                     dir_name=path.parent.name, skill_dir=path.parent)
            errors += sum(d.severity == "error" for d in diags)
            results.append({"path": str(path), "diagnostics": [d.to_dict() for d in diags]})
            bar.advance()

    def human() -> None:
        for r in results:
            diags = r["diagnostics"]
            if not diags:
                print(f"{r['path']}: ok")
            for d in diags:
                start = d["range"]["start"]
                where = f"{r['path']}:{start['line'] + 1}:{start['character'] + 1}"
                print(f"{where}: {d['severity']} {d['code']} {d['message']}")
        print(f"{len(results)} file(s), {errors} error(s)")

    _emit(args, {"files": results, "errors": errors}, human)
    return EXIT_FAIL if errors else EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        with cli_progress.bar("reading skill folders", None, show=cli_progress.wanted(args)) as bar:
            report = sdk.import_skills(args.path, scope="shared" if args.shared else "user",
                                       overwrite=args.overwrite, include_files=not args.no_files,
                                       on_progress=bar.stage)
        embedded = 0 if args.no_embed else _embed(args, sdk)

        def human() -> None:
            print(f"imported {len(report.imported)}, updated {len(report.updated)}, "
                  f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}"
                  + ("" if args.no_embed else f", embedded {embedded}"))
            for path, reason in report.skipped:
                print(f"  skipped {path}: {reason}")
            for path, message in report.warnings[: None if args.verbose else 20]:
                print(f"  warning {path}: {message}")
            if not args.verbose and len(report.warnings) > 20:
                print(f"  … {len(report.warnings) - 20} more warnings (use -v)")

        _emit(args, {**report.to_dict(), "embedded": embedded}, human)
    return EXIT_OK


def _embed(args: argparse.Namespace, sdk: AutoSkill) -> int:
    """Embed every skill that lacks a vector, in batches, under a progress bar; how many."""
    embed = getattr(sdk.store, "embed_missing", None)
    if embed is None:
        return 0
    with cli_progress.bar("embedding skills", None, show=cli_progress.wanted(args)) as bar:
        return int(embed(on_progress=bar.stage))


def cmd_reindex(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        rebuild = getattr(sdk.store, "rebuild_index", None)
        if rebuild is None:
            raise InvalidInputError("this store has no search index to rebuild")
        with cli_progress.bar("indexing skills", None, show=cli_progress.wanted(args)) as bar:
            indexed = int(rebuild(on_progress=bar.stage))
        embedded = 0 if args.no_embed else _embed(args, sdk)
        pending, _ = getattr(sdk.store, "vector_status", lambda: (0, 0))()
        out = {"indexed": indexed, "embedded": embedded, "vectors_pending": pending}
        _emit(args, out, lambda: print(f"indexed {indexed}, embedded {embedded}"
                                       + (f", {pending} still without a vector" if pending else "")))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    if bool(args.to) == bool(args.dest):
        raise InvalidInputError("give exactly one of --to AGENT or --dest DIR")
    with _open(args) as sdk:
        if args.all:
            ids = [s.id for s in sdk.store.summaries(user_id=sdk.default_user, scope=args.scope)]
        elif args.skills:
            ids = [_resolve(sdk, ref).id for ref in args.skills]
        else:
            raise InvalidInputError("name the skills to export, or pass --all")
        dest = agent_skill_dir(args.to) if args.to else Path(args.dest)
        with cli_progress.bar("exporting skills", len(ids), show=cli_progress.wanted(args)) as bar:
            written = export_skills(sdk.store, ids, dest, profile=export_profile_for(args.to),
                                    overwrite=args.overwrite, on_progress=bar.stage)
        _emit(args, {"written": [str(p) for p in written]},
              lambda: print("\n".join(f"wrote {p}" for p in written) or "nothing to export"))
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        skill = _resolve(sdk, args.skill)
        if not args.yes and sys.stdin.isatty():
            answer = input(f"delete {skill.name} ({skill.id})? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("not deleted")
                return EXIT_FAIL
        sdk.delete(skill.id)
        _emit(args, {"deleted": skill.id, "name": skill.name},
              lambda: print(f"deleted {skill.name} ({skill.id}); its history stays in the catalog"))
    return EXIT_OK


def cmd_prune(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        label = "pruning" if args.apply else "looking for skills to prune"
        with cli_progress.bar(label, None, show=cli_progress.wanted(args)):
            report = sdk.prune(min_retrieved=args.min_retrieved, max_used=args.max_used,
                               min_age_days=args.min_age_days, apply=args.apply)

        def human() -> None:
            verb = "pruned" if report.applied else "would prune (dry run; --apply to delete)"
            print(f"{verb}: {len(report.candidates)} skill(s) of {report.user_id}")
            for c in report.candidates:
                print(f"  {c['name']} v{c['version']}  retrieved {c['retrieved']}, used {c['used']}")
            if report.note:
                print(f"kept {report.kept_for_missing_signal}: {report.note}")

        _emit(args, report.to_dict(), human)
    return EXIT_OK


def cmd_versions(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        skill = _resolve(sdk, args.skill)
        history = sdk.versions(skill.id)

        def human() -> None:
            for v in history:
                mark = "*" if v.current else " "
                print(f"{mark} #{v.n}  v{v.version}  {v.created_at}  {v.reason}")

        _emit(args, {"id": skill.id, "name": skill.name, "versions": [v.to_dict() for v in history]}, human)
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    with _open(args) as sdk:
        skill = _resolve(sdk, args.skill)
        restored = sdk.rollback(skill.id, args.to)
        _emit(args, restored.to_dict(),
              lambda: print(f"{restored.name} is now v{restored.version} (content of the earlier version)"))
    return EXIT_OK


def cmd_lsp(args: argparse.Namespace) -> int:
    """The language server; `python -m autoskill_mcp lsp` reaches it without the CLI's imports (entry.py)."""
    from .lsp.main import main as lsp_main

    if args.home:
        os.environ["AUTOSKILL_HOME"] = args.home
    if args.user:
        os.environ["AUTOSKILL_USER"] = args.user
    argv = ["--host", args.host, "--port", str(args.port)] + (["--tcp"] if args.tcp else [])
    return lsp_main(argv + (["--verbose"] if args.verbose else []))


def cmd_doctor(args: argparse.Namespace) -> int:
    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append({"check": name, "ok": ok, "detail": detail})

    with _open(args) as sdk:
        home = sdk.config.home
        store = sdk.store
        dsn = getattr(store, "dsn", None)
        if isinstance(dsn, str):  # the team store: opening it connected and migrated it
            from .store.postgres.pool import redacted_dsn

            check("team store", True, f"{redacted_dsn(dsn)} (PostgreSQL), change {store.change_seq()}")
        else:
            check("store folder", os.access(home, os.W_OK), str(home))
        catalog = getattr(store, "catalog", None)
        if catalog is not None:
            try:
                with sqlite3.connect(str(catalog.path)) as conn:
                    verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
                    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                check("catalog integrity", verdict == "ok", f"{catalog.path} ({verdict}, journal {mode})")
            except sqlite3.Error as exc:
                check("catalog integrity", False, f"{catalog.path}: {exc}")
        if hasattr(store, "root"):  # opening the store undid any write a kill cut short; what is left?
            from .store.recovery import leftovers

            left = leftovers(store.root)
            check("interrupted writes", not left,
                  "none left over" if not left else f"{len(left)} left: " + "; ".join(left[:5]))
        report = store.sync() if hasattr(store, "sync") else {}
        problems = getattr(store, "problems", {})
        check("skill files", not problems,
              "all parse" if not problems else "; ".join(f"{k}: {v}" for k, v in problems.items()))
        if report and any(report.get(k) for k in ("added", "updated", "removed")):
            check("hand edits picked up", True,
                  ", ".join(f"{k} {len(v)}" for k, v in report.items() if v and k != "problems"))
        summaries = store.summaries(user_id=None, scope="all", include_archived=True)
        check("skills", True, f"{len(summaries)} in all scopes")
        invalid = 0
        with cli_progress.bar("validating skills", len(summaries), show=cli_progress.wanted(args)) as bar:
            for s in summaries:
                bar.advance()
                md = Path(s.path) / "SKILL.md"
                try:  # a linked SKILL.md is not read (the "skill files" check reports it)
                    if s.path:
                        diags = skillmd.validate(read_regular(md, 2 * 1024 * 1024), path=str(md),
                                                 dir_name=md.parent.name)
                    else:  # a store without folders: the SKILL.md it serves
                        diags = skillmd.validate(store.read_skill_md(s.id), dir_name=s.name)
                except (OSError, AutoSkillError):
                    continue
                invalid += any(d.severity == "error" for d in diags)
        check("spec validity", invalid == 0, f"{invalid} skill(s) with errors"
              + (f" (run `autoskill validate {home}`)" if not isinstance(dsn, str) else ""))
        from .retrieval import make_embedder

        try:
            embedder = make_embedder(sdk.config.resolved_embeddings())
            if embedder is None:  # asked for: search is keyword-only, which is a setting, not a fault
                check("embeddings", True, "off (provider 'none'): search uses keywords only")
            else:
                probe = embedder.embed(["doctor probe"])
                check("embeddings", probe.shape[0] == 1, f"{embedder.signature} ({probe.shape[1]} dims)")
        except Exception as exc:  # doctor reports every failure instead of stopping at the first
            check("embeddings", False, f"{type(exc).__name__}: {exc}")

    def human() -> None:
        for c in checks:
            print(f"[{'ok' if c['ok'] else 'FAIL'}] {c['check']}: {c['detail']}")

    failed = [c for c in checks if not c["ok"]]
    _emit(args, {"checks": checks, "ok": not failed}, human)
    return EXIT_FAIL if failed else EXIT_OK


def cmd_quickstart(args: argparse.Namespace) -> int:
    """Seed the shared scope with the bundled skills, learn from a bundled Claude Code session, search.

    It runs in a demo store of its own, a temporary folder removed when it ends, so trying it
    never writes demo skills into the user's store. `--home DIR` (or `AUTOSKILL_HOME`) runs it
    in that store instead, and a second run there reports what is already there as such.
    """
    with contextlib.ExitStack() as stack:
        demo = not (args.home or os.environ.get("AUTOSKILL_HOME"))
        if demo:
            args.home = stack.enter_context(tempfile.TemporaryDirectory(prefix="autoskill-quickstart-"))
        examples = stack.enter_context(resources.as_file(resources.files("autoskill_mcp") / "examples"))
        # The embedded defaults: offline rules even when an LLM is configured, so nothing leaves the machine.
        sdk = stack.enter_context(_open(args, llm={"provider": "offline"}))
        return _quickstart(args, sdk, examples, demo)
    return EXIT_FAIL  # unreachable: mypy cannot see that ExitStack does not swallow exceptions here


def _quickstart(args: argparse.Namespace, sdk: AutoSkill, examples: Path, demo: bool) -> int:
    from .learning.maintenance import WROTE

    report = sdk.import_skills(examples / "skills", scope="shared", overwrite=True)
    session = examples / "transcripts" / "claude-code-session.jsonl"
    job_id, created = sdk.queue.enqueue_path(session, user_id=sdk.default_user)
    job = sdk.ingest_transcript(session, wait=True)
    result = job.get("result") or {}
    earlier = [] if created else result.get("skills", [])
    query = args.query or QUICKSTART_QUERY
    _embed(args, sdk)  # as `autoskill import` does: the search below is hybrid, not keyword-only
    hits = sdk.search(query, limit=3)
    data = {"store": str(sdk.config.home), "demo": demo,
            "imported": report.imported + report.updated + report.unchanged,
            "imported_new": report.imported, "updated": report.updated, "unchanged": report.unchanged,
            "learned": result.get("skills", []) if created else [], "already_learned": earlier,
            "extractor": result.get("extractor"), "job": job.get("id"), "job_created": created,
            "query": query, "hits": [h.to_dict() for h in hits]}

    def human() -> None:
        if demo:
            print(f"store: {sdk.config.home} (a demo store, removed when quickstart ends; "
                  "your own store is not touched; `--home DIR` keeps one)")
        else:
            print(f"store: {sdk.config.home}")
        parts = [f"{len(v)} {k}" for k, v in (("new", report.imported), ("updated", report.updated),
                                               ("already there", report.unchanged)) if v]
        print(f"example skills in the shared scope: {len(data['imported'])} ({', '.join(parts) or 'none'})")
        if created:
            print(f"learned from a Claude Code session ({data['extractor']}):")
            for d in data["learned"]:
                print(f"  {d['action']:<9} {d['name']} v{d['version']}  ({d['reason']})")
            if not data["learned"]:
                print("  nothing")
        else:
            names = ", ".join(f"{d['name']}" for d in earlier if d.get("action") in WROTE) or "nothing"
            print(f"the bundled Claude Code session was already learned from (job {job_id}): nothing new; "
                  f"it had given {names}")
        print(f"search: {query!r}")
        for i, hit in enumerate(hits, 1):
            print(f"  {i}. {hit.skill.name}  ({hit.why()})")
        print("next: `autoskill ingest --agent claude-code --since 7d` learns from your own sessions; "
              "`autoskill hooks install --agent claude-code` keeps learning; `autoskill search \"<task>\"`")

    _emit(args, data, human)
    return EXIT_OK if hits else EXIT_FAIL


def cmd_mcp(args: argparse.Namespace) -> int:
    """`autoskill mcp` (normally reached through entry.py's fast path)."""
    from .mcp_server.cli import main as mcp_main

    return mcp_main(args.mcp_args)


def cmd_serve(args: argparse.Namespace) -> int:
    """`autoskill serve`: the OpenAI-compatible proxy (serve/), with /mcp in the same process."""
    from .serve.cli import run

    return run(args)


# -- argument parsing --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    common.add_argument("--home", help="store root (default: $AUTOSKILL_HOME or the per-user data folder)")
    common.add_argument("--user", help="user id (default: $AUTOSKILL_USER or 'default')")
    common.add_argument("--embeddings", choices=["auto", "minilm", "hashing", "none"], help="embedding provider")
    common.add_argument(
        "--library",
        action="append",
        metavar="DIR",
        help="a read-only folder of skills to search too (repeatable; also `library_dirs` in config.toml)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="more detail, and log to stderr")

    parser = argparse.ArgumentParser(prog="autoskill", description="Learned Agent Skills for coding agents.")
    parser.add_argument("--version", action="version", version=f"autoskill {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, parents=[common])
        p.set_defaults(func=fn)
        return p

    def project_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--project", type=Path, default=None, metavar="PATH",
                       help="the repository whose own skills (.claude/skills/, .agents/skills/, ...) are scope "
                            "'project' (default: the one the current folder is in)")

    def search_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("query")
        p.add_argument("-k", "--top-k", type=cli_args.positive_int, default=5, help="how many skills (>= 1)")
        p.add_argument("--scope", default="all", choices=SCOPE_CHOICES)
        project_opt(p)
        p.add_argument("--min-score", type=cli_args.score, default=0.0, help="leave out hits below this score (0..1)")

    p = add("search", cmd_search, "find the skills relevant to a task")
    search_opts(p)
    p.add_argument("--tag", action="append", help="only skills with this tag (repeatable)")
    p.add_argument("--no-wait", action="store_true", help="don't load the embedding model; keyword-only if not ready")
    p.add_argument("--wait", action="store_true", help="embed every skill that lacks a vector first (a progress bar)")

    p = add("context", cmd_context, "print the injectable context block for a task")
    search_opts(p)
    p.add_argument("--budget", type=cli_args.positive_int, default=2000, help="token budget (>= 1)")
    p.add_argument("--level", default="auto", choices=["auto", "catalog", "full", "files"])
    p.add_argument("--no-wait", action="store_true", help="don't load the embedding model; keyword-only if not ready")
    p.add_argument("--wait", action="store_true", help="embed every skill that lacks a vector first (a progress bar)")

    p = add("list", cmd_list, "list skills")
    p.add_argument("--scope", default="user", choices=SCOPE_CHOICES)
    project_opt(p)
    p.add_argument("--all-users", action="store_true")
    p.add_argument("--archived", action="store_true", help="include archived skills")

    p = add("show", cmd_show, "show one skill (by id or name)")
    p.add_argument("skill")
    project_opt(p)

    p = add("validate", cmd_validate, "check SKILL.md files against the rule catalogue")
    p.add_argument("paths", nargs="+", help="SKILL.md files or folders (searched recursively)")
    p.add_argument("--profile", choices=["spec", "claude-code", "codex", "claude-upload", "evomaster"],
                   help="default: detected from the path")

    p = add("import", cmd_import, "import skill folders (recursively)")
    p.add_argument("path")
    p.add_argument("--shared", action="store_true", help="import into the shared scope")
    p.add_argument("--overwrite", action="store_true", help="update skills that already exist")
    p.add_argument("--no-files", action="store_true", help="import SKILL.md only")
    p.add_argument("--no-embed", action="store_true",
                   help="don't embed the imported skills now (searches use keywords until a worker embeds them)")

    p = add("reindex", cmd_reindex, "rebuild the search index from the catalog and embed skills that lack a vector")
    p.add_argument("--no-embed", action="store_true", help="rebuild the keyword index only")

    p = add("export", cmd_export, "write skills as folders, e.g. into an agent's skills folder")
    p.add_argument("skills", nargs="*")
    p.add_argument("--all", action="store_true")
    p.add_argument("--scope", default="user", choices=["user", "shared"])
    p.add_argument("--to", choices=sorted(AGENT_SKILL_DIRS), help="an agent's personal skills folder")
    p.add_argument("--dest", help="a folder")
    p.add_argument("--overwrite", action="store_true")

    p = add("delete", cmd_delete, "delete a skill (its history is kept)")
    p.add_argument("skill")
    p.add_argument("-y", "--yes", action="store_true")

    p = add("prune", cmd_prune, "remove your skills that are retrieved often and never used (dry run unless --apply)")
    p.add_argument("--apply", action="store_true", help="delete them (their history stays in the catalog)")
    p.add_argument("--min-retrieved", type=cli_args.non_negative_int, default=40)
    p.add_argument("--max-used", type=cli_args.non_negative_int, default=0)
    p.add_argument("--min-age-days", type=cli_args.non_negative_float, default=14.0)

    p = add("versions", cmd_versions, "show a skill's history")
    p.add_argument("skill")

    p = add("rollback", cmd_rollback, "restore an earlier version as a new version")
    p.add_argument("skill")
    p.add_argument("--to", help="version (e.g. 0.1.2) or history entry (#3); default: the previous version")

    p = add("lsp", cmd_lsp, "run the SKILL.md language server on stdio (--tcp for debugging)")
    p.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=cli_args.port, default=2087)

    add("doctor", cmd_doctor, "check the store, the catalog, the skills and the embedder")

    p = sub.add_parser("mcp", help="serve skills over MCP: stdio, or streamable HTTP with --http "
                       "(options: `autoskill mcp --help`)", add_help=False)
    p.add_argument("mcp_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_mcp, json=False)

    p = add("serve", cmd_serve, "an OpenAI-compatible proxy: your skills injected into each chat request, the "
            "conversations learned from; MCP at /mcp too (see docs/serve.md)")
    serve_cli.add_arguments(p)

    p = add("quickstart", cmd_quickstart, "try it in a demo store: bundled example skills, learning from a bundled "
            "session, a search (your store is untouched unless --home or AUTOSKILL_HOME names one)")
    cli_learn.register(add, _open, _emit)
    cli_store.register(add, _config, _emit)
    cli_sync.register(add, _open)
    cli_plugin.register(add)
    p.add_argument("query", nargs="?")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["mcp"]:  # its own parser: argparse cannot pass `--help` through a REMAINDER
        from .mcp_server.cli import main as mcp_main

        return mcp_main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a reader that left early shows here, not at exit
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except AutoSkillError as exc:
        if args.json:
            json.dump({"error": str(exc), "type": type(exc).__name__}, sys.stdout)
            sys.stdout.write("\n")
        print(f"autoskill: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _closed_pipe() -> int:
    """stdout's reader went away (`autoskill ... | head`): stop quietly, as `git log | head` does.

    Python would otherwise print a BrokenPipeError traceback, and again at exit when it flushes
    stdout; pointing stdout at /dev/null makes that last flush harmless.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a descriptor (tests capturing it): nothing to redirect
        pass
    return EXIT_CLOSED_PIPE


if __name__ == "__main__":
    sys.exit(main())
