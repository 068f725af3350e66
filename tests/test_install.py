"""A non-editable install, run from another directory, finds its bundled samples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_wheel_installs_and_finds_its_samples(tmp_path):
    wheels = tmp_path / "wheels"
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(wheels),
        str(ROOT),
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("gdstep-*.whl")
    site = tmp_path / "site"
    installed = run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--target",
        str(site),
        str(wheel),
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = run(sys.executable, "-c", "import tui; print(tui.__file__)", cwd=elsewhere, env=env)
    assert where.stdout.strip().startswith(str(site))
    samples = run(sys.executable, "-m", "tui", "samples", cwd=elsewhere, env=env)
    assert samples.returncode == 0, samples.stderr
    assert {line.split()[0] for line in samples.stdout.splitlines()[1:]} == {
        "seed",
        "plateau",
        "hours",
        "iris",
        "cancer",
    }
    trace = run(
        sys.executable, "-m", "tui", "trace", "plateau", "--steps", "1", cwd=elsewhere, env=env
    )
    assert trace.returncode == 0, trace.stderr
    assert trace.stdout.splitlines()[1].startswith("0,-2.0,-2.0,0.4158199010199929,")
    script = site / "bin" / "gdstep"
    assert script.exists()
