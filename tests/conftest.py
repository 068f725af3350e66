"""What every test shares."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def unfreeze_after_each_test() -> Iterator[None]:
    """GdstepApp freezes the garbage collector's view of the objects alive at its start, for
    the life of the process; a test process runs hundreds of apps, so each test gives the
    collector back what its app left."""
    yield
    gc.unfreeze()
