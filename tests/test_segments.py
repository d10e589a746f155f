"""Payment score, priority and segment matching, without Odoo."""

from dataclasses import replace

import pytest
from collections_automation_engine.segments import (
    CustomerFacts,
    PaymentHistory,
    SegmentRule,
    match_segment,
    payment_score,
    prepare,
    priority,
)
from hypothesis import given
from hypothesis import strategies as st

NO_HISTORY = PaymentHistory(0, 0, 0.0, 0, 0, 0, 0)


def history(**changes):
    values = {
        "invoices_paid": 0,
        "paid_on_time": 0,
        "avg_days_late": 0.0,
        "promises_kept": 0,
        "promises_broken": 0,
        "messages_sent": 0,
        "replies": 0,
    }
    values.update(changes)
    return PaymentHistory(**values)


def facts(**changes):
    values = {
        "bucket_code": "early",
        "company_type": "company",
        "amount_overdue": 1000.0,
        "country_code": "CO",
        "tag_ids": frozenset(),
        "score": 50,
    }
    values.update(changes)
    return CustomerFacts(**values)


# -- payment_score ---------------------------------------------------------


def test_no_data_is_neutral():
    assert payment_score(NO_HISTORY) == 50


def test_perfect_and_worst():
    perfect = history(
        invoices_paid=10, paid_on_time=10, promises_kept=3, messages_sent=5, replies=5
    )
    worst = history(
        invoices_paid=10,
        avg_days_late=200.0,
        promises_broken=3,
        messages_sent=5,
    )
    assert payment_score(perfect) == 100
    assert payment_score(worst) == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # on time 8/10 -> 32; lateness 1 - 30/90 -> 16.67; promises/replies neutral
        # -> 12.5 + 5: 66.17
        ({"invoices_paid": 10, "paid_on_time": 8, "avg_days_late": 30.0}, 66),
        # lateness capped at 90 days: 0 + 0 + 12.5 + 5 = 17.5, half up
        ({"invoices_paid": 4, "avg_days_late": 365.0}, 18),
        # only promises known: 20 + 12.5 + 25 * 1/4 + 5 = 43.75
        ({"promises_kept": 1, "promises_broken": 3}, 44),
        # replies capped at 1: 20 + 12.5 + 12.5 + 10
        ({"messages_sent": 2, "replies": 7}, 55),
    ],
)
def test_score_components(changes, expected):
    assert payment_score(history(**changes)) == expected


def test_score_rounds_half_up():
    # 20 + 12.5 + 12.5 + 10 * 1/4 = 47.5 -> 48, and 52.5 -> 53 where Python's
    # round() would give 52
    assert payment_score(history(messages_sent=4, replies=1)) == 48
    assert payment_score(history(messages_sent=4, replies=3)) == 53


def test_score_half_below_rounds_down():
    # 20 + 12.5 + 12.5 + 10 * 1/3 = 48.33 -> 48
    assert payment_score(history(messages_sent=3, replies=1)) == 48


histories = st.builds(
    lambda paid, on_time, late, kept, broken, sent, replies: PaymentHistory(
        paid, min(on_time, paid), late, kept, broken, sent, replies
    ),
    st.integers(0, 500),
    st.integers(0, 500),
    st.floats(0, 1000, allow_nan=False),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 200),
    st.integers(0, 400),
)


@given(histories)
def test_score_bounds(payment_history):
    score = payment_score(payment_history)
    assert isinstance(score, int)
    assert 0 <= score <= 100


@given(histories)
def test_more_on_time_never_lowers_score(h):
    all_on_time = replace(h, paid_on_time=h.invoices_paid)
    assert payment_score(all_on_time) >= payment_score(h)
    if h.invoices_paid:
        one_more = replace(
            h, invoices_paid=h.invoices_paid + 1, paid_on_time=h.paid_on_time + 1
        )
        assert payment_score(one_more) >= payment_score(h)


@given(histories, st.floats(0, 1000, allow_nan=False))
def test_more_lateness_never_raises_score(h, extra):
    later = replace(h, avg_days_late=h.avg_days_late + extra)
    assert payment_score(later) <= payment_score(h)


@given(histories)
def test_promises_and_replies_are_monotonic(h):
    kept = replace(h, promises_kept=h.promises_kept + 1)
    broken = replace(h, promises_broken=h.promises_broken + 1)
    replied = replace(h, replies=h.replies + 1)
    assert payment_score(kept) >= payment_score(h) >= payment_score(broken)
    assert payment_score(replied) >= payment_score(h)


