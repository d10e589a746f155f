"""The provider's pace (``engine/pace.py``), without Odoo: however late each
worker starts and however slow its sends, no window of time sees more than
the rate allows plus one chunk and one send."""

from datetime import datetime, timedelta

from collections_automation_engine.pace import SlotPace
from hypothesis import given, settings
from hypothesis import strategies as st

OPENS = datetime(2026, 12, 7, 9, 0)
CHUNK = 50


def send_times(rate, slots, pace=True):
    """The times of the sends of consecutive slots of ``CHUNK``, each
    ``(lateness, latency)`` in seconds: the worker wakes ``lateness`` after
    its slot opens and each send takes ``latency``. With ``pace``, the sends
    the slot's pace refuses are left for a later slot; without, the worker
    sends until the slot's end (the rule before the pace)."""
    times, opens = [], OPENS
    for lateness, latency in slots:
        slot = SlotPace(opens, CHUNK, rate)
        now = opens + timedelta(seconds=lateness)
        for position in range(CHUNK):
            allowed = slot.allows(position, now) if pace else now < slot.end
            if not allowed:
                break
            times.append(now)
            now += timedelta(seconds=latency)
        opens = slot.end
    return times


def worst_excess(times, rate):
    """The most sends in any window above what ``rate`` allows in it."""
    worst = 0
    for i, first in enumerate(times):
        for j in range(i, len(times)):
            length = (times[j] - first).total_seconds()
            worst = max(worst, j - i + 1 - rate * length)
    return worst


@settings(max_examples=150, deadline=None)
@given(
    rate=st.sampled_from([10, 50, 100]),
    slots=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=2, allow_nan=False),
            st.floats(min_value=0, max_value=0.05, allow_nan=False),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_no_window_sees_more_than_the_rate_and_one_chunk(rate, slots):
    assert worst_excess(send_times(rate, slots), rate) <= CHUNK + 1


def test_a_late_worker_no_longer_sends_two_chunks_at_once():
    # the first worker wakes when 90 % of its slot has gone, then sends fast;
    # the next slot's worker is on time
    slots = [(0.45, 0.0001), (0, 0.0001)]
    assert worst_excess(send_times(100, slots, pace=False), 100) > CHUNK + 1
    times = send_times(100, slots)
    assert worst_excess(times, 100) <= CHUNK + 1
    assert len(times) == 55, "5 sends fit in the first slot's last 50 ms"


def test_no_send_once_the_slot_is_over():
    slot = SlotPace(OPENS, CHUNK, rate=100)
    assert not slot.allows(0, OPENS + timedelta(seconds=1))
    assert SlotPace(OPENS, CHUNK, rate=0).allows(0, OPENS + timedelta(seconds=1))
