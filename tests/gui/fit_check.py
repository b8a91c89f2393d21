"""What "fits" means for a window, shared by the fit tests and the 150 % probe process.

A window fits a size when its minimum size is no larger, and at that size every visible button
lies inside the window, uncovered and wide enough for its text, and every wrapped label has the
height its lines need. Buttons inside a scroll area may be scrolled out of view: that is fine.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabBar,
    QToolButton,
    QWidget,
)

LARGE = QSize(1280, 720)
"""A common office screen."""
LAPTOP_150 = QSize(910, 440)
"""1366×768 at 150 % is 910×512; a maximised window loses the task bar (48) and title bar (~24)."""
LAPTOP_14PT = QSize(1366, 696)
"""1366×768 at 100 % with a 14 pt system font, maximised (less the task bar and title bar)."""


def settle(window: QWidget, size: QSize | None = None) -> None:
    """Resize (when asked) and let every layout request, including the follow-ups, run."""
    if size is not None:
        window.resize(size)
    for _ in range(12):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
        QApplication.processEvents()
    if size is not None:
        window.resize(size)  # a minimum that grew on the way keeps the window larger: see fits()
        QApplication.processEvents()


def _in_scroll_area(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _ours(button: QAbstractButton) -> bool:
    """Our buttons, not Qt's own (a line edit's clear button, a tab bar's scroll arrows)."""
    parent = button.parentWidget()
    if parent is None or isinstance(parent, QLineEdit | QTabBar):
        return False
    return not button.objectName().startswith(("qt_", "_q_"))


def problems(window: QWidget, size: QSize) -> list[str]:
    """Everything that does not fit at ``size``; empty when the window fits."""
    found: list[str] = []
    settle(window, size)
    minimum, hint = window.minimumSize(), window.minimumSizeHint()
    for what, value in (("minimumSize", minimum), ("minimumSizeHint", hint)):
        if value.width() > size.width() or value.height() > size.height():
            found.append(
                f"{what} {value.width()}x{value.height()} > {size.width()}x{size.height()}"
            )
    if window.size() != size:
        found.append(
            f"window is {window.width()}x{window.height()}, not {size.width()}x{size.height()}"
        )
    area = window.rect()
    for button in window.findChildren(QAbstractButton):
        if not isinstance(button, QPushButton | QToolButton) or not button.isVisible():
            continue
        if not _ours(button) or _in_scroll_area(button, window):
            continue
        label = button.objectName() or button.text()
        place = button.rect().translated(button.mapTo(window, button.rect().topLeft()))
        if not area.contains(place):
            found.append(f"button {label!r} at {place.getRect()} is outside the window")
        shown = button.visibleRegion().boundingRect()
        if shown.size() != button.size():
            seen, whole = shown.size().toTuple(), button.size().toTuple()
            found.append(f"button {label!r} is cut off: {seen} of {whole}")
        if button.width() < button.minimumSizeHint().width():
            found.append(f"button {label!r} is too narrow for its text")
    for text in window.findChildren(QLabel):
        if not text.isVisible() or not text.wordWrap() or not text.text():
            continue
        if _in_scroll_area(text, window):
            continue
        needed = text.heightForWidth(text.width())
        if text.height() < needed:
            found.append(f"label {text.text()[:30]!r} is {text.height()} high, needs {needed}")
    return found
