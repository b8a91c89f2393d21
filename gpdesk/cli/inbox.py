"""The inbox from the terminal: import files, set up and fetch sources, list, file.

``inbox import FILE…`` reads each file as a dropped letter and exits 0 when every file was
kept (stored, already there, or quarantined: quarantine is not loss), non-zero only when a
file could not be kept at all. A list line names the number, state, kind, source and signal
reference; the subject only in ``--json`` (it may name the patient). Quarantined files show
gpdesk's reason, never their content.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gpdesk.cli.common import (
    EXIT_ERROR,
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

if TYPE_CHECKING:
    from gpdesk.inbox.fetching import SourceOutcome
    from gpdesk.inbox.store import LetterSummary

ENV_IMAP_PASSWORD = "GPDESK_IMAP_PASSWORD"  # noqa: S105 - the variable's name, not a secret


def register(sub: Subparsers) -> None:
    """Add ``inbox list`` and ``inbox file``."""
    p_inbox = sub.add_parser("inbox", help="terugkoppeling: brieven van het wijkteam")
    inbox_sub = p_inbox.add_subparsers(dest="inbox_command", parser_class=DutchParser)
    p_inbox.set_defaults(
        func=lambda _args: fail(
            "kies een opdracht: gpdesk inbox import, list, file, fetch of source", EXIT_USAGE
        )
    )
    p_import = inbox_sub.add_parser(
        "import",
        help="bestanden inlezen als terugkoppeling (.eml, .pdf, .txt, Edifact)",
        description=(
            "Leest elk bestand veilig in. Uitkomst 0: elk bestand is bewaard (ook in "
            "quarantaine); 1: een bestand kon niet worden bewaard."
        ),
    )
    p_import.add_argument("files", nargs="+", type=Path, metavar="BESTAND")
    add_user_option(p_import)
    add_common(p_import)
    add_json(p_import)
    p_import.set_defaults(func=cmd_inbox_import)
    p_fetch = inbox_sub.add_parser("fetch", help="haal nu op uit elk postvak en elke map (eenmaal)")
    add_user_option(p_fetch)
    add_common(p_fetch)
    add_json(p_fetch)
    p_fetch.set_defaults(func=cmd_inbox_fetch)
    _register_sources(inbox_sub)
    p_list = inbox_sub.add_parser("list", help="alle terugkoppelingen, nieuwste eerst")
    p_list.add_argument(
        "--state",
        choices=["nieuw", "toegewezen", "overgenomen", "gearchiveerd"],
        help="alleen terugkoppelingen in deze stand",
    )
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_inbox_list)
    p_file = inbox_sub.add_parser(
        "file",
        help="vastleggen dat een terugkoppeling is overgenomen in het HIS",
        description="ID staat vooraan in 'gpdesk inbox list'.",
    )
    p_file.add_argument("letter_id", type=int, metavar="ID")
    add_user_option(p_file)
    add_common(p_file)
    add_json(p_file)
    p_file.set_defaults(func=cmd_inbox_file)


def as_json(row: LetterSummary) -> dict[str, Any]:
    """A letter as ``--json`` prints it (the fields issue #11 names, and a few more)."""
    return {
        "id": row.id,
        "state": row.state.value,
        "kind": row.kind,
        "source": row.source.value,
        "received_at": row.received_at.isoformat(),
        "subject": row.subject,
        "sender": row.sender,
        "signal_reference": row.signal_reference,
        "patient_matched": row.patient_matched,
        "quarantine_reason": row.quarantine_reason,
        "urgent": row.urgent,
        "filed_at": None if row.filed_at is None else row.filed_at.isoformat(),
        "filed_by": row.filed_by,
    }


def _line(row: LetterSummary) -> str:
    when = row.received_at.astimezone().strftime("%d-%m-%Y %H:%M")
    what = row.kind or "soort onbekend"
    matched = "patiënt gekoppeld" if row.patient_matched else "niet gekoppeld"
    link = row.signal_reference or matched
    line = f"{row.id:>5}  {when}  {row.state.value}  {what}  {row.source.value}  {link}"
    if row.quarantine_reason:
        line += f" — quarantaine: {row.quarantine_reason}"
    return line


_STATES = {"overgenomen": "overgenomen in HIS"}


def cmd_inbox_list(args: argparse.Namespace) -> int:
    """Every letter, newest first (or those in one state)."""
    from gpdesk.inbox.store import list_letters
    from gpdesk.models import LetterState

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        state = None if args.state is None else LetterState(_STATES.get(args.state, args.state))
        with db.session() as session:
            rows = list_letters(session, signed.vault, signed.actor, state=state)
    finally:
        db.dispose()
    text = "\n".join(_line(r) for r in rows) or "Er is geen terugkoppeling."
    emit(args, [as_json(r) for r in rows], text)
    return EXIT_OK


def cmd_inbox_file(args: argparse.Namespace) -> int:
    """Mark one letter as copied into the HIS (once; a second time says by whom)."""
    from gpdesk.inbox.store import file_letter

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            row = file_letter(session, signed.vault, signed.actor, args.letter_id)
    finally:
        db.dispose()
    emit(args, as_json(row), f"Terugkoppeling {row.id} is overgenomen in het HIS.")
    return EXIT_OK


def _register_sources(inbox_sub: Any) -> None:
    p_source = inbox_sub.add_parser("source", help="postvakken en mappen waaruit gpdesk ophaalt")
    source_sub = p_source.add_subparsers(dest="source_command", parser_class=DutchParser)
    p_source.set_defaults(
        func=lambda _args: fail(
            "kies: gpdesk inbox source add imap, add folder, list, on, off of remove", EXIT_USAGE
        )
    )
    p_list = source_sub.add_parser("list", help="alle bronnen, zonder wachtwoord")
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_source_list)
    p_add = source_sub.add_parser("add", help="een bron toevoegen")
    add_sub = p_add.add_subparsers(dest="source_kind", parser_class=DutchParser)
    p_add.set_defaults(func=lambda _args: fail("kies: imap of folder", EXIT_USAGE))
    p_imap = add_sub.add_parser(
        "imap",
        help="het postvak van de beveiligde mail (IMAP, alleen versleuteld)",
        description=f"Het wachtwoord komt uit {ENV_IMAP_PASSWORD} of wordt gevraagd.",
    )
    p_imap.add_argument("--host", required=True, metavar="SERVER", help="IMAP-server")
    p_imap.add_argument("--port", required=True, type=int, metavar="POORT", help="poort")
    p_imap.add_argument(
        "--security", required=True, choices=["tls", "starttls"], help="beveiliging"
    )
    p_imap.add_argument("--username", required=True, metavar="NAAM", help="inlognaam")
    p_imap.add_argument("--folder", default="INBOX", metavar="MAP", help="map (standaard INBOX)")
    p_imap.add_argument("--ca-file", type=Path, metavar="PEM", help="eigen CA van de server")
    p_imap.add_argument(
        "--move-to", metavar="MAP", help="verplaats opgehaalde berichten naar deze map"
    )
    p_imap.add_argument(
        "--interval", type=int, default=5, metavar="MINUTEN", help="hoe vaak ophalen"
    )
    add_user_option(p_imap)
    add_common(p_imap)
    add_json(p_imap)
    p_imap.set_defaults(func=cmd_source_add_imap)
    p_folder = add_sub.add_parser(
        "folder", help="een map waarin het mailprogramma brieven als bestand zet"
    )
    p_folder.add_argument("folder", type=Path, metavar="MAP")
    p_folder.add_argument(
        "--interval", type=int, default=5, metavar="MINUTEN", help="hoe vaak kijken"
    )
    add_user_option(p_folder)
    add_common(p_folder)
    add_json(p_folder)
    p_folder.set_defaults(func=cmd_source_add_folder)
    for name, text in (
        ("on", "weer ophalen uit deze bron"),
        ("off", "tijdelijk niet ophalen uit deze bron (de instellingen blijven)"),
        ("remove", "bron verwijderen; de brieven die er al uit kwamen blijven"),
    ):
        p_one = source_sub.add_parser(
            name, help=text, description="ID staat vooraan in 'gpdesk inbox source list'."
        )
        p_one.add_argument("source_id", type=int, metavar="ID")
        add_user_option(p_one)
        add_common(p_one)
        add_json(p_one)
        p_one.set_defaults(func=cmd_source_change, source_change=name)
    p_retention = inbox_sub.add_parser(
        "retention",
        help="bewaartermijn van overgenomen brieven (dagen); zonder DAGEN: toon hem",
        description="Na overnemen in het HIS plus deze termijn verwijdert gpdesk de inhoud; "
        "een kort verslag en het logboek blijven.",
    )
    p_retention.add_argument("days", type=int, nargs="?", metavar="DAGEN")
    add_user_option(p_retention)
    add_common(p_retention)
    add_json(p_retention)
    p_retention.set_defaults(func=cmd_retention)


