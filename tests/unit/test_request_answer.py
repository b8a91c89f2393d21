"""The LHV checklist and the answer's letters as data: no database, no Qt."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gpdesk.errors import ValidationError
from gpdesk.inbox.requests.checklist import (
    ANSWER_ITEMS,
    CHECKLIST,
    Check,
    missing_checks,
    parse_checks,
    stored_checks,
)
from gpdesk.inbox.requests.letter import (
    RequestFacts,
    compose,
    mail_body,
    mail_subject,
    preview,
)
from gpdesk.letters.document import Letterhead
from gpdesk.models import AnswerKind, DataItem
from gpdesk.signals.composed import ComposedMessage
from gpdesk.transport.message import Attachment, build_message

AT = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
NAME = "K. Verhoeven-Smits"
FACTS = RequestFacts(
    reference="IV-2026-000012",
    team_name="Wijkteam Nieuwland",
    organisation="Stichting Wijkteams Schiedam",
    received_on=date(2026, 12, 4),
    letterhead=Letterhead(
        "Huisartsenpraktijk De Singel", ("Singel 12",), "010 123 45 67", "praktijk@desingel.example"
    ),
    gp_name="H. Bakker",
    written_at=AT,
    in_reply_to="<verzoek-1@wijkteam.example>",
    patient_name=NAME,
    consent_given_on=date(2026, 11, 30),
)


def test_every_point_must_be_ticked_and_is_stored_in_checklist_order() -> None:
    assert set(CHECKLIST) == set(Check) and all(CHECKLIST[c] for c in Check)
    assert missing_checks(Check) == ()
    assert missing_checks([Check.FACTUAL, "toestemming"]) == (Check.PURPOSE, Check.NO_JUDGEMENT)
    text = stored_checks([Check.NO_JUDGEMENT, Check.CONSENT])
    assert text == "toestemming,geen_oordeel"
    assert parse_checks(text) == (Check.CONSENT, Check.NO_JUDGEMENT)
    with pytest.raises(ValueError):
        missing_checks(["ja"])


def test_an_answer_needs_consent_for_medical_information_and_the_name_only() -> None:
    assert set(ANSWER_ITEMS) == {DataItem.NAME, DataItem.MEDICAL}


def test_subject_and_body_name_only_the_reference() -> None:
    for kind in AnswerKind:
        subject = mail_subject(kind, FACTS.reference)
        assert subject.endswith(FACTS.reference)
        body = mail_body(kind, FACTS)
        assert FACTS.reference in body and NAME not in body
    with pytest.raises(ValidationError):
        mail_subject(AnswerKind.ANSWER, "IV 123456789")  # looks like a BSN


def test_the_refusal_names_no_patient_and_says_what_the_team_can_do() -> None:
    shown = preview(AnswerKind.REFUSAL, FACTS)
    assert NAME not in shown.letter_html
    assert "toestemming" in shown.letter_html and "oordeel" in shown.letter_html
    assert "04-12-2026" in shown.letter_html  # the date of the team's request, no more
    answer = preview(AnswerKind.ANSWER, FACTS, "Artrose van beide knieën.")
    assert NAME in answer.letter_html and "Artrose" in answer.letter_html
    assert "30-11-2026" in answer.letter_html  # the consent it rests on


def test_the_composed_message_survives_storage_and_threads_as_a_reply() -> None:
    message = compose(AnswerKind.ANSWER, FACTS, "Artrose van beide knieën.")
    assert [a.filename for a in message.attachments] == ["IV-2026-000012.pdf"]
    assert message.attachments[0].content.startswith(b"%PDF")
    again = ComposedMessage.loads(message.dumps())
    assert again == message
    built = build_message(
        sender="praktijk@desingel.example", recipients=["team@example.org"],
        subject=again.subject, message_id="<IV-2026-000012@desingel.example>", body=again.body,
        attachments=again.attachments, in_reply_to=again.in_reply_to,
    )  # fmt: skip
    assert built["In-Reply-To"] == "<verzoek-1@wijkteam.example>"
    assert built["References"] == "<verzoek-1@wijkteam.example>"


def test_a_composed_message_refuses_a_subject_with_patient_data() -> None:
    with pytest.raises(ValidationError):
        ComposedMessage("Antwoord 19-07-1963", "tekst", (Attachment("a.pdf", b"", "x/y"),))
