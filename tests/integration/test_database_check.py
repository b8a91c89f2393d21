"""``gpdesk check``: the report, its exit codes and who may run it, on a real demo practice."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.models import AuditEntry
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security.check import (
    PARTS,
    CheckContext,
    Part,
    Section,
    check_database,
    check_session,
)
from gpdesk.security.finding import Finding
from tests.binding_support import raw, swap
from tests.cli_support import gpdesk
from tests.security_support import assert_one_dutch_line, drop_audit_triggers, signed


def _db(home: Home) -> Database:
    return open_database(f"sqlite:///{home.database_file}")


def test_an_untouched_demo_checks_clean(demo_home: Home) -> None:
    result = gpdesk(
        "check", "--user", "smit", "--home", str(demo_home.path), password=DEMO_PASSWORD
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Database in orde")
    assert "Logboek:" in result.stdout
    assert "in orde" in result.stdout

    as_json = gpdesk(
        "check", "--user", "smit", "--json", "--home", str(demo_home.path), password=DEMO_PASSWORD
    )
    report = json.loads(as_json.stdout)
    assert report["ok"] is True
    assert report["problems"] == 0
    assert len(report["sections"]) == len(PARTS)
    assert report["sections"][0]["key"] == "logboek"
    assert report["sections"][0]["checked"] > 0


def test_a_changed_audit_entry_is_named_by_table_and_record(demo_home: Home) -> None:
    db = _db(demo_home)
    try:
        drop_audit_triggers(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entry SET detail = 'anders' WHERE seq = 2"))
    finally:
        db.dispose()

    result = gpdesk(
        "check", "--user", "smit", "--home", str(demo_home.path), password=DEMO_PASSWORD
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout.startswith("Database NIET in orde: 1 probleem gevonden.")
    assert "tabel audit_entry, record 2:" in result.stdout
    assert "Wat nu:" in result.stdout

    report = json.loads(
        gpdesk(
            "check", "--user", "smit", "--json", "--home", str(demo_home.path),
            password=DEMO_PASSWORD,
        ).stdout
    )  # fmt: skip
    assert report["ok"] is False
    problems = [f for s in report["sections"] for f in s["findings"]]
    assert problems[0]["table"] == "audit_entry"
    assert problems[0]["record_id"] == "2"


def test_usage_and_sign_in_errors_exit_2(demo_home: Home) -> None:
    home = str(demo_home.path)
    wrong = gpdesk("check", "--user", "smit", "--home", home, password="niet-het-wachtwoord")
    assert_one_dutch_line(wrong, code=2)

    # A GP may not run it unless the Rechten tab allows it.
    refused = gpdesk("check", "--user", "bakker", "--home", home, password=DEMO_PASSWORD)
    assert_one_dutch_line(refused, code=2)
    assert "database controleren" in refused.stderr

    missing_user = gpdesk("check", "--home", home)
    assert missing_user.returncode == 2
    assert "Traceback" not in missing_user.stderr


def test_the_check_is_audited_and_reports_progress(demo_home: Home) -> None:
    db = _db(demo_home)
    try:
        who = signed(db, "smit")
        seen: list[tuple[int, int, str]] = []
        report = check_database(db, who, progress=lambda d, n, t: seen.append((d, n, t)))
        assert report.ok
        assert seen[0] == (0, len(PARTS), PARTS[0].title)
        assert seen[-1] == (len(PARTS), len(PARTS), "")
        with db.session() as session:
            events = list(session.scalars(select(AuditEntry.event).order_by(AuditEntry.seq)))
        assert events[-1] == "database.check"
    finally:
        db.dispose()


def test_a_part_reports_places_and_counts(demo_home: Home) -> None:
    def broken(_ctx: CheckContext) -> Section:
        return Section(
            key="proef", title="Proef", checked=3, unit="waarden",
            findings=(Finding("patient", "7", "waarde opent niet op haar plaats"),),
        )  # fmt: skip

    db = _db(demo_home)
    try:
        who = signed(db, "smit")
        with db.session() as session:
            report = check_session(session, who.vault, parts=[*PARTS, Part("Proef", broken)])
    finally:
        db.dispose()
    assert not report.ok
    assert "Proef: 3 waarden gecontroleerd, 1 probleem." in report.text()
    assert "  - tabel patient, record 7: waarde opent niet op haar plaats" in report.text()
    assert report.manifest()["sections"]["proef"] == {"checked": 3, "problems": 1}


def test_tampering_with_patients_and_accounts_is_named_by_place(demo_home: Home) -> None:
    """The attacks of #14 together, with ``sqlite3`` only: each part names its own place."""
    path = demo_home.database_file
    ids = [row[0] for row in raw(path, "SELECT id FROM patient ORDER BY id LIMIT 2")]
    assert len(ids) == 2
    swap(path, "patient", "name", ids[0], ids[1])
    (jansen,) = raw(path, "SELECT id FROM user_account WHERE username = 'jansen'")[0]
    raw(path, "UPDATE user_account SET role = 'practice_manager' WHERE id = ?", jansen)

    result = gpdesk(
        "check", "--user", "smit", "--json", "--home", str(demo_home.path), password=DEMO_PASSWORD
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    report = json.loads(result.stdout)
    places = {
        (s["key"], f["table"], f["record_id"]) for s in report["sections"] for f in s["findings"]
    }
    assert ("waarden", "patient", str(ids[0])) in places
    assert ("waarden", "patient", str(ids[1])) in places
    assert ("accounts", "user_account", str(jansen)) in places
    # Places and Dutch reasons only: no name of the demo's patients or users in the report.
    for name in ("Vries", "Jansen", "Bakker"):
        assert name not in result.stdout

    text_report = gpdesk(
        "check", "--user", "smit", "--home", str(demo_home.path), password=DEMO_PASSWORD
    )
    assert text_report.stdout.startswith("Database NIET in orde")
    assert f"tabel patient, record {ids[0]}" in text_report.stdout
    assert f"tabel user_account, record {jansen}" in text_report.stdout
