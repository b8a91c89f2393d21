"""Unlock, switch user and sign-out in the logboek, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.errors import AuthError
from gpdesk.models import AuditEntry, Role, User
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security import audit
from gpdesk.security.accounts import change_password, sign_out, switch_user, unlock
from gpdesk.security.users import add_user
from tests.conftest import FAST_KDF
from tests.security_support import make_demo, signed


def _entries_after(db: Database, seq: int) -> list[tuple[str, str | None, str | None]]:
    with db.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)
        )
        return [(row.event, row.username, row.detail) for row in rows]


def _last_seq(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0


def _last_login_at(db: Database, username: str) -> object:
    with db.session() as session:
        return session.scalar(select(User.last_login_at).where(User.username == username))


def test_unlock_is_recorded_as_unlock_not_as_a_sign_in(db: Database) -> None:
    make_demo(db)
    bakker = signed(db, "bakker").actor
    since, last_login = _last_seq(db), _last_login_at(db, "bakker")
    again = unlock(db, bakker, DEMO_PASSWORD)
    assert again.actor.user_id == bakker.user_id
    assert _entries_after(db, since) == [("unlock", "bakker", None)]
    assert _last_login_at(db, "bakker") == last_login


def test_a_wrong_password_at_the_lock_counts_as_a_failed_attempt(db: Database) -> None:
    make_demo(db)
    bakker = signed(db, "bakker").actor
    since = _last_seq(db)
    with pytest.raises(AuthError):
        unlock(db, bakker, "verkeerd-wachtwoord")
    assert [event for event, _, _ in _entries_after(db, since)] == ["login.failed"]
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == "bakker"))
        assert user is not None and user.failed_logins == 1


def test_a_colleague_at_a_locked_workstation_signs_the_previous_user_out(db: Database) -> None:
    make_demo(db)
    bakker = signed(db, "bakker").actor
    since = _last_seq(db)
    visser = switch_user(db, bakker, "Visser", DEMO_PASSWORD)
    assert visser.actor.username == "visser"
    assert _entries_after(db, since) == [
        ("logout", "bakker", "andere gebruiker aangemeld op deze werkplek"),
        ("login", "visser", None),
        ("switch_user", "visser", "in plaats van H. Bakker"),
    ]
    with db.session() as session:
        assert audit.verify(session).ok


def test_the_same_user_through_andere_gebruiker_is_an_unlock(db: Database) -> None:
    make_demo(db)
    bakker = signed(db, "bakker").actor
    since = _last_seq(db)
    switch_user(db, bakker, "bakker", DEMO_PASSWORD)
    assert _entries_after(db, since) == [("unlock", "bakker", None)]


def test_a_failed_switch_signs_nobody_out(db: Database) -> None:
    make_demo(db)
    bakker = signed(db, "bakker").actor
    since = _last_seq(db)
    with pytest.raises(AuthError):
        switch_user(db, bakker, "visser", "verkeerd-wachtwoord")
    assert [event for event, _, _ in _entries_after(db, since)] == ["login.failed"]


def test_a_colleague_with_a_one_time_password_switches_after_choosing_their_own(
    db: Database,
) -> None:
    make_demo(db)
    _, one_time = add_user(
        db, signed(db, "smit"), username="dekker", display_name="P. Dekker", role=Role.GP,
        kdf=FAST_KDF,
    )  # fmt: skip
    bakker = signed(db, "bakker").actor
    since = _last_seq(db)
    first = switch_user(db, bakker, "dekker", one_time)
    assert first.actor.must_change_password
    assert _entries_after(db, since) == [("login", "dekker", None)]

    since = _last_seq(db)
    change_password(db, "dekker", one_time, "mijn eigen wachtwoord")
    switched = switch_user(db, bakker, "dekker", "mijn eigen wachtwoord")
    assert not switched.actor.must_change_password
    assert [(event, who) for event, who, _ in _entries_after(db, since)] == [
        ("password.change", "dekker"),
        ("logout", "bakker"),
        ("login", "dekker"),
        ("switch_user", "dekker"),
    ]


def test_quitting_is_recorded_as_logout(db: Database) -> None:
    make_demo(db)
    bakker = signed(db, "bakker").actor
    since = _last_seq(db)
    sign_out(db, bakker)
    assert _entries_after(db, since) == [("logout", "bakker", "gpdesk afgesloten")]


def test_changing_the_password_is_not_a_sign_in(db: Database) -> None:
    make_demo(db)
    signed(db, "bakker")
    since = _last_seq(db)
    change_password(db, "bakker", DEMO_PASSWORD, "een heel nieuw wachtwoord")
    assert _entries_after(db, since) == [("password.change", "bakker", None)]
    with pytest.raises(AuthError):
        change_password(db, "bakker", "fout-wachtwoord", "nog een ander wachtwoord")
    assert [event for event, _, _ in _entries_after(db, since)][-1] == "login.failed"
