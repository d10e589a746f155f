"""Journey steps: which one is due, what is skipped, variants and channels."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from collections_automation_engine.journeys import (
    JourneyState,
    JourneyStep,
    Variant,
    idempotency_key,
    next_step,
    paused,
    pick_variant,
)
from hypothesis import given, settings
from hypothesis import strategies as st

DUE = date(2026, 1, 1)


def step(step_id, offset_days, anchor="due", **changes):
    return JourneyStep(
        step_id=step_id,
        sequence=step_id * 10,
        offset_days=offset_days,
        anchor=anchor,
        channels=("whatsapp", "email"),
        template=f"template_{step_id}",
        action="message",
        **changes,
    )


def state(**changes):
    values = {
        "customer_id": 7,
        "oldest_due_date": DUE,
        "broken_promise_date": None,
        "amount_overdue": 1000.0,
        "done_step_ids": frozenset(),
        "last_step_date": None,
        "replied_since_last_step": False,
        "reply_pending": False,
        "last_reply_date": None,
    }
    values.update(changes)
    return JourneyState(**values)


def skipped_ids(decision):
    return [(skipped.step_id, reason) for skipped, reason in decision.skipped]


JOURNEY = (step(1, 3), step(2, 15), step(3, 30), step(4, 60))


# -- when a step is due ----------------------------------------------------


def test_step_due_on_its_offset_day_not_the_day_before():
    assert next_step(JOURNEY, state(), DUE + timedelta(days=2)) is None
    decision = next_step(JOURNEY, state(), DUE + timedelta(days=3))
    assert decision.step.step_id == 1
    assert decision.skipped == ()


def test_negative_offset_is_a_preventive_step():
    preventive = step(1, -5)
    assert next_step((preventive,), state(), date(2025, 12, 26)) is None
    assert next_step((preventive,), state(), date(2025, 12, 27)).step is preventive


def test_done_steps_are_not_sent_again():
    today = DUE + timedelta(days=20)
    decision = next_step(JOURNEY, state(done_step_ids=frozenset({1})), today)
    assert decision.step.step_id == 2
    assert next_step(JOURNEY, state(done_step_ids=frozenset({1, 2})), today) is None


def test_latest_due_step_wins_and_earlier_ones_are_superseded():
    decision = next_step(JOURNEY, state(), DUE + timedelta(days=15))
    assert decision.step.step_id == 2
    assert skipped_ids(decision) == [(1, "superseded")]


def test_customer_found_late_gets_the_late_message():
    decision = next_step(JOURNEY, state(), DUE + timedelta(days=61))
    assert decision.step.step_id == 4
    assert skipped_ids(decision) == [
        (1, "superseded"),
        (2, "superseded"),
        (3, "superseded"),
    ]


def test_steps_follow_sequence_not_list_order():
    shuffled = (JOURNEY[2], JOURNEY[0], JOURNEY[3], JOURNEY[1])
    decision = next_step(shuffled, state(), DUE + timedelta(days=30))
    assert decision.step.step_id == 3
    assert skipped_ids(decision) == [(1, "superseded"), (2, "superseded")]


# -- conditions ------------------------------------------------------------


def test_min_amount_skips_below_and_sends_at_the_minimum():
    journey = (step(1, 3), step(2, 15, min_amount=500.0))
    today = DUE + timedelta(days=15)
    below = next_step(journey, state(amount_overdue=499.99), today)
    assert below.step.step_id == 1
    assert skipped_ids(below) == [(2, "min_amount")]
    at_minimum = next_step(journey, state(amount_overdue=500.0), today)
    assert at_minimum.step.step_id == 2
    assert skipped_ids(at_minimum) == [(1, "superseded")]


def test_only_if_no_reply_skips_after_a_reply():
    journey = (step(1, 3), step(2, 15, only_if_no_reply=True))
    today = DUE + timedelta(days=15)
    replied = next_step(journey, state(replied_since_last_step=True), today)
    assert replied.step.step_id == 1
    assert skipped_ids(replied) == [(2, "replied")]
    silent = next_step(journey, state(), today)
    assert silent.step.step_id == 2


def test_a_reply_does_not_skip_ordinary_steps():
    decision = next_step(
        JOURNEY, state(replied_since_last_step=True), DUE + timedelta(3)
    )
    assert decision.step.step_id == 1


def test_condition_skip_is_reported_instead_of_superseded():
    journey = (step(1, 3, min_amount=5000.0), step(2, 15))
    decision = next_step(journey, state(), DUE + timedelta(days=20))
    assert decision.step.step_id == 2
    assert skipped_ids(decision) == [(1, "min_amount")]


def test_nothing_to_send_when_every_due_step_is_skipped():
    journey = (step(1, 3, min_amount=5000.0), step(2, 15, only_if_no_reply=True))
    today = DUE + timedelta(days=20)
    assert next_step(journey, state(replied_since_last_step=True), today) is None


# -- pause and pace --------------------------------------------------------


def test_pending_reply_pauses_the_journey():
    pending = state(reply_pending=True, last_reply_date=DUE + timedelta(days=10))
    assert paused(pending)
    assert not paused(state())
    assert next_step(JOURNEY, pending, DUE + timedelta(days=20)) is None


def test_at_most_one_step_a_day():
    today = DUE + timedelta(days=20)
    sent_today = state(done_step_ids=frozenset({1}), last_step_date=today)
    assert next_step(JOURNEY, sent_today, today) is None
    # a last step dated after today (clock skew, re-run of an old day) waits too
    sent_later = replace(sent_today, last_step_date=today + timedelta(days=1))
    assert next_step(JOURNEY, sent_later, today) is None
    sent_yesterday = replace(sent_today, last_step_date=today - timedelta(days=1))
    assert next_step(JOURNEY, sent_yesterday, today).step.step_id == 2


# -- anchors ---------------------------------------------------------------


def test_broken_promise_steps_need_a_broken_promise():
    journey = (step(1, 3), step(2, 1, anchor="broken_promise"))
    today = DUE + timedelta(days=40)
    decision = next_step(journey, state(done_step_ids=frozenset({1})), today)
    assert decision is None


def test_broken_promise_anchor_counts_from_the_broken_date():
    journey = (step(1, 3), step(2, 15), step(3, 2, anchor="broken_promise"))
    broken = state(
        done_step_ids=frozenset({1, 2}),
        broken_promise_date=date(2026, 3, 1),
    )
    assert next_step(journey, broken, date(2026, 3, 2)) is None
    decision = next_step(journey, broken, date(2026, 3, 3))
    assert decision.step.step_id == 3
    assert decision.idempotency_key == "c7-s3-2026-03-03"


def test_no_due_date_means_no_due_step():
    assert next_step(JOURNEY, state(oldest_due_date=None), date(2027, 1, 1)) is None


def test_unknown_anchor_is_an_error():
    with pytest.raises(ValueError, match="anchor"):
        next_step((step(1, 3, anchor="invoice"),), state(), date(2026, 6, 1))


dates = st.dates(date(2025, 6, 1), date(2026, 12, 31))


@given(
    st.lists(
        st.builds(
            lambda sid, offset, anchor, min_amount, no_reply: step(
                sid,
                offset,
                anchor,
                min_amount=min_amount,
                only_if_no_reply=no_reply,
            ),
            st.integers(1, 50),
            st.integers(-10, 120),
            st.sampled_from(["due", "broken_promise"]),
            st.none() | st.floats(0, 2000),
            st.booleans(),
        ),
        max_size=8,
        unique_by=lambda s: s.step_id,
    ),
    st.none() | dates,
    st.none() | dates,
    st.floats(0, 3000),
    st.frozensets(st.integers(1, 50)),
    st.booleans(),
    dates,
)
def test_decision_only_sends_or_skips_due_undone_steps(
    steps, due, broken, amount, done, replied, today
):
    current = state(
        oldest_due_date=due,
        broken_promise_date=broken,
        amount_overdue=amount,
        done_step_ids=done,
        replied_since_last_step=replied,
    )
    decision = next_step(steps, current, today)
    if decision is None:
        return
    anchors = {"due": due, "broken_promise": broken}
    involved = [decision.step] + [skipped for skipped, _reason in decision.skipped]
    assert len({s.step_id for s in involved}) == len(involved)
    for s in involved:
        assert s.step_id not in done
        assert anchors[s.anchor] + timedelta(days=s.offset_days) <= today
    assert all(
        s.sequence < decision.step.sequence
        for s, reason in decision.skipped
        if reason == "superseded"
    )


# -- variants --------------------------------------------------------------


AB = (Variant("A", 70, "tpl_a"), Variant("B", 30, "tpl_b"))


def test_no_variants_uses_the_step_template():
    plain = step(1, 3)
    assert pick_variant(plain, 7) is None
    decision = next_step((plain,), state(), DUE + timedelta(days=3))
    assert decision.variant is None
    assert decision.template == "template_1"


def test_variant_template_replaces_the_step_template():
    ab = step(1, 3, variants=AB)
    decision = next_step((ab,), state(), DUE + timedelta(days=3))
    assert decision.variant is pick_variant(ab, 7)
    assert decision.template == decision.variant.template


def test_same_customer_always_gets_the_same_variant():
    ab = step(1, 3, variants=AB)
    first = [pick_variant(ab, customer).code for customer in range(200)]
    again = [pick_variant(replace(ab), customer).code for customer in range(200)]
    assert first == again
    assert set(first) == {"A", "B"}


def test_variant_is_stable_across_processes():
    # A stable hash, not Python's salted hash(): these codes must never change,
    # or customers would switch variants between runs.
    ab = step(1, 3, variants=AB)
    codes = "".join(pick_variant(ab, customer).code for customer in range(20))
    assert codes == "BABABBAAAAABAAAABBAA"


def test_zero_weights():
    never_b = step(1, 3, variants=(Variant("A", 1, "a"), Variant("B", 0, "b")))
    assert {pick_variant(never_b, c).code for c in range(300)} == {"A"}
    none_weighted = step(1, 3, variants=(Variant("A", 0, "a"),))
    assert pick_variant(none_weighted, 7) is None


def test_different_steps_split_customers_independently():
    first = step(1, 3, variants=(Variant("A", 1, "a"), Variant("B", 1, "b")))
    second = replace(first, step_id=2)
    codes = [
        (pick_variant(first, c).code, pick_variant(second, c).code) for c in range(400)
    ]
    assert len(set(codes)) == 4


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 10), min_size=2, max_size=4),
    st.integers(1, 10_000),
)
def test_variant_split_follows_the_weights(weights, step_id):
    variants = tuple(Variant(f"V{i}", w, f"t{i}") for i, w in enumerate(weights))
    split = step(step_id, 3, variants=variants)
    customers = 20_000
    counts = Counter(pick_variant(split, c).code for c in range(customers))
    total = sum(weights)
    for variant in variants:
        share = counts[variant.code] / customers
        assert share == pytest.approx(variant.weight / total, abs=0.03)


# -- idempotency and channels ----------------------------------------------


def test_idempotency_key_is_one_per_customer_step_and_day():
    assert idempotency_key(7, 3, date(2026, 2, 1)) == "c7-s3-2026-02-01"
    keys = {
        idempotency_key(customer, step_id, day)
        for customer in (1, 11)
        for step_id in (1, 11)
        for day in (date(2026, 1, 1), date(2026, 1, 11))
    }
    assert len(keys) == 8
