"""The routing rule without a database: team, central desk, or outside the kaart."""

from __future__ import annotations

from dataclasses import replace

from gpdesk.kaart.postcodes import Pc4Range
from gpdesk.kaart.routing import (
    OUTSIDE_TEXT,
    Responsibility,
    Routing,
    TeamRef,
    decide,
    display_postcode,
    headline,
)
from gpdesk.models import ServiceKind, ServiceStatus

# A town like the demo: two teams with a gap (3120) between them, the desk covering it all.
AREAS = {
    "nieuwland": [Pc4Range(3118, 3119)],
    "woudhoek": [Pc4Range(3121, 3122)],
    "loket": [Pc4Range(3111, 3125)],
}
TEAMS = {"nieuwland", "woudhoek"}
DESKS = {"loket"}


def test_a_teams_postcode_goes_to_the_team() -> None:
    assert decide(3118, AREAS, teams=TEAMS, desks=DESKS) == Responsibility(
        ("nieuwland",), ("loket",), fallback=False, outside=False
    )


def test_a_gap_inside_the_municipality_goes_to_the_desk() -> None:
    assert decide(3120, AREAS, teams=TEAMS, desks=DESKS) == Responsibility(
        ("loket",), ("loket",), fallback=True, outside=False
    )


def test_a_postcode_of_another_town_is_outside() -> None:
    assert decide(1012, AREAS, teams=TEAMS, desks=DESKS) == Responsibility(
        (), (), fallback=False, outside=True
    )
    assert decide(3126, AREAS, teams=TEAMS, desks=DESKS).outside  # just past the desk's area


def test_a_desk_without_a_werkgebied_covers_the_teams_areas() -> None:
    areas = {k: v for k, v in AREAS.items() if k != "loket"}
    assert decide(3119, areas, teams=TEAMS, desks=DESKS).teams == ("nieuwland",)
    assert decide(3120, areas, teams=TEAMS, desks=DESKS).outside  # the gap: nobody's area
    closed = decide(3118, areas, teams={"woudhoek"}, desks=DESKS)
    assert closed.fallback and closed.teams == ("loket",)  # a closed team's wijk stays inside


def test_two_towns_each_with_their_own_desk() -> None:
    areas = {**AREAS, "loket-vlaardingen": [Pc4Range(3130, 3138)]}
    desks = {"loket", "loket-vlaardingen"}
    assert decide(3120, areas, teams=TEAMS, desks=desks).teams == ("loket",)
    assert decide(3131, areas, teams=TEAMS, desks=desks).teams == ("loket-vlaardingen",)
    assert decide(3118, areas, teams=TEAMS, desks=desks).desks == ("loket",)


def test_a_kaart_without_areas_sends_everything_to_its_desks() -> None:
    decision = decide(1012, {}, teams=set(), desks=DESKS)
    assert decision.fallback and not decision.outside
    assert decision.teams == ("loket",)
    assert decide(1012, {}, teams=set(), desks=set()) == Responsibility(
        (), (), fallback=True, outside=False
    )


def test_the_headline_says_who_or_why_nobody() -> None:
    def routing(*, fallback: bool = False, outside: bool = False) -> Routing:
        return Routing("1012AB", (), fallback, (), outside=outside)

    assert headline(routing(outside=True)) == f"Postcode 1012 AB: {OUTSIDE_TEXT}"
    assert "Wmo-loket of wijkteam van die gemeente" in OUTSIDE_TEXT
    assert headline(routing(fallback=True)).startswith("Voor postcode 1012 AB is geen wijkteam")
    assert display_postcode("3118") == "3118"
    assert display_postcode("3118AB") == "3118 AB"


def test_the_headline_names_a_closed_team_and_who_stands_in() -> None:
    desk = TeamRef("loket", "Sociale Plein", "Gemeente", ServiceKind.CENTRAAL_LOKET, None, None)
    closed = TeamRef(
        "oost",
        "Wijkteam Oost",
        "Wijkteams",
        ServiceKind.WIJKTEAM,
        None,
        None,
        status=ServiceStatus.TEMPORARILY_CLOSED,
        alert="Dicht tot en met 3 januari.",
    )
    routing = Routing("3113AB", (desk,), True, (desk,), closed=(closed,))
    assert headline(routing) == (
        "Postcode 3113 AB: Wijkteam Oost is tijdelijk gesloten: Dicht tot en met 3 januari. "
        "Ga zolang naar het centraal loket:"
    )
    nobody = Routing("3113AB", (), True, (), closed=(replace(closed, alert=None),))
    assert headline(nobody).startswith(
        "Voor postcode 3113 AB is geen wijkteam en geen centraal loket bekend dat nu open is. "
        "Wijkteam Oost is tijdelijk gesloten."
    )
