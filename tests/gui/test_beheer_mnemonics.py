"""Beheer's Alt keys: a tab's own letters never clash with each other or with the tab names.

Two controls with one Alt letter make Qt cycle focus between them instead of acting, so the
key a practice manager learned (Alt+V for Verzenden) would suddenly do nothing.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from gpdesk.ui.beheer.practice_page import PracticePage


def _letter(text: str) -> str | None:
    key = QKeySequence.mnemonic(text).toString(QKeySequence.SequenceFormat.PortableText)
    return key or None


def _letters(tab: QWidget) -> list[tuple[str, str]]:
    """(Alt key, text) of every button, checkable group and buddied label the tab holds."""
    found: list[tuple[str, str]] = []
    texts = [button.text() for button in tab.findChildren(QAbstractButton)]
    texts += [label.text() for label in tab.findChildren(QLabel) if label.buddy() is not None]
    texts += [box.title() for box in tab.findChildren(QGroupBox) if box.isCheckable()]
    for text in texts:
        key = _letter(text)
        if key is not None:
            found.append((key, text))
    return found


def test_no_tab_shares_an_alt_key_with_a_tab_name_or_within_itself(qtbot: QtBot) -> None:
    page = PracticePage()
    qtbot.addWidget(page)
    tabs = page.tabs
    names = [(_letter(tabs.tabText(i)), tabs.tabText(i)) for i in range(tabs.count())]
    assert all(key for key, _text in names)
    name_keys = Counter(key for key, _text in names)
    assert [key for key, n in name_keys.items() if n > 1] == []
    for i in range(tabs.count()):
        tab = tabs.widget(i)
        assert tab is not None
        own = _letters(tab)
        keys = Counter(key for key, _text in own)
        clashes = sorted(text for key, text in own if keys[key] > 1 or key in name_keys)
        assert clashes == [], f"{tabs.tabText(i)}: {clashes}"
