"""A view that raises on every paint: one message, one crash log, the window stays."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from gpdesk import crash
from gpdesk.ui.app import _CrashRelay

SECRET = "BSN 111222333"
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class _BrokenModel(QAbstractTableModel):
    """Raises inside data(), as the import preview's changes table once did on every paint."""

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else 20

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else 4

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            raise TypeError(f"kapot bij {SECRET}")
        return None


class _Boxes:
    """Every crash message that was on screen, seen by a timer (as a user would)."""

    def __init__(self) -> None:
        self.seen: list[QMessageBox] = []
        self.timer = QTimer()
        self.timer.timeout.connect(self.look)
        self.timer.start(10)

    def look(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if (
                isinstance(widget, QMessageBox)
                and widget.objectName() == "crashMessage"
                and widget.isVisible()
                and not any(widget is box for box in self.seen)
            ):
                self.seen.append(widget)


def _repaint_often(qtbot: QtBot, view: QTableView, times: int) -> None:
    for _ in range(times):
        view.viewport().update()
        qtbot.wait(5)


@pytest.mark.qt_no_exception_capture
def test_a_view_that_raises_on_every_paint_gives_one_message_and_one_crash_log(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes = crash.CrashLog(tmp_path)
    relay = _CrashRelay()
    monkeypatch.setattr(sys, "excepthook", crash.excepthook(crashes, relay.crashed.emit))
    boxes = _Boxes()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(_BrokenModel(view))
    view.resize(500, 400)
    view.show()

    _repaint_often(qtbot, view, 40)
    qtbot.waitUntil(lambda: relay.box is not None and bool(boxes.seen), timeout=5_000)
    _repaint_often(qtbot, view, 40)

    assert relay.shown == 1 and len(boxes.seen) == 1
    assert relay.suppressed > 20
    # every crash recorded is also counted by the relay, once its queued report arrives
    qtbot.waitUntil(lambda: list(crashes.counts.values()) == [relay.suppressed + 1], timeout=5_000)
    [report] = tmp_path.glob("crash-*.txt")
    text = report.read_text(encoding="utf-8")
    assert "builtins.TypeError: (message withheld)" in text and "in data" in text
    assert SECRET not in text
    box = relay.box
    assert box is not None
    # how often it failed since, in the one message
    qtbot.waitUntil(lambda: "nog" in box.informativeText(), timeout=5_000)

    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter closes it
    qtbot.waitUntil(lambda: relay.box is None, timeout=5_000)
    _repaint_often(qtbot, view, 40)  # the same failure again: counted, not shown
    assert relay.shown == 1 and len(boxes.seen) == 1
    assert len(list(tmp_path.glob("crash-*.txt"))) == 1
    assert view.isVisible()  # the window is still there
    view.hide()
    boxes.timer.stop()


@pytest.mark.qt_no_exception_capture
def test_a_new_failure_after_the_quiet_time_is_shown_again(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes = crash.CrashLog(tmp_path)
    relay = _CrashRelay()
    monkeypatch.setattr(relay, "QUIET_SECONDS", 0.0)

    def fail(kind: type[Exception]) -> None:
        try:
            raise kind(SECRET)
        except Exception as exc:
            relay.crashed.emit(crashes.record(exc))

    fail(ValueError)
    qtbot.waitUntil(lambda: relay.box is not None, timeout=5_000)
    first = relay.box
    assert first is not None
    first.accept()
    qtbot.waitUntil(lambda: relay.box is None, timeout=5_000)
    fail(ValueError)  # the same failure: counted only
    fail(KeyError)  # another failure: told again
    qtbot.waitUntil(lambda: relay.box is not None, timeout=5_000)
    assert relay.shown == 2 and relay.suppressed == 1
    assert len(list(tmp_path.glob("crash-*.txt"))) == 2
    assert relay.box is not None
    relay.box.accept()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_leaves_a_crash_log_and_an_error_line(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    crashes = crash.CrashLog(tmp_path)
    relay = _CrashRelay()
    monkeypatch.setattr(sys, "excepthook", crash.excepthook(crashes, relay.crashed.emit))
    button = QPushButton("Gebruiker toevoegen")
    qtbot.addWidget(button)

    def add_user() -> None:
        raise RuntimeError(SECRET)

    button.clicked.connect(add_user)
    with caplog.at_level(logging.ERROR, logger="gpdesk.crash"):
        QTimer.singleShot(0, button.click)  # from the event loop, as a user's click arrives
        qtbot.waitUntil(lambda: relay.box is not None, timeout=5_000)
    [report] = tmp_path.glob("crash-*.txt")
    assert "add_user" in report.read_text(encoding="utf-8")
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "RuntimeError" in line and str(report) in line and SECRET not in line
    assert relay.box is not None
    relay.box.accept()
