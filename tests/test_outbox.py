"""The outbox state machine, without Odoo.

Property tests drive random sequences of events and receipts through
``outbox`` and check what must hold whatever the order: nothing goes back out
once sent, receipts never touch rows that have not gone out, terminal states
stay terminal, and the bulk view (``sources``) agrees with the row view.
"""

from collections_automation_engine import outbox
from hypothesis import given, settings
from hypothesis import strategies as st

EVENTS = sorted(outbox.EVENTS)
RECEIPTS = ("sent", "delivered", "read", "replied", "failed")
steps = st.lists(
    st.one_of(
        st.tuples(st.just("event"), st.sampled_from(EVENTS)),
        st.tuples(st.just("receipt"), st.sampled_from(RECEIPTS)),
    ),
    max_size=40,
)


def run(start, sequence):
    """The states a row goes through; events that do not apply change nothing."""
    state, path = start, [start]
    for kind, name in sequence:
        if kind == "event":
            new = outbox.next_state(state, name)
        else:
            new = outbox.receipt_target(state, name)
        if new is not None:
            state = new
            path.append((kind, name, state))
    return state, path


@settings(max_examples=500)
@given(st.sampled_from(["review", "planned"]), steps)
def test_a_row_that_went_out_never_goes_back_to_the_queue(start, sequence):
    _state, path = run(start, sequence)
    out = False
    for item in path[1:]:
        kind, name, state = item
        if state in outbox.CONTACTED:
            out = True
        if out:
            # only a person's retry of a failure puts it back in the queue
            assert state not in ("review", "queued", "sending") or (
                state == "planned" and name == "retry"
            ), path
            if state == "planned":
                assert (kind, name) == ("event", "retry"), path


@settings(max_examples=500)
@given(st.sampled_from(outbox.STATES), st.sampled_from(RECEIPTS))
def test_receipts_never_move_rows_that_have_not_gone_out(state, status):
    new = outbox.receipt_target(state, status)
    if state in outbox.NOT_SENT or state in ("refused", "cancelled"):
        assert new is None
    if new is not None:
        assert new == status


@given(st.sampled_from(outbox.STATES), st.sampled_from(RECEIPTS))
def test_positive_receipts_only_move_forward(state, status):
    new = outbox.receipt_target(state, status)
    if new is not None and new != "failed" and state in outbox.RECEIPT_RANK:
        assert outbox.RECEIPT_RANK[new] > outbox.RECEIPT_RANK[state]


def test_a_failure_after_sent_counts_and_after_delivery_does_not():
    assert outbox.receipt_target("sent", "failed") == "failed"
    assert outbox.receipt_target("sending", "failed") == "failed"
    assert outbox.receipt_target("delivered", "failed") is None
    assert outbox.receipt_target("read", "failed") is None


def test_evidence_of_arrival_overrides_a_presumed_failure():
    assert outbox.receipt_target("failed", "delivered") == "delivered"
    assert outbox.receipt_target("failed", "failed") is None


@settings(max_examples=300)
@given(st.sampled_from(outbox.TERMINAL), steps)
def test_terminal_states_take_no_event(start, sequence):
    for kind, name in sequence:
        if kind == "event":
            assert outbox.next_state(start, name) is None


@given(st.sampled_from(outbox.STATES), st.sampled_from(EVENTS))
def test_bulk_sources_agree_with_the_row_view(state, event):
    applies = state in outbox.sources(event)
    assert (outbox.next_state(state, event) is not None) == applies
    if applies:
        assert outbox.check(state, event) == outbox.target(event)
    else:
        try:
            outbox.check(state, event)
        except outbox.InvalidTransition as error:
            assert event in str(error)
        else:
            raise AssertionError("check accepted an event that does not apply")


@given(st.sampled_from(RECEIPTS))
def test_receipt_sources_are_the_states_a_receipt_moves(status):
    for state in outbox.STATES:
        moved = outbox.receipt_target(state, status) is not None
        assert moved == (state in outbox.receipt_sources(status))


@given(st.integers(1, 40), st.one_of(st.none(), st.integers(0, 10_000)))
def test_backoff_doubles_is_capped_and_honours_retry_after(attempts, hint):
    delay = outbox.retry_delay(attempts, hint)
    plain = outbox.retry_delay(attempts)
    assert plain <= outbox.BACKOFF_MAX_SECONDS
    assert delay >= plain and delay >= (hint or 0)
    if attempts > 1 and plain < outbox.BACKOFF_MAX_SECONDS:
        assert plain == 2 * outbox.retry_delay(attempts - 1)


def test_giving_up_follows_the_provider_limit():
    assert not outbox.gives_up(4, 5)
    assert outbox.gives_up(5, 5)
    assert outbox.gives_up(5, None)  # 5 by default
    assert outbox.gives_up(2, 2)


@given(st.sampled_from(outbox.STATES), st.sampled_from(outbox.STATES))
def test_can_move_is_exactly_what_an_event_or_a_receipt_does(current, new):
    by_event = any(outbox.next_state(current, e) == new for e in EVENTS)
    by_receipt = any(outbox.receipt_target(current, r) == new for r in RECEIPTS)
    assert outbox.can_move(current, new) == (current == new or by_event or by_receipt)


def test_nothing_sent_goes_back_to_the_queue_by_a_plain_write():
    for state in ("sent", "delivered", "read", "replied"):
        for earlier in ("review", "planned", "queued", "sending"):
            assert not outbox.can_move(state, earlier)
    assert not outbox.can_move("refused", "planned")
    assert not outbox.can_move("cancelled", "planned")
