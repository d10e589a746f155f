"""Delinquency ("mora") buckets by days past due.

A bucket covers a closed range of days overdue; ``max_days`` None means open
ended. Days overdue are counted from a receivable line's own due date, so an
invoice paid in installments is judged by its oldest unpaid installment.

>>> bucket_for(-3, DEFAULT_BUCKETS).code
'preventive'
>>> bucket_for(16, DEFAULT_BUCKETS).code
'mid'
>>> bucket_for(-30, DEFAULT_BUCKETS) is None
True
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """A range of days past due, ``min_days`` to ``max_days`` inclusive."""

    code: str
    name: str
    min_days: int
    max_days: int | None
    sequence: int = 0

    def contains(self, days):
        return days >= self.min_days and (
            self.max_days is None or days <= self.max_days
        )


DEFAULT_BUCKETS = (
    Bucket("preventive", "Preventive", -7, 0, 10),
    Bucket("early", "Early", 1, 15, 20),
    Bucket("mid", "Mid", 16, 60, 30),
    Bucket("late", "Late", 61, 120, 40),
    Bucket("legal", "Legal", 121, None, 50),
)


def days_overdue(due_date, today):
    """Days past due: negative before the due date, 0 on it.

    >>> from datetime import date
    >>> days_overdue(date(2026, 1, 1), date(2026, 1, 31))
    30
    """
    return (today - due_date).days


def bucket_for(days, buckets):
    """The bucket covering ``days``, or None when no bucket does."""
    for bucket in buckets:
        if bucket.contains(days):
            return bucket
    return None


def validate(buckets):
    """Raise ValueError unless the buckets are ordered and do not overlap.

    Gaps are allowed (days in a gap belong to no bucket); overlaps are not,
    because a line must never sit in two buckets at once.
    """
    ordered = sorted(buckets, key=lambda b: b.min_days)
    for bucket in ordered:
        if bucket.max_days is not None and bucket.max_days < bucket.min_days:
            raise ValueError(
                f"Bucket {bucket.name!r} ends ({bucket.max_days}) before it starts "
                f"({bucket.min_days})."
            )
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if previous.max_days is None or previous.max_days >= current.min_days:
            raise ValueError(f"Buckets {previous.name!r} and {current.name!r} overlap.")
    return ordered


def worst(codes, buckets):
    """The latest (worst) bucket among ``codes``, by ``min_days``."""
    by_code = {b.code: b for b in buckets}
    present = [by_code[c] for c in codes if c in by_code]
    return max(present, key=lambda b: b.min_days) if present else None
