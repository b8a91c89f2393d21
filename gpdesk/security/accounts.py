"""Signing in: passwords, throttling, the unlocked practice key, and what a user carries.

Every refusal says the same thing ("Onbekende gebruikersnaam of onjuist wachtwoord, of te veel
pogingen."), whether the name is unknown, the password wrong, the account disabled or waiting
after too many failures, so the sign-in screen tells nobody which accounts exist or are
disabled. A disabled account gets that message too: its owner hears why from the praktijkmanager,
and Beheer and the Logboek show it. Unknown names are counted and made to wait exactly like
accounts (``SignInThrottle``), and cost one Argon2id derivation at ``DEFAULT_KDF`` with a fixed
salt (the cost of a real account), so neither the wait nor the time taken gives an account away.
The Logboek records the real reason of every failure.

Two refusals say more, and only to someone who typed the account's right password (so they give
no name away): an account changed outside gpdesk (``account_seal``: its seal fails, or its key
belongs to another account) and an account whose key cost is below ``crypto.KDF_FLOOR``. Both
mean someone wrote in the database file; the user must hear that their account is blocked and
why, the praktijkmanager finds it in the Logboek ("account.tampered", "account.weak_key") and
in ``gpdesk check``. Neither is counted as a failed attempt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import AccountBlockedError, AuthError, ValidationError
from gpdesk.models import Practice, Role, SignInThrottle, User, utcnow
from gpdesk.models.permission import RolePermission
from gpdesk.security import account_seal, audit, crypto
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import (
    DecryptionError,
    KdfParams,
    Vault,
    derive_password_keys,
    new_salt,
    unwrap_key,
    verify_password,
    wrap_context,
)
from gpdesk.security.passwords import own_words, require_strong
from gpdesk.security.permissions import Permission, effective_permissions
from gpdesk.security.rebind import rebind_if_needed

FREE_ATTEMPTS = 5
"""Failed sign-ins allowed before the account waits; each further failure doubles the wait."""
MAX_WAIT = timedelta(minutes=15)
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the actor and the practice data key unlocked for them."""

    actor: Actor
    vault: Vault


def role_overrides(session: Session, vault: Vault | None) -> list[tuple[Role, Permission, bool]]:
    """Grants and revocations; a row gpdesk did not seal, or not last, grants nothing."""
    started = account_seal.sealing_started(session)  # states are recorded from its marker on
    recorded = account_seal.recorded_states(session) if started else None
    rows = session.scalars(select(RolePermission))
    return account_seal.genuine_overrides(rows, vault, recorded)


def actor_of(session: Session, user: User, vault: Vault) -> Actor:
    """The Actor for a user row, with the practice's effective permissions."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        permissions=effective_permissions(user.role, role_overrides(session, vault)),
        must_change_password=user.must_change_password,
    )


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive and plain, so they can be typed at any workstation."""
    cleaned = username.strip().lower()
    if not _USERNAME.match(cleaned):
        raise ValidationError(
            {
                "gebruikersnaam": "Een gebruikersnaam heeft 2 tot 32 tekens: kleine letters, "
                "cijfers, punt, streepje of liggend streepje, en begint met een letter."
            }
        )
    return cleaned


def check_password_strength(password: str, words: Sequence[str] = ()) -> None:
    """The password rule (``security/passwords.py``) for a password a person chooses.

    ``set_password`` and ``create_user`` do not call it: one-time passwords are random, and the
    demo's ``demo1234`` guards fictional data only. Its callers are init, change and recovery.
    """
    require_strong(password, words)


def set_password(user: User, vault: Vault, password: str, kdf: KdfParams | None = None) -> None:
    """Give ``user`` a new password: fresh salt, verifier and wrap of the practice key.

    No strength check here (see ``check_password_strength``). The caller seals the account once
    it has made all its changes (``account_seal``).
    """
    _store_password(user, vault, password, kdf)


