"""Who each row of a signal list is about: opened per patient, audited, a changed record refused.

On SQLite and a real PostgreSQL, as the rest of the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from gpdesk.db import Database
from gpdesk.models import AuditEntry, Patient
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.signals.store import patient_labels
from gpdesk.signals.store.reading import LIST_EVENT, UNREADABLE
from tests.store_support import CHILD, EXTRA_PATIENT, open_patient, ready_practice, signed


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def bakker(practice: Database) -> SignedIn:
    return signed(practice, "bakker")


def _listed(db: Database) -> list[str | None]:
    with db.session() as session:
        return list(
            session.scalars(select(AuditEntry.patient_ref).where(AuditEntry.event == LIST_EVENT))
        )


def test_each_patient_is_named_as_the_banner_does_and_audited_once_per_opening(
    practice: Database, bakker: SignedIn
) -> None:
    first = open_patient(practice, bakker, EXTRA_PATIENT)
    child = open_patient(practice, bakker, CHILD)
    with practice.session() as session:
        labels = patient_labels(session, bakker.vault, bakker.actor, [first, child, first])
    assert labels[first].text == (f"{EXTRA_PATIENT.name} · {EXTRA_PATIENT.birth_date:%d-%m-%Y}")
    assert labels[child].text.startswith(CHILD.name)
    assert repr(labels[first]) == "PatientLabel(<redacted>)"  # never a name in a log
    assert len(_listed(practice)) == 2  # one entry per patient, the BSN's index only
    assert EXTRA_PATIENT.bsn not in " ".join(str(r) for r in _listed(practice))

    with practice.session() as session:  # the same list refreshed: no one new
        patient_labels(session, bakker.vault, bakker.actor, [first, child], audited={first, child})
    assert len(_listed(practice)) == 2
    with practice.session() as session:
        assert patient_labels(session, bakker.vault, bakker.actor, []) == {}


def test_a_record_changed_outside_gpdesk_is_refused_not_shown(
    practice: Database, bakker: SignedIn
) -> None:
    first = open_patient(practice, bakker, EXTRA_PATIENT)
    child = open_patient(practice, bakker, CHILD)
    with practice.session() as session:  # the child's name pasted into the first's row
        name = session.scalar(select(Patient.name).where(Patient.id == child))
        session.execute(update(Patient).where(Patient.id == first).values(name=name))
    with practice.session() as session:
        labels = patient_labels(session, bakker.vault, bakker.actor, [first, child])
    assert labels[first] is UNREADABLE and CHILD.name not in labels[first].text
    assert labels[child].text.startswith(CHILD.name)
    with practice.session() as session:
        events = list(session.scalars(select(AuditEntry.event).order_by(AuditEntry.seq)))
    assert "data.tampered" in events
    assert events.count(LIST_EVENT) == 1  # only the child was named


def test_a_user_without_patient_access_gets_no_names(practice: Database, bakker: SignedIn) -> None:
    first = open_patient(practice, bakker, EXTRA_PATIENT)
    manager = signed(practice, "smit")  # praktijkmanager: no patient access
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        patient_labels(session, manager.vault, manager.actor, [first])
