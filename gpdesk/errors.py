"""Errors a user can act on.

Every message here is shown to a practice user as is, so it is plain Dutch and never contains
patient data: these exceptions may end up in log files and crash logs.
"""

from __future__ import annotations


class GpdeskError(Exception):
    """Base: an error the user can act on; message is Dutch and free of patient data."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_text(self) -> str:
        """Message plus what to do, for a dialog or a one-line CLI error."""
        return f"{self.message} {self.hint}".strip()


class ValidationError(GpdeskError):
    """One or more input fields are invalid; `problems` maps field name -> Dutch message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(self.problems.values()))


class HomeDirError(GpdeskError):
    """The gpdesk home directory cannot be created or written."""


class DatabaseError(GpdeskError):
    """The database cannot be opened, reached or used; the data in it is left untouched."""


class SchemaTooNewError(DatabaseError):
    """The database was migrated by a newer gpdesk; opening it with this one could damage it."""


class PracticeError(GpdeskError):
    """The practice is not set up, or already set up, or not what the command expects."""


class AuthError(GpdeskError):
    """Sign-in failed; deliberately vague about whether the user or the password was wrong."""
