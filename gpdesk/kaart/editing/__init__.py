"""Editing the sociale kaart in Beheer: every change checked, logged and audited in one go.

Every function takes the caller's session (one unit of work: ``with db.session() as s``) and the
signed-in user, refuses without ``Permission.KAART_EDIT``, checks its input with Dutch messages
per field (``ValidationError.problems``; keys in ``checks``), and writes the change, a
``KaartChange`` row per changed field and one ``kaart.change`` audit entry together. Results are
ids and frozen ``EditResult``s, never ORM objects.

``save_service`` saves a whole service dialog (general fields, themes, where, when, area, the
practice's fixed contacts and feedback agreement) as one edit. Contacts are saved one by one
(``create_contact``, ``update_contact``; ``mark_departed`` for a contact who leaves: kept,
struck through, reported wherever they stood in; ``delete_contact`` takes one off for good).
``assure`` records that someone checked an entry. A service or organisation that is renamed
keeps its old name among its former names, so the old name still finds it.

Callers write ``from gpdesk.kaart import editing`` and ``editing.save_service(...)``: the names
below are the whole public surface. The work is split by what is edited: ``services``
(organisations, services, themes, the whole dialog), ``people`` (contacts, deputies, fixed
contacts, feedback agreements) and ``where`` (address, phone, werkgebied, hours); ``edit_log``
is the one unit of permission, change log and audit entry they share, ``checks`` the pure field
checks the dialogs show, ``forms`` what the editor reads to fill them.
"""

from __future__ import annotations

from gpdesk.kaart.editing.checks import (
    ScheduleRuleInput,
)
from gpdesk.kaart.editing.edit_log import (
    AUDIT_EVENT,
    PRIVATE_RESOURCE_TYPES,
    EditResult,
)
from gpdesk.kaart.editing.people import (
    ContactInput,
    FeedbackAgreementInput,
    FixedContactInput,
    create_contact,
    delete_contact,
    mark_departed,
    set_feedback_agreement,
    set_fixed_contact,
    set_fixed_contacts,
    update_contact,
)
from gpdesk.kaart.editing.services import (
    OrganizationInput,
    ServiceInput,
    ServiceSave,
    assure,
    create_organization,
    create_service,
    delete_organization,
    delete_service,
    save_service,
    set_service_themes,
    update_organization,
    update_service,
)
from gpdesk.kaart.editing.where import (
    AreaInput,
    LocationInput,
    set_schedules,
    set_service_area,
    set_service_location,
)

__all__ = [
    "AUDIT_EVENT",
    "PRIVATE_RESOURCE_TYPES",
    "AreaInput",
    "ContactInput",
    "EditResult",
    "FeedbackAgreementInput",
    "FixedContactInput",
    "LocationInput",
    "OrganizationInput",
    "ScheduleRuleInput",
    "ServiceInput",
    "ServiceSave",
    "assure",
    "create_contact",
    "create_organization",
    "create_service",
    "delete_contact",
    "delete_organization",
    "delete_service",
    "mark_departed",
    "save_service",
    "set_feedback_agreement",
    "set_fixed_contact",
    "set_fixed_contacts",
    "set_schedules",
    "set_service_area",
    "set_service_location",
    "set_service_themes",
    "update_contact",
    "update_organization",
    "update_service",
]
