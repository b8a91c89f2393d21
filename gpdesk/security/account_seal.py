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
(its old seal is genuine), or a row deleted. So every audit entry of a gpdesk write of an account
or permission row records the row's seal as its ``state`` (``state_text``), in compact JSON:
``{"user_account": {"5": "<seal>"}, "role_permission": {"assistant/patient_open": "<seal>"}}``.
The seal is already a MAC over the whole row, so "the row's seal verifies and equals the last
seal the keyed chain recorded" means "the row is exactly as gpdesk last wrote it". At sign-in an
account whose seal is not the last recorded one is refused like a changed account; a permission
row that is not grants nothing, and one the chain recorded but the table lacks (a deleted
revocation) counts as revoked. Those entries carry one of ``STATE_EVENTS`` (indexed), so the
lookup reads only the practice's account and permission changes, never its patient entries.
The keyed audit chain and its anchors (#9) are what catch an older copy of the whole database;
``gpdesk check`` reports what this module finds.

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
from collections.abc import Iterable, Mapping
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
STATE_EVENT = "accounts.state"
"""A Logboek entry that only records account states (the demo's accounts, a wrap made anew)."""
STATE_EVENTS = (
    SEALED_EVENT, STATE_EVENT, "user.add", "user.enable", "user.disable", "user.reset",
    "user.recover", "password.change", "permission.change",
)  # fmt: skip
"""Every event whose entry may record account or permission states (see the module docstring)."""

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
ROLLED_BACK_ACCOUNT = (
    "account is niet meer zoals gpdesk het laatst opsloeg: teruggezet uit een oudere kopie"
)
NOT_RECORDED_ACCOUNT = "account staat niet in het logboek: buiten gpdesk toegevoegd"
REMOVED_ACCOUNT = "account ontbreekt: buiten gpdesk verwijderd"
ROLLED_BACK_PERMISSION = (
    "recht is teruggezet uit een oudere kopie (buiten gpdesk); het geeft niets extra"
)
NOT_RECORDED_PERMISSION = (
    "recht staat niet in het logboek: buiten gpdesk toegevoegd; het geeft niets extra"
)
REMOVED_PERMISSION = (
    "recht ontbreekt: buiten gpdesk verwijderd; het blijft uit tot de praktijkmanager het "
    "opnieuw instelt"
)


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
    """The Logboek marker: rows without a seal are changed rows from this entry on.

    It records the state of every account and permission row as it stands (the baseline).
    """
    audit.record(
        session,
        event=SEALED_EVENT,
        action=audit.Action.UPDATE,
        username=username,
        object_type=ACCOUNT_TABLE,
        detail=detail,
        vault=vault,
        state=all_states(session),
    )


def record_states(
    session: Session, vault: Vault, *, username: str, detail: str, users: Iterable[User]
) -> None:
    """An entry that only records the state of accounts gpdesk just sealed (no other event)."""
    audit.record(
        session,
        event=STATE_EVENT,
        action=audit.Action.UPDATE,
        username=username,
        object_type=ACCOUNT_TABLE,
        detail=detail,
        vault=vault,
        state=state_text(users=users),
    )


# -- the last state the chain recorded ------------------------------------------------------


def permission_id(row: RolePermission) -> str:
    """How findings and recorded states name a permission row: ``rol/recht``."""
    return f"{Role(row.role).value}/{row.permission}"


def state_text(*, users: Iterable[User] = (), permissions: Iterable[RolePermission] = ()) -> str:
    """The audit entry's ``state`` for account and permission rows gpdesk just sealed."""
    data: dict[str, dict[str, str]] = {}
    for user in users:
        if user.seal is None:
            raise ValueError("seal the account before recording its state")
        data.setdefault(ACCOUNT_TABLE, {})[str(user.id)] = user.seal
    for row in permissions:
        if row.seal is None:
            raise ValueError("seal the permission before recording its state")
        data.setdefault(PERMISSION_TABLE, {})[permission_id(row)] = row.seal
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def all_states(session: Session) -> str:
    """Every account and permission row's state, for a baseline entry (all rows sealed)."""
    session.flush()
    users = session.scalars(select(User).where(User.seal.is_not(None)))
    rows = session.scalars(select(RolePermission).where(RolePermission.seal.is_not(None)))
    return state_text(users=list(users), permissions=list(rows))


Recorded = Mapping[tuple[str, str], str]
"""(table, record id) -> the last seal the chain recorded for that row."""


def recorded_states(session: Session) -> dict[tuple[str, str], str]:
    """The last recorded state of every account and permission row: one indexed query.

    Reads only entries of ``STATE_EVENTS`` with a state: the practice's account and permission
    changes (tens to a few hundred entries), oldest first, so a later entry wins.
    """
    query = (
        select(AuditEntry.state)
        .where(AuditEntry.event.in_(STATE_EVENTS), AuditEntry.state.is_not(None))
        .order_by(AuditEntry.seq)
    )
    found: dict[tuple[str, str], str] = {}
    for text in session.scalars(query):
        try:
            data = json.loads(text or "")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        for table in (ACCOUNT_TABLE, PERMISSION_TABLE):
            rows = data.get(table)
            if isinstance(rows, dict):
                for record_id, seal in rows.items():
                    if isinstance(seal, str):
                        found[table, str(record_id)] = seal
    return found


def _current(recorded: Recorded, table: str, record_id: str, seal: str | None) -> bool:
    last = recorded.get((table, record_id))
    return last is not None and seal is not None and hmac.compare_digest(last, seal)


def account_is_current(recorded: Recorded, user: User) -> bool:
    """Whether the account's seal is the last one the keyed chain recorded for it."""
    return _current(recorded, ACCOUNT_TABLE, str(user.id), user.seal)


def _state_problem(recorded: Recorded, user: User) -> str | None:
    if (ACCOUNT_TABLE, str(user.id)) not in recorded:
        return NOT_RECORDED_ACCOUNT
    if not account_is_current(recorded, user):
        return ROLLED_BACK_ACCOUNT
    return None


def seal_everything(session: Session, vault: Vault, *, username: str) -> None:
    """Trust on first use after the upgrade: seal every row as it is, and record that once."""
    fresh = {"populate_existing": True}
    users = list(session.scalars(select(User).execution_options(**fresh)))
    rows = list(session.scalars(select(RolePermission).execution_options(**fresh)))
    for user in users:
        seal_account(user, vault)
    for row in rows:
        seal_permission(row, vault)
    record_sealing(  # records every row's state too
        session,
        vault,
        username=username,
        detail=f"{len(users)} accounts en {len(rows)} rechten verzegeld na de upgrade",
    )


def admit(session: Session, user: User, vault: Vault) -> str | None:
    """At sign-in, right after unwrapping: None when the account may go on, else the problem.

    The account must be as gpdesk sealed it, and its seal the last one the chain recorded (not
    put back from an older copy). The first sign-in after the upgrade seals every row (see the
    module docstring). Permission rows found changed, put back or removed are recorded in the
    Logboek here too: they give nothing (see ``genuine_overrides``) but the praktijkmanager must
    hear of them.
    """
    started = sealing_started(session)
    if user.seal is None and not started:
        # Two first sign-ins at once (PostgreSQL): the second waits here for the first to
        # commit, then finds the marker and checks the rows the first sealed.
        session.execute(select(AuditHead.seq).where(AuditHead.id == 1).with_for_update())
        if not sealing_started(session):
            seal_everything(session, vault, username=user.username)
            return None
        session.refresh(user)
        started = True
    key = seal_key(vault)
    problem = account_problem(key, user, started=True)
    if problem is not None:
        return problem
    # Recorded states exist from the marker on (it records every row); before it, as in
    # ``check_accounts``, there is nothing to compare with.
    recorded = recorded_states(session) if started else {}
    problem = _state_problem(recorded, user) if started else None
    if problem is not None:
        return problem
    changed = _permission_findings(session, key, recorded if started else None, started=True)
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
    rows: Iterable[RolePermission], vault: Vault | None, recorded: Recorded | None = None
) -> list[tuple[Role, Permission, bool]]:
    """The practice's grants and revocations; a row that is not genuine grants nothing.

    Such a row counts as a revocation of its permission, so a grant written into the file never
    takes effect (unknown permission names are ignored, as before). Without an unlocked vault
    (a locked screen) no seal can be checked: revocations hold, grants wait. With ``recorded``
    (``recorded_states``; gpdesk passes it once sealing has started) a row whose seal is not
    the last recorded one grants nothing either, and a row the chain recorded but the table
    lacks (a revocation deleted in the file) counts as revoked.
    """
    key = None if vault is None else seal_key(vault)
    known = {p.value for p in Permission}
    overrides: list[tuple[Role, Permission, bool]] = []
    present: set[str] = set()
    for row in rows:
        present.add(permission_id(row))
        if row.permission not in known:
            continue
        genuine = key is not None and permission_is_genuine(key, row)
        if recorded is not None:
            genuine = genuine and _current(recorded, PERMISSION_TABLE, permission_id(row), row.seal)
        overrides.append((Role(row.role), Permission(row.permission), row.allowed and genuine))
    for table, record_id in sorted(recorded or {}):
        role, _, permission = record_id.partition("/")
        if table != PERMISSION_TABLE or record_id in present or permission not in known:
            continue
        if role in {r.value for r in Role}:
            overrides.append((Role(role), Permission(permission), False))
    return overrides


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
    """Every account row against its seal and the last state the chain recorded for it."""
    key = seal_key(vault)
    started = sealing_started(session)
    recorded = recorded_states(session)
    users = list(session.scalars(select(User).order_by(User.id)))
    findings = []
    for user in users:
        problem = account_problem(key, user, started=started)
        if problem is None and started:
            problem = _state_problem(recorded, user)
        if problem is not None:
            findings.append(Finding(ACCOUNT_TABLE, str(user.id), problem))
    present = {str(user.id) for user in users}
    gone = sorted(
        (record_id for table, record_id in recorded if table == ACCOUNT_TABLE),
        key=lambda record_id: (len(record_id), record_id),
    )
    findings.extend(
        Finding(ACCOUNT_TABLE, record_id, REMOVED_ACCOUNT)
        for record_id in gone
        if record_id not in present
    )
    return SealReport(checked=len(users), findings=tuple(findings))


