"""The hash chain on hand-made records: what ``verify_records`` accepts and what it catches."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from gpdesk.security.audit import (
    EVENT_LABELS,
    EXPORT_COLUMNS,
    GENESIS,
    AuditRecord,
    Checks,
    entry_hash,
    export_rows,
    to_csv,
    verify_records,
)

START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def _entry(seq: int, prev_hash: str, **changes: object) -> AuditRecord:
    fields: dict[str, object] = {
        "seq": seq,
        "at": START + timedelta(seconds=seq),
        "event": "patient.open",
        "action": "R",
        "user_id": 2,
        "username": "bakker",
        "role": "gp",
        "on_behalf_of": None,
        "workstation": "spreekkamer-1",
        "patient_ref": "ab" * 32,
        "object_type": "patient",
        "object_id": str(seq),
        "checks": Checks(treatment_relationship=True).to_json(),
        "detail": None,
        "prev_hash": prev_hash,
        "hash": "",
    }
    fields.update(changes)
    record = AuditRecord(**fields)  # type: ignore[arg-type]
    return replace(record, hash=entry_hash(record.hash_fields()))


def chain(length: int) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    prev = GENESIS
    for seq in range(1, length + 1):
        records.append(_entry(seq, prev))
        prev = records[-1].hash
    return records


def head_of(records: list[AuditRecord]) -> tuple[int, str]:
    return (records[-1].seq, records[-1].hash) if records else (0, GENESIS)


def test_intact_chain_verifies() -> None:
    records = chain(10)
    result = verify_records(records, head_of(records))
    assert result.ok
    assert result.checked == 10
    assert result.broken_seq is None


def test_empty_chain_with_fresh_head_verifies() -> None:
    assert verify_records([], (0, GENESIS)).ok
    assert verify_records([], None).ok


def test_first_entry_must_start_at_genesis() -> None:
    first = _entry(1, "f" * 64)
    result = verify_records([first], (1, first.hash))
    assert not result.ok
    assert result.broken_seq == 1
    assert result.reason == "de keten is onderbroken"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event", "login"),
        ("action", "U"),
        ("username", "smit"),
        ("role", "practice_manager"),
        ("workstation", "elders"),
        ("patient_ref", "cd" * 32),
        ("object_id", "999"),
        ("checks", Checks(emergency=True).to_json()),
        ("detail", "iets anders"),
        ("on_behalf_of", "bakker"),
        ("user_id", 3),
        ("at", START + timedelta(days=1)),
    ],
)
def test_a_changed_field_is_caught_at_its_entry(field: str, value: object) -> None:
    records = chain(6)
    records[3] = replace(records[3], **{field: value})  # type: ignore[arg-type]
    result = verify_records(records, head_of(records))
    assert not result.ok
    assert result.broken_seq == 4
    assert result.reason == "de inhoud is gewijzigd"


def test_a_rehashed_change_breaks_the_link_to_the_next_entry() -> None:
    records = chain(6)
    forged = _entry(3, records[1].hash, detail="verzonnen")
    records[2] = forged
    result = verify_records(records, head_of(records))
    assert not result.ok
    assert result.broken_seq == 4
    assert result.reason == "de keten is onderbroken"


def test_a_deleted_middle_entry_is_named() -> None:
    records = chain(6)
    del records[2]
    result = verify_records(records, (6, chain_tip(records)))
    assert not result.ok
    assert result.broken_seq == 3
    assert result.reason == "een regel ontbreekt of is ingevoegd"


def chain_tip(records: list[AuditRecord]) -> str:
    return records[-1].hash


def test_an_inserted_entry_is_caught() -> None:
    records = chain(6)
    # A well-formed extra entry after entry 6, but the head still says 6.
    extra = _entry(7, records[-1].hash, event="login")
    result = verify_records([*records, extra], head_of(records))
    assert not result.ok
    assert result.broken_seq == 7
    assert result.reason == "er is een regel toegevoegd"
    # An entry slipped in between, chained to its predecessor: its successor no longer fits.
    stray = _entry(4, records[2].hash, event="login")
    result = verify_records([*records[:3], stray, *records[3:]], head_of(records))
    assert not result.ok
    assert result.broken_seq == 4


def test_a_duplicated_entry_is_caught() -> None:
    records = chain(5)
    result = verify_records([*records[:3], records[2], *records[3:]], head_of(records))
    assert not result.ok
    assert result.broken_seq == 3


def test_removed_last_entries_are_caught_by_the_head() -> None:
    records = chain(8)
    head = head_of(records)
    result = verify_records(records[:6], head)
    assert not result.ok
    assert result.broken_seq == 7
    assert result.reason == "de laatste regels ontbreken of zijn gewijzigd"
    # Everything gone while the head remembers eight entries.
    assert not verify_records([], head).ok


def test_head_with_wrong_hash_is_caught() -> None:
    records = chain(3)
    result = verify_records(records, (3, "0" * 63 + "1"))
    assert not result.ok
    assert result.broken_seq == 3
    assert result.reason == "de laatste regel is gewijzigd"


def test_a_replaced_last_entry_is_caught_by_the_head() -> None:
    records = chain(4)
    head = head_of(records)
    records[3] = _entry(4, records[2].hash, detail="verzonnen")
    result = verify_records(records, head)
    assert not result.ok
    assert result.broken_seq == 4


def test_reordered_entries_are_caught() -> None:
    records = chain(5)
    records[1], records[2] = records[2], records[1]
    result = verify_records(records, head_of(records))
    assert not result.ok
    assert result.broken_seq == 2


def test_hash_covers_every_field_but_itself() -> None:
    record = chain(1)[0]
    fields = record.hash_fields()
    assert "hash" not in fields
    # ``state`` only when set: entries from before it existed hash as they always did.
    assert set(fields) == set(AuditRecord.__dataclass_fields__) - {"hash", "state"}
    with_state = replace(record, state='{"patient":{"1":"ab"}}').hash_fields()
    assert set(with_state) == set(AuditRecord.__dataclass_fields__) - {"hash"}
    assert entry_hash(with_state) != entry_hash(fields)
    assert fields["at"] == "2026-03-02T08:30:01.000000+00:00"
    assert len(record.hash) == 64
    int(record.hash, 16)


def test_hash_is_canonical() -> None:
    fields = chain(1)[0].hash_fields()
    reordered = dict(reversed(list(fields.items())))
    assert entry_hash(fields) == entry_hash(reordered)


def test_checks_json_is_stable_and_complete() -> None:
    text = Checks(treatment_relationship=True, consent=False).to_json()
    assert json.loads(text) == {
        "authorisation": True,
        "consent": False,
        "emergency": False,
        "treatment_relationship": True,
    }
    assert text == Checks(treatment_relationship=True, consent=False).to_json()


def test_export_rows_as_csv() -> None:
    records = chain(3)
    text = "".join(to_csv(export_rows(records)))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["seq"]) for r in rows] == [1, 2, 3]
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert rows[0]["at"] == "2026-03-02T08:30:01+00:00"
    assert rows[2]["hash"] == records[2].hash


def test_every_event_has_a_dutch_label() -> None:
    record = chain(1)[0]
    assert record.event_label == EVENT_LABELS["patient.open"] == "patiënt geopend"
    assert replace(record, event="onbekend").event_label == "onbekend"
