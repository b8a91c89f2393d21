"""``gpdesk check``: is the database still as gpdesk left it?

Someone with the database file and no password can change it with any SQLite tool; what gpdesk
cannot prevent it must at least notice. The check runs a fixed list of parts (``PARTS``): the
keyed audit chain with its anchor; every encrypted value in its place; every record's state as
the chain last recorded it (a row put back from an older copy); accounts and permission rows as
gpdesk sealed them; the key-cost floor. Each reports how much it checked and, per problem, the
table and record id.
Findings never carry patient data: the report is meant to be printed, mailed to the supplier
and stored in a backup's manifest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gpdesk.security.finding import Finding
from gpdesk.security.permissions import Permission, require

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gpdesk.db import Database
    from gpdesk.security.accounts import SignedIn
    from gpdesk.security.audit import Anchor
    from gpdesk.security.crypto import Vault

Progress = Callable[[int, int, str], None]
"""``(section number done, sections in all, title of the section now running)``."""


@dataclass(frozen=True)
class Section:
    """What one part of the check looked at: how many items, what it found."""

    key: str
    title: str
    checked: int
    unit: str
    findings: tuple[Finding, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        """No problem found in this part."""
        return not self.findings

    def line(self) -> str:
        """The part in one Dutch line: what it checked and how it found it."""
        outcome = "in orde"
        if len(self.findings) == 1:
            outcome = "1 probleem"
        elif self.findings:
            outcome = f"{len(self.findings)} problemen"
        extra = f" ({self.note})" if self.note else ""
        return f"{self.title}: {self.checked} {self.unit} gecontroleerd, {outcome}{extra}."


@dataclass(frozen=True)
class CheckContext:
    """What a section may use: one session (one unit of work), the key, the last anchor."""

    session: Session
    vault: Vault
    anchor: Anchor | None


@dataclass(frozen=True)
class Part:
    """One registered section: the title shown while it runs, and the function that runs it."""

    title: str
    run: Callable[[CheckContext], Section]


@dataclass(frozen=True)
class Report:
    """The outcome of the whole check."""

    sections: tuple[Section, ...]
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        """Every section in order."""
        return all(section.ok for section in self.sections)

    @property
    def problems(self) -> int:
        """Findings over all sections."""
        return sum(len(section.findings) for section in self.sections)

    def headline(self) -> str:
        """One Dutch line for the status bar, the backup and the top of the report."""
        if self.ok:
            return "Database in orde: niets gevonden dat buiten gpdesk om is gewijzigd."
        word = "probleem" if self.problems == 1 else "problemen"
        return f"Database NIET in orde: {self.problems} {word} gevonden."

    def text(self) -> str:
        """The full Dutch report: headline, a line per section, a line per problem, advice."""
        lines = [self.headline(), ""]
        for section in self.sections:
            lines.append(section.line())
            lines.extend(f"  - {finding.line()}" for finding in section.findings)
        if not self.ok:
            lines += [
                "",
                "Wat nu: gpdesk toont en overschrijft deze gegevens niet meer. Zoek uit wie of "
                "wat de database buiten gpdesk om heeft gewijzigd, en zet zo nodig een back-up "
                "terug van vóór die wijziging (gpdesk backup restore). Bewaar dit rapport.",
            ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """For ``--json`` and the backup manifest: counts and places, never patient data."""
        return {
            "ok": self.ok,
            "problems": self.problems,
            "checked_at": self.at.isoformat(timespec="seconds"),
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "checked": s.checked,
                    "unit": s.unit,
                    "ok": s.ok,
                    "note": s.note,
                    "findings": [
                        {"table": f.table, "record_id": f.record_id, "problem": f.problem}
                        for f in s.findings
                    ],
                }
                for s in self.sections
            ],
        }

    def manifest(self) -> dict[str, Any]:
        """The short form a backup's manifest keeps: outcome and counts per section."""
        return {
            "ok": self.ok,
            "problems": self.problems,
            "checked_at": self.at.isoformat(timespec="seconds"),
            "sections": {
                s.key: {"checked": s.checked, "problems": len(s.findings)} for s in self.sections
            },
        }


