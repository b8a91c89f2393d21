"""Signal references in whatever a letter brings: subject, body, attachment text, headers."""

from __future__ import annotations

import pytest

from gpdesk.inbox.references import find_references, reference_of_message_id
from gpdesk.transport.message import make_message_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Signaal SIG-2026-000123", ["SIG-2026-000123"]),
        ("RE: sig-2026-000123 ontvangen", ["SIG-2026-000123"]),
        ("Uw kenmerk: SIG 2026 000123.", ["SIG-2026-000123"]),
        ("kenmerk SIG-2026-\r\n000123 (afgebroken regel)", ["SIG-2026-000123"]),
        ("kenmerk SIG-\n2026-000123", ["SIG-2026-000123"]),
        ("SIG–2026–000123 met gedachtestreepjes", ["SIG-2026-000123"]),
        ("SIG_2026_000123 in een bestandsnaam", ["SIG-2026-000123"]),
        ("bijlage-SIG-2026-000123.pdf", ["SIG-2026-000123"]),
        ("SIG2026000123", ["SIG-2026-000123"]),
        ("Kenmerk SIG 2026 123, zoals telefonisch besproken", ["SIG-2026-000123"]),
        ("SIG-2026-42", ["SIG-2026-000042"]),
        ("Twee: SIG-2026-000123 en SIG-2025-000999", ["SIG-2026-000123", "SIG-2025-000999"]),
        ("Dubbel: SIG-2026-000123, nogmaals SIG 2026 123", ["SIG-2026-000123"]),
        ("XSIG-2026-000123 hoort aan een woord vast", []),
        ("SIG-2026-0001234 heeft een cijfer te veel", []),
        ("SIG-2026-000000 bestaat niet", []),
        ("SIG-1999-000123 ligt voor 2000", []),
        ("Geen kenmerk, wel 2026-000123 en signaal 123", []),
        ("", []),
    ],
)
def test_references_in_text(text: str, expected: list[str]) -> None:
    assert find_references(text) == expected


def test_space_inside_the_number_is_not_read_as_a_shorter_number() -> None:
    assert find_references("SIG-2026-012 345") == []
    assert find_references("SIG-2026-000 123") == []
    assert find_references("SIG-2026-000123 2 bijlagen") == ["SIG-2026-000123"]


def test_order_follows_the_texts_then_the_position() -> None:
    subject = "Antw: terugkoppeling SIG-2026-000200"
    body = "Over SIG-2026-000100 en SIG-2026-000200."
    attachment = "Kenmerk SIG-2026-000300"
    assert find_references(subject, body, attachment) == [
        "SIG-2026-000200",
        "SIG-2026-000100",
        "SIG-2026-000300",
    ]


def test_a_reply_header_maps_back_to_the_signal() -> None:
    signal_mail = make_message_id("SIG-2026-000123", "praktijk.example")
    notice = make_message_id("SIG-2026-000124.annulering", "praktijk.example")
    in_reply_to = signal_mail
    references = f"<abc123@wijkteam.example>\r\n {notice} {signal_mail}"
    assert find_references("Re: uw bericht", "", in_reply_to, references) == [
        "SIG-2026-000123",
        "SIG-2026-000124",
    ]


@pytest.mark.parametrize(
    ("message_id", "expected"),
    [
        ("<SIG-2026-000123@praktijk.example>", "SIG-2026-000123"),
        (" <SIG-2026-000123.annulering@praktijk.example> ", "SIG-2026-000123"),
        ("<sig-2026-000123.intrekking@gpdesk.invalid>", "SIG-2026-000123"),
        ("<SIG-2026-000000@praktijk.example>", None),
        ("<1234.5678@mail.example>", None),
        ("<SIG-2026-123@praktijk.example>", None),
        ("SIG-2026-000123", None),
    ],
)
def test_reference_of_a_message_id(message_id: str, expected: str | None) -> None:
    assert reference_of_message_id(message_id) == expected
