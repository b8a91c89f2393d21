"""One problem ``gpdesk check`` reports, shared by every part of the check."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """Where a problem is (table and record id) and what it is, in Dutch; never the data itself.

    The report is printed, mailed to the supplier and kept in a backup's manifest, so a finding
    names a place, not a value: ``record_id`` is a primary key, or ``rol/recht`` for a
    permission row.
    """

    table: str
    record_id: str
    problem: str

    def line(self) -> str:
        """How the report prints it: ``tabel patient, record 12: …``."""
        where = f"tabel {self.table}" + (f", record {self.record_id}" if self.record_id else "")
        return f"{where}: {self.problem}"
