"""Setting up a practice: the first account, the data key and its recovery key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import PracticeError, ValidationError
from gpdesk.models import Practice, Role
from gpdesk.security import audit
from gpdesk.security.accounts import Actor, create_user
from gpdesk.security.crypto import (
    DEFAULT_KDF,
    KdfParams,
    Vault,
    format_recovery_key,
    new_recovery_key,
    recovery_kek,
)


@dataclass(frozen=True)
class PracticeInfo:
    """What the shell shows about the practice: no secrets."""

    name: str
    is_demo: bool


@dataclass(frozen=True)
class NewPractice:
    """Result of set-up; ``recovery_key`` is shown once and never stored in plaintext."""

    practice: PracticeInfo
    manager: Actor
    recovery_key: str
    vault: Vault


def load_practice(db: Database) -> PracticeInfo | None:
    """The practice in this database, or None when it is still empty."""
    with db.session() as session:
        row = session.scalar(select(Practice).limit(1))
        return None if row is None else PracticeInfo(name=row.name, is_demo=row.is_demo)


def create_practice(
    session: Session,
    *,
    practice_name: str,
    username: str,
    display_name: str,
    password: str,
    kdf: KdfParams = DEFAULT_KDF,
    is_demo: bool = False,
) -> NewPractice:
    """Create the practice and its first praktijkmanager inside the caller's transaction."""
    name = " ".join(practice_name.split())
    if not name:
        raise ValidationError({"praktijk": "Vul de naam van de praktijk in."})
    if session.scalar(select(Practice.id).limit(1)) is not None:
        raise PracticeError(
            "Deze database bevat al een praktijk.",
            hint="Kies een andere map met --home, of meld u aan bij de bestaande praktijk.",
        )
    vault = Vault.create()
    recovery = new_recovery_key()
    session.add(
        Practice(
            name=name, is_demo=is_demo, recovery_wrapped_key=vault.wrap_for(recovery_kek(recovery))
        )
    )
    manager = create_user(
        session,
        vault,
        username=username,
        display_name=display_name,
        role=Role.PRACTICE_MANAGER,
        password=password,
        kdf=kdf,
    )
    audit.ensure_head(session)
    audit.record(
        session,
        event="practice.init",
        action=audit.Action.CREATE,
        actor=manager,
        object_type="practice",
        detail="demo" if is_demo else None,
    )
    return NewPractice(
        practice=PracticeInfo(name=name, is_demo=is_demo),
        manager=manager,
        recovery_key=format_recovery_key(recovery),
        vault=vault,
    )


def init_practice(
    db: Database,
    *,
    practice_name: str,
    username: str,
    display_name: str,
    password: str,
    kdf: KdfParams = DEFAULT_KDF,
) -> NewPractice:
    """``gpdesk init``: an empty database becomes a practice with one praktijkmanager."""
    with db.session() as session:
        return create_practice(
            session,
            practice_name=practice_name,
            username=username,
            display_name=display_name,
            password=password,
            kdf=kdf,
        )
