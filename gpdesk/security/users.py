"""Managing accounts (praktijkmanager): add, disable, reset, permissions, and recovery.

Every operation checks the permission in the core and writes its audit entry in the same
transaction. A new or reset account gets a one-time password and must choose its own at the
first sign-in.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import ValidationError
from gpdesk.models import Practice, Role, User
from gpdesk.models.permission import RolePermission
from gpdesk.security import account_seal, audit
from gpdesk.security.accounts import (
    SignedIn,
    account_words,
    check_password_strength,
    create_user,
    normalise_username,
    role_overrides,
    set_password,
)
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import (
    KdfParams,
    Vault,
    parse_recovery_key,
    recovery_kek,
    unwrap_key,
)
from gpdesk.security.permissions import LOCKED, Permission, effective_permissions, require


@dataclass(frozen=True)
class UserRow:
    """A user as Beheer lists them; no secrets."""

    user_id: int
    username: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    last_login_at: datetime | None
    locked_until: datetime | None


def who_may(
    users: Iterable[UserRow],
    table: Mapping[Role, frozenset[Permission]],
    permission: Permission,
) -> list[UserRow]:
    """The active accounts whose role has ``permission`` now: whom to ask when you may not."""
    return [u for u in users if u.active and permission in table.get(u.role, frozenset())]


def one_time_password() -> str:
    """Readable, typable, strong enough for a password that must be changed at once."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3)]
    return "-".join(groups)


def list_users(session: Session, *, include_disabled: bool = True) -> list[UserRow]:
    """Everyone with an account, for Beheer."""
    query = select(User).order_by(User.display_name)
    if not include_disabled:
        query = query.where(User.active)
    return [
        UserRow(
            user_id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            active=u.active,
            must_change_password=u.must_change_password,
            last_login_at=u.last_login_at,
            locked_until=u.locked_until,
        )
        for u in session.scalars(query)
    ]


CHANGED_OUTSIDE = (
    "Dit account is buiten gpdesk om gewijzigd. Zet een back-up terug, of schakel het uit en "
    "maak een nieuw account."
)
"""Why a changed account is not enabled, nor reset when its role or status was changed: that
would seal what someone wrote in the file as if gpdesk had. A reset does repair changed password
material (it replaces all of it). Disabling stays possible, without a new seal, so the account
keeps showing up in ``gpdesk check``."""


def _current(session: Session, user: User) -> bool:
    """Not put back from an older copy: its seal is the last one the keyed chain recorded."""
    return account_seal.account_is_current(account_seal.recorded_states(session), user)


def _genuine(session: Session, user: User, vault: Vault) -> bool:
    key = account_seal.seal_key(vault)
    return account_seal.account_is_genuine(key, user) and _current(session, user)


def _access_genuine(session: Session, user: User, vault: Vault) -> bool:
    key = account_seal.seal_key(vault)
    return account_seal.access_is_genuine(key, user) and _current(session, user)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise ValidationError({"gebruikersnaam": "Deze gebruiker bestaat niet."})
    return user


def add_user(
    db: Database,
    by: SignedIn,
    *,
    username: str,
    display_name: str,
    role: Role,
    kdf: KdfParams | None = None,
) -> tuple[Actor, str]:
    """Create an account with a one-time password; returns it to hand to the person."""
    require(by.actor.permissions, Permission.USERS_MANAGE)
    password = one_time_password()
    with db.session() as session:
        actor = create_user(
            session,
            by.vault,
            username=username,
            display_name=display_name,
            role=role,
            password=password,
            kdf=kdf,
            must_change_password=True,
        )
        user = session.get_one(User, actor.user_id)
        audit.record(
            session,
            event="user.add",
            action=audit.Action.CREATE,
            actor=by.actor,
            vault=by.vault,
            object_type="user",
            object_id=actor.username,
            detail=f"{actor.display_name} ({role.label})",  # staff, never a patient
            state=account_seal.state_text(users=[user]),
        )
    return actor, password


