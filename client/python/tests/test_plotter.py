"""Every plot of SPEC.md writes a non-empty PNG from a real simulation."""

import os
import subprocess
import sys

import matplotlib.figure
import numpy as np
import pytest

from sorn_client import Plotter, Simulator, Statistics


@pytest.fixture(scope="module")
def run(server_address):
    import sorn_client
    sorn_client.connect(server_address)
    return Simulator.simulate_sorn(inputs=np.random.default_rng(0).random((10, 1000)),
                                   phase="plasticity", matrices=None, noise=True,
                                   time_steps=1000, seed=3)


def test_every_plot_writes_a_png(run, tmp_path):
    state_dict, E, I, R, C = run
    corr, _ = Statistics.avg_corr_coeff(E[-500:])
    _, E2, *_ = Simulator.simulate_sorn(inputs=np.zeros((10, 100)), matrices=state_dict,
                                        noise=True, time_steps=100, seed=5)
    _, E3, *_ = Simulator.simulate_sorn(inputs=np.zeros((10, 100)), matrices=state_dict,
                                        noise=True, time_steps=100, seed=6)
    busiest = int(np.argmax(np.asarray(E).sum(axis=0)))  # E: a list, as the reference's.
    plots = {
        "incoming.png": lambda p: Plotter.hist_incoming_conn(state_dict["Wee"], savefig=p),
        "outgoing.png": lambda p: Plotter.hist_outgoing_conn(state_dict["Wee"], savefig=p),
        "dynamics.png": lambda p: Plotter.network_connection_dynamics(C, savefig=p),
        "rate.png": lambda p: Plotter.hist_firing_rate_network(E, savefig=p),
        "scatter.png": lambda p: Plotter.scatter_plot(E[-200:], savefig=p),
        "raster.png": lambda p: Plotter.raster_plot(E[-200:], savefig=p),
        "corr.png": lambda p: Plotter.correlation(corr, savefig=p),
        "isi.png": lambda p: Plotter.isi_exponential_fit(E, busiest, savefig=p),
        "weights.png": lambda p: Plotter.weight_distribution(state_dict["Wee"], savefig=p),
        "lognormal.png": lambda p: Plotter.linear_lognormal_fit(state_dict["Wee"], savefig=p),
        "graph.png": lambda p: Plotter.plot_network(corr, 0.2, fig_name=p),
        "hamming.png": lambda p: Plotter.hamming_distance(
            Statistics.hamming_distance(E2, E3), savefig=p),
    }
    for name, draw in plots.items():
        path = str(tmp_path / name)
        assert isinstance(draw(path), matplotlib.figure.Figure), name
        assert os.path.getsize(path) > 1000, name
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", name


def test_savefig_true_writes_the_reference_file_names(tmp_path, monkeypatch):
    """The names the reference's plt.savefig calls give (matplotlib adds
    .png to a name without one), in the working directory."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(3)
    weights = rng.random((20, 20)) * (rng.random((20, 20)) < 0.3)
    train = (rng.random((300, 20)) < 0.2).astype(float)
    counts = rng.integers(80, 120, size=300)
    corr = np.corrcoef(train.T)
    expected = {
        "hist_incoming_conn.png": lambda: Plotter.hist_incoming_conn(weights, savefig=True),
        "hist_outgoing_conn.png": lambda: Plotter.hist_outgoing_conn(weights, savefig=True),
        "connection_dynamics.png": lambda: Plotter.network_connection_dynamics(
            counts, savefig=True),
        "hist_firing_rate_network.png": lambda: Plotter.hist_firing_rate_network(
            train, savefig=True),
        "ScatterSpikeTrain.png": lambda: Plotter.scatter_plot(train, savefig=True),
        "RasterSpikeTrain.png": lambda: Plotter.raster_plot(train, savefig=True),
        "Correlation between neurons.png": lambda: Plotter.correlation(corr, savefig=True),
        "weight_distribution.png": lambda: Plotter.weight_distribution(weights, savefig=True),
        "LinearLognormalFit.png": lambda: Plotter.linear_lognormal_fit(weights, savefig=True),
        "HammingDistance.png": lambda: Plotter.hamming_distance([1, 0, 2, 3], savefig=True),
    }
    for name, draw in expected.items():
        draw()
        assert (tmp_path / name).is_file(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)


def test_plotting_never_chooses_a_backend_nor_needs_pyplot(tmp_path):
    # A notebook's (or a script's) backend stays as it was: the test sets
    # one, imports the client, plots, and checks that the backend, pyplot's
    # figure list and the module set are untouched.
    code = """
import sys
import numpy as np
import sorn_client
assert "matplotlib" not in sys.modules, "import sorn_client imported matplotlib"
import matplotlib
matplotlib.use("svg")
from matplotlib.figure import Figure
from sorn_client import Plotter
spikes = np.random.default_rng(1).random((50, 20)) < 0.2
fig = Plotter.raster_plot(spikes, savefig=False)
assert isinstance(fig, Figure) and len(fig.axes) == 1
assert fig.axes[0].get_title() or fig.axes[0].get_xlabel()
assert matplotlib.get_backend() == "svg", matplotlib.get_backend()
assert fig._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"  # what IPython shows inline.
assert "matplotlib.pyplot" not in sys.modules, "plotting imported pyplot"
fig = Plotter.weight_distribution(np.random.default_rng(2).random((20, 20)), savefig="w.png")
import os
import subprocess
import sys
assert os.path.getsize("w.png") > 1000
print("backend kept")
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "MPLBACKEND": ""}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "backend kept" in result.stdout
