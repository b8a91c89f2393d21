"""The feedback contact per team, on SQLite and PostgreSQL: set in Beheer, audited, and used.

A letter from a team whose feedback contact is "huisarts" lands assigned to the role huisarts
(in their "Mijn" and navigation count); a team left alone routes to the POH-GGZ; a one-click
answer and a letter from an unknown team are assigned to nobody.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gpdesk.db import Database, _alembic_config, current_revision, head_revision
from gpdesk.errors import ValidationError
from gpdesk.inbox.store import Incoming, counts, receive
from gpdesk.inbox.store.routing import (
    CONTACT_FIELD,
    feedback_contact,
    routed_role,
    set_feedback_contact,
)
from gpdesk.models import AuditEntry, Letter, LetterEvent, LetterSource, LetterState
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn
from gpdesk.security.integrity import check_record_states
from gpdesk.security.permissions import Permission, PermissionDeniedError
from gpdesk.security.users import set_permission
from gpdesk.transport.config import get_team_delivery
from tests.cli_support import gpdesk
from tests.store_support import NIEUWLAND, NOW, ready_practice, sent_signal, signed


def _incoming(number: int, reference: str | None, **changes: Any) -> Incoming:
    base = Incoming(
        source=LetterSource.IMAP,
        raw=b"From: Wijkteam Nieuwland <nieuwland@wijkteam.example>\r\n\r\nBrief "
        + str(number).encode(),
        file_type="e-mail",
        message_id=f"<contact-{number}@wijkteam.example>",
        sender_address="nieuwland@wijkteam.example",
        sender_name="Wijkteam Nieuwland",
        sent_at=NOW,
        subject=f"Voortgang {reference or ''}",
        body_text="Wij hebben contact gehad en plannen een huisbezoek.",
        kind="voortgang",
        references=() if reference is None else (reference,),
    )
    return replace(base, **changes)


def _receive(db: Database, who: SignedIn, number: int, reference: str | None, **ch: Any) -> int:
    with db.session() as session:
        got = receive(
            session, who.vault, None, _incoming(number, reference, **ch),
            now=NOW + timedelta(hours=1),
        )  # fmt: skip
        assert not got.duplicate
        return got.letter_id


def _letter(db: Database, letter_id: int) -> tuple[LetterState, str | None, int | None]:
    with db.session() as session:
        row = session.get(Letter, letter_id)
        assert row is not None
        return row.state, row.assignee_role, row.assignee_id


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")  # Nieuwland has a delivery
    return db


@pytest.fixture
def smit(practice: Database) -> SignedIn:
    return signed(practice, "smit")


def _entries(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        rows = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.event == "team.feedback_contact")
                .order_by(AuditEntry.seq)
            )
        )
        session.expunge_all()
        return rows


def test_the_setting_is_stored_once_and_audited(practice: Database, smit: SignedIn) -> None:
    with practice.session() as session:
        assert feedback_contact(session, NIEUWLAND) is Role.POH_GGZ  # the default
        before = get_team_delivery(session, NIEUWLAND)
        assert before is not None and before.feedback_contact is Role.POH_GGZ
    with practice.session() as session:
        assert set_feedback_contact(session, smit.vault, smit.actor, NIEUWLAND, Role.GP) is Role.GP
    with practice.session() as session:
        view = get_team_delivery(session, NIEUWLAND)
        assert view is not None and view.feedback_contact is Role.GP
        assert view.as_json()["feedback_contact"] == "gp"
    [entry] = _entries(practice)
    assert entry.username == "smit"
    assert entry.object_type == "team_delivery" and entry.object_id == NIEUWLAND
    assert entry.detail is not None
    assert entry.detail.endswith("terugkoppeling gaat naar huisarts (was POH-GGZ)")
    with practice.session() as session:  # the same again: nothing to record
        set_feedback_contact(session, smit.vault, smit.actor, NIEUWLAND, "gp")
    assert len(_entries(practice)) == 1


def test_refusals_say_what_to_do(practice: Database, smit: SignedIn) -> None:
    with practice.session() as session, pytest.raises(ValidationError) as info:
        set_feedback_contact(session, smit.vault, smit.actor, NIEUWLAND, Role.PRACTICE_MANAGER)
    assert info.value.problems[CONTACT_FIELD] == (
        "De rol praktijkmanager mag geen terugkoppelingen lezen. Kies een andere rol, of geef "
        "die rol eerst het recht 'terugkoppeling lezen' (Beheer > Rechten)."
    )
    with practice.session() as session, pytest.raises(ValidationError) as info:
        set_feedback_contact(session, smit.vault, smit.actor, "geen-bezorging", Role.GP)
    assert "Stel eerst de bezorging van dit team in" in info.value.problems[CONTACT_FIELD]
    with practice.session() as session, pytest.raises(ValidationError):
        set_feedback_contact(session, smit.vault, smit.actor, NIEUWLAND, "liaison")
    jansen = signed(practice, "jansen")
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        set_feedback_contact(session, jansen.vault, jansen.actor, NIEUWLAND, Role.GP)
    assert _entries(practice) == []


def test_a_letter_from_a_team_routed_to_the_gp_is_the_gps(
    practice: Database, smit: SignedIn
) -> None:
    bakker = signed(practice, "bakker")
    reference = sent_signal(practice, bakker)
    with practice.session() as session:
        set_feedback_contact(session, smit.vault, smit.actor, NIEUWLAND, Role.GP)
    letter_id = _receive(practice, bakker, 1, reference)
    assert _letter(practice, letter_id) == (LetterState.ASSIGNED, "gp", None)
    with practice.session() as session:
        steps = list(
            session.scalars(
                select(LetterEvent)
                .where(LetterEvent.letter_id == letter_id)
                .order_by(LetterEvent.id)
            )
        )
        assert [(s.step, s.actor_id, s.actor_label) for s in steps] == [
            ("ontvangen", None, "gpdesk"),
            ("toegewezen", None, "gpdesk"),
        ]
        note = steps[1].note
        assert note is not None and b"huisarts" not in bytes(note)  # sealed in its place
        opened = smit.vault.open("letter_event", "note", steps[1].id, bytes(note))
        assert opened == "aan huisarts (terugkoppelcontact van het team)"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.event == "letter.receive")
        ).one()
        assert entry.detail is not None
        assert entry.detail.endswith(f"bij {reference}; toegewezen aan rol huisarts")
        assert counts(session, bakker.actor).mine == 1  # in the GP's Mijn and count
        assert counts(session, signed(practice, "visser").actor).mine == 0
        assert check_record_states(session, smit.vault).findings == ()


def test_a_team_left_alone_routes_to_the_poh_ggz(practice: Database) -> None:
    bakker = signed(practice, "bakker")
    reference = sent_signal(practice, bakker)
    letter_id = _receive(practice, bakker, 2, reference)
    assert _letter(practice, letter_id) == (LetterState.ASSIGNED, "poh_ggz", None)
    visser = signed(practice, "visser")
    assert visser.actor.role is Role.POH_GGZ
    with practice.session() as session:
        assert counts(session, visser.actor).mine == 1
        assert counts(session, bakker.actor).mine == 0


def test_a_one_click_answer_and_an_unknown_team_are_assigned_to_nobody(
    practice: Database,
) -> None:
    bakker = signed(practice, "bakker")
    reference = sent_signal(practice, bakker)
    one_click = _receive(practice, bakker, 3, reference, reply_status="received")
    assert _letter(practice, one_click) == (LetterState.NEW, None, None)
    unknown = _receive(practice, bakker, 4, None)
    assert _letter(practice, unknown) == (LetterState.NEW, None, None)


def test_a_contact_that_lost_the_right_to_read_letters_gets_nothing(
    practice: Database, smit: SignedIn
) -> None:
    bakker = signed(practice, "bakker")
    reference = sent_signal(practice, bakker)
    set_permission(practice, smit, Role.POH_GGZ, Permission.LETTER_READ, allowed=False)
    with practice.session() as session:
        assert routed_role(session, smit.vault, NIEUWLAND) is None
    letter_id = _receive(practice, bakker, 5, reference)
    assert _letter(practice, letter_id) == (LetterState.NEW, None, None)


def test_from_the_command_line(practice: Database, database_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> Any:
        return gpdesk(
            "team", "delivery", NIEUWLAND, *args, "--user", "smit",
            "--home", str(tmp_path / "home"), "--database-url", database_url,
            password=DEMO_PASSWORD,
        )  # fmt: skip

    shown = run()
    assert shown.returncode == 0, shown.stderr
    assert "Terugkoppeling naar: POH-GGZ" in shown.stdout
    changed = run("--feedback-contact", "huisarts", "--json")
    assert changed.returncode == 0, changed.stderr
    assert '"feedback_contact": "gp"' in changed.stdout
    wrong = run("--feedback-contact", "liaison")
    assert wrong.returncode != 0 and "POH-GGZ, huisarts, doktersassistent" in wrong.stderr
    with practice.session() as session:
        assert feedback_contact(session, NIEUWLAND) is Role.GP


def test_migration_0012_gives_every_team_the_poh_ggz_and_goes_down_and_up(
    practice: Database, smit: SignedIn
) -> None:
    from alembic import command
    from sqlalchemy import inspect

    with practice.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0011")
    columns = {c["name"] for c in inspect(practice.engine).get_columns("team_delivery")}
    assert "feedback_contact_role" not in columns and current_revision(practice.engine) == "0011"
    with practice.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert current_revision(practice.engine) == head_revision()
    with practice.session() as session:
        assert feedback_contact(session, NIEUWLAND) is Role.POH_GGZ  # the team set up before
