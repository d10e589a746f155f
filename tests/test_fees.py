"""Late fees and interest: the amount a journey step charges (no Odoo)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from collections_automation_engine.fees import (
    OverdueItem,
    days_charged,
    interest,
    quote,
)
from hypothesis import given
from hypothesis import strategies as st

TODAY = date(2026, 3, 31)


def item(amount, days_overdue, ref=""):
    return OverdueItem(Decimal(amount), TODAY - timedelta(days=days_overdue), ref)


def test_fixed_fee_only_charges_no_interest():
    q = quote([item("800", 40)], TODAY, fixed="15")
    assert q.fixed == Decimal("15.00")
    assert q.interest == Decimal("0.00")
    assert q.lines == ()
    assert q.total == Decimal("15.00")


def test_interest_is_annual_rate_pro_rated_on_actual_days_over_365():
    q = quote([item("1000", 73)], TODAY, annual_rate_pct="10")
    # 1000 x 10% x 73 / 365 = 20
    assert q.interest == Decimal("20.00")
    assert q.lines[0].days == 73
    assert q.base == Decimal("1000.00")


def test_each_item_counts_its_own_days_and_lines_add_up():
    items = [item("1000", 10, "A"), item("333.33", 100, "B"), item("0", 50, "C")]
    q = quote(items, TODAY, fixed="5", annual_rate_pct="18")
    assert [line.ref for line in q.lines] == ["A", "B"], "nothing overdue: no line"
    assert [line.days for line in q.lines] == [10, 100]
    assert q.interest == sum(line.interest for line in q.lines)
    assert q.total == q.fixed + q.interest


def test_interest_already_charged_is_not_charged_again():
    items = [item("1000", 60)]
    first = quote(items, TODAY - timedelta(days=30), annual_rate_pct="12")
    second = quote(
        items, TODAY, annual_rate_pct="12", charged_through=first.charged_through
    )
    once = quote(items, TODAY, annual_rate_pct="12")
    assert first.lines[0].days + second.lines[0].days == once.lines[0].days == 60
    assert abs(first.interest + second.interest - once.interest) <= Decimal("0.01")


def test_item_due_after_the_last_charge_counts_from_its_due_date():
    assert days_charged(date(2026, 3, 20), TODAY, date(2026, 3, 1)) == 11


def test_not_yet_due_bears_nothing():
    assert days_charged(TODAY + timedelta(days=3), TODAY) == 0
    assert quote([item("500", -3)], TODAY, annual_rate_pct="20").total == 0


def test_currency_without_cents_rounds_to_units():
    q = quote(
        [item("100000", 30)], TODAY, fixed="1000.4", annual_rate_pct="36", decimals=0
    )
    assert q.fixed == Decimal("1000")
    assert q.interest == Decimal("2959")  # 100000 x 36% x 30 / 365 = 2958.9


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fixed": "-1"},
        {"annual_rate_pct": "-0.5"},
        {"fixed": "abc"},
        {"annual_rate_pct": float("nan")},
        {"fixed": True},
    ],
)
def test_bad_figures_are_refused_in_words(kwargs):
    with pytest.raises(ValueError, match="The "):
        quote([item("100", 10)], TODAY, **kwargs)


@given(
    amount=st.decimals(min_value=0, max_value=10**7, places=2),
    rate=st.decimals(min_value=0, max_value=100, places=2),
    days=st.integers(min_value=0, max_value=3650),
)
def test_interest_is_never_negative_and_grows_with_days(amount, rate, days):
    now = interest(amount, rate, days)
    assert now >= 0
    assert interest(amount, rate, days + 1) >= now
    assert now <= amount * rate / 100 * days / 365 + Decimal("0.005")
