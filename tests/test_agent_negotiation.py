"""Negotiation policy: every rule on its own, then random requests checked by an oracle.

The oracle below re-states the policy with plain arithmetic, without calling the
code under test, so a bug shared by the builder and ``within_policy`` shows up.
"""

from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from collections_ai_agent_engine.negotiation import (
    ACCEPTED,
    COUNTER,
    IMPOSSIBLE,
    NEEDS_PLAN,
    NO_DISCOUNT,
    PLAN,
    PROMISE,
    Outcome,
    Payment,
    Policy,
    build_plan,
    evaluate_promise,
    next_discount,
    settlement,
    within_policy,
)
from hypothesis import given, settings
from hypothesis import strategies as st

TODAY = date(2026, 3, 2)
D = Decimal


def day(n):
    return TODAY + timedelta(days=n)


POLICY = {
    "max_promise_days": 10,
    "min_promise_pct": 100,
    "max_installments": 4,
    "max_plan_days": 120,
    "min_installment_amount": 100,
    "min_down_payment_pct": 20,
    "max_discount_pct": 10,
}


def policy(**changes):
    return Policy.from_dict({**POLICY, **changes})


def amounts(outcome):
    return [p.amount for p in outcome.payments]


def dates(outcome):
    return [p.date for p in outcome.payments]


# -- the oracle ----------------------------------------------------------------


def oracle(pol, balance, today, kind, payments, discount_pct, decimals=2):  # noqa: C901
    """Violations of ``pol`` by plain arithmetic: cents as integers, dates as ordinals.

    ``payments`` is a list of (date, Decimal amount); ``pol`` the policy dict.
    """
    scale = 10**decimals
    cents = [int(a * scale) for _, a in payments]
    if any(D(c) != a * scale for c, (_, a) in zip(cents, payments, strict=True)):
        return ["not in minor units"]
    owed = int((D(str(balance)) * scale).to_integral_value())
    pct = D(str(discount_pct))
    # the discount rounds down to a whole minor unit
    off = int((D(owed) * pct / 100).to_integral_value(rounding=ROUND_DOWN))
    due = owed - off
    days = [d.toordinal() - today.toordinal() for d, _ in payments]
    bad = []
    if min(cents) <= 0:
        bad.append("non-positive amount")
    if days[0] < 0:
        bad.append("in the past")
    if any(b <= a for a, b in zip(days, days[1:], strict=False)):
        bad.append("dates not increasing")
    if pct < 0 or pct > D(str(pol["max_discount_pct"])):
        bad.append("discount above max")
    if pct > 0 and days[-1] > pol["max_promise_days"]:
        bad.append("discount outside window")
    if pct > 0 and sum(cents) != due:
        bad.append("discounted total wrong")
    if kind == "promise":
        if len(cents) != 1:
            bad.append("promise of several payments")
        if days[-1] > pol["max_promise_days"]:
            bad.append("promise too late")
        if pct == 0:
            least = (D(owed) * D(str(pol["min_promise_pct"])) / 100).to_integral_value(
                rounding=ROUND_CEILING
            )
            if sum(cents) < least or sum(cents) > owed:
                bad.append("promise amount out of range")
        return bad
    if not 2 <= len(cents) <= pol["max_installments"]:
        bad.append("installment count")
    if days[-1] > pol["max_plan_days"]:
        bad.append("plan too long")
    if min(cents) < D(str(pol["min_installment_amount"])) * scale:
        bad.append("installment too small")
    down = (D(due) * D(str(pol["min_down_payment_pct"])) / 100).to_integral_value(
        rounding=ROUND_CEILING
    )
    if cents[0] < down:
        bad.append("down payment too small")
    if sum(cents) != due:
        bad.append("plan total wrong")
    return bad


def as_pairs(outcome):
    return [(p.date, p.amount) for p in outcome.payments]


# -- Policy --------------------------------------------------------------------


def test_policy_from_dict_reads_numbers_and_strings():
    pol = Policy.from_dict({**POLICY, "max_discount_pct": "7.5", "max_plan_days": 90.0})
    assert pol.max_discount_pct == D("7.5")
    assert pol.max_plan_days == 90
    assert pol.min_installment_amount == D(100)
    assert Policy.from_dict(pol.to_dict()) == pol


