"""Fetching from a real Dovecot: TLS and STARTTLS, only new messages, kept before marked done."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from email import message_from_bytes
from typing import Any, cast

import pytest

from gpdesk.errors import ValidationError
from gpdesk.inbox.sources.errors import (
    FolderMissingError,
    InboxSourceError,
    KeepFailedError,
    LoginRefusedError,
    NoTlsError,
    ServerCertificateError,
    SourceUnreachableError,
    StuckAtMessageError,
    TlsHandshakeError,
)
from gpdesk.inbox.sources.imap import (
    MAX_MESSAGE_BYTES,
    FetchResult,
    ImapMark,
    ImapSettings,
    RawMessage,
    check_connection,
    fetch_new,
    login_failure,
)
from tests.dovecot_support import IMAP_PASSWORD, IMAP_USER, DovecotServer, ImapPki, letter


def settings(server: DovecotServer, **changes: Any) -> ImapSettings:
    values: dict[str, Any] = {
        "host": server.host,
        "port": server.tls_port,
        "security": "tls",
        "username": server.user,
        "password": IMAP_PASSWORD,
        "ca_file": server.pki.ca.cert_pem,
        "timeout": 10.0,
    }
    values.update(changes)
    return ImapSettings(**values)


class Store:
    """The caller's side: keeps each message once, by Message-ID (the lead's dedupe, in small)."""

    def __init__(self) -> None:
        self.by_id: dict[str, RawMessage] = {}
        self.handed: list[int] = []

    def keep(self, message: RawMessage) -> None:
        self.handed.append(message.uid)
        headers = message.headers if message.too_large else message.raw
        message_id = str(message_from_bytes(headers)["Message-ID"])
        self.by_id.setdefault(message_id, message)


def fill(server: DovecotServer, count: int, folder: str = "INBOX") -> list[bytes]:
    letters = [letter(number) for number in range(1, count + 1)]
    with server.mailbox() as box:
        for raw in letters:
            box.append(raw, folder)
    return letters


def assert_dutch_and_private(error: InboxSourceError) -> None:
    text = f"{error} {error.hint} {error!r}"
    assert IMAP_PASSWORD not in text
    assert "Testbericht" not in text
    assert error.user_text().strip()


# -- fetching ------------------------------------------------------------------------------


def test_fetch_over_implicit_tls_hands_every_message_then_marks_it_seen(
    dovecot: DovecotServer,
) -> None:
    letters = fill(dovecot, 2)
    store = Store()

    result = fetch_new(settings(dovecot), None, store.keep)

    assert [m.raw for m in store.by_id.values()] == letters
    first = next(iter(store.by_id.values()))
    assert first.source == f"imap://127.0.0.1:{dovecot.tls_port}/INBOX"
    assert first.size == len(letters[0]) and not first.too_large
    with dovecot.mailbox() as box:
        assert result == FetchResult(ImapMark(box.uidvalidity(), 2), 2, 0, restarted=True)
        assert box.seen() == [1, 2]
        assert box.uids() == [1, 2]  # "leave": the server copy stays


def test_fetch_over_starttls(dovecot: DovecotServer) -> None:
    letters = fill(dovecot, 1)
    store = Store()

    result = fetch_new(
        settings(dovecot, port=dovecot.starttls_port, security="starttls"), None, store.keep
    )

    assert result.kept == 1
    assert [m.raw for m in store.by_id.values()] == letters


def test_a_message_is_not_seen_until_keep_returned(dovecot: DovecotServer) -> None:
    """BODY.PEEK: downloading does not mark it; only a kept message is marked."""
    fill(dovecot, 1)
    seen_while_keeping: list[list[int]] = []

    def keep(message: RawMessage) -> None:
        with dovecot.mailbox() as box:
            seen_while_keeping.append(box.seen())

    fetch_new(settings(dovecot), None, keep)

    assert seen_while_keeping == [[]]


def test_the_second_fetch_takes_only_new_messages(dovecot: DovecotServer) -> None:
    fill(dovecot, 2)
    first = fetch_new(settings(dovecot), None, Store().keep)
    with dovecot.mailbox() as box:
        box.append(letter(3))
    store = Store()

    second = fetch_new(settings(dovecot), first.mark, store.keep)
    third = fetch_new(settings(dovecot), second.mark, store.keep)

    assert store.handed == [3]
    assert second == FetchResult(replace(first.mark, last_uid=3), 1, 0, restarted=False)
    assert third == FetchResult(second.mark, 0, 0, restarted=False)


def test_limit_leaves_the_rest_for_the_next_fetch(dovecot: DovecotServer) -> None:
    fill(dovecot, 3)
    store = Store()

    first = fetch_new(settings(dovecot), None, store.keep, limit=2)
    second = fetch_new(settings(dovecot), first.mark, store.keep, limit=2)

    assert (first.kept, first.waiting, second.kept, second.waiting) == (2, 1, 1, 0)
    assert store.handed == [1, 2, 3]


def test_move_puts_kept_messages_in_the_other_folder(dovecot: DovecotServer) -> None:
    fill(dovecot, 2)
    with dovecot.mailbox() as box:
        box.create("Verwerkt")
    store = Store()

    result = fetch_new(settings(dovecot, after="move", move_to="Verwerkt"), None, store.keep)

    assert result.kept == 2
    with dovecot.mailbox() as box:
        assert box.uids("INBOX") == []
        assert len(box.uids("Verwerkt")) == 2
        assert len(box.seen("Verwerkt")) == 2


@pytest.mark.parametrize("capabilities", ["IMAP4rev1 UIDPLUS", "IMAP4rev1"])
def test_move_without_the_move_command_copies_and_expunges(
    imap_pki: ImapPki, capabilities: str
) -> None:
    """Servers without MOVE (RFC 6851): COPY, \\Deleted, then EXPUNGE (by UID with UIDPLUS)."""
    server = DovecotServer(imap_pki, capabilities=capabilities)
    server.start()
    try:
        fill(server, 2)
        with server.mailbox() as box:
            box.create("Verwerkt")
        result = fetch_new(settings(server, after="move", move_to="Verwerkt"), None, Store().keep)
        assert result.kept == 2
        with server.mailbox() as box:
            assert box.uids("INBOX") == []
            assert len(box.seen("Verwerkt")) == 2
    finally:
        server.stop()


def test_a_missing_move_folder_stops_before_anything_is_handed_over(
    dovecot: DovecotServer,
) -> None:
    fill(dovecot, 1)
    store = Store()

    with pytest.raises(FolderMissingError) as caught:
        fetch_new(settings(dovecot, after="move", move_to="Bestaat-niet"), None, store.keep)

    assert store.handed == []
    assert "Bestaat-niet" in caught.value.message
    assert not caught.value.temporary


def test_a_missing_folder_is_said_in_dutch(dovecot: DovecotServer) -> None:
    with pytest.raises(FolderMissingError) as caught:
        fetch_new(settings(dovecot, folder="Terugkoppeling"), None, Store().keep)

    assert caught.value.message.startswith("De map 'Terugkoppeling' bestaat niet")


def test_a_changed_uidvalidity_starts_over(dovecot: DovecotServer) -> None:
    """The folder was made anew: every message counts as new; the dedupe stops duplicates."""
    with dovecot.mailbox() as box:
        box.create("Terugkoppeling")
    fill(dovecot, 2, "Terugkoppeling")
    store = Store()
    first = fetch_new(settings(dovecot, folder="Terugkoppeling"), None, store.keep)
    with dovecot.mailbox() as box:
        box.delete("Terugkoppeling")
        box.create("Terugkoppeling")
    fill(dovecot, 3, "Terugkoppeling")  # the two old ones again, and one new

    second = fetch_new(settings(dovecot, folder="Terugkoppeling"), first.mark, store.keep)

    assert second.mark.uidvalidity != first.mark.uidvalidity
    assert (second.kept, second.restarted, second.mark.last_uid) == (3, True, 3)
    assert store.handed == [1, 2, 1, 2, 3]
    assert len(store.by_id) == 3


def test_a_mark_from_another_uidvalidity_is_not_trusted(dovecot: DovecotServer) -> None:
    fill(dovecot, 2)
    store = Store()

    result = fetch_new(settings(dovecot), ImapMark(uidvalidity=1, last_uid=99), store.keep)

    assert (store.handed, result.restarted) == ([1, 2], True)


# -- keep failing, crashes -----------------------------------------------------------------


def test_keep_failing_on_the_second_message_stops_there(dovecot: DovecotServer) -> None:
    fill(dovecot, 3)
    handed: list[int] = []

    def keep(message: RawMessage) -> None:
        handed.append(message.uid)
        if message.uid == 2:
            raise OSError("disk full")

    with pytest.raises(KeepFailedError) as caught:
        fetch_new(settings(dovecot), None, keep)

    stopped = caught.value.result
    assert isinstance(stopped, FetchResult)
    assert (stopped.mark.last_uid, stopped.kept, stopped.waiting) == (1, 1, 2)
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.temporary
    with dovecot.mailbox() as box:
        assert box.seen() == [1]
    store = Store()
    again = fetch_new(settings(dovecot), stopped.mark, store.keep)
    assert store.handed == [2, 3]
    assert again.mark.last_uid == 3


def test_a_dutch_error_from_keep_becomes_the_hint(dovecot: DovecotServer) -> None:
    from gpdesk.errors import DatabaseError

    fill(dovecot, 1)

    def keep(message: RawMessage) -> None:
        raise DatabaseError("De database is nu niet te bereiken.", hint="Probeer het later.")

    with pytest.raises(KeepFailedError) as caught:
        fetch_new(settings(dovecot), None, keep)

    assert caught.value.hint == "De database is nu niet te bereiken. Probeer het later."


class Crash(BaseException):
    """The process dies: nothing after this line runs, no handler cleans up."""


@pytest.mark.parametrize("after", ["leave", "move"])
def test_a_crash_mid_fetch_loses_nothing_and_duplicates_nothing(
    dovecot: DovecotServer, after: str
) -> None:
    """Stored, then the process died before the server heard: fetched again, stored once."""
    letters = fill(dovecot, 3)
    with dovecot.mailbox() as box:
        box.create("Verwerkt")
    chosen = settings(dovecot, after=after, move_to="Verwerkt" if after == "move" else None)
    store = Store()

    def keep_then_crash(message: RawMessage) -> None:
        store.keep(message)
        if message.uid == 2:
            raise Crash

    with pytest.raises(Crash):
        fetch_new(chosen, None, keep_then_crash)
    with dovecot.mailbox() as box:  # the server heard about message 1 only
        assert box.seen("INBOX") == ([1] if after == "leave" else [])
        assert box.uids("INBOX") == ([1, 2, 3] if after == "leave" else [2, 3])

    result = fetch_new(chosen, None, store.keep)  # the crash lost the mark too

    assert sorted(m.raw for m in store.by_id.values()) == sorted(letters)
    assert result.mark.last_uid == 3
    with dovecot.mailbox() as box:
        if after == "leave":
            assert box.seen("INBOX") == [1, 2, 3]
        else:
            assert box.uids("INBOX") == []
            assert len(box.uids("Verwerkt")) == 3


# -- too large -----------------------------------------------------------------------------


def test_a_too_large_message_is_handed_over_as_a_marker(dovecot: DovecotServer) -> None:
    with dovecot.mailbox() as box:
        box.append(letter(1))
        box.append(letter(2, size=30_000, message_id="groot@wijkteam.example.org"))
    store = Store()

    result = fetch_new(settings(dovecot), None, store.keep, max_size=10_000)

    small, large = store.by_id.values()
    assert not small.too_large and small.raw == letter(1)
    assert large.too_large and large.raw == b""
    assert large.size > 30_000
    assert b"Message-ID: <groot@wijkteam.example.org>" in large.headers
    assert b"Testbericht" not in large.headers
    assert result.kept == 2
    with dovecot.mailbox() as box:
        assert box.seen() == [1, 2]  # kept as a marker counts as kept: the caller quarantines


def test_a_message_over_25_mb_is_not_downloaded(dovecot: DovecotServer) -> None:
    assert MAX_MESSAGE_BYTES == 25 * 1024 * 1024
    with dovecot.mailbox() as box:
        box.append(letter(1, size=MAX_MESSAGE_BYTES + 1))
    store = Store()

    fetch_new(settings(dovecot), None, store.keep)

    (marker,) = store.by_id.values()
    assert (marker.too_large, marker.raw) == (True, b"")
    assert marker.size > MAX_MESSAGE_BYTES


# -- refusals: TLS, login, server down -----------------------------------------------------


def test_a_wrong_password_is_refused_in_dutch(dovecot: DovecotServer) -> None:
    with pytest.raises(LoginRefusedError) as caught:
        check_connection(settings(dovecot, password="fout-wachtwoord"))

    assert "weigert de gebruikersnaam of het wachtwoord" in caught.value.message
    assert not caught.value.temporary
    assert "fout-wachtwoord" not in f"{caught.value} {caught.value.hint}"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_an_unknown_ca_is_refused(dovecot: DovecotServer) -> None:
    with pytest.raises(ServerCertificateError) as caught:
        fetch_new(settings(dovecot, ca_file=dovecot.pki.stranger_ca.cert_pem), None, Store().keep)

    assert "uitgever is onbekend" in caught.value.message
    assert_dutch_and_private(caught.value)


def test_without_the_practice_ca_the_system_cas_do_not_trust_the_test_server(
    dovecot: DovecotServer,
) -> None:
    with pytest.raises(ServerCertificateError):
        check_connection(settings(dovecot, ca_file=None))


def test_a_certificate_for_another_name_is_refused(dovecot: DovecotServer) -> None:
    """The server's certificate is for 127.0.0.1; "localhost" reaches it but is not its name."""
    with pytest.raises(ServerCertificateError) as caught:
        check_connection(settings(dovecot, host="localhost"))

    assert "andere servernaam" in caught.value.message


