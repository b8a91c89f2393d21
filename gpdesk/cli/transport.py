"""Sending settings from the terminal: ``transport set|show|test`` and ``team delivery|list``.

Only a beheerder (``Permission.SETTINGS_MANAGE``) changes or reads them; the core
(``gpdesk.transport.config``) checks and audits every value. The SMTP password comes from
``GPDESK_SMTP_PASSWORD`` or is asked without echo; it is never printed, only "ingesteld".
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

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
    read_password,
    signed_in,
)
from gpdesk.errors import ValidationError

if TYPE_CHECKING:
    from gpdesk.transport.config import DeliveryView, TransportView

ENV_SMTP_PASSWORD = "GPDESK_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a secret


def register(sub: Subparsers) -> None:
    """Add ``transport set|show`` and ``team delivery``."""
    p_transport = sub.add_parser("transport", help="verzendinstellingen van de praktijk (beheer)")
    transport_sub = p_transport.add_subparsers(dest="transport_command", parser_class=DutchParser)
    p_transport.set_defaults(
        func=lambda _args: fail("kies een opdracht: gpdesk transport set, show of test", EXIT_USAGE)
    )
    p_set = transport_sub.add_parser(
        "set",
        help="mailserver van de praktijk instellen (STARTTLS of TLS, altijd versleuteld)",
        description=(
            "Stelt de beveiligde mailserver in waarmee gpdesk signalen verstuurt. Het "
            f"wachtwoord komt uit {ENV_SMTP_PASSWORD} of wordt gevraagd (niet zichtbaar) en "
            "wordt nooit getoond."
        ),
    )
    p_set.add_argument("--smtp-host", required=True, metavar="SERVER", help="mailserver")
    p_set.add_argument("--smtp-port", required=True, type=int, metavar="POORT", help="poort")
    p_set.add_argument(
        "--security", required=True, choices=("starttls", "tls"), help="STARTTLS of directe TLS"
    )
    p_set.add_argument("--username", default="", metavar="NAAM", help="inlognaam bij de server")
    p_set.add_argument(
        "--from", dest="from_address", required=True, metavar="ADRES", help="afzenderadres"
    )
    p_set.add_argument(
        "--ca-file", type=Path, metavar="PEM", help="CA-certificaat van de mailserver (PEM)"
    )
    add_user_option(p_set)
    add_common(p_set)
    add_json(p_set)
    p_set.set_defaults(func=cmd_transport_set)

    p_show = transport_sub.add_parser("show", help="verzendinstellingen tonen (zonder wachtwoord)")
    add_user_option(p_show)
    add_common(p_show)
    add_json(p_show)
    p_show.set_defaults(func=cmd_transport_show)

    p_test = transport_sub.add_parser(
        "test",
        help="verbinding met de mailserver testen (TLS, certificaat, inloggen; verstuurt niets)",
    )
    add_user_option(p_test)
    add_common(p_test)
    add_json(p_test)
    p_test.set_defaults(func=cmd_transport_test)

    p_team = sub.add_parser("team", help="bezorging per wijkteam (beheer)")
    team_sub = p_team.add_subparsers(dest="team_command", parser_class=DutchParser)
    p_team.set_defaults(
        func=lambda _args: fail(
            "kies een opdracht: gpdesk team delivery TEAM_ID of gpdesk team list", EXIT_USAGE
        )
    )
    p_list = team_sub.add_parser(
        "list", help="alle wijkteams en loketten met hun bezorging (e-mail, certificaat, map)"
    )
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_team_list)
    p_delivery = team_sub.add_parser(
        "delivery",
        help="waar een team signalen ontvangt (zonder opties: tonen)",
        description=(
            "TEAM_ID is het id dat 'gpdesk kaart route POSTCODE --json' toont. Met --email "
            "en/of --export-folder wordt de bezorging ingesteld (wat er stond, wordt "
            "vervangen); zonder opties wordt ze getoond."
        ),
    )
    p_delivery.add_argument("team_id", metavar="TEAM_ID", help="id van het team in de kaart")
    p_delivery.add_argument("--email", metavar="ADRES", help="e-mailadres van het team")
    p_delivery.add_argument(
        "--certificate", type=Path, metavar="PEM", help="certificaat van het team (S/MIME)"
    )
    p_delivery.add_argument(
        "--export-folder", type=Path, metavar="MAP", help="map voor een beveiligd mailprogramma"
    )
    p_delivery.add_argument(
        "--feedback-contact",
        metavar="ROL",
        help="wie de brieven van dit team eerst krijgt: POH-GGZ (standaard), huisarts, "
        "doktersassistent of praktijkmanager",
    )
    add_user_option(p_delivery)
    add_common(p_delivery)
    add_json(p_delivery)
    p_delivery.set_defaults(func=cmd_team_delivery)


def _transport_text(view: TransportView) -> str:
    rows = [
        ("Mailserver", f"{view.host}:{view.port} ({view.security})"),
        ("Afzender", view.from_address),
        ("Gebruikersnaam", view.username or "geen"),
        ("Wachtwoord", view.password),
        ("CA-bestand", view.ca_file or "geen (systeemcertificaten)"),
    ]
    if view.signing_subject:
        until = f"{view.signing_valid_until:%d-%m-%Y}" if view.signing_valid_until else "?"
        rows.append(("Praktijkcertificaat", f"{view.signing_subject} (tot {until})"))
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label + ':':<{width}}{value}" for label, value in rows)


def _read_smtp_password(username: str) -> str | None:
    """The password to store: from the variable, asked at a terminal, or None (keep the stored).

    Without a user name no password is asked; without a terminal and without the variable the
    stored one is kept (a script that changes the host need not know the password).
    """
    if os.environ.get(ENV_SMTP_PASSWORD):
        return os.environ[ENV_SMTP_PASSWORD]
    if not username:
        return ""
    try:
        return read_password(variable=ENV_SMTP_PASSWORD, prompt="Wachtwoord van de mailserver: ")
    except ValidationError:
        return None


def cmd_transport_set(args: argparse.Namespace) -> int:
    """Check and store the gateway settings; prints them back without the password."""
    from gpdesk.transport.config import TransportRequest, save_transport

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        request = TransportRequest(
            host=args.smtp_host,
            port=args.smtp_port,
            security=args.security,
            from_address=args.from_address,
            username=args.username,
            password=_read_smtp_password(args.username.strip()),
            ca_file=args.ca_file,
        )
        with db.session() as session:
            view = save_transport(session, signed.vault, signed.actor, request)
    finally:
        db.dispose()
    emit(args, view.as_json(), "Verzendinstellingen opgeslagen.\n" + _transport_text(view))
    return EXIT_OK


def cmd_transport_show(args: argparse.Namespace) -> int:
    """The gateway settings; the password only as "ingesteld" or "niet ingesteld"."""
    from gpdesk.transport.config import show_transport

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            view = show_transport(session, signed.actor)
    finally:
        db.dispose()
    if view is None:
        emit(args, None, "Er zijn nog geen verzendinstellingen. Stel ze in: gpdesk transport set")
    else:
        emit(args, view.as_json(), _transport_text(view))
    return EXIT_OK


def cmd_transport_test(args: argparse.Namespace) -> int:
    """Connect as the outbox would (TLS, certificate, login, sender) without sending anything."""
    from gpdesk.transport.config import stored_connection
    from gpdesk.transport.smtp import check_connection

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            settings = stored_connection(session, signed.vault, signed.actor)
    finally:
        db.dispose()
    check_connection(settings)
    where = f"{settings.host}:{settings.port}"
    emit(
        args,
        {"ok": True, "smtp_host": settings.host, "smtp_port": settings.port},
        f"Verbinding met {where} gelukt: beveiligd, certificaat vertrouwd"
        + (", ingelogd." if settings.username else "."),
    )
    return EXIT_OK


def cmd_team_list(args: argparse.Namespace) -> int:
    """Every wijkteam and desk with where it receives signals; warns about certificates."""
    from datetime import date

    from gpdesk.transport.config import team_deliveries

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            lines = team_deliveries(session, signed.actor)
    finally:
        db.dispose()
    today = date.today()
    text = []
    for line in lines:
        delivery = line.delivery
        if delivery is None:
            where = "geen bezorging ingesteld"
        else:
            where = ", ".join(
                part
                for part in (
                    delivery.email,
                    "exportmap" if delivery.export_folder else None,
                    f"certificaat tot {delivery.certificate_valid_until:%d-%m-%Y}"
                    if delivery.certificate_valid_until
                    else None,
                )
                if part
            )
            warning = delivery.certificate_warning(today)
            if warning:
                where += f" (⚠ certificaat {warning})"
        text.append(f"{line.name} ({line.kind}, {line.team_id}): {where}")
    emit(
        args,
        [line.as_json() for line in lines],
        "\n".join(text) or "De sociale kaart heeft nog geen wijkteams.",
    )
    return EXIT_OK


def _delivery_text(view: DeliveryView, team_name: str) -> str:
    lines = [f"Bezorging van {team_name} ({view.team_id}):"]
    lines.append(f"  E-mail:      {view.email or 'geen'}")
    if view.certificate_subject:
        until = f"{view.certificate_valid_until:%d-%m-%Y}" if view.certificate_valid_until else "?"
        lines.append(f"  Certificaat: {view.certificate_subject} (tot {until})")
    else:
        lines.append("  Certificaat: geen (niet versleuteld voor het team)")
    lines.append(f"  Exportmap:   {view.export_folder or 'geen'}")
    lines.append(f"  Terugkoppeling naar: {view.feedback_contact.label}")
    return "\n".join(lines)


def cmd_team_delivery(args: argparse.Namespace) -> int:
    """Set a team's delivery and feedback contact (any option given) or show them (none)."""
    from gpdesk.inbox.store.routing import set_feedback_contact
    from gpdesk.models.kaart import Service
    from gpdesk.roles import Role
    from gpdesk.security.permissions import Permission, require
    from gpdesk.transport.config import (
        get_team_delivery,
        read_certificate_file,
        set_team_delivery,
    )

    changing = any(v is not None for v in (args.email, args.certificate, args.export_folder))
    certificate = None if args.certificate is None else read_certificate_file(args.certificate)
    contact = None
    if args.feedback_contact is not None:
        try:
            contact = Role.parse(args.feedback_contact)
        except ValueError:
            return fail(
                "kies voor --feedback-contact POH-GGZ, huisarts, doktersassistent of "
                "praktijkmanager."
            )
    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            if changing or contact is not None:
                if changing:
                    set_team_delivery(
                        session, signed.actor, args.team_id, email=args.email,
                        certificate=certificate, export_folder=args.export_folder,
                    )  # fmt: skip
                if contact is not None:
                    set_feedback_contact(
                        session, signed.vault, signed.actor, args.team_id.strip(), contact
                    )
                stored = get_team_delivery(session, args.team_id.strip())
                assert stored is not None
                view = stored
            else:
                require(signed.actor.permissions, Permission.SETTINGS_MANAGE)
                found = get_team_delivery(session, args.team_id.strip())
                if found is None:
                    return fail(
                        "voor dit team is nog geen bezorging ingesteld. Stel die in met "
                        "gpdesk team delivery TEAM_ID --email ADRES (of --export-folder MAP)."
                    )
                view = found
            service = session.get(Service, view.team_id)
            name = service.name if service is not None else view.team_id
    finally:
        db.dispose()
    text = _delivery_text(view, name)
    saved = changing or contact is not None
    emit(args, view.as_json() | {"team_name": name}, ("Opgeslagen. " if saved else "") + text)
    return EXIT_OK
