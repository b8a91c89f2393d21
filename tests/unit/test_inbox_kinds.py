"""Letter kinds suggested from realistic (made-up) Dutch letters, and one-click answers."""

from __future__ import annotations

import pytest

from gpdesk.inbox.kinds import (
    LetterKind,
    OneClickAnswer,
    one_click_answer,
    reply_status,
    suggest_kind,
)
from gpdesk.signals.replies import ReplyStatus, reply_mailto

K = LetterKind

CASES: list[tuple[str, str, LetterKind, str]] = [
    # (subject, text, expected kind, a reason word that must be listed)
    (
        "Ontvangstbevestiging SIG-2026-000123",
        "Wij hebben uw aanmelding in goede orde ontvangen. Wij nemen deze week contact op "
        "met mevrouw.",
        K.CONFIRMATION,
        "in goede orde ontvangen",
    ),
    (
        "Re: Signaal SIG-2026-000123",
        "Beste dokter, we helpen meneer graag met zijn administratie. Groet, Sanne",
        K.CONFIRMATION,
        "we helpen",
    ),
    (
        "Terugkoppeling",
        "Stand van zaken: wij hebben twee keer contact gehad en zijn nog bezig met de "
        "aanvraag voor bijzondere bijstand.",
        K.PROGRESS,
        "Stand van zaken",
    ),
    (
        "Tussentijdse rapportage",
        "Het eerste gesprek heeft plaatsgevonden tijdens een huisbezoek.",
        K.PROGRESS,
        "Tussentijdse",
    ),
    (
        "Advies",
        "Na drie gesprekken adviseren wij een verwijzing naar de POH-GGZ of de basis-GGZ.",
        K.ADVICE,
        "adviseren wij",
    ),
    (
        "Terugkoppeling SIG-2026-000200",
        "Mevrouw heeft veel somberheidsklachten. Graag uw beoordeling of verdere "
        "behandeling in de tweede lijn nodig is.",
        K.ADVICE,
        "Graag uw beoordeling",
    ),
    (
        "Zorgen over gezin",
        "Er is sprake van een crisis in het gezin. Veilig Thuis is ingeschakeld.",
        K.ESCALATION,
        "Veilig Thuis",
    ),
    (
        "Jeugd",
        "De rechter heeft een ondertoezichtstelling (OTS) uitgesproken.",
        K.ESCALATION,
        "ondertoezichtstelling",
    ),
    (
        "Overdracht",
        "Wij adviseren een verwijzing naar specialistische jeugdzorg.",
        K.ESCALATION,
        "specialistische jeugdzorg",
    ),
    (
        "Afsluiting traject",
        "Het traject is afgesloten; meneer redt zich weer zelfstandig.",
        K.CLOSING,
        "afgesloten",
    ),
    (
        "Bericht",
        "De begeleiding is per 1 december beëindigd op verzoek van mevrouw.",
        K.CLOSING,
        "beëindigd",
    ),
    (
        "Melding betrokkenheid",
        "Hierbij laten wij u weten dat wij sinds oktober betrokken zijn bij uw patiënt.",
        K.INVOLVEMENT,
        "betrokken zijn bij uw patiënt",
    ),
    (
        "Ter informatie",
        "Wij zijn sinds kort betrokken bij het gezin van mevrouw Jansen.",
        K.INVOLVEMENT,
        "Wij zijn sinds kort betrokken",
    ),
    (
        "Wmo-aanvraag",
        "Voor de beoordeling van de Wmo-aanvraag doen wij een verzoek om medische informatie.",
        K.INFORMATION_REQUEST,
        "verzoek om medische informatie",
    ),
    (
        "Informatieverzoek Jeugdwet",
        "Wij vragen u ons de relevante gegevens over de ontwikkeling van het kind te sturen.",
        K.INFORMATION_REQUEST,
        "Informatieverzoek",
    ),
    (
        "Bericht",
        "Wij hebben uw verwijzing in goede orde ontvangen.",
        K.CONFIRMATION,
        "in goede orde ontvangen",
    ),
    ("Ons kenmerk 4411", "Wij sluiten het dossier af.", K.CLOSING, "Wij sluiten het dossier af"),
    ("Nieuwjaarsgroet", "Wij wensen u fijne feestdagen.", K.OTHER, ""),
]


