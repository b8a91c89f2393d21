"""The signal form's controller: loads what the form needs, previews, sends, prints.

What runs where:

- The form is built ahead, in idle time on the GUI thread (a zero-timer after sign-in, and
  again after each form closes): building its hundred-odd widgets under the style sheet is
  most of what opening used to cost. Ctrl+Shift+S then only gives that fresh form the patient
  and shows it. A form serves one patient and is deleted when it closes, so nothing typed
  for one patient can show up for the next; the one built ahead has never held a patient.
- Opening the form shows it at once with the patient from the banner; one background unit of
  work, started first, finds the patient's id, the team for their address and age
  (``team.choose_team``), the consents that hold per team organisation, and, for a POH-GGZ or
  an assistant, the GPs they may act for. Picking a theme asks again in the background, so
  the named contact agreed for that theme shows.
- Voorbeeld runs ``store.compose`` off the GUI thread and shows ``preview.preview`` of it.
- Verstuur runs ``store.submit`` in one session (one transaction, committed with its audit
  entry before anything goes on the network; the outbox worker sends it). The form then says
  the reference and "postvak uit" and offers the patient handout.
- The consent dialog saves through ``consent.record_consent`` off the GUI thread too.

Validation comes back as ``ValidationError`` (by field) or ``ConsentError`` and is shown next to
the fields; nothing the user typed is lost. The controller holds no widget of another screen
and reads the signed-in user through ``signed()`` each time, so after a lock nothing runs on
a dropped key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget
from shiboken6 import isValid

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.letters.document import Document
from gpdesk.letters.html import to_html
from gpdesk.patients.context import PatientContext
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission
from gpdesk.signals.consent import (
    ConsentError,
    ConsentScope,
    NoConsentRequest,
    OrganisationRef,
    dutch_date,
)
from gpdesk.signals.outgoing import OutgoingSignal
from gpdesk.signals.preview import Preview
from gpdesk.signals.store import SignalRecord, SignalRequest
from gpdesk.ui.kaart.handout_dialog import HandoutDialog, pdf_save_path, print_to
from gpdesk.ui.signals.consent_dialog import ConsentDialog
from gpdesk.ui.signals.form import FormInput, SignalForm, TeamView
from gpdesk.ui.signals.preview_dialog import PreviewDialog
from gpdesk.ui.tasks import TaskRunner

THEME_DELAY_MS = 250
"""Picking several themes quickly asks for the team once."""
EXPOSE_WAIT_MS = 50
EXPOSE_TRIES = 20
"""Right after sign-in the form built ahead waits (up to a second) for the main window's first
paint, so the window the user just signed in to comes first."""

UNEXPECTED = "Er ging iets mis; probeer het opnieuw. Wat u typte, staat er nog."


def _text(exc: BaseException) -> str:
    return exc.user_text() if isinstance(exc, GpdeskError) else UNEXPECTED


@dataclass(frozen=True)
class TeamInfo:
    """One team option as the controller keeps it: what the form shows, and its organisation."""

    view: TeamView
    organisation: OrganisationRef


@dataclass(frozen=True)
class FormData:
    """What the form needs from the database, loaded in one unit of work."""

    patient_id: int
    teams: tuple[TeamInfo, ...]
    chosen: str | None
    explanation: str
    team_problem: str | None
    consents: dict[str, ConsentScope | None]
    """Per team id: the newest consent that holds for its organisation, or None."""
    gps: tuple[tuple[str, str], ...]
    involved: tuple[str, ...] = ()
    """Teams registered as involved with the patient, one line each, in words."""


def team_details(option: object) -> str:
    """The named contact, their deputy and the team's phone, in one line."""
    from gpdesk.signals.team import TeamOption

    assert isinstance(option, TeamOption)
    parts: list[str] = []
    team = option.team
    if team.contact:
        parts.append(f"Contactpersoon: {team.contact}")
    if team.deputy:
        parts.append(f"vervanger: {team.deputy}")
    if team.phone:
        parts.append(f"tel. {team.phone}")
    if not parts:
        parts.append("Geen vaste contactpersoon bekend")
    if option.ref.alert:
        parts.append(option.ref.alert)
    return " · ".join(parts)


