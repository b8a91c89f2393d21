"""Importeren and Import ongedaan maken, from the Beheer kaart tab.

Both are found at the moment they are asked for (``importlib``), because the import dialog and
the HSDS import are other modules that a given build of gpdesk may not have yet; without them
the tab says so instead of failing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QInputDialog, QWidget

from gpdesk.ui.beheer.kaart.save_feedback import user_text

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.security.accounts import SignedIn
    from gpdesk.ui.tasks import TaskRunner

NOT_AVAILABLE = "Importeren is nog niet beschikbaar in deze versie van gpdesk."
UNDO_NOT_AVAILABLE = "Import ongedaan maken is nog niet beschikbaar in deze versie van gpdesk."


class ImportActions:
    """Hands over to the import dialog, and undoes an import the user picks."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        parent: QWidget,
        show_status: Callable[[str], None],
        may_edit: Callable[[], SignedIn | None],
        refresh: Callable[[], None],
    ) -> None:
        self.db, self.tasks, self.parent = db, tasks, parent
        self._show_status = show_status
        self._may_edit = may_edit
        self._refresh = refresh

    def import_kaart(self) -> None:
        """Hand over to the import dialog (another module; it may not be there yet)."""
        signed = self._may_edit()
        if signed is None:
            return
        try:
            module = importlib.import_module("gpdesk.ui.beheer.kaart.import_dialog")
            run_import_dialog: Callable[..., Any] = module.run_import_dialog
        except (ImportError, AttributeError):
            self._show_status(NOT_AVAILABLE)
            return
        opened = run_import_dialog(self.parent, db=self.db, signed=signed, tasks=self.tasks)
        if isinstance(opened, QDialog):  # still open: reload the list once it closes
            opened.finished.connect(lambda _code: self._refresh())
        else:
            self._refresh()

    def undo_import(self) -> None:
        """List the imports, let the user pick one, and undo it."""
        signed = self._may_edit()
        if signed is None:
            return
        try:
            module = importlib.import_module("gpdesk.kaart.exchange.importing")
            list_batches: Callable[[Any], list[Any]] = module.list_import_batches
            undo: Callable[..., Any] = module.undo_import
        except (ImportError, AttributeError):
            self._show_status(UNDO_NOT_AVAILABLE)
            return
        db = self.db

        def work() -> list[Any]:
            with db.session() as session:
                return list_batches(session)

        def chosen(batches: list[Any]) -> None:
            undoable = [
                b
                for b in batches
                if getattr(b, "action", "import") == "import" and not getattr(b, "undone", False)
            ]
            if not undoable:
                self._show_status("Er is geen import om ongedaan te maken.")
                return
            labels = [batch_label(b) for b in undoable]
            label, ok = QInputDialog.getItem(
                self.parent,
                "Import ongedaan maken",
                "Welke import wilt u terugdraaien? De kaart wordt weer zoals ervoor.",
                labels,
                0,
                False,
            )
            if ok and label in labels:
                self.run_undo(undoable[labels.index(label)], undo)

        self.tasks.run(work, chosen, lambda exc: self._show_status(user_text(exc)))

    def run_undo(self, batch: Any, undo: Callable[..., Any]) -> None:
        """Undo one import batch in the background."""
        signed = self._may_edit()
        if signed is None:
            return
        db, batch_id = self.db, str(getattr(batch, "batch_id", batch))

        def done(_result: object) -> None:
            self._show_status(f"Import ongedaan gemaakt: {batch_label(batch)}.")
            self._refresh()

        self.tasks.run(
            lambda: undo(db, batch_id, by=signed),
            done,
            lambda e: self._show_status(user_text(e)),
        )


def batch_label(batch: Any) -> str:
    """One import in words for the undo choice: "12-11-2026 14:05 · kaart.zip · 3 nieuw, …"."""
    from gpdesk.ui.beheer.models import local_time

    parts = [local_time(getattr(batch, "at", None))]
    name = getattr(batch, "file", "") or getattr(batch, "source", "")
    if name:
        parts.append(str(name))
    detail = getattr(batch, "detail", "")
    if detail:
        parts.append(str(detail))
    return " · ".join(parts)
