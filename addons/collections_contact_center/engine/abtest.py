"""A/B tests of a journey step's variants: rates and whether one wins.

For each variant of a step: how many customers got it (``sent``) and how
many of them replied, promised and paid. Rates are Decimal fractions, as in
:mod:`.kpis`.

Significance, without scipy:

* two variants: the pooled two-proportion z-test, two-sided p-value
  ``erfc(|z| / sqrt(2))``;
* more: the chi-square test of independence of the variants x (success,
  failure) table, its p-value the regularised upper incomplete gamma
  ``Q(dof / 2, chi2 / 2)``. With two variants it is the same test (chi2 is
  z squared), so :func:`p_value` is consistent whatever the count.

A significant chi-square only says the variants differ, not which is best.
:func:`winner` therefore also tests the best variant against each other one
(z-tests, Bonferroni: each at ``alpha / (k - 1)``) and names it only when it
beats them all.

>>> results = [VariantCounts("A", 1000, replies=120),
...            VariantCounts("B", 1000, replies=90)]
>>> z, p = two_proportion_z(120, 1000, 90, 1000)
>>> round(z, 4), round(p, 5)
(2.1883, 0.02865)
>>> winner(results, "reply")  # doctest: +ELLIPSIS
Verdict(variant='A', reason='significant', p_value=0.02865...)
>>> winner(results, "reply", alpha=0.01).reason
'not_significant'
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from .kpis import field, ratio

METRICS = {"reply": "replies", "promise": "promises", "payment": "payments"}
"""Metric name -> the :class:`VariantCounts` field counting its successes."""

SIGNIFICANT = "significant"
SINGLE_VARIANT = "single_variant"
TOO_FEW_SAMPLES = "too_few_samples"
TOO_FEW_EVENTS = "too_few_events"
NOT_SIGNIFICANT = "not_significant"
BEST_NOT_SEPARATED = "best_not_separated"

_EPS = 1e-15
_FPMIN = 1e-300
_MAX_ITER = 100_000


@dataclass(frozen=True, slots=True)
class VariantCounts:
    """One variant of a step: customers who got it and what they did."""

    variant: object
    sent: int
    replies: int = 0
    promises: int = 0
    payments: int = 0

    def successes(self, metric: str) -> int:
        """How many customers did ``metric`` (``reply``, ``promise``, ``payment``)."""
        if metric not in METRICS:
            raise ValueError(f"Unknown metric {metric!r}; use one of {list(METRICS)}.")
        return getattr(self, METRICS[metric])

    def rate(self, metric: str) -> Decimal | None:
        """``successes / sent``, None when nobody got the variant."""
        return ratio(self.successes(metric), self.sent)


class Verdict(NamedTuple):
    """The winning variant or None, why, and the p-value that decided."""

    variant: object
    reason: str
    p_value: float | None


def tally(records: Iterable) -> list[VariantCounts]:
    """Count one step's outcomes per variant.

    One record per customer who got the step: ``variant`` and the booleans
    ``replied``, ``promised``, ``paid`` (missing ones are false). Variants
    come out sorted when their ids compare, else in the order first met.

    >>> tally([{"variant": "B", "replied": True},
    ...        {"variant": "A", "replied": True, "promised": True, "paid": True},
    ...        {"variant": "A"}])  # doctest: +NORMALIZE_WHITESPACE
    [VariantCounts(variant='A', sent=2, replies=1, promises=1, payments=1),
     VariantCounts(variant='B', sent=1, replies=1, promises=0, payments=0)]
    """
    counts = {}
    for record in records:
        variant = field(record, "variant")
        row = counts.setdefault(variant, [0, 0, 0, 0])
        row[0] += 1
        row[1] += bool(field(record, "replied", False))
        row[2] += bool(field(record, "promised", False))
        row[3] += bool(field(record, "paid", False))
    try:
        variants = sorted(counts)
    except TypeError:
        variants = list(counts)
    return [VariantCounts(v, *counts[v]) for v in variants]


def rates(results: Iterable[VariantCounts]) -> dict:
    """Variant -> ``{"reply": rate, "promise": rate, "payment": rate}``."""
    return {r.variant: {m: r.rate(m) for m in METRICS} for r in results}


# -- tests -------------------------------------------------------------------


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Pooled two-proportion z-test of ``x1/n1`` against ``x2/n2``.

    :return: ``(z, two-sided p-value)``; z > 0 when the first rate is higher.
        When both rates are 0 or both 1 there is no spread: ``(0.0, 1.0)``.
    """
    for x, n in ((x1, n1), (x2, n2)):
        if n <= 0 or not 0 <= x <= n:
            raise ValueError(f"Need 0 <= successes <= samples > 0, got {x}/{n}.")
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def _lower_series(a, x):
    """P(a, x) by its series; converges fast for x < a + 1."""
    term = total = 1.0 / a
    denominator = a
    for _ in range(_MAX_ITER):
        denominator += 1
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _EPS:
            return total * math.exp(-x + a * math.log(x) - math.lgamma(a))
    raise ArithmeticError(f"P({a}, {x}): series did not converge.")


def _upper_fraction(a, x):
    """Q(a, x) by its continued fraction (modified Lentz); for x >= a + 1."""
    b = x + 1 - a
    c = 1 / _FPMIN
    d = 1 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _FPMIN if abs(d) < _FPMIN else d
        c = b + an / c
        c = _FPMIN if abs(c) < _FPMIN else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h
    raise ArithmeticError(f"Q({a}, {x}): continued fraction did not converge.")


