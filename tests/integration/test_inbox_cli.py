"""The inbox from the command line, as documented in the README, against SQLite and PostgreSQL.

Files are imported (a reply that names its signal, a one-click answer, a PDF, a hostile file),
a drop folder and a real Dovecot mailbox are fetched twice (the second time brings nothing new),
and a letter is filed once. Nothing a patient could be recognised by shows in the output lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.models import EventSource, Signal, SignalEvent, SignalStatus
from gpdesk.practice.demo import DEMO_PASSWORD
from tests.cli_support import gpdesk
from tests.dovecot_support import IMAP_PASSWORD, DovecotServer, letter
from tests.store_support import (
    ready_practice,
    sent_signal,
    signed,
)

Run = Callable[..., subprocess.CompletedProcess[str]]


def _ok(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.lstrip().startswith(("[", "{")) else None


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def run(practice: Database, database_url: str, tmp_path: Path) -> Run:
    home = tmp_path / "home"

    def run(*args: str, user: str = "jansen", **env: str) -> subprocess.CompletedProcess[str]:
        return gpdesk(
            *args, "--user", user, "--home", str(home), "--database-url", database_url,
            password=DEMO_PASSWORD, **env,
        )  # fmt: skip

    return run


def _mail(subject: str, body: str, message_id: str) -> bytes:
    return (
        "From: Wijkteam Nieuwland <nieuwland@wijkteam.example>\r\n"
        "To: praktijk@desingel.example\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 07 Dec 2026 11:00:00 +0100\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def _pdf(path: Path, text: str) -> None:
    page = canvas.Canvas(str(path))
    page.drawString(72, 760, text)
    page.save()


def test_import_list_and_file_as_the_readme_says(
    practice: Database, run: Run, tmp_path: Path
) -> None:
    reference = sent_signal(practice, signed(practice, "bakker"))
    files = tmp_path / "in"
    files.mkdir()
    (files / "antwoord.eml").write_bytes(
        _mail(f"{reference} ontvangen", f"Kenmerk: {reference}\r\nStatus: ontvangen", "a1@wt")
    )
    (files / "advies.eml").write_bytes(
        _mail(
            f"Terugkoppeling {reference}",
            "Wij adviseren een verwijzing naar de schuldhulpverlening; graag uw beoordeling.",
            "a2@wt",
        )
    )
    _pdf(files / "brief.pdf", "Wij hebben de aanmelding ontvangen en helpen mevrouw.")
    (files / "kapot.eml").write_bytes(b"\x00\xff" * 40)
    imported = _ok(run("inbox", "import", *sorted(map(str, files.iterdir())), "--json"))
    assert len(imported) == 4 and all(item["id"] for item in imported)
    by_name = {Path(item["file"]).name: item for item in imported}
    assert by_name["antwoord.eml"]["status_changed"] is True
    assert by_name["antwoord.eml"]["signal_reference"] == reference
    assert by_name["kapot.eml"]["quarantined"] is True
    again = _ok(run("inbox", "import", str(files / "brief.pdf"), "--json"))
    assert again[0]["duplicate"] is True and again[0]["id"] == by_name["brief.pdf"]["id"]

    letters = _ok(run("inbox", "list", "--json"))
    assert len(letters) == 4
    for row in letters:
        assert {"id", "state", "kind", "source", "received_at", "subject"} <= row.keys()
        assert {"signal_reference", "patient_matched", "quarantine_reason"} <= row.keys()
    advice = next(r for r in letters if r["id"] == by_name["advies.eml"]["id"])
    assert advice["kind"] == "advies" and advice["signal_reference"] == reference
    # From a known team: assigned on arrival to its feedback contact (POH-GGZ by default).
    assert advice["patient_matched"] is True and advice["state"] == "toegewezen"
    broken = next(r for r in letters if r["id"] == by_name["kapot.eml"]["id"])
    assert broken["quarantine_reason"] and broken["subject"].startswith("(in quarantaine")
    with practice.session() as session:
        signal = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        assert signal.status is SignalStatus.RECEIVED
        last = session.scalars(select(SignalEvent).order_by(SignalEvent.id.desc())).first()
        assert last is not None and last.source is EventSource.REPLY

    filed = _ok(run("inbox", "file", str(advice["id"]), "--json"))
    assert filed["state"] == "overgenomen in HIS" and filed["filed_by"] == "M. Jansen"
    twice = run("inbox", "file", str(advice["id"]), user="visser")
    assert (
        twice.returncode != 0 and "al overgenomen" in twice.stderr and "M. Jansen" in twice.stderr
    )
    text = run("inbox", "list").stdout
    assert "overgenomen in HIS" in text and "Vries" not in text  # no subject in the lines


def test_a_drop_folder_and_a_mailbox_are_fetched_once_each(
    practice: Database, run: Run, tmp_path: Path, dovecot: DovecotServer
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    _ok(run("inbox", "source", "add", "folder", str(drop), "--json", user="smit"))
    ca = dovecot.pki.ca.cert_pem
    added = _ok(
        run(
            "inbox",
            "source",
            "add",
            "imap",
            "--host",
            dovecot.host,
            "--port",
            str(dovecot.tls_port),
            "--security",
            "tls",
            "--username",
            dovecot.user,
            "--ca-file",
            str(ca),
            "--json",
            user="smit",
            GPDESK_IMAP_PASSWORD=IMAP_PASSWORD,
        )
    )
    assert added["password_stored"] is True and IMAP_PASSWORD not in json.dumps(added)
    _pdf(drop / "brief.pdf", "Terugkoppeling van het wijkteam.")
    os.utime(drop / "brief.pdf", (time.time() - 60, time.time() - 60))  # written a minute ago
    (drop / "half.pdf.part").write_bytes(b"%PDF-")  # still being written: left alone
    with dovecot.mailbox() as box:
        box.append(letter(1))
        box.append(letter(2))
    first = _ok(run("inbox", "fetch", "--json"))
    assert [(o["stored"], o["error"]) for o in first] == [(1, None), (2, None)], first
    assert (drop / "verwerkt" / "brief.pdf").exists() and (drop / "half.pdf.part").exists()
    with dovecot.mailbox() as box:
        assert len(box.seen()) == 2  # marked done only after they were stored
        box.append(letter(3))
    second = _ok(run("inbox", "fetch", "--json"))
    assert [o["stored"] for o in second] == [0, 1]
    assert len(_ok(run("inbox", "list", "--json"))) == 4
    sources = _ok(run("inbox", "source", "list", "--json"))
    assert [s["last_error"] for s in sources] == [None, None]


def test_a_mailbox_that_refuses_the_login_says_so_and_keeps_the_reason(
    practice: Database, run: Run, tmp_path: Path, dovecot: DovecotServer
) -> None:
    ca = dovecot.pki.ca.cert_pem
    _ok(
        run(
            "inbox",
            "source",
            "add",
            "imap",
            "--host",
            dovecot.host,
            "--port",
            str(dovecot.starttls_port),
            "--security",
            "starttls",
            "--username",
            dovecot.user,
            "--ca-file",
            str(ca),
            user="smit",
            GPDESK_IMAP_PASSWORD="fout-wachtwoord",
        )
    )
    failed = run("inbox", "fetch")
    assert failed.returncode == 1
    assert "wachtwoord" in failed.stdout.lower() and "fout-wachtwoord" not in failed.stdout
    sources = _ok(run("inbox", "source", "list", "--json"))
    assert sources[0]["last_error"]


def test_a_file_that_cannot_be_read_is_named_in_dutch_and_the_beheerder_lists_sources(
    practice: Database, run: Run, tmp_path: Path
) -> None:
    kept = tmp_path / "brief.pdf"
    _pdf(kept, "Terugkoppeling van het wijkteam.")
    result = run("inbox", "import", str(kept), str(tmp_path / "weg.pdf"), str(tmp_path))
    assert result.returncode == 1  # one could not be kept at all; the other was
    assert "brief.pdf: bewaard" in result.stdout
    assert "weg.pdf: het bestand bestaat niet" in result.stdout
    assert "dit is een map" in result.stdout
    _ok(run("inbox", "source", "add", "folder", str(tmp_path), user="smit"))
    sources = _ok(run("inbox", "source", "list", "--json", user="smit"))
    assert [s["kind"] for s in sources] == ["map"]
