"""Accounts and permissions only gpdesk can change: a MAC ("seal") on every row that gates access.

Someone with the database file and no password could otherwise make themselves praktijkmanager,
enable a disabled account, lower an account's key cost, or copy a colleague's salt, verifier and
wrapped key into another account's row (issue #14). Each ``user_account`` row therefore carries
``seal``: HMAC-SHA256 under a key derived from the practice data key over everything that decides
who may sign in and with which rights: id, username, display name, role, active, must-change,
the Argon2id salt and parameters, the verifier and the wrapped key. Each ``role_permission`` row
carries one over role, permission, allowed and who changed it. Only an unlocked practice has the
key, so only gpdesk (through a signed-in user or the recovery key) can make a seal.

Not sealed, on purpose: ``failed_logins``, ``locked_until``, ``last_login_at`` and the
``sign_in_throttle`` table. They only slow down online guessing; someone who can write the file
can reset them, but gains no access by it (README, security section).

What a seal does not catch on its own: a whole row put back from an older copy of the database
(its old seal is genuine), or a row deleted. A deleted revocation in ``role_permission`` gives
that role the default back. The keyed audit chain and its anchors (#9) are what catch an older
copy; ``gpdesk check`` reports what this module finds.

A database upgraded from before seals (migration 0008) has rows without one. The first sign-in
after the upgrade seals every row as it finds it (trust on first use) and records
"accounts.seal" in the Logboek; from then on, and in every practice set up since, a row without a
seal is a changed row. The Logboek entry is the marker because nobody can remove it unnoticed
(the keyed chain); a marker in a table could be unset along with the seals. What trust on first
use cannot see: a row changed in the file *before* that first sign-in is sealed as it stands.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from gpdesk.models.audit import AuditEntry, AuditHead
from gpdesk.models.permission import RolePermission
from gpdesk.models.user import User
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.crypto import KdfParams, Vault, below_floor
from gpdesk.security.finding import Finding
from gpdesk.security.permissions import Permission

SEAL_PURPOSE = b"gpdesk account seal v1"
SEALED_EVENT = "accounts.seal"
"""The Logboek entry that says: from here on every account and permission row has a seal."""
ACCOUNT_TAMPERED_EVENT = "account.tampered"
PERMISSION_TAMPERED_EVENT = "permission.tampered"
WEAK_KEY_EVENT = "account.weak_key"

ACCOUNT_TABLE = "user_account"
PERMISSION_TABLE = "role_permission"

CHANGED_ACCOUNT = "rol, naam of status van het account is buiten gpdesk om gewijzigd"
CHANGED_KEY = "wachtwoordgegevens van het account zijn buiten gpdesk om gewijzigd"
FOREIGN_KEY = "de sleutel in dit account hoort bij een ander account of andere instellingen"
UNSEALED_ACCOUNT = "account heeft geen zegel (gewijzigd buiten gpdesk om)"
CHANGED_PERMISSION = "recht is buiten gpdesk om gewijzigd; het geeft niets extra"
UNSEALED_PERMISSION = "recht heeft geen zegel (gewijzigd buiten gpdesk om); het geeft niets extra"
NOT_YET_SEALED = "nog niet verzegeld: er heeft zich na de upgrade nog niemand aangemeld"
WEAK_KEY = "beveiliging van het wachtwoord is lager dan gpdesk toestaat"


def seal_key(vault: Vault) -> bytes:
    """The key of every account and permission seal; only an unlocked practice has it."""
    return vault.derive_key(SEAL_PURPOSE)


def _mac(key: bytes, table: str, fields: dict[str, object]) -> str:
    text = json.dumps([table, fields], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


_HALF = 32
"""Hex digits of each half of an account's seal (128 bits of HMAC-SHA256 each)."""


def _access_mac(key: bytes, user: User) -> str:
    return _mac(
        key,
        ACCOUNT_TABLE + ".access",
        {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": Role(user.role).value,
            "active": bool(user.active),
            "must_change_password": bool(user.must_change_password),
        },
    )[:_HALF]


