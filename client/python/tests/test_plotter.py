"""Every plot of SPEC.md writes a non-empty PNG from a real simulation."""

import os

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
    busiest = int(np.argmax(E.sum(axis=0)))
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
        assert draw(path) == path
        assert os.path.getsize(path) > 1000, name
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", name