def _store_password(user: User, vault: Vault, password: str, kdf: KdfParams | None) -> None:
    """A new salt, verifier and bound wrap, at today's ``DEFAULT_KDF``.

    Never at what the row held before, and never below the floor; only a throwaway practice
    (tests, tools) passes ``kdf``.
    """
    params = crypto.DEFAULT_KDF if kdf is None else kdf
    if crypto.below_floor(params):
        raise ValueError("key derivation parameters below crypto.KDF_FLOOR")
    salt = new_salt()
    verifier, kek = derive_password_keys(password, salt, params)
    user.kdf_salt = salt
    user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes = (
        params.memory_kib,
        params.iterations,
        params.lanes,
    )
    user.password_verifier = verifier
    user.wrapped_key = vault.wrap_for(kek, wrap_context(user.username, params))
    user.failed_logins = 0
    user.locked_until = None


def create_user(
    session: Session,
    vault: Vault,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    kdf: KdfParams | None = None,
    must_change_password: bool = False,
) -> Actor:
    """Add a user and wrap the practice data key under their password."""
    name = normalise_username(username)
    display = " ".join(display_name.split())
    if not display:
        raise ValidationError({"naam": "Vul de naam van de gebruiker in."})
    exists = session.scalar(select(func.count()).select_from(User).where(User.username == name))
    if exists:
        raise ValidationError({"gebruikersnaam": "Deze gebruikersnaam bestaat al."})
    user = User(
        username=name, display_name=display, role=role, must_change_password=must_change_password
    )
    set_password(user, vault, password, kdf)
    session.add(user)
    session.flush()
    account_seal.seal_account(user, vault)
    return actor_of(session, user, vault)


def _wait_after(failures: int) -> timedelta:
    extra = max(0, failures - FREE_ATTEMPTS)
    return min(timedelta(seconds=30) * (1 << min(extra, 10)), MAX_WAIT)


TAMPERED = "Dit account is buiten gpdesk om gewijzigd. Aanmelden kan daarom niet."
"""Said only after the right password: the account's seal or key does not match (see above)."""
WEAK_KEY = "De beveiliging van dit wachtwoord is buiten gpdesk om verlaagd. Aanmelden kan niet."
"""Said only after the right password: the stored key cost is below ``crypto.KDF_FLOOR``."""
REFUSED = "Onbekende gebruikersnaam of onjuist wachtwoord, of te veel pogingen."
"""The one answer to every failed sign-in or password check (see the module docstring)."""
UNLOCK_REFUSED = "Onjuist wachtwoord, of te veel pogingen."
"""The same answer on the lock page, where the signed-in user's name is already on screen."""


def _vague() -> AuthError:
    return AuthError(
        REFUSED,
        hint="Wacht even en probeer het opnieuw, of vraag de praktijkmanager.",
    )


def _count_failure(row: User | SignInThrottle, moment: datetime) -> int:
    """One more failure; from the ``FREE_ATTEMPTS``-th on, the name waits (doubling)."""
    row.failed_logins += 1
    if row.failed_logins >= FREE_ATTEMPTS:
        row.locked_until = moment + _wait_after(row.failed_logins)
    return row.failed_logins


def _blocked(session: Session, user: User, event: str, message: str, detail: str) -> AuthError:
    """A changed account: audited with what is wrong, refused with a message that says so."""
    audit.record(
        session, event=event, action=audit.Action.READ, username=user.username,
        object_type=account_seal.ACCOUNT_TABLE, object_id=user.id, detail=detail,
    )  # fmt: skip
    return AccountBlockedError(
        message,
        hint="Vraag de praktijkmanager de database te controleren (gpdesk check) en zo nodig "
        "een back-up terug te zetten.",
    )


def _failed(session: Session, username: str, detail: str, event: str = "login.failed") -> AuthError:
    """Audit the real reason; answer the vague message."""
    audit.record(session, event=event, action=audit.Action.READ, username=username, detail=detail)
    return _vague()


