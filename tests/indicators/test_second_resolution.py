"""The second resolution (tests/second_resolution.py) judged by the engine.

Every figure below is computed by hand from the data, in the comments; none is
copied from the engine's output. Term 2025–2030: mid-term is 2,5 years in
(2026 and 2027 finished, 2028 half elapsed); the end is 2030.
"""

from decimal import Decimal

import pytest

from indicators.engine import Status, as_of_mid_term, as_of_year, term_progress
from reports.templatetags.progress import completion
from tests.second_resolution import second_resolution_load

pytestmark = pytest.mark.django_db

# code: (actual, plan for the term, expected, completion phrase, status)
MID_TERM = {
    # 4+5+3 (A1) + 6+4+2 (A2) + 7+5+6 (B) = 42; 75 × 2,5 ÷ 5 = 37,5; 42 ÷ 37,5 = 112%.
    "H1": (42, 75, Decimal("37.5"), "đạt 112% (vượt 12%)", Status.EXCEEDED),
    # 250 + 190 + 220 = 660; 200 + 200 + 200 × 0,5 = 500; plan 200 × 5 = 1.000.
    # Finished years: 2026 125%, 2027 190 ÷ 200 = 95% (the weakest); 2028 runs.
    "H2": (660, 1000, 500, "năm 2027 đạt 95%", Status.NOT_YET_MET),
    # Latest of each: A 45/50 (2028), B 17/20 (2027): 62/70 = 88,57% ≥ 85%.
    "H3": (Decimal(62) * 100 / 70, 85, 85, "88,6% / yêu cầu ≥ 85%", Status.EXCEEDED),
    # A said yes in 2026, B no: 1 unit; 2 × 2,5 ÷ 5 = 1 expected.
    "H4": (1, 2, 1, "đạt 100%", Status.MET),
    # At most 10: 2 + 1 + 1 = 4; 10 ÷ 4 = 250%.
    "H5": (4, 10, 10, "đạt 250% (vượt 150%)", Status.EXCEEDED),
    # 2 + 3 (A) + 1 (B) = 6; 12 × 2,5 ÷ 5 = 6.
    "H6": (6, 12, 6, "đạt 100%", Status.MET),
}

END_OF_TERM = {
    # 42 + 5 + 5 + 6 (2029) + 4 + 6 + 4 (2030) = 72; 72 ÷ 75 = 96%.
    "H1": (72, 75, 75, "đạt 96%", Status.NOT_MET),
    # 660 + 230 + 210 = 1.100 over 1.000, but 2027 fell short: the weakest year tells.
    "H2": (1100, 1000, 1000, "năm 2027 đạt 95%", Status.NOT_MET),
    # A 40/50 (2030), B 16/20 (2029): 56/70 = 80% < 85%.
    "H3": (80, 85, 85, "80% / yêu cầu ≥ 85%", Status.NOT_MET),
    # A yes (2026), B yes (2030): 2 of 2 expected.
    "H4": (2, 2, 2, "đạt 100%", Status.MET),
    # 4 + 3 + 4 = 11 > 10: 10 ÷ 11 = 90,9%.
    "H5": (11, 10, 10, "đạt 91%", Status.NOT_MET),
    # 6 + 2 (B 2029) + 2 (A 2030) = 10; 10 ÷ 12 = 83,3%.
    "H6": (10, 12, 12, "đạt 83%", Status.NOT_MET),
}


def table(term, as_of, scope=None):
    progress = term_progress(term=term, as_of=as_of, scope=scope)
    return progress, {
        row.target.code: (row.actual, row.planned, row.expected, completion(row), row.status)
        for row in progress.targets
    }


def test_the_second_resolution_at_mid_term_matches_the_hand_computed_table():
    """At mid-term: five of six targets met; the every-year target fell short in 2027."""
    term, _units, _targets = second_resolution_load()
    progress, rows = table(term, as_of_mid_term(term))
    assert rows == MID_TERM
    assert (progress.headline.met, progress.headline.total) == (5, 6)


def test_the_second_resolution_at_the_end_matches_the_hand_computed_table():
    """At the end of term: only the standard (H4) is met; the others read Không đạt."""
    term, _units, _targets = second_resolution_load()
    progress, rows = table(term, as_of_year(term, 2030))
    assert rows == END_OF_TERM
    assert (progress.headline.met, progress.headline.total) == (1, 6)


def test_a_grassroots_scope_is_judged_on_its_own_quotas():
    """A: 10 admissions a year (plan 50), 8 awards for the term, its cells' entries added."""
    term, units, _targets = second_resolution_load()
    _progress, mid = table(term, as_of_mid_term(term), scope=units["A"])
    # Admissions: 12 (A1) + 12 (A2) = 24 against 10 + 10 + 5 = 25: 96%.
    assert mid["H1"] == (24, 50, 25, "đạt 96%", Status.NOT_YET_MET)
    # Awards: 2 + 3 = 5 against 8 × 2,5 ÷ 5 = 4: 125%.
    assert mid["H6"] == (5, 8, 4, "đạt 125% (vượt 25%)", Status.EXCEEDED)
    _progress, end = table(term, as_of_year(term, 2030), scope=units["A"])
    # 24 + 10 + 10 = 44 against 50: 88%.
    assert end["H1"] == (44, 50, 50, "đạt 88%", Status.NOT_MET)
    _progress, b_end = table(term, as_of_year(term, 2030), scope=units["B"])
    # B: 7 + 5 + 6 + 6 + 4 = 28 against 6 × 5 = 30: 93,3%.
    assert b_end["H1"] == (28, 30, 30, "đạt 93%", Status.NOT_MET)
