"""Window sizes that respect the screen: a laptop at 150 % has about 910×460 pixels to offer.

Qt opens a window at the size it is given, even when that is larger than the screen; the
buttons at the bottom of a dialog would then be out of reach.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

FRAME = (16, 40)
"""Room for the window frame and title bar (logical pixels), which a window's size excludes."""


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Give ``window`` this size, or less where its screen has less room (not below its minimum)."""
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
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area
