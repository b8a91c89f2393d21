"""The practice's sending settings and a team's delivery: checked, sealed, audited, admin only."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.errors import ValidationError
from gpdesk.models import AuditEntry
from gpdesk.models.transport import TeamDelivery
from gpdesk.models.transport import TransportSettings as TransportRow
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.transport import config
from gpdesk.transport.smtp import TransportSettings
from tests.outbox_support import (
    PRACTICE_ADDRESS,
    TEAM_ADDRESS,
    Practice,
    gateway_settings,
    practice,
)
from tests.transport_support import SMTP_PASSWORD, SMTP_USER, Pki, issue, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def p(db: Database) -> Practice:
    return practice(db)


def _save(p: Practice, request: config.TransportRequest) -> config.TransportView:
    with p.db.session() as session:
        return config.save_transport(session, p.manager.vault, p.manager.actor, request)


def test_settings_are_stored_sealed_shown_without_password_and_audited(
    p: Practice, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    request = gateway_settings(
        pki, 587,
        signing_certificate=pki.practice.cert_pem.read_bytes(),
        signing_key=pki.practice.key_pem.read_bytes(),
    )  # fmt: skip
    assert SMTP_PASSWORD not in repr(request)
    with caplog.at_level(logging.DEBUG):
        view = _save(p, request)
    assert SMTP_PASSWORD not in caplog.text

    assert view.password == config.SET == "ingesteld"
    assert view.as_json()["password"] == "ingesteld"
    assert SMTP_PASSWORD not in str(view.as_json())
    assert (view.host, view.port, view.security) == ("127.0.0.1", 587, "starttls")
    assert view.ca_file == str(pki.ca.cert_pem.resolve())
    assert view.signing_valid_until == pki.practice.certificate.not_valid_after_utc.date()
    with p.db.session() as session:
        shown = config.show_transport(session, p.manager.actor)
        assert shown == view
        row = session.get_one(TransportRow, 1)
        assert row.password is not None and SMTP_PASSWORD.encode() not in row.password
        assert row.signing_key is not None and b"PRIVATE KEY" not in row.signing_key
        loaded = config.load_transport(session, p.gp.vault)
        assert loaded == TransportSettings(
            host="127.0.0.1", port=587, security="starttls", from_address=PRACTICE_ADDRESS,
            username=SMTP_USER, password=SMTP_PASSWORD, ca_file=pki.ca.cert_pem.resolve(),
        )  # fmt: skip
        identity = config.signing_identity(session, p.gp.vault)
        assert identity is not None and identity.certificate == pki.practice.certificate
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.event == "transport.set"))
        assert entry.username == "smit" and entry.state
        assert SMTP_PASSWORD not in (entry.detail or "") and "met wachtwoord" in (
            entry.detail or ""
        )
        assert check_sealed_values(session, p.gp.vault).ok
        assert check_record_states(session, p.gp.vault).ok


def test_saving_again_keeps_the_password_unless_a_new_one_is_given(p: Practice, pki: Pki) -> None:
    _save(p, gateway_settings(pki, 587))
    view = _save(p, gateway_settings(pki, 465, security="tls", password=None))
    assert view.password == "ingesteld" and view.security == "tls"
    with p.db.session() as session:
        loaded = config.load_transport(session, p.gp.vault)
        assert loaded is not None and loaded.password == SMTP_PASSWORD
    view = _save(p, gateway_settings(pki, 465, username="", password=""))
    assert view.password == config.NOT_SET == "niet ingesteld"
    with p.db.session() as session:
        assert (
            len(
                session.scalars(select(AuditEntry).where(AuditEntry.event == "transport.set")).all()
            )
            == 3
        )
        assert check_record_states(session, p.gp.vault).ok


def test_only_who_may_manage_settings_changes_or_reads_them(p: Practice, pki: Pki) -> None:
    with p.db.session() as session, pytest.raises(PermissionDeniedError):
        config.save_transport(session, p.gp.vault, p.gp.actor, gateway_settings(pki, 587))
    with p.db.session() as session, pytest.raises(PermissionDeniedError):
        config.show_transport(session, p.gp.actor)
    with p.db.session() as session, pytest.raises(PermissionDeniedError):
        config.set_team_delivery(session, p.gp.actor, p.team_id, email=TEAM_ADDRESS)
    with p.db.session() as session:
        assert session.get(TransportRow, 1) is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"from_address": "praktijk"}, "afzender", "Het afzenderadres klopt niet"),
        ({"from_address": ""}, "afzender", "Vul het afzenderadres"),
        ({"security": "plain"}, "beveiliging", "onbeveiligd kan niet"),
        ({"port": 0}, "poort", "De poort klopt niet"),
        ({"host": " "}, "mailserver", "Vul de naam van de mailserver in"),
        ({"username": ""}, "gebruikersnaam", "Bij een wachtwoord hoort een gebruikersnaam"),
        ({"ca_file": Path("/nergens/ca.pem")}, "ca_bestand", "is niet te lezen"),
    ],
)
def test_wrong_settings_are_refused_in_dutch(
    p: Practice, pki: Pki, changes: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _save(p, replace(gateway_settings(pki, 587), **changes))
    assert words in caught.value.problems[field]


def test_a_ca_file_without_a_certificate_is_refused(p: Practice, pki: Pki, tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.txt"
    not_pem.write_text("dit is geen certificaat\n")
    with pytest.raises(ValidationError) as caught:
        _save(p, gateway_settings(pki, 587, ca_file=not_pem))
    assert "geen certificaat in PEM-vorm" in caught.value.problems["ca_bestand"]


def test_a_signing_key_that_does_not_fit_is_refused(p: Practice, pki: Pki) -> None:
    with pytest.raises(ValidationError) as caught:
        _save(
            p,
            gateway_settings(
                pki, 587,
                signing_certificate=pki.practice.cert_pem.read_bytes(),
                signing_key=pki.team.key_pem.read_bytes(),
            ),
        )  # fmt: skip
    assert "hoort niet bij het certificaat" in caught.value.problems["praktijkcertificaat"]
    with pytest.raises(ValidationError):
        _save(p, gateway_settings(pki, 587, signing_certificate=pki.practice.cert_pem.read_bytes()))


def test_team_delivery_is_checked_stored_and_audited(p: Practice, pki: Pki, tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    with p.db.session() as session:
        view = config.set_team_delivery(
            session, p.manager.actor, p.team_id, email=TEAM_ADDRESS,
            certificate=pki.team.cert_pem.read_bytes(), export_folder=export,
        )  # fmt: skip
    assert view.email == TEAM_ADDRESS and view.export_folder == str(export.resolve())
    assert view.certificate_valid_until == pki.team.certificate.not_valid_after_utc.date()
    assert list(export.iterdir()) == []  # the write test leaves nothing behind
    with p.db.session() as session:
        assert config.get_team_delivery(session, p.team_id) == view
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.event == "team.delivery"))
        assert entry.object_id == p.team_id and p.team_name in (entry.detail or "")
        # Changing it replaces it: no folder, no certificate any more.
        config.set_team_delivery(session, p.manager.actor, p.team_id, email=TEAM_ADDRESS)
    with p.db.session() as session:
        row = session.get_one(TeamDelivery, p.team_id)
        assert (row.certificate, row.export_folder) == (None, None)


def test_an_expired_team_certificate_is_refused_naming_its_end_date(
    p: Practice, pki: Pki, tmp_path: Path
) -> None:
    ended = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    old = issue(
        tmp_path, "oud-wijkteam", issuer=pki.ca, email=TEAM_ADDRESS,
        valid_from=ended - timedelta(days=365), valid_until=ended,
    )  # fmt: skip
    with p.db.session() as session, pytest.raises(ValidationError) as caught:
        config.set_team_delivery(
            session, p.manager.actor, p.team_id, email=TEAM_ADDRESS,
            certificate=old.cert_pem.read_bytes(),
        )  # fmt: skip
    assert caught.value.problems["certificaat"] == (
        "Het certificaat van het team is verlopen op 31-01-2026. Vraag het team om een geldig "
        "certificaat."
    )


@pytest.mark.parametrize(
    ("email", "certificate", "field", "words"),
    [
        ("wijkteam@", None, "e-mail", "Het e-mailadres van het team klopt niet"),
        (None, None, "e-mail", "Vul een e-mailadres of een exportmap in"),
        (TEAM_ADDRESS, b"-----BEGIN CERTIFICATE-----\nrommel\n", "certificaat", "geen leesbaar"),
    ],
)
def test_wrong_delivery_is_refused_in_dutch(
    p: Practice, email: str | None, certificate: bytes | None, field: str, words: str
) -> None:
    with p.db.session() as session, pytest.raises(ValidationError) as caught:
        config.set_team_delivery(
            session, p.manager.actor, p.team_id, email=email, certificate=certificate
        )
    assert words in caught.value.problems[field]


def test_an_export_folder_must_exist(p: Practice, tmp_path: Path) -> None:
    a_file = tmp_path / "bestand.txt"
    a_file.write_text("x")
    for folder in (tmp_path / "bestaat-niet", a_file):
        with p.db.session() as session, pytest.raises(ValidationError) as caught:
            config.set_team_delivery(session, p.manager.actor, p.team_id, export_folder=folder)
        assert "bestaat niet" in caught.value.problems["exportmap"]


def test_an_unknown_team_is_refused(p: Practice) -> None:
    with p.db.session() as session, pytest.raises(ValidationError) as caught:
        config.set_team_delivery(session, p.manager.actor, "geen-team", email=TEAM_ADDRESS)
    assert "staat niet in de sociale kaart" in caught.value.problems["team"]
