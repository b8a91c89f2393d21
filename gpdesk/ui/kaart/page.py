"""The Sociale kaart screen: one search box, filter chips, results on the left, detail on the right.

Layout and keyboard only. The search box has the focus when the area opens (Ctrl+2); Ctrl+F
and "/" bring it back; Up/Down in it move through the results, Enter goes to the detail and
Esc clears the search. ``KaartController`` fills the list and decides what the buttons do.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QFont,
    QIntValidator,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.accessible import LiveLabel, announce
from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.kaart.answer import RouteAnswer
from gpdesk.ui.kaart.detail import DetailPane
from gpdesk.ui.kaart.models import (
    CLOSED_ROLE,
    CONTACT_ROLE,
    FRESHNESS_ROLE,
    ORGANIZATION_ROLE,
    STALE_ROLE,
    WALK_IN_ROLE,
)
from gpdesk.ui.labels import ElidedLabel
from gpdesk.ui.sizing import ContentScrollArea
from gpdesk.ui.theme import colour, scaled

_Index = QModelIndex | QPersistentModelIndex

HINT = "Typ een woord of een postcode, bijv. schulden, mantelzorg of 3118 AB — of kies een thema."
NO_RESULTS = "Geen resultaten — probeer een ander of korter woord."
LOADING = "De sociale kaart wordt geladen…"
KEYS_HELP = (
    "↑↓ kiezen · Enter details · Esc wissen · Ctrl+P printen · Ctrl+K kopiëren · F5 vernieuwen"
)
KEYS_FROM_HEIGHT = 520
"""Below this page height (a laptop at 150 %) the detail gets the key hints' line (F1 has them)."""
THEME_CHARS = 18
"""Longer theme names are shortened on the chip (the full name is in the menu and tooltip)."""


def _chip(text: str, name: str, tip: str) -> QToolButton:
    chip = QToolButton()
    chip.setObjectName(name)
    chip.setProperty("chip", True)
    chip.setText(text)
    chip.setToolTip(tip)
    chip.setCheckable(True)
    chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return chip


def _hidden_text(hidden: int) -> str:
    if hidden <= 0:
        return ""
    return " · 1 verborgen door filters" if hidden == 1 else f" · {hidden} verborgen door filters"


def count_text(count: int, *, more: int = 0, hidden: int = 0) -> str:
    """The count line: "12 gevonden", "200 getoond, en nog 35", "· 3 verborgen door filters"."""
    text = f"{count} getoond, en nog {more}" if more > 0 else f"{count} gevonden"
    return text + _hidden_text(hidden)


def _clear_button(name: str) -> QPushButton:
    button = QPushButton("Filters &wissen")
    button.setObjectName(name)
    button.setToolTip(
        "Alle filters uitzetten: thema, postcode, leeftijd, nu open, inloop, plek, alleen open"
    )
    button.hide()
    return button


class ResultDelegate(QStyledItemDelegate):
    """Three short lines per service: name and freshness; organisation and contact; hours."""

    PADDING = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        height = option.fontMetrics.height()
        return QSize(200, 3 * height + 2 * self.PADDING + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect.adjusted(
            self.PADDING + 4, self.PADDING - 2, -self.PADDING, -self.PADDING
        )
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = text_color if selected else colour("muted")
        warn = text_color if selected else colour("stale")
        base_font: QFont = opt.font
        line = opt.fontMetrics.height()
        painter.save()

        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        rows = [
            QRect(rect.left(), rect.top() + i * (line + 2), rect.width(), line) for i in range(3)
        ]

        bold = QFont(base_font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        metrics = painter.fontMetrics()
        name = str(index.data() or "")
        painter.drawText(
            rows[0], left, metrics.elidedText(name, Qt.TextElideMode.ElideRight, rows[0].width())
        )

        # Third line: hours on the left, freshness on the right (⚠ verouderd stands out).
        fresh = str(index.data(FRESHNESS_ROLE) or "")
        stale = bool(index.data(STALE_ROLE))
        small = QFont(base_font)
        small.setPointSizeF(max(base_font.pointSizeF() - 1.0, 7.0))
        small.setBold(stale)
        painter.setFont(small)
        painter.setPen(warn if stale else muted)
        fresh_width = painter.fontMetrics().horizontalAdvance(fresh) + 8
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rows[2], right, fresh)

        painter.setFont(base_font)
        painter.setPen(muted)
        metrics = painter.fontMetrics()
        organisation = str(index.data(ORGANIZATION_ROLE) or "")
        contact = str(index.data(CONTACT_ROLE) or "")
        second = " · ".join(x for x in (organisation, contact) if x)
        third = str(index.data(WALK_IN_ROLE) or "")
        painter.drawText(
            rows[1], left, metrics.elidedText(second, Qt.TextElideMode.ElideRight, rows[1].width())
        )
        hours = rows[2].adjusted(0, 0, -fresh_width, 0)
        if index.data(CLOSED_ROLE):  # "⚠ Tijdelijk gesloten · …" stands out like verouderd
            closed_font = QFont(base_font)
            closed_font.setBold(True)
            painter.setFont(closed_font)
            painter.setPen(warn)
            metrics = painter.fontMetrics()
        painter.drawText(
            hours, left, metrics.elidedText(third, Qt.TextElideMode.ElideRight, hours.width())
        )
        painter.restore()


class SearchBox(QLineEdit):
    """The one search box; arrow keys and Enter act on the result list."""

    move_requested = Signal(int)
    open_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        steps = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: 8,
            Qt.Key.Key_PageUp: -8,
        }
        if key in steps:
            self.move_requested.emit(steps[Qt.Key(key)])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            return
        if key == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class ResultList(QListView):
    """The result list; Enter opens the detail like a double click, Esc goes back to search."""

    open_requested = Signal()
    back_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        super().keyPressEvent(event)


