"""The server stands on the MCP SDK's public API only (issue 15): no underscore attribute of an SDK object is
read, nothing private is overridden, and the few public names we override or add still fit the installed SDK.

The behaviour those routes carry is tested where it is served (test_resources.py, test_live.py,
test_transports.py); these checks make an SDK upgrade that would break a route fail here, by name.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from mcp import Client
from mcp.server.lowlevel import Server

from autoskill_mcp.mcp_server import resources
from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import REPO, settings

PACKAGE = REPO / "autoskill_mcp" / "mcp_server"
#: `obj._name` reads that are not the SDK's: (module, expression)
ALLOWED = {("cli.py", "os._exit"), ("worker.py", "super()._run")}  # the stdlib's documented exit; our own Worker
#: public SDK methods AutoSkillServer overrides on purpose
OVERRIDES = {"create_initialization_options"}


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def sdk_names(tree: ast.Module) -> set[str]:
    """The names a module imports from the SDK."""
    return {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] in ("mcp", "mcp_types") for alias in node.names}


def root(expr: ast.expr) -> str:
    while isinstance(expr, (ast.Subscript, ast.Attribute)):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else ""


def private_uses(path: Path) -> list[str]:
    """`x._name`, `getattr(x, "_name")` and SDK imports of private names in one module; `self._name` too in a
    class with an SDK base."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    sdk = sdk_names(tree)
    inherited = {id(node) for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef)
                 and any(root(base) in sdk for base in cls.bases) for node in ast.walk(cls)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not on_self or id(node) in inherited:
                found.append(ast.unparse(node))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and private(node.args[1].value)):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("mcp", "mcp_types") and any(
                private(name) for name in [*(node.module or "").split("."), *(a.name for a in node.names)]):
            found.append(ast.unparse(node))
    return [expr for expr in found if (path.name, expr) not in ALLOWED]


def test_no_module_reads_a_private_attribute_of_another_object_or_imports_a_private_sdk_name() -> None:
    found = {p.name: reads for p in sorted(PACKAGE.glob("*.py")) if (reads := private_uses(p))}
    assert found == {}


def own_names(cls: type, sdk_base: type) -> set[str]:
    """What `cls` and its bases below `sdk_base` define themselves."""
    return {name for klass in cls.__mro__[:cls.__mro__.index(sdk_base)] for name in vars(klass)}


def test_the_server_overrides_and_adds_no_private_name_of_the_sdk(tmp_path: Path) -> None:
    server = AutoSkillServer(settings(tmp_path / "home"))
    sdk = Server("probe")
    added = set(vars(server)) - set(vars(sdk))
    assert not [n for n in own_names(AutoSkillServer, Server) | added if private(n)]
    # Our attributes must not shadow anything the SDK's Server has (a later release may add some).
    assert not (added & (set(dir(Server)) | set(vars(sdk))))
    public = {n for n in own_names(AutoSkillServer, Server) if not n.startswith("__")}
    assert public - OVERRIDES <= {"run_stdio"} and not {"run_stdio"} & set(dir(Server))
    for name in OVERRIDES:
        assert name in dir(Server), name
        assert (list(inspect.signature(getattr(AutoSkillServer, name)).parameters)
                == list(inspect.signature(getattr(Server, name)).parameters)), name


def test_the_skills_extension_overrides_only_public_hooks() -> None:
    from mcp.server.extension import Extension

    names = own_names(resources.SkillsExtension, Extension)
    assert not [n for n in names if private(n)]
    assert {n for n in names if not n.startswith("__")} <= {"identifier", "settings", "methods"}


@pytest.mark.anyio
async def test_tool_schemas_for_header_checks_are_the_listed_ones(home: Path) -> None:
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:
        listed = {t.name: t.input_schema for t in (await c.list_tools()).tools}
        assert len(listed) == 10
        schema = server.get_tool_input_schema
        assert schema is not None and {name: schema(name) for name in listed} == listed and schema("nope") is None
