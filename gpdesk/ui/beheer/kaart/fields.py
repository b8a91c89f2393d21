"""The pieces every kaart edit form is built from, so all dialogs look and report alike.

A field is a widget with a hidden red label underneath; ``FieldErrors`` keeps those labels by
the key ``gpdesk.kaart.editing.checks`` uses for a problem, so a failed save can put each Dutch
message under its own field (and the service dialog can tell which tab it is on).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.accessible import let_tab_leave, named
from gpdesk.ui.theme import set_tone


class FieldErrors:
    """Red Dutch messages under the fields they are about, and which tab each field is on."""

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}
        self.tabs: dict[str, int] = {}

    def label(self, key: str, tab: int = -1) -> QLabel:
        """The (hidden) message label for ``key``."""
        label = QLabel()
        label.setObjectName("fieldError")
        label.setProperty("field", key)
        label.setWordWrap(True)
        label.hide()
        self.labels[key] = label
        self.tabs[key] = tab
        return label

    def show(self, problems: Mapping[str, str]) -> list[str]:
        """Show each message under its field; returns the messages that have no field here."""
        for key, label in self.labels.items():
            text = problems.get(key, "")
            label.setText(text)
            label.setVisible(bool(text))
        return [text for key, text in problems.items() if key not in self.labels]

    def text(self, key: str) -> str:
        """The message shown for ``key`` ("" when none)."""
        label = self.labels.get(key)
        return "" if label is None or label.isHidden() else label.text()


def with_error(widget: QWidget, error: QLabel) -> QWidget:
    """A field with its message label underneath, so the message stands where the user looks."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(error)
    if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
        box.setFocusProxy(widget)  # the row's label (its buddy is the box) lands in the field
    return box


def line_edit(name: str, text: str = "", placeholder: str = "") -> QLineEdit:
    """A one-line field with an object name (tests and the style sheet find it by that)."""
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def text_edit(name: str, text: str = "", height: int = 64) -> QPlainTextEdit:
    """A few lines of text where Tab still moves on, so the keyboard never gets stuck."""
    edit = QPlainTextEdit(text)
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


def note(text: str) -> QLabel:
    """A muted explanation: why a page is there or what a choice will do."""
    label = QLabel(text)
    label.setWordWrap(True)
    set_tone(label, "muted")
    return label


def row_table(model: QAbstractItemModel, name: str, spoken: str = "") -> QTableView:
    """A table that selects one whole row, as every kaart list does; Tab leaves it."""
    view = let_tab_leave(named(QTableView(), spoken) if spoken else QTableView())
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def form_page(page: QWidget, explanation: str = "") -> QFormLayout:
    """Lay out ``page`` as a tab page: an optional explanation, then rows that stay at the top."""
    outer = QVBoxLayout(page)
    if explanation:
        outer.addWidget(note(explanation))
    form = QFormLayout()
    outer.addLayout(form)
    outer.addStretch(1)
    return form
