"""The memory ceiling: a history never passes its budget (--max-memory); a run that would
stops there with a message, in the engine, the app (c, g, n) and a reopened session; and in
the app, b after a long adam run shows exactly the trace's state."""

from __future__ import annotations

import io

import numpy as np
import pytest

from tests.helpers import notes_of, until
from tui import data
from tui.app import GdstepApp
from tui.config import ConfigError, make_config, parse_memory
from tui.engine import session as engine_session
from tui.engine.session import Config, Event, ReplayError, Session, memory_text
from tui.files import trace
from tui.files.sessionfile import SessionFileError, load, restore, save

SIZE = (120, 40)
X = np.linspace(-1, 1, 50)[:, None]
Y = (X[:, 0] > 0).astype(float)


def test_a_run_stops_at_the_budget_without_passing_it():
    budget = 3_000_000
    session = Session(X, Y, Config(optimizer="adam", lr=0.01), memory=budget)
    moved = session.step(10**12)
    assert moved == session.limit > 10_000 and session.full and not session.diverged
    assert session.history.nbytes <= budget
    assert session.step(5) == 0 and session.t == session.limit  # no further, no error
    session.back(3)
    assert session.step(10) == 3


def test_replaying_past_the_budget_names_the_limit():
    session = Session(X, Y, Config(), memory=3_000_000)
    with pytest.raises(ReplayError, match=r"memory limit, 3 MB \(--max-memory\), after step"):
        session.replay([Event("lr", 5, (0.5,))], 10**9)


def test_a_session_file_past_the_memory_limit_is_refused_before_replaying(tmp_path, monkeypatch):
    dataset = data.load("seed")
    session = Session(dataset.x, dataset.y, make_config(dataset, {})[0])
    session.step(5)
    path = save(tmp_path / "s.json", session, "seed", None, False)
    text = path.read_text().replace('"step": 5', '"step": 100000000')
    path.write_text(text)
    monkeypatch.setattr(engine_session, "max_memory", 3_000_000)
    with pytest.raises(SessionFileError, match=r"goes to step 100,000,000, past the memory limit"):
        restore(load(path))


@pytest.mark.parametrize(
    ("text", "size"),
    [("800M", 800_000_000), ("1.5G", 1_500_000_000), ("2gb", 2 * 10**9), ("10T", 10**13)],
)
def test_parse_memory(text, size):
    assert parse_memory(text) == size


@pytest.mark.parametrize("text", ["", "lots", "5P", "-1G", "10", "1000000T"])
def test_parse_memory_refuses_with_the_option_named(text):
    with pytest.raises(ConfigError, match="--max-memory"):
        parse_memory(text)


def test_memory_text():
    assert [memory_text(n) for n in (999, 1500, 3_000_000, 1_500_000_000, 10**13, 10**18)] == [
        "999 B",
        "1.5 kB",
        "3 MB",
        "1.5 GB",
        "10 TB",
        "1e6 TB",
    ]


def test_the_default_budget_is_a_fraction_of_the_machines_memory():
    assert engine_session.max_memory == engine_session.machine_memory() // 4
    assert Session(X, Y, Config()).memory == engine_session.max_memory


def test_an_address_space_limit_lowers_the_default(monkeypatch):
    """Under `prlimit --as=1500000000` the budget is a quarter of that, not of the RAM."""
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda which: (1_500_000_000, -1))
    assert engine_session.machine_memory() == 1_500_000_000


def test_max_memory_on_the_command_line(monkeypatch):
    from tui.__main__ import main

    monkeypatch.setattr(engine_session, "max_memory", engine_session.max_memory)
    assert main(["seed", "--max-memory", "nonsense"]) == 2
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    main(["seed", "--max-memory", "300M"])  # refused later for want of a terminal
    assert engine_session.max_memory == 300_000_000


async def test_c_stops_at_the_memory_limit_and_says_why(monkeypatch):
    monkeypatch.setattr(engine_session, "max_memory", 3_000_000)
    dataset = data.load("seed")
    config, _ = make_config(dataset, {"lr": "0.001"})
    app = GdstepApp(dataset, config)
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await until(pilot, lambda: not app.running, timeout=120)
        session = app.session
        assert session.t == session.limit and session.history.nbytes <= 3_000_000
        assert any("memory limit, 3 MB (--max-memory)" in n.message for n in notes)
        await pilot.press("n")
        await until(pilot, lambda: len(notes) >= 2, timeout=30)
        assert session.t == session.limit and "--max-memory" in notes[-1].message