def test_a_starttls_certificate_is_checked_too(dovecot: DovecotServer) -> None:
    with pytest.raises(ServerCertificateError):
        check_connection(
            settings(
                dovecot,
                port=dovecot.starttls_port,
                security="starttls",
                ca_file=dovecot.pki.stranger_ca.cert_pem,
            )
        )


def test_a_server_without_starttls_gets_no_login(dovecot_without_starttls: DovecotServer) -> None:
    server = dovecot_without_starttls
    store = Store()

    with pytest.raises(NoTlsError) as caught:
        fetch_new(settings(server, port=server.plain_port, security="starttls"), None, store.keep)

    assert "nooit onbeveiligd" in caught.value.message
    assert not caught.value.temporary
    assert store.handed == []
    log = server.log()
    assert "Login:" not in log and "auth failed" not in log and server.user not in log


def test_implicit_tls_against_a_plain_port_fails_the_handshake(dovecot: DovecotServer) -> None:
    with pytest.raises(TlsHandshakeError):
        check_connection(settings(dovecot, port=dovecot.starttls_port, security="tls"))


def test_a_server_that_is_down_is_temporary(dovecot: DovecotServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]

    with pytest.raises(SourceUnreachableError) as caught:
        fetch_new(settings(dovecot, port=closed_port), None, Store().keep)

    assert caught.value.temporary
    assert "neemt niet op" in caught.value.message


