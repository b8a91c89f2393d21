"""The whole-log check on hand-made records: beginning, head, seal, key and anchor.

The chain itself is covered in ``test_audit_chain.py``; here a log is a practice's log, which must
begin with its set-up and carry a seal that only the practice key can make.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from gpdesk.security.audit import (
    GENESIS,
    NO_ANCHOR,
    NOT_CHECKED_NO_KEY,
    PRACTICE_INIT,
    Anchor,
    AuditRecord,
    HeadState,
    check_trail,
    seal_mac,
)
from tests.unit.test_audit_chain import _entry

KEY = b"k" * 32
OTHER_KEY = os.urandom(32)
SEALED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def practice_log(length: int, *, first_event: str = PRACTICE_INIT) -> list[AuditRecord]:
    """A practice's log: its set-up, then patients opened."""
    records = [_entry(1, GENESIS, event=first_event)]
    for seq in range(2, length + 1):
        records.append(_entry(seq, records[-1].hash))
    return records


def sealed_head(
    records: list[AuditRecord],
    *,
    at: int | None = None,
    key: bytes = KEY,
    pre_seal_entries: int | None = None,
) -> HeadState:
    """The head as gpdesk leaves it: the tip, sealed at entry ``at`` (default: the tip)."""
    tip = records[-1]
    sealed = records[(at or tip.seq) - 1]
    return HeadState(
        seq=tip.seq,
        hash=tip.hash,
        sealed_seq=sealed.seq,
        sealed_hash=sealed.hash,
        sealed_at=SEALED_AT,
        seal=seal_mac(key, sealed.seq, sealed.hash, SEALED_AT, pre_seal_entries),
        pre_seal_entries=pre_seal_entries,
    )


def test_a_sealed_log_passes_every_check() -> None:
    records = practice_log(6)
    anchor = Anchor(4, records[3].hash, noted="genoteerd op 02-03-2026")
    result = check_trail(
        records, sealed_head(records), practice_exists=True, key=KEY, anchor=anchor
    )
    assert result.ok, result
    assert (result.checked, result.tip_seq, result.tip_hash) == (6, 6, records[-1].hash)
    assert result.headline() == "Logboek in orde: 6 regels gecontroleerd."
    assert result.checks_line() == (
        "ketting: in orde; sleutel: in orde (verzegeld t/m regel 6); "
        "anker: in orde (regel 4, genoteerd op 02-03-2026)"
    )
    assert result.tip_line() == f"Anker: 6 regels, laatste hash {records[-1].hash}"


def test_without_key_or_anchor_the_report_says_so() -> None:
    records = practice_log(3)
    result = check_trail(records, sealed_head(records), practice_exists=True)
    assert result.ok
    assert (result.key, result.anchor) == (NOT_CHECKED_NO_KEY, NO_ANCHOR)
    assert "sleutel: niet gecontroleerd (geen aanmelding)" in result.checks_line()


def test_entries_after_the_seal_are_reported_as_not_yet_sealed() -> None:
    records = practice_log(8)
    result = check_trail(records, sealed_head(records, at=5), practice_exists=True, key=KEY)
    assert result.ok
    assert result.key == "in orde (verzegeld t/m regel 5; 3 nieuwere regels nog niet)"


def test_an_empty_database_has_nothing_to_check() -> None:
    assert check_trail([], HeadState(0, GENESIS), practice_exists=False).ok
    assert check_trail([], None, practice_exists=False, key=KEY).ok


def test_a_missing_head_is_refused() -> None:
    records = practice_log(3)
    result = check_trail(records, None, practice_exists=True)
    assert not result.ok
    assert result.broken_seq is None
    assert result.reason == "de kop van het logboek (audit_head) ontbreekt"
    assert result.headline() == (
        "Logboek NIET in orde: de kop van het logboek (audit_head) ontbreekt."
    )
    assert result.chain == "NIET in orde"


def test_an_empty_log_of_a_practice_is_refused() -> None:
    result = check_trail([], HeadState(0, GENESIS), practice_exists=True)
    assert not result.ok
    assert result.reason == "het logboek is leeg, maar de praktijk bestaat al"
    # Also when the head is gone with it.
    assert not check_trail([], None, practice_exists=True).ok


def test_a_log_missing_its_first_entries_is_refused() -> None:
    # The first entries removed and the rest renumbered and re-chained: a well-formed chain.
    records = practice_log(5, first_event="patient.open")
    result = check_trail(records, sealed_head(records), practice_exists=True, key=KEY)
    assert not result.ok
    assert result.broken_seq == 1
    assert "de eerste regels ontbreken" in result.reason


def test_a_missing_seal_is_refused_without_a_key() -> None:
    records = practice_log(4)
    head = HeadState(4, records[-1].hash)
    result = check_trail(records, head, practice_exists=True)
    assert not result.ok
    assert result.reason == "het zegel ontbreekt"


