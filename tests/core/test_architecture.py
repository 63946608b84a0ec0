"""One floor per folder (architecture.md), bottom to top: `core/` and `storage/`, then
`workflows/`, `adapters/`, `bot/`. A module imports only from its own floor or lower
ones, so a newcomer can tell from the folder what a workflow may import; a new chat
platform is one folder under adapters/ that no other folder knows."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("core", "storage", "workflows", "adapters", "bot")
# What each floor may import of the project (its own package is always allowed).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "storage": set(),
    "workflows": {"core", "storage"},
    "adapters": {"core", "workflows"},
    "bot": {"core", "storage", "workflows", "adapters"},
}
# Third-party packages that belong to one place only.
OWNED_BY = {
    "slack_bolt": "adapters/slack",
    "slack_sdk": "adapters/slack",
    "botbuilder": "adapters/teams",
    "botframework": "adapters/teams",
    "sqlalchemy": "storage workflows bot",
    "alembic": "storage bot",
}
MAX_LINES = 400
# Third-party modules loaded inside a function, by name, where importing them with the
# module would cost every start of sopbot for something few runs use. Nothing of the
# project may be loaded this way (that is how a cycle gets dodged instead of fixed).
LAZY_LOADS = {
    # matplotlib + numpy: ~0.8 s of each CLI/serve start-up, for the HTML review's charts
    ("workflows/review/charts.py", "matplotlib"),
    ("workflows/review/charts.py", "matplotlib.figure"),
}


def product_files() -> Iterator[Path]:
    for package in PRODUCT:
        yield from sorted((ROOT / package).rglob("*.py"))


def _loaded_by_name(node: ast.AST) -> str | None:
    """The module an `importlib.import_module("x")` or `__import__("x")` call loads."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__"):
        return None
    first = node.args[0]
    return str(first.value) if isinstance(first, ast.Constant) else "<computed>"