def test_a_server_that_stops_mid_fetch_is_temporary(imap_pki: ImapPki) -> None:
    server = DovecotServer(imap_pki)
    server.start()
    try:
        fill(server, 2)
        store = Store()

        def keep_then_server_stops(message: RawMessage) -> None:
            store.keep(message)
            server.halt()

        with pytest.raises(SourceUnreachableError) as caught:
            fetch_new(settings(server), None, keep_then_server_stops)
        assert caught.value.temporary
        assert store.handed == [1]
    finally:
        server.stop()


def test_an_unknown_host_name_is_temporary() -> None:
    chosen = ImapSettings(
        host="imap.bestaat-niet.invalid",
        port=993,
        security="tls",
        username=IMAP_USER,
        password=IMAP_PASSWORD,
        timeout=5.0,
    )

    with pytest.raises(SourceUnreachableError) as caught:
        check_connection(chosen)

    assert "niet gevonden" in caught.value.message


# -- the connection test, settings, logs ---------------------------------------------------


def test_check_connection_counts_the_messages(dovecot: DovecotServer) -> None:
    fill(dovecot, 2)

    assert check_connection(settings(dovecot)) == (
        "De verbinding met het postvak werkt: 2 berichten in de map 'INBOX'."
    )
    with dovecot.mailbox() as box:
        assert box.seen() == []
    with pytest.raises(FolderMissingError):
        check_connection(settings(dovecot, after="move", move_to="Verwerkt"))


