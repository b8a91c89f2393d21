"""The "Wat is er veranderd" panel: the kaart's recent changes, named contacts first.

``ChangeDigestPanel`` shows a ``gpdesk.kaart.changes.digest.Digest``: one line per change with its
date and who made it, a "Bekijk" link (or Enter) that asks to open the service, and a gentle nudge
when entries are verouderd. ``load_digest`` fetches the digest through ``tasks.run`` so the GUI
thread never touches the database. The panel only lays out; whoever places it decides what "Bekijk"
opens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gpdesk.kaart.changes.digest import ChangeKind, Digest, DigestLine
from gpdesk.ui.theme import colour

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.ui.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

DEFAULT_DAYS: Final = 30
"""How far back the panel looks unless told otherwise."""

META_ROLE = Qt.ItemDataRole.UserRole + 1
SERVICE_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_ROLE = Qt.ItemDataRole.UserRole + 3
LINK_TEXT = "Bekijk ›"

_KIND_COLORS: Final = {
    ChangeKind.CONTACT: "accent",
    ChangeKind.REMOVED: "change_removed",
    ChangeKind.NEW: "change_new",
    ChangeKind.RENAMED: "change_renamed",
    ChangeKind.STATUS: "change_status",
}
_KIND_NAMES: Final = {
    ChangeKind.CONTACT: "contactpersoon",
    ChangeKind.REMOVED: "opgeheven",
    ChangeKind.NEW: "nieuw",
    ChangeKind.RENAMED: "nieuwe naam",
    ChangeKind.STATUS: "status",
    ChangeKind.REACH: "bereikbaarheid",
    ChangeKind.HOURS: "tijden",
    ChangeKind.AREA: "werkgebied",
    ChangeKind.ADDRESS: "adres",
    ChangeKind.AGREEMENT: "afspraak",
    ChangeKind.ASSURED: "gecontroleerd",
}


class DigestModel(QAbstractListModel):
    """The digest's lines: text, "datum · wie", the service to open, the kind."""

    def __init__(self) -> None:
        super().__init__(None)
        self.lines: tuple[DigestLine, ...] = ()

    def set_lines(self, lines: tuple[DigestLine, ...]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.lines)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return line.text
        if role == META_ROLE:
            return line.meta
        if role == SERVICE_ROLE:
            return line.service_id
        if role == KIND_ROLE:
            return line.kind
        if role == Qt.ItemDataRole.ToolTipRole:
            what = _KIND_NAMES.get(line.kind, "wijziging")
            return f"{line.text}\n{what} · {line.meta}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{line.text}. {line.meta}"
        return None


class DigestDelegate(QStyledItemDelegate):
    """A line of text (wrapped), a grey "datum · wie" under it, "Bekijk ›" on the right."""

    PAD = 8
    BAR = 4

    def _link_width(self, metrics: QFontMetrics) -> int:
        return metrics.horizontalAdvance(LINK_TEXT) + 2 * self.PAD

    def _text_rect(self, rect: QRect, metrics: QFontMetrics) -> QRect:
        return rect.adjusted(
            self.BAR + 2 * self.PAD, self.PAD, -self._link_width(metrics), -self.PAD
        )

    def link_rect(self, option: QStyleOptionViewItem, index: _Index) -> QRect | None:
        """Where "Bekijk ›" is drawn, or None when there is nothing to open."""
        if not index.data(SERVICE_ROLE):
            return None
        rect: QRect = option.rect
        width = self._link_width(option.fontMetrics)
        return QRect(rect.right() - width, rect.top(), width, rect.height())

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        metrics = option.fontMetrics
        view = option.widget
        width = (
            view.viewport().width()
            if isinstance(view, QListView) and view.viewport().width() > 0
            else option.rect.width() or 420
        )
        text_rect = self._text_rect(QRect(0, 0, width, 1000), metrics)
        text = str(index.data() or "")
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        wrapped = QFontMetrics(bold).boundingRect(text_rect, int(Qt.TextFlag.TextWordWrap), text)
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() - 1.0, 7.0))
        meta = QFontMetrics(small).height()
        return QSize(width, wrapped.height() + meta + 2 * self.PAD + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        if widget is not None:
            widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        kind = index.data(KIND_ROLE)
        painter.save()
        bar = QRect(
            rect.left() + self.PAD, rect.top() + self.PAD, self.BAR, rect.height() - 2 * self.PAD
        )
        painter.fillRect(bar, colour(_KIND_COLORS.get(kind, "line")))
        text_rect = self._text_rect(rect, opt.fontMetrics)
        bold = QFont(opt.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
            Qt.TextFlag.TextWordWrap
        )
        drawn = painter.boundingRect(text_rect, flags, str(index.data() or ""))
        painter.drawText(text_rect, flags, str(index.data() or ""))
        small = QFont(opt.font)
        small.setPointSizeF(max(opt.font.pointSizeF() - 1.0, 7.0))
        painter.setFont(small)
        painter.setPen(colour("muted"))
        meta_rect = QRect(
            text_rect.left(), drawn.bottom() + 2, text_rect.width(), QFontMetrics(small).height()
        )
        painter.drawText(meta_rect, int(Qt.AlignmentFlag.AlignLeft), str(index.data(META_ROLE)))
        link = self.link_rect(opt, index)
        if link is not None:
            painter.setFont(opt.font)
            painter.setPen(colour("link"))
            painter.drawText(
                link.adjusted(0, self.PAD, -self.PAD, 0),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                LINK_TEXT,
            )
        painter.restore()


class DigestList(QListView):
    """The lines; a click on "Bekijk ›" or Enter on a line asks to open its service."""

    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digestList")
        self.delegate = DigestDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.activated.connect(self._open)

    def _open(self, index: QModelIndex) -> None:
        service_id = index.data(SERVICE_ROLE)
        if service_id:
            self.open_requested.emit(str(service_id))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            option.rect = self.visualRect(index)
            link = self.delegate.link_rect(option, index)
            if link is not None and link.contains(event.position().toPoint()):
                self._open(index)
        super().mouseReleaseEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.indexAt(event.position().toPoint())
        over_link = False
        if index.isValid():
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            option.rect = self.visualRect(index)
            link = self.delegate.link_rect(option, index)
            over_link = link is not None and link.contains(event.position().toPoint())
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if over_link else Qt.CursorShape.ArrowCursor
        )
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()  # wrapped lines get their new height


