"""Window sizes that respect the screen: a laptop at 150 % has about 910×460 pixels to offer.

Qt opens a window at the size it is given, even when that is larger than the screen; the
buttons at the bottom of a dialog would then be out of reach.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

from gpdesk.ui.theme import scaled

FRAME = (16, 40)
"""Room for the window frame and title bar (logical pixels), which a window's size excludes."""


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Give ``window`` this size, or less where its screen has less room (not below its minimum).

    The size is designed at the 10.5 pt body text; with a larger font the window grows with it.
    """
    width, height = scaled(width), scaled(height)
    anchor = window.parentWidget() or window
    available = anchor.screen().availableGeometry()
    window.resize(
        max(min(width, available.width() - FRAME[0]), window.minimumWidth()),
        max(min(height, available.height() - FRAME[1]), window.minimumHeight()),
    )


def scrolling(page: QWidget) -> QScrollArea:
    """``page`` in a frameless scroll area: on a low screen the form scrolls, nothing is cut off."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take Tab and scroll into view
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area


class ContentScrollArea(QScrollArea):
    """A frameless scroll area as high as its content where there is room, scrolling where not.

    For a block of wrapped text above a list (the kaart's postcode answer): on a large screen it
    shows whole, on a small one it keeps at least ``min_lines`` lines and scrolls the rest. It
    shows and hides with its content.
    """

    def __init__(self, content: QWidget, *, min_lines: int = 3) -> None:
        super().__init__()
        self._min_lines = min_lines
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its content takes Tab
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setWidget(content)
        self.setVisible(not content.isHidden())
        content.installEventFilter(self)
        self.viewport().installEventFilter(self)

    def sizeHint(self) -> QSize:  # noqa: N802
        content = self.widget()
        if content is None:
            return super().sizeHint()
        width = self.viewport().width() if self.isVisible() else content.sizeHint().width()
        height = content.heightForWidth(width) if content.hasHeightForWidth() else -1
        if height < 0:
            height = content.sizeHint().height()
        return QSize(content.sizeHint().width(), height + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        content = self.widget()
        if content is None:
            return super().minimumSizeHint()
        margins = content.contentsMargins()
        lines = content.fontMetrics().lineSpacing() * self._min_lines
        height = min(lines + margins.top() + margins.bottom(), self.sizeHint().height())
        return QSize(super().minimumSizeHint().width(), height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the height the text needs follows the width

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if watched is self.widget() and kind in (
            QEvent.Type.ShowToParent,
            QEvent.Type.HideToParent,
        ):
            self.setVisible(kind == QEvent.Type.ShowToParent)
        elif watched is self.viewport() and kind == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # new text: a new height
        return super().eventFilter(watched, event)
