"""The reference package's Statistics, in NumPy, on spike trains (T x n
arrays of 0/1, rows are steps) such as the E, I, R of simulate_sorn.

The conventions are sorn-server's (README, "Statistics conventions"): they
hold for any network size, fanofactor uses windows of `window_size` steps and
drops a last partial window, and undefined quantities raise ValueError
instead of returning NaN.
"""

import numpy as np


def _train(spike_train):
    s = np.asarray(spike_train)
    if s.ndim != 2:
        raise ValueError(f"spike_train must be T x n, got shape {s.shape}")
    return s != 0


class Statistics:

    @staticmethod
    def firing_rate_network(spike_train):
        """Number of active neurons at each step."""
        return _train(spike_train).sum(axis=1)

    @staticmethod
    def firing_rate_neuron(spike_train, neuron, bin_size):
        """(time_period, bin_size, spike_rate): spikes of `neuron` per bin, averaged
        (total spikes * bin_size / T)."""
        s = _train(spike_train)
        if not 0 <= neuron < s.shape[1] or bin_size < 1 or s.shape[0] == 0:
            raise ValueError("need 0 <= neuron < n, bin_size >= 1 and a non-empty train")
        time_period = s.shape[0]
        return time_period, bin_size, s[:, neuron].sum() * bin_size / time_period

    @staticmethod
    def scale_dependent_smoothness_measure(firing_rates):
        diff = np.diff(np.asarray(firing_rates, dtype=np.float64))
        if diff.size == 0:
            raise ValueError("smoothness needs at least 2 rates")
        return float(np.std(diff))

    @staticmethod
    def scale_independent_smoothness_measure(firing_rates):
        diff = np.diff(np.asarray(firing_rates, dtype=np.float64))
        if diff.size == 0 or np.mean(diff) == 0:
            raise ValueError("undefined: need >= 2 rates and a nonzero mean difference")
        return float(np.std(diff) / abs(np.mean(diff)))

    @staticmethod
    def autocorr(firing_rates, t=2):
        """The 2 x 2 correlation matrix of the series and itself shifted by t."""
        rates = np.asarray(firing_rates, dtype=np.float64)
        if not 1 <= t <= rates.size - 2:
            raise ValueError(f"lag must be in [1, {rates.size - 2}], got {t}")
        a, b = rates[:-t], rates[t:]
        if np.std(a) == 0 or np.std(b) == 0:
            raise ValueError("autocorrelation is undefined for a constant series")
        return np.corrcoef(np.array([a, b]))

    @staticmethod
    def avg_corr_coeff(spike_train):
        """(correlation matrix, mean over pairs of neurons that both vary)."""
        s = _train(spike_train).astype(np.float64)
        if s.shape[0] < 2:
            raise ValueError("correlation needs at least 2 steps")
        centered = s - s.mean(axis=0)
        cov = centered.T @ centered
        var = np.diag(cov).copy()
        varies = var > 0
        denom = np.sqrt(np.outer(var, var))
        corr = np.divide(cov, denom, out=np.zeros_like(cov), where=denom > 0)
        np.fill_diagonal(corr, 1.0)
        pair = np.outer(varies, varies)
        np.fill_diagonal(pair, False)
        mean = float(corr[pair].mean()) if pair.any() else 0.0
        return corr, mean

    @staticmethod
    def spike_times(spike_train):
        """(steps, neurons) of every spike, as numpy.where gives them."""
        return np.where(_train(spike_train))

    @staticmethod
    def spike_time_intervals(spike_train):
        """Intervals between consecutive spikes: of the one neuron of a 1-D
        train (as the reference's ISI plot passes it), or of each neuron of a
        (steps, neurons) train, all neurons concatenated (neuron 0's first)."""
        one = np.asarray(spike_train)
        if one.ndim == 1:
            return np.diff(np.flatnonzero(one))
        s = _train(spike_train)
        return np.concatenate([np.diff(np.flatnonzero(s[:, i])) for i in range(s.shape[1])]
                              or [np.zeros(0, np.int64)])

    @staticmethod
    def hamming_distance(actual_spike_train, perturbed_spike_train):
        a, b = _train(actual_spike_train), _train(perturbed_spike_train)
        if a.shape != b.shape:
            raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
        # A list of ints, one per step, as the reference returns.
        return [int(v) for v in (a != b).sum(axis=1)]

    @staticmethod
    def fanofactor(spike_train, neuron, window_size):
        """(mean, variance, fano factor) of the neuron's spike counts over
        windows of window_size steps (a last partial window is dropped)."""
        s = _train(spike_train)
        if not 0 <= neuron < s.shape[1] or window_size < 1:
            raise ValueError("need 0 <= neuron < n and window_size >= 1")
        windows = s.shape[0] // window_size
        if windows == 0:
            raise ValueError(f"no complete window of {window_size} steps")
        counts = s[:windows * window_size, neuron].reshape(windows, window_size).sum(axis=1)
        mean, variance = counts.mean(), counts.var()
        if mean == 0:
            raise ValueError(f"Fano factor is undefined: neuron {neuron} never fires")
        return float(mean), float(variance), float(variance / mean)

    @staticmethod
    def spike_source_entropy(spike_train, num_neurons):
        s = _train(spike_train)
        if num_neurons < 2:
            raise ValueError("num_neurons must be >= 2")
        total = s.sum()
        if total == 0:
            raise ValueError("spike source entropy is undefined without spikes")
        p = s.sum(axis=0) / total
        p = p[p > 0]
        return float(np.sum(p * np.log(p)) / np.log(1 / num_neurons))
