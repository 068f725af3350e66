"""The walls around Textual's and plotext's private API (tui/app/textual_adapter.py,
tui/app/plots/plotext_adapter.py), and the field's exact verdict after Enter."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from textual import events, on
from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.app.plots.plotext_adapter import paint_background
from tui.app.textual_adapter import bindings_for
from tui.app.widgets.field import Field

TUI = Path(__file__).resolve().parent.parent / "tui"
ADAPTERS = {TUI / "app" / "textual_adapter.py", TUI / "app" / "plots" / "plotext_adapter.py"}
WALLED = ("textual", "plotext", "textual_plotext")
"""The packages whose private names only the adapters use."""


# ---- the walls -------------------------------------------------------------------------------


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(path: Path) -> list[str]:
    """What a module of tui uses that it has not defined and that is private: a private module
    of a walled package, `x._name` on anything but self or cls, `super()._name`, `self._name`
    that the module never defines (assigns, declares or defs)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            defined.add(node.attr)
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            modules = []
        for module in modules:
            parts = module.split(".")
            if parts[0] in WALLED and any(map(is_private, parts)):
                uses.append(f"{path.name}:{node.lineno}: import of {module}")
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = node.value
            mine = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            if not mine or node.attr not in defined:
                uses.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return uses


def test_only_the_adapters_use_private_names_of_textual_and_plotext():
    modules = sorted(TUI.rglob("*.py"))
    assert len(modules) > 20 and set(modules) >= ADAPTERS
    uses = [use for path in modules if path not in ADAPTERS for use in private_uses(path)]
    assert uses == []


def test_the_wall_check_finds_private_uses(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from textual._xterm_parser import XTermParser\n"
        "class W:\n"
        "    def f(self):\n"
        "        self._held = 1\n"
        "        return self._held, self._bindings, super()._on_key(1), self.plt._set_size(1)\n"
    )
    assert [use.split(": ", 1)[1] for use in private_uses(module)] == [
        "import of textual._xterm_parser",
        "self._bindings",
        "super()._on_key",
        "self.plt._set_size",
    ]


def test_bindings_for_gives_one_widgets_bindings_for_a_key():
    assert [binding.action for binding in bindings_for(Input(), "enter")] == ["submit"]
    assert bindings_for(Input(), "n") == []


@pytest.mark.parametrize(
    ("line", "column", "painted"),
    [
        (0, 0, ["ab..", "cd..", "...."]),
        (1, 1, ["....", ".ab.", ".cd."]),
        (2, 3, ["....", "....", "...a"]),  # clipped on the right and at the bottom
        (3, 0, ["....", "....", "...."]),  # below the matrix
    ],
)
def test_paint_background_sets_cells_from_the_top_and_clips(line, column, painted):
    class Matrix:  # plotext's matrix: row 0 at the bottom
        rows, cols = 3, 4
        background = [["."] * 4 for _ in range(3)]

    paint_background(Matrix, line, column, [["a", "b"], ["c", "d"]])
    assert ["".join(row) for row in reversed(Matrix.background)] == painted


# ---- the field's verdict: exact, however long the dialog takes -------------------------------


class SlowDialog(ModalScreen[str]):
    """A dialog that takes its time over Enter (until `decide` is set), then accepts the
    text (and closes) or refuses it; just before refusing, one more key reaches the field
    (`late`), as a key typed while the dialog decided would."""

    def __init__(self, accept: bool, late: str | None = None) -> None:
        super().__init__()
        self.accept, self.late = accept, late
        self.decide = asyncio.Event()
        self.submitted: list[str] = []

    def compose(self) -> ComposeResult:
        yield Field(id="text")

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submitted.append(event.value)
        await self.decide.wait()
        if self.accept:
            self.dismiss(event.value)
        elif self.late is not None:
            self.query_one(Field).post_message(events.Key(self.late, self.late))


class Main(App[None]):
    """Records what the dialog returned and the keys that reached the main screen."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[str | None] = []
        self.keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("main")

    def on_key(self, event: events.Key) -> None:
        self.keys.append(event.key)


async def type_slowly_decided(dialog: SlowDialog, keys: str) -> Main:
    """Type `keys` (⏎ for Enter) into the dialog's field all at once; let the dialog decide
    only well after the 50 ms the field used to wait for it."""
    app = Main()
    async with app.run_test() as pilot:
        app.push_screen(dialog, app.results.append)
        await pilot.pause()
        field = dialog.query_one(Field)
        for key in keys:
            field.post_message(events.Key("enter", "\r") if key == "⏎" else events.Key(key, key))
        await pilot.pause(0.3)
        dialog.decide.set()
        await pilot.pause()
        app.value = field.value  # type: ignore[attr-defined]
        app.open = app.screen is dialog  # type: ignore[attr-defined]
    return app


async def test_keys_after_enter_wait_for_a_slow_dialog_that_accepts_then_go_to_the_app():
    app = await type_slowly_decided(SlowDialog(accept=True), "ab⏎xy")
    assert app.results == ["ab"] and app.keys == ["x", "y"] and not app.open
    assert app.value == "ab"


async def test_keys_after_enter_wait_for_a_slow_dialog_that_refuses_then_edit_the_field():
    app = await type_slowly_decided(SlowDialog(accept=False, late="z"), "ab⏎xy")
    assert app.results == [] and app.keys == [] and app.open
    assert app.value == "abxyz"  # the key that came while the dialog decided comes last


async def test_an_enter_among_the_held_keys_submits_again_and_holds_the_keys_after_it():
    dialog = SlowDialog(accept=False)
    app = await type_slowly_decided(dialog, "a⏎b⏎c")
    assert dialog.submitted == ["a", "ab"]
    assert app.value == "abc" and app.open and app.keys == []
