"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from gpdesk.models.audit import AuditEntry, AuditHead
from gpdesk.models.base import Base, utcnow
from gpdesk.models.patient import Patient
from gpdesk.models.permission import RolePermission
from gpdesk.models.practice import Practice
from gpdesk.models.user import User
from gpdesk.roles import Role

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Base",
    "Patient",
    "Practice",
    "Role",
    "RolePermission",
    "User",
    "utcnow",
]