def imports(path: Path) -> Iterator[tuple[int, str, bool]]:
    """(line, module, inside a function) for every absolute import in `path`, and every
    module loaded by name (importlib.import_module, __import__)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        loaded = _loaded_by_name(node)
        if loaded is not None:
            yield node.lineno, loaded, id(node) in nested
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, id(node) in nested
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            yield node.lineno, node.module or "", id(node) in nested


def where(path: Path, line: int) -> str:
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{shown}:{line}"


def floor_of(module: str) -> str:
    return module.split(".", 1)[0]


def test_each_floor_imports_only_its_own_or_lower_floors() -> None:
    problems = []
    for path in product_files():
        own = path.relative_to(ROOT).parts[0]
        for line, module, _ in imports(path):
            top = floor_of(module)
            if top in PRODUCT and top != own and top not in ALLOWED[own]:
                allowed = sorted(ALLOWED[own]) or "nothing"
                problems.append(
                    f"{where(path, line)} imports {module}: "
                    f"{own}/ may import only {allowed} of the project"
                )
    assert problems == []


def test_each_chat_platform_is_one_folder_nobody_else_knows() -> None:
    problems = []
    for path in sorted((ROOT / "adapters").rglob("*.py")):
        parts = path.relative_to(ROOT / "adapters").parts
        mine = parts[0] if len(parts) > 1 else None
        for line, module, _ in imports(path):
            bits = module.split(".")
            if bits[0] == "adapters" and len(bits) > 1 and bits[1] != mine:
                problems.append(f"{where(path, line)} imports {module}: another platform")
    assert problems == []


def test_platform_sdks_and_sqlalchemy_stay_where_they_belong() -> None:
    problems = []
    for path in product_files():
        rel = path.relative_to(ROOT).as_posix()
        for line, module, _ in imports(path):
            owners = OWNED_BY.get(floor_of(module))
            if owners and not any(rel.startswith(o + "/") for o in owners.split()):
                problems.append(f"{where(path, line)} imports {module}: only {owners}")
    assert problems == []


def test_no_import_hides_inside_a_function() -> None:
    """A function-level import is how a cycle gets dodged instead of fixed."""
    problems = [
        f"{where(path, line)} imports {module} inside a function"
        for path in product_files()
        for line, module, nested in imports(path)
        if nested and (path.relative_to(ROOT).as_posix(), module) not in LAZY_LOADS
    ]
    assert problems == []
    assert all(floor_of(module) not in PRODUCT for _, module in LAZY_LOADS)


def test_files_stay_small() -> None:
    long = []
    for path in product_files():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            long.append(f"{path.relative_to(ROOT)}: {count} lines")
    assert long == []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(paths: list[Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports, counting imports under TYPE_CHECKING
    (a cycle hidden there is still a cycle in the design) and the package `__init__`s an
    import runs on the way (importing `a.b.c` from outside `a.b` runs `a/b/__init__`)."""
    known = {module_name(path): path for path in paths}
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        edges = set()
        for target in targets:
            bits = target.split(".")
            for depth in range(1, len(bits) + 1):
                prefix = ".".join(bits[:depth])
                inside = name == prefix or name.startswith(prefix + ".")
                if prefix in known and not inside:
                    edges.add(prefix)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan), as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    found = cycles(import_graph(list(product_files())))
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def public_surface(module: str) -> set[str] | None:
    """What `workflows.<package>` offers the layers above: its `__all__`; None where the
    module is not a domain package."""
    init = ROOT / module.replace(".", "/") / "__init__.py"
    if not init.exists():
        return None
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def public_modules() -> set[str]:
    tree = ast.parse((ROOT / "workflows" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PUBLIC_MODULES" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def surface_problems(paths: list[Path]) -> list[str]:
    problems = []
    allowed_modules = public_modules()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                problems += [
                    f"{where(path, node.lineno)} imports {alias.name}: import names from "
                    "a workflows package instead"
                    for alias in node.names
                    if floor_of(alias.name) == "workflows"
                ]
            elif isinstance(node, ast.ImportFrom) and floor_of(node.module or "") == "workflows":
                module = node.module or ""
                if module in allowed_modules:
                    continue
                offered = public_surface(module) if module.count(".") == 1 else None
                if offered is None:
                    problems.append(
                        f"{where(path, node.lineno)} imports {module}: the layers above "
                        "import a workflows package (its __all__), not its modules"
                    )
                    continue
                problems += [
                    f"{where(path, node.lineno)} imports {module}.{alias.name}, "
                    f"which {module}.__all__ does not offer"
                    for alias in node.names
                    if alias.name not in offered
                ]
    return problems


def test_adapters_and_bot_import_only_what_workflows_packages_offer() -> None:
    paths = [p for floor in ("adapters", "bot") for p in sorted((ROOT / floor).rglob("*.py"))]
    assert surface_problems(paths) == []


def test_workflows_is_a_folder_per_domain() -> None:
    """A newcomer finds a concept by its folder name: each domain package says in its
    docstring what it owns, and few modules sit directly in workflows/."""
    top = ROOT / "workflows"
    modules = sorted(p.name for p in top.glob("*.py"))
    assert len(modules) <= 8, modules
    undocumented = [
        p.parent.name
        for p in sorted(top.glob("*/__init__.py"))
        if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert undocumented == []


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    """The rules above are only worth something if they can fail: a module that imports
    an adapter and hides an import in a function is reported as such."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import importlib\nimport adapters.slack\n\ndef f():\n    import bot.cli\n"
        "    return importlib.import_module('workflows.chat')\n",
        encoding="utf-8",
    )
    found = list(imports(sample))
    assert (2, "adapters.slack", False) in found and (5, "bot.cli", True) in found
    assert (6, "workflows.chat", True) in found
    assert floor_of("adapters.slack") not in ALLOWED["workflows"]


def test_the_cycle_and_surface_checks_see_a_violation(tmp_path: Path) -> None:
    """A cycle through a TYPE_CHECKING import is found and named; an adapter reaching
    into a workflows module, or for a name its package does not offer, is reported."""
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "b": {"a.x"}}
    assert cycles(graph) == [["a.x", "a.y", "a.z"]]
    sample = tmp_path / "adapter_sample.py"
    sample.write_text(
        "from workflows.decisions.service import DecisionRequest\n"
        "from workflows.decisions import not_offered\n",
        encoding="utf-8",
    )
    found = surface_problems([sample])
    assert any("workflows.decisions.service" in p for p in found)
    assert any("not_offered" in p for p in found)


def test_the_map_names_files_that_exist() -> None:
    """ARCHITECTURE.md is the newcomer's map: every file path it names is where it says."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(
        re.findall(r"`((?:core|storage|workflows|adapters|bot|tests|bench)/[\w/.]+)`", text)
    )
    missing = sorted(path for path in named if not (ROOT / path.rstrip("/")).exists())
    assert named and missing == []
