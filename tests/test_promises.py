"""Promises to pay: settling them against payments, reminders, broken anchor."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from collections_automation_engine.promises import (
    PromiseFacts,
    needs_reminder,
    settle,
)
from hypothesis import given
from hypothesis import strategies as st

PROMISED = date(2026, 3, 10)
DAY_BEFORE = PROMISED - timedelta(days=1)
DAY_AFTER = PROMISED + timedelta(days=1)


def promise(paid=0.0, state="open", amount=500.0):
    return PromiseFacts(
        promise_id=1,
        amount=amount,
        promise_date=PROMISED,
        paid_since_promise=paid,
        state=state,
    )


# -- settle ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid", "today", "expected"),
    [
        # kept as soon as paid, even long before the date
        (500.0, date(2026, 2, 1), "kept"),
        (650.0, DAY_AFTER, "kept"),
        # within the default tolerance of 0.01
        (499.99, PROMISED, "kept"),
        (499.98, PROMISED, "open"),
        # open up to and including the promised date
        (0.0, DAY_BEFORE, "open"),
        (0.0, PROMISED, "open"),
        (200.0, PROMISED, "open"),
        # the day after: partially kept or broken
        (200.0, DAY_AFTER, "partially_kept"),
        (0.0, DAY_AFTER, "broken"),
        # a payment within the tolerance is no payment
        (0.01, DAY_AFTER, "broken"),
        (0.02, DAY_AFTER, "partially_kept"),
        # a late full payment still keeps a promise not settled yet
        (500.0, date(2026, 4, 1), "kept"),
    ],
)
def test_settle(paid, today, expected):
    assert settle(promise(paid), today) == expected


def test_custom_tolerance():
    assert settle(promise(495.0), PROMISED, tolerance=5.0) == "kept"
    assert settle(promise(494.0), PROMISED, tolerance=5.0) == "open"
    assert settle(promise(4.0), DAY_AFTER, tolerance=5.0) == "broken"
    assert settle(promise(6.0), DAY_AFTER, tolerance=5.0) == "partially_kept"


def test_grace_days_delay_breaking():
    assert settle(promise(), PROMISED + timedelta(days=3), grace_days=3) == "open"
    assert settle(promise(), PROMISED + timedelta(days=4), grace_days=3) == "broken"


@pytest.mark.parametrize("state", ["kept", "partially_kept", "broken", "cancelled"])
@pytest.mark.parametrize("paid", [0.0, 200.0, 500.0])
@pytest.mark.parametrize("today", [DAY_BEFORE, PROMISED, DAY_AFTER])
def test_final_states_never_change(state, paid, today):
    assert settle(promise(paid, state), today) == state


def test_unknown_state_is_an_error():
    with pytest.raises(ValueError, match="state"):
        settle(promise(state="pending"), PROMISED)


@given(
    st.floats(0.01, 1e6),
    st.floats(0, 2e6),
    st.dates(date(2026, 1, 1), date(2026, 6, 30)),
    st.integers(0, 10),
)
def test_settle_is_stable_once_settled(amount, paid, today, grace_days):
    """Settling again, later, never changes a settled state."""
    facts = PromiseFacts(1, amount, PROMISED, paid, "open")
    first = settle(facts, today, grace_days=grace_days)
    settled = replace(facts, state=first)
    later = today + timedelta(days=30)
    if first != "open":
        assert settle(settled, later, grace_days=grace_days) == first
    else:
        assert today <= PROMISED + timedelta(days=grace_days)


# -- reminders -------------------------------------------------------------


def test_reminder_the_day_before_only():
    assert needs_reminder(promise(), DAY_BEFORE)
    assert not needs_reminder(promise(), DAY_BEFORE - timedelta(days=1))
    assert not needs_reminder(promise(), PROMISED)
    assert not needs_reminder(promise(), DAY_AFTER)


def test_no_reminder_unless_open():
    for state in ("kept", "partially_kept", "broken", "cancelled"):
        assert not needs_reminder(promise(state=state), DAY_BEFORE)


def test_no_reminder_once_paid_in_full():
    assert not needs_reminder(promise(500.0), DAY_BEFORE)
    assert needs_reminder(promise(200.0), DAY_BEFORE)


# -- the first broken day ---------------------------------------------------


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(0, 30))
def test_promise_breaks_the_day_after_its_grace(promise_date, grace_days):
    first_broken_day = promise_date + timedelta(days=grace_days + 1)
    facts = PromiseFacts(1, 100.0, promise_date, 0.0, "open")
    before = first_broken_day - timedelta(days=1)
    assert settle(facts, before, grace_days=grace_days) == "open"
    assert settle(facts, first_broken_day, grace_days=grace_days) == "broken"
