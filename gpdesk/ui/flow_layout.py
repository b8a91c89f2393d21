"""A layout that puts widgets side by side and wraps to the next row when the width runs out.

Filter chips and rows of buttons use it so that a narrow window (a laptop at 150 % scaling)
gets two rows instead of buttons that fall off the screen. Its minimum width is that of its
widest item. Its minimum height is what its rows need at the width it was last given: Qt
does not carry ``heightForWidth`` up to a window's minimum size, so without this a window made
small enough would squeeze the second row of buttons away.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Left to right, then the next row; items keep their size hint (never squeezed)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        spacing: int = 8,
        row_spacing: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._trailing: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_spacing = spacing if row_spacing is None else row_spacing
        self._width: int | None = None
        """The width of the last ``setGeometry``: the minimum height is the rows at this width."""
        self.setContentsMargins(0, 0, 0, 0)

    def add_trailing(self, widget: QWidget) -> None:
        """A widget pushed to the right end of the last row (it wraps like the others).

        Several trailing widgets stay together at the right, in the order they were added.
        """
        self.addWidget(widget)
        self._trailing.append(self._items[-1])

    # -- QLayout ------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        if item in self._trailing:
            self._trailing.remove(item)
        return item

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        before = self._minimum_height()
        self._width = rect.width()
        self._arrange(rect, move=True)
        if self._minimum_height() != before:
            self.invalidate()  # a row more or less: let the window's minimum height follow

    def sizeHint(self) -> QSize:  # noqa: N802
        """Everything on one row."""
        visible = self._visible()
        width = sum(i.sizeHint().width() for i in visible) + self._spacing * max(
            len(visible) - 1, 0
        )
        height = max((i.sizeHint().height() for i in visible), default=0)
        return self._grow(QSize(width, height))

    def minimumSize(self) -> QSize:  # noqa: N802
        """As narrow as the widest item; as low as the rows at the current width."""
        width = max((i.sizeHint().width() for i in self._visible()), default=0)
        margins: QMargins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), self._minimum_height())

    # -- arranging ----------------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _grow(self, size: QSize) -> QSize:
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _minimum_height(self) -> int:
        if self._width is None:  # not laid out yet: one row
            height = max((i.sizeHint().height() for i in self._visible()), default=0)
            return self._grow(QSize(0, height)).height()
        return self.heightForWidth(self._width)

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            hint = item.sizeHint().width()
            needed = hint if not rows[-1] else used + self._spacing + hint
            if rows[-1] and needed > width:
                rows.append([item])
                used = hint
            else:
                rows[-1].append(item)
                used = needed
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in ``rect`` (when ``move``); returns the height they need."""
        margins: QMargins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        rows = self._rows(max(area.width(), 1))
        y = area.y()
        for number, row in enumerate(rows):
            height = max(i.sizeHint().height() for i in row)
            if move:
                last = number == len(rows) - 1
                used = sum(i.sizeHint().width() for i in row) + self._spacing * (len(row) - 1)
                slack = max(area.width() - used, 0) if last else 0
                x = area.x()
                for item in row:
                    hint = item.sizeHint()
                    if slack and item in self._trailing:
                        x += slack  # the trailing group moves to the right edge
                        slack = 0
                    top = y + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), hint))
                    x += hint.width() + self._spacing
            y += height + (self._row_spacing if number < len(rows) - 1 else 0)
        return y - rect.y() + margins.bottom()
