"""Edifact MEDVRI letters: read from made-up sample files, refused when malformed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from gpdesk.inbox.medvri import (
    LOCAL,
    MAX_MEDVRI_BYTES,
    LetterFormatError,
    read_medvri,
    read_medvris,
)

SAMPLES = Path(__file__).parents[1] / "data" / "inbox" / "medvri"


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _interchange(*body: str, unt: int | None = None, message_type: str = "MEDVRI:1") -> bytes:
    """A small interchange around ``body`` segments (without terminators)."""
    segments = [
        "UNB+UNOA:1+30001234+01050123+261205:0800+REF1",
        f"UNH+M1+{message_type}",
        *body,
        f"UNT+{unt if unt is not None else len(body) + 2}+M1",
        "UNZ+1+REF1",
    ]
    return "".join(f"{segment}'\n" for segment in segments).encode("ascii")


GGA = "GGA+Wijkteam Noord+Team 3"
PID = "PID+1984:05:17+V+Bakker:de:::A.++BSN999990019"
TXT = "TXT:1+Wij hebben contact gehad."


def test_a_confirmation_with_una_crlf_address_and_addressee() -> None:
    letter = read_medvri(_sample("wijkteam_bevestiging.edi"))
    assert letter.sender_name == "Wijkteam Noord"
    assert letter.sender_department == "Team 3"
    assert letter.sender_code == "30001234"
    assert letter.patient_name == "A.M. de Bakker"
    assert letter.patient_partner_name == "de Jong"
    assert letter.patient_birth_date == date(1984, 5, 17)
    assert letter.patient_bsn == "999990019"
    assert letter.patient_postcode == "9721CD"
    assert letter.patient_phone == "0612345678"
    assert letter.recipient_name == "Huisartsenpraktijk De Linde"
    assert letter.sent_at == datetime(2026, 12, 2, 14, 10, tzinfo=LOCAL)
    assert letter.message_reference == "WTN2612021"
    lines = letter.text.split("\n")
    assert lines[0] == "Geachte collega,"
    assert lines[1] == ""
    assert "SIG-2026-000123" in lines[2]
    assert lines[-1] == "J. Visser, wijkcoach"


def test_a_latin1_letter_with_escaped_separators() -> None:
    letter = read_medvri(_sample("jeugdteam_escalatie.edi"))
    assert letter.patient_name == "E. Öztürk"
    assert letter.patient_birth_date == date(2014, 9, 30)
    assert letter.text.startswith("Betreft: Emre Öztürk")
    assert "vóór vrijdag; bel gerust 's ochtends." in letter.text
    assert letter.patient_postcode is None
    assert letter.sent_at == datetime(2026, 12, 3, 9, 2, tzinfo=LOCAL)


def test_an_interchange_on_one_line_without_una() -> None:
    letter = read_medvri(_sample("wijkteam_afsluiting.edi"))
    assert letter.patient_name == "J. de Vries"
    assert letter.text.endswith("Kenmerk: SIG-2026-000087")
    assert "afgesloten" in letter.text


def test_the_repr_names_no_patient() -> None:
    letter = read_medvri(_sample("wijkteam_bevestiging.edi"))
    assert "Bakker" not in repr(letter)
    assert "999990019" not in repr(letter)


def test_a_utf8_file_is_read_as_utf8() -> None:
    raw = _interchange(GGA, "PID+1990:01:02+M+Celik:::::M.", "TXT:1+Zorg voor client")
    raw = raw.replace(b"Celik", "Çelik".encode()).replace(b"client", "cliënt".encode())
    letter = read_medvri(raw)
    assert letter.text == "Zorg voor cliënt"
    assert letter.patient_name == "M. Çelik"
    assert letter.patient_bsn is None


def test_bare_initials_get_dots_and_a_wrong_bsn_is_dropped() -> None:
    letter = read_medvri(_interchange(GGA, "PID+1984:05:17+V+Berg:van den:::PJ++BSN123456789", TXT))
    assert letter.patient_name == "P.J. van den Berg"
    assert letter.patient_bsn is None  # fails the elfproef: never match on it


def test_an_unknown_birth_date_is_none_and_det_falls_back_to_the_header() -> None:
    letter = read_medvri(_interchange(GGA, "PID+0000:00:00+O+Jansen:::::K.", TXT))
    assert letter.patient_birth_date is None
    assert letter.sent_at == datetime(2026, 12, 5, 8, 0, tzinfo=LOCAL)


def test_ftx_free_text_is_read_too() -> None:
    letter = read_medvri(_interchange(GGA, PID, "FTX+AAI+++Eerste regel:tweede deel"))
    assert letter.text == "Eerste regel tweede deel"


def test_a_file_with_two_letters() -> None:
    one = _interchange(GGA, PID, TXT).decode("ascii").splitlines()
    two = [*one[:-1], *one[1:-1], "UNZ+2+REF1'"]
    raw = "\n".join(two).encode("ascii")
    assert len(read_medvris(raw)) == 2
    with pytest.raises(LetterFormatError, match="bevat 2 berichten"):
        read_medvri(raw)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        pytest.param(b"", "kop (UNB) ontbreekt", id="empty"),
        pytest.param(b"%PDF-1.7\n", "geen leesbaar Edifact", id="pdf"),
        pytest.param(b"Beste collega'\n", "kop (UNB) ontbreekt", id="plain-text"),
        pytest.param(
            _interchange(GGA, PID, TXT, message_type="MEDLAB:1"), "soort MEDLAB", id="medlab"
        ),
        pytest.param(_interchange(GGA, PID, TXT, unt=9), "aantal regels", id="count"),
        pytest.param(_interchange(GGA, PID, TXT)[:-40], "afgebroken", id="cut-off"),
        pytest.param(
            _interchange(GGA, PID, TXT).replace(b"UNZ+1+REF1'\n", b""), "(UNZ)", id="no-unz"
        ),
        pytest.param(_interchange(PID, TXT), "afzender (GGA)", id="no-sender"),
        pytest.param(_interchange(GGA, TXT), "patiënt (PID)", id="no-patient"),
        pytest.param(_interchange(GGA, "PID+1984:05:17+V", TXT), "naam", id="no-name"),
        pytest.param(_interchange(GGA, PID, "TXT:1+"), "geen tekst", id="no-text"),
        pytest.param(
            _interchange(GGA, PID, TXT).replace(b"UNT+5+M1'\n", b""), "niet goed", id="no-unt"
        ),
        pytest.param(b"UNB+UNOW:4+1+2+261205:0800+R'UNH+1+MEDVRI:1'\xff'", "UTF-8", id="bad-utf8"),
        pytest.param(b"UNB+UNOA:1?", "opbouw", id="dangling-release"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(raw: bytes, problem: str) -> None:
    with pytest.raises(LetterFormatError) as caught:
        read_medvri(raw)
    assert problem in caught.value.message
    assert "quarantaine" in caught.value.message
    assert "Bakker" not in caught.value.user_text()


def test_a_huge_file_is_refused_before_parsing() -> None:
    with pytest.raises(LetterFormatError, match="te groot"):
        read_medvri(b"UNB" + b"x" * MAX_MEDVRI_BYTES)
