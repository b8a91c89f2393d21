"""Which letter actions a user may take now, and the next step the pane offers: no Qt needed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from gpdesk.inbox.store.detail import LetterDetail
from gpdesk.inbox.store.involvement import InvolvementInfo
from gpdesk.models import LetterSource, LetterState
from gpdesk.roles import Role
from gpdesk.security.permissions import DEFAULT_PERMISSIONS, Permission
from gpdesk.ui.inbox.letter_actions import (
    ARCHIVE,
    ASSIGN,
    END_INVOLVEMENT,
    FILE,
    FORWARD,
    KIND,
    LETTER_ACTIONS,
    LINK,
    UNLINK,
    action,
    next_step,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ASSISTANT = DEFAULT_PERMISSIONS[Role.ASSISTANT]
POH = DEFAULT_PERMISSIONS[Role.POH_GGZ]
MANAGER = DEFAULT_PERMISSIONS[Role.PRACTICE_MANAGER]
NEW = LetterDetail(
    id=1, received_at=NOW, sent_at=None, source=LetterSource.IMAP, file_type="e-mail",
    sender="Wijkteam Nieuwland", sender_address=None, team_name=None, state=LetterState.NEW,
    kind="voortgang", kind_confirmed=False, urgent=False, signature=None,
    quarantine_reason=None, signal_reference=None, signal_status=None, patient_matched=False,
    due_on=None, assignee=None, filed_at=None, filed_by=None, forgotten=False,
    subject="Terugkoppeling", body_text="", body_html=None, attachments=(), steps=(),
)  # fmt: skip
LINKED = replace(NEW, signal_reference="SIG-2026-000001", patient_matched=True)


def test_each_action_has_its_own_key_and_shortcut() -> None:
    keys = [a.key for a in LETTER_ACTIONS]
    shortcuts = [a.shortcut for a in LETTER_ACTIONS if a.shortcut]
    assert len(set(keys)) == len(keys) and len(set(shortcuts)) == len(shortcuts)
    assert action(ASSIGN).shortcut == "Ctrl+T" and action(ARCHIVE).shortcut == "Ctrl+Shift+A"
    assert action(ASSIGN).plain == "Toewijzen…"


def test_the_next_step_goes_link_kind_assign_file_archive() -> None:
    assert next_step(NEW, ASSISTANT, Role.ASSISTANT) == LINK
    assert next_step(LINKED, ASSISTANT, Role.ASSISTANT) == KIND
    confirmed = replace(LINKED, kind_confirmed=True)
    assert next_step(confirmed, ASSISTANT, Role.ASSISTANT) == ASSIGN
    assert next_step(confirmed, POH, Role.POH_GGZ) == FORWARD  # the feedback contact
    assigned = replace(confirmed, state=LetterState.ASSIGNED, assignee="H. Bakker")
    assert next_step(assigned, ASSISTANT, Role.ASSISTANT) == FILE
    filed = replace(assigned, state=LetterState.FILED, filed_at=NOW)
    assert next_step(filed, ASSISTANT, Role.ASSISTANT) == ARCHIVE
    archived = replace(filed, state=LetterState.ARCHIVED)
    assert next_step(archived, ASSISTANT, Role.ASSISTANT) is None
    assert next_step(None, ASSISTANT, Role.ASSISTANT) is None


def test_refusals_say_why_in_dutch() -> None:
    assert action(FORWARD).refused(LINKED, ASSISTANT) == (
        "U hebt geen toestemming voor: terugkoppeling doorsturen naar verwijzer. Vraag de "
        "praktijkmanager om dit recht als u het nodig hebt."
    )
    forward_loose = action(FORWARD).refused(NEW, POH)
    assert forward_loose is not None and "Koppel hem eerst aan een signaal" in forward_loose
    assert action(FORWARD).refused(LINKED, POH) is None
    unlink = action(UNLINK).refused(NEW, ASSISTANT)
    assert unlink is not None and "niet gekoppeld" in unlink
    early = action(ARCHIVE).refused(LINKED, ASSISTANT)
    assert early is not None and "pas als de brief is overgenomen in het HIS" in early
    filed = replace(LINKED, state=LetterState.FILED, filed_at=NOW)
    again = action(ASSIGN).refused(filed, ASSISTANT)
    assert again is not None and "al overgenomen in het HIS" in again
    assert action(KIND).refused(filed, ASSISTANT) is None  # the kind may still be corrected


def test_a_quarantined_letter_is_only_archived_by_the_beheerder() -> None:
    bad = replace(NEW, quarantine_reason="Te diep genest.")
    for letter_action in LETTER_ACTIONS:
        if letter_action.key != ARCHIVE:
            assert letter_action.refused(bad, ASSISTANT | MANAGER) is not None
    assert action(ARCHIVE).refused(bad, ASSISTANT) is not None
    assert action(ARCHIVE).refused(bad, MANAGER) is None
    assert next_step(bad, ASSISTANT, Role.ASSISTANT) is None
    assert Permission.SETTINGS_MANAGE in MANAGER


def test_a_closing_letter_first_ends_the_teams_registration() -> None:
    involved = InvolvementInfo(
        id=3, patient_id=7, team_id=None, team_name="Wijkteam Oost", since=date(2026, 11, 2),
        letter_id=1, registered_by="M. Jansen", registered_at=NOW,
    )  # fmt: skip
    closing = replace(LINKED, kind="afsluiting", ending=involved)
    assert action(END_INVOLVEMENT).refused(closing, ASSISTANT) is None
    assert next_step(closing, ASSISTANT, Role.ASSISTANT) == END_INVOLVEMENT  # before the kind
    filed = replace(closing, kind_confirmed=True, state=LetterState.FILED, filed_at=NOW)
    assert next_step(filed, ASSISTANT, Role.ASSISTANT) == END_INVOLVEMENT  # also once filed
    ended = replace(filed, ending=None)
    assert next_step(ended, ASSISTANT, Role.ASSISTANT) == ARCHIVE
    why = action(END_INVOLVEMENT).refused(ended, ASSISTANT)
    assert why is not None and "afsluitingsbrief" in why
    gp_only = DEFAULT_PERMISSIONS[Role.GP] - {Permission.LETTER_FILE}
    assert action(END_INVOLVEMENT).refused(closing, gp_only) is not None  # triage right needed
