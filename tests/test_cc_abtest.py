"""A/B tests of journey variants: rates, z-test, chi-square and the winner."""

import math
from decimal import Decimal

import pytest
from collections_contact_center_engine.abtest import (
    VariantCounts,
    chi2_sf,
    chi_square,
    gammaincc,
    p_value,
    rates,
    tally,
    two_proportion_z,
    winner,
)
from hypothesis import given
from hypothesis import strategies as st

# -- counting ------------------------------------------------------------------


def test_tally_and_rates():
    records = (
        [{"variant": 2, "replied": True, "promised": True, "paid": False}] * 3
        + [{"variant": 2}] * 7
        + [{"variant": 1, "replied": True, "paid": True}] * 2
        + [{"variant": 1, "replied": False}] * 3
    )
    counts = tally(records)
    assert counts == [VariantCounts(1, 5, 2, 0, 2), VariantCounts(2, 10, 3, 3, 0)]
    # variant 1: 2/5 replied, 0/5 promised, 2/5 paid; variant 2: 3/10, 3/10, 0
    assert rates(counts) == {
        1: {"reply": Decimal("0.4"), "promise": 0, "payment": Decimal("0.4")},
        2: {"reply": Decimal("0.3"), "promise": Decimal("0.3"), "payment": 0},
    }
    assert VariantCounts("empty", 0).rate("reply") is None


def test_unknown_metric_is_an_error():
    with pytest.raises(ValueError, match="Unknown metric 'clicks'"):
        winner([VariantCounts("A", 500)], "clicks")


# -- two-proportion z-test -----------------------------------------------------


def test_z_test_reference_value():
    # p1 = 120/1000 = 0.12, p2 = 90/1000 = 0.09
    # pooled p = 210/2000 = 0.105; p(1-p) = 0.105 * 0.895 = 0.093975
    # se = sqrt(0.093975 * (1/1000 + 1/1000)) = sqrt(0.00018795) = 0.0137095
    # z = (0.12 - 0.09) / 0.0137095 = 2.18827
    # normal table: Phi(2.18) = 0.98537, Phi(2.19) = 0.98574 -> Phi(2.18827)
    # = 0.98537 + 0.827 * 0.00037 = 0.985676; p = 2 * (1 - 0.985676) = 0.02865
    z, p = two_proportion_z(120, 1000, 90, 1000)
    assert z == pytest.approx(2.18827, abs=1e-5)
    assert p == pytest.approx(0.02865, abs=1e-5)


def test_z_test_second_reference_value():
    # 50/200 = 0.25 against 30/200 = 0.15: pooled 80/400 = 0.2,
    # se = sqrt(0.2 * 0.8 * (2/200)) = sqrt(0.0016) = 0.04, z = 0.1/0.04 = 2.5;
    # Phi(2.5) = 0.99379 -> p = 2 * 0.00621 = 0.01242
    z, p = two_proportion_z(50, 200, 30, 200)
    assert z == pytest.approx(2.5)
    assert p == pytest.approx(0.01242, abs=1e-5)


def test_z_sign_and_symmetry():
    z, p = two_proportion_z(90, 1000, 120, 1000)
    assert z == pytest.approx(-2.18827, abs=1e-5)
    assert p == pytest.approx(two_proportion_z(120, 1000, 90, 1000)[1])


@pytest.mark.parametrize(("x1", "x2"), [(0, 0), (300, 300)])
def test_z_test_without_spread(x1, x2):
    assert two_proportion_z(x1, 300, x2, 300) == (0.0, 1.0)


def test_equal_rates_give_p_one():
    z, p = two_proportion_z(30, 100, 60, 200)
    assert z == pytest.approx(0.0)
    assert p == pytest.approx(1.0)


@pytest.mark.parametrize("args", [(1, 0, 1, 10), (11, 10, 1, 10), (-1, 10, 1, 10)])
def test_z_test_rejects_impossible_counts(args):
    with pytest.raises(ValueError):
        two_proportion_z(*args)


# -- incomplete gamma and chi-square -------------------------------------------


@pytest.mark.parametrize(
    ("statistic", "dof", "expected"),
    [
        # critical values as printed in chi-square tables (3 decimals)
        (3.841, 1, 0.05),
        (6.635, 1, 0.01),
        (10.828, 1, 0.001),
        (5.991, 2, 0.05),
        (9.210, 2, 0.01),
        (7.815, 3, 0.05),
        (9.488, 4, 0.05),
        (11.070, 5, 0.05),
        (18.307, 10, 0.05),
        (23.209, 10, 0.01),
        (31.410, 20, 0.05),
        (43.773, 30, 0.05),
        (124.342, 100, 0.05),
        # lower tail: P(X <= x) = 0.05
        (0.004, 1, 0.95),
        (0.103, 2, 0.95),
        (3.940, 10, 0.95),
    ],
)
def test_chi2_p_values_match_tables(statistic, dof, expected):
    assert chi2_sf(statistic, dof) == pytest.approx(expected, rel=1e-3)


def test_chi2_edges():
    assert chi2_sf(0, 3) == 1.0
    assert 0 < chi2_sf(500, 3) < 1e-100
    with pytest.raises(ValueError):
        chi2_sf(1.0, 0)
    with pytest.raises(ValueError):
        gammaincc(0, 1.0)


