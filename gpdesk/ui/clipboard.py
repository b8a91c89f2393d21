"""Copying patient data: it leaves the clipboard again after 30 seconds if still there."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication

CLEAR_AFTER_MS = 30_000


class SensitiveClipboard(QObject):
    """Put text on the clipboard and take it off later, unless the user copied something else."""

    def __init__(
        self, parent: QObject | None = None, *, clear_after_ms: int = CLEAR_AFTER_MS
    ) -> None:
        super().__init__(parent)
        self._text: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(clear_after_ms)
        self._timer.timeout.connect(self.clear)

    def copy(self, text: str) -> None:
        """Copy ``text`` and start the countdown."""
        self._text = text
        QGuiApplication.clipboard().setText(text)
        self._timer.start()

    def clear(self) -> None:
        """Remove our text now (also on lock and quit) if the clipboard still holds it."""
        clipboard = QGuiApplication.clipboard()
        if self._text is not None and clipboard.text() == self._text:
            clipboard.clear()
        self._text = None
        self._timer.stop()
