"""Sociale kaart commands: ``gpdesk kaart route POSTCODE``.

Reading the kaart needs no sign-in: it holds no patient data. Each ``kaart`` command is one
sub-command of the ``kaart`` group, registered in ``register``; heavy imports stay inside the
command functions so ``gpdesk`` starts fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpdesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    DutchParser,
    Subparsers,
    add_common,
    add_json,
    emit,
    fail,
    home_of,
    open_db,
)

if TYPE_CHECKING:
    from gpdesk.kaart.routing import Routing, TeamRef
    from gpdesk.kaart.store import ContactRef


def register(sub: Subparsers) -> None:
    """Add the ``kaart`` group and its commands."""
    p_kaart = sub.add_parser("kaart", help="sociale kaart: wijkteam per postcode")
    add_common(p_kaart)
    kaart_sub = p_kaart.add_subparsers(
        dest="kaart_command", parser_class=DutchParser, metavar="OPDRACHT"
    )
    p_kaart.set_defaults(
        func=lambda _args: fail("kies een opdracht: gpdesk kaart route POSTCODE", EXIT_USAGE)
    )

    p_route = kaart_sub.add_parser(
        "route", help="welk wijkteam is er voor deze postcode (anders: het centraal loket)"
    )
    add_common(p_route)
    p_route.add_argument("postcode", metavar="POSTCODE", help="bijv. 3118AB, '3118 ab' of 3118")
    add_json(p_route)
    p_route.set_defaults(func=cmd_route)


def _contact_lines(contact: ContactRef) -> list[str]:
    label = "Vaste contactpersoon" if contact.fixed else "Contactpersoon"
    if contact.theme:
        label += f" ({contact.theme})"
    reach = ", ".join(part for part in (contact.phone, contact.email) if part)
    title = f", {contact.title}" if contact.title else ""
    lines = [f"  {label}: {contact.name}{title}" + (f" — {reach}" if reach else "")]
    if contact.deputy is not None:
        deputy = contact.deputy
        reach = ", ".join(part for part in (deputy.phone, deputy.email) if part)
        lines.append(f"  Vervanger: {deputy.name}" + (f" — {reach}" if reach else ""))
    if contact.stale:
        lines.append("  ⚠ Contactgegevens zijn verouderd: controleer ze voor gebruik.")
    return lines


def _team_lines(team: TeamRef) -> list[str]:
    lines = [f"{team.name} ({team.organization})"]
    if team.contact is not None:
        lines += _contact_lines(team.contact)
    elif team.phone:
        lines.append(f"  Telefoon: {team.phone}")
    if team.next_walk_in_label:
        lines.append(f"  Volgend inloopspreekuur: {team.next_walk_in_label}")
    if team.stale:
        lines.append("  ⚠ Deze gegevens zijn al lang niet gecontroleerd.")
    return lines


def format_routing(routing: Routing) -> str:
    """The Dutch text a beheerder or GP reads on the terminal."""
    where = routing.postcode
    if len(where) > 4:  # "3118AB" is shown the Dutch way: "3118 AB"
        where = f"{where[:4]} {where[4:]}"
    if not routing.teams:
        return (
            f"Voor postcode {where} is geen wijkteam en geen centraal loket bekend. "
            "Vul de sociale kaart aan in Beheer."
        )
    if routing.fallback:
        lines = [f"Postcode {where} valt buiten de wijkteams. Ga naar het centraal loket:"]
    else:
        lines = [f"Postcode {where} valt onder:"]
    for team in routing.teams:
        lines += _team_lines(team)
    return "\n".join(lines)


def cmd_route(args: argparse.Namespace) -> int:
    """Show which team is responsible for a postcode, with whom to call and the next walk-in."""
    from gpdesk.kaart.postcodes import normalise_route_postcode
    from gpdesk.kaart.routing import route

    normalise_route_postcode(args.postcode)  # invalid input fails before any database work
    home = home_of(args)
    db = open_db(args, home)
    try:
        with db.session() as session:
            routing = route(session, args.postcode)
    finally:
        db.dispose()
    emit(args, routing.as_dict(), format_routing(routing))
    return EXIT_OK
