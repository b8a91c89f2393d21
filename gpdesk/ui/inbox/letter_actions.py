"""What can be done with the chosen letter, when, and which step comes next: plain rules, no Qt.

The reading pane builds its "Meer" menu, the page its keys and the F1 overview its lines from
``LETTER_ACTIONS``; the controller carries out each one by its ``key``. One more letter action
is one more ``LetterAction`` in that tuple and one handler in the controller's table.

Each rule says why *not* (a Dutch sentence) rather than a bare False, so a key pressed at the
wrong moment tells the user what to do instead of doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.detail import LetterDetail
from gpdesk.inbox.store.shapes import ANSWERED_STEP, REFUSED_STEP
from gpdesk.inbox.store.triage import DEFAULT_FEEDBACK_CONTACT
from gpdesk.models import LetterState
from gpdesk.roles import Role
from gpdesk.security.permissions import Permission

ASSIGN: Final = "assign"
FORWARD: Final = "forward"
KIND: Final = "kind"
LINK: Final = "link"
UNLINK: Final = "unlink"
ARCHIVE: Final = "archive"
INVOLVE: Final = "involve"
"""Betrokkenheid vastleggen (a betrokkenheidsmelding): ``involvement_dialog``."""
END_INVOLVEMENT: Final = "end_involvement"
"""Betrokkenheid beëindigen (a closing letter of a team registered as involved)."""
ANSWER: Final = "answer"
"""Informatieverzoek beantwoorden (the GP, with the LHV checklist): ``request_dialog``."""
FILE: Final = "file"
"""Overgenomen in HIS: the pane's own button (with its own confirmation), a next step too."""

Permissions = frozenset[Permission]
Rule = Callable[[LetterDetail, Permissions], str | None]


@dataclass(frozen=True)
class LetterAction:
    """One thing to do with a letter: its words, its key, and when it may be done.

    ``text`` carries the mnemonic for the "Meer" menu (menu-local, so it never clashes with the
    page); ``shortcut`` works anywhere on the page; ``overview`` is its line in F1.
    """

    key: str
    text: str
    shortcut: str
    tip: str
    overview: str
    refused: Rule
    """None when the signed-in user may do it to this letter now; otherwise why not."""

    @property
    def plain(self) -> str:
        """The text without its mnemonic: ``Toewijzen…``."""
        return self.text.replace("&", "")


def _may(permissions: Permissions, permission: Permission) -> str | None:
    if permission in permissions:
        return None
    return (
        f"U hebt geen toestemming voor: {permission.label}. Vraag de praktijkmanager om dit "
        "recht als u het nodig hebt."
    )


def _closed(letter: LetterDetail) -> str | None:
    """Why nothing more can be done to this letter, if so."""
    if letter.quarantined:
        return "Dit bericht staat in quarantaine en is niet geopend. Vraag de beheerder ernaar."
    if letter.state is LetterState.ARCHIVED:
        return "Deze brief is al gearchiveerd; u hoeft niets meer te doen."
    if letter.forgotten:
        return (
            "De inhoud van deze brief is na de bewaartermijn verwijderd; er is niets meer "
            "mee te doen."
        )
    return None


def _not_filed(letter: LetterDetail) -> str | None:
    if letter.filed_at is not None:
        return "Deze brief is al overgenomen in het HIS; dat hoeft niet meer."
    return None


def linked(letter: LetterDetail) -> bool:
    """Whether the letter belongs to a signal or a confirmed patient."""
    return letter.signal_reference is not None or letter.patient_matched


def _first(*reasons: str | None) -> str | None:
    return next((reason for reason in reasons if reason is not None), None)


def _assign(letter: LetterDetail, permissions: Permissions) -> str | None:
    return _first(_may(permissions, Permission.LETTER_FILE), _closed(letter), _not_filed(letter))


def _forward(letter: LetterDetail, permissions: Permissions) -> str | None:
    no_signal = (
        "Deze brief hoort nog niet bij een signaal, dus gpdesk weet niet welke huisarts het "
        "stuurde. Koppel hem eerst aan een signaal, of wijs hem toe aan een huisarts."
        if letter.signal_reference is None
        else None
    )
    return _first(
        _may(permissions, Permission.LETTER_FORWARD), _closed(letter), _not_filed(letter),
        no_signal,
    )  # fmt: skip


def _triage(letter: LetterDetail, permissions: Permissions) -> str | None:
    return _first(_may(permissions, Permission.LETTER_FILE), _closed(letter))


def _unlink(letter: LetterDetail, permissions: Permissions) -> str | None:
    loose = None if linked(letter) else "Deze brief is niet gekoppeld; er is niets los te maken."
    return _first(_triage(letter, permissions), loose)


def _archive(letter: LetterDetail, permissions: Permissions) -> str | None:
    if letter.state is LetterState.ARCHIVED:
        return "Deze brief is al gearchiveerd; u hoeft niets meer te doen."
    if letter.quarantined:
        return _may(permissions, Permission.SETTINGS_MANAGE)
    if letter.filed_at is None:
        return _first(
            _may(permissions, Permission.LETTER_FILE),
            "Archiveren kan pas als de brief is overgenomen in het HIS (Ctrl+H).",
        )
    return _may(permissions, Permission.LETTER_FILE)


def _involve(letter: LetterDetail, permissions: Permissions) -> str | None:
    if letter.kind != LetterKind.INVOLVEMENT.value:
        return (
            "Betrokkenheid vastleggen kan bij een betrokkenheidsmelding: een brief waarin het "
            "team meldt dat het de patiënt al helpt."
        )
    unknown = (
        None
        if letter.patient_matched
        else "Koppel de brief eerst aan de patiënt (Ctrl+Shift+K); dan kunt u de betrokkenheid "
        "vastleggen."
    )
    return _first(_triage(letter, permissions), unknown)


