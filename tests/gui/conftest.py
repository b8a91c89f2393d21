"""GUI tests: garbage is collected on the main thread only, like the app does."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    """Like the app's GuiThreadCollector (gpdesk/ui/garbage.py): no automatic collection that
    could run on a worker thread and destroy Qt widgets there; collect after the test instead."""
    gc.disable()
    yield
    gc.collect()
    gc.enable()