def test_nothing_secret_is_logged(dovecot: DovecotServer, caplog: pytest.LogCaptureFixture) -> None:
    fill(dovecot, 1)
    caplog.set_level(logging.DEBUG)

    fetch_new(settings(dovecot), None, Store().keep)
    with pytest.raises(LoginRefusedError):
        check_connection(settings(dovecot, password="ander-geheim"))

    assert caplog.records  # imapclient does log at DEBUG: the check below means something
    assert IMAP_PASSWORD not in caplog.text
    assert "ander-geheim" not in caplog.text
    assert "Testbericht" not in caplog.text


def test_settings_are_checked_and_hide_the_password() -> None:
    with pytest.raises(ValidationError) as caught:
        ImapSettings(
            host="",
            port=0,
            security=cast(Any, "plain"),
            username="",
            password="",
            after="move",
        )

    assert set(caught.value.problems) == {
        "host",
        "port",
        "security",
        "username",
        "password",
        "move_to",
    }
    with pytest.raises(ValidationError) as caught:
        ImapSettings(
            host="h",
            port=993,
            security="tls",
            username="u",
            password="p",
            after="move",
            move_to="INBOX",
        )
    assert set(caught.value.problems) == {"move_to"}
    shown = repr(
        ImapSettings(host="h", port=993, security="tls", username="u", password="geheim-123")
    )
    assert "geheim-123" not in shown


def test_an_expired_password_is_named() -> None:
    error = login_failure("b'[EXPIRED] Password expired.'")

    assert error.message.startswith("Het wachtwoord van het postvak is verlopen.")
    assert not error.temporary
    assert login_failure("b'[UNAVAILABLE] Try later'").temporary


def test_a_message_the_server_cannot_read_names_where_fetching_is_stuck(
    dovecot: DovecotServer,
) -> None:
    fill(dovecot, 2)
    maildir = dovecot.mail_root / dovecot.user.split("@")[0]  # mail_location uses %n
    first = min(maildir.glob("[nc][eu][wr]/*"), key=lambda path: path.name)  # new/ or cur/
    first.chmod(0o000)  # the mail process (not root) can no longer read it
    store = Store()

    with pytest.raises(StuckAtMessageError) as caught:
        fetch_new(settings(dovecot), None, store.keep)

    assert store.handed == []
    assert "gaf bericht 1 uit de map 'INBOX' niet" in caught.value.message
    assert caught.value.temporary and caught.value.uid == 1
