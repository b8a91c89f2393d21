"""The import plan as the preview shows it: summary line, counts, JSON."""

from __future__ import annotations

import json

from gpdesk.kaart.exchange.importing import (
    ChangedItem,
    FieldChange,
    ImportPlan,
    PlanItem,
    Problem,
    RowOp,
)


def _plan(**fields: object) -> ImportPlan:
    base: dict[str, object] = {
        "path": "/tmp/kaart.csv",
        "kind": "sjabloon",
        "source_name": "sjabloon",
        "complete": False,
        "added": (),
        "changed": (),
        "removed": (),
        "problems": (),
        "unchanged": 0,
        "rows_read": 0,
        "rows_skipped": 0,
    }
    base.update(fields)
    return ImportPlan(**base)  # type: ignore[arg-type]


def test_the_summary_says_what_happens_in_plain_dutch() -> None:
    plan = _plan(
        added=(PlanItem("service", "s1", "Buurtkamer", "Stichting Buurtwerk"),),
        changed=(
            ChangedItem(
                "phone", "p1", "010-1", "Fatma Kaya", (FieldChange("number", "010-0", "010-1"),)
            ),
        ),
        problems=(
            Problem("kaart.csv", 3, "naam", "De naam ontbreekt; deze rij is overgeslagen."),
            Problem("kaart.csv", 4, "inloop", "Niet begrepen.", skipped=False),
        ),
        unchanged=7,
        rows_read=4,
        rows_skipped=1,
        ops=(RowOp("create", "service", "s1", {}),),
    )
    assert plan.detail == "1 nieuw, 1 gewijzigd, 0 verwijderd"
    assert plan.summary_nl == (
        "1 nieuw, 1 gewijzigd, 0 verwijderd, 7 ongewijzigd; 1 probleem en 1 waarschuwing, "
        "1 rij overgeslagen."
    )
    assert plan.has_changes and not plan.unreadable
    assert plan.kind_label == "sjabloon (één rij per voorziening)"
    data = json.loads(json.dumps(plan.as_dict()))
    assert data["counts"]["added"] == 1 and data["counts"]["rows_skipped"] == 1
    assert data["added"][0]["type_label"] == "voorziening"
    assert data["changed"][0]["changes"] == [
        {"field": "number", "old": "010-0", "new": "010-1", "label": "nummer"}
    ]
    assert data["problems"][1] == {
        "file": "kaart.csv",
        "row": 4,
        "field": "inloop",
        "message_nl": "Niet begrepen.",
        "skipped": False,
    }


def test_nothing_to_do_and_nothing_readable_are_told_apart() -> None:
    same = _plan(unchanged=12)
    assert not same.has_changes and not same.unreadable
    assert same.summary_nl.endswith("Er is niets te wijzigen.")
    broken = _plan(problems=(Problem("services.json", None, None, "Geen geldige JSON."),))
    assert broken.unreadable
    assert broken.summary_nl == "Er kon niets worden ingelezen; zie de problemen."


def test_labels_for_fields_and_types() -> None:
    assert FieldChange("deputy_contact_id", None, "Jeroen").label == "vervanger"
    assert FieldChange("onbekend_veld", None, None).label == "onbekend_veld"
    assert PlanItem("service_area", "a", "3118").type_label == "werkgebied"
    assert PlanItem("fixed_contact", "f", "x").type_label == "vaste contactpersoon"
