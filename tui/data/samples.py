"""The bundled samples, and what a data spec on the command line names (a file or a sample)."""

from __future__ import annotations

import os
from pathlib import Path

from tui.data.dataset import DataError
from tui.format import PATH_QUOTED, quoted


def _find_samples_dir() -> Path:
    """The bundled samples: ``tui/samples`` in an installed wheel, ``samples/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent  # tui/
    installed = package / "samples"
    if installed.is_dir():
        return installed
    return package.parent / "samples"


SAMPLES_DIR: Path = _find_samples_dir()

DEFAULT_SAMPLE = "seed"


def sample_names() -> list[str]:
    """The bundled sample names (stems of ``samples/*.csv``), sorted, with "seed" first."""
    if not SAMPLES_DIR.is_dir():
        return []
    names = sorted(p.stem for p in SAMPLES_DIR.glob("*.csv") if p.is_file())
    if DEFAULT_SAMPLE in names:
        names.remove(DEFAULT_SAMPLE)
        names.insert(0, DEFAULT_SAMPLE)
    return names


def resolve(spec: str | os.PathLike[str]) -> tuple[str, Path]:
    """Turn a command-line data spec into ``(name, path)``.

    A path that exists wins (name = the spec as given); otherwise a sample name (``seed`` or
    ``seed.csv``; name = the sample name); otherwise :class:`DataError`.
    """
    text = os.fspath(spec)
    if text and os.path.exists(text):  # os.path.exists never raises (bad names are False)
        return text, Path(text)
    names = sample_names()
    stem = text[:-4] if text.endswith(".csv") else text
    if stem in names and "/" not in text and os.sep not in text:
        return stem, SAMPLES_DIR / f"{stem}.csv"
    listing = ", ".join(names) if names else "none found"
    raise DataError(f"no such file or sample: {quoted(text, PATH_QUOTED)} (samples: {listing})")