def test_policy_defaults_for_missing_keys():
    assert Policy.from_dict({}) == Policy()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("max_promise_days", -1, "must not be negative"),
        ("max_promise_days", 2.5, "whole number"),
        ("max_promise_days", True, "whole number"),
        ("max_promise_days", "soon", "whole number"),
        ("min_promise_pct", 0, "above 0"),
        ("min_promise_pct", 101, "at most 100"),
        ("max_installments", 0, "at least 1"),
        ("min_installment_amount", -5, "must not be negative"),
        ("min_installment_amount", "lots", "must be a number"),
        ("min_installment_amount", None, "must be a number"),
        ("min_down_payment_pct", 150, "at most 100"),
        ("max_discount_pct", 100, "below 100"),
        ("max_discount_pct", "NaN", "finite"),
        ("max_discount", 5, "Unknown policy key"),
    ],
)
def test_policy_rejects_bad_values(key, value, message):
    with pytest.raises(ValueError, match=message):
        Policy.from_dict({**POLICY, key: value})


def test_policy_must_be_a_mapping():
    with pytest.raises(ValueError, match="mapping"):
        Policy.from_dict([("max_installments", 3)])


# -- promises ------------------------------------------------------------------


def test_promise_inside_the_window_is_accepted_for_the_whole_balance():
    decision = evaluate_promise(policy(), D("1250.50"), TODAY, day(5))
    assert decision.status == ACCEPTED
    assert as_pairs(decision.outcome) == [(day(5), D("1250.50"))]


def test_promise_too_late_is_countered_with_the_last_allowed_day():
    decision = evaluate_promise(policy(), D(1000), TODAY, day(45))
    assert decision.status == COUNTER
    assert decision.reasons == ("date_too_late",)
    assert dates(decision.outcome) == [day(10)]


def test_promise_in_the_past_moves_to_today():
    decision = evaluate_promise(policy(), D(1000), TODAY, day(-3))
    assert dates(decision.outcome) == [TODAY]


def test_promise_above_the_balance_is_capped():
    decision = evaluate_promise(policy(), D(1000), TODAY, TODAY, D(5000))
    assert decision.status == COUNTER
    assert amounts(decision.outcome) == [D("1000.00")]


def test_partial_promise_needs_a_plan_below_the_minimum_share():
    pol = policy(min_promise_pct=60)
    assert evaluate_promise(pol, D(1000), TODAY, TODAY, D(599.99)).status == NEEDS_PLAN
    assert evaluate_promise(pol, D(1000), TODAY, TODAY, D(600)).status == ACCEPTED


def test_promise_without_cents():
    decision = evaluate_promise(policy(), D(150000), TODAY, TODAY, decimals=0)
    assert amounts(decision.outcome) == [D(150000)]
    assert str(amounts(decision.outcome)[0]) == "150000"


def test_promise_on_nothing_owed_is_an_error():
    with pytest.raises(ValueError, match="Nothing to negotiate"):
        evaluate_promise(policy(), D(0), TODAY, TODAY)


# -- plans ---------------------------------------------------------------------


def test_plan_inside_the_policy_is_accepted_and_sums_exactly():
    decision = build_plan(policy(), D("1000.01"), TODAY, count=3)
    assert decision.status == ACCEPTED
    assert sum(amounts(decision.outcome)) == D("1000.01")
    assert dates(decision.outcome) == [TODAY, date(2026, 4, 2), date(2026, 5, 2)]


def test_plan_with_too_many_installments_is_countered_with_fewer():
    decision = build_plan(policy(), D(2000), TODAY, count=12)
    assert decision.status == COUNTER
    assert "count_reduced" in decision.reasons
    assert len(decision.outcome.payments) == 4
    assert sum(amounts(decision.outcome)) == D(2000)


def test_plan_too_long_moves_the_first_date_earlier():
    decision = build_plan(policy(), D(2000), TODAY, count=4, first_date=day(60))
    assert "first_date_moved" in decision.reasons
    assert dates(decision.outcome)[-1] <= day(120)
    assert dates(decision.outcome)[0] >= TODAY


