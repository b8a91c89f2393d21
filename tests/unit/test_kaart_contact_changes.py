"""The service dialog's contact changes before Opslaan: pure logic, no Qt, no database."""

from __future__ import annotations

from datetime import date

import pytest

from gpdesk.errors import ValidationError
from gpdesk.kaart.editing import ContactInput, FixedContactInput
from gpdesk.kaart.editing.forms import ContactRow
from gpdesk.ui.beheer.kaart.contact_changes import ContactChanges


def _row(contact_id: str, name: str, deputy: str | None = None) -> ContactRow:
    return ContactRow(
        id=contact_id,
        name=name,
        title="",
        department="",
        email="",
        phone="",
        deputy_id=deputy,
        deputy_name="",
        stands_in_for=(),
        assured_date=None,
        stale=False,
    )


def _team() -> ContactChanges:
    return ContactChanges.of(
        [_row("f", "Fatma Kaya", deputy="j"), _row("j", "Jeroen Visser"), _row("s", "Sam", "f")]
    )


def test_new_contact_gets_a_temporary_id_and_is_tidied() -> None:
    changes = _team()
    new = changes.put(None, ContactInput(name="  Anna   Bos ", phone="06 1234 5678"))
    assert new == "nieuw-1" and changes.is_new(new)
    anna = next(r for r in changes.rows if r.id == new)
    assert (anna.name, anna.phone) == ("Anna Bos", "06-12345678")
    assert changes.mark(new) == "nieuw" and changes.pending
    assert [r.name for r in changes.rows] == ["Anna Bos", "Fatma Kaya", "Jeroen Visser", "Sam"]


def test_a_bad_contact_is_refused_with_the_cores_message() -> None:
    changes = _team()
    with pytest.raises(ValidationError) as refused:
        changes.put(None, ContactInput(name="Anna", phone="12345"))
    assert "10 cijfers" in refused.value.problems["telefoon"]
    assert not changes.pending


def test_a_change_made_undone_leaves_nothing_to_save() -> None:
    changes = _team()
    changes.put("j", ContactInput(name="Jeroen Visser", title="teamleider"))
    assert changes.mark("j") == "gewijzigd"
    assert next(r for r in changes.rows if r.id == "f").deputy_name == "Jeroen Visser"
    changes.put("j", ContactInput(name="Jeroen Visser"))
    assert not changes.pending and changes.mark("j") == ""


def test_a_leaver_is_mended_out_of_deputies_and_fixed_contacts() -> None:
    changes = _team()
    fixed = [
        FixedContactInput(contact_id="f"),  # general: falls back to Fatma's own deputy
        FixedContactInput(contact_id="j", theme_id="geld", deputy_contact_id="f"),
    ]
    mended, warnings = changes.leave(
        "f", fixed, team="Wijkteam Nieuwland", themes={"geld": "geld"}, today=date(2026, 11, 24)
    )
    assert mended == [
        FixedContactInput(contact_id=None, deputy_contact_id="j"),
        FixedContactInput(contact_id="j", theme_id="geld", deputy_contact_id=None),
    ]
    assert warnings == [
        "Fatma Kaya was de vervanger van Sam (Wijkteam Nieuwland). Kies een nieuwe vervanger.",
        "Fatma Kaya was de vaste contactpersoon van de praktijk bij Wijkteam Nieuwland. "
        "Tot u een nieuwe kiest, is Jeroen Visser het aanspreekpunt.",
        "Fatma Kaya was de vervanger van de vaste contactpersoon bij Wijkteam Nieuwland voor "
        "geld. Kies een nieuwe vervanger.",
    ]
    assert [r.id for r in changes.departed] == ["f"]
    assert changes.updated["s"].deputy_contact_id is None  # Sam lost his deputy
    # Fatma stays, marked: the kaart keeps her name struck through, with her deputy.
    fatma = next(r for r in changes.rows if r.id == "f")
    assert fatma.departed_on == date(2026, 11, 24) and fatma.deputy_name == "Jeroen Visser"
    assert changes.mark("f") == "vertrekt" and changes.pending
    # Leaving twice changes nothing more.
    assert changes.leave("f", mended, team="Wijkteam Nieuwland", themes={}) == (mended, [])


def test_a_deputy_who_left_is_not_a_fallback() -> None:
    changes = ContactChanges.of([_row("f", "Fatma Kaya", deputy="j"), _row("j", "Jeroen Visser")])
    changes.leave("j", [], team="Wijkteam Nieuwland", themes={})
    mended, warnings = changes.leave(
        "f", [FixedContactInput(contact_id="f")], team="Wijkteam Nieuwland", themes={}
    )
    assert mended == [FixedContactInput(contact_id=None)]
    assert warnings[-1].endswith("Er is geen vervanger: kies een nieuwe vaste contactpersoon.")


def test_a_new_contact_who_leaves_again_leaves_no_trace() -> None:
    changes = _team()
    new = changes.put(None, ContactInput(name="Anna Bos"))
    _fixed, warnings = changes.leave(new, [], team="Wijkteam Nieuwland", themes={})
    assert warnings == [] and not changes.pending


def test_nobody_to_fall_back_on_says_so() -> None:
    changes = ContactChanges.of([_row("f", "Fatma Kaya")])
    mended, warnings = changes.leave(
        "f", [FixedContactInput(contact_id="f")], team="Wijkteam Oost", themes={}
    )
    assert mended == [FixedContactInput(contact_id=None)]
    assert warnings[0].endswith("Er is geen vervanger: kies een nieuwe vaste contactpersoon.")
