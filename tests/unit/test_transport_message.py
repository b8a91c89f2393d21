"""Building the message that leaves the practice: headers, Message-ID, the subject guard."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from gpdesk.errors import ValidationError
from gpdesk.transport import message as mail
from gpdesk.transport.smtp import TransportSettings

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def build(subject: str = "Signaal SIG-2026-000123") -> EmailMessage:
    return mail.build_message(
        sender="Praktijk De Linde <praktijk@example.org>",
        recipients=["wijkteam@example.org"],
        subject=subject,
        message_id=mail.make_message_id("SIG-2026-000123", "praktijk.example.org"),
        body="Zie de bijlagen.\n",
        attachments=[
            mail.Attachment("signaal.pdf", b"%PDF-1.7 ...", "application/pdf"),
            mail.Attachment("signaal.json", b'{"a": 1}', "application/json"),
        ],
        date=WHEN,
    )


def test_message_id_is_stable_and_names_the_reference():
    first = mail.make_message_id("SIG-2026-000123", "Praktijk.Example.org")
    assert first == "<SIG-2026-000123@praktijk.example.org>"
    assert mail.make_message_id("SIG-2026-000123", "praktijk.example.org") == first
    assert mail.make_message_id("SIG-2026-000123.annulering", "praktijk.example.org") != first


@pytest.mark.parametrize(
    ("reference", "domain"),
    [("", "x.nl"), ("SIG 1", "x.nl"), ("SIG<1>", "x.nl"), ("SIG-1", "x nl"), ("SIG-1", "")],
)
def test_message_id_refuses_what_would_break_the_header(reference: str, domain: str):
    with pytest.raises(ValueError):
        mail.make_message_id(reference, domain)


@pytest.mark.parametrize(
    "subject",
    [
        "Signaal 123456782",  # a BSN
        "Signaal 02-03-1961",  # a date of birth
        "Signaal 1961-03-02",
        "Signaal 2/3/61",
        "Signaal 3118 GH",  # a postcode
        "Signaal 3118gh",
    ],
)
def test_subjects_that_look_like_patient_data_are_refused(subject: str):
    with pytest.raises(ValidationError) as caught:
        build(subject)
    assert "patiëntgegevens" in caught.value.message


@pytest.mark.parametrize(
    "subject", ["Signaal SIG-2026-000123", "Intrekking SIG-2026-000123", "Annulering SIG-2026-1"]
)
def test_reference_subjects_pass(subject: str):
    assert build(subject)["Subject"] == subject


def test_a_line_break_in_the_subject_is_refused():
    with pytest.raises(ValidationError, match="regelovergang"):
        build("Signaal SIG-2026-000123\r\nBcc: iemand@example.org")


def test_plain_message_has_headers_body_and_attachments():
    prepared = mail.prepare(build())
    assert prepared.message_id == "<SIG-2026-000123@praktijk.example.org>"
    assert prepared.sender == "praktijk@example.org"
    assert prepared.recipients == ("wijkteam@example.org",)
    assert b"\r\n" in prepared.data
    assert b"\n" not in prepared.data.replace(b"\r\n", b"")
    parsed = BytesParser(policy=policy.default).parsebytes(prepared.data)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Date"].datetime == WHEN
    assert parsed["From"].addresses[0].display_name == "Praktijk De Linde"
    names = {part.get_filename(): part.get_content_type() for part in parsed.iter_attachments()}
    assert names == {"signaal.pdf": "application/pdf", "signaal.json": "application/json"}


def test_data_stays_out_of_the_repr():
    prepared = mail.prepare(build())
    assert "PDF" not in repr(prepared)


def test_settings_never_show_the_password():
    settings = TransportSettings(
        host="smtp.example.org",
        port=587,
        security="starttls",
        from_address="praktijk@example.org",
        username="praktijk",
        password="geheim-wachtwoord",
    )
    assert "geheim-wachtwoord" not in repr(settings)
    assert "geheim-wachtwoord" not in str(settings)


def test_settings_are_checked():
    unknown: Any = "plain"  # what a hand-edited setting could hold
    with pytest.raises(ValidationError) as caught:
        TransportSettings(
            host=" ",
            port=0,
            security=unknown,
            from_address="geen adres",
            password="x",
        )
    assert set(caught.value.problems) == {"host", "port", "security", "from_address", "username"}