def _team_infos(choice: object, today: date) -> tuple[TeamInfo, ...]:
    from gpdesk.signals.consent import local_date
    from gpdesk.signals.team import TeamChoice

    assert isinstance(choice, TeamChoice)
    infos = []
    for option in choice.options:
        team, walk_in = option.team, option.walk_in
        title = f"{team.name} ({team.organisation.name})"
        if option.desk:
            title += " · centraal loket"
        in_practice = (
            walk_in is not None and walk_in.in_practice and local_date(walk_in.start) == today
        )
        view = TeamView(
            id=team.id,
            title=title,
            details=team_details(option),
            organisation=team.organisation.name,
            walk_in=walk_in.label if walk_in is not None and walk_in.label else None,
            in_practice_today=in_practice,
        )
        infos.append(TeamInfo(view, team.organisation))
    return tuple(infos)


def load_form_data(
    db: Database, signed: SignedIn, patient: PatientContext, themes: tuple[str, ...]
) -> FormData:
    """Worker: the patient's id, the team choice, consents per team, GPs to act for."""
    from gpdesk.models import utcnow
    from gpdesk.patients.records import save_patient
    from gpdesk.security.users import list_users
    from gpdesk.signals.consent import find_valid_consent, local_date
    from gpdesk.signals.team import choose_team

    now = utcnow()
    actor, vault = signed.actor, signed.vault
    with db.session() as session:
        patient_id = save_patient(session, vault, patient, actor=actor)
        teams: tuple[TeamInfo, ...] = ()
        chosen, explanation, problem = None, "", None
        try:
            choice = choose_team(session, vault, actor, patient_id, themes, now=now)
        except ValidationError as exc:
            problem = " ".join(exc.problems.values())
        else:
            teams = _team_infos(choice, local_date(now))
            chosen, explanation = choice.team.id, choice.explanation
        consents = {
            info.view.id: find_valid_consent(
                session, patient_id, at=now, organisation=info.organisation
            )
            for info in teams
        }
        gps: tuple[tuple[str, str], ...] = ()
        if actor.role is not Role.GP:
            gps = tuple(
                (user.username, user.display_name)
                for user in list_users(session, include_disabled=False)
                if user.role is Role.GP
            )
        involved: tuple[str, ...] = ()
        if actor.may(Permission.PATIENT_OPEN):
            from gpdesk.inbox.store.involvement import involvements_of

            involved = tuple(
                f"{i.team_name} is al betrokken bij deze patiënt, sinds {dutch_date(i.since)}"
                for i in involvements_of(session, vault, actor, patient_id)
            )
    return FormData(patient_id, teams, chosen, explanation, problem, consents, gps, involved)