def cmd_inbox_import(args: argparse.Namespace) -> int:
    """Each file read safely and stored once; quarantine is kept, not lost."""
    from gpdesk.inbox.intake import practice_keys, take_in
    from gpdesk.inbox.parsing import ParserProcess
    from gpdesk.models import LetterSource
    from gpdesk.security.permissions import Permission, require

    db = practice_db(args)
    results: list[dict[str, Any]] = []
    lines: list[str] = []
    code = EXIT_OK
    with ExitStack() as stack:
        stack.callback(db.dispose)
        signed = signed_in(args, db)
        require(signed.actor.permissions, Permission.LETTER_READ)
        keys = practice_keys(db, signed.vault)
        process = ParserProcess()
        stack.callback(process.close)
        for path in args.files:
            try:
                raw = path.read_bytes()
            except OSError as error:
                code = EXIT_ERROR
                reason = _unreadable(error)
                results.append({"file": str(path), "id": None, "error": reason})
                lines.append(f"{path.name}: {reason}")
                continue
            got = take_in(
                db,
                signed,
                (path.name, raw),
                LetterSource.IMPORTED,
                keys=keys,
                parser=process.parse,
            )
            state = (
                "al aanwezig"
                if got.duplicate
                else ("in quarantaine" if got.quarantined else "bewaard")
            )
            if got.signal_reference:
                state += f", bij {got.signal_reference}"
            if got.status_changed:
                state += " (status bijgewerkt)"
            results.append(
                {
                    "file": str(path),
                    "id": got.letter_id,
                    "duplicate": got.duplicate,
                    "quarantined": got.quarantined,
                    "signal_reference": got.signal_reference,
                    "status_changed": got.status_changed,
                }
            )
            lines.append(f"{path.name}: {state} als terugkoppeling {got.letter_id}")
    emit(args, results, "\n".join(lines))
    return code


