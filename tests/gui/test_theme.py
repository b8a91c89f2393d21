"""gpdesk's palette follows the system's colour scheme, and its sizes follow the user's font."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from gpdesk.ui.palette import DARK, LIGHT, Scheme
from gpdesk.ui.theme import (
    Theme,
    active_scheme,
    colour,
    install_theme,
    render_sheet,
    set_tone,
    template,
)


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[Theme]:
    """gpdesk's theme on the test's application, undone afterwards for other tests."""
    sheet, palette, font = qapp.styleSheet(), qapp.palette(), qapp.font()
    installed = install_theme(qapp)
    yield installed
    installed.remove()
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)


def _labels(qtbot: QtBot) -> tuple[QWidget, QLabel, QLabel, QLabel]:
    holder = QWidget()
    qtbot.addWidget(holder)
    body, title, error = QLabel("Tekst"), QLabel("Beheer"), QLabel("Dat ging mis")
    title.setObjectName("pageTitle")
    set_tone(error, "error")
    layout = QVBoxLayout(holder)
    for label in (body, title, error):
        layout.addWidget(label)
    holder.show()
    qtbot.waitExposed(holder)
    return holder, body, title, error


def _shown(label: QLabel) -> QColor:
    label.ensurePolished()
    return label.palette().color(QPalette.ColorRole.WindowText)


def test_the_system_switching_to_dark_applies_the_dark_palette(
    qtbot: QtBot, qapp: QApplication, theme: Theme
) -> None:
    holder, body, _, error = _labels(qtbot)
    assert holder.isVisible()
    assert _shown(error) == QColor(LIGHT["error"])
    with qtbot.waitSignal(theme.changed, timeout=2_000) as changed:
        # What the platform sends when the user picks the dark scheme in the system settings.
        qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert changed.args == [Scheme.DARK.value]
    assert active_scheme() is Scheme.DARK
    window = qapp.palette().color(QPalette.ColorRole.Window)
    assert window == QColor(DARK["window"])
    assert qapp.palette().color(QPalette.ColorRole.Highlight) == QColor(DARK["highlight"])
    assert _shown(error) == QColor(DARK["error"])  # the sheet's roles, not only the palette
    assert _shown(body) == QColor(DARK["text"])
    assert colour("muted") == QColor(DARK["muted"])  # what the models and delegates paint
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert qapp.palette().color(QPalette.ColorRole.Window) == QColor(LIGHT["window"])
    assert _shown(error) == QColor(LIGHT["error"])


def test_sizes_follow_a_14_pt_application_font(
    qtbot: QtBot, qapp: QApplication, theme: Theme
) -> None:
    small = QFont(qapp.font())
    small.setPointSizeF(9)
    qapp.setFont(small)
    holder, body, title, _ = _labels(qtbot)
    assert holder.isVisible()
    assert body.font().pointSizeF() == pytest.approx(10.5)  # never below the designed size
    assert title.font().pointSizeF() == pytest.approx(16)
    large = QFont(qapp.font())
    large.setPointSizeF(14)
    qapp.setFont(large)  # the user's system font grew: the theme makes the sheet again
    qapp.processEvents()
    assert body.font().pointSizeF() == pytest.approx(14, abs=0.01)
    assert title.font().pointSizeF() == pytest.approx(16 * 14 / 10.5, abs=0.01)
    assert title.font().pointSizeF() / body.font().pointSizeF() == pytest.approx(16 / 10.5, 0.01)


@pytest.mark.parametrize("points", [10.5, 12, 13, 14, 15.75, 21])
def test_a_radio_button_stays_round_at_every_font_size(points: float) -> None:
    """Qt draws a square where the radius exceeds half the box, so it may never be more."""
    sheet = render_sheet(template(), Scheme.LIGHT, points)
    rule = re.search(r"QRadioButton::indicator \{ border-radius: (\d+)px; \}", sheet)
    size = re.search(r"QRadioButton::indicator[^{]*\{\s*width: (\d+)px", sheet)
    assert rule is not None and size is not None
    outer = int(size.group(1)) + 2  # a 1 px border on each side
    assert outer / 2 - 1 <= int(rule.group(1)) <= outer / 2