def test_plan_that_cannot_fit_the_window_has_fewer_installments():
    decision = build_plan(policy(max_plan_days=65), D(2000), TODAY, count=4)
    assert len(decision.outcome.payments) == 3
    assert dates(decision.outcome)[-1] <= day(65)


def test_plan_changes_spacing_only_when_two_monthly_installments_do_not_fit():
    decision = build_plan(policy(max_plan_days=20), D(2000), TODAY, count=2)
    assert decision.reasons == ("spacing_changed",)
    assert dates(decision.outcome) == [TODAY, day(14)]


def test_plan_impossible_when_the_window_is_shorter_than_a_week():
    decision = build_plan(policy(max_plan_days=6), D(2000), TODAY, count=2)
    assert decision.status == IMPOSSIBLE


def test_plan_impossible_below_two_minimum_installments():
    pol = policy(min_down_payment_pct=0)
    assert build_plan(pol, D("199.99"), TODAY).status == IMPOSSIBLE
    assert build_plan(pol, D("200.00"), TODAY).status == ACCEPTED


def test_plan_impossible_when_the_policy_allows_one_installment():
    assert build_plan(policy(max_installments=1), D(5000), TODAY).status == IMPOSSIBLE


def test_plan_down_payment_is_raised_to_the_minimum_share():
    decision = build_plan(policy(), D(1000), TODAY, count=4, down_payment=D(50))
    assert decision.reasons == ("down_payment_raised",)
    assert amounts(decision.outcome) == [D(200), D("266.66"), D("266.66"), D("266.68")]


def test_plan_too_big_a_down_payment_keeps_the_others_above_the_minimum():
    decision = build_plan(policy(), D(1000), TODAY, count=4, down_payment=D(950))
    assert amounts(decision.outcome) == [D(900), D(100)]
    assert "down_payment_lowered" in decision.reasons


def test_plan_installments_are_never_below_the_minimum_amount():
    decision = build_plan(policy(min_down_payment_pct=0), D(350), TODAY, count=4)
    assert len(decision.outcome.payments) == 3
    assert min(amounts(decision.outcome)) >= D(100)


def test_plan_from_what_the_customer_can_pay_each_time():
    decision = build_plan(policy(), D(1000), TODAY, installment_amount=D(300))
    assert len(decision.outcome.payments) == 4
    assert decision.status == ACCEPTED


def test_plan_weekly_spacing_and_first_date_in_the_past():
    decision = build_plan(
        policy(), D(900), TODAY, count=3, first_date=day(-9), spacing="weekly"
    )
    assert dates(decision.outcome) == [TODAY, day(7), day(14)]
    assert decision.reasons == ("first_date_moved",)


def test_plan_monthly_keeps_the_day_of_the_month():
    decision = build_plan(policy(), D(900), date(2026, 1, 31), count=3)
    assert dates(decision.outcome) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


def test_plan_without_cents():
    decision = build_plan(policy(), D(1000), TODAY, count=3, decimals=0)
    assert amounts(decision.outcome) == [D(333), D(333), D(334)]


def test_plan_of_one_installment_is_raised_to_two():
    decision = build_plan(policy(), D(1000), TODAY, count=1)
    assert decision.reasons == ("count_raised",)
    assert len(decision.outcome.payments) == 2


def test_plan_rejects_an_unknown_spacing():
    with pytest.raises(ValueError, match="spacing"):
        build_plan(policy(), D(1000), TODAY, spacing="daily")


# -- discounts -----------------------------------------------------------------


def test_discount_ladder_is_half_then_the_maximum_and_never_more():
    pol = policy(max_discount_pct=10)
    offers = [next_discount(pol)]
    offers.append(next_discount(pol, offers[-1]))
    offers.append(next_discount(pol, offers[-1]))
    assert offers == [D(5), D(10), None]


def test_no_discount_when_the_policy_allows_none():
    pol = policy(max_discount_pct=0)
    assert next_discount(pol) is None
    assert settlement(pol, D(1000), TODAY, D(5)).status == NO_DISCOUNT