@pytest.mark.parametrize(("subject", "text", "kind", "reason"), CASES)
def test_realistic_letters(subject: str, text: str, kind: LetterKind, reason: str) -> None:
    suggestion = suggest_kind(subject, text)
    assert suggestion.kind is kind, suggestion
    if reason:
        assert reason in suggestion.reasons
    assert suggestion.urgent is (kind is K.ESCALATION)


def test_escalation_outranks_advice_and_names_the_others() -> None:
    suggestion = suggest_kind(
        "Terugkoppeling", "Wij hebben contact gehad. Er dreigt een gedwongen opname; wij adviseren"
    )
    assert suggestion.kind is K.ESCALATION
    assert suggestion.urgent
    assert suggestion.also == (K.ADVICE, K.PROGRESS)


def test_advice_outranks_a_confirmation() -> None:
    text = "Uw aanmelding is ontvangen. Wij adviseren een verwijzing naar de fysiotherapeut."
    assert suggest_kind("", text).kind is K.ADVICE


@pytest.mark.parametrize(
    "text",
    ["Er is geen sprake van een crisis.", "Mevrouw is niet meer in crisis, het gaat beter."],
)
def test_a_negated_escalation_is_not_urgent(text: str) -> None:
    suggestion = suggest_kind("Voortgang", text)
    assert suggestion.kind is K.PROGRESS
    assert not suggestion.urgent


def test_a_negation_in_an_earlier_clause_does_not_cancel() -> None:
    suggestion = suggest_kind("", "Het gaat niet goed, er is een crisis ontstaan.")
    assert suggestion.kind is K.ESCALATION


def test_a_negation_far_before_does_not_cancel() -> None:
    text = "Wij zien geen verbetering in de thuissituatie en de crisis houdt aan."
    assert suggest_kind("", text).kind is K.ESCALATION


def test_accents_and_case_do_not_matter_and_reasons_keep_the_letters_spelling() -> None:
    suggestion = suggest_kind("", "DE ONDERSTEUNING IS BEËINDIGD.")
    assert suggestion.kind is K.CLOSING
    assert suggestion.reasons == ("BEËINDIGD",)


def test_each_reason_once() -> None:
    suggestion = suggest_kind("Crisis", "Crisis! De crisis is groot.")
    assert suggestion.reasons == ("Crisis",)


# -- one-click answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("SIG-2026-000123 ontvangen", ReplyStatus.RECEIVED),
        ("Re: SIG-2026-000123 in behandeling", ReplyStatus.IN_PROGRESS),
        ("Antw: Signaal SIG-2026-000123 - afgerond.", ReplyStatus.COMPLETED),
        ("sig-2026-000123 niet bereikt", ReplyStatus.NOT_REACHED),
        ("Terugkoppeling SIG-2026-000123", None),
    ],
)
def test_reply_status_from_the_subject(subject: str, expected: ReplyStatus | None) -> None:
    assert reply_status(subject, "") is expected


def test_the_body_lines_of_the_mailto_link_are_the_fallback() -> None:
    url = reply_mailto("praktijk@example.org", "SIG-2026-000123", ReplyStatus.COMPLETED)
    assert "body=Kenmerk" in url
    body = "Kenmerk: SIG-2026-000123\r\nStatus: afgerond\r\n\r\nVerzonden vanaf mijn telefoon"
    assert one_click_answer("[#4411] Uw bericht", body) == OneClickAnswer(
        "SIG-2026-000123", ReplyStatus.COMPLETED
    )


def test_an_ordinary_letter_is_no_one_click_answer() -> None:
    body = "Kenmerk: SIG-2026-000123\nWij hebben mevrouw gesproken; status: lopend."
    assert one_click_answer("Terugkoppeling", body) is None
    assert one_click_answer("Terugkoppeling", "Status: afgerond") is None