def gammaincc(a: float, x: float) -> float:
    """The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x).

    As in Numerical Recipes (``gammq``): the series of P below ``a + 1``,
    where it converges fast, the continued fraction of Q above, where the
    series would need many terms and ``1 - P`` would lose Q's digits.

    >>> round(gammaincc(1, 2), 12) == round(math.exp(-2), 12)
    True
    """
    if a <= 0 or x < 0:
        raise ValueError(f"Q(a, x) needs a > 0 and x >= 0, got a={a}, x={x}.")
    if x == 0:
        return 1.0
    if x < a + 1:
        return max(1.0 - _lower_series(a, x), 0.0)
    return _upper_fraction(a, x)


def chi2_sf(statistic: float, dof: int) -> float:
    """P(X >= statistic) for X chi-square with ``dof`` degrees of freedom.

    >>> round(chi2_sf(3.841, 1), 3), round(chi2_sf(5.991, 2), 3)
    (0.05, 0.05)
    """
    if dof <= 0:
        raise ValueError(f"Degrees of freedom must be positive, got {dof}.")
    if statistic <= 0:
        return 1.0
    return gammaincc(dof / 2, statistic / 2)


def chi_square(table: Sequence[Sequence[int]]) -> tuple[float, int, float]:
    """Chi-square test of independence of a contingency table of counts.

    Rows and columns that are all zero are dropped (they carry no
    information and would divide by zero). No continuity correction.

    :return: ``(chi2, degrees of freedom, p-value)``; ``(0.0, 0, 1.0)`` when
        fewer than two rows or columns remain

    >>> chi2, dof, p = chi_square([[120, 880], [90, 910]])
    >>> round(chi2, 4), dof, round(p, 5)
    (4.7885, 1, 0.02865)
    """
    rows = [list(row) for row in table if sum(row) > 0]
    if not rows:
        return 0.0, 0, 1.0
    columns = [j for j in range(len(rows[0])) if any(row[j] for row in rows)]
    rows = [[row[j] for j in columns] for row in rows]
    if len(rows) < 2 or len(columns) < 2:
        return 0.0, 0, 1.0
    row_totals = [sum(row) for row in rows]
    column_totals = [sum(column) for column in zip(*rows, strict=True)]
    total = sum(row_totals)
    statistic = 0.0
    for row, row_total in zip(rows, row_totals, strict=True):
        for observed, column_total in zip(row, column_totals, strict=True):
            expected = row_total * column_total / total
            statistic += (observed - expected) ** 2 / expected
    dof = (len(rows) - 1) * (len(columns) - 1)
    return statistic, dof, chi2_sf(statistic, dof)


def _table(results, metric):
    return [[r.successes(metric), r.sent - r.successes(metric)] for r in results]


def p_value(results: Sequence[VariantCounts], metric: str) -> float:
    """Whether the variants' ``metric`` rates differ at all: the z-test for
    two variants, the chi-square test for more (the same p-value for two)."""
    if len(results) == 2:
        first, second = results
        return two_proportion_z(
            first.successes(metric), first.sent, second.successes(metric), second.sent
        )[1]
    return chi_square(_table(results, metric))[2]


def _min_expected(results, metric):
    """The smallest expected cell count of the variants x outcome table."""
    table = _table(results, metric)
    total = sum(map(sum, table))
    column_totals = [sum(column) for column in zip(*table, strict=True)]
    return min(sum(row) * c / total for row in table for c in column_totals)


def winner(
    results: Sequence[VariantCounts],
    metric: str,
    alpha: float = 0.05,
    min_samples: int = 100,
    min_expected: float = 5.0,
) -> Verdict:
    """The variant of a step that does best on ``metric``, if the data say so.

    In order, no winner (``variant`` None) when:

    * ``single_variant``: fewer than two variants;
    * ``too_few_samples``: a variant was sent to fewer than ``min_samples``;
    * ``too_few_events``: an expected count of the table is below
      ``min_expected``, where the tests' normal approximation fails (a rate of
      0, or of 1, in every variant ends here too);
    * ``not_significant``: the overall test's p-value is ``alpha`` or more;
    * ``best_not_separated``: the variant with the highest rate does not beat
      every other one at ``alpha / (k - 1)``; ``p_value`` is then the
      weakest comparison's, multiplied by ``k - 1`` (at most 1) to compare
      with ``alpha``.

    Otherwise the best variant, ``significant``, with that same adjusted
    p-value (for two variants, the plain z-test's).
    """
    results = list(results)
    for result in results:
        result.successes(metric)  # an unknown metric is an error, even alone
    if len(results) < 2:
        return Verdict(None, SINGLE_VARIANT, None)
    if min(r.sent for r in results) < max(min_samples, 1):
        return Verdict(None, TOO_FEW_SAMPLES, None)
    if _min_expected(results, metric) < min_expected:
        return Verdict(None, TOO_FEW_EVENTS, None)
    overall = p_value(results, metric)
    if overall >= alpha:
        return Verdict(None, NOT_SIGNIFICANT, overall)
    best = max(results, key=lambda r: Fraction(r.successes(metric), r.sent))
    comparisons = len(results) - 1
    worst = max(
        two_proportion_z(
            best.successes(metric), best.sent, other.successes(metric), other.sent
        )[1]
        for other in results
        if other is not best
    )
    adjusted = min(worst * comparisons, 1.0)
    if adjusted >= alpha:
        return Verdict(None, BEST_NOT_SEPARATED, adjusted)
    return Verdict(best.variant, SIGNIFICANT, adjusted)
