"""What keyboard and screen-reader users need: a name, a way out by Tab, news said aloud.

Practice staff work from the keyboard and some use a screen reader (EN 301 549). Three small
rules keep every screen usable that way:

- every control has a name a screen reader can say (``named``; a label with ``setBuddy`` does it
  too, and ``link_buddies`` repairs labels whose buddy is only a wrapper around the field);
- Tab always leaves a table, list or text box (``let_tab_leave``); arrows move inside;
- text that changes on its own (a count, "Opgeslagen", an error, the patient from the HIS) is
  announced (``announce``), politely unless it is a problem.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, description: str = "") -> W:
    """Give ``widget`` the name a screen reader says, and a hint where one helps."""
    widget.setAccessibleName(name.replace("&", "").rstrip(": *"))
    if description:
        widget.setAccessibleDescription(description)
    return widget


def let_tab_leave(widget: W) -> W:
    """Tab moves on to the next control instead of between cells or into the text."""
    if isinstance(widget, QAbstractItemView):
        widget.setTabKeyNavigation(False)
    elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
        widget.setTabChangesFocus(True)
    return widget


def link_buddies(root: QWidget) -> None:
    """Point each label at the field itself, not at a wrapper that only holds field and message.

    ``QFormLayout.addRow("Naam", wrapper)`` makes the wrapper the label's buddy; a screen reader
    only finds a label next to the field, and Alt+letter lands nowhere. A field without a name
    of its own gets the label's text as its name.
    """
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is None:
            continue
        target = buddy
        while target.focusProxy() is not None and target.focusProxy() is not target:
            proxy = target.focusProxy()
            assert proxy is not None
            target = proxy
        if target is not buddy:
            label.setBuddy(target)
        if not target.accessibleName() and label.text():
            named(target, label.text())


def announce(widget: QWidget, text: str, *, urgent: bool = False) -> None:
    """Have a screen reader say ``text`` (about ``widget``), after the change is on screen."""
    text = text.replace("&", "").strip()
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if urgent
        else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)


class LiveLabel(QLabel):
    """A label whose new text is announced: a count, "Opgeslagen", an error message."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, urgent: bool = False):
        super().__init__(text, parent)
        self._urgent = urgent
        self.last_announced = ""
        """What was last said (tests read it; a screen reader hears it)."""

    def setText(self, text: str) -> None:  # noqa: N802
        """Show ``text`` and announce it when it is new."""
        changed = text != self.text()
        super().setText(text)
        if changed and text:
            self.last_announced = text
            announce(self, text, urgent=self._urgent)
