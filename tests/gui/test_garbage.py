"""Garbage collection happens on the GUI thread only (see gpdesk/ui/garbage.py)."""

from __future__ import annotations

import gc

from gpdesk.ui.garbage import GuiThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_collector_switches_automatic_collection_off_and_collects_itself() -> None:
    collector = GuiThreadCollector(interval_ms=10_000)
    try:
        assert not gc.isenabled()
        for _ in range(gc.get_threshold()[0] + 10):
            _Cycle()
        assert gc.get_count()[0] > gc.get_threshold()[0]
        collector.check()
        assert gc.get_count()[0] < gc.get_threshold()[0]
    finally:
        collector.stop()
        collector.deleteLater()
    assert gc.isenabled()
    gc.disable()  # the GUI tests' own rule (tests/gui/conftest.py)
