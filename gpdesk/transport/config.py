"""The practice's sending settings and each team's delivery, as a beheerder sets them.

Two records: the mail gateway (one ``transport_settings`` row, id 1) and, per kaart team, where
signals go (``team_delivery``). Only someone who may manage the practice's settings
(``Permission.SETTINGS_MANAGE``, as in Beheer) changes them, and every change is audited
("transport.set", "team.delivery") without the password. The SMTP password and the practice's
signing key are sealed under the practice data key (``transport_settings.password`` and
``.signing_key``, record 1): never in settings.json, never in a log, a repr or an audit entry.

Everything is checked before it is stored, so a wrong setting is found at the desk of the one
who makes it, in Dutch, and not later by the outbox worker: the sender address, the gateway's
CA file (readable PEM), the practice certificate and its key (valid, belonging together), a
team's address, its certificate (valid, not expired: the message names the end date) and its
export folder (exists, writable).

For sending, ``load_transport`` turns the row into ``gpdesk.transport.smtp.TransportSettings``
and ``signing_identity`` into ``gpdesk.transport.smime.SigningIdentity``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.models.base import utcnow
from gpdesk.models.kaart import Service, ServiceKind, ServiceStatus
from gpdesk.models.transport import SmtpSecurity, TeamDelivery
from gpdesk.models.transport import TransportSettings as TransportRow
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import state_of
from gpdesk.transport import smime, smtp
from gpdesk.transport.errors import CertificateError

__all__ = [
    "NOT_SET",
    "SET",
    "DeliveryView",
    "TeamLine",
    "TransportRequest",
    "TransportView",
    "connection_settings",
    "delivery_row",
    "get_team_delivery",
    "load_transport",
    "read_certificate_file",
    "save_transport",
    "set_team_delivery",
    "show_transport",
    "signing_identity",
    "stored_connection",
    "team_certificate",
    "team_deliveries",
]

SETTINGS_ID: Final = 1
SET: Final = "ingesteld"
NOT_SET: Final = "niet ingesteld"

HOST_FIELD: Final = "mailserver"
PORT_FIELD: Final = "poort"
SECURITY_FIELD: Final = "beveiliging"
USERNAME_FIELD: Final = "gebruikersnaam"
FROM_FIELD: Final = "afzender"
CA_FIELD: Final = "ca_bestand"
SIGNING_FIELD: Final = "praktijkcertificaat"
EMAIL_FIELD: Final = "e-mail"
CERTIFICATE_FIELD: Final = "certificaat"
FOLDER_FIELD: Final = "exportmap"
TEAM_FIELD: Final = "team"

_EMAIL = re.compile(
    r"[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
)
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]+\]?")
_MAX_ADDRESS = 254
CERTIFICATE_WARNING_DAYS: Final = 30
"""A team certificate that ends within this many days is flagged in Beheer, so a new one can be
asked for before signals to the team stop."""


def _dutch_date(moment: datetime) -> str:
    return moment.strftime("%d-%m-%Y")


def _clean_email(value: str | None, field: str, what: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > _MAX_ADDRESS or not _EMAIL.fullmatch(text):
        raise ValidationError({field: f"{what} klopt niet. Schrijf het als naam@voorbeeld.nl."})
    return text


# -- the practice's gateway -----------------------------------------------------------------


@dataclass(frozen=True)
class TransportRequest:
    """What a beheerder fills in. ``password`` None keeps the stored one; "" removes it.

    ``signing_certificate`` and ``signing_key`` are PEM bytes, both or neither; None keeps what
    is stored, and ``remove_signing`` drops it.
    """

    host: str
    port: int
    security: str
    from_address: str
    username: str = ""
    password: str | None = None
    ca_file: Path | None = None
    signing_certificate: bytes | None = None
    signing_key: bytes | None = None
    remove_signing: bool = False

    def __repr__(self) -> str:
        return f"TransportRequest(host={self.host!r}, port={self.port}, security={self.security!r})"


@dataclass(frozen=True)
class TransportView:
    """The settings as Beheer and ``gpdesk transport show`` show them: never the password."""

    host: str
    port: int
    security: str
    from_address: str
    username: str
    password: str
    """"ingesteld" or "niet ingesteld"."""
    ca_file: str | None
    signing_subject: str | None
    signing_valid_until: date | None
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        """For ``--json``: plain values, dates as ISO text."""
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "security": self.security,
            "from": self.from_address,
            "username": self.username or None,
            "password": self.password,
            "ca_file": self.ca_file,
            "signing_certificate": self.signing_subject,
            "signing_valid_until": (
                None if self.signing_valid_until is None else self.signing_valid_until.isoformat()
            ),
            "updated_at": self.updated_at.isoformat(timespec="seconds"),
        }


def _check_host(host: str) -> str:
    text = host.strip()
    if not text or len(text) > 253 or not _HOST.fullmatch(text):
        raise ValidationError(
            {HOST_FIELD: "Vul de naam van de mailserver in, zoals smtp.voorbeeld.nl."}
        )
    return text


def _check_ca_file(path: Path | None) -> str | None:
    """The gateway's CA file must be readable PEM with at least one certificate."""
    if path is None or not str(path).strip():
        return None
    resolved = path.expanduser().resolve()
    try:
        data = resolved.read_bytes()
    except OSError:
        raise ValidationError(
            {CA_FIELD: f"Het CA-bestand ({resolved}) is niet te lezen. Kies een bestaand bestand."}
        ) from None
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        certificates = []
    if not certificates:
        raise ValidationError(
            {
                CA_FIELD: "Het CA-bestand bevat geen certificaat in PEM-vorm "
                "(-----BEGIN CERTIFICATE-----)."
            }
        )
    return str(resolved)