def set_active(db: Database, by: SignedIn, username: str, *, active: bool) -> None:
    """Disable (or re-enable) an account; the last active praktijkmanager cannot be disabled."""
    require(by.actor.permissions, Permission.USERS_MANAGE)
    with db.session() as session:
        user = _user(session, username)
        if not active:
            if user.id == by.actor.user_id:
                raise ValidationError(
                    {"gebruikersnaam": "U kunt uw eigen account niet uitschakelen."}
                )
            if user.role is Role.PRACTICE_MANAGER and _active_managers(session) <= 1:
                raise ValidationError(
                    {"gebruikersnaam": "Dit is de laatste praktijkmanager; die blijft actief."}
                )
        genuine = _genuine(session, user, by.vault)
        if active and not genuine:
            raise ValidationError({"gebruikersnaam": CHANGED_OUTSIDE})
        user.active = active
        if active:  # a fresh start: failures while disabled no longer count
            user.failed_logins = 0
            user.locked_until = None
        if genuine:
            account_seal.seal_account(user, by.vault)
        audit.record(
            session,
            event="user.enable" if active else "user.disable",
            action=audit.Action.UPDATE,
            actor=by.actor,
            vault=by.vault,
            object_type="user",
            object_id=user.username,
            detail=f"{user.display_name} ({user.role.label})",
            state=account_seal.state_text(users=[user]) if genuine else None,
        )


def _active_managers(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.active, User.role == Role.PRACTICE_MANAGER)
        )
        or 0
    )


def reset_password(db: Database, by: SignedIn, username: str) -> str:
    """A new one-time password for someone who forgot theirs; they must change it at sign-in."""
    require(by.actor.permissions, Permission.USERS_MANAGE)
    password = one_time_password()
    with db.session() as session:
        user = _user(session, username)
        if not _access_genuine(session, user, by.vault):
            raise ValidationError({"gebruikersnaam": CHANGED_OUTSIDE})
        set_password(user, by.vault, password)  # today's key cost, never the stored one
        user.must_change_password = True
        account_seal.seal_account(user, by.vault)
        audit.record(
            session,
            event="user.reset",
            action=audit.Action.UPDATE,
            actor=by.actor,
            vault=by.vault,
            object_type="user",
            object_id=user.username,
            detail=user.display_name,
            state=account_seal.state_text(users=[user]),
        )
    return password


def recover_access(
    db: Database,
    username: str,
    recovery_key: str,
    new_password: str,
    kdf: KdfParams | None = None,
) -> None:
    """When every password is lost: the printed recovery key gives ``username`` a new password."""
    raw = parse_recovery_key(recovery_key)
    with db.session() as session:
        wrapped = session.scalar(select(Practice.recovery_wrapped_key).limit(1))
        if wrapped is None:
            raise ValidationError({"praktijk": "Deze database bevat nog geen praktijk."})
        vault = Vault(unwrap_key(wrapped, recovery_kek(raw)))
        user = _user(session, username)
        check_password_strength(new_password, account_words(session, user))
        if not account_seal.sealing_started(session):  # recovery as the first use after upgrade
            account_seal.seal_everything(session, vault, username=user.username)
        set_password(user, vault, new_password, kdf)
        user.active = True
        user.must_change_password = False
        account_seal.seal_account(user, vault)
        audit.record(
            session,
            event="user.recover",
            action=audit.Action.UPDATE,
            username=user.username,
            vault=vault,
            object_type="user",
            object_id=user.username,
            detail=user.display_name,
            state=account_seal.state_text(users=[user]),
        )


def permission_table(session: Session, vault: Vault | None) -> dict[Role, frozenset[Permission]]:
    """Effective permissions per role, for the Beheer overview.

    Rows gpdesk did not seal grant nothing, as at sign-in.
    """
    overrides = role_overrides(session, vault)
    return {role: effective_permissions(role, overrides) for role in Role}


def set_permission(
    db: Database, by: SignedIn, role: Role, permission: Permission, *, allowed: bool
) -> None:
    """Grant or revoke one permission for a role in this practice."""
    require(by.actor.permissions, Permission.SETTINGS_MANAGE)
    if (role, permission) in LOCKED:
        raise ValidationError(
            {"recht": "Dit recht hoort altijd bij de praktijkmanager en kan niet uit."}
        )
    with db.session() as session:
        row = session.get(RolePermission, (role, permission.value))
        if row is None:
            row = RolePermission(
                role=role,
                permission=permission.value,
                allowed=allowed,
                changed_by=by.actor.username,
            )
            session.add(row)
        else:
            row.allowed = allowed
            row.changed_by = by.actor.username
        account_seal.seal_permission(row, by.vault)
        audit.record(
            session,
            event="permission.change",
            action=audit.Action.UPDATE,
            actor=by.actor,
            vault=by.vault,
            object_type="role",
            object_id=role.value,
            detail=f"{permission.value}={'aan' if allowed else 'uit'}",
            state=account_seal.state_text(permissions=[row]),
        )
