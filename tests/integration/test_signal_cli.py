"""The headless signal loop as a script runs it: real processes, a real aiosmtpd server with
STARTTLS, AUTH and a test CA, on SQLite and PostgreSQL.

``transport set`` → ``team delivery`` (the id from ``kaart route --json``) → ``signal send``
with the consent in the request → ``outbox flush`` → ``signal list/show/status`` → ``consent
withdraw`` → the withdrawal notice goes out; and the refusals, each one Dutch line and nothing
stored. No output line carries the SMTP password or the patient's BSN.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.models import FeedbackAgreement
from tests.cli_support import gpdesk
from tests.integration.test_cli import assert_clean_failure
from tests.security_support import make_demo
from tests.store_support import NIEUWLAND
from tests.transport_support import (
    SMTP_PASSWORD,
    SMTP_USER,
    Inbox,
    MailServer,
    MailServers,
    Pki,
    make_pki,
    start_server,
)

DEMO_PASSWORD = "demo1234"
TEAM_ADDRESS = "wijkteam@example.org"
PATIENT = {
    "bsn": "111222333",
    "naam": "K. Verhoeven-Smits",
    "geboortedatum": "1963-07-19",
    "postcode": "3118GH",
    "telefoon": "0612398745",
}
QUESTION = "Mevrouw heeft schulden en slaapt slecht van de zorgen. Graag meekijken."
NOTE = "Vermoeden van drankgebruik partner; niet met het team bespreken."
CONSENT = {
    "wijze": "mondeling",
    "gegevens": ["naam", "telefoon", "postcode", "hulpvraag"],
    "doelen": ["aanmelding", "terugkoppeling"],
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def gateway(pki: Pki) -> Iterator[MailServer]:
    """The practice's gateway: STARTTLS required, AUTH only after TLS, the test CA."""
    inbox = Inbox()
    controller = start_server(
        inbox, tls_context=pki.server_context(), require_starttls=True, auth_require_tls=True,
        authenticator=inbox.authenticate, auth_required=True,
    )  # fmt: skip
    yield MailServer(port=controller.port, inbox=inbox)
    controller.stop()


@pytest.fixture
def practice(db: Database, database_url: str, tmp_path: Path) -> Callable[..., Any]:
    """The demo practice (cheap keys) and a runner of ``gpdesk`` against it, all output kept."""
    make_demo(db)
    with db.session() as session:  # Nieuwland promises an answer within 3 working days
        agreement = session.scalar(
            select(FeedbackAgreement).where(FeedbackAgreement.service_id == NIEUWLAND)
        ) or FeedbackAgreement(service_id=NIEUWLAND)
        agreement.confirm_within_working_days = 3
        session.add(agreement)
    home = tmp_path / "home"
    outputs: list[str] = []

    def run(
        *args: str, user: str | None = "bakker", **env: str
    ) -> subprocess.CompletedProcess[str]:
        extra = ("--user", user) if user else ()
        result = gpdesk(
            *args, *extra, "--home", str(home), "--database-url", database_url,
            password=DEMO_PASSWORD, **env,
        )  # fmt: skip
        outputs.append(result.stdout + result.stderr)
        return result

    run.outputs = outputs  # type: ignore[attr-defined]  # read back by the privacy check
    _ok(
        run(
            "letterhead", "--address", "Singel 12", "--address", "3112 GS Schiedam",
            "--phone", "010 123 45 67", user="smit",
        )
    )  # fmt: skip
    return run


def _ok(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout) if result.stdout.lstrip().startswith(("{", "[")) else None


def _request(tmp_path: Path, name: str = "verzoek.json", **changes: Any) -> Path:
    data: dict[str, Any] = {
        "patient": PATIENT,
        "themas": ["wonen_werk_inkomen_schulden"],
        "vraag": QUESTION,
        "route": "afspraak",
        "privenotitie": NOTE,
        "toestemming": CONSENT,
    }
    data.update(changes)
    for key in [k for k, v in data.items() if v is None]:
        del data[key]
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _set_transport(run: Callable[..., Any], pki: Pki, port: int) -> None:
    _ok(
        run(
            "transport",
            "set",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            str(port),
            "--security",
            "starttls",
            "--username",
            SMTP_USER,
            "--from",
            "praktijk@example.org",
            "--ca-file",
            str(pki.ca.cert_pem),
            "--json",
            user="smit",
            GPDESK_SMTP_PASSWORD=SMTP_PASSWORD,
        )
    )


def _team_id(run: Callable[..., Any]) -> str:
    routed = _ok(run("kaart", "route", PATIENT["postcode"], "--json", user=None))
    team_id: str = routed["teams"][0]["id"]
    return team_id


