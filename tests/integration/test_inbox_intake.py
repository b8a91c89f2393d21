"""Reading what the wijkteam sends, end to end: S/MIME opened with the practice key and its
signature checked against the team's certificate, Edifact MEDVRI read, a bare PDF, and what cannot
be opened kept in quarantine with gpdesk's reason. Stored through the real path (child process,
``take_in``) on both databases.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.inbox.checking import check_pending
from gpdesk.inbox.intake import practice_keys, take_in
from gpdesk.inbox.parsing import ParserProcess
from gpdesk.models import Letter, LetterPart, LetterSource
from gpdesk.security.accounts import SignedIn
from gpdesk.transport import config, smime
from tests.inbox_letters import letter_pdf
from tests.store_support import FROM_ADDRESS, NIEUWLAND, ready_practice, signed
from tests.transport_support import Pki, make_pki

MEDVRI = Path(__file__).parent.parent / "data" / "inbox" / "medvri"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def assistant(practice: Database) -> SignedIn:
    return signed(practice, "jansen")


def _with_practice_key(db: Database, pki: Pki) -> None:
    """The beheerder gives the practice its S/MIME identity and Nieuwland its certificate."""
    manager = signed(db, "smit")
    key_pem = pki.practice.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with db.session() as session:
        config.save_transport(
            session, manager.vault, manager.actor,
            config.TransportRequest(
                host="127.0.0.1", port=587, security="starttls", from_address=FROM_ADDRESS,
                signing_certificate=pki.practice.cert_pem.read_bytes(), signing_key=key_pem,
            ),
        )  # fmt: skip
        config.set_team_delivery(
            session, manager.actor, NIEUWLAND, email="wijkteam@example.org",
            certificate=pki.team.cert_pem.read_bytes(),
        )  # fmt: skip


def _team_letter(pki: Pki, *, tamper: bool = False, pdf: bytes | None = None) -> bytes:
    """A letter as a team's secure-mail client sends it: signed by the team, enveloped to us."""
    inner = EmailMessage()
    inner["Content-Type"] = "text/plain; charset=utf-8"
    inner.set_content("Wij hebben mevrouw gesproken. Kenmerk SIG-2026-000001.\n")
    if pdf is not None:
        inner.add_attachment(pdf, maintype="application", subtype="pdf", filename="brief.pdf")
    entity = inner.as_bytes().replace(b"\n", b"\r\n")
    team = smime.SigningIdentity(pki.team.certificate, pki.team.key)
    signed_entity = smime.sign(entity, team)
    if tamper:
        signed_entity = signed_entity.replace(b"gesproken", b"gebeld..")
    sealed = smime.envelope(signed_entity, pki.practice.certificate)
    headers = (
        b"From: Wijkteam Nieuwland <wijkteam@example.org>\r\n"
        b"To: praktijk@desingel.example\r\n"
        b"Subject: Terugkoppeling\r\n"
        b"Message-ID: <versleuteld-1@wijkteam.example>\r\n"
        b"MIME-Version: 1.0\r\n"
    )
    return headers + sealed


def _stored(db: Database, letter_id: int) -> Letter:
    with db.session() as session:
        letter = session.scalars(select(Letter).where(Letter.id == letter_id)).one()
        session.expunge(letter)
        return letter


def test_an_smime_letter_is_opened_and_its_signature_verified(
    practice: Database, assistant: SignedIn, pki: Pki
) -> None:
    _with_practice_key(practice, pki)
    keys = practice_keys(practice, assistant.vault)
    assert keys.identity is not None and len(keys.trusted) == 1
    got = take_in(
        practice, assistant, ("brief.eml", _team_letter(pki)),
        LetterSource.IMPORTED, keys=keys,
    )  # fmt: skip
    letter = _stored(practice, got.letter_id)
    assert letter.quarantine_reason is None and letter.signature == "geverifieerd"
    assert letter.message_id == "versleuteld-1@wijkteam.example"
    assert letter.body_text is not None
    text = assistant.vault.open("letter", "body_text", letter.id, bytes(letter.body_text))
    assert "Wij hebben mevrouw gesproken" in text


def test_an_smime_letter_read_for_a_fetch_leaves_its_inner_pdf_to_the_reading_pass(
    practice: Database, assistant: SignedIn, pki: Pki
) -> None:
    _with_practice_key(practice, pki)
    keys = practice_keys(practice, assistant.vault)
    raw = _team_letter(pki, pdf=letter_pdf(["Wij adviseren een verwijzing naar de GGZ."]))
    with ParserProcess() as parser:
        got = take_in(
            practice, assistant, ("brief.eml", raw), LetterSource.FOLDER, keys=keys,
            parser=parser.parse_deferred,
        )  # fmt: skip
        with practice.session() as session:
            part = session.scalars(select(LetterPart)).one()
            assert part.check_pending and not part.safe_to_open and part.text is None
        done = check_pending(practice, assistant, parser.parse_checked)
    assert (done.checked, done.problems, done.letters) == (1, 0, [got.letter_id])
    letter = _stored(practice, got.letter_id)
    assert letter.signature == "geverifieerd" and letter.kind == "advies"
    with practice.session() as session:
        part = session.scalars(select(LetterPart)).one()
        assert part.safe_to_open and not part.check_pending and part.text is not None


def test_a_changed_signed_letter_is_marked_invalid_and_without_key_kept_unopened(
    practice: Database, assistant: SignedIn, pki: Pki
) -> None:
    _with_practice_key(practice, pki)
    keys = practice_keys(practice, assistant.vault)
    got = take_in(
        practice, assistant, ("brief.eml", _team_letter(pki, tamper=True)),
        LetterSource.IMPORTED, keys=keys,
    )  # fmt: skip
    assert _stored(practice, got.letter_id).signature == "ongeldig"
    no_key = practice_keys(practice, assistant.vault)
    no_key = type(no_key)(identity=None, trusted=no_key.trusted)
    other = _team_letter(pki).replace(b"versleuteld-1@", b"versleuteld-2@")
    kept = take_in(
        practice, assistant, ("brief.eml", other), LetterSource.IMPORTED,
        keys=no_key,
    )  # fmt: skip
    letter = _stored(practice, kept.letter_id)
    assert kept.quarantined and letter.quarantine_reason is not None
    assert "sleutel" in letter.quarantine_reason.lower()


def test_a_medvri_file_and_a_bare_pdf_become_letters(
    practice: Database, assistant: SignedIn
) -> None:
    keys = practice_keys(practice, assistant.vault)
    for path in sorted(MEDVRI.glob("*.edi")):
        got = take_in(
            practice, assistant, (path.name, path.read_bytes()),
            LetterSource.FOLDER, keys=keys,
        )  # fmt: skip
        letter = _stored(practice, got.letter_id)
        assert letter.quarantine_reason is None, letter.quarantine_reason
        assert letter.file_type == "edifact" and letter.sender_name
        assert letter.body_text is not None
    escalation = next(MEDVRI.glob("*escalatie*.edi"))
    again = take_in(
        practice, assistant, (escalation.name, escalation.read_bytes()),
        LetterSource.FOLDER, keys=keys,
    )  # fmt: skip
    assert again.duplicate
    assert _stored(practice, again.letter_id).kind == "escalatie"