class ChangeDigestPanel(QWidget):
    """Wat is er veranderd in de sociale kaart: the lines, the nudge, "Bekijk" per line."""

    service_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changeDigest")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = QLabel("Wat is er veranderd")
        self.title.setObjectName("digestTitle")
        self.since = QLabel()
        self.since.setObjectName("digestSince")
        self.nudge = QLabel()
        self.nudge.setObjectName("digestNudge")
        self.nudge.setWordWrap(True)
        self.nudge.hide()
        self.empty = QLabel("Wijzigingen worden geladen…")
        self.empty.setObjectName("digestEmpty")
        self.empty.setWordWrap(True)
        self.model = DigestModel()
        self.list = DigestList()
        self.list.setModel(self.model)
        self.list.open_requested.connect(self.service_requested)
        self.list.hide()
        self.more = QLabel()
        self.more.setObjectName("digestMore")
        self.more.hide()
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.since)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.nudge)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.more)

    def show_digest(self, digest: Digest) -> None:
        """Show the lines (or say nothing changed) and the nudge about verouderde entries."""
        self.since.setText(digest.since_label)
        nudge = digest.nudge
        self.nudge.setText(f"⚠ {nudge} Loop ze na in Beheer → Sociale kaart." if nudge else "")
        self.nudge.setVisible(bool(nudge))
        self.model.set_lines(digest.lines)
        has_lines = bool(digest.lines)
        self.list.setVisible(has_lines)
        self.empty.setVisible(not has_lines)
        self.empty.setText(digest.empty_text)
        self.more.setText(
            f"En nog {digest.more} {'wijziging' if digest.more == 1 else 'wijzigingen'}."
        )
        self.more.setVisible(digest.more > 0)

    def show_loading(self) -> None:
        """While the digest is fetched."""
        self.empty.setText("Wijzigingen worden geladen…")
        self.empty.show()
        self.list.hide()

    def show_error(self, text: str) -> None:
        """The digest could not be read; say so instead of showing nothing."""
        self.empty.setText(text)
        self.empty.show()
        self.list.hide()
        self.nudge.hide()
        self.more.hide()


def load_digest(
    panel: ChangeDigestPanel,
    *,
    db: Database,
    tasks: TaskRunner,
    since: datetime | None = None,
    days: int = DEFAULT_DAYS,
) -> None:
    """Fetch the changes since ``since`` (default: the last ``days`` days) and show them."""
    from gpdesk.models import utcnow

    moment = since or utcnow() - timedelta(days=days)

    def work() -> Digest:
        from gpdesk.kaart.changes.digest import recent_changes

        with db.session() as session:
            return recent_changes(session, since=moment)

    def failed(exc: BaseException) -> None:
        from gpdesk.errors import GpdeskError

        panel.show_error(
            exc.user_text()
            if isinstance(exc, GpdeskError)
            else "De wijzigingen konden niet worden geladen; probeer het later opnieuw."
        )

    panel.show_loading()
    tasks.run(work, panel.show_digest, failed, owner=panel)