@given(st.integers(1, 60), st.floats(0, 200))
def test_gamma_q_of_integer_a_has_a_closed_form(n, x):
    # Q(n, x) = exp(-x) * sum(x^k / k!, k < n): crosses both the series
    # (x < n + 1) and the continued fraction
    expected = math.exp(-x) * sum(x**k / math.factorial(k) for k in range(n))
    assert gammaincc(n, x) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@given(st.floats(0, 300))
def test_gamma_q_of_one_half_is_erfc(x):
    # Q(1/2, x) = erfc(sqrt(x)): the chi-square with 1 degree of freedom
    assert gammaincc(0.5, x) == pytest.approx(
        math.erfc(math.sqrt(x)), rel=1e-9, abs=1e-300
    )


def test_chi_square_three_variants_by_hand():
    # successes/failures: A 50/150, B 30/170, C 20/180; N = 600,
    # 100 successes -> expected 200 * 100 / 600 = 33.33 successes and
    # 166.67 failures per variant.
    # A: (50 - 33.33)^2 / 33.33 = 25/3, (150 - 166.67)^2 / 166.67 = 5/3
    # B: (30 - 33.33)^2 / 33.33 = 1/3, (170 - 166.67)^2 / 166.67 = 1/15
    # C: (20 - 33.33)^2 / 33.33 = 16/3, (180 - 166.67)^2 / 166.67 = 16/15
    # chi2 = 42/3 + 42/15 = 14 + 2.8 = 16.8 with (3-1)(2-1) = 2 dof;
    # for 2 dof the tail is exp(-chi2/2) = exp(-8.4) = 0.000224867
    chi2, dof, p = chi_square([[50, 150], [30, 170], [20, 180]])
    assert chi2 == pytest.approx(16.8)
    assert dof == 2
    assert p == pytest.approx(0.000224867, rel=1e-5)


def test_chi_square_drops_empty_rows_and_columns():
    # a variant nobody got, and an outcome nobody had
    assert chi_square([[50, 150], [0, 0], [30, 170]])[:2] == pytest.approx((6.25, 1))
    assert chi_square([[0, 10], [0, 20]]) == (0.0, 0, 1.0)
    assert chi_square([]) == (0.0, 0, 1.0)


@given(st.integers(1, 5000), st.integers(1, 5000), st.floats(0, 1), st.floats(0, 1))
def test_chi_square_of_two_variants_is_the_z_test(n1, n2, share1, share2):
    x1, x2 = round(n1 * share1), round(n2 * share2)
    z, p = two_proportion_z(x1, n1, x2, n2)
    chi2, _dof, p_chi = chi_square([[x1, n1 - x1], [x2, n2 - x2]])
    assert chi2 == pytest.approx(z * z, rel=1e-9, abs=1e-9)
    assert p_chi == pytest.approx(p, rel=1e-6, abs=1e-12)


# -- winner --------------------------------------------------------------------


def two(x1=120, x2=90, n=1000):
    return [VariantCounts("A", n, replies=x1), VariantCounts("B", n, replies=x2)]


def test_winner_of_two():
    verdict = winner(two(), "reply")
    assert verdict.variant == "A"
    assert verdict.reason == "significant"
    assert verdict.p_value == pytest.approx(0.02865, abs=1e-5)
    assert winner(two(90, 120), "reply").variant == "B"


def test_no_winner_when_not_significant():
    # p = 0.02865 is not below 0.01
    assert winner(two(), "reply", alpha=0.01)[:2] == (None, "not_significant")
    assert winner(two(), "promise").reason == "too_few_events"  # no promise at all


def test_no_winner_with_too_few_samples():
    # 12% against 9% again, on 100 customers each: not enough
    assert winner(two(12, 9, 100), "reply", min_samples=200).reason == (
        "too_few_samples"
    )
    # and even with the floor lowered the test says it is noise
    assert winner(two(12, 9, 100), "reply", min_samples=50).reason == (
        "not_significant"
    )


def test_no_winner_with_too_few_events():
    # 4 replies against none: expected replies 2 per variant, below 5
    assert winner(two(4, 0, 200), "reply").reason == "too_few_events"


def test_single_variant():
    assert winner(two()[:1], "reply") == (None, "single_variant", None)


def test_winner_of_three_beats_each_other_after_bonferroni():
    results = [
        VariantCounts("A", 200, replies=50),
        VariantCounts("B", 200, replies=30),
        VariantCounts("C", 200, replies=20),
    ]
    # overall p = 0.000225 (see the chi-square by hand); A vs B p = 0.01242
    # (z = 2.5), A vs C p ~ 0.00008; Bonferroni over 2 comparisons:
    # 2 * 0.01242 = 0.02484 < 0.05
    verdict = winner(results, "reply")
    assert verdict[:2] == ("A", "significant")
    assert verdict.p_value == pytest.approx(0.02484, abs=1e-5)
    # at alpha 0.02 the overall test still passes but A vs B does not
    assert winner(results, "reply", alpha=0.02)[:2] == (None, "best_not_separated")


def test_two_leaders_are_no_winner():
    results = [
        VariantCounts("A", 200, replies=50),
        VariantCounts("B", 200, replies=48),
        VariantCounts("C", 200, replies=20),
    ]
    # the variants differ (C is worse) but A is not better than B
    assert p_value(results, "reply") < 0.05
    assert winner(results, "reply")[:2] == (None, "best_not_separated")


def test_p_value_is_the_same_test_for_two_variants():
    assert p_value(two(), "reply") == pytest.approx(
        chi_square([[120, 880], [90, 910]])[2]
    )
