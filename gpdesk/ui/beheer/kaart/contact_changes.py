"""The contact changes of one service dialog, kept until Opslaan and dropped by Annuleren.

The service dialog is one edit from the user's view: contacts added, changed or gone are kept
here (no Qt, no database) and written with the rest of the service in one transaction by
``save_service_with_contacts``. A new contact gets a temporary id ("nieuw-1"), so it can be
chosen as deputy or vaste contactpersoon before it exists; saving swaps in the real id.

A contact who leaves is marked "vertrokken", not deleted: the row stays (struck through) and
Opslaan calls ``editing.mark_departed``. Leaving affects others. ``leave`` mends the dialog's
rows the way the core mends the database (colleagues lose the leaver as deputy, the practice's
vaste contactpersoon falls to the deputy) and says whom it affects at once, so the user can
settle it in the same dialog before saving. A contact added in this dialog who leaves again
simply goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Final

from gpdesk.errors import ValidationError
from gpdesk.kaart.editing import ContactInput, EditResult, FixedContactInput, ServiceSave
from gpdesk.kaart.editing.checks import Problems
from gpdesk.kaart.editing.forms import ContactRow
from gpdesk.kaart.editing.people import clean_contact
from gpdesk.kaart.store.queries import local_today

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gpdesk.security.accounts import SignedIn

NEW_PREFIX: Final = "nieuw-"
CONTACTS: Final = "contactpersonen"
"""Problem key for a contact that could not be saved with the service (shown on its tab)."""


def checked(value: ContactInput) -> ContactInput:
    """The contact as the core will store it (tidied phone and spaces), or its Dutch messages.

    The same checks as ``editing.create_contact``, without the database: the contact dialog can
    refuse a bad number at once, although nothing is saved until the service dialog's Opslaan.
    """
    problems = Problems()
    clean = clean_contact(value, problems)
    problems.raise_if_any()
    assert clean is not None
    return ContactInput(
        name=clean.name,
        title=clean.title or "",
        department=clean.department or "",
        email=clean.email or "",
        phone=clean.phone or "",
        deputy_contact_id=clean.deputy_contact_id,
    )


@dataclass
class ContactChanges:
    """What the user did to the contacts in this dialog, and the rows it shows now."""

    rows: list[ContactRow]
    created: dict[str, ContactInput] = field(default_factory=dict)
    updated: dict[str, ContactInput] = field(default_factory=dict)
    departed: list[ContactRow] = field(default_factory=list)
    """Who left in this dialog: marked "vertrokken" on Opslaan."""
    _original: dict[str, ContactRow] = field(default_factory=dict)
    _counter: int = 0

    @classmethod
    def of(cls, rows: Sequence[ContactRow]) -> ContactChanges:
        """Start from the contacts as stored."""
        return cls(rows=list(rows), _original={r.id: r for r in rows})

    @property
    def pending(self) -> bool:
        """Whether anything is waiting for Opslaan."""
        return bool(self.created or self.updated or self.departed)

    def mark(self, contact_id: str) -> str:
        """The word for a row with unsaved changes ("nieuw", "gewijzigd"), else ""."""
        if contact_id in self.created:
            return "nieuw"
        if any(r.id == contact_id for r in self.departed):
            return "vertrekt"
        return "gewijzigd" if contact_id in self.updated else ""

    def is_new(self, contact_id: str) -> bool:
        """A contact added in this dialog (not stored yet)."""
        return contact_id.startswith(NEW_PREFIX)

    def put(self, contact_id: str | None, value: ContactInput) -> str:
        """Add a contact (``contact_id`` None) or change one; returns its (temporary) id."""
        value = checked(value)
        if contact_id is None:
            self._counter += 1
            contact_id = f"{NEW_PREFIX}{self._counter}"
            self.created[contact_id] = value
        elif self.is_new(contact_id):
            self.created[contact_id] = value
        elif self._original[contact_id].as_input() == value:
            self.updated.pop(contact_id, None)  # changed back: nothing to save
        else:
            self.updated[contact_id] = value
        self._set_row(contact_id, value)
        return contact_id

    def leave(
        self,
        contact_id: str,
        fixed: Sequence[FixedContactInput],
        *,
        team: str,
        themes: Mapping[str, str],
        today: date | None = None,
    ) -> tuple[list[FixedContactInput], list[str]]:
        """Mark a contact as left; returns the mended fixed contacts and what to know.

        Like the core: colleagues lose the leaver as deputy, and where the leaver was the
        practice's vaste contactpersoon the row's deputy (or the leaver's own deputy) takes over.
        The leaver's row stays, marked, until Opslaan marks them in the kaart; one added in
        this dialog simply goes.
        """
        leaver = self._row(contact_id)
        if leaver.departed:
            return list(fixed), []
        name = leaver.name or "(naam onbekend)"
        warnings: list[str] = []
        for other in list(self.rows):
            if other.id != contact_id and other.deputy_id == contact_id:
                self._put_quietly(other.id, replace(self._input(other.id), deputy_contact_id=None))
                warnings.append(
                    f"{name} was de vervanger van {other.name or 'een collega'} ({team}). "
                    "Kies een nieuwe vervanger."
                )
        mended: list[FixedContactInput] = []
        for row in fixed:
            where = team + (f" voor {themes.get(row.theme_id, '')}" if row.theme_id else "")
            kept, warning = self._mend_fixed(row, leaver, f"{name} was de", where)
            mended.append(kept)
            if warning:
                warnings.append(warning)
        if self.is_new(contact_id):
            self.created.pop(contact_id, None)
            self.rows = [r for r in self.rows if r.id != contact_id]
        else:
            self.departed.append(self._original[contact_id])
            day = today or local_today()
            self.rows = [
                replace(r, departed_on=day, stale=False) if r.id == contact_id else r
                for r in self.rows
            ]
        self._refresh_names()
        return mended, warnings

    def _mend_fixed(
        self, row: FixedContactInput, leaver: ContactRow, was: str, where: str
    ) -> tuple[FixedContactInput, str]:
        """One vaste-contactpersoon row without the leaver, and what that means ("" nothing)."""
        if row.contact_id == leaver.id:
            deputy = row.deputy_contact_id
            fallback = self._present(deputy) if deputy != leaver.id else None
            stand_in = self._present(leaver.deputy_id) if leaver.deputy_id != leaver.id else None
            if fallback is None and stand_in is not None:
                deputy, fallback = stand_in.id, stand_in
            then = (
                f"Tot u een nieuwe kiest, is {fallback.name} het aanspreekpunt."
                if fallback is not None
                else "Er is geen vervanger: kies een nieuwe vaste contactpersoon."
            )
            return (
                replace(row, contact_id=None, deputy_contact_id=deputy),
                f"{was} vaste contactpersoon van de praktijk bij {where}. {then}",
            )
        if row.deputy_contact_id == leaver.id:
            return (
                replace(row, deputy_contact_id=None),
                f"{was} vervanger van de vaste contactpersoon bij {where}. "
                "Kies een nieuwe vervanger.",
            )
        return row, ""

    # -- rows ---------------------------------------------------------------------------------

    def _find(self, contact_id: str | None) -> ContactRow | None:
        return next((r for r in self.rows if r.id == contact_id), None)

    def _present(self, contact_id: str | None) -> ContactRow | None:
        """The contact, unless they left."""
        row = self._find(contact_id)
        return None if row is None or row.departed else row

    def _row(self, contact_id: str | None) -> ContactRow:
        return next(r for r in self.rows if r.id == contact_id)

    def _input(self, contact_id: str) -> ContactInput:
        return (
            self.created.get(contact_id)
            or self.updated.get(contact_id)
            or (self._row(contact_id).as_input())
        )

    def _put_quietly(self, contact_id: str, value: ContactInput) -> None:
        """A change the dialog makes itself (a deputy who left), already checked."""
        if self.is_new(contact_id):
            self.created[contact_id] = value
        elif self._original[contact_id].as_input() == value:
            self.updated.pop(contact_id, None)
        else:
            self.updated[contact_id] = value
        self._set_row(contact_id, value)

    def _set_row(self, contact_id: str, value: ContactInput) -> None:
        before = next((r for r in self.rows if r.id == contact_id), None)
        row = ContactRow(
            id=contact_id,
            name=value.name,
            title=value.title,
            department=value.department,
            email=value.email,
            phone=value.phone,
            deputy_id=value.deputy_contact_id,
            deputy_name="",
            stands_in_for=(),
            assured_date=None if before is None else before.assured_date,
            stale=False if before is None else before.stale,
            departed_on=None if before is None else before.departed_on,
        )
        self.rows = [r for r in self.rows if r.id != contact_id] + [row]
        self._refresh_names()

    def _refresh_names(self) -> None:
        """Deputy names and "vervanger van" again, and the table's order by name."""
        names = {r.id: r.name for r in self.rows}
        stands_in: dict[str, list[str]] = {}
        for r in self.rows:
            if r.deputy_id:
                stands_in.setdefault(r.deputy_id, []).append(r.name)
        self.rows = sorted(
            (
                replace(
                    r,
                    deputy_name=names.get(r.deputy_id or "", ""),
                    stands_in_for=tuple(sorted(stands_in.get(r.id, []))),
                )
                for r in self.rows
            ),
            key=lambda r: (r.name.casefold(), r.id),
        )


@dataclass(frozen=True)
class SaveOutcome:
    """What one Opslaan did: the service's id, how much changed, and what to know."""

    service_id: str | None
    changes: int
    warnings: tuple[str, ...]


def save_service_with_contacts(
    session: Session, by: SignedIn, save: ServiceSave, contacts: ContactChanges
) -> SaveOutcome:
    """Write the whole dialog in the caller's transaction: contacts, the service, who left.

    Every part goes through the core (checks, change log, audit entry per edit), so a failure
    anywhere rolls all of it back. New contacts come first, so the service's vaste
    contactpersonen can name them; who left is marked last, when the dialog's own mending of
    deputies and vaste contactpersonen is stored.
    """
    from gpdesk.kaart import editing

    results: list[EditResult] = []
    ids: dict[str, str] = {}

    def real(contact_id: str | None) -> str | None:
        return None if contact_id is None else ids.get(contact_id, contact_id)

    def contact_step(name: str, step: partial[EditResult]) -> EditResult:
        try:
            return step()
        except ValidationError as exc:  # its keys are the contact's fields, not the service's
            raise ValidationError({CONTACTS: f"{name}: {exc.message}"}) from None

    service_id = save.service_id
    if service_id is None:  # a new service first: its contacts need it to belong to
        results.append(editing.save_service(session, by, save))
        service_id = results[-1].id
        assert service_id is not None
    later: list[tuple[str, ContactInput]] = []
    for temp_id, value in contacts.created.items():
        deputy = value.deputy_contact_id
        if deputy is not None and deputy in contacts.created and deputy not in ids:
            later.append((temp_id, value))  # deputy is created after this one: set it then
            deputy = None
        step = partial(
            editing.create_contact,
            session,
            by,
            service_id,
            replace(value, deputy_contact_id=real(deputy)),
        )
        results.append(contact_step(value.name, step))
        ids[temp_id] = results[-1].id or ""
    for contact_id, value in [*later, *contacts.updated.items()]:
        step = partial(
            editing.update_contact,
            session,
            by,
            real(contact_id) or contact_id,
            replace(value, deputy_contact_id=real(value.deputy_contact_id)),
        )
        results.append(contact_step(value.name, step))
    if save.service_id is not None:
        fixed = (
            None
            if save.fixed_contacts is None
            else tuple(
                replace(
                    f, contact_id=real(f.contact_id), deputy_contact_id=real(f.deputy_contact_id)
                )
                for f in save.fixed_contacts
            )
        )
        results.append(editing.save_service(session, by, replace(save, fixed_contacts=fixed)))
    for gone in contacts.departed:
        results.append(
            contact_step(gone.name, partial(editing.mark_departed, session, by, gone.id))
        )
    warnings = tuple(dict.fromkeys(w for r in results for w in r.warnings))
    return SaveOutcome(service_id, sum(r.changes for r in results), warnings)