def _load_key(data: bytes) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ValidationError(
            {
                SIGNING_FIELD: "De sleutel van de praktijk is niet te lezen. Kies een PEM-bestand "
                "zonder wachtwoord (-----BEGIN PRIVATE KEY-----)."
            }
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValidationError({SIGNING_FIELD: "De sleutel van de praktijk moet RSA of EC zijn."})
    return key


def _check_signing(certificate_pem: bytes, key_pem: bytes, now: datetime) -> smime.SigningIdentity:
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except ValueError:
        raise ValidationError(
            {SIGNING_FIELD: "Het certificaat van de praktijk is geen leesbaar PEM-certificaat."}
        ) from None
    identity = smime.SigningIdentity(certificate, _load_key(key_pem))
    try:
        smime.check_validity(
            certificate, now=now, whose="de praktijk", hint="Vraag een nieuw certificaat aan."
        )
    except CertificateError:
        raise ValidationError(
            {
                SIGNING_FIELD: "Het certificaat van de praktijk is niet geldig: het is geldig van "
                f"{_dutch_date(certificate.not_valid_before_utc)} tot "
                f"{_dutch_date(certificate.not_valid_after_utc)}. Kies een geldig certificaat."
            }
        ) from None
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if identity.key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(
        *spki
    ):
        raise ValidationError(
            {SIGNING_FIELD: "De sleutel hoort niet bij het certificaat van de praktijk."}
        )
    return identity


def _check_request(request: TransportRequest) -> smtp.TransportSettings:
    """Every field of ``request`` checked; the dataclass the sender uses, for its own checks."""
    problems: dict[str, str] = {}
    try:
        host = _check_host(request.host)
    except ValidationError as error:
        problems |= error.problems
        host = "onbekend"
    try:
        SmtpSecurity(request.security)
    except ValueError:
        problems[SECURITY_FIELD] = "Kies als beveiliging starttls of tls; onbeveiligd kan niet."
    if not 0 < request.port < 65536:
        problems[PORT_FIELD] = (
            "De poort klopt niet. Vul een getal tot 65536 in (meestal 587 of 465)."
        )
    try:
        sender = _clean_email(request.from_address, FROM_FIELD, "Het afzenderadres")
        if sender is None:
            problems[FROM_FIELD] = "Vul het afzenderadres van de praktijk in."
    except ValidationError as error:
        problems |= error.problems
        sender = None
    if problems:
        raise ValidationError(problems)
    assert sender is not None
    return smtp.TransportSettings(
        host=host,
        port=request.port,
        security="tls" if request.security == "tls" else "starttls",
        from_address=sender,
        username=request.username.strip(),
    )


def save_transport(
    session: Session,
    vault: Vault,
    actor: Actor,
    request: TransportRequest,
    *,
    now: datetime | None = None,
) -> TransportView:
    """Check and store the practice's gateway settings, audited without the password."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    moment = now or utcnow()
    checked = _check_request(request)
    ca_file = _check_ca_file(request.ca_file)
    row = session.get(TransportRow, SETTINGS_ID)
    created = row is None
    if row is None:
        row = TransportRow(
            id=SETTINGS_ID,
            smtp_host=checked.host,
            smtp_port=checked.port,
            security=SmtpSecurity(checked.security),
            from_address=checked.from_address,
        )
        session.add(row)
    password_kept = request.password is None and not created and row.password is not None
    if request.password is not None and request.password and not checked.username:
        raise ValidationError({USERNAME_FIELD: "Bij een wachtwoord hoort een gebruikersnaam."})
    if password_kept and not checked.username:
        raise ValidationError({USERNAME_FIELD: "Bij een wachtwoord hoort een gebruikersnaam."})
    signing: smime.SigningIdentity | None = None
    if request.signing_certificate is not None or request.signing_key is not None:
        if request.signing_certificate is None or request.signing_key is None:
            raise ValidationError(
                {
                    SIGNING_FIELD: "Kies het certificaat van de praktijk én de sleutel "
                    "die erbij hoort."
                }
            )
        signing = _check_signing(request.signing_certificate, request.signing_key, moment)
    row.smtp_host = checked.host
    row.smtp_port = checked.port
    row.security = SmtpSecurity(checked.security)
    row.username = checked.username or None
    row.from_address = checked.from_address
    row.ca_file = ca_file
    row.updated_at = moment
    row.updated_by_id = actor.user_id
    session.flush()
    if request.password is not None:
        row.password = (
            vault.seal("transport_settings", "password", SETTINGS_ID, request.password)
            if request.password
            else None
        )
    if request.remove_signing:
        row.signing_certificate = None
        row.signing_key = None
    elif signing is not None:
        row.signing_certificate = signing.certificate.public_bytes(serialization.Encoding.PEM)
        key_pem = signing.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        row.signing_key = vault.seal("transport_settings", "signing_key", SETTINGS_ID, key_pem)
    detail = f"{checked.host}:{checked.port}, {checked.security}"
    detail += ", met wachtwoord" if row.password is not None else ", zonder wachtwoord"
    if row.signing_certificate is not None:
        detail += ", met praktijkcertificaat"
    audit.record(
        session, event="transport.set",
        action=audit.Action.CREATE if created else audit.Action.UPDATE, actor=actor,
        object_type="transport_settings", object_id=SETTINGS_ID, detail=detail, vault=vault,
        state=state_of(session, vault, "transport_settings", SETTINGS_ID),
    )  # fmt: skip
    return _view(row)


def _certificate_facts(pem: bytes | None) -> tuple[str | None, date | None]:
    """Whose a stored certificate is and until when, for the views; (None, None) without one."""
    if pem is None:
        return None, None
    certificate = smime.load_certificate(bytes(pem))
    return certificate.subject.rfc4514_string(), certificate.not_valid_after_utc.date()


def _view(row: TransportRow) -> TransportView:
    subject, valid_until = _certificate_facts(row.signing_certificate)
    return TransportView(
        host=row.smtp_host,
        port=row.smtp_port,
        security=row.security.value,
        from_address=row.from_address,
        username=row.username or "",
        password=SET if row.password is not None else NOT_SET,
        ca_file=row.ca_file,
        signing_subject=subject,
        signing_valid_until=valid_until,
        updated_at=row.updated_at,
    )


def show_transport(session: Session, actor: Actor) -> TransportView | None:
    """The settings without the password; None when no beheerder set them yet."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    row = session.get(TransportRow, SETTINGS_ID)
    return None if row is None else _view(row)


def load_transport(session: Session, vault: Vault) -> smtp.TransportSettings | None:
    """What the sender needs, password opened; None when the practice has set nothing yet."""
    row = session.get(TransportRow, SETTINGS_ID)
    if row is None:
        return None
    password = (
        ""
        if row.password is None
        else vault.open("transport_settings", "password", SETTINGS_ID, bytes(row.password))
    )
    return smtp.TransportSettings(
        host=row.smtp_host,
        port=row.smtp_port,
        security="tls" if row.security is SmtpSecurity.TLS else "starttls",
        from_address=row.from_address,
        username=row.username or "",
        password=password,
        ca_file=None if row.ca_file is None else Path(row.ca_file),
    )


def connection_settings(
    session: Session, vault: Vault, actor: Actor, request: TransportRequest
) -> smtp.TransportSettings:
    """What a connection test tries: the values as filled in, checked as ``save_transport`` does.

    ``request.password`` None means the stored one (the field in Beheer never shows it); without
    a user name there is no login, so no password either. Nothing is stored or audited.
    """
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    checked = _check_request(request)
    ca_file = _check_ca_file(request.ca_file)
    password = request.password
    if not checked.username:
        password = ""
    elif password is None:
        row = session.get(TransportRow, SETTINGS_ID)
        password = (
            ""
            if row is None or row.password is None
            else vault.open("transport_settings", "password", SETTINGS_ID, bytes(row.password))
        )
    return replace(checked, password=password, ca_file=None if ca_file is None else Path(ca_file))


def stored_connection(session: Session, vault: Vault, actor: Actor) -> smtp.TransportSettings:
    """The stored settings for a connection test, or a plain refusal when there are none."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    settings = load_transport(session, vault)
    if settings is None:
        raise GpdeskError(
            "Er zijn nog geen verzendinstellingen.",
            hint="Stel de mailserver in (Beheer > Verzenden, of gpdesk transport set).",
        )
    return settings


def signing_identity(session: Session, vault: Vault) -> smime.SigningIdentity | None:
    """The practice's certificate and key to sign with, when a beheerder set them."""
    row = session.get(TransportRow, SETTINGS_ID)
    if row is None or row.signing_certificate is None or row.signing_key is None:
        return None
    key_pem = vault.open("transport_settings", "signing_key", SETTINGS_ID, bytes(row.signing_key))
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return smime.SigningIdentity(
        x509.load_pem_x509_certificate(bytes(row.signing_certificate)), key
    )


# -- a team's delivery ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryView:
    """Where one team receives signals."""

    team_id: str
    email: str | None
    certificate_subject: str | None
    certificate_valid_until: date | None
    export_folder: str | None
    updated_at: datetime
    feedback_contact: Role = Role.POH_GGZ
    """Who in the practice gets this team's letters first (``gpdesk.inbox.store.routing``)."""

    def as_json(self) -> dict[str, Any]:
        """For ``--json``."""
        return {
            "team": self.team_id,
            "email": self.email,
            "certificate": self.certificate_subject,
            "certificate_valid_until": (
                None
                if self.certificate_valid_until is None
                else self.certificate_valid_until.isoformat()
            ),
            "export_folder": self.export_folder,
            "feedback_contact": self.feedback_contact.value,
        }

    def certificate_warning(self, today: date) -> str | None:
        """Say "verlopen op …" or "verloopt op …" (within CERTIFICATE_WARNING_DAYS), or None."""
        until = self.certificate_valid_until
        if until is None:
            return None
        if until < today:
            return f"verlopen op {until:%d-%m-%Y}"
        if until - today <= timedelta(days=CERTIFICATE_WARNING_DAYS):
            return f"verloopt op {until:%d-%m-%Y}"
        return None


@dataclass(frozen=True)
class TeamLine:
    """A team of the kaart (wijkteam or central desk) and where it receives signals, if set."""

    team_id: str
    name: str
    organisation: str
    kind: str
    """The kind's Dutch word: "wijkteam" or "centraal loket"."""
    status: str
    """The service status in Dutch ("actief", "tijdelijk gesloten" …)."""
    delivery: DeliveryView | None

    def as_json(self) -> dict[str, Any]:
        """For ``--json``: the team and its delivery (null when none is set)."""
        return {
            "team": self.team_id,
            "name": self.name,
            "organisation": self.organisation,
            "kind": self.kind,
            "status": self.status,
            "delivery": None if self.delivery is None else self.delivery.as_json(),
        }


def read_certificate_file(path: Path) -> bytes:
    """A team certificate file's bytes, or a Dutch refusal naming the file (checked on saving)."""
    try:
        return path.expanduser().read_bytes()
    except OSError:
        raise ValidationError(
            {CERTIFICATE_FIELD: f"Het certificaat ({path}) is niet te lezen."}
        ) from None


def _check_team_certificate(data: bytes, now: datetime) -> x509.Certificate:
    try:
        certificate = smime.load_certificate(data)
    except CertificateError as error:
        raise ValidationError({CERTIFICATE_FIELD: error.user_text()}) from None
    if now > certificate.not_valid_after_utc:
        raise ValidationError(
            {
                CERTIFICATE_FIELD: "Het certificaat van het team is verlopen op "
                f"{_dutch_date(certificate.not_valid_after_utc)}. Vraag het team om een "
                "geldig certificaat."
            }
        )
    if now < certificate.not_valid_before_utc:
        raise ValidationError(
            {
                CERTIFICATE_FIELD: "Het certificaat van het team is pas geldig vanaf "
                f"{_dutch_date(certificate.not_valid_before_utc)}."
            }
        )
    try:
        smime.check_recipient(certificate, now=now)
    except CertificateError as error:
        raise ValidationError({CERTIFICATE_FIELD: error.message}) from None
    return certificate


def _check_folder(folder: Path) -> str:
    """The export folder must exist and take a file now (a write test, removed again)."""
    resolved = folder.expanduser().resolve()
    if not resolved.is_dir():
        raise ValidationError(
            {FOLDER_FIELD: f"De exportmap ({resolved}) bestaat niet. Kies een bestaande map."}
        )
    probe = resolved / f".gpdesk-probe-{secrets.token_hex(4)}"
    try:
        with probe.open("xb") as stream:
            stream.write(b"gpdesk")
        probe.unlink()
    except OSError:
        raise ValidationError(
            {
                FOLDER_FIELD: f"gpdesk mag niet schrijven in de exportmap ({resolved}). "
                "Vraag om schrijfrechten of kies een andere map."
            }
        ) from None
    return str(resolved)


def set_team_delivery(
    session: Session,
    actor: Actor,
    team_id: str,
    *,
    email: str | None = None,
    certificate: bytes | None = None,
    export_folder: Path | None = None,
    keep_certificate: bool = False,
    now: datetime | None = None,
) -> DeliveryView:
    """Where ``team_id`` (a kaart service id) receives signals; replaces what was set, audited.

    At least one of ``email`` and ``export_folder`` is needed: a signal goes to each. With
    ``keep_certificate`` and no new ``certificate`` the stored one stays (checked again: an
    expired one is refused, so Beheer never saves a team that cannot receive).
    """
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    moment = now or utcnow()
    team = session.get(Service, team_id.strip())
    if team is None:
        raise ValidationError(
            {
                TEAM_FIELD: "Dit team staat niet in de sociale kaart. Gebruik het id dat "
                "'gpdesk kaart route' toont."
            }
        )
    address = _clean_email(email, EMAIL_FIELD, "Het e-mailadres van het team")
    folder = None if export_folder is None else _check_folder(export_folder)
    if address is None and folder is None:
        raise ValidationError(
            {
                EMAIL_FIELD: "Vul een e-mailadres of een exportmap in: anders kan gpdesk dit team "
                "geen signaal sturen."
            }
        )
    row = session.get(TeamDelivery, team.id)
    if certificate is None and keep_certificate and row is not None:
        certificate = None if row.certificate is None else bytes(row.certificate)
    cert = None if certificate is None else _check_team_certificate(certificate, moment)
    created = row is None
    if row is None:
        row = TeamDelivery(team_id=team.id)
        session.add(row)
    row.email = address
    row.certificate = None if cert is None else cert.public_bytes(serialization.Encoding.PEM)
    row.export_folder = folder
    row.updated_at = moment
    row.updated_by_id = actor.user_id
    session.flush()
    parts = [f"e-mail {address}" if address else "geen e-mail"]
    if cert is not None:
        parts.append(f"certificaat tot {_dutch_date(cert.not_valid_after_utc)}")
    if folder is not None:
        parts.append("exportmap")
    audit.record(
        session, event="team.delivery",
        action=audit.Action.CREATE if created else audit.Action.UPDATE, actor=actor,
        object_type="team_delivery", object_id=team.id,
        detail=f"{team.name}: {', '.join(parts)}",
    )  # fmt: skip
    return _delivery_view(row)


def _delivery_view(row: TeamDelivery) -> DeliveryView:
    subject, valid_until = _certificate_facts(row.certificate)
    return DeliveryView(
        team_id=row.team_id,
        email=row.email,
        certificate_subject=subject,
        certificate_valid_until=valid_until,
        export_folder=row.export_folder,
        updated_at=row.updated_at,
        feedback_contact=_role_or_default(row.feedback_contact_role),
    )


def _role_or_default(value: str | None) -> Role:
    """The stored feedback contact; POH-GGZ for anything no version of gpdesk wrote."""
    try:
        return Role.POH_GGZ if value is None else Role(value)
    except ValueError:
        return Role.POH_GGZ


def get_team_delivery(session: Session, team_id: str) -> DeliveryView | None:
    """Where a team receives signals; None when nothing is set for it."""
    row = session.get(TeamDelivery, team_id)
    return None if row is None else _delivery_view(row)


def team_certificate(session: Session, team_id: str) -> x509.Certificate | None:
    """The team's certificate to envelope to, as stored (checked for validity when sending)."""
    row = session.get(TeamDelivery, team_id)
    if row is None or row.certificate is None:
        return None
    return smime.load_certificate(bytes(row.certificate))


def delivery_row(session: Session, team_id: str) -> TeamDelivery:
    """The team's delivery row, or a plain refusal that names what to do."""
    row = session.get(TeamDelivery, team_id)
    if row is None or (row.email is None and row.export_folder is None):
        raise GpdeskError(
            "Voor dit team is geen e-mailadres of exportmap ingesteld.",
            hint="Vraag de beheerder om de bezorging van het team in te stellen.",
        )
    return row


_TEAM_KINDS: Final = (ServiceKind.WIJKTEAM, ServiceKind.CENTRAAL_LOKET)


def team_deliveries(session: Session, actor: Actor) -> list[TeamLine]:
    """Each team a signal can go to, with its delivery: Beheer's list and ``team list``.

    The wijkteams and desks that are not opgeheven, and any other service with a delivery set.
    """
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    deliveries = {row.team_id: row for row in session.scalars(select(TeamDelivery))}
    services = session.scalars(
        select(Service)
        .where(
            (Service.kind.in_(_TEAM_KINDS) & (Service.status != ServiceStatus.DEFUNCT))
            | Service.id.in_(list(deliveries))
        )
        .order_by(Service.name)
    )
    return [
        TeamLine(
            team_id=service.id,
            name=service.name,
            organisation=service.organization.name,
            kind=service.kind.label,
            status=service.status.label,
            delivery=(
                None if service.id not in deliveries else _delivery_view(deliveries[service.id])
            ),
        )
        for service in services
    ]
