"""Labels that let a window get small: one that shortens, one that wraps and says so.

``ElidedLabel`` is for secondary text (a line of key hints) that must not make a window wider,
nor taller by wrapping. ``WrappingLabel`` is for text that must stay whole (a patient's name):
it wraps, and its minimum height follows, so the window never squeezes the second line away.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """Shows as much of its text as fits on one line; the rest is in the tooltip."""

    MINIMUM_CHARS = 12

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._elide()

    def full_text(self) -> str:
        """The text as given, never shortened."""
        return self._full

    def set_full_text(self, text: str) -> None:
        """Replace the text; it is shortened again to the current width."""
        self._full = text
        self._elide()
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right()
        return QSize(width + 2, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        width = self.fontMetrics().averageCharWidth() * self.MINIMUM_CHARS
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


class WrappingLabel(QLabel):
    """Word-wrapped text whose minimum height is the height of its lines at its current width.

    Qt does not carry a label's ``heightForWidth`` up to a window's minimum size; without this
    the window could be made so low that the second line is cut off.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # names from outside never render as HTML
        self.setWordWrap(True)
        self._fitted: tuple[int, str] | None = None
        self.setText(text)

    def sizeHint(self) -> QSize:  # noqa: N802
        """The text on one line (QLabel would suggest a narrower block of several lines)."""
        margins = self.contentsMargins()
        line = self.fontMetrics().boundingRect(QRect(0, 0, 100_000, 1_000), 0, self.text())
        width = line.width() + margins.left() + margins.right() + 2 * self.margin() + 2
        height = line.height() + margins.top() + margins.bottom() + 2 * self.margin()
        return QSize(width, height)

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fitted = None
            self._fit()

    def _fit(self) -> None:
        width = self.width()
        if width <= 0 or self._fitted == (width, self.text()):
            return
        self._fitted = (width, self.text())
        # QLabel's heightForWidth never answers less than the minimum height: clear it first,
        # or the label would stay as high as it ever was at its narrowest.
        self.setMinimumHeight(0)
        self.setMinimumHeight(max(self.heightForWidth(width), 0))
