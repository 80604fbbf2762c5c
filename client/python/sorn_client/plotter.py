"""The reference package's Plotter: every plot of SPEC.md, drawn with
matplotlib from NumPy arrays such as the E and C of simulate_sorn and the
state_dict's matrices.

Each function takes `savefig`: True saves under the reference's file name in
the working directory, a string saves to that path, False (the default: the
reference has none, its callers always pass it) saves nothing; plot_network
saves as the reference does, to `fig_name` or NetworkGraph.png.
Functions return the matplotlib Figure, which a notebook shows inline. The
figures are made without pyplot: importing or using this module never
chooses a backend (a notebook's inline backend, a script's own `use()` stay
as they were) and never piles figures up in pyplot's list; matplotlib itself
is imported on the first plot only, so `import sorn_client` does not need it.
(The reference returns None, from plt.show(); code written for it ignores the
value.)
"""

import numpy as np


_FIGURE_CLASS = None


def _figure_class():
    """matplotlib's Figure with a PNG representation, so that IPython shows
    it inline whatever the notebook's backend (a Figure made without pyplot
    is not known to the inline backend's display hook)."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        import io

        from matplotlib.figure import Figure

        class SornFigure(Figure):
            def _repr_png_(self):
                buffer = io.BytesIO()
                self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
                return buffer.getvalue()

        _FIGURE_CLASS = SornFigure
    return _FIGURE_CLASS


def _subplots(*grid, figsize):
    """A Figure not registered with pyplot, and its axes."""
    fig = _figure_class()(figsize=figsize)
    return fig, fig.subplots(*grid)


def _finish(fig, savefig, default_name):
    if savefig:
        path = default_name if savefig is True else str(savefig)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return fig


def _train(spike_train):
    s = np.asarray(spike_train)
    if s.ndim != 2:
        raise ValueError(f"spike_train must be T x n, got shape {s.shape}")
    return s != 0


def _nonzero(weights):
    w = np.asarray(weights, dtype=np.float64).ravel()
    w = w[w > 0]
    if w.size == 0:
        raise ValueError("no nonzero weights")
    return w


def _connection_histogram(counts, direction, bin_size, histtype, savefig, name):
    fig, ax = _subplots(figsize=(6, 4))
    ax.hist(counts, bins=bin_size, histtype=histtype)
    ax.set(xlabel=f"{direction} connections", ylabel="neurons",
           title=f"{direction.capitalize()} connections per neuron")
    return _finish(fig, savefig, name)


class Plotter:

    @staticmethod
    def hist_incoming_conn(weights, bin_size=10, histtype="bar", savefig=False):
        """Histogram of the number of incoming connections per neuron (columns)."""
        return _connection_histogram((np.asarray(weights) > 0).sum(axis=0), "incoming",
                                     bin_size, histtype, savefig,
                                     "hist_incoming_conn.png")

    @staticmethod
    def hist_outgoing_conn(weights, bin_size=10, histtype="bar", savefig=False):
        """Histogram of the number of outgoing connections per neuron (rows)."""
        return _connection_histogram((np.asarray(weights) > 0).sum(axis=1), "outgoing",
                                     bin_size, histtype, savefig,
                                     "hist_outgoing_conn.png")

    @staticmethod
    def network_connection_dynamics(connection_counts, savefig=False):
        """Connections over time, as a fraction of the first count."""
        c = np.asarray(connection_counts, dtype=np.float64)
        fig, ax = _subplots(figsize=(6, 4))
        ax.plot(c / c[0] if c.size and c[0] else c)
        ax.set(xlabel="step", ylabel="fraction of initial connections",
               title="Connection dynamics")
        return _finish(fig, savefig, "connection_dynamics.png")

    @staticmethod
    def hist_firing_rate_network(spike_train, bin_size=25, savefig=False):
        """Histogram of the number of active neurons per step."""
        fig, ax = _subplots(figsize=(6, 4))
        ax.hist(_train(spike_train).sum(axis=1), bins=bin_size)
        ax.set(xlabel="active neurons per step", ylabel="steps",
               title="Network firing rate")
        return _finish(fig, savefig, "hist_firing_rate_network.png")

    @staticmethod
    def scatter_plot(spike_train, savefig=False):
        """Every spike as a point (step, neuron)."""
        steps, neurons = np.where(_train(spike_train))
        fig, ax = _subplots(figsize=(8, 4))
        ax.scatter(steps, neurons, s=1, c="k")
        ax.set(xlabel="step", ylabel="neuron", title="Spikes")
        return _finish(fig, savefig, "ScatterSpikeTrain.png")

    @staticmethod
    def raster_plot(spike_train, savefig=False):
        """Spike raster: one row of ticks per neuron."""
        s = _train(spike_train)
        fig, ax = _subplots(figsize=(8, 4))
        ax.eventplot([np.flatnonzero(s[:, i]) for i in range(s.shape[1])],
                     colors="k", linelengths=0.8, linewidths=0.5)
        ax.set(xlabel="step", ylabel="neuron", title="Raster")
        return _finish(fig, savefig, "RasterSpikeTrain.png")

    @staticmethod
    def correlation(corr, savefig=False):
        """Heat map of a correlation matrix (e.g. Statistics.avg_corr_coeff's)."""
        fig, ax = _subplots(figsize=(5, 4))
        image = ax.imshow(np.asarray(corr), cmap="coolwarm", vmin=-1, vmax=1)
        fig.colorbar(image, ax=ax)
        ax.set(xlabel="neuron", ylabel="neuron", title="Correlation")
        return _finish(fig, savefig, "Correlation between neurons.png")

    @staticmethod
    def isi_exponential_fit(spike_train, neuron, bin_size=10, savefig=False):
        """Inter-spike intervals of one neuron with a fitted exponential
        a * exp(-b * isi) (least squares on the log of the nonzero bins)."""
        times = np.flatnonzero(_train(spike_train)[:, neuron])
        isi = np.diff(times)
        if isi.size < 2:
            raise ValueError(f"neuron {neuron} has fewer than 3 spikes")
        counts, edges = np.histogram(isi, bins=bin_size)
        centers = (edges[:-1] + edges[1:]) / 2
        keep = counts > 0
        slope, intercept = np.polyfit(centers[keep], np.log(counts[keep]), 1)
        fig, ax = _subplots(figsize=(6, 4))
        ax.bar(centers, counts, width=np.diff(edges), alpha=0.6, label="ISI")
        grid = np.linspace(centers[0], centers[-1], 100)
        ax.plot(grid, np.exp(intercept + slope * grid), "r",
                label=f"{np.exp(intercept):.1f} exp({slope:.3f} isi)")
        ax.set(xlabel="inter-spike interval (steps)", ylabel="count",
               title=f"ISI of neuron {neuron}")
        ax.legend()
        return _finish(fig, savefig, "isi_exponential_fit.png")

    @staticmethod
    def weight_distribution(weights, bin_size=30, savefig=False):
        """Histogram of the nonzero weights."""
        fig, ax = _subplots(figsize=(6, 4))
        ax.hist(_nonzero(weights), bins=bin_size)
        ax.set(xlabel="weight", ylabel="synapses", title="Weight distribution")
        return _finish(fig, savefig, "weight_distribution.png")

    @staticmethod
    def linear_lognormal_fit(weights, num_points=100, savefig=False):
        """Nonzero weights on linear and logarithmic axes with a lognormal fit
        (the normal of log weights)."""
        w = _nonzero(weights)
        mu, sigma = np.log(w).mean(), np.log(w).std()
        fig, (lin, log) = _subplots(1, 2, figsize=(10, 4))
        grid = np.linspace(w.min(), w.max(), num_points)
        pdf = np.exp(-(np.log(grid) - mu) ** 2 / (2 * sigma ** 2)) / (
            grid * sigma * np.sqrt(2 * np.pi))
        lin.hist(w, bins=30, density=True, alpha=0.6)
        lin.plot(grid, pdf, "r", label=f"lognormal mu={mu:.2f} sigma={sigma:.2f}")
        lin.set(xlabel="weight", ylabel="density", title="Linear")
        lin.legend()
        log.hist(np.log(w), bins=30, density=True, alpha=0.6)
        lgrid = np.linspace(np.log(w).min(), np.log(w).max(), num_points)
        log.plot(lgrid, np.exp(-(lgrid - mu) ** 2 / (2 * sigma ** 2)) /
                 (sigma * np.sqrt(2 * np.pi)), "r")
        log.set(xlabel="log weight", ylabel="density", title="Logarithmic")
        return _finish(fig, savefig, "LinearLognormalFit.png")

    @staticmethod
    def plot_network(corr, corr_thres=0.1, fig_name=None):
        """Neurons on a circle, joined where their correlation exceeds
        corr_thres (the reference draws this with networkx). Saved to
        fig_name; None (the reference's default, with which the reference
        writes "None.png") saves NetworkGraph.png, and False saves nothing."""
        c = np.asarray(corr)
        n = c.shape[0]
        angle = 2 * np.pi * np.arange(n) / max(n, 1)
        xy = np.stack([np.cos(angle), np.sin(angle)], axis=1)
        fig, ax = _subplots(figsize=(6, 6))
        i, j = np.where(np.triu(c, 1) > corr_thres)
        # One collection for all edges: thousands of separate lines are slow.
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(np.stack([xy[i], xy[j]], axis=1),
                                         colors="tab:blue", alpha=0.3, linewidths=0.5))
        ax.scatter(*xy.T, s=10, c="k")
        ax.set_axis_off()
        ax.set_title(f"Correlation > {corr_thres}")
        return _finish(fig, True if fig_name is None else fig_name, "NetworkGraph.png")

    @staticmethod
    def hamming_distance(hamming_dist, savefig=False):
        """Hamming distance between two runs over time."""
        fig, ax = _subplots(figsize=(6, 4))
        ax.plot(np.asarray(hamming_dist))
        ax.set(xlabel="step", ylabel="neurons in a different state",
               title="Hamming distance")
        return _finish(fig, savefig, "HammingDistance.png")
