"""What "Telefonische terugkoppeling vastleggen" offers, on SQLite and PostgreSQL.

The teams: the kaart's wijkteams and desks that are not opgeheven, and the teams letters came
from, once each by name. The signals: the patient's open ones and those closed recently, newest
first; an old closed one is not offered. A patient is found by BSN without opening anything.
Nothing here is audited: nothing is opened.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from gpdesk.db import Database
from gpdesk.inbox.store.phone import RECENT_SIGNALS, patient_of_bsn, phone_choices
from gpdesk.models import AuditEntry, Letter, LetterSource, LetterState, Signal, SignalStatus
from gpdesk.models.kaart import Service, ServiceStatus
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import PermissionDeniedError
from tests.security_support import EXTRA_PATIENT
from tests.store_support import DESK, NIEUWLAND, NOW, ready_practice, sent_signal, signed


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


def _audits(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_the_practice_teams_and_the_patients_signals(practice: Database) -> None:
    bakker: SignedIn = signed(practice, "bakker")
    jansen: SignedIn = signed(practice, "jansen")
    first = sent_signal(practice, bakker)
    second = sent_signal(practice, bakker)
    old = sent_signal(practice, bakker)
    with practice.session() as session:
        session.execute(
            update(Signal).where(Signal.reference == old).values(
                status=SignalStatus.COMPLETED, created_at=NOW - RECENT_SIGNALS - timedelta(days=1)
            )
        )  # fmt: skip
        session.execute(
            update(Signal).where(Signal.reference == first).values(status=SignalStatus.COMPLETED)
        )
        session.execute(
            update(Service).where(Service.id == DESK).values(status=ServiceStatus.DEFUNCT)
        )
        session.add(
            Letter(
                received_at=NOW, source=LetterSource.IMAP, size=1, file_type="e-mail",
                state=LetterState.NEW, team_name="Buurtzorg Oost",
            )
        )  # fmt: skip
    before = _audits(practice)
    with practice.session() as session:
        patient_id = patient_of_bsn(session, jansen.vault, EXTRA_PATIENT.bsn)
        assert patient_id is not None
        assert patient_of_bsn(session, jansen.vault, "123456782") is None
        choices = phone_choices(session, jansen.actor, patient_id=patient_id, now=NOW)
        nobody = phone_choices(session, jansen.actor, now=NOW)
    assert [s.reference for s in choices.signals] == [second, first]  # newest first, not old
    assert choices.signals[0].text == f"{second} · Wijkteam Nieuwland · verzonden"
    assert "Wijkteam Nieuwland" in choices.teams and "Buurtzorg Oost" in choices.teams
    assert "Sociale Plein (Wmo-loket)" not in choices.teams  # opgeheven
    assert choices.teams == sorted(choices.teams, key=str.casefold)
    assert len(choices.teams) == len({t.casefold() for t in choices.teams})
    assert nobody.signals == [] and nobody.teams == choices.teams
    assert _audits(practice) == before
    with practice.session() as session:
        assert session.get(Service, NIEUWLAND) is not None


def test_who_may_not_record_a_call_gets_no_choices(practice: Database) -> None:
    smit = signed(practice, "smit")
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        phone_choices(session, smit.actor)