def _end_involvement(letter: LetterDetail, permissions: Permissions) -> str | None:
    if letter.ending is None:
        return (
            "Betrokkenheid beëindigen kan bij een afsluitingsbrief, gekoppeld aan de patiënt, "
            "van een team dat bij die patiënt als betrokken staat."
        )
    return _triage(letter, permissions)


def _answer(letter: LetterDetail, permissions: Permissions) -> str | None:
    if letter.kind != LetterKind.INFORMATION_REQUEST.value:
        return (
            "Beantwoorden kan bij een informatieverzoek: een brief waarin het team om "
            "informatie over de patiënt vraagt."
        )
    unknown = (
        None
        if letter.patient_matched or letter.signal_reference is not None
        else "Koppel het verzoek eerst aan de patiënt (Ctrl+Shift+K); dan kunt u het beantwoorden."
    )
    done = (
        "Dit informatieverzoek is al beantwoord (zie de stappen); de assistent neemt verzoek "
        "en antwoord over in het HIS."
        if any(step.step in (ANSWERED_STEP, REFUSED_STEP) for step in letter.steps)
        else None
    )
    return _first(
        _may(permissions, Permission.LETTER_ANSWER), _closed(letter), _not_filed(letter), done,
        unknown,
    )  # fmt: skip


LETTER_ACTIONS: Final[tuple[LetterAction, ...]] = (
    LetterAction(
        ASSIGN, "Toe&wijzen…", "Ctrl+T", tip="Aan een collega of een rol geven, met een notitie",
        overview="Toewijzen aan persoon of rol", refused=_assign,
    ),
    LetterAction(
        FORWARD, "&Doorsturen naar verwijzer…", "Ctrl+D",
        tip="Naar de huisarts die het signaal stuurde, met een notitie",
        overview="Doorsturen naar verwijzer", refused=_forward,
    ),
    LetterAction(
        KIND, "&Soort bevestigen…", "Ctrl+B",
        tip="Bevestigen of verbeteren wat voor brief dit is (advies, escalatie…)",
        overview="Soort bevestigen", refused=_triage,
    ),
    LetterAction(
        LINK, "&Koppelen…", "Ctrl+Shift+K",
        tip="Koppelen aan een signaal (kenmerk) of aan een patiënt",
        overview="Koppelen aan signaal of patiënt", refused=_triage,
    ),
    LetterAction(
        UNLINK, "&Ontkoppelen", "",
        tip="Een verkeerde koppeling losmaken; de brief komt weer bij Niet gekoppeld",
        overview="", refused=_unlink,
    ),
    LetterAction(
        ARCHIVE, "&Archiveren…", "Ctrl+Shift+A",
        tip="Uit de lijst Te doen; te vinden onder Stand: Gearchiveerd",
        overview="Archiveren (vraagt eerst)", refused=_archive,
    ),
    LetterAction(
        INVOLVE, "Betrokkenheid &vastleggen…", "Ctrl+Shift+I",
        tip="Vastleggen dat dit wijkteam de patiënt al helpt (bij een betrokkenheidsmelding)",
        overview="Betrokkenheid vastleggen (betrokkenheidsmelding)", refused=_involve,
    ),
    LetterAction(
        END_INVOLVEMENT, "Betrokkenheid b&eëindigen…", "Ctrl+Shift+E",
        tip="Het team sluit de hulp af: de betrokkenheid bij de patiënt beëindigen",
        overview="Betrokkenheid beëindigen (afsluitingsbrief)", refused=_end_involvement,
    ),
    LetterAction(
        ANSWER, "Informatieverzoek &beantwoorden…", "Ctrl+Shift+R",
        tip="Met de checklist van de LHV: een antwoord of een weigeringsbrief aan het team",
        overview="Informatieverzoek beantwoorden (huisarts)", refused=_answer,
    ),
)  # fmt: skip
"""Every letter action, in menu order. One more action: one more entry here."""

ACTIONS_BY_KEY: Final = {action.key: action for action in LETTER_ACTIONS}


def action(key: str) -> LetterAction:
    """The action with this key."""
    return ACTIONS_BY_KEY[key]


def next_step(letter: LetterDetail | None, permissions: Permissions, role: Role) -> str | None:
    """The one thing to do next with this letter, for this user: the pane's main button.

    First whose it is (koppelen), then for a closing letter ending the team's registration,
    then what it is (soort bevestigen), then who handles it (toewijzen; the feedback contact
    forwards to the GP who signalled), then overgenomen in HIS, then archiveren. None when
    there is nothing this user can do.
    """
    if letter is None:
        return None
    if letter.filed_at is not None or letter.quarantined or letter.forgotten:
        if _end_involvement(letter, permissions) is None:
            return END_INVOLVEMENT
        return ARCHIVE if action(ARCHIVE).refused(letter, permissions) is None else None
    if _closed(letter) is not None:
        return None
    if not linked(letter) and _triage(letter, permissions) is None:
        return LINK
    if _answer(letter, permissions) is None:
        return ANSWER  # the GP answers; filing the request and its answer comes after
    if _end_involvement(letter, permissions) is None:
        return END_INVOLVEMENT  # the team has closed (ending confirms the kind too)
    if not letter.kind_confirmed and _triage(letter, permissions) is None:
        return KIND
    if letter.state is LetterState.NEW:
        if role is DEFAULT_FEEDBACK_CONTACT and _forward(letter, permissions) is None:
            return FORWARD
        if _assign(letter, permissions) is None:
            return ASSIGN
    if Permission.LETTER_FILE in permissions:
        return FILE
    return None
