"""Guard against the PySide6 6.12.0 bug that drops a reference to bools sent through signals.

Enough emits free ``True`` or ``False`` and abort the interpreter ("bool_dealloc"), which is why
pyproject.toml keeps PySide6 below 6.12 and ``BackgroundTasks`` boxes values in a tuple.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from gpdesk.ui.tasks import BackgroundTasks


class _Emitter(QObject):
    flag = Signal(bool)
    value = Signal(object)


def test_bools_through_python_signals_keep_their_references() -> None:
    emitter = _Emitter()
    emitter.flag.connect(lambda _v: None)
    emitter.value.connect(lambda _v: None)
    before = sys.getrefcount(True)
    for _ in range(20):
        emitter.flag.emit(True)
        emitter.value.emit(True)
    assert sys.getrefcount(True) - before >= 0  # 6.12.0 loses one per emit: -40 here


def test_background_results_that_are_bools_arrive_intact(qtbot: object, tmp_path: Path) -> None:
    from pytestqt.qtbot import QtBot

    assert isinstance(qtbot, QtBot)
    tasks = BackgroundTasks(lambda exc: None, crash_dir=tmp_path)
    results: list[bool] = []
    before = sys.getrefcount(False)
    for _ in range(20):
        tasks.run(lambda: False, results.append)
    tasks.wait()
    qtbot.waitUntil(lambda: len(results) == 20, timeout=5_000)
    assert results == [False] * 20
    assert sys.getrefcount(False) - before >= 0