async def test_b_after_a_long_adam_run_shows_exactly_the_traces_state():
    """`g` far on cancer with adam, then b: the state shown is the trace's, bit for bit,
    though the history kept only checkpoints of it."""
    dataset = data.load("cancer")
    config, _ = make_config(dataset, {"optimizer": "adam"})
    far = 20_000
    app = GdstepApp(dataset, config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("Input").value = str(far)
        await pilot.press("enter")
        await until(pilot, lambda: app.session.t == far and not app.running, timeout=300)
        await pilot.press("b")
        await until(pilot, lambda: app.session.t == far - 1)
        history = app.session.history
        kept = history.nbytes - sum(w.nbytes for w in history._w)  # beyond the window
        assert kept <= 64 * far + history.full_bytes * 1024  # and the first allocation
        shown = trace.row(app.session, far - 1)
    out = io.StringIO()
    trace.write(Session(dataset.x, dataset.y, config), far, out, every=far - 1)
    assert out.getvalue().splitlines()[2] == ",".join(map(repr, shown))


@pytest.mark.parametrize(
    ("name", "optimizer", "budget"),
    [("seed", "gd", 1_000_000), ("cancer", "adam", 3_000_000), ("cancer", "adam", 1_000_000)],
)
def test_a_budget_of_a_few_mb_holds_many_steps(name, optimizer, budget):
    """The dense window shrinks to fit a small budget (never below what a refill needs)."""
    dataset = data.load(name)
    config, _ = make_config(dataset, {"optimizer": optimizer})
    session = Session(dataset.x, dataset.y, config, memory=budget)
    history = session.history
    assert history.min_window <= history.window < history.most_window
    assert session.step(10**9) == session.limit >= 10_000 and session.full
    assert history.nbytes <= budget
    session.back(session.t - 3)  # the states are still exactly the ones computed
    replayed = Session(dataset.x, dataset.y, config)
    replayed.step(3)
    assert np.array_equal(session.theta(3), replayed.theta(3))


def test_a_budget_that_grows_again_gives_the_window_back():
    session = Session(X, Y, Config(optimizer="adam"), memory=1_000_000)
    small = session.history.window
    session.set_memory(engine_session.max_memory)
    assert session.history.window == session.history.most_window > small


def wide_csv(tmp_path):  # type: ignore[no-untyped-def]
    """200 features: with adam, a full state is 6.4 kB and the window's least is 452 of them."""
    rows = np.random.default_rng(0).normal(size=(5, 200))
    names = ",".join(f"x{j}" for j in range(200))
    body = "".join(",".join(map(repr, r.tolist())) + f",{i % 2}\n" for i, r in enumerate(rows))
    path = tmp_path / "wide.csv"
    path.write_text(f"{names},y\n{body}")
    return path


def test_a_budget_that_holds_too_few_steps_is_refused_with_the_least_that_does(
    tmp_path, monkeypatch, capsys
):
    from tui.__main__ import main

    monkeypatch.setattr(engine_session, "max_memory", engine_session.max_memory)
    wide = str(wide_csv(tmp_path))
    assert main([wide, "--optimizer", "adam", "--max-memory", "2M"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"gdstep: error: --max-memory 2 MB holds only 0 steps of {wide} with adam: it needs "
        "at least 4 MB\n"
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    main([wide, "--optimizer", "adam", "--max-memory", "4M"])  # refused for want of a terminal
    assert "terminal" in capsys.readouterr().err


def test_a_negative_max_memory_is_its_own_mistake(capsys):
    from tui.__main__ import main

    assert main(["seed", "--max-memory", "-5M"]) == 2
    assert "--max-memory must be a size such as 800M or 2G, not '-5M'" in capsys.readouterr().err


def test_a_session_past_the_limit_is_refused_before_saying_it_replays(
    tmp_path, monkeypatch, capsys
):
    from tui.__main__ import main

    monkeypatch.setattr(engine_session, "max_memory", engine_session.max_memory)
    dataset = data.load("seed")
    session = Session(dataset.x, dataset.y, make_config(dataset, {})[0])
    session.step(5)
    path = save(tmp_path / "s.json", session, "seed", None, False)
    path.write_text(path.read_text().replace('"step": 5', '"step": 10000000'))
    assert main(["--session", str(path), "--max-memory", "20M"]) == 2
    err = capsys.readouterr().err
    assert "replaying" not in err and err.count("\n") == 1 and "past the memory limit" in err
