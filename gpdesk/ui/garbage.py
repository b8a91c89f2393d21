"""Python's cyclic garbage collection, run only on the GUI thread.

The collector runs in whichever thread happens to allocate when a threshold trips. If that is a
background worker and the garbage holds Qt widgets (closed dialogs caught in reference cycles),
their C++ destructors run on the wrong thread and the program crashes. So automatic collection is
switched off and this timer collects on the GUI thread instead, with the same thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Owns garbage collection for the program's lifetime; create it on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the youngest generation whose count passed its threshold, like gc would."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        """Hand collection back to Python (at exit, and in tests)."""
        self._timer.stop()
        gc.enable()
