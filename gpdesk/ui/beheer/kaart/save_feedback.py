"""How a kaart save that ran in the background reports back to the user.

A save finishes later than it started: by then a lock may have closed its dialog. So every
report first asks whether the dialog is still there, and says what went wrong in plain Dutch
without ever losing what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject

from gpdesk.errors import GpdeskError, ValidationError

if TYPE_CHECKING:
    from gpdesk.ui.beheer.kaart.edit_dialog import EditorDialog


def alive(widget: QObject) -> bool:
    """Whether a dialog still exists (a lock closes dialogs while their save is under way)."""
    return shiboken6.isValid(widget)


def user_text(exc: BaseException) -> str:
    """What went wrong, for the user: our own message, or a calm "try again"."""
    return exc.user_text() if isinstance(exc, GpdeskError) else "Er ging iets mis; probeer opnieuw."


def report_failure(
    show_status: Callable[[str], None], dialog: EditorDialog, exc: BaseException
) -> None:
    """Keep the dialog open with what was typed, and say what is wrong (if gone: on the status)."""
    if not alive(dialog):
        show_status(f"Niet opgeslagen: {user_text(exc)}")
    elif isinstance(exc, ValidationError):
        dialog.show_errors(exc.problems)
    else:
        dialog.show_message(user_text(exc))
