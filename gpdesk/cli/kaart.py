"""Sociale kaart commands: route, search, import (preview and apply), undo, imports, export.

Reading the kaart needs no sign-in: it holds no patient data. Changing it (``import --apply``,
``undo``) signs in as ``--user`` and needs the permission to edit the kaart. Each ``kaart``
command is one sub-command of the ``kaart`` group, registered in ``register``; heavy imports
stay inside the command functions so ``gpdesk`` starts fast.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gpdesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    DutchParser,
    Subparsers,
    add_common,
    add_json,
    add_user_option,
    emit,
    fail,
    practice_db,
    signed_in,
)
from gpdesk.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gpdesk.kaart.exchange.importing import ImportBatch, ImportPlan, PlanItem
    from gpdesk.kaart.routing import Routing, TeamRef
    from gpdesk.kaart.search.index import SearchFilters
    from gpdesk.kaart.store.queries import ContactRef

NOT_YET_APPLIED = "Er is nog niets gewijzigd. Voeg --apply --user NAAM toe om dit toe te passen."
SHOWN_PER_SECTION = 100
"""Items per preview section on the terminal; ``--alles`` shows all, ``--json`` gives all."""


def register(sub: Subparsers) -> None:
    """Add the ``kaart`` group and its commands."""
    p_kaart = sub.add_parser("kaart", help="sociale kaart: wijkteam per postcode")
    add_common(p_kaart)
    kaart_sub = p_kaart.add_subparsers(
        dest="kaart_command", parser_class=DutchParser, metavar="OPDRACHT"
    )
    p_kaart.set_defaults(
        func=lambda _args: fail(
            "kies een opdracht: gpdesk kaart route POSTCODE, search, import, export, imports "
            "of undo",
            EXIT_USAGE,
        )
    )

    p_route = kaart_sub.add_parser(
        "route",
        help="welk wijkteam is er voor deze postcode (anders: het centraal loket, of buiten "
        "het werkgebied)",
    )
    add_common(p_route)
    p_route.add_argument("postcode", metavar="POSTCODE", help="bijv. 3118AB, '3118 ab' of 3118")
    add_json(p_route)
    p_route.set_defaults(func=cmd_route)
    _register_search(kaart_sub)
    _register_import(kaart_sub)


def _register_search(kaart_sub: argparse._SubParsersAction[DutchParser]) -> None:
    p_search = kaart_sub.add_parser(
        "search", help="zoek in de sociale kaart (vergeeft typefouten, kent synoniemen)"
    )
    add_common(p_search)
    p_search.add_argument(
        "query", metavar="ZOEKTERM", nargs="?", default="", help="bijv. schuldhulp"
    )
    p_search.add_argument("--postcode", help="postcode van de patiënt: dat werkgebied eerst")
    p_search.add_argument("--thema", help="alleen dit thema, bijv. mantelzorg")
    p_search.add_argument("--leeftijd", type=int, metavar="JAREN", help="leeftijd van de patiënt")
    p_search.add_argument("--nu-open", action="store_true", help="alleen wat nu open is")
    p_search.add_argument("--plek-vrij", action="store_true", help="alleen waar plek vrij is")
    p_search.add_argument(
        "--alleen-open",
        action="store_true",
        help="tijdelijk gesloten voorzieningen weglaten (anders onderaan, met de reden)",
    )
    p_search.add_argument(
        "--max", type=int, default=20, metavar="N", help="hoeveel resultaten (standaard 20)"
    )
    add_json(p_search)
    p_search.set_defaults(func=cmd_search)


def _register_import(kaart_sub: argparse._SubParsersAction[DutchParser]) -> None:
    p_import = kaart_sub.add_parser(
        "import",
        help="sociale kaart inlezen (HSDS-pakket of sjabloon); eerst een voorvertoning",
    )
    add_common(p_import)
    p_import.add_argument(
        "path", metavar="PAD", help="map, .zip, .json of .csv (HSDS-pakket of het sjabloon)"
    )
    p_import.add_argument(
        "--apply", action="store_true", help="ook echt toepassen (anders alleen voorvertoning)"
    )
    p_import.add_argument(
        "--user",
        metavar="NAAM",
        help="uw gebruikersnaam, nodig met --apply (wachtwoord: vraag of GPDESK_PASSWORD)",
    )
    p_import.add_argument(
        "--bron", metavar="NAAM", help="naam van de bron (standaard: naam van het pakket)"
    )
    whole = p_import.add_mutually_exclusive_group()
    whole.add_argument(
        "--volledig",
        dest="complete",
        action="store_const",
        const=True,
        help="het bestand is de hele kaart van deze bron: wat ontbreekt, wordt verwijderd",
    )
    whole.add_argument(
        "--niets-verwijderen",
        dest="complete",
        action="store_const",
        const=False,
        help="niets verwijderen, ook niet wat uit het pakket is verdwenen",
    )
    p_import.add_argument("--alles", action="store_true", help="toon alle onderdelen")
    add_json(p_import)
    p_import.set_defaults(func=cmd_import, complete=None)

    p_undo = kaart_sub.add_parser("undo", help="een import ongedaan maken")
    add_common(p_undo)
    p_undo.add_argument("batch", metavar="IMPORT", help="het nummer uit 'gpdesk kaart imports'")
    add_user_option(p_undo)
    add_json(p_undo)
    p_undo.set_defaults(func=cmd_undo)

    p_imports = kaart_sub.add_parser("imports", help="eerdere imports, nieuwste eerst")
    add_common(p_imports)
    add_json(p_imports)
    p_imports.set_defaults(func=cmd_imports)

    p_export = kaart_sub.add_parser(
        "export", help="sociale kaart opslaan als HSDS 3.0-pakket (JSON of CSV)"
    )
    add_common(p_export)
    p_export.add_argument("directory", metavar="MAP", help="waar de bestanden komen")
    p_export.add_argument(
        "--format", choices=("json", "csv"), default="json", help="json (standaard) of csv"
    )
    p_export.add_argument(
        "--include-private",
        action="store_true",
        help="ook de eigen laag van de praktijk (vaste contactpersonen, terugkoppelafspraken)",
    )
    add_json(p_export)
    p_export.set_defaults(func=cmd_export)


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
    from gpdesk.kaart.routing import headline

    lines = [headline(routing)]
    for team in routing.teams:
        lines += _team_lines(team)
    for team in routing.closed:
        lines.append(f"Tijdelijk gesloten: {team.name} ({team.organization})")
    return "\n".join(lines)


def cmd_route(args: argparse.Namespace) -> int:
    """Show which team is responsible for a postcode, with whom to call and the next walk-in."""
    from gpdesk.kaart.postcodes import normalise_route_postcode
    from gpdesk.kaart.routing import route

    normalise_route_postcode(args.postcode)  # invalid input fails before any database work
    db = practice_db(args)
    try:
        with db.session() as session:
            routing = route(session, args.postcode)
    finally:
        db.dispose()
    emit(args, routing.as_dict(), format_routing(routing))
    return EXIT_OK


# --- search -------------------------------------------------------------------------------------


def _hit_extras(
    session: Session, ids: list[str], now: datetime
) -> dict[str, tuple[ContactRef | None, Any]]:
    """Who to call and the next walk-in hour per service, in a fixed number of queries."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from gpdesk.kaart.schedule import AMSTERDAM
    from gpdesk.kaart.store.queries import best_contact, load_fixed_contacts, schedule_set
    from gpdesk.models import Contact, Service, ServiceAtLocation, ServiceStatus

    today = now.astimezone(AMSTERDAM).date()
    services = session.scalars(
        select(Service)
        .where(Service.id.in_(ids))
        .options(
            selectinload(Service.contacts).selectinload(Contact.phones),
            selectinload(Service.contacts).selectinload(Contact.deputy),
            selectinload(Service.schedules),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
        )
    ).all()
    fixed = load_fixed_contacts(session, ids)
    return {
        s.id: (
            best_contact(s, fixed.get(s.id, []), today),
            # A temporarily closed service has no next walk-in hour, whatever its hours say.
            (
                schedule_set(s).next_slot(now, walk_in_only=True)
                if s.status is ServiceStatus.ACTIVE
                else None
            ),
        )
        for s in services
    }