def test_a_seal_that_no_longer_fits_its_entry_is_refused_without_a_key() -> None:
    records = practice_log(6)
    head = sealed_head(records, at=4)
    # The chain re-hashed from entry 3 on, the head moved along, the seal left as it was.
    forged = practice_log(2)
    for seq in range(3, 7):
        forged.append(_entry(seq, forged[-1].hash, detail="verzonnen"))
    head = replace(head, seq=6, hash=forged[-1].hash)
    result = check_trail(forged, head, practice_exists=True)
    assert not result.ok
    assert (result.broken_seq, result.reason) == (4, "het zegel past niet meer bij deze regel")


def test_a_rewritten_log_with_a_moved_seal_is_caught_by_the_key_only() -> None:
    records = practice_log(6)
    forged = practice_log(2)
    for seq in range(3, 7):
        forged.append(_entry(seq, forged[-1].hash, detail="verzonnen"))
    # Whoever rewrote it also moved the seal's hash, but cannot compute the seal itself.
    head = replace(sealed_head(records), hash=forged[-1].hash, sealed_hash=forged[-1].hash)
    without_key = check_trail(forged, head, practice_exists=True)
    assert without_key.ok  # what the key is for
    with_key = check_trail(forged, head, practice_exists=True, key=KEY)
    assert not with_key.ok
    assert with_key.key == "NIET in orde"
    assert "niet met de sleutel van deze praktijk gezet" in with_key.reason


def test_a_seal_made_with_another_key_is_refused() -> None:
    records = practice_log(3)
    result = check_trail(records, sealed_head(records), practice_exists=True, key=OTHER_KEY)
    assert not result.ok
    assert result.key == "NIET in orde"


def test_the_seal_binds_time_and_the_upgrade_mark() -> None:
    records = practice_log(3)
    head = sealed_head(records)
    later = replace(head, sealed_at=SEALED_AT + timedelta(seconds=1))
    assert not check_trail(records, later, practice_exists=True, key=KEY).ok
    # Claiming the entries predate sealing (to be let off the first-entry rule) breaks the seal.
    claimed = replace(head, pre_seal_entries=3)
    assert not check_trail(records, claimed, practice_exists=True, key=KEY).ok


def test_an_upgraded_log_before_its_first_seal() -> None:
    # A database from before seals: entries that do not start with the set-up, no seal yet.
    records = practice_log(4, first_event="login")
    head = HeadState(4, records[-1].hash, pre_seal_entries=4)
    result = check_trail(records, head, practice_exists=True, key=KEY)
    assert result.ok, result
    assert result.key == "nog niet verzegeld (4 regels van voor de verzegeling)"
    # Sealed at the next sign-in (entry 5): the report keeps saying where sealing began.
    records.append(_entry(5, records[-1].hash, event="login"))
    head = sealed_head(records, pre_seal_entries=4)
    result = check_trail(records, head, practice_exists=True, key=KEY)
    assert result.ok, result
    assert result.key == "in orde (verzegeld t/m regel 5; 4 regels van voor de verzegeling)"


def test_a_log_shorter_than_its_anchor_is_refused() -> None:
    records = practice_log(8)
    anchor = Anchor(8, records[-1].hash, noted="back-up van 01-03-2026")
    shorter = records[:5]
    result = check_trail(
        shorter, sealed_head(shorter), practice_exists=True, key=KEY, anchor=anchor
    )
    assert not result.ok
    assert result.anchor == "NIET in orde"
    assert result.reason == (
        "het logboek is korter dan het anker (back-up van 01-03-2026): 5 regels, "
        "het anker noemt regel 8"
    )


def test_a_log_that_differs_from_its_anchor_is_refused() -> None:
    records = practice_log(6)
    forged = [*records[:2]]
    for seq in range(3, 7):
        forged.append(_entry(seq, forged[-1].hash, detail="verzonnen"))
    anchor = Anchor(5, records[4].hash)
    result = check_trail(forged, sealed_head(forged), practice_exists=True, anchor=anchor)
    assert not result.ok
    assert (result.broken_seq, result.reason) == (5, "deze regel wijkt af van het anker")


def test_a_chain_broken_before_the_anchor_leaves_the_anchor_unchecked() -> None:
    records = practice_log(6)
    records[1] = replace(records[1], detail="verzonnen")
    anchor = Anchor(5, records[4].hash)
    result = check_trail(records, sealed_head(records), practice_exists=True, anchor=anchor)
    assert not result.ok
    assert (result.broken_seq, result.reason) == (2, "de inhoud is gewijzigd")
    assert result.anchor == "niet gecontroleerd (de ketting is eerder onderbroken)"
