"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from gpdesk.models.base import Base, utcnow
from gpdesk.models.patient import Patient
from gpdesk.models.practice import Practice
from gpdesk.models.user import Role, User

__all__ = ["Base", "Patient", "Practice", "Role", "User", "utcnow"]
