"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from gpdesk.models.audit import AuditEntry, AuditHead
from gpdesk.models.base import Base, utcnow
from gpdesk.models.consent import (
    Consent,
    ConsentMethod,
    ConsentOrganisation,
    DataItem,
    GpRole,
    NoConsentDecision,
    NoConsentGround,
    Purpose,
)
from gpdesk.models.kaart import (
    Address,
    Attribute,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAreaPostcode,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceKind,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    Unit,
)
from gpdesk.models.kaart_private import FeedbackAgreement, FixedContact, KaartChange
from gpdesk.models.patient import Patient
from gpdesk.models.permission import RolePermission
from gpdesk.models.practice import Practice
from gpdesk.models.user import SignInThrottle, User
from gpdesk.roles import Role

__all__ = [
    "Address",
    "Attribute",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Consent",
    "ConsentMethod",
    "ConsentOrganisation",
    "Contact",
    "DataItem",
    "FeedbackAgreement",
    "FixedContact",
    "GpRole",
    "KaartChange",
    "Language",
    "Location",
    "NoConsentDecision",
    "NoConsentGround",
    "Organization",
    "Patient",
    "Phone",
    "Practice",
    "Purpose",
    "Role",
    "RolePermission",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAreaPostcode",
    "ServiceAtLocation",
    "ServiceCapacity",
    "ServiceKind",
    "ServiceStatus",
    "SignInThrottle",
    "Taxonomy",
    "TaxonomyTerm",
    "Unit",
    "User",
    "utcnow",
]
