"""The beheerder's side of the inbox sources, against SQLite and PostgreSQL.

Changing a mailbox keeps its sealed password only for the same server and user name; a drop
folder is checked again; a source is turned off and on, and removed while its letters stay;
the retention period is set within its range; the quarantine is counted by reason. Every change
is audited with the source's new state (``gpdesk check`` stays clean, a removal included), and
whoever may not manage the practice is refused in Dutch. One connection test goes to a real
Dovecot with the kept password.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.sources.imap import ImapMark, ImapSettings, check_connection
from gpdesk.inbox.store import Incoming, Quarantine, receive
from gpdesk.inbox.store.forgetting import retention_days, set_retention_days
from gpdesk.inbox.store.quarantine import quarantine_overview
from gpdesk.inbox.store.sources import (
    ImapRequest,
    SourceView,
    add_folder_source,
    add_imap_source,
    imap_settings,
    imap_settings_for,
    list_sources,
    record_fetch,
    remove_source,
    set_source_enabled,
    source_row,
    update_folder_source,
    update_imap_source,
)
from gpdesk.models import AuditEntry, InboxSource, Letter, LetterSource, LetterState
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security.accounts import SignedIn
from gpdesk.security.audit import EVENT_LABELS
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.permissions import PermissionDeniedError
from tests.cli_support import gpdesk
from tests.dovecot_support import IMAP_PASSWORD, DovecotServer, ImapPki
from tests.security_support import make_demo, signed

SECRET = "oud-wachtwoord-postvak"


@pytest.fixture
def practice(db: Database) -> Database:
    make_demo(db)
    return db


@pytest.fixture
def manager(practice: Database) -> SignedIn:
    return signed(practice, "smit")


def _mailbox(ca_file: Path | None = None, **changes: object) -> ImapSettings:
    values: dict[str, object] = {
        "host": "imap.zorgmail.example", "port": 993, "security": "tls",
        "username": "praktijk", "password": SECRET, "ca_file": ca_file,
    }  # fmt: skip
    values.update(changes)
    return ImapSettings(**values)  # type: ignore[arg-type]


def _request(**changes: object) -> ImapRequest:
    values: dict[str, object] = {
        "host": "imap.zorgmail.example",
        "port": 993,
        "security": "tls",
        "username": "praktijk",
    }
    values.update(changes)
    return ImapRequest(**values)  # type: ignore[arg-type]


def _add_mailbox(db: Database, who: SignedIn, settings: ImapSettings | None = None) -> SourceView:
    with db.session() as session:
        return add_imap_source(session, who.vault, who.actor, settings or _mailbox())


def _entries(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.event == event).order_by(AuditEntry.seq)
            )
        )


def _clean(db: Database, who: SignedIn) -> None:
    with db.session() as session:
        assert check_sealed_values(session, who.vault).ok
        states = check_record_states(session, who.vault)
        assert states.ok, states.findings


def _stored_password(db: Database, who: SignedIn, source_id: int) -> str:
    with db.session() as session:
        return imap_settings(who.vault, source_row(session, source_id)).password


# -- a mailbox ----------------------------------------------------------------------------------


def test_a_change_without_a_password_keeps_the_sealed_one_and_is_audited(
    practice: Database, manager: SignedIn
) -> None:
    source = _add_mailbox(practice, manager)
    with practice.session() as session:
        record_fetch(session, source.id, mark=ImapMark(7, 42), error="De server antwoordt niet.")
        changed = update_imap_source(
            session, manager.vault, manager.actor, source.id,
            _request(port=143, security="starttls", move_to="Verwerkt", interval_minutes=15),
        )  # fmt: skip
    assert (changed.port, changed.security, changed.move_to) == (143, "starttls", "Verwerkt")
    assert changed.interval_minutes == 15 and changed.password_stored
    assert changed.last_error is None  # it was about the old settings
    assert _stored_password(practice, manager, source.id) == SECRET
    with practice.session() as session:
        row = source_row(session, source.id)
        assert (row.uidvalidity, row.last_uid) == (7, 42)  # the same mailbox: fetched so far
    last = _entries(practice, "inbox.source")[-1]
    assert last.username == "smit" and last.detail == (
        "postvak gewijzigd: imap://imap.zorgmail.example:143/INBOX"
    )
    assert SECRET not in (last.detail or "") and last.state is not None
    _clean(practice, manager)


def test_another_server_needs_the_password_typed_again(
    practice: Database, manager: SignedIn
) -> None:
    source = _add_mailbox(practice, manager)
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        update_imap_source(
            session, manager.vault, manager.actor, source.id, _request(host="imap.elders.example")
        )
    assert "opnieuw" in refused.value.problems["password"]
    with practice.session() as session, pytest.raises(ValidationError):
        update_imap_source(
            session, manager.vault, manager.actor, source.id, _request(username="iemand-anders")
        )
    with practice.session() as session:
        record_fetch(session, source.id, mark=ImapMark(7, 42), error=None)
        update_imap_source(
            session, manager.vault, manager.actor, source.id,
            _request(host="imap.elders.example", password="nieuw-wachtwoord"),
        )  # fmt: skip
    assert _stored_password(practice, manager, source.id) == "nieuw-wachtwoord"
    with practice.session() as session:
        row = source_row(session, source.id)
        assert (row.uidvalidity, row.last_uid) == (None, None)  # another mailbox: from the start
    assert _entries(practice, "inbox.source")[-1].detail == (
        "postvak gewijzigd, nieuw wachtwoord: imap://imap.elders.example:993/INBOX"
    )
    _clean(practice, manager)


def test_every_problem_of_the_form_comes_back_at_once_by_field(
    practice: Database, manager: SignedIn, tmp_path: Path
) -> None:
    not_a_certificate = tmp_path / "ca.pem"
    not_a_certificate.write_text("geen certificaat\n")
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        imap_settings_for(
            session, manager.vault, manager.actor,
            _request(
                host=" ", security="plain", username="", folder="", move_to="", port=0,
                ca_file=not_a_certificate, interval_minutes=0,
            ),
        )  # fmt: skip
    problems = refused.value.problems
    assert set(problems) == {
        "host", "port", "security", "username", "password", "folder", "ca_file", "interval",
    }  # fmt: skip
    assert problems["security"] == "Kies als beveiliging TLS of STARTTLS."
    assert "PEM" in problems["ca_file"]
    with practice.session() as session, pytest.raises(ValidationError) as missing:
        imap_settings_for(
            session, manager.vault, manager.actor,
            _request(password="x", ca_file=tmp_path / "weg.pem"),
        )  # fmt: skip
    assert "niet te lezen" in missing.value.problems["ca_file"]
    with practice.session() as session, pytest.raises(ValidationError) as same:
        imap_settings_for(
            session, manager.vault, manager.actor, _request(password="x", move_to="INBOX")
        )
    assert "andere map" in same.value.problems["move_to"]


def test_adding_checks_the_ca_file_now_not_at_the_first_fetch(
    practice: Database, manager: SignedIn, tmp_path: Path
) -> None:
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        add_imap_source(
            session, manager.vault, manager.actor, _mailbox(ca_file=tmp_path / "weg.pem")
        )
    assert set(refused.value.problems) == {"ca_file"}
    with practice.session() as session:
        assert list_sources(session) == []


def test_the_kept_password_reaches_the_real_server(
    practice: Database, manager: SignedIn, dovecot: DovecotServer, imap_pki: ImapPki
) -> None:
    ca = imap_pki.ca.cert_pem
    source = _add_mailbox(
        practice, manager,
        _mailbox(ca, host=dovecot.host, port=dovecot.tls_port, username=dovecot.user,
                 password=IMAP_PASSWORD),
    )  # fmt: skip
    request = _request(
        host=dovecot.host, port=dovecot.starttls_port, security="starttls",
        username=dovecot.user, ca_file=ca,
    )  # fmt: skip
    with practice.session() as session:
        settings = imap_settings_for(session, manager.vault, manager.actor, request, source.id)
    assert "De verbinding met het postvak werkt" in check_connection(settings)
    with practice.session() as session:
        update_imap_source(session, manager.vault, manager.actor, source.id, request)
    assert _stored_password(practice, manager, source.id) == IMAP_PASSWORD


# -- a drop folder ------------------------------------------------------------------------------


def test_a_folder_is_checked_again_when_changed(
    practice: Database, manager: SignedIn, tmp_path: Path
) -> None:
    first, second = tmp_path / "eerste", tmp_path / "tweede"
    first.mkdir()
    second.mkdir()
    with practice.session() as session:
        source = add_folder_source(session, manager.vault, manager.actor, first)
        mailbox = add_imap_source(session, manager.vault, manager.actor, _mailbox())
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        update_folder_source(
            session, manager.vault, manager.actor, source.id, tmp_path / "weg", interval_minutes=5
        )
    assert "bestaat niet" in refused.value.problems["folder"]
    with practice.session() as session, pytest.raises(ValidationError) as too_often:
        update_folder_source(
            session, manager.vault, manager.actor, source.id, second, interval_minutes=0
        )
    assert set(too_often.value.problems) == {"interval"}
    with practice.session() as session, pytest.raises(GpdeskError, match="postvak, geen map"):
        update_folder_source(
            session, manager.vault, manager.actor, mailbox.id, second, interval_minutes=5
        )
    with practice.session() as session:
        changed = update_folder_source(
            session, manager.vault, manager.actor, source.id, second, interval_minutes=30
        )
    assert (changed.path, changed.interval_minutes) == (str(second.resolve()), 30)
    assert _entries(practice, "inbox.source")[-1].detail == f"map gewijzigd: map {second}"
    _clean(practice, manager)


# -- on, off, gone ------------------------------------------------------------------------------


def test_a_source_is_turned_off_and_on_once_each(
    practice: Database, manager: SignedIn, tmp_path: Path
) -> None:
    with practice.session() as session:
        source = add_folder_source(session, manager.vault, manager.actor, tmp_path)
    before = len(_entries(practice, "inbox.source"))
    for enabled in (False, False, True):
        with practice.session() as session:
            view = set_source_enabled(session, manager.vault, manager.actor, source.id, enabled)
        assert view.enabled is enabled
    details = [e.detail for e in _entries(practice, "inbox.source")[before:]]
    assert details == [f"uitgezet: map {tmp_path}", f"aangezet: map {tmp_path}"]
    _clean(practice, manager)


def test_removing_a_source_keeps_its_letters(
    practice: Database, manager: SignedIn, tmp_path: Path
) -> None:
    source = _add_mailbox(practice, manager)
    incoming = Incoming(
        source=LetterSource.IMAP, raw=b"niet te lezen", file_type="onbekend",
        source_id=source.id, quarantine=Quarantine("Het bestand is leeg.", "empty"),
    )  # fmt: skip
    with practice.session() as session:
        letter_id = receive(session, manager.vault, None, incoming).letter_id
    with practice.session() as session:
        was = remove_source(session, manager.vault, manager.actor, source.id)
    assert was.id == source.id
    with practice.session() as session:
        assert list_sources(session) == []
        assert session.get(InboxSource, source.id) is None
        letter = session.get_one(Letter, letter_id)
        assert letter.source_id is None and letter.raw is not None
    entry = _entries(practice, "inbox.source")[-1]
    assert entry.action == "D" and entry.detail == (
        "verwijderd: imap://imap.zorgmail.example:993/INBOX"
    )
    _clean(practice, manager)  # the removal is recorded, so the check does not miss the row
    with practice.session() as session, pytest.raises(GpdeskError, match="geen bron"):
        remove_source(session, manager.vault, manager.actor, source.id)


# -- retention ----------------------------------------------------------------------------------


def test_the_retention_period_is_set_within_its_range_and_audited(
    practice: Database, manager: SignedIn
) -> None:
    with practice.session() as session:
        assert retention_days(session) == 90
    for wrong in (29, 3651, 0, -5):
        with practice.session() as session, pytest.raises(ValidationError) as refused:
            set_retention_days(session, manager.vault, manager.actor, wrong)
        assert "30 tot 3650 dagen" in refused.value.problems["retention"]
    with practice.session() as session:
        assert set_retention_days(session, manager.vault, manager.actor, 180) == 180
        set_retention_days(session, manager.vault, manager.actor, 180)  # no change: no entry
    with practice.session() as session:
        assert retention_days(session) == 180
    entries = _entries(practice, "inbox.retention")
    assert [(e.username, e.detail) for e in entries] == [
        ("smit", "bewaartermijn van 90 naar 180 dagen")
    ]
    assert EVENT_LABELS[entries[0].event] == "bewaartermijn van terugkoppeling gewijzigd"


# -- quarantine ---------------------------------------------------------------------------------


def _quarantined(db: Database, who: SignedIn, number: int, reason: str, code: str) -> int:
    incoming = Incoming(
        source=LetterSource.FOLDER, raw=f"bestand {number}".encode(), file_type="onbekend",
        quarantine=Quarantine(reason, code),
    )  # fmt: skip
    with db.session() as session:
        return receive(session, who.vault, None, incoming).letter_id


def test_the_quarantine_is_counted_by_reason_for_the_beheerder(
    practice: Database, manager: SignedIn
) -> None:
    for number in range(3):
        _quarantined(practice, manager, number, "Het bestand is leeg.", "empty")
    done = _quarantined(practice, manager, 9, "Het bericht liep vast.", "crashed")
    _quarantined(practice, manager, 10, "Het bericht liep vast.", "crashed")
    with practice.session() as session:
        session.get_one(Letter, done).state = LetterState.ARCHIVED  # put away: not waiting
    with practice.session() as session:
        overview = quarantine_overview(session, manager.actor)
    assert overview.total == 4
    assert [(r.count, r.code, r.reason) for r in overview.reasons] == [
        (3, "empty", "Het bestand is leeg."),
        (1, "crashed", "Het bericht liep vast."),
    ]
    assistant = signed(practice, "jansen")
    with practice.session() as session:
        assert quarantine_overview(session, assistant.actor).total == 4


# -- who may ------------------------------------------------------------------------------------


def test_only_who_manages_the_practice_changes_sources_or_retention(
    practice: Database, manager: SignedIn, tmp_path: Path
) -> None:
    source = _add_mailbox(practice, manager)
    assistant = signed(practice, "jansen")
    vault, actor = assistant.vault, assistant.actor
    attempts = (
        lambda s: update_imap_source(s, vault, actor, source.id, _request()),
        lambda s: update_folder_source(s, vault, actor, source.id, tmp_path, interval_minutes=5),
        lambda s: set_source_enabled(s, vault, actor, source.id, False),
        lambda s: remove_source(s, vault, actor, source.id),
        lambda s: imap_settings_for(s, vault, actor, _request(), source.id),
        lambda s: set_retention_days(s, vault, actor, 120),
    )
    for attempt in attempts:
        with practice.session() as session, pytest.raises(PermissionDeniedError) as refused:
            attempt(session)
        assert "instellingen beheren" in refused.value.user_text()
    with practice.session() as session:
        assert [v.enabled for v in list_sources(session)] == [True]
        assert retention_days(session) == 90


# -- the command line ---------------------------------------------------------------------------


def test_the_command_line_turns_off_removes_and_sets_the_retention(
    practice: Database, manager: SignedIn, database_url: str, tmp_path: Path
) -> None:
    with practice.session() as session:
        source = add_folder_source(session, manager.vault, manager.actor, tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return gpdesk(
            *args, "--user", "smit", "--home", str(tmp_path / "home"),
            "--database-url", database_url, password=DEMO_PASSWORD,
        )  # fmt: skip

    off = run("inbox", "source", "off", str(source.id), "--json")
    assert off.returncode == 0, off.stderr
    assert json.loads(off.stdout)["enabled"] is False
    kept = run("inbox", "retention", "365")
    assert kept.returncode == 0 and "365 dagen" in kept.stdout, kept.stderr
    wrong = run("inbox", "retention", "7")
    assert wrong.returncode != 0 and "30 tot 3650 dagen" in wrong.stderr
    gone = run("inbox", "source", "remove", str(source.id))
    assert gone.returncode == 0 and "verwijderd" in gone.stdout, gone.stderr
    with practice.session() as session:
        assert list_sources(session) == [] and retention_days(session) == 365
