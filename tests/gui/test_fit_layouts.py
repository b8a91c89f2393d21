"""The pieces that let screens get small: FlowLayout, the labels, fit_to_screen, scroll areas."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.labels import ElidedLabel, WrappingLabel
from gpdesk.ui.sizing import FRAME, ContentScrollArea, fit_to_screen


def _row(qtbot: QtBot, texts: list[str], trailing: str | None = None) -> tuple[QWidget, FlowLayout]:
    holder = QWidget()
    qtbot.addWidget(holder)
    flow = FlowLayout(holder, spacing=6, row_spacing=4)
    for text in texts:
        button = QPushButton(text)
        button.setObjectName(text)
        flow.addWidget(button)
    if trailing is not None:
        button = QPushButton(trailing)
        button.setObjectName(trailing)
        flow.add_trailing(button)
    return holder, flow


def _button(holder: QWidget, name: str) -> QPushButton:
    button = holder.findChild(QPushButton, name)
    assert button is not None
    return button


def test_flow_layout_wraps_to_a_second_row_and_asks_for_its_height(qtbot: QtBot) -> None:
    holder, flow = _row(qtbot, ["Print voor patiënt", "Kopieer contact", "Meld correctie…"])
    one_row = flow.sizeHint()
    widest = max(_button(holder, n).sizeHint().width() for n in ("Print voor patiënt",))
    assert flow.minimumSize().width() >= widest
    assert flow.minimumSize().width() < one_row.width()  # narrower than the one-row width

    flow.setGeometry(QRect(0, 0, one_row.width(), one_row.height()))
    tops = {_button(holder, n).y() for n in ("Print voor patiënt", "Kopieer contact")}
    assert len(tops) == 1
    assert flow.minimumSize().height() == one_row.height()

    narrow = one_row.width() // 2
    assert flow.heightForWidth(narrow) > one_row.height()
    flow.setGeometry(QRect(0, 0, narrow, flow.heightForWidth(narrow)))
    first, last = _button(holder, "Print voor patiënt"), _button(holder, "Meld correctie…")
    assert last.y() > first.y()  # wrapped
    assert last.geometry().right() <= narrow  # nothing past the edge
    # The minimum height follows the width it was given, so a window keeps room for the rows.
    assert flow.minimumSize().height() == flow.heightForWidth(narrow)
    flow.setGeometry(QRect(0, 0, one_row.width(), one_row.height()))
    assert flow.minimumSize().height() == one_row.height()


def test_flow_layout_keeps_trailing_items_at_the_right(qtbot: QtBot) -> None:
    holder, flow = _row(qtbot, ["Nieuw…", "Bewerken…"], trailing="Importeren…")
    width = flow.sizeHint().width() + 200
    flow.setGeometry(QRect(0, 0, width, flow.sizeHint().height()))
    last = _button(holder, "Importeren…")
    assert last.geometry().right() == width - 1
    assert _button(holder, "Bewerken…").geometry().right() < last.x() - 100


def test_flow_layout_skips_hidden_items(qtbot: QtBot) -> None:
    holder, flow = _row(qtbot, ["Eén", "Twee", "Drie"])
    before = flow.sizeHint().width()
    _button(holder, "Twee").hide()
    assert flow.sizeHint().width() < before


def test_elided_label_shortens_with_the_whole_text_as_tooltip(qtbot: QtBot) -> None:
    text = "↑↓ kiezen · Enter details · Esc wissen · Ctrl+P printen · Ctrl+K kopiëren"
    label = ElidedLabel(text)
    qtbot.addWidget(label)
    label.show()  # a hidden widget gets its resize events only when shown
    label.resize(label.sizeHint())
    assert label.text() == text and label.toolTip() == ""
    label.resize(label.minimumSizeHint().width(), label.height())
    assert label.text().endswith("…") and label.toolTip() == text
    assert label.full_text() == text
    assert label.minimumSizeHint().width() < label.sizeHint().width() // 3


def test_wrapping_label_height_follows_its_width_both_ways(qtbot: QtBot) -> None:
    label = WrappingLabel("A.B.C. van den Bergh-Oudshoorn de Wit-Zwanenburg · 01-02-1946")
    qtbot.addWidget(label)
    label.show()
    line = label.fontMetrics().height()
    label.resize(label.sizeHint())
    assert label.minimumHeight() < 2 * line  # one line when there is room
    label.resize(label.sizeHint().width() // 3, label.height())
    assert label.minimumHeight() >= 2 * line  # wrapped: the lines keep their height
    label.resize(label.sizeHint())
    assert label.minimumHeight() < 2 * line  # and gives it back (QLabel alone would not)


def test_wrapping_label_shows_names_as_plain_text(qtbot: QtBot) -> None:
    label = WrappingLabel("<b>Stichting</b>")
    qtbot.addWidget(label)
    label.show()
    assert "<b>" in label.text()
    assert label.sizeHint().width() > label.fontMetrics().horizontalAdvance("Stichting")


def test_fit_to_screen_never_opens_a_window_larger_than_the_screen(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    QVBoxLayout(dialog).addWidget(QPushButton("Opslaan"))
    room = dialog.screen().availableGeometry()
    fit_to_screen(dialog, room.width() * 2, room.height() * 2)
    assert dialog.width() <= room.width() - FRAME[0]
    assert dialog.height() <= room.height() - FRAME[1]
    fit_to_screen(dialog, 300, 200)
    assert (dialog.width(), dialog.height()) == (300, 200)


def test_content_scroll_area_shows_its_text_whole_where_there_is_room(qtbot: QtBot) -> None:
    text = QLabel(" ".join(["Vaste contactpersoon: Fatma Kaya, direct 010-001 14 71."] * 6))
    text.setWordWrap(True)
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    area = ContentScrollArea(text)
    layout.addWidget(area)
    layout.addWidget(QListView(), 1)
    holder.resize(300, 800)
    holder.show()
    qtbot.waitExposed(holder)
    QApplication.processEvents()
    whole = text.heightForWidth(area.viewport().width())
    assert area.height() >= whole  # room: all of it, no scrolling
    assert area.minimumSizeHint().height() < whole  # but it may shrink
    holder.resize(300, area.minimumSizeHint().height() + 120)
    QApplication.processEvents()
    assert area.height() < whole and area.verticalScrollBar().maximum() > 0  # scrolls instead
    text.hide()
    assert area.isHidden()  # shows and hides with its content
    text.show()
    assert not area.isHidden()