def _unreadable(error: OSError) -> str:
    """Why a file could not be read, in Dutch (the system's own text is English)."""
    if isinstance(error, FileNotFoundError):
        return "het bestand bestaat niet; controleer de naam en de map"
    if isinstance(error, PermissionError):
        return "gpdesk mag dit bestand niet lezen; vraag de beheerder van de computer"
    if isinstance(error, IsADirectoryError):
        return "dit is een map, geen bestand"
    return "het bestand is niet te lezen; probeer het opnieuw of kopieer het eerst"


def _outcome_line(outcome: SourceOutcome) -> str:
    line = (
        f"{outcome.label}: {outcome.stored} nieuw, {outcome.duplicates} al aanwezig, "
        f"{outcome.quarantined} in quarantaine"
    )
    if outcome.checked:
        line += f", {outcome.checked} PDF('s) gecontroleerd"
    if outcome.error:
        line += f" — {outcome.error}"
    return line


def cmd_inbox_fetch(args: argparse.Namespace) -> int:
    """Fetch once from every enabled source; exit 1 when a source failed (each says why)."""
    from gpdesk.inbox.fetching import fetch_all

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        outcomes = fetch_all(db, signed)
    finally:
        db.dispose()
    text = "\n".join(_outcome_line(o) for o in outcomes) or (
        "Er is nog geen postvak of map ingesteld (gpdesk inbox source add)."
    )
    emit(args, [o.as_json() for o in outcomes], text)
    return EXIT_ERROR if any(o.error for o in outcomes) else EXIT_OK


