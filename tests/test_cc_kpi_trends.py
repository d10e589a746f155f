"""The dashboard's trends: the last 12 months and this month against the last."""

from datetime import date
from decimal import Decimal

import pytest
from collections_contact_center_engine.kpis import last_months, month_change


def test_last_months_cross_the_year_and_end_with_this_month():
    months = last_months(date(2026, 11, 30), 12)
    assert len(months) == 12
    assert months[0] == date(2025, 12, 1)
    assert months[-1] == date(2026, 11, 1)
    assert all(m.day == 1 for m in months)
    assert months == sorted(set(months))


def test_last_months_in_january():
    assert last_months(date(2027, 1, 5), 2) == [date(2026, 12, 1), date(2027, 1, 1)]


@pytest.mark.parametrize(
    "current, previous, higher_is_better, expected",
    [
        # recovery rate 38% -> 45%: up 7 points, better
        (45, 38, True, (Decimal(7), "up", "better")),
        # DSO 41 -> 47 days: up 6 days, worse
        (47, 41, False, (Decimal(6), "up", "worse")),
        # DSO 47 -> 41 days: down, better
        (41, 47, False, (Decimal(-6), "down", "better")),
        # amount collected 1200.50 -> 900: down, worse
        (900, 1200.5, True, (Decimal("-300.5"), "down", "worse")),
        # within a twentieth: the same
        (50.04, 50, True, (Decimal("0.04"), "flat", "same")),
        # no figure last month: nothing to compare
        (12, None, True, (None, None, None)),
        (None, 12, True, (None, None, None)),
    ],
)
def test_month_change(current, previous, higher_is_better, expected):
    assert month_change(current, previous, higher_is_better) == expected
