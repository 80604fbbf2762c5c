"""Unit tests of analysis.py on synthetic data whose answer is known.

    /usr/bin/python3 -m pytest -q -p no:cacheprovider examples/experiments/test_analysis.py
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analysis  # noqa: E402


def test_erfc_and_normal_cdf_match_math():
    for x in (-4.0, -1.3, -0.2, 0.0, 0.5, 1.7, 3.5, 6.0):
        assert abs(analysis.erfc(x) - math.erfc(x)) <= 2e-7 * math.erfc(x) + 1e-15
    assert abs(analysis.normal_cdf(1.959964) - 0.975) < 1e-6
    assert abs(analysis.normal_sf(1.959964) - 0.025) < 1e-6


def test_nelder_mead_finds_minimum_of_quadratic():
    x, fx = analysis.nelder_mead(lambda p: (p[0] - 1.5) ** 2 + 3 * (p[1] + 2) ** 2 + 7, [0, 0])
    assert np.allclose(x, [1.5, -2.0], atol=1e-4) and abs(fx - 7) < 1e-8


def test_bisect_root():
    assert abs(analysis.bisect(lambda x: x ** 3 - 8, 0, 5) - 2) < 1e-9


def test_discrete_power_law_recovers_exponent_and_se():
    rng = np.random.default_rng(1)
    data = analysis.sample_discrete_power_law(1.5, 10, 1500, 20000, rng)
    # values outside the range must be ignored
    fit = analysis.fit_discrete_power_law(np.concatenate((data, [1, 2, 5000])), 10, 1500)
    assert fit["n"] == 20000
    assert abs(fit["alpha"] - 1.5) < 4 * fit["se"]
    assert 0.003 < fit["se"] < 0.02
    assert fit["ks"] < 1.36 / math.sqrt(20000)  # consistent with the model.


def test_discrete_power_law_se_matches_spread_over_samples():
    rng = np.random.default_rng(2)
    fits = [analysis.fit_discrete_power_law(
        analysis.sample_discrete_power_law(2.0, 6, 60, 2000, rng), 6, 60) for _ in range(200)]
    alphas = np.array([f["alpha"] for f in fits])
    se = np.mean([f["se"] for f in fits])
    assert abs(alphas.mean() - 2.0) < 0.02
    assert 0.8 < alphas.std() / se < 1.2


def test_discrete_power_law_ks_detects_wrong_model():
    rng = np.random.default_rng(3)
    data = 6 + rng.geometric(0.1, 20000) - 1
    fit = analysis.fit_discrete_power_law(data, 6, 60)
    assert fit["ks"] > 5 * 1.36 / math.sqrt(fit["n"])


def test_power_law_vs_exponential_picks_the_true_model():
    rng = np.random.default_rng(4)
    pl = analysis.sample_discrete_power_law(1.5, 10, 1500, 5000, rng)
    assert analysis.power_law_vs_exponential(pl, 10, 1500)["normalized_R"] > 3
    ex = 10 + rng.geometric(0.02, 5000) - 1
    assert analysis.power_law_vs_exponential(ex, 10, 1500)["normalized_R"] < -3
    lam, _ = analysis.fit_discrete_exponential(ex, 10, 1500)
    assert abs(lam - (-math.log(1 - 0.02))) < 0.002


def test_truncated_lognormal_fit_recovers_parameters():
    rng = np.random.default_rng(5)
    w = np.exp(rng.normal(-3.0, 1.2, 200000))
    fit = analysis.fit_truncated_lognormal(w, 0.01, 1.0)
    # the mean of ln w in range is not mu: truncation must be handled.
    assert abs(fit["mu"] - (-3.0)) < 0.05 and abs(fit["sigma"] - 1.2) < 0.04
    inside = w[(w >= 0.01) & (w <= 1)]
    assert abs(np.log(inside).mean() - (-3.0)) > 0.15
    assert fit["ks"] < 1.36 / math.sqrt(fit["n"])


def test_truncated_lognormal_sampler_and_cdf():
    rng = np.random.default_rng(6)
    w = analysis.sample_truncated_lognormal(-2.5, 1.0, 0.01, 1.0, 50000, rng)
    assert w.min() >= 0.01 and w.max() <= 1.0
    assert analysis.ks_truncated_lognormal(w, -2.5, 1.0, 0.01, 1.0) < 1.36 / math.sqrt(50000)


def test_lognormal_bootstrap_p_value_accepts_true_rejects_wrong():
    rng = np.random.default_rng(7)
    good = np.exp(rng.normal(-3.0, 1.0, 3000))
    assert analysis.lognormal_bootstrap(good, 0.01, 1, 60, rng)["p_value"] > 0.05
    # a mixture of two well separated lognormals is not lognormal.
    bad = np.exp(np.concatenate((rng.normal(-4.0, 0.3, 2000), rng.normal(-1.0, 0.3, 2000))))
    assert analysis.lognormal_bootstrap(bad, 0.01, 1, 60, rng)["p_value"] < 0.05


def test_lognormal_vs_alternatives_signs():
    rng = np.random.default_rng(8)
    w = np.exp(rng.normal(-3.0, 0.7, 5000))
    alt = analysis.lognormal_vs_alternatives(w, 0.01, 1)
    assert alt["exponential"]["normalized_R"] > 3 and alt["power_law"]["normalized_R"] > 3
    # a pure truncated power law w^-1.5 on [0.01, 1] (inverse CDF).
    u = rng.random(5000)
    a, lo, hi = 1.5, 0.01, 1.0
    pl = (lo ** (1 - a) + u * (hi ** (1 - a) - lo ** (1 - a))) ** (1 / (1 - a))
    alt = analysis.lognormal_vs_alternatives(pl, lo, hi)
    assert abs(alt["power_law"]["parameter"] - 1.5) < 0.05
    assert alt["power_law"]["normalized_R"] < 1  # lognormal no better than the truth.


def test_vuong_symmetric():
    a = np.array([0.0, 1.0, 2.0, 3.0])
    r, z, p = analysis.vuong(a + 1, a)
    assert r == 4 and z == float("inf")
    r, z, p = analysis.vuong([1.0, -1.0, 2.0, -2.0], [0.0, 0.0, 0.0, 0.0])
    assert r == 0 and z == 0 and abs(p - 1) < 1e-6


def test_lab_lognormal_curve_fit_on_exact_lognormal_counts():
    rng = np.random.default_rng(9)
    w = np.exp(rng.normal(-3.0, 0.8, 400000))
    fit = analysis.lab_lognormal_curve_fit(w)
    # the lab's odd bin points and counts per (unequal) bin bias mu and sigma;
    # the fit must still land near the truth and follow the counts.
    assert abs(fit["mu"] - (-3.0)) < 0.8 and 0.4 < fit["sigma"] < 1.6
    assert fit["residual_norm"] < 0.2 * max(fit["counts"])
    # counts in log bins of a lognormal are exactly a scaled lognormal pdf
    # times x: at geometric centers the fitted mu is the true mu + sigma^2 = -3 + 0.64.
    geo = analysis.lab_lognormal_curve_fit(w, centers="geometric")
    assert abs(geo["mu"] - (-3.0 + 0.64)) < 0.1 and abs(geo["sigma"] - 0.8) < 0.1


def test_lab_power_law_curve_fit():
    rng = np.random.default_rng(10)
    # continuous power law P(L) ~ L^-2 on [50, 1e5]: counts per log bin ~ L^-1.
    u = rng.random(500000)
    a, lo, hi = 2.0, 50.0, 1e5
    lifetimes = (lo ** (1 - a) + u * (hi ** (1 - a) - lo ** (1 - a))) ** (1 / (1 - a))
    fit = analysis.lab_power_law_curve_fit(lifetimes, centers="geometric")
    assert abs(fit["k"] - (-1.0)) < 0.05 and abs(fit["density_exponent"] - 2.0) < 0.05
    lab = analysis.lab_power_law_curve_fit(lifetimes)  # the lab's biased bin points.
    assert lab["k"] < fit["k"] - 0.2


def test_log_binned_density_of_uniform_integers():
    data = np.arange(1, 1001).repeat(3)
    centers, density = analysis.log_binned_density(data)
    assert np.allclose(density, 1 / 1000)
    assert np.all(np.diff(centers) > 0)
    c, d, counts = analysis.log_binned_density_continuous(np.array([0.5, 1.5, 15.0]), 1, 100, 2)
    assert counts.tolist() == [1, 1] and np.allclose(c, [math.sqrt(10), math.sqrt(1000)])


def test_avalanches_by_hand():
    a = np.array([12, 9, 11, 13, 10, 15, 15, 11, 3, 12])
    sizes, durations = analysis.avalanches(a, 10)
    # runs > 10: [12] (start kept), [11, 13], [15, 15, 11]; the final [12] unfinished.
    assert durations.tolist() == [1, 2, 3]
    assert sizes.tolist() == [2, 1 + 3, 5 + 5 + 1]


def test_crackling_gamma_exact():
    durations = np.repeat(np.arange(1, 100), 3)
    sizes = 2.0 * durations ** 1.4
    assert abs(analysis.crackling_gamma(sizes, durations, 6, 60) - 1.4) < 1e-9
    t, s = analysis.mean_size_by_duration(np.array([1, 3, 5]), np.array([1, 1, 2]))
    assert t.tolist() == [1, 2] and s.tolist() == [2, 5]


def test_lifetime_tracker():
    tracker = analysis.LifetimeTracker(4)
    # synapse 0 exists from the start (censored), 1 born at 1 dies at 3,
    # 2 born at 2 dies at 3, 3 born at 2 still alive at the end (censored).
    for mask in ([1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 1]):
        tracker.add(np.array(mask, dtype=bool))
    assert sorted(tracker.result().tolist()) == [1, 2]
    tracker = analysis.LifetimeTracker(4)
    for idx in ([0], [0, 2], [2], []):
        tracker.add(np.array(idx, dtype=np.int64))
    assert tracker.result().tolist() == [2]


def test_lab_power_law_curve_fit_without_data_is_nan():
    fit = analysis.lab_power_law_curve_fit(np.array([5, 20000]))
    assert math.isnan(fit["k"]) and sum(fit["counts"]) == 0