def _authenticate(
    session: Session, name: str | None, password: str, moment: datetime
) -> tuple[User, Vault] | AuthError:
    """One password check: failures are counted, throttled and audited here; a success is not.

    What a success means (a sign-in, an unlock, a switch of user) is for the caller to record, in
    this same session. ``name`` is None for text that cannot be a username: never stored (it
    may be a password typed in the wrong field), counted together under "?".
    """
    user = None if name is None else session.scalar(select(User).where(User.username == name))
    if user is None:
        return _unknown(session, name or "?", password, moment)
    if user.locked_until is not None and user.locked_until > moment:
        return _failed(session, user.username, "account wacht na te veel pogingen")
    params = KdfParams(user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes)
    weak = crypto.below_floor(params)
    if weak:  # the time of a real account, not the few microseconds of these parameters
        derive_password_keys(password, crypto.DUMMY_SALT, crypto.DEFAULT_KDF)
    weak_detail = f"{account_seal.WEAK_KEY} ({params.memory_kib} KiB, {params.iterations}x)"
    try:
        kek = verify_password(password, user.kdf_salt, params, user.password_verifier)
    except AuthError:
        count = _count_failure(user, moment)
        if weak:  # lowered in the file, the right password no longer fits either
            detail = f"{weak_detail}; onjuist wachtwoord ({count}x)"
            return _failed(session, user.username, detail, account_seal.WEAK_KEY_EVENT)
        return _failed(session, user.username, f"onjuist wachtwoord ({count}x)")
    if weak:
        return _blocked(session, user, account_seal.WEAK_KEY_EVENT, WEAK_KEY, weak_detail)
    if not user.active:
        # Counted like a wrong password, so a disabled account cannot be told apart.
        _count_failure(user, moment)
        return _failed(session, user.username, "account uitgeschakeld")
    try:
        vault = Vault(unwrap_key(user.wrapped_key, kek, wrap_context(user.username, params)))
    except DecryptionError:
        event = account_seal.ACCOUNT_TAMPERED_EVENT
        return _blocked(session, user, event, TAMPERED, account_seal.FOREIGN_KEY)
    problem = account_seal.admit(session, user, vault)
    if problem is not None:
        return _blocked(session, user, account_seal.ACCOUNT_TAMPERED_EVENT, TAMPERED, problem)
    if not crypto.is_bound_wrap(user.wrapped_key):
        # A wrap from before it named its user: made anew, at today's key cost.
        _store_password(user, vault, password, None)
        account_seal.seal_account(user, vault)
        account_seal.record_states(
            session, vault, username=user.username, users=[user],
            detail="sleutel van het account opnieuw verpakt na de upgrade",
        )  # fmt: skip
    rebind_if_needed(session, vault)  # once, after migration 0007 (gpdesk.security.rebind)
    user.failed_logins = 0
    user.locked_until = None
    return user, vault


def _unknown(session: Session, name: str, password: str, moment: datetime) -> AuthError:
    """A name without an account: the same cost, count, wait and message as a real one."""
    if session.scalar(select(Practice.id).limit(1)) is None:
        return _vague()  # no practice yet: no accounts to give away, no Logboek to write
    row = session.get(SignInThrottle, name)
    if row is not None and row.locked_until is not None and row.locked_until > moment:
        return _failed(session, name, "onbekende gebruiker, wacht na te veel pogingen")
    # As long as checking a real account's password: today's parameters, a fixed salt.
    derive_password_keys(password, crypto.DUMMY_SALT, crypto.DEFAULT_KDF)
    refusal = _failed(session, name, "onbekende gebruiker")
    # The audit entry above holds the chain's lock: concurrent failures for one name queue here.
    row = session.get(SignInThrottle, name, populate_existing=True)
    if row is None:
        row = SignInThrottle(name=name, failed_logins=0, last_failed_at=moment)
        session.add(row)
    row.last_failed_at = moment
    _count_failure(row, moment)
    return refusal


def _name_or_none(username: str) -> str | None:
    try:
        return normalise_username(username)
    except ValidationError:
        return None


def sign_in(db: Database, username: str, password: str, *, now: datetime | None = None) -> SignedIn:
    """Check the password and unlock the practice key; failures are counted, throttled, audited.

    Every failure gives the same vague message, so nobody learns which usernames exist.
    """
    moment = now or utcnow()
    with db.session() as session:
        outcome = _authenticate(session, _name_or_none(username), password, moment)
        if not isinstance(outcome, AuthError):
            user, vault = outcome
            user.last_login_at = moment
            actor = actor_of(session, user, vault)
            audit.record(session, event="login", action=audit.Action.READ, actor=actor, vault=vault)
            return SignedIn(actor=actor, vault=vault)
    # The session above has committed the count and the audit entry before we refuse.
    raise outcome