def test_small_maximum_discount_is_offered_whole():
    assert next_discount(policy(max_discount_pct="1.5")) == D("1.5")


def test_settlement_caps_the_discount_however_big_the_request():
    decision = settlement(policy(), D("1250.50"), TODAY, D(90))
    assert decision.outcome.discount_pct == D(10)
    assert amounts(decision.outcome) == [D("1125.45")]
    assert dates(decision.outcome) == [day(10)]


def test_settlement_date_stays_in_the_window():
    decision = settlement(policy(), D(1000), TODAY, D(5), day(30))
    assert decision.reasons == ("date_too_late",)
    assert dates(decision.outcome) == [day(10)]


# -- within_policy -------------------------------------------------------------


def promise_of(day, amount, pct=0):
    return Outcome(PROMISE, (Payment(day, D(amount)),), D(pct))


def plan_of(*pairs, pct=0):
    return Outcome(PLAN, tuple(Payment(d, D(a)) for d, a in pairs), D(pct))


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (promise_of(TODAY, "1000"), []),
        (promise_of(day(11), "1000"), ["promise_too_late"]),
        (promise_of(day(-1), "1000"), ["date_in_past"]),
        (promise_of(TODAY, "999.99"), ["promise_too_small"]),
        (promise_of(TODAY, "1000.001"), ["bad_amount", "total_above_balance"]),
        (promise_of(TODAY, "900", 10), []),
        (promise_of(TODAY, "800", 20), ["discount_too_big"]),
        (promise_of(TODAY, "950", 10), ["total_mismatch"]),
        (plan_of((TODAY, "500"), (day(30), "500")), []),
        (plan_of((TODAY, "500"), (TODAY, "500")), ["dates_not_increasing"]),
        (plan_of((TODAY, "1000")), ["installment_count"]),
        (plan_of((TODAY, "500"), (day(121), "500")), ["plan_too_long"]),
        (plan_of((TODAY, "950"), (day(30), "50")), ["installment_too_small"]),
        (
            plan_of((TODAY, "150"), (day(7), "425"), (day(14), "425")),
            ["down_payment_too_small"],
        ),
        (plan_of((TODAY, "500"), (day(30), "400")), ["total_mismatch"]),
        (
            plan_of((TODAY, "450"), (day(30), "450"), pct=10),
            ["discount_outside_window"],
        ),
        (plan_of((TODAY, "450"), (day(7), "450"), pct=10), []),
    ],
)
def test_within_policy_names_each_violation(outcome, expected):
    assert within_policy(policy(), D(1000), TODAY, outcome) == expected


def test_within_policy_takes_the_dict_form_and_a_policy_dict():
    outcome = promise_of(day(20), "1000").to_dict()
    assert within_policy(POLICY, D(1000), TODAY, outcome) == ["promise_too_late"]


def test_within_policy_rejects_an_unknown_kind():
    outcome = Outcome("gift", (Payment(TODAY, D(1)),))
    assert within_policy(policy(), D(1000), TODAY, outcome) == ["unknown_kind:gift"]


# -- random policies and requests ----------------------------------------------

policies = st.fixed_dictionaries(
    {
        "max_promise_days": st.integers(0, 60),
        "min_promise_pct": st.integers(1, 100),
        "max_installments": st.integers(1, 24),
        "max_plan_days": st.integers(0, 400),
        "min_installment_amount": st.decimals(0, 5000, places=2),
        "min_down_payment_pct": st.integers(0, 100),
        "max_discount_pct": st.decimals(0, 60, places=1),
    }
)
balances = st.decimals(D("0.01"), D("250000"), places=2)
todays = st.dates(date(2025, 1, 1), date(2027, 12, 31))
offsets = st.integers(-30, 800)


