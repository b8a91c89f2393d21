"""Walk a window with Tab and Shift+Tab as a keyboard user does, and read each control's name.

A screen-reader user and a keyboard-only user both meet a window through its focus chain: what Tab
reaches, in which order, and what is said on arrival. ``walk(window)`` presses Tab from the first
control until focus comes back round, then Shift+Tab the same number of times, and reports:

- ``unreached``: focusable, visible, enabled controls Tab never lands on;
- ``trapped``: controls Tab does not leave (a table moving between cells, a text box typing a tab);
- ``nameless``: reached controls with nothing a screen reader can say (no accessible name, no
  linked label, no own text);
- ``backward_differs``: whether Shift+Tab failed to visit the same controls in reverse.

Key presses go to the window's own focus widget, so the walk works offscreen and without the
window being active.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QRadioButton,
    QTabBar,
    QWidget,
)


def _final(widget: QWidget) -> QWidget:
    """The widget that really takes focus for ``widget`` (following focus proxies)."""
    seen: set[int] = set()
    while widget.focusProxy() is not None and id(widget) not in seen:
        seen.add(id(widget))
        proxy = widget.focusProxy()
        assert proxy is not None
        widget = proxy
    return widget


def describe(widget: QWidget) -> str:
    """A short handle for a widget in a failure message: class, object name, text."""
    text = ""
    if isinstance(widget, QAbstractButton):
        text = widget.text()
    name = widget.objectName() or "-"
    return f"{type(widget).__name__}#{name}" + (f" '{text}'" if text else "")


def _grouped_skipped(widget: QWidget) -> bool:
    """Tab reaches one button of an exclusive group (which one is Qt's choice); arrows move
    inside, so no single member has to be reached (the one reached still needs a name)."""
    if not isinstance(widget, QAbstractButton):
        return False
    group = widget.group()
    if group is not None:
        return group.exclusive() and len(group.buttons()) > 1
    if not isinstance(widget, QRadioButton):
        return False
    parent = widget.parentWidget()
    siblings = [] if parent is None else parent.findChildren(QRadioButton)
    return widget.autoExclusive() and len(siblings) > 1


def focusables(window: QWidget) -> list[QWidget]:
    """Every control Tab should reach: visible, enabled, taking focus by Tab."""
    found: list[QWidget] = []
    for widget in window.findChildren(QWidget):
        if widget.focusProxy() is not None or not widget.isVisibleTo(window):
            continue
        if not widget.isEnabled() or not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            continue
        if widget.window() is not window or _grouped_skipped(widget):
            continue
        found.append(widget)
    return found


def _buddy_text(widget: QWidget, window: QWidget) -> str:
    for label in window.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and (buddy is widget or _final(buddy) is widget):
            return label.text()
    return ""


def spoken_name(widget: QWidget, window: QWidget | None = None) -> str:
    """What a screen reader says first when ``widget`` gets focus ("" when nothing).

    A combo box's accessible "name" on Linux is its value ("Alles"), and a spin box's is its
    number; neither counts: those need a real name or a linked label.
    """
    window = window or widget.window()
    name = widget.accessibleName() or _buddy_text(widget, window)
    if not name and isinstance(widget, QAbstractButton):
        name = widget.text() or widget.toolTip()
    if not name and isinstance(widget, QGroupBox):
        name = widget.title()
    if not name and isinstance(widget, QTabBar) and widget.count():
        name = widget.tabText(widget.currentIndex())
    if not name and not isinstance(widget, (QComboBox, QAbstractSpinBox)):
        face = QAccessible.queryAccessibleInterface(widget)
        if face is not None and face.isValid():
            name = face.text(QAccessible.Text.Name)
    return name.replace("&", "").strip()


@dataclass
class Walk:
    """What one walk found (see the module's docstring)."""

    title: str
    order: list[QWidget] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)
    trapped: list[str] = field(default_factory=list)
    nameless: list[str] = field(default_factory=list)
    backward_differs: bool = False
    extra: list[str] = field(default_factory=list)
    """Further problems a caller found (Alt letters, say)."""

    def problems(self) -> list[str]:
        """One line per problem, for an assert message ([] when the window is fine)."""
        lines = [f"{self.title}: not reached by Tab: {w}" for w in self.unreached]
        lines += [f"{self.title}: Tab stays in: {w}" for w in self.trapped]
        lines += [f"{self.title}: no name: {w}" for w in self.nameless]
        if self.backward_differs:
            lines.append(f"{self.title}: Shift+Tab does not go back the way Tab came")
        return lines + self.extra


STAYS = 8
"""Tab presses a control may keep focus (a date's day, month, year) before it counts as a trap."""


def _focus(window: QWidget) -> QWidget | None:
    current = window.focusWidget()
    return None if current is None else _final(current)


def _press(window: QWidget, key: Qt.Key) -> QWidget | None:
    target = window.focusWidget() or window
    modifier = (
        Qt.KeyboardModifier.ShiftModifier
        if key == Qt.Key.Key_Backtab
        else Qt.KeyboardModifier.NoModifier
    )
    QTest.keyClick(target, key, modifier)
    QApplication.processEvents()
    return _focus(window)


def _after(widget: QWidget, expected: list[QWidget]) -> QWidget | None:
    """The next control after ``widget`` in the focus chain that Tab should reach."""
    wanted = {id(w) for w in expected}
    following = widget.nextInFocusChain()
    while following is not None and following is not widget:
        if id(following) in wanted:
            return following
        following = following.nextInFocusChain()
    return None


def walk(window: QWidget, title: str = "", start: QWidget | None = None) -> Walk:
    """Tab round ``window`` from ``start`` (else its first control) and Shift+Tab back.

    The result holds descriptions, not widgets (except ``order``), so it can be read after
    the window is gone.
    """
    result = Walk(title or window.windowTitle() or window.objectName())
    expected = focusables(window)
    if not expected:
        return result
    first = start or _after(window, expected) or expected[0]
    first.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    current = _focus(window)
    if current is None:
        result.unreached = [describe(w) for w in expected]
        return result
    order = [current]
    trapped: list[QWidget] = []
    stays = 0
    for _ in range(2 * len(expected) + 4 * STAYS):
        following = _press(window, Qt.Key.Key_Tab)
        if following is order[-1]:
            stays += 1
            if stays < STAYS:  # a date field's Tab moves day, month, year first
                continue
            trapped.append(following)
            # leave the trap by hand, as the user would have to (with the mouse)
            following = _after(following, expected)
            if following is not None:
                following.setFocus(Qt.FocusReason.OtherFocusReason)
                QApplication.processEvents()
                following = _focus(window)
        stays = 0
        if following is None or following is order[0]:
            break
        if following in order:  # a loop that misses the start: stop, the rest is unreached
            break
        order.append(following)
    result.order = order
    result.trapped = [describe(w) for w in trapped]
    reached = {id(w) for w in order}
    result.unreached = [describe(w) for w in expected if id(w) not in reached]
    result.nameless = [describe(w) for w in order if not spoken_name(w, window)]
    if not trapped:
        order[0].setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        back = [order[0]]
        for _ in range(len(order) * STAYS):
            previous = _press(window, Qt.Key.Key_Backtab)
            if previous is None or (previous is back[0] and len(back) > 1):
                break
            if previous is not back[-1]:
                back.append(previous)
        back.append(order[0])
        result.backward_differs = back[1:] != [*reversed(order[1:]), order[0]]
    return result


def _alt_key(text: str) -> str:
    return QKeySequence.mnemonic(text).toString(QKeySequence.SequenceFormat.PortableText)


LABEL_LETTERS = True
"""Whether a label that names a field must have an Alt letter too."""


def _plain(text: str) -> str:
    return text.replace("&", "").removesuffix("…").casefold()


def _has_key(button: QAbstractButton, window: QWidget) -> bool:
    """A button with its own key, or one whose window action has a key (same text, or the
    key named in the button's tooltip, as the banner's buttons do)."""
    if not button.shortcut().isEmpty():
        return True
    for action in window.findChildren(QAction):
        key = action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
        if key and (
            _plain(action.text()) == _plain(button.text()) or f"({key})" in button.toolTip()
        ):
            return True
    for shortcut in window.findChildren(QShortcut):  # a page's own key (the inbox's next step)
        key = shortcut.key().toString(QKeySequence.SequenceFormat.PortableText)
        if key and shortcut.isEnabled() and f"({key})" in button.toolTip():
            return True
    return False


def mnemonic_problems(window: QWidget, title: str = "") -> list[str]:
    """Buttons without an Alt letter, and Alt letters two visible controls share.

    Two controls with one Alt letter make Qt cycle focus between them instead of acting.
    Counted: visible buttons (not tool-button chips, which have their own keys), labels that
    name a field, checkable group boxes.
    """
    title = title or window.windowTitle()
    found: list[tuple[str, str]] = []
    problems: list[str] = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or not button.text() or button.window() is not window:
            continue
        key = _alt_key(button.text())
        if not key and isinstance(button, QPushButton) and not _has_key(button, window):
            problems.append(f"{title}: no Alt letter: {describe(button)}")
        if key:
            found.append((key, button.text()))
    for label in window.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is None or not label.isVisibleTo(window) or not label.text():
            continue
        if isinstance(buddy, QLabel) or _final(buddy).focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue  # names a read-only value or a group of fields, not one control
        if _alt_key(label.text()):
            found.append((_alt_key(label.text()), label.text()))
        elif LABEL_LETTERS:
            problems.append(f"{title}: label without Alt letter: '{label.text()}'")
    for bar in window.findChildren(QTabBar):
        if bar.isVisibleTo(window) and bar.window() is window:
            found += [(_alt_key(bar.tabText(i)), bar.tabText(i)) for i in range(bar.count())]
    found = [(key, text) for key, text in found if key]
    for box in window.findChildren(QGroupBox):
        if box.isCheckable() and box.isVisibleTo(window) and _alt_key(box.title()):
            found.append((_alt_key(box.title()), box.title()))
    if isinstance(window, QMainWindow):
        problems += _menu_bar_problems(window, title)
        if window.menuBar().isEnabled():  # its titles' letters work beside the page's
            titles = [a.text() for a in window.menuBar().actions()]
            found += [(_alt_key(text), text) for text in titles if _alt_key(text)]
    keys = Counter(key for key, _text in found)
    problems += [f"{title}: {key} shared by '{text}'" for key, text in found if keys[key] > 1]
    return problems


def _menu_bar_problems(window: QMainWindow, title: str) -> list[str]:
    """The menu titles share no Alt letter, and every menu item has one within its menu.

    The titles carry no letter (F10 opens the menu bar), so a page's Alt letters never share
    one with them; ``mnemonic_problems`` counts any title letter beside the page's.
    """
    problems: list[str] = []
    titles: list[str] = []
    for action in window.menuBar().actions():
        titles.append(action.text())
        menu = action.menu()
        if isinstance(menu, QMenu):
            problems += _menu_problems(menu)
    keys = Counter(_alt_key(text) for text in titles if _alt_key(text))
    problems += [
        f"{title}: menu bar: {_alt_key(t)} shared by '{t}'" for t in titles if keys[_alt_key(t)] > 1
    ]
    return problems


def _menu_problems(menu: QMenu) -> list[str]:
    """Every item of a menu has its own Alt letter (they work while the menu is open)."""
    items = [a.text() for a in menu.actions() if not a.isSeparator() and a.text()]
    keys = Counter(_alt_key(text) for text in items)
    title = menu.title().replace("&", "")
    problems = [f"menu {title}: no Alt letter: '{text}'" for text in items if not _alt_key(text)]
    problems += [
        f"menu {title}: {_alt_key(t)} shared by '{t}'" for t in items if keys[_alt_key(t)] > 1
    ]
    return problems
