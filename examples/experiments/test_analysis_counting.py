"""Unit tests of the counting task's analysis (numpy only, no server):

    /usr/bin/python3 -m pytest -q -p no:cacheprovider examples/experiments/test_analysis_counting.py
"""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import counting_task as ct  # noqa: E402


def test_word_sequence_is_made_of_whole_words():
    rng = np.random.default_rng(0)
    n = 5
    s = ct.word_sequence(n, 7 * 1000, rng)
    assert s.size == 7000
    words = s.reshape(-1, n + 2)
    for w in words:
        assert w[0] in (0, 3)
        assert np.all(w[1:-1] == w[0] + 1) and w[-1] == w[0] + 2
    # each word with probability 1/2
    assert abs(np.mean(words[:, 0] == 0) - 0.5) < 0.05


def test_one_hot():
    y = ct.one_hot([2, 0, 1], 3)
    assert y.shape == (3, 3)
    np.testing.assert_array_equal(y, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])


def test_pinv_readout_recovers_a_linear_map():
    # features that are a one-hot code of the label (plus a constant column)
    # are read out perfectly; the weights are the least-squares solution.
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 6, 500)
    feats = np.hstack([ct.one_hot(labels, 6).T, np.ones((500, 1))])
    w = ct.fit_pinv_readout(feats, labels, 6)
    assert w.shape == (6, 7)
    np.testing.assert_array_equal(ct.predict(w, feats), labels)
    # least squares: equals lstsq
    expected = np.linalg.lstsq(feats, ct.one_hot(labels, 6).T, rcond=None)[0].T
    np.testing.assert_allclose(w, expected, atol=1e-10)


def test_pinv_readout_equals_numpy_pinv_on_rank_deficient_binary_features():
    # binary features with silent neurons and duplicated neurons (rank
    # deficient, as reservoir states are): the same weights as Y pinv(X).
    rng = np.random.default_rng(2)
    feats = (rng.random((3000, 80)) < 0.1).astype(float)
    feats[:, 5] = 0.0
    feats[:, 7] = feats[:, 3]
    feats[:, 9] = feats[:, 1] + feats[:, 2] - feats[:, 1] * feats[:, 2]
    labels = rng.integers(0, 6, 3000)
    w = ct.fit_pinv_readout(feats, labels, 6)
    expected = ct.one_hot(labels, 6) @ np.linalg.pinv(feats.T)
    np.testing.assert_allclose(w, expected, atol=1e-8)
    np.testing.assert_array_equal(ct.predict(w, feats), ct.predict(expected, feats))


def test_scored_accuracy_excludes_word_starts():
    letters = np.array([0, 1, 1, 2, 3, 4, 4, 5])
    predicted = np.array([5, 1, 1, 1, 0, 4, 4, 4])  # wrong on starts and ends
    # scored: 1 1 2 4 4 5 -> right 4 of 6
    assert ct.scored_accuracy(predicted, letters) == pytest.approx(4 / 6)
    assert ct.subset_accuracy(predicted, letters, ct.WORD_ENDS) == 0.0
    assert ct.subset_accuracy(letters, letters, ct.WORD_ENDS) == 1.0


@pytest.mark.parametrize("n", [4, 10, 25])
def test_current_letter_reservoir_scores_the_baseline(n):
    # The reservoir that knows only the previous letter, through the same
    # readout, lands on n / (n + 1) (up to where the test window cuts words).
    got = ct.empirical_baseline(n, 5000, seed=3)
    assert got == pytest.approx(ct.current_letter_baseline(n), abs=0.01)
    assert ct.current_letter_baseline(4) == pytest.approx(0.8)


def test_a_counting_reservoir_scores_one():
    # Features that code (letter, position in word) perfectly predict every
    # scored step: the state before each letter holds the previous letter and
    # how far into the word it is.
    n = 6
    letters = ct.word_sequence(n, 4000, np.random.default_rng(4))
    pos = np.tile(np.arange(n + 2), 4000 // (n + 2) + 1)[:letters.size]
    word = (letters >= 3).astype(int)
    state = word * (n + 2) + pos  # the state at step t, after letter t
    feats = np.zeros((letters.size, 2 * (n + 2)))
    feats[np.arange(1, letters.size), state[:-1]] = 1.0  # before letter t
    w = ct.fit_pinv_readout(feats[1:2001], letters[1:2001], 6)
    assert ct.scored_accuracy(ct.predict(w, feats[2001:]), letters[2001:]) == 1.0
    assert ct.subset_accuracy(ct.predict(w, feats[2001:]), letters[2001:],
                              ct.WORD_ENDS) == 1.0


def test_mean_sd():
    assert ct.mean_sd([1.0, 3.0]) == (2.0, pytest.approx(np.sqrt(2.0)))
    assert ct.mean_sd([0.5]) == (0.5, 0.0)


def test_linear_slope_of_an_exact_line():
    x = np.array([4, 6, 8, 10, 20])
    assert ct.linear_slope(x, 0.3 * x - 2) == pytest.approx(0.3)


def test_bootstrap_slope_covers_the_true_slope():
    rng = np.random.default_rng(5)
    x = np.array([4, 6, 8, 10, 12, 15, 20, 25, 30], dtype=float)
    true = 0.01
    samples = true * x[:, None] + rng.normal(0, 0.02, (x.size, 10))
    slope, low, high = ct.bootstrap_slope(x, samples, np.random.default_rng(6), 1000)
    assert low < true < high
    assert low < slope < high
    assert abs(slope - true) < 0.003
    # no trend: the interval holds 0
    flat = rng.normal(0, 0.02, (x.size, 10))
    _, low, high = ct.bootstrap_slope(x, flat, np.random.default_rng(7), 1000)
    assert low < 0 < high


def test_inputs_layouts():
    letters = np.array([0, 5, 2])
    u = ct.inputs(letters, variants=True)
    assert u.shape == (6, 3) and u.sum() == 3 and u[5, 1] == 1
    u = ct.inputs(letters, variants=False)
    assert u.shape == (60, 3) and u.sum() == 30
    assert np.all(u[50:60, 1] == 1) and np.all(u[20:30, 2] == 1)
