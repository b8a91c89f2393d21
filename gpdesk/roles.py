"""The four roles in a practice: a leaf module, so screens can check roles without the ORM."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """The four roles in a practice; values are stored, labels are shown."""

    GP = "gp"
    ASSISTANT = "assistant"
    POH_GGZ = "poh_ggz"
    PRACTICE_MANAGER = "practice_manager"

    @property
    def label(self) -> str:
        """The word the practice uses."""
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        """Accept the stored value or the Dutch label, e.g. ``huisarts`` or ``POH-GGZ``."""
        wanted = text.strip().lower().replace("-", "_")
        for role in cls:
            if wanted in (role.value, role.label.lower().replace("-", "_")):
                return role
        raise ValueError(text)


ROLE_LABELS = {
    Role.GP: "huisarts",
    Role.ASSISTANT: "doktersassistent",
    Role.POH_GGZ: "POH-GGZ",
    Role.PRACTICE_MANAGER: "praktijkmanager",
}