@settings(max_examples=300, deadline=None)
@given(
    policies, balances, todays, offsets, st.none() | st.decimals(0, 300000, places=3)
)
def test_random_promises_stay_inside_the_policy(pol, balance, today, offset, amount):
    decision = evaluate_promise(
        Policy.from_dict(pol), balance, today, today + timedelta(offset), amount
    )
    if decision.status == NEEDS_PLAN:
        cent = D("0.01")
        least = (balance * pol["min_promise_pct"] / 100).quantize(cent, ROUND_CEILING)
        assert amount is not None
        assert amount.quantize(cent, ROUND_HALF_UP) < least
        return
    outcome = decision.outcome
    assert oracle(pol, balance, today, "promise", as_pairs(outcome), 0) == []
    assert within_policy(pol, balance, today, outcome) == []


@settings(max_examples=400, deadline=None)
@given(
    pol=policies,
    balance=balances,
    today=todays,
    count=st.none() | st.integers(0, 40),
    offset=st.none() | offsets,
    down=st.none() | st.decimals(0, 300000, places=2),
    spacing=st.sampled_from(["weekly", "biweekly", "monthly"]),
    per=st.none() | st.decimals(1, 50000, places=2),
    decimals=st.sampled_from([0, 2]),
)
def test_random_plans_stay_inside_the_policy(
    pol, balance, today, count, offset, down, spacing, per, decimals
):
    if decimals == 0:
        balance = max(balance.to_integral_value(), D(1))
    first = None if offset is None else today + timedelta(offset)
    decision = build_plan(
        Policy.from_dict(pol),
        balance,
        today,
        count=count,
        first_date=first,
        down_payment=down,
        spacing=spacing,
        installment_amount=per,
        decimals=decimals,
    )
    minor = D(1).scaleb(-decimals)
    least = max(
        D(str(pol["min_installment_amount"])).quantize(minor, rounding=ROUND_CEILING),
        minor,
    )
    if decision.status == IMPOSSIBLE:
        # no plan exists: not even two installments of the minimum, or one allowed,
        # or the window is shorter than a week
        down_share = balance * pol["min_down_payment_pct"] / 100
        assert (
            pol["max_installments"] < 2
            or balance < max(down_share, least) + least
            or pol["max_plan_days"] < 7
        )
        return
    pairs = as_pairs(decision.outcome)
    assert oracle(pol, balance, today, "plan", pairs, 0, decimals) == []
    assert within_policy(pol, balance, today, decision.outcome, decimals) == []
    assert sum(a for _, a in pairs) == balance
    if count is not None and 2 <= count <= pol["max_installments"]:
        assert len(pairs) <= count


@settings(max_examples=300, deadline=None)
@given(policies, balances, todays, st.decimals(0, 100, places=2), st.none() | offsets)
def test_random_discount_pushes_never_exceed_the_maximum(
    pol, balance, today, asked, offset
):
    when = None if offset is None else today + timedelta(offset)
    decision = settlement(Policy.from_dict(pol), balance, today, asked, when)
    if decision.status == NO_DISCOUNT:
        assert pol["max_discount_pct"] == 0
        return
    outcome = decision.outcome
    assert outcome.discount_pct <= pol["max_discount_pct"]
    pct = outcome.discount_pct
    assert oracle(pol, balance, today, "promise", as_pairs(outcome), pct) == []
    assert within_policy(pol, balance, today, outcome) == []


@settings(max_examples=200, deadline=None)
@given(policies)
def test_ladder_never_passes_the_maximum(pol):
    pol = Policy.from_dict(pol)
    offered, steps = D(0), 0
    while (nxt := next_discount(pol, offered)) is not None:
        assert offered < nxt <= pol.max_discount_pct
        offered, steps = nxt, steps + 1
    assert steps <= 2


payments_st = st.lists(
    st.tuples(st.integers(-5, 400), st.decimals(D("-10"), D("6000"), places=3)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=500, deadline=None)
@given(
    policies,
    balances,
    todays,
    st.sampled_from([PROMISE, PLAN]),
    payments_st,
    st.decimals(0, 70, places=1),
)
def test_within_policy_agrees_with_the_oracle(pol, balance, today, kind, raw, pct):
    pairs = [(today + timedelta(days), amount) for days, amount in raw]
    outcome = Outcome(kind, tuple(Payment(d, a) for d, a in pairs), pct)
    expected_ok = oracle(pol, balance, today, kind, pairs, pct) == []
    assert (within_policy(pol, balance, today, outcome) == []) == expected_ok