class SignalController(QObject):
    """Opens the signal form for the patient in the banner and carries out what it asks."""

    submitted = Signal(str)
    """A signal is in the outbox (its reference): the outbox worker sends it right away."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        signed: Callable[[], SignedIn | None],
        practice_name: str,
        copy: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.db, self.tasks, self._signed = db, tasks, signed
        self.practice_name = practice_name
        self.copy = copy
        """Puts text on the clipboard for 30 seconds (the HIS note)."""
        self._parent = parent
        self.form: SignalForm | None = None
        self.patient: PatientContext | None = None
        self.data: FormData | None = None
        self.preview_dialog: PreviewDialog | None = None
        self.consent_dialog: ConsentDialog | None = None
        self.print_dialog: HandoutDialog | None = None
        self.sent: OutgoingSignal | None = None
        self.last_preview: Preview | None = None
        self._theme_timer = QTimer(self)
        self._theme_timer.setSingleShot(True)
        self._theme_timer.setInterval(THEME_DELAY_MS)
        self._theme_timer.timeout.connect(self._reload_team)
        self._generation = 0
        self.kept: tuple[str, FormInput] | None = None
        """What was typed when the lock closed the form: (the patient's BSN, the input)."""
        self.spare: SignalForm | None = None
        """The next form, built ahead and hidden, without a patient (see the module note)."""
        self._build_ahead = True
        self._spare_role: Role | None = None
        self._expose_tries = 0
        self._spare_timer = QTimer(self)
        self._spare_timer.setSingleShot(True)
        self._spare_timer.setInterval(0)
        self._spare_timer.timeout.connect(self._prepare_spare)
        now = signed()
        self._role = now.actor.role if now is not None else None
        """The window's user does not change (a colleague gets a new window and controller), so
        the next form can be built while the key is dropped (locked)."""
        self._spare_timer.start()  # zero: after sign-in, once the event loop is free

    # -- the form built ahead ------------------------------------------------------------------

    @property
    def build_ahead(self) -> bool:
        """Whether the next form is built in idle time (on by default)."""
        return self._build_ahead

    @build_ahead.setter
    def build_ahead(self, on: bool) -> None:
        """Off: every form is built on Ctrl+Shift+S (the benchmark's cold figure, a test)."""
        self._build_ahead = on
        if on:
            self._spare_timer.start()
            return
        self._spare_timer.stop()
        if self.spare is not None:
            self.spare.deleteLater()
            self.spare = None

    def _prepare_spare(self) -> None:
        """Idle time: build the next form, hidden, so Ctrl+Shift+S does not wait for it."""
        if self.spare is not None or self._role is None or not self._build_ahead:
            return
        handle = self._parent.windowHandle()
        if (
            self._parent.isVisible()
            and handle is not None
            and not handle.isExposed()
            and self._expose_tries < EXPOSE_TRIES
        ):
            self._expose_tries += 1
            self._spare_timer.start(EXPOSE_WAIT_MS)
            return
        self._spare_timer.setInterval(0)
        self.spare, self._spare_role = self._build_form(self._role), self._role

    def _build_form(self, role: Role) -> SignalForm:
        return SignalForm(self._parent, is_gp=role is Role.GP, acts_for_gp=role is not Role.GP)

    def _take_form(self, role: Role) -> SignalForm:
        """The form built ahead when it fits this user, else one built now.

        Built now: Ctrl+Shift+S came before idle time did (moments after sign-in or a close).
        """
        form, self.spare = self.spare, None
        if form is not None and isValid(form) and self._spare_role is role:
            return form
        if form is not None and isValid(form):
            form.deleteLater()
        self._spare_timer.stop()
        return self._build_form(role)

    # -- opening -------------------------------------------------------------------------------

    def may_signal(self) -> str | None:
        """Why this user cannot open the form now, or None when they can."""
        signed = self._signed()
        if signed is None:
            return "gpdesk is vergrendeld."
        actor = signed.actor
        if not (actor.may(Permission.SIGNAL_SEND) or actor.may(Permission.SIGNAL_SEND_ON_BEHALF)):
            return "U mag geen signalen versturen. Vraag de praktijkmanager als u dit nodig hebt."
        return None

    def open_form(self, patient: PatientContext | None) -> SignalForm | None:
        """Show the form for ``patient`` (the banner's); None, with a message, when it cannot."""
        if self.form is not None and isValid(self.form) and self.form.isVisible():
            self.form.raise_()
            self.form.activateWindow()
            return self.form
        refusal = self.may_signal()
        if patient is None:
            refusal = (
                "Open eerst een patiënt: vanuit het HIS, of met Plak uit HIS (Ctrl+Shift+V). "
                "Daarna opent Ctrl+Shift+S het signaal."
            )
        signed = self._signed()
        if refusal is not None or signed is None or patient is None:
            self._say(refusal or "")
            return None
        form = self._take_form(signed.actor.role)
        form.set_patient(patient)
        self.form, self.patient, self.data, self.sent = form, patient, None, None
        self.last_preview = None
        form.team_chosen.connect(self._team_chosen)
        form.themes_changed.connect(self._theme_timer.start)
        form.preview_requested.connect(self.show_preview)
        form.send_requested.connect(self.send)
        form.consent_requested.connect(self.open_consent)
        form.handout_requested.connect(self.open_handout)
        form.finished.connect(lambda _code: self._form_closed(form))
        form.set_aside.connect(lambda values: self._keep(patient, values))
        restored = None
        if self.kept is not None and self.kept[0] == patient.bsn:
            restored, self.kept = self.kept[1], None  # only the same patient's text comes back
        if restored is not None:
            form.restore(restored)
        self._generation += 1
        generation = self._generation
        db = self.db
        # Asked first: the worker looks up team and consents while the form appears.
        self.tasks.run(
            lambda: load_form_data(db, signed, patient, ()),
            lambda data: self._loaded(form, generation, data, restored),
            lambda exc: self._load_failed(form, exc),
            owner=form,
        )
        form.set_busy("Team en toestemming worden opgezocht…")
        form.show()
        form.activateWindow()  # the keyboard goes where the user asked to be
        return form

    def patient_changed(self, patient: PatientContext | None) -> None:
        """Another patient in the banner (or none): a form for the previous one closes.

        What was typed is kept for that patient (``set_aside``) and comes back when they are
        opened again; a form never stays open for someone who is not in the banner.
        """
        form, current = self.form, self.patient
        if form is None or current is None or (patient is not None and patient.bsn == current.bsn):
            return
        typed = form.has_typed_text()
        form.reject()
        if typed:
            self._say(
                "Het signaal voor de vorige patiënt is gesloten. Wat u typte, staat weer klaar "
                "als u die patiënt opnieuw opent."
            )

    def _say(self, text: str) -> None:
        window = self._parent
        status = getattr(window, "statusBar", None)
        if text and callable(status):
            status().showMessage(text, 12_000)

    def _form_closed(self, form: SignalForm) -> None:
        if self.form is form:
            self.form, self.patient, self.data = None, None, None
            self.sent, self.last_preview = None, None
            self._theme_timer.stop()
        form.deleteLater()  # with all it held for this patient
        if self._build_ahead:
            self._spare_timer.start()  # the next one, once the screen has settled

    def _keep(self, patient: PatientContext, values: FormInput) -> None:
        self.kept = (patient.bsn, values)

    def _loaded(
        self, form: SignalForm, generation: int, data: FormData, restored: FormInput | None
    ) -> None:
        if form is not self.form or generation != self._generation:
            return
        self.data = data
        form.set_busy("")
        if data.team_problem is not None:
            form.set_team_problem(data.team_problem)
        else:
            ids = {t.view.id for t in data.teams}
            chosen = data.chosen
            if restored is not None and restored.team_id in ids:
                chosen = restored.team_id
            form.set_teams([t.view for t in data.teams], chosen, data.explanation)
        preferred = restored.on_behalf_of if restored is not None else None
        form.set_gps(list(data.gps), preferred)
        form.set_involved(list(data.involved))
        self._show_consent()
        if restored is not None:
            form.restore_items(restored.items)

    def _load_failed(self, form: SignalForm, exc: BaseException) -> None:
        if form is self.form:
            form.set_busy("")
            form.show_problems({"algemeen": _text(exc)})

    def _team_chosen(self, _team_id: str) -> None:
        self._show_consent()

    def _current_team(self) -> TeamInfo | None:
        form, data = self.form, self.data
        if form is None or data is None:
            return None
        view = form.current_team()
        return next((t for t in data.teams if view is not None and t.view.id == view.id), None)

    def _show_consent(self) -> None:
        form, data, team = self.form, self.data, self._current_team()
        if form is None or data is None:
            return
        if team is None:
            form.set_consent(None, "dit team")
            return
        form.set_consent(data.consents.get(team.view.id), team.organisation.name)

    def _reload_team(self) -> None:
        """Themes changed: the named contact may be another one; keep the user's team."""
        form, data, patient, signed = self.form, self.data, self.patient, self._signed()
        if form is None or data is None or patient is None or signed is None:
            return
        themes = form.form_input().themes
        current = form.current_team()
        self._generation += 1
        generation = self._generation
        db = self.db

        def done(fresh: FormData) -> None:
            if form is not self.form or generation != self._generation:
                return
            self.data = fresh
            if fresh.team_problem is None:
                keep = current.id if current is not None else fresh.chosen
                ids = {t.view.id for t in fresh.teams}
                chosen = keep if keep in ids else fresh.chosen
                form.set_teams([t.view for t in fresh.teams], chosen, fresh.explanation)
            self._show_consent()

        self.tasks.run(
            lambda: load_form_data(db, signed, patient, themes), done, lambda _exc: None, owner=form
        )

    # -- the request ---------------------------------------------------------------------------

    def request(self, values: FormInput | None = None) -> SignalRequest:
        """The ``SignalRequest`` for what the form holds now."""
        form, data = self.form, self.data
        assert form is not None and data is not None
        values = values or form.form_input()
        without = None
        team = self._current_team()
        if values.without_consent and team is not None:
            without = NoConsentRequest(
                ground=values.ground,
                reason=values.reason,
                organisation=team.organisation,
                items=values.items,
            )
        return SignalRequest(
            patient_id=data.patient_id,
            themes=values.themes,
            question=values.question,
            route=values.route,
            team_id=values.team_id,
            urgent=values.urgent,
            items=values.items,
            phone=values.phone,
            medical=values.medical,
            private_note=values.private_note,
            on_behalf_of=values.on_behalf_of,
            without_consent=without,
        )

    def _ready(self) -> tuple[SignalForm, SignedIn] | None:
        form, signed = self.form, self._signed()
        if form is None or signed is None:
            return None
        if self.data is None:
            form.show_problems({"algemeen": "Even geduld: team en toestemming worden opgezocht."})
            return None
        if self.data.team_problem is not None:
            form.show_problems({"team": self.data.team_problem})
            return None
        return form, signed

    def _refused(self, form: SignalForm, exc: BaseException) -> None:
        form.set_busy("")
        if isinstance(exc, ValidationError):
            form.show_problems(exc.problems)
        elif isinstance(exc, ConsentError):
            form.show_consent_problem(exc.user_text())
        else:
            form.show_problems({"algemeen": _text(exc)})

    # -- preview -------------------------------------------------------------------------------

    def show_preview(self) -> None:
        """Voorbeeld: compose off the GUI thread, then show exactly what the team gets."""
        ready = self._ready()
        if ready is None:
            return
        form, signed = ready
        request, db = self.request(), self.db
        form.clear_problems()
        form.set_busy("Voorbeeld wordt gemaakt…")

        def work() -> Preview:
            from gpdesk.signals.preview import preview
            from gpdesk.signals.store import compose

            with db.session() as session:
                signal = compose(session, signed.vault, signed.actor, request)
            return preview(signal)

        def done(result: Preview) -> None:
            form.set_busy("")
            self.last_preview = result
            dialog = PreviewDialog(form)
            dialog.send_requested.connect(self._send_from_preview)
            dialog.finished.connect(lambda _code: self._preview_closed(dialog))
            self.preview_dialog = dialog
            dialog.set_preview(result)
            dialog.show()
            dialog.activateWindow()  # the keyboard goes where the user asked to be

        self.tasks.run(work, done, lambda exc: self._refused(form, exc), owner=form)

    def _preview_closed(self, dialog: PreviewDialog) -> None:
        if self.preview_dialog is dialog:
            self.preview_dialog = None
        dialog.deleteLater()
        form = self.form
        if form is not None and isValid(form) and form.isVisible():
            form.activateWindow()  # back to the signal: its keys (Ctrl+Enter) work again

    def _send_from_preview(self) -> None:
        dialog = self.preview_dialog
        if dialog is not None:
            dialog.accept()
        self.send()

    # -- send ----------------------------------------------------------------------------------

    def send(self) -> None:
        """Verstuur: submit and commit in one transaction off the GUI thread."""
        ready = self._ready()
        if ready is None:
            return
        form, signed = ready
        request, db = self.request(), self.db
        form.clear_problems()
        form.set_busy("Wordt opgeslagen in postvak uit…")

        def work() -> SignalRecord:
            from gpdesk.signals.store import submit

            with db.session() as session:
                return submit(session, signed.vault, signed.actor, request)

        self.tasks.run(
            work,
            lambda record: self._sent(form, record),
            lambda e: self._refused(form, e),
            owner=form,
        )

    def _sent(self, form: SignalForm, record: SignalRecord) -> None:
        self.sent = record.signal
        lines = []
        if record.expected_by is not None:
            lines.append(
                f"Antwoord van het team verwacht uiterlijk {dutch_date(record.expected_by)}."
            )
        if record.signal.urgent:
            lines.append("Urgent: bel het team ook even, zodat zij het meteen zien.")
        note = "\n".join(lines)
        form.show_sent(record.reference, record.team_name, note)
        self._say(f"Signaal {record.reference} staat in postvak uit.")
        self.submitted.emit(record.reference)

    # -- patient handout -----------------------------------------------------------------------

    def open_handout(self) -> HandoutDialog | None:
        """After sending: the patient's sheet (where, when, whom, what to bring); print or save."""
        from gpdesk.signals.letter import patient_handout

        signal, form = self.sent, self.form
        if signal is None or form is None:
            return None
        return self.open_print(
            form,
            title="Print voor patiënt",
            document_for=lambda with_name: patient_handout(signal, with_name=with_name),
            file_name="aanmelding-wijkteam.pdf",
        )

    def open_print(
        self,
        parent: QWidget,
        *,
        title: str,
        document_for: Callable[[bool], Document],
        file_name: str,
    ) -> HandoutDialog:
        """A sheet's preview with "naam patiënt op het blad" (off), Afdrukken and PDF.

        The same dialog and renderer as the kaart's handout: the preview and the printer take
        the document's HTML, the PDF is written by the one renderer off the GUI thread.
        """
        dialog = HandoutDialog(parent, patient_available=True)
        dialog.setWindowTitle(title)
        self.print_dialog = dialog

        def document() -> Document:
            return document_for(dialog.include_name.isChecked())

        def html_for(body_pt: float) -> str:
            return to_html(replace(document(), body_pt=body_pt))

        dialog.set_html(to_html(document()))
        dialog.include_name.toggled.connect(lambda _on: dialog.set_html(to_html(document())))
        dialog.print_requested.connect(lambda: self._print(dialog, html_for, document().title))
        dialog.save_requested.connect(lambda: self._choose_pdf(dialog, document, file_name))
        dialog.finished.connect(lambda _code: self._print_closed(dialog))
        dialog.show()
        dialog.activateWindow()  # the keyboard goes where the user asked to be
        return dialog

    def _print_closed(self, dialog: HandoutDialog) -> None:
        if self.print_dialog is dialog:
            self.print_dialog = None
        dialog.deleteLater()

    def _print(self, dialog: HandoutDialog, html_for: Callable[[float], str], name: str) -> None:
        """The system print dialog, then print (on the GUI thread, as Qt printing requires)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from gpdesk.ui.kaart.handout_dialog import page_layout

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout())
        printer.setDocName(name)  # a title without patient data: print queues show it
        chooser = QPrintDialog(printer, dialog)
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        print_to(html_for, printer)
        dialog.show_status("Het blad is naar de printer gestuurd.")

    def _choose_pdf(
        self, dialog: HandoutDialog, document: Callable[[], Document], file_name: str
    ) -> None:
        start = pdf_save_path(file_name)
        name, _ = QFileDialog.getSaveFileName(dialog, "Opslaan als PDF", str(start), "PDF (*.pdf)")
        if name:
            self.save_pdf(dialog, document(), Path(name))

    def save_pdf(self, dialog: HandoutDialog, document: Document, path: Path) -> Path:
        """Write ``document`` as a PDF to ``path`` off the GUI thread; the file it will be."""
        from gpdesk.kaart.handout import save_handout_pdf

        target = path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")
        dialog.set_saving(True)

        def saved(written: Path) -> None:
            dialog.set_saving(False)
            dialog.show_status(f"Opgeslagen als {written}.")

        def failed(exc: BaseException) -> None:
            dialog.set_saving(False)
            dialog.show_status(_text(exc))

        self.tasks.run(lambda: save_handout_pdf(document, target), saved, failed, owner=dialog)
        return target

    # -- consent -------------------------------------------------------------------------------

    def open_consent(self) -> ConsentDialog | None:
        """Toestemming vastleggen: for the patient in the form, the chosen team's organisation."""
        form, data, patient, signed = self.form, self.data, self.patient, self._signed()
        if form is None or data is None or patient is None or signed is None:
            return None
        team = self._current_team()
        organisations: list[OrganisationRef] = []
        for info in data.teams:
            if not any(info.organisation.same_as(o) for o in organisations):
                organisations.append(info.organisation)
        chosen = team.organisation if team is not None else None
        gp_name = signed.actor.display_name
        if signed.actor.role is not Role.GP:
            values = form.form_input()
            gp_name = next(
                (name for user, name in data.gps if user == values.on_behalf_of), "uw huisarts"
            )
        dialog = ConsentDialog(
            form,
            patient=patient,
            organisations=organisations,
            chosen=chosen,
            gp_name=gp_name,
            practice_name=self.practice_name,
        )
        self.consent_dialog = dialog
        dialog.save_requested.connect(lambda: self._save_consent(dialog))
        dialog.print_requested.connect(lambda: self._print_consent(dialog))
        dialog.copy_requested.connect(lambda text: self._copy_note(dialog, text))
        dialog.finished.connect(lambda _code: self._consent_closed(dialog))
        dialog.show()
        dialog.activateWindow()  # the keyboard goes where the user asked to be
        return dialog

    def _consent_closed(self, dialog: ConsentDialog) -> None:
        if self.consent_dialog is dialog:
            self.consent_dialog = None
        dialog.deleteLater()

    def _copy_note(self, dialog: ConsentDialog, text: str) -> None:
        self.copy(text)
        dialog.show_copied()

    def _print_consent(self, dialog: ConsentDialog) -> None:
        if dialog.terms() is None:
            return
        self.open_print(
            dialog,
            title="Toestemming afdrukken",
            document_for=dialog.document,
            file_name="toestemming.pdf",
        )

    def _save_consent(self, dialog: ConsentDialog) -> None:
        from gpdesk.signals.consent import ConsentRecord, record_consent

        data, signed = self.data, self._signed()
        draft = dialog.draft()
        if data is None or signed is None or draft is None:
            return
        patient_id, db = data.patient_id, self.db
        on_behalf = None
        if self.form is not None and signed.actor.role is not Role.GP:
            on_behalf = self.form.form_input().on_behalf_of
        dialog.set_busy(True)

        def work() -> ConsentRecord:
            with db.session() as session:
                return record_consent(
                    session, signed.vault, signed.actor, patient_id, draft, on_behalf_of=on_behalf
                )

        def done(record: ConsentRecord) -> None:
            dialog.saved(record)
            self._consent_recorded(record.scope)

        def failed(exc: BaseException) -> None:
            dialog.set_busy(False)
            if isinstance(exc, ValidationError):
                dialog.show_problems(exc.problems)
            else:
                dialog.show_status(_text(exc), error=True)

        self.tasks.run(work, done, failed, owner=dialog)

    def _consent_recorded(self, scope: ConsentScope) -> None:
        """A new consent: every team of an organisation it names now has it."""
        data = self.data
        if data is None:
            return
        consents = dict(data.consents)
        for info in data.teams:
            if scope.covers_organisation(info.organisation):
                consents[info.view.id] = scope
        self.data = replace(data, consents=consents)
        self._show_consent()
        if self.form is not None:
            self.form.clear_problem("toestemming")