def _key_mac(key: bytes, user: User) -> str:
    return _mac(
        key,
        ACCOUNT_TABLE + ".key",
        {
            "id": user.id,
            "username": user.username,
            "kdf_salt": bytes(user.kdf_salt).hex(),
            "kdf": [user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes],
            "password_verifier": bytes(user.password_verifier).hex(),
            "wrapped_key": bytes(user.wrapped_key).hex(),
        },
    )[:_HALF]


def account_mac(key: bytes, user: User) -> str:
    """The seal a ``user_account`` row should carry: over everything that gates its access.

    Two halves: who the account is and what it may (id, names, role, active, must-change), and
    its password material (salt, parameters, verifier, wrap). A reset replaces the second half
    whole, so it may repair an account whose password material was changed in the file, never
    one whose role or status was (``access_is_genuine``).
    """
    return _access_mac(key, user) + _key_mac(key, user)


def permission_mac(key: bytes, row: RolePermission) -> str:
    """The seal a ``role_permission`` row should carry."""
    return _mac(
        key,
        PERMISSION_TABLE,
        {
            "role": Role(row.role).value,
            "permission": row.permission,
            "allowed": bool(row.allowed),
            "changed_by": row.changed_by,
        },
    )


def seal_account(user: User, vault: Vault) -> None:
    """Seal ``user`` as it stands now; every change gpdesk makes to an account ends with this.

    The row must have its id (flush a new user first).
    """
    if user.id is None:
        raise ValueError("flush the new account before sealing it")
    user.seal = account_mac(seal_key(vault), user)


def seal_permission(row: RolePermission, vault: Vault) -> None:
    """Seal a grant or revocation as it stands now."""
    row.seal = permission_mac(seal_key(vault), row)


def _genuine(seal: str | None, expected: str) -> bool:
    return seal is not None and hmac.compare_digest(seal, expected)


def account_is_genuine(key: bytes, user: User) -> bool:
    """Whether the row is exactly as gpdesk last sealed it."""
    return _genuine(user.seal, account_mac(key, user))


def access_is_genuine(key: bytes, user: User) -> bool:
    """Whether who the account is and what it may are as gpdesk last sealed them."""
    return _genuine(None if user.seal is None else user.seal[:_HALF], _access_mac(key, user))


def permission_is_genuine(key: bytes, row: RolePermission) -> bool:
    """Whether the grant or revocation is exactly as gpdesk last sealed it."""
    return _genuine(row.seal, permission_mac(key, row))


def account_problem(key: bytes, user: User, *, started: bool) -> str | None:
    """What is wrong with an account row in Dutch, or None when it is as gpdesk sealed it."""
    if user.seal is None:
        return UNSEALED_ACCOUNT if started else NOT_YET_SEALED
    if not access_is_genuine(key, user):
        return CHANGED_ACCOUNT
    if not account_is_genuine(key, user):
        return CHANGED_KEY
    return None


def sealing_started(session: Session) -> bool:
    """Whether this practice seals its rows (set up since seals, or sealed after the upgrade)."""
    return bool(session.scalar(select(exists().where(AuditEntry.event == SEALED_EVENT))))


def record_sealing(session: Session, vault: Vault, *, username: str, detail: str) -> None:
    """The Logboek marker: rows without a seal are changed rows from this entry on."""
    audit.record(
        session,
        event=SEALED_EVENT,
        action=audit.Action.UPDATE,
        username=username,
        object_type=ACCOUNT_TABLE,
        detail=detail,
        vault=vault,
    )


def seal_everything(session: Session, vault: Vault, *, username: str) -> None:
    """Trust on first use after the upgrade: seal every row as it is, and record that once."""
    fresh = {"populate_existing": True}
    users = list(session.scalars(select(User).execution_options(**fresh)))
    rows = list(session.scalars(select(RolePermission).execution_options(**fresh)))
    for user in users:
        seal_account(user, vault)
    for row in rows:
        seal_permission(row, vault)
    record_sealing(
        session,
        vault,
        username=username,
        detail=f"{len(users)} accounts en {len(rows)} rechten verzegeld na de upgrade",
    )