def check_permissions(session: Session, vault: Vault) -> SealReport:
    """Every grant and revocation row against its seal and its last recorded state."""
    checked = session.scalar(select(func.count()).select_from(RolePermission)) or 0
    started = sealing_started(session)
    recorded = recorded_states(session) if started else None
    findings = _permission_findings(session, seal_key(vault), recorded, started=started)
    return SealReport(checked=checked, findings=findings)


def _permission_findings(
    session: Session, key: bytes, recorded: Recorded | None, *, started: bool
) -> tuple[Finding, ...]:
    """Rows not as gpdesk sealed them; with ``recorded``, also not as the chain last recorded."""
    order = (RolePermission.role, RolePermission.permission)
    findings = []
    present: set[str] = set()
    for row in session.scalars(select(RolePermission).order_by(*order)):
        record_id = permission_id(row)
        present.add(record_id)
        if row.seal is None:
            problem = UNSEALED_PERMISSION if started else NOT_YET_SEALED
        elif not permission_is_genuine(key, row):
            problem = CHANGED_PERMISSION
        elif recorded is not None and (PERMISSION_TABLE, record_id) not in recorded:
            problem = NOT_RECORDED_PERMISSION
        elif recorded is not None and not _current(recorded, PERMISSION_TABLE, record_id, row.seal):
            problem = ROLLED_BACK_PERMISSION
        else:
            continue
        findings.append(Finding(PERMISSION_TABLE, record_id, problem))
    findings.extend(
        Finding(PERMISSION_TABLE, record_id, REMOVED_PERMISSION)
        for table, record_id in sorted(recorded or {})
        if table == PERMISSION_TABLE and record_id not in present
    )
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