class KaartPage(QWidget):
    """The Sociale kaart area; ``shown`` tells the controller the page is on screen."""

    shown = Signal()
    theme_changed = Signal()
    reload_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_kaart")

        self.search = SearchBox()
        self.search.setObjectName("kaartSearch")
        self.search.setPlaceholderText(
            "Zoek in de sociale kaart op woord of postcode, bijv. schulden of 3118 AB   (Ctrl+F)"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Zoeken in de sociale kaart")
        self.setFocusProxy(self.search)

        self.theme_chip = QToolButton()
        self.theme_chip.setObjectName("kaartTheme")
        self.theme_chip.setProperty("chip", True)
        self.theme_chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.theme_chip.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.theme_chip.setToolTip("Alleen voorzieningen met dit thema")
        self.theme_menu = QMenu(self.theme_chip)
        self.theme_chip.setMenu(self.theme_menu)
        self.theme_group = QActionGroup(self)
        self.theme_group.setExclusive(True)
        self.theme_group.triggered.connect(self._theme_chosen)
        self.set_themes([])

        self.postcode_chip = _chip(
            "Postcode patiënt",
            "kaartPostcode",
            "Voorzieningen in de wijk van de patiënt eerst; die de wijk niet bedienen vallen af",
        )
        self.age_label = QLabel("&Leeftijd")
        self.age_label.setObjectName("kaartAgeLabel")
        self.age = QLineEdit()
        self.age.setObjectName("kaartAge")
        self.age.setValidator(QIntValidator(0, 120, self.age))
        self.age.setPlaceholderText("–")
        self.age.setClearButtonEnabled(True)
        self.age.setFixedWidth(scaled(64))
        self.age.setAccessibleName("Leeftijd")
        self.age.setToolTip("Alleen voorzieningen voor deze leeftijd; leeg = alle leeftijden")
        self.age_label.setBuddy(self.age)
        self.age_source = QLabel()
        self.age_source.setObjectName("kaartAgeSource")
        age_box = QFrame()
        age_box.setObjectName("kaartAgeChip")
        age_layout = QHBoxLayout(age_box)
        age_layout.setContentsMargins(10, 0, 6, 0)
        age_layout.setSpacing(6)
        age_layout.addWidget(self.age_label)
        age_layout.addWidget(self.age)
        age_layout.addWidget(self.age_source)
        self.open_chip = _chip("Nu &open", "kaartOpenNow", "Alleen wat op dit moment open is")
        self.walk_in_chip = _chip(
            "&Inloop vandaag", "kaartWalkIn", "Alleen met een inloopspreekuur vandaag"
        )
        self.capacity_chip = _chip(
            "Plek &vrij", "kaartCapacity", "Alleen voorzieningen die plek vrij hebben gemeld"
        )
        self.only_open_chip = _chip(
            "&Alleen open",
            "kaartOnlyOpen",
            "Tijdelijk gesloten voorzieningen niet tonen (anders staan ze onderaan, met de reden)",
        )
        self.count = LiveLabel()  # a screen reader says the new count
        self.count.setObjectName("kaartCount")
        self.count.setWordWrap(True)
        chips = FlowLayout(spacing=8, row_spacing=6)  # wraps to a second row on a narrow screen
        for widget in (
            self.theme_chip,
            self.postcode_chip,
            age_box,
            self.open_chip,
            self.walk_in_chip,
            self.capacity_chip,
            self.only_open_chip,
        ):
            chips.addWidget(widget)
        self.changes_button = QToolButton()
        self.changes_button.setObjectName("kaartChanges")
        self.changes_button.setText("Wat is er veranderd")
        self.changes_button.setToolTip(
            "Nieuwe, gewijzigde en vertrokken contactpersonen en voorzieningen van de laatste 30 "
            "dagen"
        )

        self.results = ResultList()
        self.results.setObjectName("kaartResults")
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setAccessibleName("Gevonden voorzieningen")
        self.message = QLabel(HINT)
        self.message.setObjectName("kaartMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear_filters_button = _clear_button("kaartClearFilters")
        self.message_page = QFrame()  # the box; the button sits right under the text
        self.message_page.setObjectName("kaartMessageBox")
        message_layout = QVBoxLayout(self.message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addWidget(self.clear_filters_button, 0, Qt.AlignmentFlag.AlignHCenter)
        message_layout.addStretch(1)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.results)
        self.list_stack.addWidget(self.message_page)
        self.list_stack.setCurrentWidget(self.message_page)
        self.answer = RouteAnswer()
        self.count_clear_button = _clear_button("kaartCountClearFilters")
        count_row = QHBoxLayout()
        count_row.addWidget(self.count, 1)
        count_row.addWidget(self.count_clear_button)
        # One line that ends in "…" when narrow (the whole list is in its tooltip and under F1),
        # and only when there is height to spare: it never makes the window wider or the detail
        # lower.
        self.keys = ElidedLabel(KEYS_HELP)
        self.keys.setObjectName("kaartKeys")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        # The answer shows whole where there is room and scrolls where there is not (150 %).
        left_layout.addWidget(ContentScrollArea(self.answer))
        left_layout.addWidget(self.list_stack, 1)
        left_layout.addLayout(count_row)
        self.detail = DetailPane()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(self.keys)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("kaartSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([440, 700])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 6)
        layout.setSpacing(6)
        search_row = QHBoxLayout()
        search_row.setSpacing(8)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.changes_button)  # beside the box, so the chips get the row
        layout.addLayout(search_row)
        layout.addLayout(chips)
        layout.addWidget(self.splitter, 1)

        self.search.move_requested.connect(self.move_selection)
        self.results.back_requested.connect(self.focus_search)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.count_clear_button.clicked.connect(self.clear_filters)
        self.age.textEdited.connect(
            lambda _text: self.age_source.clear()
        )  # typed, not the patient's
        self._shortcut("Ctrl+F", self, self.focus_search)
        self._shortcut("/", self, self.focus_search)
        self._shortcut("Escape", self.detail, self.focus_search)
        self._shortcut("F5", self, self.reload_requested.emit)
        order = (
            self.search,
            self.changes_button,  # beside the box: read before the chips under it
            self.theme_chip,
            self.postcode_chip,
            self.age,
            self.open_chip,
            self.walk_in_chip,
            self.capacity_chip,
            self.only_open_chip,
            self.answer,
            self.clear_filters_button,
            self.results,
            self.count_clear_button,
            self.detail.checked_button,
            self.detail.print_button,
            self.detail.copy_button,
            self.detail.correction_button,
            self.detail.body,
        )
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _shortcut(sequence: str, owner: QWidget, slot: object) -> QShortcut:
        """A key that works while the focus is anywhere inside ``owner`` (not while locked)."""
        shortcut = QShortcut(QKeySequence(sequence), owner)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    # -- what the controller asks ------------------------------------------------------------

    def set_change_count(self, count: int) -> None:
        """Show how many changes the digest holds, so a departed contact is noticed."""
        self.changes_button.setText(
            f"Wat is er veranderd ({count})" if count else "Wat is er veranderd"
        )
        self.changes_button.setProperty("active", count > 0)
        self.changes_button.style().unpolish(self.changes_button)
        self.changes_button.style().polish(self.changes_button)

    def set_themes(self, themes: list[str]) -> None:
        """The theme chip's choices ("Alle thema's" first); keeps the current one if it exists."""
        current = self.theme()
        self.theme_menu.clear()
        for action in self.theme_group.actions():
            self.theme_group.removeAction(action)
        for name in [None, *themes]:
            action = QAction("Alle thema's" if name is None else name, self.theme_menu)
            action.setCheckable(True)
            action.setData(name)
            action.setChecked(name == current)
            self.theme_group.addAction(action)
            self.theme_menu.addAction(action)
        if current is not None and current not in themes:
            self.theme_group.actions()[0].setChecked(True)
        self._show_theme()

    def theme(self) -> str | None:
        """The chosen theme, or None for all."""
        action = self.theme_group.checkedAction()
        data = None if action is None else action.data()
        return data if isinstance(data, str) else None

    def choose_theme(self, name: str | None) -> None:
        """Select a theme as if from the menu (tests, and a later "zoek op thema" link)."""
        for action in self.theme_group.actions():
            if action.data() == name:
                action.trigger()
                return

    def _theme_chosen(self, _action: QAction) -> None:
        self._show_theme()
        self.theme_changed.emit()

    def _show_theme(self) -> None:
        name = self.theme()
        short = name if name is None or len(name) <= THEME_CHARS else name[: THEME_CHARS - 1] + "…"
        self.theme_chip.setText("&Thema ▾" if short is None else f"&Thema: {short} ▾")
        self.theme_chip.setToolTip(
            "Alleen voorzieningen met dit thema" if name is None else f"Thema: {name}"
        )
        self.theme_chip.setProperty("active", name is not None)
        self._repolish(self.theme_chip)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def set_patient_filters(self, pc4: str | None, age: int | None) -> None:
        """Offer the patient's PC4 (on) and age (filled in), or take them away again."""
        self.postcode_chip.setEnabled(pc4 is not None)
        self.postcode_chip.setChecked(pc4 is not None)
        self.postcode_chip.setText(
            "Post&code patiënt" if pc4 is None else f"Post&code {pc4} (patiënt)"
        )
        self.postcode_chip.setToolTip(
            "Alleen als er een patiënt in beeld is"
            if pc4 is None
            else "Voorzieningen in de wijk van de patiënt eerst; die de wijk niet bedienen "
            "vallen af"
        )
        self.age.setText("" if age is None else str(age))
        self.age_source.setText("" if age is None else "(patiënt)")

    def age_value(self) -> int | None:
        """The age typed or prefilled, if any."""
        text = self.age.text().strip()
        return int(text) if text.isdigit() else None

    def show_list(self, count: int, *, hidden: int = 0, more: int = 0) -> None:
        """Results are in the model; ``hidden`` kept out by the filters, ``more`` by the cap."""
        self.list_stack.setCurrentWidget(self.results)
        self.count.setText(count_text(count, more=more, hidden=hidden))
        self.count_clear_button.setVisible(hidden > 0)
        self.clear_filters_button.hide()

    def show_message(self, text: str, *, hidden: int = 0, can_clear: bool = False) -> None:
        """No list: the hint, the loading note, "geen resultaten" or an error.

        ``can_clear``: the filters emptied the list, so offer to clear them right under the text.
        """
        announce(self, text)
        self.list_stack.setCurrentWidget(self.message_page)
        self.message.setText(text)
        self.count.setText(_hidden_text(hidden).removeprefix(" · ").capitalize())
        self.clear_filters_button.setVisible(can_clear)
        self.count_clear_button.hide()

    def clear_filters(self) -> None:
        """Filters wissen: every chip off, no theme, no age; then back to the search box."""
        if self.theme() is not None:
            self.choose_theme(None)
        for chip in (
            self.postcode_chip,
            self.open_chip,
            self.walk_in_chip,
            self.capacity_chip,
            self.only_open_chip,
        ):
            chip.setChecked(False)
        self.age.clear()
        self.age_source.clear()
        self.focus_search()

    def move_selection(self, steps: int) -> None:
        """Up/Down from the search box: move the current row without leaving the box."""
        model = self.results.model()
        if model is None or model.rowCount() == 0:
            return
        current = self.results.currentIndex().row()
        row = 0 if current < 0 else min(max(current + steps, 0), model.rowCount() - 1)
        self.results.setCurrentIndex(model.index(row, 0))

    def focus_search(self) -> None:
        """Ctrl+F or "/": back to the search box with its text selected for retyping."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """The key hints only when the page is high enough to spare their line."""
        super().resizeEvent(event)
        self.keys.setVisible(self.height() >= KEYS_FROM_HEIGHT)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)  # the area opens ready to type
        self.shown.emit()