def cmd_source_list(args: argparse.Namespace) -> int:
    """Every source, without its password."""
    from gpdesk.inbox.store.sources import list_sources
    from gpdesk.security.permissions import Permission, require

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        if not signed.actor.may(Permission.SETTINGS_MANAGE):  # the beheerder set them up
            require(signed.actor.permissions, Permission.LETTER_READ)
        with db.session() as session:
            views = list_sources(session)
    finally:
        db.dispose()
    text = (
        "\n".join(
            f"{v.id:>3}  {v.label}  elke {v.interval_minutes} min"
            + (f" — laatste fout: {v.last_error}" if v.last_error else "")
            for v in views
        )
        or "Er is nog geen postvak of map ingesteld."
    )
    emit(args, [v.as_json() for v in views], text)
    return EXIT_OK


def cmd_source_add_imap(args: argparse.Namespace) -> int:
    """A mailbox to fetch from (password from the environment or asked)."""
    from gpdesk.inbox.sources.imap import ImapSettings
    from gpdesk.inbox.store.sources import add_imap_source

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        password = read_password(variable=ENV_IMAP_PASSWORD, prompt="Wachtwoord van het postvak: ")
        settings = ImapSettings(
            host=args.host, port=args.port, security=args.security, username=args.username,
            password=password, folder=args.folder, ca_file=args.ca_file,
            after="move" if args.move_to else "leave", move_to=args.move_to,
        )  # fmt: skip
        with db.session() as session:
            view = add_imap_source(
                session, signed.vault, signed.actor, settings, interval_minutes=args.interval
            )
    finally:
        db.dispose()
    emit(args, view.as_json(), f"Postvak {view.id} toegevoegd: {view.label}.")
    return EXIT_OK


def cmd_source_add_folder(args: argparse.Namespace) -> int:
    """A drop folder to read."""
    from gpdesk.inbox.store.sources import add_folder_source

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            view = add_folder_source(
                session, signed.vault, signed.actor, args.folder, interval_minutes=args.interval
            )
    finally:
        db.dispose()
    emit(args, view.as_json(), f"Map {view.id} toegevoegd: {view.label}.")
    return EXIT_OK


def cmd_source_change(args: argparse.Namespace) -> int:
    """Turn a source on or off, or remove it (its letters stay)."""
    from gpdesk.inbox.store.sources import remove_source, set_source_enabled

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            if args.source_change == "remove":
                view = remove_source(session, signed.vault, signed.actor, args.source_id)
                text = f"Bron {view.id} verwijderd: {view.label}. De brieven eruit blijven."
            else:
                on = args.source_change == "on"
                view = set_source_enabled(session, signed.vault, signed.actor, args.source_id, on)
                text = f"Bron {view.id} staat {'aan' if on else 'uit'}: {view.label}."
    finally:
        db.dispose()
    emit(args, view.as_json(), text)
    return EXIT_OK


def cmd_retention(args: argparse.Namespace) -> int:
    """Show or set the retention period of filed letters."""
    from gpdesk.inbox.store.forgetting import retention_days, set_retention_days
    from gpdesk.security.permissions import Permission, require

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            if args.days is None:
                require(signed.actor.permissions, Permission.SETTINGS_MANAGE)
                days = retention_days(session)
            else:
                days = set_retention_days(session, signed.vault, signed.actor, args.days)
    finally:
        db.dispose()
    emit(
        args,
        {"retention_days": days},
        f"Bewaartermijn: {days} dagen na overnemen in het HIS; daarna blijft alleen een kort "
        "verslag.",
    )
    return EXIT_OK