def unlock(db: Database, actor: Actor, password: str, *, now: datetime | None = None) -> SignedIn:
    """Unlock a locked workstation for the same user (the key was dropped when it locked).

    Recorded as "unlock", not as a new sign-in: the user never left.
    """
    moment = now or utcnow()
    with db.session() as session:
        outcome = _authenticate(session, actor.username, password, moment)
        if not isinstance(outcome, AuthError):
            user, vault = outcome
            fresh = actor_of(session, user, vault)
            audit.record(
                session, event="unlock", action=audit.Action.READ, actor=fresh, vault=vault
            )
            return SignedIn(actor=fresh, vault=vault)
    if isinstance(outcome, AccountBlockedError):
        raise outcome
    # The lock page shows who is signed in, so the name is no secret here; "onbekende
    # gebruikersnaam" would only puzzle them.
    raise AuthError(UNLOCK_REFUSED, hint=outcome.hint)


def switch_user(
    db: Database, previous: Actor, username: str, password: str, *, now: datetime | None = None
) -> SignedIn:
    """A colleague signs in at a workstation locked by ``previous``.

    The previous user is signed out and the colleague signed in, in one transaction with the
    entries "logout", "login" and "switch_user". The same user typing their own name is an
    unlock. A colleague with a one-time password is only signed in ("login"): the switch happens
    once they have chosen their own password and call this again with it.
    """
    moment = now or utcnow()
    with db.session() as session:
        outcome = _authenticate(session, _name_or_none(username), password, moment)
        if not isinstance(outcome, AuthError):
            user, vault = outcome
            actor = actor_of(session, user, vault)
            if user.id == previous.user_id:
                audit.record(
                    session, event="unlock", action=audit.Action.READ, actor=actor, vault=vault
                )
                return SignedIn(actor=actor, vault=vault)
            user.last_login_at = moment
            if user.must_change_password:  # not yet: first their own password
                audit.record(
                    session, event="login", action=audit.Action.READ, actor=actor, vault=vault
                )
                return SignedIn(actor=actor, vault=vault)
            audit.record(
                session, event="logout", action=audit.Action.READ, actor=previous,
                detail="andere gebruiker aangemeld op deze werkplek",
            )  # fmt: skip
            audit.record(session, event="login", action=audit.Action.READ, actor=actor)
            audit.record(
                session, event="switch_user", action=audit.Action.READ, actor=actor,
                detail=f"in plaats van {previous.display_name}", vault=vault,
            )  # fmt: skip
            return SignedIn(actor=actor, vault=vault)
    raise outcome


def sign_out(db: Database, actor: Actor) -> None:
    """The user leaves gpdesk (quits, signed in or locked): recorded as "logout"."""
    with db.session() as session:
        audit.record(
            session, event="logout", action=audit.Action.READ, actor=actor,
            detail="gpdesk afgesloten",
        )  # fmt: skip


def change_password(db: Database, username: str, old: str, new: str) -> Actor:
    """The user's own password change (also the forced change on first sign-in).

    The old password is checked like a sign-in (failures count and are audited) but the change
    itself is recorded only as "password.change": the caller is already signed in.
    """
    if new == old:
        raise ValidationError({"wachtwoord": "Kies een ander wachtwoord dan het huidige."})
    check_password_strength(new, own_words(username=username))  # before any key derivation
    with db.session() as session:
        outcome = _authenticate(session, _name_or_none(username), old, utcnow())
        if not isinstance(outcome, AuthError):
            user, vault = outcome
            check_password_strength(new, account_words(session, user))
            set_password(user, vault, new)  # today's key cost, never the stored one
            user.must_change_password = False
            account_seal.seal_account(user, vault)
            actor = actor_of(session, user, vault)
            audit.record(
                session, event="password.change", action=audit.Action.UPDATE, actor=actor,
                vault=vault, state=account_seal.state_text(users=[user]),
            )  # fmt: skip
            return actor
    raise outcome


def account_words(session: Session, user: User) -> list[str]:
    """A signed-in (or recovering) user's own words for the password rule; not before that."""
    return own_words(
        username=user.username,
        display_name=user.display_name,
        practice_name=practice_name(session) or "",
    )


def practice_name(session: Session) -> str | None:
    """The practice's name, or None when this database has not been set up yet."""
    return session.scalar(select(Practice.name).limit(1))
