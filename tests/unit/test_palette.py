"""Every colour pair gpdesk shows reaches WCAG 2.1 AA contrast, in the light and the dark scheme.

Pure arithmetic on ``gpdesk.ui.palette`` (no Qt): relative luminance and contrast ratio as WCAG
2.1 defines them, checked against the reference values WCAG's own examples give.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpdesk.ui.palette import COLOURS, LARGE, PAIRS, ROLES, TEXT, Scheme, contrast, ratios

STYLE = Path(__file__).resolve().parents[2] / "resources" / "style.qss"


def test_contrast_follows_wcag_2_1() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just fails AA
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # just passes
    assert contrast("#ffffff", "#000000") == contrast("#000000", "#ffffff")
    with pytest.raises(ValueError):
        contrast("#fff", "#000000")


def test_the_pairs_the_issue_found_failing_were_failing() -> None:
    """The measurements of issue #16, reproduced: the check would have caught them."""
    assert contrast("#ffffff", "#308cc6") == pytest.approx(3.69, abs=0.01)  # Fusion's selection
    assert contrast("#aeb9bf", "#ffffff") == pytest.approx(2.0, abs=0.02)  # the chip's border
    assert contrast("#6b747a", "#f7f7f7") < TEXT  # a muted row on an alternate row


@pytest.mark.parametrize("scheme", list(Scheme))
def test_every_pair_reaches_its_threshold(scheme: Scheme) -> None:
    below = [
        f"{pair.what}: {ratio:.2f} < {pair.minimum}"
        for pair, ratio in ratios(scheme)
        if ratio < pair.minimum
    ]
    assert not below, below


@pytest.mark.parametrize("scheme", list(Scheme))
def test_both_schemes_define_every_role(scheme: Scheme) -> None:
    assert set(COLOURS[scheme]) == set(ROLES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", value) for value in COLOURS[scheme].values())


def test_the_pairs_cover_what_the_issue_names() -> None:
    pairs = {(p.foreground, p.background): p.minimum for p in PAIRS}
    assert pairs[("highlighted_text", "highlight")] == TEXT  # the selected row
    assert pairs[("placeholder", "base")] == TEXT
    assert pairs[("muted", "alternate")] == TEXT  # tijdelijk gesloten on an alternate row
    assert pairs[("chip_border", "chip")] == LARGE
    assert pairs[("focus", "chip")] == LARGE
    assert pairs[("disabled", "window")] == TEXT
    assert pairs[("link", "base")] == TEXT
    for role in ("error", "warning", "success"):
        assert any(fg == role for fg, _ in pairs)
    assert ("banner_patient_text", "banner_patient") in pairs


def test_the_style_sheet_names_roles_not_colours() -> None:
    """A hex colour in the sheet would escape the contrast check and the dark scheme."""
    sheet = STYLE.read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    hexes = [
        name
        for name in re.findall(r"#(\w+)", code)
        if re.fullmatch(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}", name)
    ]
    assert not hexes, hexes
    unknown = set(re.findall(r"@([a-z_]+)", code)) - set(ROLES) - {"pt", "px", "round", "icon"}
    assert not unknown, unknown
