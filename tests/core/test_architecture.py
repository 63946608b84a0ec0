"""One floor per folder (architecture.md), bottom to top: `core/` and `storage/`, then
`workflows/`, `adapters/`, `bot/`. A module imports only from its own floor or lower
ones, so a newcomer can tell from the folder what a workflow may import; a new chat
platform is one folder under adapters/ that no other folder knows."""

from __future__ import annotations

import ast
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


def product_files() -> Iterator[Path]:
    for package in PRODUCT:
        yield from sorted((ROOT / package).rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str, bool]]:
    """(line, module, inside a function) for every absolute import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, id(node) in nested
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            yield node.lineno, node.module or "", id(node) in nested


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


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
        if nested
    ]
    assert problems == []


def test_files_stay_small() -> None:
    long = []
    for path in product_files():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            long.append(f"{path.relative_to(ROOT)}: {count} lines")
    assert long == []


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    """The rules above are only worth something if they can fail: a module that imports
    an adapter and hides an import in a function is reported as such."""
    sample = tmp_path / "sample.py"
    sample.write_text("import adapters.slack\n\ndef f():\n    import bot.cli\n", encoding="utf-8")
    found = list(imports(sample))
    assert (1, "adapters.slack", False) in found and (4, "bot.cli", True) in found
    assert floor_of("adapters.slack") not in ALLOWED["workflows"]
