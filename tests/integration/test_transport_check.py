"""The connection test: as far as sending goes, against a real aiosmtpd server, sending nothing.

Also the core behind Beheer → Verzenden and ``gpdesk transport test`` / ``team list``: the form's
settings with the stored password, the team list with its certificate warnings, and keeping a
team's certificate when the dialog saves without a new one.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.models import AuditEntry
from gpdesk.models.transport import TransportSettings as TransportRow
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.transport import config
from gpdesk.transport.errors import (
    LoginRefusedError,
    NoTlsError,
    ServerCertificateError,
    ServerUnreachableError,
)
from gpdesk.transport.smtp import TransportSettings, check_connection
from tests.outbox_support import (
    PRACTICE_ADDRESS,
    TEAM_ADDRESS,
    Practice,
    gateway_settings,
    practice,
)
from tests.transport_support import SMTP_PASSWORD, SMTP_USER, MailServers, Pki, issue, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def servers() -> Iterator[MailServers]:
    started = MailServers()
    yield started
    started.stop_all()


def _settings(pki: Pki, port: int, **changes: Any) -> TransportSettings:
    base = TransportSettings(
        host="127.0.0.1", port=port, security="starttls", from_address=PRACTICE_ADDRESS,
        username=SMTP_USER, password=SMTP_PASSWORD, ca_file=pki.ca.cert_pem, timeout=10.0,
    )  # fmt: skip
    return replace(base, **changes)


def test_a_good_gateway_passes_with_login_and_receives_nothing(
    pki: Pki, servers: MailServers
) -> None:
    gateway = servers.gateway(pki)
    check_connection(_settings(pki, gateway.port))
    assert gateway.inbox.logins == 1
    assert gateway.inbox.messages == []


def test_implicit_tls_passes_too(pki: Pki, servers: MailServers) -> None:
    gateway = servers.start(ssl_context=pki.server_context(), auth_require_tls=False)
    check_connection(_settings(pki, gateway.port, security="tls"))
    assert gateway.inbox.logins == 1 and gateway.inbox.messages == []


def test_a_server_without_starttls_is_refused_before_the_login(
    pki: Pki, servers: MailServers
) -> None:
    plain = servers.start(auth_require_tls=False)
    with pytest.raises(NoTlsError) as caught:
        check_connection(_settings(pki, plain.port))
    assert "geen beveiligde verbinding (STARTTLS)" in caught.value.message
    assert plain.inbox.logins == 0


def test_an_untrusted_certificate_a_wrong_password_and_no_server_each_say_so(
    pki: Pki, servers: MailServers
) -> None:
    stranger = servers.start(
        tls_context=pki.server_context(pki.stranger_server), require_starttls=True
    )
    with pytest.raises(ServerCertificateError) as untrusted:
        check_connection(_settings(pki, stranger.port))
    assert "niet te vertrouwen" in untrusted.value.message
    assert stranger.inbox.logins == 0

    gateway = servers.gateway(pki)
    with pytest.raises(LoginRefusedError) as refused:
        check_connection(_settings(pki, gateway.port, password="fout wachtwoord"))
    assert "weigert de gebruikersnaam of het wachtwoord" in refused.value.message

    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    with pytest.raises(ServerUnreachableError) as unreachable:
        check_connection(_settings(pki, free))
    assert "neemt niet op" in unreachable.value.message


def test_a_server_that_wants_a_login_says_so_when_none_is_set(
    pki: Pki, servers: MailServers
) -> None:
    gateway = servers.gateway(pki)
    with pytest.raises(LoginRefusedError) as caught:
        check_connection(_settings(pki, gateway.port, username="", password=""))
    assert "vraagt om inloggen" in caught.value.message
    assert gateway.inbox.messages == []


# -- the core behind the Beheer tab (SQLite and PostgreSQL) ---------------------------------


@pytest.fixture
def p(db: Database) -> Practice:
    return practice(db)


def test_the_form_is_tested_with_the_stored_password_when_none_is_typed(
    p: Practice, pki: Pki, servers: MailServers
) -> None:
    gateway = servers.gateway(pki)
    with p.db.session() as session:
        config.save_transport(
            session, p.manager.vault, p.manager.actor, gateway_settings(pki, gateway.port)
        )
    typed = gateway_settings(pki, gateway.port, password=None)
    with p.db.session() as session:
        chosen = config.connection_settings(session, p.manager.vault, p.manager.actor, typed)
        stored = config.stored_connection(session, p.manager.vault, p.manager.actor)
        audited = session.scalars(select(AuditEntry.event)).all()
    assert chosen.password == SMTP_PASSWORD == stored.password
    assert chosen.ca_file == pki.ca.cert_pem.resolve()
    check_connection(chosen)
    assert gateway.inbox.logins == 1
    # Without a user name there is no login, so no password, even when one is stored.
    with p.db.session() as session:
        anonymous = config.connection_settings(
            session, p.manager.vault, p.manager.actor, replace(typed, username="")
        )
        assert session.scalars(select(AuditEntry.event)).all() == audited  # a test changes nothing
    assert (anonymous.username, anonymous.password) == ("", "")


def test_the_form_is_checked_before_any_connection_and_only_for_a_beheerder(
    p: Practice, pki: Pki
) -> None:
    wrong = gateway_settings(pki, 587, host="", from_address="geen adres")
    with p.db.session() as session, pytest.raises(ValidationError) as caught:
        config.connection_settings(session, p.manager.vault, p.manager.actor, wrong)
    assert set(caught.value.problems) == {"mailserver", "afzender"}
    with p.db.session() as session, pytest.raises(PermissionDeniedError):
        config.connection_settings(session, p.gp.vault, p.gp.actor, gateway_settings(pki, 587))
    with p.db.session() as session, pytest.raises(PermissionDeniedError):
        config.team_deliveries(session, p.gp.actor)


def test_nothing_stored_yet_is_said_plainly(p: Practice) -> None:
    with p.db.session() as session:
        session.execute(delete(TransportRow))
    with p.db.session() as session, pytest.raises(GpdeskError) as caught:
        config.stored_connection(session, p.manager.vault, p.manager.actor)
    assert "nog geen verzendinstellingen" in caught.value.message


def test_the_team_list_names_every_team_with_its_delivery_and_certificate_warnings(
    p: Practice, pki: Pki, tmp_path: Path
) -> None:
    soon = issue(
        tmp_path, "bijna-verlopen", issuer=pki.ca, email=TEAM_ADDRESS,
        valid_until=datetime.now(UTC) + timedelta(days=10),
    )  # fmt: skip
    with p.db.session() as session:
        config.set_team_delivery(
            session, p.manager.actor, p.team_id, email=TEAM_ADDRESS,
            certificate=soon.cert_pem.read_bytes(),
        )  # fmt: skip
    with p.db.session() as session:
        lines = config.team_deliveries(session, p.manager.actor)
    by_id = {line.team_id: line for line in lines}
    assert p.team_id in by_id
    assert all(line.kind in {"wijkteam", "centraal loket"} or line.delivery for line in lines)
    delivery = by_id[p.team_id].delivery
    assert delivery is not None and delivery.email == TEAM_ADDRESS
    until = soon.certificate.not_valid_after_utc.date()
    today = date.today()
    assert delivery.certificate_warning(today) == f"verloopt op {until:%d-%m-%Y}"
    assert delivery.certificate_warning(until + timedelta(days=1)) == (
        f"verlopen op {until:%d-%m-%Y}"
    )
    assert delivery.certificate_warning(until - timedelta(days=40)) is None
    assert by_id[p.team_id].as_json()["delivery"]["email"] == TEAM_ADDRESS


def test_a_saved_dialog_keeps_the_certificate_unless_it_is_taken_away(
    p: Practice, pki: Pki
) -> None:
    with p.db.session() as session:
        config.set_team_delivery(
            session, p.manager.actor, p.team_id, email=TEAM_ADDRESS,
            certificate=config.read_certificate_file(pki.team.cert_pem),
        )  # fmt: skip
    with p.db.session() as session:
        kept = config.set_team_delivery(
            session, p.manager.actor, p.team_id, email="ander@example.org", keep_certificate=True
        )
    assert kept.email == "ander@example.org"
    assert kept.certificate_valid_until == pki.team.certificate.not_valid_after_utc.date()
    with p.db.session() as session:
        gone = config.set_team_delivery(session, p.manager.actor, p.team_id, email=TEAM_ADDRESS)
    assert gone.certificate_valid_until is None
    with pytest.raises(ValidationError) as unreadable:
        config.read_certificate_file(pki.folder / "bestaat-niet.pem")
    assert "is niet te lezen" in unreadable.value.problems["certificaat"]
