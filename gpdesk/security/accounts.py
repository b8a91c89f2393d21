"""Users: creation, sign-in and what a signed-in user carries (their role and the unlocked key)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.errors import AuthError, ValidationError
from gpdesk.models import Practice, Role, User, utcnow
from gpdesk.security.crypto import (
    DEFAULT_KDF,
    KdfParams,
    Vault,
    derive_password_keys,
    new_salt,
    unwrap_key,
    verify_password,
)

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


@dataclass(frozen=True)
class Actor:
    """Who is acting: handed to the UI and to every service call instead of an ORM object."""

    user_id: int
    username: str
    display_name: str
    role: Role
    must_change_password: bool = False

    def describe(self) -> str:
        """For the status bar: ``H. Bakker (huisarts)``."""
        return f"{self.display_name} ({self.role.label})"


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the actor and the practice data key unlocked for them."""

    actor: Actor
    vault: Vault


def _actor(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
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


def check_password_strength(password: str) -> None:
    """The minimum a practice account needs; longer pass phrases are encouraged in the UI."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            {"wachtwoord": f"Een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens."}
        )


def create_user(
    session: Session,
    vault: Vault,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    kdf: KdfParams = DEFAULT_KDF,
    must_change_password: bool = False,
) -> Actor:
    """Add a user and wrap the practice data key under their password."""
    name = normalise_username(username)
    check_password_strength(password)
    display = " ".join(display_name.split())
    if not display:
        raise ValidationError({"naam": "Vul de naam van de gebruiker in."})
    exists = session.scalar(select(func.count()).select_from(User).where(User.username == name))
    if exists:
        raise ValidationError({"gebruikersnaam": "Deze gebruikersnaam bestaat al."})
    salt = new_salt()
    verifier, kek = derive_password_keys(password, salt, kdf)
    user = User(
        username=name,
        display_name=display,
        role=role,
        kdf_salt=salt,
        kdf_memory_kib=kdf.memory_kib,
        kdf_iterations=kdf.iterations,
        kdf_lanes=kdf.lanes,
        password_verifier=verifier,
        wrapped_key=vault.wrap_for(kek),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return _actor(user)


def sign_in(session: Session, username: str, password: str) -> SignedIn:
    """Check the password and unlock the practice data key; one vague message for every failure."""
    failure = AuthError(
        "Onbekende gebruikersnaam of onjuist wachtwoord.",
        hint="Controleer de gegevens en probeer het opnieuw.",
    )
    try:
        name = normalise_username(username)
    except ValidationError:
        raise failure from None
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise failure
    params = KdfParams(user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes)
    kek = verify_password(password, user.kdf_salt, params, user.password_verifier)
    if not user.active:
        raise AuthError(
            "Dit account is uitgeschakeld.",
            hint="Vraag de praktijkmanager om het account weer aan te zetten.",
        )
    vault = Vault(unwrap_key(user.wrapped_key, kek))
    user.last_login_at = utcnow()
    return SignedIn(actor=_actor(user), vault=vault)


def list_users(session: Session) -> list[Actor]:
    """Everyone who can sign in, for Beheer; no secrets leave this function."""
    users = session.scalars(select(User).where(User.active).order_by(User.display_name))
    return [_actor(u) for u in users]


def practice_name(session: Session) -> str | None:
    """The practice's name, or None when this database has not been set up yet."""
    return session.scalar(select(Practice.name).limit(1))
