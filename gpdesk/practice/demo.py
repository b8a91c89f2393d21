"""A demo practice with one user per role and fictional patients, so a newcomer sees gpdesk work.

Later capabilities add their demo data here (signals, letters); the sociale kaart is loaded
from resources/demo/kaart/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.models import Practice, Role, User
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import save_patient
from gpdesk.practice.setup import NewPractice, create_practice, prepare_database
from gpdesk.security import account_seal
from gpdesk.security.accounts import create_user
from gpdesk.security.crypto import KdfParams

DEMO_PRACTICE_NAME = "Huisartsenpraktijk De Singel (demo)"
DEMO_ADDRESS = "Singel 12\n3112 GS Schiedam"
DEMO_PHONE = "010-000 12 34"
"""The demo letterhead: a made-up address and a number that does not exist (as the kaart's)."""
DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented in the README; demo data only


@dataclass(frozen=True)
class DemoUser:
    """A demo account as documented in the README."""

    username: str
    display_name: str
    role: Role


DEMO_USERS = (
    DemoUser("smit", "R. Smit", Role.PRACTICE_MANAGER),
    DemoUser("bakker", "H. Bakker", Role.GP),
    DemoUser("jansen", "M. Jansen", Role.ASSISTANT),
    DemoUser("visser", "S. Visser", Role.POH_GGZ),
)


def demo_patients() -> list[PatientContext]:
    """The fictional patients shipped in resources/demo/patients.json."""
    raw = json.loads((files("gpdesk.resources") / "demo" / "patients.json").read_text("utf-8"))
    return [PatientContext.from_fields(p) for p in raw["patients"]]


def create_demo(
    db: Database, *, kdf: KdfParams | None = None, home: Path | None = None
) -> NewPractice:
    """Fill an empty database with the demo practice in one transaction: all of it or nothing.

    With ``home`` (``gpdesk demo``) the demo signals follow, each in its own transactions as
    gpdesk sends them, their teams delivering to an export folder in that home; then the
    teams' letters, stored as a fetch stores them, and the drop folder they came from.
    """
    manager, *others = DEMO_USERS
    patients = demo_patients()
    prepare_database(db)
    with db.session() as session:
        created = create_practice(
            session,
            practice_name=DEMO_PRACTICE_NAME,
            username=manager.username,
            display_name=manager.display_name,
            password=DEMO_PASSWORD,
            kdf=kdf,
            is_demo=True,
        )
        added = [
            create_user(
                session,
                created.vault,
                username=user.username,
                display_name=user.display_name,
                role=user.role,
                password=DEMO_PASSWORD,
                kdf=kdf,
            )
            for user in others
        ]
        account_seal.record_states(
            session, created.vault, username=manager.username,
            users=[session.get_one(User, actor.user_id) for actor in added],
            detail=f"{len(added)} demo-accounts",
        )  # fmt: skip
        letterhead = session.scalars(select(Practice)).one()
        letterhead.address = DEMO_ADDRESS
        letterhead.phone = DEMO_PHONE
        for patient in patients:
            save_patient(session, created.vault, patient)
        load_demo_kaart(session)
    if home is not None:
        from gpdesk.inbox.demo import add_demo_letters
        from gpdesk.signals.demo import DEMO_SIGNALS, add_demo_signals

        gp = next(a for a in added if a.role is Role.GP)
        references = add_demo_signals(db, created.vault, manager=created.manager, gp=gp,
                                      patients=patients, home=home)  # fmt: skip
        assistant = next(a for a in added if a.role is Role.ASSISTANT)
        add_demo_letters(db, created.vault, manager=created.manager, home=home,
                         references=dict(zip((s.bsn for s in DEMO_SIGNALS), references,
                                             strict=True)), assistant=assistant,
                         gp=gp)  # fmt: skip
    return created