# -- priority --------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "score", "expected"),
    [
        (1000.0, 0, 1000.0),
        (1000.0, 100, 0.0),
        (1000.0, 75, 250.0),
        (0.0, 10, 0.0),
        (-50.0, 10, 0.0),
    ],
)
def test_priority(amount, score, expected):
    assert priority(amount, score) == pytest.approx(expected)


@given(st.floats(-1e9, 1e9, allow_nan=False), st.integers(-50, 150))
def test_priority_never_negative_nor_above_amount(amount, score):
    assert 0 <= priority(amount, score) <= max(amount, 0)


@given(st.floats(0, 1e9, allow_nan=False), st.integers(0, 99))
def test_better_score_lowers_priority(amount, score):
    assert priority(amount, score + 1) <= priority(amount, score)


# -- segments --------------------------------------------------------------


def test_first_rule_by_sequence_then_code_wins():
    rules = prepare(
        [
            SegmentRule("zeta", "Zeta", 10),
            SegmentRule("late", "Late", 20),
            SegmentRule("alpha", "Alpha", 10),
        ]
    )
    assert [rule.code for rule in rules] == ["alpha", "zeta", "late"]
    assert match_segment(facts(), rules).code == "alpha"


def test_unprepared_rules_are_sorted_too():
    rules = [SegmentRule("b", "B", 5), SegmentRule("a", "A", 5)]
    assert match_segment(facts(), rules).code == "a"


def test_no_rule_matches():
    rules = prepare([SegmentRule("big", "Big", 10, min_amount=5000.0)])
    assert match_segment(facts(amount_overdue=100.0), rules) is None
    assert match_segment(facts(), prepare([])) is None


@pytest.mark.parametrize(
    ("criteria", "matching", "failing"),
    [
        (
            {"bucket_codes": frozenset({"mid", "late"})},
            {"bucket_code": "mid"},
            {"bucket_code": "early"},
        ),
        (
            {"bucket_codes": frozenset({"mid"})},
            {"bucket_code": "mid"},
            {"bucket_code": None},
        ),
        (
            {"company_type": "person"},
            {"company_type": "person"},
            {"company_type": "company"},
        ),
        # min_amount is inclusive
        ({"min_amount": 500.0}, {"amount_overdue": 500.0}, {"amount_overdue": 499.99}),
        # max_amount is exclusive
        ({"max_amount": 500.0}, {"amount_overdue": 499.99}, {"amount_overdue": 500.0}),
        (
            {"country_codes": frozenset({"CO", "MX"})},
            {"country_code": "MX"},
            {"country_code": "PE"},
        ),
        (
            {"country_codes": frozenset({"CO"})},
            {"country_code": "CO"},
            {"country_code": None},
        ),
        # any one of the tags is enough
        (
            {"tag_ids": frozenset({1, 2})},
            {"tag_ids": frozenset({2, 9})},
            {"tag_ids": frozenset({3})},
        ),
        (
            {"tag_ids": frozenset({1})},
            {"tag_ids": frozenset({1})},
            {"tag_ids": frozenset()},
        ),
        # score bounds are inclusive
        ({"min_score": 60}, {"score": 60}, {"score": 59}),
        ({"max_score": 40}, {"score": 40}, {"score": 41}),
    ],
)
def test_each_criterion(criteria, matching, failing):
    rules = prepare([SegmentRule("seg", "Segment", 10, **criteria)])
    assert match_segment(facts(**matching), rules) is rules[0]
    assert match_segment(facts(**failing), rules) is None


def test_all_criteria_must_hold():
    rule = SegmentRule(
        "co_big_risky",
        "Risky Colombian companies",
        10,
        company_type="company",
        min_amount=1000.0,
        country_codes=frozenset({"CO"}),
        max_score=40,
    )
    rules = prepare([rule, SegmentRule("rest", "Rest", 99)])
    assert match_segment(facts(score=30), rules) is rule
    assert match_segment(facts(score=30, country_code="MX"), rules).code == "rest"
    assert match_segment(facts(score=41), rules).code == "rest"
    assert match_segment(facts(score=30, amount_overdue=999.0), rules).code == "rest"


def test_none_criteria_match_anything():
    rule = SegmentRule("any", "Any", 1)
    odd = CustomerFacts(None, None, -5.0, None, frozenset(), 0)
    assert match_segment(odd, prepare([rule])) is rule
