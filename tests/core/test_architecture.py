"""Imports go one way (architecture.md): core <- storage <- workflows <- adapters <- the
composition root. A new chat platform is one folder; workflows never know which."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ["domain", "config", "messages", "chat", "clock", "durations", "recommendation", "adapter"]
FORBIDDEN = {
    "storage": {"workflows", "adapters", "bot.runtime", "bot.server", "bot.cli", "bot.api"},
    "workflows": {"adapters", "bot.runtime", "bot.server", "bot.cli", "bot.api", "bot.demo"},
    "adapters": {"sqlalchemy", "storage", "bot.runtime", "bot.server", "bot.cli"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(files: list[Path], forbidden: set[str]) -> list[str]:
    found = []
    for path in files:
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_layers_import_in_one_direction() -> None:
    problems = []
    for package, forbidden in FORBIDDEN.items():
        problems += violations(sorted((ROOT / package).rglob("*.py")), forbidden)
    core_files = [ROOT / "bot" / f"{name}.py" for name in CORE]
    problems += violations(core_files, {"storage", "workflows", "adapters"})
    assert problems == []


def test_each_adapter_keeps_its_platform_sdk_to_itself() -> None:
    sdks = {"slack": {"slack_bolt", "slack_sdk"}, "teams": {"botbuilder", "botframework"}}
    problems = []
    for platform, modules in sdks.items():
        outside = [p for p in ROOT.rglob("*.py")
                   if p.is_relative_to(ROOT / "bot") or p.is_relative_to(ROOT / "workflows")
                   or p.is_relative_to(ROOT / "storage")
                   or (p.is_relative_to(ROOT / "adapters")
                       and not p.is_relative_to(ROOT / "adapters" / platform))]  # fmt: skip
        problems += violations(outside, modules)
    assert problems == []
