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

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
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

    def problems(self) -> list[str]:
        """One line per problem, for an assert message ([] when the window is fine)."""
        lines = [f"{self.title}: not reached by Tab: {w}" for w in self.unreached]
        lines += [f"{self.title}: Tab stays in: {w}" for w in self.trapped]
        lines += [f"{self.title}: no name: {w}" for w in self.nameless]
        if self.backward_differs:
            lines.append(f"{self.title}: Shift+Tab does not go back the way Tab came")
        return lines


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