def admit(session: Session, user: User, vault: Vault) -> str | None:
    """At sign-in, right after unwrapping: None when the account may go on, else the problem.

    The first sign-in after the upgrade seals every row (see the module docstring). Permission
    rows found changed are recorded in the Logboek here too: they give nothing (see
    ``genuine_overrides``) but the praktijkmanager must hear of them.
    """
    if user.seal is None and not sealing_started(session):
        # Two first sign-ins at once (PostgreSQL): the second waits here for the first to
        # commit, then finds the marker and checks the rows the first sealed.
        session.execute(select(AuditHead.seq).where(AuditHead.id == 1).with_for_update())
        if not sealing_started(session):
            seal_everything(session, vault, username=user.username)
            return None
        session.refresh(user)
    key = seal_key(vault)
    problem = account_problem(key, user, started=True)
    if problem is not None:
        return problem
    changed = _permission_findings(session, key, started=True)
    if changed:
        audit.record(
            session,
            event=PERMISSION_TAMPERED_EVENT,
            action=audit.Action.READ,
            username=user.username,
            object_type=PERMISSION_TABLE,
            object_id=", ".join(f.record_id for f in changed)[:64],
            detail=f"{len(changed)} rechten buiten gpdesk om gewijzigd; ze geven niets extra",
            vault=vault,
        )
    return None


def genuine_overrides(
    rows: Iterable[RolePermission], vault: Vault | None
) -> list[tuple[Role, Permission, bool]]:
    """The practice's grants and revocations; a row that is not genuine grants nothing.

    Such a row counts as a revocation of its permission, so a grant written into the file never
    takes effect (unknown permission names are ignored, as before). Without an unlocked vault
    (a locked screen) no seal can be checked: revocations hold, grants wait.
    """
    key = None if vault is None else seal_key(vault)
    known = {p.value for p in Permission}
    return [
        (
            Role(row.role),
            Permission(row.permission),
            row.allowed and key is not None and permission_is_genuine(key, row),
        )
        for row in rows
        if row.permission in known
    ]


# -- what ``gpdesk check`` reports ---------------------------------------------------------------


@dataclass(frozen=True)
class SealReport:
    """What one check looked at and what it found."""

    checked: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """Nothing found."""
        return not self.findings


def check_accounts(session: Session, vault: Vault) -> SealReport:
    """Every account row against its seal."""
    key = seal_key(vault)
    started = sealing_started(session)
    users = list(session.scalars(select(User).order_by(User.id)))
    findings = []
    for user in users:
        problem = account_problem(key, user, started=started)
        if problem is not None:
            findings.append(Finding(ACCOUNT_TABLE, str(user.id), problem))
    return SealReport(checked=len(users), findings=tuple(findings))


def check_permissions(session: Session, vault: Vault) -> SealReport:
    """Every grant and revocation row against its seal."""
    checked = session.scalar(select(func.count()).select_from(RolePermission)) or 0
    findings = _permission_findings(session, seal_key(vault), started=sealing_started(session))
    return SealReport(checked=checked, findings=findings)


def _permission_findings(session: Session, key: bytes, *, started: bool) -> tuple[Finding, ...]:
    order = (RolePermission.role, RolePermission.permission)
    findings = []
    for row in session.scalars(select(RolePermission).order_by(*order)):
        if row.seal is None:
            problem = UNSEALED_PERMISSION if started else NOT_YET_SEALED
        elif not permission_is_genuine(key, row):
            problem = CHANGED_PERMISSION
        else:
            continue
        record_id = f"{Role(row.role).value}/{row.permission}"
        findings.append(Finding(PERMISSION_TABLE, record_id, problem))
    return tuple(findings)


def check_key_cost(session: Session) -> SealReport:
    """Every account's stored Argon2id parameters against ``crypto.KDF_FLOOR``; needs no key."""
    rows = session.execute(
        select(User.id, User.kdf_memory_kib, User.kdf_iterations, User.kdf_lanes).order_by(User.id)
    ).all()
    findings = tuple(
        Finding(ACCOUNT_TABLE, str(user_id), WEAK_KEY)
        for user_id, memory, iterations, lanes in rows
        if below_floor(KdfParams(memory, iterations, lanes))
    )
    return SealReport(checked=len(rows), findings=findings)
