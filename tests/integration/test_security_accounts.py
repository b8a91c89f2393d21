"""Accounts and roles, enforced in the core, on SQLite and a real PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.errors import AuthError, ValidationError
from gpdesk.models import AuditEntry, Role, SignInThrottle, User, utcnow
from gpdesk.models.permission import RolePermission
from gpdesk.patients.records import find_patient, open_from_his
from gpdesk.practice.demo import DEMO_PASSWORD, demo_patients
from gpdesk.security import audit
from gpdesk.security.accounts import (
    FREE_ATTEMPTS,
    REFUSED,
    UNLOCK_REFUSED,
    actor_of,
    change_password,
    sign_in,
    unlock,
)
from gpdesk.security.backup import create_backup
from gpdesk.security.permissions import LOCKED, Permission, PermissionDeniedError
from gpdesk.security.users import (
    add_user,
    list_users,
    permission_table,
    reset_password,
    set_active,
    set_permission,
)
from tests.conftest import FAST_KDF
from tests.security_support import EXTRA_PATIENT, make_demo, signed

VAGUE = "Onbekende gebruikersnaam of onjuist wachtwoord, of te veel pogingen."


def _events(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry.event).order_by(AuditEntry.seq)))


# -- permissions enforced in the core -------------------------------------------------------


def test_assistant_cannot_add_users(db: Database) -> None:
    make_demo(db)
    before = _events(db)
    with pytest.raises(PermissionDeniedError) as info:
        add_user(
            db, signed(db, "jansen"), username="nieuw", display_name="N. Nieuw", role=Role.GP,
            kdf=FAST_KDF,
        )  # fmt: skip
    assert "gebruikers beheren" in info.value.message
    with db.session() as session:
        assert "nieuw" not in {u.username for u in list_users(session)}
    assert _events(db) == [*before, "login"]


def test_care_roles_cannot_manage_the_practice(db: Database) -> None:
    make_demo(db)
    for username in ("bakker", "jansen", "visser"):
        who = signed(db, username)
        with pytest.raises(PermissionDeniedError):
            set_active(db, who, "smit", active=False)
        with pytest.raises(PermissionDeniedError):
            reset_password(db, who, "smit")
        with pytest.raises(PermissionDeniedError):
            set_permission(db, who, Role.GP, Permission.AUDIT_READ, allowed=True)
    assert signed(db, "smit").actor.username == "smit"


def test_practice_manager_cannot_open_a_patient(db: Database) -> None:
    make_demo(db)
    manager = signed(db, "smit")
    with pytest.raises(PermissionDeniedError) as info:
        open_from_his(db, manager, EXTRA_PATIENT)
    assert "patiënt openen" in info.value.message
    assert "patient.open" not in _events(db)
    # Nor read one directly: the core lookup checks the same right.
    with db.session() as session, pytest.raises(PermissionDeniedError):
        find_patient(session, manager.vault, demo_patients()[0].bsn, actor=manager.actor)
    gp = signed(db, "bakker")
    with db.session() as session:
        assert find_patient(session, gp.vault, EXTRA_PATIENT.bsn, actor=gp.actor) is None
        assert find_patient(session, gp.vault, demo_patients()[0].bsn, actor=gp.actor)
    assert "patient.read" in _events(db)


def test_gp_opens_a_patient_but_cannot_make_a_backup(db: Database, tmp_path: object) -> None:
    from pathlib import Path

    make_demo(db)
    gp = signed(db, "bakker")
    assert open_from_his(db, gp, EXTRA_PATIENT) > 0
    target = Path(str(tmp_path)) / "backup.gpbak"
    with pytest.raises(PermissionDeniedError):
        create_backup(db, gp, target)
    assert not target.exists()


def test_practice_override_changes_what_sign_in_returns(db: Database) -> None:
    make_demo(db)
    manager = signed(db, "smit")
    assert not manager.actor.may(Permission.PATIENT_OPEN)

    set_permission(db, manager, Role.PRACTICE_MANAGER, Permission.PATIENT_OPEN, allowed=True)
    set_permission(db, manager, Role.GP, Permission.PATIENT_OPEN, allowed=False)

    manager = signed(db, "smit")
    gp = signed(db, "bakker")
    assert manager.actor.may(Permission.PATIENT_OPEN)
    assert not gp.actor.may(Permission.PATIENT_OPEN)
    assert signed(db, "visser").actor.may(Permission.PATIENT_OPEN)  # POH-GGZ untouched
    with db.session() as session:
        row = session.scalar(select(User).where(User.username == "bakker"))
        assert row is not None
        assert Permission.PATIENT_OPEN not in actor_of(session, row, gp.vault).permissions
        assert permission_table(session, gp.vault)[Role.GP] == gp.actor.permissions

    open_from_his(db, manager, EXTRA_PATIENT)
    with pytest.raises(PermissionDeniedError):
        open_from_his(db, gp, EXTRA_PATIENT)

    # Turning it back on restores the default.
    set_permission(db, manager, Role.GP, Permission.PATIENT_OPEN, allowed=True)
    assert signed(db, "bakker").actor.may(Permission.PATIENT_OPEN)
    with db.session() as session:
        changes = session.scalars(
            select(AuditEntry).where(AuditEntry.event == "permission.change")
        ).all()
    assert [c.detail for c in changes] == [
        "patient_open=aan",
        "patient_open=uit",
        "patient_open=aan",
    ]
    assert {c.username for c in changes} == {"smit"}


def test_locked_pairs_cannot_be_revoked(db: Database) -> None:
    make_demo(db)
    manager = signed(db, "smit")
    for role, permission in sorted(LOCKED):
        with pytest.raises(ValidationError) as info:
            set_permission(db, manager, role, permission, allowed=False)
        assert "praktijkmanager" in info.value.message
    with db.session() as session:
        assert session.scalars(select(RolePermission)).all() == []
        # Even revocations written around gpdesk do not take the rights away.
        for role, permission in LOCKED:
            session.add(
                RolePermission(
                    role=role, permission=permission.value, allowed=False, changed_by="x"
                )
            )
    again = signed(db, "smit")
    assert all(again.actor.may(permission) for _, permission in LOCKED)


# -- adding, changing, disabling accounts ---------------------------------------------------


def test_new_user_gets_a_one_time_password_and_must_change_it(db: Database) -> None:
    make_demo(db)
    actor, one_time = add_user(
        db, signed(db, "smit"), username="de.boer", display_name="  P.  de Boer ",
        role=Role.POH_GGZ, kdf=FAST_KDF,
    )  # fmt: skip
    assert actor.role is Role.POH_GGZ
    assert actor.must_change_password
    assert len(one_time) >= 12

    first = sign_in(db, "de.boer", one_time)
    assert first.actor.must_change_password
    assert first.actor.display_name == "P. de Boer"

    with pytest.raises(ValidationError):
        change_password(db, "de.boer", one_time, one_time)
    with pytest.raises(ValidationError):
        change_password(db, "de.boer", one_time, "kort")
    changed = change_password(db, "de.boer", one_time, "mijn-eigen-wachtwoord")
    assert not changed.must_change_password

    again = sign_in(db, "De.Boer", "mijn-eigen-wachtwoord")
    assert not again.actor.must_change_password
    with pytest.raises(AuthError):
        sign_in(db, "de.boer", one_time)
    events = _events(db)
    assert "user.add" in events
    assert "password.change" in events


def test_reset_gives_a_new_one_time_password(db: Database) -> None:
    make_demo(db)
    one_time = reset_password(db, signed(db, "smit"), "bakker")
    with pytest.raises(AuthError):
        signed(db, "bakker")
    assert sign_in(db, "bakker", one_time).actor.must_change_password


def test_duplicate_user_is_refused(db: Database) -> None:
    make_demo(db)
    with pytest.raises(ValidationError):
        add_user(
            db, signed(db, "smit"), username="BAKKER", display_name="x", role=Role.GP,
            kdf=FAST_KDF,
        )  # fmt: skip


def test_disable_and_enable(db: Database) -> None:
    make_demo(db)
    manager = signed(db, "smit")
    set_active(db, manager, "bakker", active=False)
    with pytest.raises(AuthError) as info:
        signed(db, "bakker")
    assert info.value.message == VAGUE  # the Logboek says why; the sign-in screen does not
    with db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None
    assert (last.event, last.detail) == ("login.failed", "account uitgeschakeld")
    set_active(db, manager, "bakker", active=True)
    assert signed(db, "bakker").actor.username == "bakker"
    events = _events(db)
    assert "user.disable" in events
    assert "user.enable" in events


def test_cannot_disable_yourself(db: Database) -> None:
    make_demo(db)
    with pytest.raises(ValidationError) as info:
        set_active(db, signed(db, "smit"), "smit", active=False)
    assert "eigen account" in info.value.message
    assert signed(db, "smit").actor.username == "smit"


def test_cannot_disable_the_last_practice_manager(db: Database) -> None:
    make_demo(db)
    manager = signed(db, "smit")
    set_permission(db, manager, Role.GP, Permission.USERS_MANAGE, allowed=True)
    gp = signed(db, "bakker")
    with pytest.raises(ValidationError) as info:
        set_active(db, gp, "smit", active=False)
    assert "laatste praktijkmanager" in info.value.message
    assert signed(db, "smit").actor.username == "smit"

    # With a second praktijkmanager, the first may go.
    add_user(
        db, manager, username="pm2", display_name="P. Twee", role=Role.PRACTICE_MANAGER,
        kdf=FAST_KDF,
    )  # fmt: skip
    set_active(db, gp, "smit", active=False)
    with pytest.raises(ValidationError):
        set_active(db, gp, "pm2", active=False)


# -- sign-in: throttling, vague messages, audit --------------------------------------------


def _refusal(
    db: Database, username: str, password: str, moment: datetime | None = None
) -> tuple[type[AuthError], str, str]:
    with pytest.raises(AuthError) as info:
        sign_in(db, username, password, now=moment)
    return type(info.value), info.value.message, info.value.hint


def test_every_refusal_looks_the_same(db: Database) -> None:
    """Unknown, wrong password, disabled and waiting: one answer, so no account is given away."""
    make_demo(db)
    manager = signed(db, "smit")
    set_active(db, manager, "jansen", active=False)
    t0 = utcnow()
    for attempt in range(FREE_ATTEMPTS):
        _refusal(db, "visser", "fout-fout", t0 + timedelta(seconds=attempt))
    errors = {
        _refusal(db, "bakker", "fout-wachtwoord"),
        _refusal(db, "niemand", DEMO_PASSWORD),
        _refusal(db, "Ongeldige Naam!", DEMO_PASSWORD),
        _refusal(db, "bakker", ""),
        _refusal(db, "jansen", DEMO_PASSWORD),  # disabled, right password
        _refusal(db, "visser", DEMO_PASSWORD, t0 + timedelta(seconds=10)),  # waiting
    }
    assert len(errors) == 1
    kind, message, hint = errors.pop()
    assert (kind, message) == (AuthError, VAGUE) == (AuthError, REFUSED)
    assert hint == "Wacht even en probeer het opnieuw, of vraag de praktijkmanager."
    # Unlocking a locked workstation (the name is on screen already) leaves out the name.
    with pytest.raises(AuthError) as info:
        unlock(db, manager.actor, "fout-fout")
    assert (info.value.message, info.value.hint) == (UNLOCK_REFUSED, hint)


def test_failed_logins_are_throttled_and_audited(db: Database) -> None:
    make_demo(db)
    t0 = utcnow()
    wrong = "Fout-Wachtwoord-77"
    for attempt in range(FREE_ATTEMPTS):
        with pytest.raises(AuthError) as info:
            sign_in(db, "bakker", wrong, now=t0 + timedelta(seconds=attempt))
        assert info.value.message == VAGUE

    # The sixth attempt within the wait is refused even with the right password, in the same
    # words as a wrong password.
    with pytest.raises(AuthError) as info:
        sign_in(db, "bakker", DEMO_PASSWORD, now=t0 + timedelta(seconds=10))
    assert info.value.message == VAGUE

    # Other accounts are not affected.
    assert sign_in(db, "visser", DEMO_PASSWORD, now=t0 + timedelta(seconds=10))

    # After the wait the right password works and the counter starts again.
    ok = sign_in(db, "bakker", DEMO_PASSWORD, now=t0 + timedelta(seconds=40))
    assert ok.actor.username == "bakker"
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == "bakker"))
        assert user is not None
        assert user.failed_logins == 0
        assert user.locked_until is None

    with db.session() as session:
        failed = session.scalars(
            select(AuditEntry).where(AuditEntry.event == "login.failed").order_by(AuditEntry.seq)
        ).all()
        assert len(failed) == FREE_ATTEMPTS + 1
        assert {f.username for f in failed} == {"bakker"}
        assert {f.action for f in failed} == {audit.Action.READ.value}
        assert "wacht" in (failed[-1].detail or "")
        everything = session.scalars(select(AuditEntry)).all()
    for entry in everything:
        row = " ".join(str(getattr(entry, c)) for c in audit.EXPORT_COLUMNS)
        assert wrong not in row
        assert DEMO_PASSWORD not in row


def test_the_wait_grows_after_more_failures(db: Database) -> None:
    make_demo(db)
    t0 = utcnow()
    for attempt in range(FREE_ATTEMPTS):
        with pytest.raises(AuthError):
            sign_in(db, "jansen", "fout-fout", now=t0 + timedelta(seconds=attempt))
    # The first wait (30 s) is over; one more failure doubles it.
    with pytest.raises(AuthError) as info:
        sign_in(db, "jansen", "fout-fout", now=t0 + timedelta(seconds=40))
    assert info.value.message == VAGUE
    with pytest.raises(AuthError) as info:
        sign_in(db, "jansen", DEMO_PASSWORD, now=t0 + timedelta(seconds=40 + 45))
    assert info.value.message == VAGUE
    with db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None
    assert last.detail == "account wacht na te veel pogingen"
    assert sign_in(db, "jansen", DEMO_PASSWORD, now=t0 + timedelta(seconds=40 + 61))


def test_unknown_names_wait_like_accounts(db: Database) -> None:
    """A name without an account is counted and made to wait exactly as an account would."""
    make_demo(db)
    t0 = utcnow()
    for name in ("niemand", "bakker"):
        for attempt in range(FREE_ATTEMPTS):
            _refusal(db, name, "fout-fout", t0 + timedelta(seconds=attempt))
    with db.session() as session:
        row = session.get(SignInThrottle, "niemand")
        assert row is not None
        assert row.failed_logins == FREE_ATTEMPTS
        assert row.locked_until is not None
        bakker = session.scalar(select(User).where(User.username == "bakker"))
        assert bakker is not None
        assert row.locked_until == bakker.locked_until == t0 + timedelta(seconds=4 + 30)
    for name in ("niemand", "bakker"):
        _refusal(db, name, DEMO_PASSWORD, t0 + timedelta(seconds=10))  # waiting: not even tried
    with db.session() as session:
        details = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.event == "login.failed", AuditEntry.username == "niemand")
            .order_by(AuditEntry.seq)
        ).all()
    assert details[-1] == "onbekende gebruiker, wacht na te veel pogingen"
    assert details.count("onbekende gebruiker") == FREE_ATTEMPTS
    # After the wait, the count goes on and the wait doubles, as for an account.
    _refusal(db, "niemand", "fout-fout", t0 + timedelta(seconds=40))
    with db.session() as session:
        row = session.get(SignInThrottle, "niemand")
        assert row is not None
        assert row.failed_logins == FREE_ATTEMPTS + 1
        assert row.locked_until == t0 + timedelta(seconds=40 + 60)


def test_text_that_cannot_be_a_username_is_never_stored(db: Database) -> None:
    make_demo(db)
    typed = "Mijn Wachtwoord 123!"  # a password typed in the name field
    _refusal(db, typed, "x")
    with db.session() as session:
        names = session.scalars(select(SignInThrottle.name)).all()
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert names == ["?"]
    assert entry is not None
    assert entry.username == "?"


def test_no_practice_no_logbook_for_failed_sign_ins(db: Database) -> None:
    """Before set-up there are no accounts to protect and no Logboek to fill."""
    _refusal(db, "smit", "lang-genoeg")
    with db.session() as session:
        assert session.scalars(select(AuditEntry)).all() == []
        assert session.scalars(select(SignInThrottle)).all() == []


def test_enabling_an_account_clears_its_failures(db: Database) -> None:
    make_demo(db)
    manager = signed(db, "smit")
    set_active(db, manager, "jansen", active=False)
    for _ in range(FREE_ATTEMPTS):
        _refusal(db, "jansen", DEMO_PASSWORD)
    set_active(db, manager, "jansen", active=True)
    assert signed(db, "jansen").actor.username == "jansen"


def test_unknown_user_failures_are_audited_without_the_password(db: Database) -> None:
    make_demo(db)
    with pytest.raises(AuthError):
        sign_in(db, "niemand", "geheim-123456")
    with db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.event == "login.failed")).one()
    assert entry.username == "niemand"
    assert entry.user_id is None
    assert "geheim-123456" not in f"{entry.detail} {entry.object_id} {entry.checks}"


def test_successful_sign_in_is_audited_with_role(db: Database) -> None:
    make_demo(db)
    who = signed(db, "visser")
    with db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.event == "login").order_by(AuditEntry.seq.desc())
        ).first()
        user = session.get(User, who.actor.user_id)
        assert user is not None
        assert user.last_login_at is not None
    assert entry is not None
    assert (entry.username, entry.role, entry.user_id) == ("visser", "poh_ggz", who.actor.user_id)
