"""Statistics: hand-computed values (the train of core's statistics_test),
and agreement with the server's GetStatistics on the same activity."""

import numpy as np

import sorn_client.results
import pytest

from sorn_client import Statistics

# 6 steps x 3 neurons; neuron 2 is silent.
TRAIN = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0], [1, 0, 0], [1, 1, 0]], float)


def test_hand_computed_values():
    np.testing.assert_array_equal(Statistics.firing_rate_network(TRAIN), [1, 1, 2, 0, 1, 2])
    assert Statistics.firing_rate_neuron(TRAIN, 0, 4) == (6, 4, 4 * 4 / 6)
    rates = [1, 1, 2, 0, 1, 2]
    assert Statistics.scale_dependent_smoothness_measure(rates) == pytest.approx(np.sqrt(1.36))
    assert Statistics.scale_independent_smoothness_measure(rates) == pytest.approx(
        np.sqrt(1.36) / 0.2)
    assert Statistics.autocorr([1, 2, 3, 5, 4], 1)[0, 1] == pytest.approx(4.5 / np.sqrt(8.75 * 5))
    corr, mean = Statistics.avg_corr_coeff(TRAIN)
    assert corr[2, 0] == 0 and corr[2, 2] == 1 and mean == pytest.approx(0.0, abs=1e-12)
    steps, neurons = Statistics.spike_times(TRAIN)
    np.testing.assert_array_equal(steps[neurons == 0], [0, 2, 4, 5])
    np.testing.assert_array_equal(Statistics.spike_time_intervals(TRAIN), [2, 2, 1, 1, 3])
    other = TRAIN.copy()
    other[0, 0], other[0, 2], other[3, 1] = 0, 1, 1
    np.testing.assert_array_equal(Statistics.hamming_distance(TRAIN, other), [2, 0, 0, 1, 0, 0])
    mean, var, fano = Statistics.fanofactor(TRAIN, 0, 2)
    assert (mean, var) == (pytest.approx(4 / 3), pytest.approx(2 / 9))
    p = np.array([4, 3]) / 7
    assert Statistics.spike_source_entropy(TRAIN, 3) == pytest.approx(
        np.sum(p * np.log(p)) / np.log(1 / 3))


def test_undefined_values_raise():
    with pytest.raises(ValueError):
        Statistics.fanofactor(TRAIN, 2, 2)  # silent neuron
    with pytest.raises(ValueError):
        Statistics.spike_source_entropy(np.zeros((4, 3)), 3)
    with pytest.raises(ValueError):
        Statistics.autocorr([3, 3, 3, 3], 1)


def test_agrees_with_the_server(client):
    session = client.create_session("stats-py", seed=4)
    out = session.run(timesteps=1500, generated={"kind": "UNIFORM", "seed": 1})
    E = out["x"][-1000:]
    server = session.statistics(last_steps=1000, neuron=5, window_size=20, lag=3)
    rates = Statistics.firing_rate_network(E)
    np.testing.assert_array_equal(rates, server.firing_rate_network)
    assert Statistics.scale_dependent_smoothness_measure(rates) == pytest.approx(
        server.scale_dependent_smoothness, rel=1e-12)
    assert Statistics.autocorr(rates, 3)[0, 1] == pytest.approx(server.autocorrelation, rel=1e-9)
    assert Statistics.avg_corr_coeff(E)[1] == pytest.approx(server.mean_correlation, rel=1e-9)
    assert Statistics.fanofactor(E, 5, 20)[2] == pytest.approx(server.fano_factor, rel=1e-12)
    assert Statistics.spike_source_entropy(E, 200) == pytest.approx(
        server.spike_source_entropy, rel=1e-12)
    # Plain Python: arrays and floats, None for what was not asked.
    assert isinstance(server, sorn_client.results.SessionStatistics)
    assert server.steps == 1000 and server.neurons == 200
    assert isinstance(server.firing_rate_network, np.ndarray)
    assert server.firing_rate_network.shape == (1000,)
    assert type(server.fano_factor) is float
    assert server.correlation_matrix is None or server.correlation_matrix.shape == (200, 200)
    assert "SessionStatistics(steps=1000, neurons=200" in repr(server)
    some = session.statistics(last_steps=200, population="Inhibitory")
    assert some.neurons == 40 and some.steps == 200
    session.delete()


def test_reference_return_types_and_a_one_neuron_isi():
    # The reference's ISI plot passes one neuron's 1-D train.
    np.testing.assert_array_equal(Statistics.spike_time_intervals(TRAIN[:, 0]), [2, 2, 1])
    assert Statistics.spike_time_intervals(np.zeros(5)).size == 0
    # hamming_distance is a list of ints, one per step, as the reference's.
    other = TRAIN.copy()
    other[0, 0] = 0
    distance = Statistics.hamming_distance(TRAIN, other)
    assert type(distance) is list and distance == [1, 0, 0, 0, 0, 0]
    assert all(type(d) is int for d in distance)