def audit_section(ctx: CheckContext) -> Section:
    """The keyed audit chain of #9: unbroken, sealed with the practice key, past its anchor."""
    from gpdesk.security.audit import verify

    result = verify(ctx.session, vault=ctx.vault, anchor=ctx.anchor)
    findings: tuple[Finding, ...] = ()
    if not result.ok:
        record = "" if result.broken_seq is None else str(result.broken_seq)
        findings = (Finding("audit_entry", record, result.reason),)
    return Section(
        key="logboek",
        title="Logboek",
        checked=result.checked,
        unit="regels",
        findings=findings,
        note=result.checks_line(),
    )


def values_section(ctx: CheckContext) -> Section:
    """Every encrypted value opens in its own table, column and record, and fits its index."""
    from gpdesk.security.integrity import check_sealed_values

    result = check_sealed_values(ctx.session, ctx.vault)
    return Section(
        key="waarden",
        title="Versleutelde gegevens",
        checked=result.values,
        unit="waarden",
        findings=result.findings,
        note=f"in {result.records} records",
    )


def states_section(ctx: CheckContext) -> Section:
    """Every record is as the logboek last recorded it: not put back, added or removed outside."""
    from gpdesk.security.integrity import check_record_states

    result = check_record_states(ctx.session, ctx.vault)
    return Section(
        key="laatste_stand",
        title="Laatste stand per record",
        checked=result.records,
        unit="records",
        findings=result.findings,
    )


def accounts_section(ctx: CheckContext) -> Section:
    """Role, status and password material of every account as gpdesk sealed them."""
    from gpdesk.security.account_seal import check_accounts

    report = check_accounts(ctx.session, ctx.vault)
    return Section("accounts", "Accounts", report.checked, "accounts", report.findings)


def permissions_section(ctx: CheckContext) -> Section:
    """The practice's grants and revocations (Beheer > Rechten) as gpdesk sealed them."""
    from gpdesk.security.account_seal import check_permissions

    report = check_permissions(ctx.session, ctx.vault)
    return Section("rechten", "Rechten", report.checked, "aanpassingen", report.findings)


def key_cost_section(ctx: CheckContext) -> Section:
    """No account's key derivation below the floor (``crypto.KDF_FLOOR``)."""
    from gpdesk.security.account_seal import check_key_cost

    report = check_key_cost(ctx.session)
    return Section(
        "sleutelkosten", "Minimale sleutelkosten", report.checked, "accounts", report.findings
    )


PARTS: list[Part] = [
    Part("Logboek", audit_section),
    Part("Versleutelde gegevens", values_section),
    Part("Laatste stand per record", states_section),
    Part("Accounts", accounts_section),
    Part("Rechten", permissions_section),
    Part("Minimale sleutelkosten", key_cost_section),
]
"""Run in this order: the logboek first, since the record states are read from it."""


def check_session(
    session: Session,
    vault: Vault,
    *,
    anchor: Anchor | None = None,
    progress: Progress | None = None,
    parts: Sequence[Part] | None = None,
) -> Report:
    """Run every part in one session, reporting progress before each."""
    chosen = list(PARTS if parts is None else parts)
    ctx = CheckContext(session=session, vault=vault, anchor=anchor)
    done: list[Section] = []
    for number, part in enumerate(chosen):
        if progress is not None:
            progress(number, len(chosen), part.title)
        done.append(part.run(ctx))
    if progress is not None:
        progress(len(chosen), len(chosen), "")
    return Report(sections=tuple(done))


def check_database(
    db: Database,
    signed: SignedIn,
    *,
    anchor: Anchor | None = None,
    progress: Progress | None = None,
) -> Report:
    """The whole check for a signed-in user who may run it; audited as one event."""
    from gpdesk.security import audit

    require(signed.actor.permissions, Permission.DATABASE_CHECK)
    with db.session() as session:
        report = check_session(session, signed.vault, anchor=anchor, progress=progress)
    with db.session() as session:
        audit.record(
            session, event="database.check", action=audit.Action.READ, actor=signed.actor,
            object_type="database", detail=report.headline(), vault=signed.vault,
        )  # fmt: skip
    return report
