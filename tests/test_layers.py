"""The layers import one way only (README, Layout of the code), read from the source with ast:
the engine, the data and the expression language never import textual, the app or the files
layer; nothing but the command line imports the app; nothing imports the command line."""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parent.parent / "tui"

BASE = ("tui.errors", "tui.format", "tui.files.safe")
"""What every layer may use: errors, number and text formatting, safe reading and writing
(these import nothing of gdstep but each other)."""

MAY_IMPORT = {
    "engine": (*BASE, "tui.engine"),
    "data": (*BASE, "tui.data"),
    "expressions": (*BASE, "tui.engine", "tui.expressions"),
    "files": (*BASE, "tui.engine", "tui.data", "tui.expressions", "tui.config", "tui.files"),
    "app": (
        *BASE,
        "tui.engine",
        "tui.data",
        "tui.expressions",
        "tui.config",
        "tui.files",
        "tui.app",
    ),
}
"""For each package of tui, the modules of tui it may import (by prefix)."""

UI = ("textual", "textual_plotext", "plotext", "rich")


def imports(path: Path) -> set[str]:
    """The modules a file imports, at any depth (lazy imports in functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "tui":  # from tui import data: the module is tui.data
                found.update(f"tui.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for layer, allowed in MAY_IMPORT.items():
        paths = sorted((TUI / layer).rglob("*.py"))
        assert paths, layer
        for path in paths:
            for module in imports(path):
                ours = module.split(".")[0] == "tui"
                if (ours and not within(module, allowed)) or (
                    layer != "app" and within(module, UI)
                ):
                    wrong.append(f"{path.relative_to(TUI)} imports {module}")
    assert wrong == []


def test_the_base_modules_and_the_options_stay_below_the_app():
    for name in ("errors.py", "format.py", "config.py", "files/safe.py"):
        modules = imports(TUI / name)
        assert not [m for m in modules if within(m, (*UI, "tui.app", "tui.__main__"))], name
    for name in ("errors.py", "format.py", "files/safe.py"):
        assert all(within(m, BASE) for m in imports(TUI / name) if m.startswith("tui")), name


def test_the_check_sees_a_wrong_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from tui import app\nimport textual.app\ndef f():\n    from tui.files import trace\n"
    )
    assert imports(module) == {"tui.app", "textual.app", "tui.files"}
