"""Consent rules without a database: who consents (Wgbo), what a consent covers, sharing without.

Every refusal is checked for its Dutch words, so a GP reading it knows what to fix.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from gpdesk.errors import ValidationError
from gpdesk.roles import Role
from gpdesk.security.actor import Actor
from gpdesk.security.permissions import DEFAULT_PERMISSIONS, PermissionDeniedError
from gpdesk.signals.consent import (
    ConsentDraft,
    ConsentError,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    Coverage,
    DataItem,
    NoConsentGround,
    NoConsentRequest,
    OrganisationRef,
    Purpose,
    Representative,
    age_on,
    best_coverage,
    check_draft,
    check_giver,
    check_no_consent,
    covers,
    one_year_after,
)

TODAY = date(2026, 5, 3)
NOON = datetime(2026, 5, 3, 10, 0, tzinfo=UTC)
WIJKTEAMS = OrganisationRef("Stichting Wijkteams Schiedam", "org-wijk")
GGZ = OrganisationRef("GGZ Waterweg", "org-ggz")
BASIC = frozenset({DataItem.NAME, DataItem.PHONE, DataItem.POSTCODE, DataItem.QUESTION})
MOTHER = Representative("P. de Boer", "moeder")


def draft(**changes: Any) -> ConsentDraft:
    base = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
        organisations=(WIJKTEAMS,),
        items=BASIC,
        method=ConsentMethod.ORAL,
    )
    return replace(base, **changes)


def born(age: int) -> date:
    """A birth date that makes the patient exactly ``age`` on TODAY."""
    return TODAY.replace(year=TODAY.year - age)


def scope(**changes: Any) -> ConsentScope:
    return check_draft(draft(**changes), born(40), TODAY).scope


def gp(role: Role = Role.GP) -> Actor:
    return Actor(1, "bakker", "H. Bakker", role, DEFAULT_PERMISSIONS[role])


# -- dates ----------------------------------------------------------------------------------


def test_age_counts_whole_years() -> None:
    assert age_on(date(2014, 5, 4), TODAY) == 11
    assert age_on(date(2014, 5, 3), TODAY) == 12
    assert age_on(date(2010, 5, 3), TODAY) == 16


def test_one_year_after_keeps_the_day_and_handles_29_february() -> None:
    assert one_year_after(TODAY) == date(2027, 5, 3)
    assert one_year_after(date(2028, 2, 29)) == date(2029, 2, 28)


def test_a_consent_holds_one_year_by_default_through_its_last_day() -> None:
    checked = scope()
    assert (checked.given_on, checked.valid_until) == (TODAY, date(2027, 5, 3))
    last_evening = datetime(2027, 5, 3, 21, 59, tzinfo=UTC)  # 23:59 in Amsterdam
    assert checked.state(last_evening) is ConsentState.VALID
    assert checked.state(datetime(2027, 5, 3, 22, 1, tzinfo=UTC)) is ConsentState.EXPIRED


# -- who consents (Wgbo) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "method", "representative", "incapable"),
    [
        (11, ConsentMethod.REPRESENTATIVE, MOTHER, False),
        (0, ConsentMethod.REPRESENTATIVE, MOTHER, False),
        (12, ConsentMethod.ORAL, MOTHER, False),
        (15, ConsentMethod.WRITTEN, MOTHER, False),
        (15, ConsentMethod.REPRESENTATIVE, MOTHER, True),
        (16, ConsentMethod.ORAL, None, False),
        (80, ConsentMethod.WRITTEN, None, False),
        (80, ConsentMethod.REPRESENTATIVE, Representative("K. Smit", "mentor"), True),
    ],
)
def test_who_may_consent(
    age: int,
    method: ConsentMethod,
    representative: Representative | None,
    incapable: bool,
) -> None:
    assert check_giver(age, method, representative, patient_incapable=incapable) == {}


def test_under_12_the_parents_consent_not_the_child() -> None:
    problems = check_giver(11, ConsentMethod.ORAL, None)
    assert problems["wijze"].startswith("Onder de 12 jaar geven de ouders")
    assert "Kies 'via wettelijk vertegenwoordiger'" in problems["wijze"]
    # The rule is said once; the representative's field says what to fill in.
    assert problems["vertegenwoordiger"] == (
        "Vul naam en relatie van de wettelijk vertegenwoordiger in."
    )
    only_missing = check_giver(11, ConsentMethod.REPRESENTATIVE, None)
    assert only_missing == {
        "vertegenwoordiger": "Onder de 12 jaar geven de ouders of de wettelijk vertegenwoordiger "
        "toestemming, niet het kind zelf. Vul naam en relatie van de wettelijk "
        "vertegenwoordiger in."
    }


def test_from_12_to_15_the_child_and_the_parents_consent() -> None:
    without_parent = check_giver(14, ConsentMethod.ORAL, None)
    assert list(without_parent) == ["vertegenwoordiger"]
    assert "het kind én de ouders" in without_parent["vertegenwoordiger"]
    parent_only = check_giver(14, ConsentMethod.REPRESENTATIVE, MOTHER)
    assert list(parent_only) == ["wijze"]
    assert "Kies hoe het kind zelf toestemming gaf" in parent_only["wijze"]


def test_from_16_the_patient_consents() -> None:
    by_parent = check_giver(16, ConsentMethod.REPRESENTATIVE, MOTHER)
    assert by_parent["wijze"].startswith("Vanaf 16 jaar geeft de patiënt zelf toestemming.")
    extra_parent = check_giver(17, ConsentMethod.ORAL, MOTHER)
    assert "Laat de vertegenwoordiger leeg" in extra_parent["vertegenwoordiger"]
    incapable_but_oral = check_giver(50, ConsentMethod.ORAL, None, patient_incapable=True)
    assert "zelf niet over kan beslissen" in incapable_but_oral["wijze"]
    assert "Vul naam en relatie" in incapable_but_oral["vertegenwoordiger"]


def test_the_age_on_the_day_of_consent_counts() -> None:
    """Twelve tomorrow: today the parents alone consent."""
    birthday_tomorrow = date(2014, 5, 4)
    with pytest.raises(ValidationError) as info:
        check_draft(draft(representative=MOTHER), birthday_tomorrow, TODAY)
    assert "Onder de 12 jaar" in info.value.message
    checked = check_draft(
        draft(method=ConsentMethod.REPRESENTATIVE, representative=MOTHER), birthday_tomorrow, TODAY
    )
    assert not checked.patient_agreed
    twelve = check_draft(draft(representative=MOTHER), date(2014, 5, 3), TODAY)
    assert twelve.patient_agreed and twelve.representative == MOTHER


# -- the draft as a whole -------------------------------------------------------------------


def test_an_empty_draft_names_every_problem_at_once() -> None:
    empty = ConsentDraft(frozenset(), (), frozenset(), ConsentMethod.ORAL)
    with pytest.raises(ValidationError) as info:
        check_draft(empty, born(40), TODAY)
    assert list(info.value.problems) == ["doelen", "organisaties", "gegevens"]
    assert "Kies minstens één doel" in info.value.message
    assert "Kies minstens één organisatie" in info.value.message
    assert "Kies minstens één gegeven" in info.value.message


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"given_on": date(2026, 5, 4)}, "datum", "ligt in de toekomst"),
        ({"valid_until": date(2027, 5, 4)}, "geldig_tot", "hoogstens een jaar"),
        ({"valid_until": date(2026, 5, 2)}, "geldig_tot", "vóór de datum van de toestemming"),
        (
            {"given_on": date(2025, 1, 1), "valid_until": date(2025, 12, 31)},
            "geldig_tot",
            "zou al verlopen zijn na 31-12-2025",
        ),
        ({"organisations": (OrganisationRef("  "),)}, "organisaties", "geen naam"),
        ({"representative": Representative("P. de Boer", "")}, "vertegenwoordiger", "relatie"),
    ],
)
def test_bad_input_is_refused_in_dutch(changes: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_draft(draft(**changes), born(40), TODAY)
    assert words in info.value.problems[field]


def test_a_shorter_validity_and_an_earlier_date_are_fine() -> None:
    checked = check_draft(
        draft(given_on=date(2026, 4, 1), valid_until=date(2026, 10, 1)), born(40), TODAY
    )
    assert (checked.scope.given_on, checked.scope.valid_until) == (
        date(2026, 4, 1),
        date(2026, 10, 1),
    )


def test_organisations_are_tidied_and_counted_once() -> None:
    checked = scope(
        organisations=(
            OrganisationRef("  Stichting   Wijkteams Schiedam ", "org-wijk"),
            OrganisationRef("stichting wijkteams schiedam"),
            GGZ,
        )
    )
    assert checked.organisations == (WIJKTEAMS, GGZ)


# -- what a consent covers ------------------------------------------------------------------


def test_a_valid_consent_covers_what_it_names() -> None:
    answer = covers(scope(), Purpose.REFERRAL, WIJKTEAMS, BASIC, NOON)
    assert answer.ok and answer.problems == ()


def test_each_gap_is_named() -> None:
    answer = covers(
        scope(purposes=frozenset({Purpose.REFERRAL})),
        Purpose.FEEDBACK,
        GGZ,
        [DataItem.NAME, DataItem.BIRTH_DATE, DataItem.MEDICAL],
        NOON,
    )
    assert not answer
    assert answer.problems == (
        "De toestemming dekt het doel 'terugkoppeling aan de huisarts' niet.",
        "De toestemming geldt niet voor 'GGZ Waterweg'.",
        "De toestemming dekt 'geboortedatum' en 'medische informatie' niet.",
    )


def test_one_missing_item_reads_as_one_sentence() -> None:
    answer = covers(scope(), Purpose.REFERRAL, WIJKTEAMS, [DataItem.BIRTH_DATE], NOON)
    assert answer.message == "De toestemming dekt 'geboortedatum' niet."
    items = (item for item in (DataItem.NAME, DataItem.MEDICAL))  # a generator, read once
    answer = covers(scope(), Purpose.REFERRAL, WIJKTEAMS, items, NOON)
    assert answer.message == "De toestemming dekt 'medische informatie' niet."


def test_an_organisation_matches_by_kaart_id_even_after_a_rename() -> None:
    renamed = OrganisationRef("Wijkteams Schiedam (nieuwe naam)", "org-wijk")
    assert covers(scope(), Purpose.REFERRAL, renamed, BASIC, NOON).ok
    by_name = OrganisationRef("stichting wijkteams  schiedam")
    assert covers(scope(), Purpose.REFERRAL, by_name, BASIC, NOON).ok
    other_id = OrganisationRef("Stichting Wijkteams Schiedam", "org-other")
    assert not covers(scope(), Purpose.REFERRAL, other_id, BASIC, NOON).ok


def test_no_expired_or_withdrawn_consent_gives_that_one_reason() -> None:
    assert covers(None, Purpose.REFERRAL, WIJKTEAMS, BASIC, NOON).problems == (
        "Er is geen toestemming van de patiënt vastgelegd.",
    )
    later = datetime(2027, 6, 1, 10, tzinfo=UTC)
    assert covers(scope(), Purpose.REFERRAL, GGZ, BASIC, later).problems == (
        "De toestemming is verlopen na 03-05-2027.",
    )
    withdrawn = replace(scope(), withdrawn_at=datetime(2026, 6, 1, 8, tzinfo=UTC))
    assert covers(withdrawn, Purpose.REFERRAL, WIJKTEAMS, BASIC, later).problems == (
        "De toestemming is ingetrokken op 01-06-2026.",
    )
    # Before the withdrawal it still held: a signal sent then was covered.
    assert covers(withdrawn, Purpose.REFERRAL, WIJKTEAMS, BASIC, NOON).ok


def test_require_raises_a_consent_error_with_the_gaps() -> None:
    answer = covers(scope(), Purpose.REFERRAL, WIJKTEAMS, [DataItem.MEDICAL], NOON)
    with pytest.raises(ConsentError) as info:
        answer.require()
    assert "medische informatie" in info.value.user_text()
    assert Coverage(7).require() == 7


def test_the_best_of_several_consents_is_used() -> None:
    wijk = replace(scope(), consent_id=1)
    ggz = replace(scope(organisations=(GGZ,), items=frozenset({DataItem.NAME})), consent_id=2)
    assert best_coverage([ggz, wijk], Purpose.REFERRAL, WIJKTEAMS, BASIC, NOON) == Coverage(1)
    near_miss = best_coverage([wijk, ggz], Purpose.REFERRAL, GGZ, BASIC, NOON)
    assert near_miss.consent_id == 2
    assert near_miss.message == "De toestemming dekt 'telefoon', 'postcode' en 'hulpvraag' niet."
    assert best_coverage([], Purpose.REFERRAL, GGZ, BASIC, NOON).problems == (
        "Er is geen toestemming van de patiënt vastgelegd.",
    )


# -- without consent ------------------------------------------------------------------------

VEILIG_THUIS = OrganisationRef("Veilig Thuis Maasmond", "org-vt")
REASON = "Ernstige zorgen over de veiligheid van de kinderen; volgens de meldcode gewogen."


def request(**changes: Any) -> NoConsentRequest:
    base = NoConsentRequest(
        ground=NoConsentGround.LEGAL_DUTY,
        reason=REASON,
        organisation=VEILIG_THUIS,
        items=frozenset({DataItem.NAME, DataItem.QUESTION}),
    )
    return replace(base, **changes)


def test_a_gp_with_a_ground_and_a_reason_may_share_without_consent() -> None:
    checked = check_no_consent(gp(), request(reason=f"  {REASON}\n"))
    assert checked.reason == REASON


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.POH_GGZ, Role.PRACTICE_MANAGER])
def test_only_a_gp_may_share_without_consent(role: Role) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        check_no_consent(gp(role), request())
    assert info.value.message.startswith("Alleen een huisarts")


def test_a_ground_and_a_real_reason_are_required() -> None:
    with pytest.raises(ValidationError) as info:
        check_no_consent(gp(), request(ground=None, reason="nodig", items=frozenset()))
    assert set(info.value.problems) == {"grond", "toelichting", "gegevens"}
    assert "vitaal belang of wettelijke plicht" in info.value.problems["grond"]
    assert "nodig is en in verhouding staat" in info.value.problems["toelichting"]
