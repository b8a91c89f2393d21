"""Where the patient goes, from the demo kaart: the team's address, the walk-in place, the practice.

Wijkteam Nieuwland holds its Thursday walk-in hour in the demo practice itself (a kaart location
at Singel 12, the letterhead's address) and is visited at Buurtcentrum Het Anker; Wijkteam Oost
holds its Monday walk-in hour at Buurthuis Oost. A team picked by hand outside the routed
options is described as a routed one: named contact, deputy, walk-in place, visit address.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from gpdesk.db import Database
from gpdesk.kaart.routing import route
from gpdesk.letters.html import to_html
from gpdesk.models import Practice
from gpdesk.security.accounts import SignedIn
from gpdesk.signals.letter import patient_handout, route_sentence
from gpdesk.signals.outgoing import Route
from gpdesk.signals.store import compose
from gpdesk.signals.team import choose_for, team_option
from tests.store_support import (
    EXTRA_PATIENT,
    NIEUWLAND,
    consent_draft,
    open_patient,
    ready_practice,
    request,
    signed,
)

OOST = "f9560873-8980-54ca-ba2d-14f71145286c"
"""Wijkteam Oost in the demo kaart: postcodes 3113 and 3114."""
THURSDAY = datetime(2026, 12, 10, 7, 30, tzinfo=UTC)
"""08:30 in Schiedam, before Nieuwland's walk-in hour in the practice (09:00–11:00)."""
MONDAY = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
"""08:30, before Oost's walk-in hour at Buurthuis Oost (09:00–11:00)."""
THEMES = ("wonen_werk_inkomen_schulden",)
IN_OOST = replace(EXTRA_PATIENT, bsn="123456782", postcode="3113AB")
PRACTICE_PLACE = "Huisartsenpraktijk De Singel"
HET_ANKER = "Nieuwlandplein 12, 3118 XB Schiedam"
BUURTHUIS_OOST = "Buurthuis Oost, Oosterstraat 41, 3113 AT Schiedam"


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


def test_nieuwland_sits_in_the_practice_on_thursday_and_is_visited_at_het_anker(
    practice: Database,
) -> None:
    with practice.session() as session:
        choice = choose_for(session, EXTRA_PATIENT, THEMES, now=THURSDAY)
    assert choice.team.id == NIEUWLAND
    assert choice.team.visit_address == HET_ANKER  # the team's own place, not the practice
    slot = choice.walk_in
    assert slot is not None
    assert slot.label == "donderdag 10 december 09:00–11:00"
    assert slot.in_practice
    assert slot.place == PRACTICE_PLACE  # its name there; the address is the practice's own
    desk = next(o for o in choice.options if o.desk)
    assert desk.walk_in is not None and not desk.walk_in.in_practice
    assert desk.walk_in.place == "Sociale Plein, Stadhuisplein 10, 3111 AA Schiedam"
    assert desk.team.visit_address == "Stadhuisplein 10, 3111 AA Schiedam"


def test_a_walk_in_elsewhere_names_the_place_and_its_address(practice: Database) -> None:
    with practice.session() as session:
        choice = choose_for(session, IN_OOST, THEMES, now=MONDAY)
    assert choice.team.id == OOST
    assert choice.team.visit_address == "Oosterstraat 41, 3113 AT Schiedam"
    slot = choice.walk_in
    assert slot is not None and not slot.in_practice
    assert slot.label == "maandag 7 december 09:00–11:00"
    assert slot.place == BUURTHUIS_OOST


def test_the_practice_is_known_by_its_letterhead_address(practice: Database) -> None:
    """A practice that moved: the kaart location at the old address is no longer "here"."""
    with practice.session() as session:
        session.execute(update(Practice).values(address="Lange Kerkstraat 3\n3111 NM Schiedam"))
    with practice.session() as session:
        choice = choose_for(session, EXTRA_PATIENT, THEMES, now=THURSDAY)
    slot = choice.walk_in
    assert slot is not None and not slot.in_practice
    assert slot.place == "Huisartsenpraktijk De Singel, Singel 12, 3112 GS Schiedam"
    assert choice.team.visit_address == HET_ANKER
    with practice.session() as session:  # written differently, the same front door
        session.execute(update(Practice).values(address="Singel 12 \n3112gs  SCHIEDAM"))
    with practice.session() as session:
        again = choose_for(session, EXTRA_PATIENT, THEMES, now=THURSDAY).walk_in
    assert again is not None and again.in_practice


def test_a_team_picked_by_hand_has_its_contact_deputy_and_places(practice: Database) -> None:
    """Oost for a patient in Nieuwland: not among the routed options, described all the same."""
    with practice.session() as session:
        routed = choose_for(session, EXTRA_PATIENT, THEMES, now=MONDAY)
        assert OOST not in {o.team.id for o in routed.options}
        picked = team_option(session, OOST, EXTRA_PATIENT, THEMES, now=MONDAY)
        at_home = choose_for(session, IN_OOST, THEMES, now=MONDAY).chosen
    assert picked.team.contact and picked.team.deputy and picked.team.phone
    assert picked.team == at_home.team  # the same contact (fixed for the theme) as when routed
    assert picked.walk_in == at_home.walk_in
    assert picked.walk_in is not None and picked.walk_in.place == BUURTHUIS_OOST
    assert picked.ref.contact is not None and picked.ref.contact.deputy is not None


def test_the_route_answer_carries_the_walk_in_location(practice: Database) -> None:
    with practice.session() as session:
        routing = route(session, "3118AB", now=THURSDAY)
    team = routing.as_dict()["teams"][0]
    assert team["walk_in_location"]["name"] == PRACTICE_PLACE
    assert team["walk_in_location"]["address"] == "Singel 12, 3112 GS Schiedam"
    assert [place["address"] for place in team["locations"]] == [
        HET_ANKER,
        "Singel 12, 3112 GS Schiedam",
    ]


def test_the_handout_of_a_walk_in_signal_says_here_in_the_practice(practice: Database) -> None:
    bakker: SignedIn = signed(practice, "bakker")
    patient_id = open_patient(practice, bakker)
    wanted = request(patient_id, route=Route.WALK_IN, consent=consent_draft())
    with practice.session() as session:
        signal = compose(session, bakker.vault, bakker.actor, wanted, now=THURSDAY)
    assert signal.walk_in is not None and signal.walk_in.in_practice
    html = " ".join(to_html(patient_handout(signal)).split())
    assert "donderdag 10 december 09:00–11:00" in html
    assert f"hier in de praktijk ({PRACTICE_PLACE})" in html
    assert "Neem mee" in html and "legitimatiebewijs" in html
    assert signal.team.contact is not None and signal.team.contact in html
    letter_route = route_sentence(signal)
    assert isinstance(letter_route, tuple) and " in de praktijk." in str(letter_route[-1])
