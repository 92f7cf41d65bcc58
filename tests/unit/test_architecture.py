"""The house's layers, read from the source with `ast`: every `import` of the app, at the top of a
module or inside a function, is an arrow; the test fails on an arrow the layering forbids and on
any cycle, between modules or between the app's packages. A package may load its own modules by
name (`import_module(f"{__name__}.{kind}")`, for the kinds of the registry): an arrow to each of
its modules named after a kind; any other dynamic import fails the test.

    domain        pure: imports nothing of the app
    rendering, publishing, config, assets, deltas, i18n
                  leaves: nothing of the app but config, the pure domain and the static files
    models, db, realtime
                  storage and the channel layer: never services and above
    services      load → call the domain → commit → publish (no routes, screens, web, exports,
                  and no web framework: a form reaches them as a protocol)
    screens       what each screen shows, read through the services
    exports       documents and data, read through the services and screens (no web, no routes)
    web, live, routes, main, __main__
                  the HTTP and WebSocket edge
"""

import ast
from pathlib import Path

import app
from app.domain.kinds import KINDS

ROOT = Path(app.__file__).parent

# The leaves: all they may import of the app.
ONLY: dict[str, set[str]] = {"domain": set(), "rendering": {"config", "domain", "assets", "i18n"},
                             "i18n": {"domain"},
                             "publishing": set(), "config": set(), "assets": set(), "deltas": set()}
# The other layers: what they may not import (besides making a cycle).
FORBIDDEN: dict[str, set[str]] = {
    "models": {"services", "screens", "exports", "routes", "web", "live", "main", "realtime"},
    "db": {"services", "screens", "exports", "routes", "web", "live", "main", "realtime"},
    "realtime": {"services", "screens", "exports", "routes", "web", "live", "main", "models", "db"},
    "services": {"routes", "screens", "web", "live", "main", "exports", "rendering"},
    "screens": {"routes", "web", "live", "main", "exports"},
    "exports": {"routes", "web", "live", "main"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def loads_its_own_modules(call: ast.Call) -> bool:
    """`import_module(f"{__name__}.{…}")`: the only dynamic import the house allows."""
    match call.args:
        case [ast.JoinedStr(values=[ast.FormattedValue(value=ast.Name(id="__name__")),
                                    ast.Constant(value="."), ast.FormattedValue()])]:
            return True
    return False


def is_dynamic_import(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id in ("import_module", "__import__")) or (
        isinstance(func, ast.Attribute) and func.attr == "import_module")


def imports_of(name: str) -> set[str]:
    """The app modules `name` imports (`from app.x import y` is app.x.y when y is a module)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and is_dynamic_import(node):
            if not (MODULES[name].name == "__init__.py" and loads_its_own_modules(node)):
                raise AssertionError(f"{name}: a dynamic import other than its own modules by name")
            found |= {m for m in MODULES if m.rpartition(".")[0] == name and m.rpartition(".")[2] in KINDS}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "app"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "app":
            assert node.level == 0, f"{name}: relative import"
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
    return {m for m in found if m != name}


def node_of(module: str) -> str:
    """The layer a module belongs to: its package under app/, or the top-level module itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


GRAPH = {name: imports_of(name) for name in MODULES}


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (its nodes in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_forbidden_arrow_between_layers():
    layers = {node_of(m) for m in MODULES}
    wrong = []
    for name, targets in GRAPH.items():
        source = node_of(name)
        forbidden = layers - ONLY[source] if source in ONLY else FORBIDDEN.get(source, set())
        wrong += [f"{name} → {t}" for t in targets if node_of(t) != source and node_of(t) in forbidden]
    assert wrong == []


def test_no_cycle_between_modules():
    assert cycle_in(GRAPH) is None


def test_no_cycle_between_packages():
    packages: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        source = node_of(name)
        packages.setdefault(source, set()).update(node_of(t) for t in targets if node_of(t) != source)
    assert cycle_in(packages) is None


def test_the_checker_finds_a_cycle_and_reads_imports_inside_functions():
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) is None
    # report_export imports its writers on use (WeasyPrint is slow to load): still an arrow.
    assert "app.exports.report_pdf" in GRAPH["app.exports.report_files"]
    # The screens of every kind are loaded by name: arrows all the same.
    assert {"app.screens.rating", "app.screens.text"} <= GRAPH["app.screens"]


def test_only_a_package_loading_its_own_modules_by_name_is_a_dynamic_import_allowed():
    def call(source: str) -> ast.Call:
        node = ast.parse(source).body[0]
        assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        return node.value

    assert loads_its_own_modules(call('import_module(f"{__name__}.{name}")'))
    assert not loads_its_own_modules(call('import_module(f"app.routes.{name}")'))
    assert not loads_its_own_modules(call('import_module("app.web")'))
    assert is_dynamic_import(call('importlib.import_module("app.web")'))
    assert is_dynamic_import(call('__import__("app.web")'))


def test_no_module_imports_another_modules_private_names():
    private = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "app":
                private += [f"{name}: {node.module}.{a.name}" for a in node.names
                            if a.name.startswith("_") and not a.name.startswith("__")]
    assert private == []


def libraries_of(name: str) -> set[str]:
    """The outside packages `name` imports (their top-level names)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    found |= {node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    return {m.split(".")[0] for m in found} - {"app"}


WEB = {"fastapi", "starlette", "uvicorn", "websockets", "jinja2", "jinja2_fragments", "httpx"}
STORAGE = {"sqlalchemy", "sqlmodel", "alembic", "psycopg", "redis", "limits"}


def test_the_domain_and_the_services_know_no_web_framework():
    """The domain is pure (no web, no database); the services read and write the database and
    announce through a publisher, but a form, a request or a template never reaches them."""
    layer = {name: node_of(name) for name in MODULES}
    outside = {name: libraries_of(name) & (WEB | STORAGE if layer[name] == "domain" else WEB)
               for name in MODULES if layer[name] in ("domain", "services")}
    assert {name: sorted(libs) for name, libs in outside.items() if libs} == {}
    assert libraries_of("app.web") >= {"fastapi", "starlette"}  # the reader sees what is there