@dataclass(frozen=True)
class SearchOutcome:
    """What ``gpdesk kaart search`` prints: the ranking, and what it leaves out and why."""

    results: list[dict[str, Any]]
    more: int = 0
    """Matches beyond ``--max`` (the "en nog N")."""
    filters: tuple[str, ...] = ()
    """The filters that are on, in Dutch."""
    without_filters: int = 0
    """Matches of the words alone, when the filters leave out some of them."""


def search_results(session: Session, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The ranking as JSON-ready dicts, best first (what ``--json`` prints)."""
    return run_search(session, args).results


def run_search(session: Session, args: argparse.Namespace) -> SearchOutcome:
    """Search as the GUI does: the ranking, the count beyond ``--max``, what filters hide."""
    from gpdesk.kaart.schedule import slot_label
    from gpdesk.kaart.search.index import SearchIndex
    from gpdesk.kaart.store.queries import search_documents
    from gpdesk.models import utcnow

    now = utcnow()
    filters = _filters(args)
    documents = search_documents(session, now=now)
    index = SearchIndex.build(documents)
    found = index.find(args.query, filters=filters, limit=max(args.max, 1))
    hits = found.hits
    by_id = {d["id"]: d for d in documents}
    extras = _hit_extras(session, [h.id for h in hits], now)
    results: list[dict[str, Any]] = []
    for hit in hits:
        document = by_id[hit.id]
        contact, walk_in = extras.get(hit.id, (None, None))
        results.append(
            {
                "id": hit.id,
                "name": document["name"],
                "organization": document["organization"],
                "contact": None
                if contact is None
                else {"name": contact.name, "phone": contact.phone, "fixed": contact.fixed},
                "assured_date": document["assured_date"],
                "stale": document["stale"],
                "score": hit.score,
                "next_walk_in": None if walk_in is None else walk_in.start.isoformat(),
                "next_walk_in_label": None if walk_in is None else slot_label(walk_in),
                "themes": document["themes"],
                "postcodes": document["postcodes_label"],
                "area": hit.area,
                "complete": hit.complete,
                "status": document["status"],
                "alert": document["alert"],
            }
        )
    labels = filters.labels()
    words_alone = index.find(args.query, limit=1).total if labels and args.query.strip() else 0
    return SearchOutcome(
        results,
        more=found.more,
        filters=labels,
        without_filters=words_alone if words_alone > found.total else 0,
    )


def _filters(args: argparse.Namespace) -> SearchFilters:
    from gpdesk.kaart.search.index import SearchFilters

    if args.leeftijd is not None and not 0 <= args.leeftijd <= 130:
        raise ValidationError({"leeftijd": "Een leeftijd ligt tussen 0 en 130 jaar."})
    try:
        return SearchFilters(
            theme=args.thema,
            postcode=args.postcode,
            age=args.leeftijd,
            has_capacity=args.plek_vrij,
            open_now=args.nu_open,
            only_open=args.alleen_open,
        )
    except ValueError as exc:
        raise ValidationError({"postcode": str(exc)}) from None


def format_search(query: str, outcome: SearchOutcome) -> str:
    """The ranking as Dutch lines a GP reads at a glance."""
    results = outcome.results
    on = ", ".join(outcome.filters)
    if not results:
        if outcome.filters and (outcome.without_filters or not query.strip()):
            text = f"Niets gevonden met deze filters ({on})."
            if outcome.without_filters:
                text += f" Zonder filters: {outcome.without_filters}."
            return text + " Laat een filter weg."
        return f"Niets gevonden voor '{query}'. Probeer minder of andere woorden."
    lines: list[str] = []
    for number, item in enumerate(results, start=1):
        lines.append(f"{number}. {item['name']} — {item['organization']}")
        details: list[str] = []
        if item["status"] == "temporarily closed":
            details.append("⚠ tijdelijk gesloten" + (f": {item['alert']}" if item["alert"] else ""))
        contact = item["contact"]
        if contact is not None:
            details.append(
                "Contact: " + ", ".join(p for p in (contact["name"], contact["phone"]) if p)
            )
        if item["next_walk_in_label"]:
            details.append(f"Inloop: {item['next_walk_in_label']}")
        if item["stale"]:
            details.append("⚠ verouderd")
        if details:
            lines.append("   " + " · ".join(details))
    if not results[0]["complete"]:
        lines.append("(Niet alle zoekwoorden gevonden; dit komt het dichtst in de buurt.)")
    if outcome.more:
        lines.append(f"… en nog {outcome.more} (gebruik --max of meer zoekwoorden)")
    hidden = outcome.without_filters - len(results) - outcome.more
    if hidden > 0:
        lines.append(f"{hidden} verborgen door filters ({on}).")
    return "\n".join(lines)


def cmd_search(args: argparse.Namespace) -> int:
    """Search the kaart as the GUI does, headless; ``--json`` for scripts."""
    _filters(args)  # bad input fails before any database work
    db = practice_db(args)
    try:
        with db.session() as session:
            outcome = run_search(session, args)
    finally:
        db.dispose()
    emit(args, outcome.results, format_search(args.query, outcome))
    return EXIT_OK


# --- import, undo, export -----------------------------------------------------------------------


def _item_line(item: PlanItem, mark: str) -> str:
    context = f"  (bij {item.context})" if item.context else ""
    return f"  {mark} {item.type_label}: {item.name}{context}"


def _section(title: str, lines: list[str], count: int, *, show_all: bool) -> list[str]:
    if not count:
        return [f"{title}: geen"]
    shown = lines if show_all else lines[:SHOWN_PER_SECTION]
    out = [f"{title} ({count}):", *shown]
    if len(shown) < len(lines):
        out.append(f"  … en nog {len(lines) - len(shown)} (gebruik --alles of --json)")
    return out


def format_plan(plan: ImportPlan, *, show_all: bool = False) -> str:
    """The preview in Dutch: new, changed field by field, removed, problems, notes, summary."""
    from pathlib import Path

    lines = [
        f"Voorvertoning van {Path(plan.path).name} ({plan.kind_label}), bron '{plan.source_name}'."
    ]
    changed: list[str] = []
    for item in plan.changed:
        changed.append(_item_line(item, "~"))
        changed += [
            f"      {c.label}: {c.old or '(leeg)'} → {c.new or '(leeg)'}" for c in item.changes
        ]
    problems = [f"  ! {p.as_text()}" for p in plan.problems]
    lines += _section(
        "Nieuw", [_item_line(i, "+") for i in plan.added], len(plan.added), show_all=show_all
    )
    lines += _section("Gewijzigd", changed, len(plan.changed), show_all=show_all)
    lines += _section(
        "Verwijderd",
        [_item_line(i, "-") for i in plan.removed],
        len(plan.removed),
        show_all=show_all,
    )
    lines += _section("Problemen", problems, len(plan.problems), show_all=show_all)
    if plan.notes:
        lines.append("Let op:")
        lines += [f"  - {note}" for note in plan.notes]
    lines.append(f"Samenvatting: {plan.summary_nl}")
    return "\n".join(lines)


def cmd_import(args: argparse.Namespace) -> int:
    """Preview an import; with ``--apply`` sign in and carry it out in one transaction."""
    from gpdesk.kaart.exchange.importing import apply_import, plan_import

    if args.apply and not args.user:
        return fail(
            "ongeldige invoer: --apply heeft --user nodig (wie past de kaart aan?)", EXIT_USAGE
        )
    db = practice_db(args)
    try:
        by = signed_in(args, db) if args.apply else None
        with db.session() as session:
            plan = plan_import(session, args.path, source_name=args.bron, complete=args.complete)
        if plan.unreadable:
            emit(args, {"plan": plan.as_dict(), "batch_id": None}, format_plan(plan, show_all=True))
            return fail("er kon niets worden ingelezen; er is niets gewijzigd.", EXIT_USAGE)
        if by is None or not plan.has_changes:
            text = format_plan(plan, show_all=args.alles)
            if by is None and plan.has_changes:
                text += "\n" + NOT_YET_APPLIED
            emit(args, {"plan": plan.as_dict(), "batch_id": None}, text)
            return EXIT_OK
        batch_id = apply_import(db, plan, by=by)
    finally:
        db.dispose()
    text = format_plan(plan, show_all=args.alles) + f"\nToegepast: {plan.detail}."
    if plan.rows_skipped:
        text += (
            f"\nLet op: {plan.rows_skipped} "
            f"{'rij is' if plan.rows_skipped == 1 else 'rijen zijn'} overgeslagen vanwege de "
            "problemen hierboven; al het andere is ingelezen."
        )
    text += f"\nOngedaan maken: gpdesk kaart undo {batch_id} --user {args.user}"
    emit(args, {"plan": plan.as_dict(), "batch_id": batch_id}, text)
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    """Undo one import batch (refused when later changes touched the same items)."""
    from gpdesk.kaart.exchange.importing import undo_import

    db = practice_db(args)
    try:
        by = signed_in(args, db)
        undo_id = undo_import(db, args.batch, by=by)
    finally:
        db.dispose()
    emit(
        args,
        {"undone": args.batch, "batch_id": undo_id},
        f"Import {args.batch} is ongedaan gemaakt; de kaart is weer zoals ervoor.",
    )
    return EXIT_OK


def _batch_line(batch: ImportBatch) -> str:
    from gpdesk.kaart.schedule import AMSTERDAM

    when = batch.at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    if batch.action == "undo":
        return f"{batch.batch_id}  {when}  {batch.by}: import {batch.undo_of} ongedaan gemaakt"
    state = "  (ongedaan gemaakt)" if batch.undone else ""
    return (
        f"{batch.batch_id}  {when}  {batch.by}: {batch.file or batch.source} — "
        f"{batch.detail}{state}"
    )


def cmd_imports(args: argparse.Namespace) -> int:
    """List imports and undos, newest first."""
    from dataclasses import asdict

    from gpdesk.kaart.exchange.importing import list_import_batches
    from gpdesk.kaart.store.queries import jsonable

    db = practice_db(args)
    try:
        with db.session() as session:
            batches = list_import_batches(session)
    finally:
        db.dispose()
    text = "\n".join(_batch_line(b) for b in batches) or "Er is nog niets geïmporteerd."
    emit(args, [jsonable(asdict(b)) | {"undone": b.undone} for b in batches], text)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write the kaart as an HSDS 3.0 package; the private layer only on request."""
    from gpdesk.kaart.exchange.export import export_kaart

    db = practice_db(args)
    try:
        with db.session() as session:
            result = export_kaart(
                session, args.directory, include_private=args.include_private, fmt=args.format
            )
    finally:
        db.dispose()
    services = result.counts.get("service", 0)
    private = (
        "mét de eigen laag van de praktijk"
        if result.include_private
        else "zonder de eigen laag van de praktijk"
    )
    emit(
        args,
        result.as_dict(),
        f"{services} voorzieningen opgeslagen in {result.directory} ({result.format}, {private}); "
        f"{len(result.files)} bestanden.",
    )
    return EXIT_OK