def test_the_whole_loop_headless(
    practice: Callable[..., Any], pki: Pki, gateway: MailServer, tmp_path: Path
) -> None:
    run = practice
    _set_transport(run, pki, gateway.port)
    shown = _ok(run("transport", "show", "--json", user="smit"))
    assert shown["password"] == "ingesteld"
    assert shown["security"] == "starttls"
    team_id = _team_id(run)
    assert team_id == NIEUWLAND
    delivery = _ok(run("team", "delivery", team_id, "--email", TEAM_ADDRESS, "--json", user="smit"))
    assert delivery["email"] == TEAM_ADDRESS
    assert "Wijkteam Nieuwland" in run("team", "delivery", team_id, user="smit").stdout

    sent = _ok(run("signal", "send", str(_request(tmp_path)), "--json"))
    reference = sent["reference"]
    assert reference.startswith("SIG-") and reference.endswith("-000001")
    assert sent["status"] == "concept"
    assert sent["team"] == NIEUWLAND
    consent_id = sent["consent_id"]
    assert isinstance(consent_id, int)

    waiting = _ok(run("outbox", "list", "--json"))
    assert [(m["reference"], m["state"]) for m in waiting] == [(reference, "wachtend")]
    flushed = run("outbox", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert f"{reference} (signaal via e-mail): verzonden" in flushed.stdout
    assert len(gateway.inbox.messages) == 1
    mail = message_from_bytes(gateway.inbox.messages[0].data)
    assert mail["Subject"] == f"Signaal {reference}"
    assert gateway.inbox.messages[0].rcpt_tos == [TEAM_ADDRESS]

    listed = _ok(run("signal", "list", "--json"))
    assert len(listed) == 1
    item = listed[0]
    assert item["reference"] == reference and item["status"] == "verzonden"
    assert item["team"] == NIEUWLAND and item["sent_at"] and item["expected_by"]
    assert item["overdue"] is False

    detail = _ok(run("signal", "show", reference, "--json"))
    assert [e["status"] for e in detail["timeline"]] == ["concept", "verzonden"]
    assert detail["consent_id"] == consent_id
    assert NOTE not in json.dumps(detail, ensure_ascii=False)  # never in --json
    text = run("signal", "show", reference.lower()).stdout
    assert f"Toestemming:     nr. {consent_id}" in text
    assert NOTE in text  # the GP may open the patient: the text view shows it, labelled

    moved = _ok(run("signal", "status", reference, "ontvangen", "--json"))
    assert moved["status"] == "ontvangen"
    moved = _ok(run("signal", "status", reference, "in_behandeling", "--json"))
    assert moved["status"] == "in behandeling"

    withdrawn = run("consent", "withdraw", str(consent_id), "--reason", "Patiënt wil het niet")
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert f"{reference}: intrekking gemeld aan het team" in withdrawn.stdout
    again = run("outbox", "flush")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{reference} (intrekking via e-mail): verzonden" in again.stdout
    assert len(gateway.inbox.messages) == 2
    timeline = run("signal", "show", reference).stdout
    assert "Toestemming ingetrokken" in timeline  # the step is on the signal's own timeline too
    assert "intrekking via e-mail: verzonden" in timeline
    refused = run("consent", "withdraw", str(consent_id))
    assert_clean_failure(refused)
    assert "al ingetrokken" in refused.stderr

    consents = _ok(run("consent", "list", "--bsn", PATIENT["bsn"], "--json"))
    assert [(c["id"], c["state"]) for c in consents] == [(consent_id, "ingetrokken")]

    for output in run.outputs:  # type: ignore[attr-defined]
        assert SMTP_PASSWORD not in output
        assert PATIENT["bsn"] not in output
        assert PATIENT["telefoon"] not in output
    for message in gateway.inbox.messages:
        subject = message_from_bytes(message.data)["Subject"]
        assert PATIENT["naam"] not in subject and "Verhoeven" not in subject


def test_refusals_store_nothing(
    practice: Callable[..., Any], pki: Pki, gateway: MailServer, tmp_path: Path
) -> None:
    run = practice
    _set_transport(run, pki, gateway.port)
    _ok(run("team", "delivery", _team_id(run), "--email", TEAM_ADDRESS, user="smit"))

    no_consent = run("signal", "send", str(_request(tmp_path, toestemming=None)))
    assert_clean_failure(no_consent)
    assert "geen geldige toestemming" in no_consent.stderr
    assert "Er is geen toestemming van de patiënt vastgelegd" in no_consent.stderr

    partial = dict(CONSENT, gegevens=["naam", "postcode", "hulpvraag"])
    not_covered = run("signal", "send", str(_request(tmp_path, toestemming=partial)))
    assert_clean_failure(not_covered)
    assert "'telefoon'" in not_covered.stderr

    bad = dict(PATIENT, telefoon="12", bsn="123456789", postcode="31188")
    wrong = run("signal", "send", str(_request(tmp_path, patient=bad)))
    assert_clean_failure(wrong, 2)
    for key in ("patient.telefoon", "patient.bsn", "patient.postcode"):
        assert f"'{key}'" in wrong.stderr

    unknown = run("signal", "send", str(_request(tmp_path, spoed=True, route="fiets")))
    assert_clean_failure(unknown, 2)
    assert "'spoed'" in unknown.stderr and "'route'" in unknown.stderr
    broken = tmp_path / "kapot.json"
    broken.write_text('{"patient": ', encoding="utf-8")
    malformed = run("signal", "send", str(broken))
    assert_clean_failure(malformed, 2)
    assert "geen geldige JSON" in malformed.stderr

    elsewhere = dict(PATIENT, bsn="385280841", postcode="3123CD", naam="A. van der Zanden")
    no_delivery = run("signal", "send", str(_request(tmp_path, patient=elsewhere)))
    assert_clean_failure(no_delivery)
    assert "nog geen verzendadres" in no_delivery.stderr

    assert _ok(run("signal", "list", "--json")) == []
    assert _ok(run("outbox", "list", "--json")) == []
    for output in run.outputs:  # type: ignore[attr-defined]
        assert "Traceback" not in output
        assert PATIENT["bsn"] not in output and "385280841" not in output


def test_smtp_down_says_not_sent_and_the_signal_stays(
    practice: Callable[..., Any], pki: Pki, gateway: MailServer, tmp_path: Path
) -> None:
    run = practice
    _set_transport(run, pki, _closed_port())
    _ok(run("team", "delivery", _team_id(run), "--email", TEAM_ADDRESS, user="smit"))
    reference = _ok(run("signal", "send", str(_request(tmp_path)), "--json"))["reference"]
    flushed = run("outbox", "flush")
    assert flushed.returncode == 1
    line = next(x for x in flushed.stdout.splitlines() if x.startswith(reference))
    assert "niet verzonden" in line
    assert "—" in line and len(line.split("—", 1)[1].strip()) > 10  # the reason, in Dutch
    listed = _ok(run("signal", "list", "--json"))
    assert [(s["reference"], s["status"]) for s in listed] == [(reference, "concept")]
    entries = _ok(run("outbox", "list", "--json"))
    assert entries[0]["error"] and entries[0]["attempts"] == 1
    _set_transport(run, pki, gateway.port)  # the gateway is back: "Opnieuw", then flush
    again = _ok(run("outbox", "retry", str(entries[0]["id"]), "--json"))
    assert again["state"] == "wachtend" and again["attempts"] == 0
    assert run("outbox", "flush").returncode == 0
    assert len(gateway.inbox.messages) == 1
    assert _ok(run("signal", "list", "--json"))[0]["status"] == "verzonden"


def test_settings_need_a_beheerder_and_themes_need_no_sign_in(
    practice: Callable[..., Any], pki: Pki
) -> None:
    run = practice
    refused = run(
        "transport", "set", "--smtp-host", "127.0.0.1", "--smtp-port", "587",
        "--security", "starttls", "--from", "praktijk@example.org",
    )  # fmt: skip
    assert_clean_failure(refused)
    themes = gpdesk("signal", "themes", "--json")
    assert themes.returncode == 0, themes.stderr
    codes = json.loads(themes.stdout)
    assert {"code": "eenzaamheid", "label": "Eenzaamheid"} in codes
    bad_status = run("signal", "status", "SIG-2026-000001", "klaar")
    assert bad_status.returncode == 2  # argparse's usage line, then the Dutch error
    assert "gpdesk: ongeldige invoer: STATUS: onbekende status; kies uit" in bad_status.stderr


def test_representative_namens_and_without_consent(
    practice: Callable[..., Any], pki: Pki, gateway: MailServer, tmp_path: Path
) -> None:
    run = practice
    _set_transport(run, pki, gateway.port)
    _ok(run("team", "delivery", NIEUWLAND, "--email", TEAM_ADDRESS, user="smit"))
    child = dict(PATIENT, bsn="121547280", naam="T. Öztürk", geboortedatum="2016-03-22")
    by_child = dict(CONSENT, wijze="mondeling")
    refused = run("signal", "send", str(_request(tmp_path, patient=child, toestemming=by_child)))
    assert_clean_failure(refused, 2)
    assert "Onder de 12 jaar" in refused.stderr
    by_mother = dict(
        CONSENT, wijze="vertegenwoordiger",
        vertegenwoordiger={"naam": "Ayşe Öztürk-Yılmaz", "relatie": "moeder"},
    )  # fmt: skip
    sent = run(
        "signal", "send", str(_request(tmp_path, patient=child, toestemming=by_mother,
                                       namens="bakker", themas=["jeugd_opvoeding"])),
        "--json", user="visser",
    )  # fmt: skip
    assert _ok(sent)["consent_id"]

    ground = {
        "grond": "wettelijke_plicht",
        "toelichting": "Meldcode huiselijk geweld: melding aan Veilig Thuis is nodig en in "
        "verhouding tot het risico voor de kinderen.",
    }
    not_a_gp = run(
        "signal", "send",
        str(_request(tmp_path, toestemming=None, zonder_toestemming=ground, namens="bakker")),
        user="visser",
    )  # fmt: skip
    assert_clean_failure(not_a_gp)
    assert "Alleen een huisarts" in not_a_gp.stderr
    by_gp = _ok(
        run("signal", "send", str(_request(tmp_path, toestemming=None, zonder_toestemming=ground)),
            "--json")
    )  # fmt: skip
    assert by_gp["consent_id"] is None and by_gp["no_consent_id"]
    both = run("signal", "send", str(_request(tmp_path, zonder_toestemming=ground)), "--json")
    assert_clean_failure(both, 2)
    assert "niet beide" in both.stderr
    assert len(_ok(run("signal", "list", "--json"))) == 2


def test_the_letterhead_is_shown_checked_and_set_by_the_beheerder(
    practice: Callable[..., Any],
) -> None:
    run = practice
    shown = _ok(run("letterhead", "--json", user="smit"))
    assert shown["adres"] == ["Singel 12", "3112 GS Schiedam"] and shown["compleet"] is True
    bad = run("letterhead", "--phone", "12345", "--agb", "12", user="smit")
    assert_clean_failure(bad, 2)
    assert "telefoonnummer" in bad.stderr and "AGB-code heeft 8 cijfers" in bad.stderr
    assert_clean_failure(run("letterhead", "--phone", "010 765 43 21"))  # a GP may not
    changed = _ok(run("letterhead", "--phone", "010 765 43 21", "--agb", "01234567", "--json",
                      user="smit"))  # fmt: skip
    assert changed["telefoon"] == "010 765 43 21" and changed["agb"] == "01234567"
    text = run("letterhead", user="smit").stdout
    assert "Singel 12" in text and "Telefoon: 010 765 43 21" in text


# -- transport test and team list (the core behind Beheer > Verzenden) ----------------------


def test_transport_test_connects_without_sending_and_is_for_a_beheerder(
    practice: Callable[..., Any], pki: Pki, gateway: MailServer
) -> None:
    run = practice
    nothing = run("transport", "test", user="smit")
    assert_clean_failure(nothing)
    assert "nog geen verzendinstellingen" in nothing.stderr

    _set_transport(run, pki, gateway.port)
    answer = _ok(run("transport", "test", "--json", user="smit"))
    assert answer == {"ok": True, "smtp_host": "127.0.0.1", "smtp_port": gateway.port}
    text = run("transport", "test", user="smit").stdout
    assert "gelukt" in text and "certificaat vertrouwd" in text and "ingelogd" in text
    assert gateway.inbox.logins == 2 and gateway.inbox.messages == []
    assert SMTP_USER not in answer.values()
    assert_clean_failure(run("transport", "test", user="bakker"))  # a GP may not


def test_transport_test_names_a_server_without_starttls(
    practice: Callable[..., Any], pki: Pki
) -> None:
    servers = MailServers()
    try:
        plain = servers.start(auth_require_tls=False)
        run = practice
        _set_transport(run, pki, plain.port)
        refused = run("transport", "test", user="smit")
        assert_clean_failure(refused)
        assert "geen beveiligde verbinding (STARTTLS)" in refused.stderr
        assert plain.inbox.logins == 0
    finally:
        servers.stop_all()


def test_team_list_shows_each_team_with_its_delivery(practice: Callable[..., Any]) -> None:
    run = practice
    before = _ok(run("team", "list", "--json", user="smit"))
    nieuwland = next(line for line in before if line["team"] == NIEUWLAND)
    assert nieuwland["delivery"] is None and nieuwland["kind"] == "wijkteam"
    _ok(run("team", "delivery", NIEUWLAND, "--email", TEAM_ADDRESS, user="smit"))
    after = _ok(run("team", "list", "--json", user="smit"))
    nieuwland = next(line for line in after if line["team"] == NIEUWLAND)
    assert nieuwland["delivery"]["email"] == TEAM_ADDRESS
    text = run("team", "list", user="smit").stdout
    assert f"Wijkteam Nieuwland (wijkteam, {NIEUWLAND}): {TEAM_ADDRESS}" in text
    assert_clean_failure(run("team", "list", user="bakker"))
