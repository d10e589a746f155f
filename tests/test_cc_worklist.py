"""A collector's work for today: tiers, amount at risk, stable order."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from collections_contact_center_engine.worklist import (
    WorkItem,
    amount_at_risk,
    order,
    priority,
    tier,
)
from hypothesis import given
from hypothesis import strategies as st

TODAY = date(2026, 3, 10)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)


def item(case_id=1, amount="1000", score=50, **changes):
    return WorkItem(case_id, Decimal(amount), score, **changes)


# -- amount at risk ------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "score", "expected"),
    [
        ("1000", 80, "800"),  # 1000 * 80 / 100
        ("1234.50", 10, "123.45"),  # 1234.50 * 10 / 100
        ("1000", None, "500"),  # no score: neutral 50
        ("1000", 150, "1000"),  # clamped to 100
        ("1000", -5, "0"),  # clamped to 0
        ("-300", 90, "0"),  # a credit balance risks nothing
        ("0", 90, "0"),
        ("1000", 33.3, "333"),  # a float score, read as written
    ],
)
def test_amount_at_risk(amount, score, expected):
    assert amount_at_risk(item(amount=amount, score=score)) == Decimal(expected)


# -- tiers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "due"),
        ({"sla_deadline": YESTERDAY}, "sla_breached"),
        ({"sla_deadline": TODAY}, "sla_today"),
        ({"sla_deadline": TOMORROW}, "due"),
        ({"promise_due": TODAY}, "promise"),
        ({"promise_due": YESTERDAY}, "promise"),
        # settled as broken by now: an ordinary case again
        ({"promise_due": TODAY - timedelta(days=2)}, "due"),
        ({"promise_due": TOMORROW}, "waiting"),
        ({"next_action_date": TOMORROW}, "waiting"),
        ({"next_action_date": YESTERDAY}, "due"),
        ({"next_action_date": TODAY}, "due"),
        ({"priority": 1}, "due"),
        ({"priority": 2}, "high"),
        ({"priority": 3}, "high"),
    ],
)
def test_tier(changes, expected):
    assert tier(item(**changes), TODAY) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # a breached SLA beats a promise to check and a planned callback
        ({"sla_deadline": YESTERDAY, "promise_due": TODAY}, "sla_breached"),
        ({"sla_deadline": YESTERDAY, "next_action_date": TOMORROW}, "sla_breached"),
        # a promise to check beats an SLA due later today
        ({"sla_deadline": TODAY, "promise_due": YESTERDAY}, "promise"),
        # a promise that fell due beats the callback planned for later
        ({"promise_due": TODAY, "next_action_date": TOMORROW}, "promise"),
        # an SLA due today is worked even if the customer promised for Friday
        ({"sla_deadline": TODAY, "promise_due": TOMORROW}, "sla_today"),
        # the collector's plan beats the manual stars
        ({"priority": 3, "next_action_date": TOMORROW}, "waiting"),
    ],
)
def test_tier_precedence(changes, expected):
    assert tier(item(**changes), TODAY) == expected


def test_sla_datetime_breached_earlier_today_needs_the_time():
    deadline = datetime(2026, 3, 10, 9, 0)
    now = datetime(2026, 3, 10, 15, 30)
    assert tier(item(sla_deadline=deadline), now) == "sla_breached"
    assert tier(item(sla_deadline=deadline), datetime(2026, 3, 10, 8, 0)) == (
        "sla_today"
    )
    # with only the date, the deadline is today's, not yet breached
    assert tier(item(sla_deadline=deadline), TODAY) == "sla_today"
    assert tier(item(sla_deadline=datetime(2026, 3, 9, 23, 0)), TODAY) == (
        "sla_breached"
    )


def test_date_sla_lasts_the_whole_day_even_with_a_time_given():
    assert tier(item(sla_deadline=TODAY), datetime(2026, 3, 10, 23, 59)) == (
        "sla_today"
    )


# -- order ---------------------------------------------------------------------


def test_a_morning_worklist():
    cases = [
        item(1, "20000", 90),  # due, at risk 18000
        item(2, "300", 30, sla_deadline=YESTERDAY),  # breached SLA: first
        item(3, "900", 20, promise_due=YESTERDAY),  # promise to check
        item(4, "50000", 95, next_action_date=TOMORROW),  # callback tomorrow
        item(5, "100", 10, priority=3),  # starred by the supervisor
        item(6, "5000", 40, sla_deadline=TODAY),  # SLA due today
        item(7, "8000", 50),  # due, at risk 4000
        item(8, "4000", 100),  # due, at risk 4000: tie with 7, lower id first
        item(9, "100", 10, priority=1),  # due, one star beats any amount
    ]
    assert [c.id for c in order(cases, TODAY)] == [2, 3, 6, 5, 9, 1, 7, 8, 4]


def test_within_a_tier_manual_priority_then_amount_at_risk():
    small_starred = item(1, "100", 50, sla_deadline=YESTERDAY, priority=1)
    big = item(2, "90000", 90, sla_deadline=YESTERDAY)
    assert order([big, small_starred], TODAY)[0] is small_starred
    bigger_at_risk = item(3, "1000", 90, priority=1, sla_deadline=YESTERDAY)
    assert order([small_starred, bigger_at_risk], TODAY)[0] is bigger_at_risk


def test_risk_outweighs_a_bigger_but_safer_debt():
    safe = item(1, "10000", 5)  # 500 at risk
    risky = item(2, "1000", 90)  # 900 at risk
    assert order([safe, risky], TODAY)[0] is risky


def test_priority_is_a_sortable_key():
    assert priority(item(1, sla_deadline=YESTERDAY), TODAY) < priority(
        item(2, "999999", 100), TODAY
    )


cases = st.lists(
    st.builds(
        WorkItem,
        id=st.integers(1, 10_000),
        amount_overdue=st.decimals(-100, 100_000, places=2),
        score=st.none() | st.integers(0, 100),
        sla_deadline=st.none() | st.dates(date(2026, 3, 5), date(2026, 3, 15)),
        promise_due=st.none() | st.dates(date(2026, 3, 5), date(2026, 3, 15)),
        next_action_date=st.none() | st.dates(date(2026, 3, 5), date(2026, 3, 15)),
        priority=st.integers(0, 3),
    ),
    unique_by=lambda c: c.id,
    max_size=30,
)


@given(cases, st.randoms(use_true_random=False))
def test_order_does_not_depend_on_input_order(cases, random):
    shuffled = list(cases)
    random.shuffle(shuffled)
    assert [c.id for c in order(shuffled, TODAY)] == [c.id for c in order(cases, TODAY)]


@given(cases)
def test_first_case_is_the_most_urgent(cases):
    ranked = order(cases, TODAY)
    if not ranked:
        return
    first = ranked[0]
    ranks = ["sla_breached", "promise", "sla_today", "high", "due", "waiting"]
    first_rank = ranks.index(tier(first, TODAY))
    for other in ranked[1:]:
        other_rank = ranks.index(tier(other, TODAY))
        assert first_rank <= other_rank
        if first_rank == other_rank:
            # same tier: nobody after it has more stars, or as many stars
            # and more money at risk
            assert (first.priority, amount_at_risk(first)) >= (
                other.priority,
                amount_at_risk(other),
            )
    # nothing breached an SLA while the first case did not
    if tier(first, TODAY) != "sla_breached":
        assert all(c.sla_deadline is None or c.sla_deadline >= TODAY for c in cases)
