"""A provider's pace: which sends of a reserved slot may still go out.

A send worker reserves a chunk of sends from the provider's rate limit (the
shared "next free slot" on the provider's row): a slot of ``count / rate``
seconds that no other worker's overlaps. Sent as a burst when the slot
opens, any window of time sees at most the pace plus that one chunk. A worker
that starts late (a busy CPU, a server restarting) would send its whole chunk
at the end of its slot, just before the next slot's burst: two chunks at
once, and the provider answers 429. So the sends of a slot counted from any
moment must fit in the time left of it, give or take one: a late worker
sends fewer and reserves a new slot for the rest. Any window then sees at
most the pace plus one chunk and one send.

>>> from datetime import datetime, timedelta
>>> opens = datetime(2026, 12, 7, 9, 0)
>>> on_time = SlotPace(opens, 50, rate=100)
>>> all(on_time.allows(p, opens + timedelta(milliseconds=p)) for p in range(50))
True
>>> late = SlotPace(opens, 50, rate=100)
>>> sum(late.allows(p, opens + timedelta(seconds=0.4)) for p in range(50))
10
>>> SlotPace(opens, 50, rate=100).allows(0, opens + timedelta(seconds=1))
False
"""

import math
from datetime import timedelta


class SlotPace:
    """The ``count`` sends of one slot opening at ``start``, at ``rate`` per
    second (none: no limit)."""

    def __init__(self, start, count, rate):
        self.rate = rate
        self.end = rate and start + timedelta(seconds=count / rate)
        self.budget = math.inf

    def allows(self, position, now):
        """Whether the send at ``position`` (0 first) of the slot may go out
        at ``now``: the sends from here on fit in the slot's time left."""
        if not self.rate:
            return True
        left = (self.end - now).total_seconds() * self.rate
        self.budget = min(self.budget, position + left)
        return position < self.budget
