"""The reference's module API (sorn.sorn, sorn.utils, sorn.callbacks of
releases 0.6.2 and 0.7.3) from sorn_client.sorn and sorn_client.utils: every
public name with the reference's signature, and the local building blocks'
behaviour on hand-computed cases. No server is needed."""

import ast
import inspect
import logging

import numpy as np
import pytest

import sorn_client
import sorn_client.sorn as sorn_module
import sorn_client.utils as utils_module
from sorn_client.callbacks import Callbacks, Validate
from sorn_client.initializer import SornInputError
from sorn_client.sorn import MatrixCollection, NetworkState, Plasticity, Sorn
from sorn_client.utils import Initializer

# ---------------------------------------------------------------------------
# The reference's signatures, written down from its source. A name is looked
# up in our module as attribute path; "Class" alone is the constructor call.

_INITIALIZER_BOTH = {
    "Initializer": "",
    "Initializer.generate_strong_inp": "length, reservoir_size",
    "Initializer.multi_one_hot_inp": "ne, inputs, n_nodes_per_inp",
    "Initializer.generate_gaussian_inputs": "length, reservoir_size",
    "Initializer.normalize_weight_matrix": "weight_matrix",
    "Initializer.generate_lambd_connections":
        "synaptic_connection, ne, ni, lambd_w, lambd_std",
    "Initializer.get_incoming_connection_dict": "weights",
    "Initializer.get_outgoing_connection_dict": "weights",
    "Initializer.white_gaussian_noise": "mu, sigma, t",
    "Initializer.zero_sum_incoming_check": "weights",
}
_PLOTTER_STATISTICS = {  # identical in both releases
    "Plotter": "",
    "Plotter.hist_incoming_conn": "weights, bin_size, histtype, savefig",
    "Plotter.hist_outgoing_conn": "weights, bin_size, histtype, savefig",
    "Plotter.network_connection_dynamics": "connection_counts, savefig",
    "Plotter.hist_firing_rate_network": "spike_train, bin_size, savefig",
    "Plotter.scatter_plot": "spike_train, savefig",
    "Plotter.raster_plot": "spike_train, savefig",
    "Plotter.correlation": "corr, savefig",
    "Plotter.isi_exponential_fit": "spike_train, neuron, bin_size, savefig",
    "Plotter.weight_distribution": "weights, bin_size, savefig",
    "Plotter.linear_lognormal_fit": "weights, num_points, savefig",
    "Plotter.plot_network": "corr, corr_thres, fig_name=None",
    "Plotter.hamming_distance": "hamming_dist, savefig",
    "Statistics": "",
    "Statistics.firing_rate_neuron": "spike_train, neuron, bin_size",
    "Statistics.firing_rate_network": "spike_train",
    "Statistics.scale_dependent_smoothness_measure": "firing_rates",
    "Statistics.scale_independent_smoothness_measure": "firing_rates",
    "Statistics.autocorr": "firing_rates, t=2",
    "Statistics.avg_corr_coeff": "spike_train",
    "Statistics.spike_times": "spike_train",
    "Statistics.spike_time_intervals": "spike_train",
    "Statistics.hamming_distance": "actual_spike_train, perturbed_spike_train",
    "Statistics.fanofactor": "spike_train, neuron, window_size",
    "Statistics.spike_source_entropy": "spike_train, num_neurons",
}
UTILS = {
    "0.6.2": {**_INITIALIZER_BOTH, **_PLOTTER_STATISTICS,
              "Initializer.prune_small_weights": "weights, cutoff_weight",
              "Initializer.set_max_cutoff_weight": "weights, cutoff_weight",
              "Initializer.get_unconnected_indexes": "wee"},
    "0.7.3": {**_INITIALIZER_BOTH, **_PLOTTER_STATISTICS,
              "Initializer.reset_min": "z, cutoff_val",
              "Initializer.reset_max": "z, cutoff_val",
              "Initializer.inactive_synapses": "wee"},
}
_MODEL_BOTH = {
    "Sorn": "",
    "Sorn.initialize_weight_matrix": "network_type, synaptic_connection, self_connection, lambd_w",
    "Sorn.initialize_threshold_matrix": "te_min, te_max, ti_min, ti_max",
    "Sorn.initialize_activity_vector": "ne, ni",
    "Plasticity": "",
    "Plasticity.stdp": "self, wee, x, cutoff_weights",
    "Plasticity.ip": "self, te, x",
    "Plasticity.ss": "wee",
    "Plasticity.istdp": "self, wei, x, y, cutoff_weights",
    "Plasticity.structural_plasticity": "wee",
    "Plasticity.initialize_plasticity": "",
    "MatrixCollection.weight_matrix": "self, wee, wei, wie, i",
    "MatrixCollection.threshold_matrix": "self, te, ti, i",
    "MatrixCollection.network_activity_t": "self, excitatory_net, inhibitory_net, i",
    "MatrixCollection.network_activity_t_1": "self, x, y, i",
    "NetworkState": "v_t",
    "NetworkState.incoming_drive": "self, weights, activity_vector",
    "NetworkState.excitatory_network_state": "self, wee, wei, te, x, y, white_noise_e",
    "NetworkState.inhibitory_network_state": "self, wie, ti, y, white_noise_i",
    "NetworkState.recurrent_drive": "self, wee, wei, te, x, y, white_noise_e",
    **_INITIALIZER_BOTH,  # sorn.sorn imports Initializer
}
_RECORDERS = ["ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation", "WEE",
              "WEI", "TE", "TI", "EEConnectionCounts", "EIConnectionCounts",
              "IEConnectionCounts"]
_CALLBACKS = {  # 0.7.3's sorn.sorn does `from sorn.callbacks import *`
    "Callbacks": "timesteps, avail_callbacks, *argv",
    "Callbacks.create": "self, class_name",
    "Callbacks.update": "self, func, value, timestep",
    "Callbacks.step": "self, state, time_step",
    "Callbacks.get": "self",
    "Validate": "",
    "Validate.callbacks": "self, req_callbacks, avail_callbacks",
    "Validate.assert_callbacks": "self",
    **{f"{name}{method}": spec for name in _RECORDERS for method, spec in (
        ("", "timesteps=0"), (".__setitem__", "self, index, value"),
        (".__getitem__", "self, index"), (".__str__", "self"))},
}
MODEL = {
    "0.6.2": {**_MODEL_BOTH, "MatrixCollection": "phase, matrices=None"},
    "0.7.3": {**_MODEL_BOTH, **_CALLBACKS, "MatrixCollection": "phase, state=None"},
}
# The reference's Simulator and Trainer are instances (bound methods: no self).
SIMULATOR = {
    "0.6.2": {
        "Simulator_": "", "Trainer_": "",
        "Simulator.simulate_sorn": "inputs=None, phase='plasticity', matrices=None, "
                                   "time_steps=None, noise=True, freeze=None, **kwargs",
        "Trainer.train_sorn": "inputs=None, phase='training', matrices=None, "
                              "time_steps=None, noise=True, freeze=None, **kwargs",
    },
    "0.7.3": {
        "Simulator_": "", "Trainer_": "",
        # Simulator_/Trainer_.update_callback_state(*args) is left out: it is
        # the reference's step loop writing into its own self.callback_state,
        # public by spelling only, with no effect outside that loop.
        "Simulator.run": "inputs=None, phase='plasticity', state=None, timesteps=None, "
                         "noise=True, freeze=None, callbacks=[], **kwargs",
        "Trainer.run": "inputs=None, phase='training', state=None, timesteps=None, "
                       "noise=True, freeze=None, callbacks=[], **kwargs",
    },
}

_P = inspect.Parameter


def _reference_params(spec):
    """[(name, kind, default)] of a parameter list written as Python source."""
    args = ast.parse(f"def f({spec}): pass").body[0].args
    defaults = [_P.empty] * (len(args.args) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults]
    params = [(a.arg, _P.POSITIONAL_OR_KEYWORD, d) for a, d in zip(args.args, defaults)]
    if args.vararg:
        params.append((args.vararg.arg, _P.VAR_POSITIONAL, _P.empty))
    if args.kwarg:
        params.append((args.kwarg.arg, _P.VAR_KEYWORD, _P.empty))
    return params


def _lookup(module, path):
    obj = module
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _assert_callable_as_reference(ours, spec, aliases=None):
    """Every call the reference's signature accepts binds the same way to
    ours: the same positional names (or a listed alias) in the same order,
    the reference's defaults, and ours adds only optional parameters."""
    aliases = aliases or {}
    ref = _reference_params(spec)
    mine = list(inspect.signature(ours).parameters.values())
    ref_named = [p for p in ref if p[1] == _P.POSITIONAL_OR_KEYWORD]
    assert len(mine) >= len(ref_named), f"ours {mine}, reference {ref}"
    for (name, _, default), param in zip(ref_named, mine):
        assert param.name == aliases.get(name, name), f"ours {mine}, reference {ref}"
        assert param.kind == _P.POSITIONAL_OR_KEYWORD
        if default is not _P.empty:
            assert param.default == default, (
                f"{name}: ours {param.default!r}, reference {default!r}")
    for param in mine[len(ref_named):]:
        if param.kind not in (_P.VAR_POSITIONAL, _P.VAR_KEYWORD):
            assert param.default is not _P.empty, f"ours adds required {param.name}"
    for kind in (_P.VAR_POSITIONAL, _P.VAR_KEYWORD):
        if any(p[1] == kind for p in ref):
            assert any(p.kind == kind for p in mine), f"ours lacks {kind}"
    for name in aliases:
        assert name in inspect.signature(ours).parameters, f"ours lacks keyword {name}"


def _cases(tables):
    return [(release, name, spec) for release, table in tables.items()
            for name, spec in table.items()]


@pytest.mark.parametrize("release,name,spec", _cases(UTILS))
def test_utils_signatures_match_reference(release, name, spec):
    ours = _lookup(utils_module, name)
    _assert_callable_as_reference(ours, spec)
    if name.startswith("Initializer"):
        # Our own class: not only callable alike, but the very same signature.
        assert [(p.name, p.kind, p.default) for p in inspect.signature(ours).parameters.values()
                ] == _reference_params(spec)
    if "." in name and not spec.startswith("self"):
        cls_name, method = name.split(".")
        assert isinstance(inspect.getattr_static(_lookup(utils_module, cls_name), method),
                          staticmethod)


@pytest.mark.parametrize("release,name,spec", _cases(MODEL))
def test_sorn_signatures_match_reference(release, name, spec):
    ours = _lookup(sorn_module, name)
    if name == "MatrixCollection":
        # 0.6.2's `matrices` and 0.7.3's `state` are both accepted.
        _assert_callable_as_reference(ours, spec, aliases={"matrices": "state"})
        return
    _assert_callable_as_reference(ours, spec)
    assert [(p.name, p.kind, p.default) for p in inspect.signature(ours).parameters.values()
            ] == _reference_params(spec)
    if "." in name and not spec.startswith("self"):
        cls_name, method = name.split(".")
        assert isinstance(inspect.getattr_static(_lookup(sorn_module, cls_name), method),
                          staticmethod)


@pytest.mark.parametrize("release,name,spec", _cases(SIMULATOR))
def test_simulator_trainer_signatures_match_reference(release, name, spec):
    """Simulator and Trainer are sorn_client.reference_api's (the server's)."""
    _assert_callable_as_reference(_lookup(sorn_module, name), spec)


def test_namespaces_hold_the_same_objects():
    assert sorn_module.Initializer is utils_module.Initializer is sorn_client.Initializer
    assert sorn_module.Simulator is sorn_client.Simulator
    assert sorn_module.Trainer is sorn_client.Trainer
    assert utils_module.Plotter is sorn_client.Plotter
    assert utils_module.Statistics is sorn_client.Statistics
    assert "Initializer" in sorn_client.__all__
    for module in (sorn_module, utils_module):
        assert all(hasattr(module, name) for name in module.__all__)


# ---------------------------------------------------------------------------
# Initializer

def test_normalize_weight_matrix_columns_sum_to_one():
    w = np.array([[1.0, 0.0, 2.0], [3.0, 0.0, 2.0]])
    normalized = Initializer.normalize_weight_matrix(w)
    # The all-zero column stays 0 (the reference would give NaN there).
    np.testing.assert_array_equal(normalized, [[0.25, 0.0, 0.5], [0.75, 0.0, 0.5]])
    np.testing.assert_array_equal(w, [[1.0, 0.0, 2.0], [3.0, 0.0, 2.0]])  # not in place


@pytest.mark.parametrize("kind,shape,per_owner_axis,lambd", [
    ("EE", (200, 200), 0, 20), ("EI", (40, 200), 1, 40), ("IE", (200, 40), 0, 30)])
def test_generate_lambd_connections(kind, shape, per_owner_axis, lambd):
    np.random.seed(7)
    w = Initializer.generate_lambd_connections(kind, 200, 40, lambd, 1)
    assert w.shape == shape and w.dtype == np.float64
    counts = (w > 0).sum(axis=per_owner_axis)
    # trunc(N(lambda, 1)) has mean lambda - 0.5 (the fractional part is cut
    # off); the mean of ~200 such counts lies well within 0.3 of it.
    assert abs(counts.mean() - (lambd - 0.5)) < 0.3
    assert counts.min() >= lambd - 5 and counts.max() <= lambd + 5
    assert w.min() >= 0.0 and w.max() <= 0.1
    if kind == "EE":
        assert not np.diag(w).any()


def test_generate_lambd_connections_limits():
    np.random.seed(1)
    # lambda = ne - 1 asks for every other neuron: no self connection, no failure.
    w = Initializer.generate_lambd_connections("EE", 6, 1, 5, 1)
    assert not np.diag(w).any() and (w > 0).sum(axis=0).max() == 5
    with pytest.raises(SornInputError):
        Initializer.generate_lambd_connections("XY", 6, 1, 2, 1)
    assert issubclass(SornInputError, AssertionError) and issubclass(SornInputError, ValueError)


def test_multi_one_hot_inp_exact_cases():
    one_hot, idxs = Initializer.multi_one_hot_inp(1, ["a"], 3)
    np.testing.assert_array_equal(one_hot, [[1.0]])
    assert idxs == [(0, 0, 0)]
    np.random.seed(3)
    one_hot, idxs = Initializer.multi_one_hot_inp(3, [10, 20, 30], 1)
    # One round over three neurons: a permutation matrix.
    assert sorted(i for (i,) in idxs) == [0, 1, 2]
    np.testing.assert_array_equal(one_hot, np.eye(3)[:, [i for (i,) in idxs]])


def test_multi_one_hot_inp_structure():
    np.random.seed(5)
    one_hot, idxs = Initializer.multi_one_hot_inp(8, ["x", "y", "z"], 4)
    assert one_hot.shape == (8, 3) and len(idxs) == 3 and all(len(t) == 4 for t in idxs)
    for j, neurons in enumerate(idxs):
        assert set(np.flatnonzero(one_hot[:, j])) == set(neurons)
    for r in range(4):  # one round gives distinct neurons to the inputs
        assert len({idxs[j][r] for j in range(3)}) == 3
    with pytest.raises(ValueError):
        Initializer.multi_one_hot_inp(2, [1, 2, 3], 1)


def test_connection_dicts_on_a_3x3_matrix():
    w = np.array([[0.0, 0.5, 0.1], [0.2, 0.0, 0.0], [0.0, 0.3, 0.4]])
    incoming = Initializer.get_incoming_connection_dict(w)
    outgoing = Initializer.get_outgoing_connection_dict(w)
    assert incoming == {0: [1], 1: [0, 2], 2: [0, 2]}
    assert outgoing == {0: [1, 2], 1: [0], 2: [1, 2]}
    assert all(type(k) is int for k in incoming) and all(type(v) is int for v in incoming[1])
    # Not square: one key per column (incoming) and per row (outgoing).
    assert Initializer.get_outgoing_connection_dict(w[:2]) == {0: [1, 2], 1: [0]}
    assert Initializer.get_incoming_connection_dict(w[:2]) == {0: [1], 1: [0], 2: [0]}


@pytest.mark.parametrize("low,high", [("reset_min", "reset_max"),
                                      ("prune_small_weights", "set_max_cutoff_weight")])
def test_cutoffs_work_in_place(low, high):
    z = np.array([[-0.5, 0.05], [0.3, 1.7]])
    assert getattr(Initializer, low)(z, 0.1) is z
    np.testing.assert_array_equal(z, [[0.1, 0.1], [0.3, 1.7]])
    assert getattr(Initializer, high)(z, 1.0) is z
    np.testing.assert_array_equal(z, [[0.1, 0.1], [0.3, 1.0]])


@pytest.mark.parametrize("name", ["inactive_synapses", "get_unconnected_indexes"])
def test_inactive_synapses_skip_the_diagonal(name):
    w = np.array([[0.0, 0.5, -1.0], [0.0, 0.2, 0.0], [0.3, 0.0, 0.0]])
    assert getattr(Initializer, name)(w) == [(0, 2), (1, 0), (1, 2), (2, 1)]


def test_white_gaussian_noise():
    np.random.seed(2)
    noise = Initializer.white_gaussian_noise(0.5, 0.04, 20000)
    assert noise.shape == (20000, 1)
    assert abs(noise.mean() - 0.5) < 0.002 and abs(noise.std() - 0.04) < 0.002


def test_generate_strong_and_gaussian_inputs():
    np.random.seed(4)
    for generate in (Initializer.generate_strong_inp, Initializer.generate_gaussian_inputs):
        for _ in range(20):
            inp, idx = generate(5, 12)
            assert isinstance(inp, list) and len(inp) == 12 and isinstance(idx, np.ndarray)
            assert set(np.flatnonzero(inp)) == set(idx.tolist()) and all(idx < 5)
            if generate is Initializer.generate_strong_inp:
                assert set(inp) <= {0.0, 1.0e4}
        assert len(idx) < 12


def test_zero_sum_incoming_check():
    np.random.seed(6)
    w = np.full((10, 10), 0.05)
    w[:, 1] = 0.0
    w[:, 7] = 0.0
    before = w.copy()
    assert Initializer.zero_sum_incoming_check(w) is w
    # Two distinct rows of the first 3 (20 % of 10, at least 2 + the
    # diagonal), never the diagonal: column 1 can only get rows 0 and 2.
    np.testing.assert_array_equal(np.flatnonzero(w[:, 1]), [0, 2])
    assert len(np.flatnonzero(w[:, 7])) == 2 and np.flatnonzero(w[:, 7]).max() <= 2
    assert w[:, [1, 7]].max() <= 0.1
    others = [c for c in range(10) if c not in (1, 7)]
    np.testing.assert_array_equal(w[:, others], before[:, others])


# ---------------------------------------------------------------------------
# Sorn, Plasticity, NetworkState, MatrixCollection

REFERENCE_DEFAULTS = {
    "nu": 10, "ne": 200, "ni": 40, "eta_stdp": 0.004, "eta_inhib": 0.001, "eta_ip": 0.01,
    "te_max": 1.0, "ti_max": 0.5, "ti_min": 0.0, "te_min": 0.0, "mu_ip": 0.1, "sigma_ip": 0.0,
    "network_type_ee": "Sparse", "network_type_ei": "Sparse", "network_type_ie": "Dense",
    "lambda_ee": 20, "lambda_ei": 40, "lambda_ie": 100,
}


@pytest.fixture
def sorn_attrs():
    """Sorn's class attributes are global state: put them back afterwards."""
    saved = {name: getattr(Sorn, name) for name in [*REFERENCE_DEFAULTS, "timesteps"]}
    yield Sorn
    for name, value in saved.items():
        setattr(Sorn, name, value)


def test_sorn_class_attributes_are_the_reference_defaults():
    assert {name: getattr(Sorn, name) for name in REFERENCE_DEFAULTS} == REFERENCE_DEFAULTS


def test_time_steps_and_timesteps_are_one_attribute(sorn_attrs):
    Sorn.time_steps = 4  # 0.6.2's simulators set this name
    assert Sorn.timesteps == 4
    Sorn.timesteps = 6  # 0.7.3's this one
    assert Sorn.time_steps == 6
    plasticity = Plasticity()
    assert plasticity.time_steps == plasticity.timesteps == 6


def _plasticity(**rates):
    p = Plasticity()
    for name, value in rates.items():
        setattr(p, name, value)  # the rules read the instance's rates
    return p


def test_stdp_hand_case():
    # Columns are post-synaptic. x(t) = [1, 0, 1], x(t+1) = [0, 1, 0].
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    wee = np.array([[0.0, 0.95, 0.2], [0.05, 0.0, 0.0], [0.4, 0.0, 0.0]])
    # delta[j][i] = x_i(t+1) x_j(t) - x_i(t) x_j(t+1):
    #   (0,1): 1*1 - 0*0 = +1 -> 0.95 + 0.1 = 1.05, clamped to 1
    #   (1,0): 0*0 - 1*1 = -1 -> 0.05 - 0.1 < 0, pruned to 0
    #   (0,2), (2,0): 0 -> unchanged; (2,1): +1 but no synapse -> stays 0
    updated = _plasticity(eta_stdp=0.1).stdp(wee, x, cutoff_weights=(0.0, 1.0))
    np.testing.assert_allclose(updated, [[0.0, 1.0, 0.2], [0.0, 0.0, 0.0], [0.4, 0.0, 0.0]],
                               rtol=0, atol=1e-15)
    assert wee[0, 1] == 0.95  # a new matrix


def test_istdp_hand_case():
    # x(t+1) = [1, 0, 1]; y(t) (column 0) = [1, 1]; 1 + 1 / mu_ip = 3, so
    # delta[j][i] = -0.01 * y_j * (1 - 3 x_i) = [+0.02, -0.01, +0.02] per row.
    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    y = np.array([[1.0, 0.0], [1.0, 1.0]])
    wei = np.array([[0.5, 0.0, 0.2], [0.1, 0.005, 0.0]])
    updated = _plasticity(eta_inhib=0.01, mu_ip=0.5).istdp(wei, x, y, cutoff_weights=(0.0, 1.0))
    np.testing.assert_allclose(updated, [[0.52, 0.0, 0.22], [0.12, 0.0, 0.0]], rtol=0, atol=1e-15)


def test_ip_hand_case(sorn_attrs):
    x = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    te = np.array([[0.5], [0.01], [0.95]])
    # te + 0.1 * (x(t+1) - 0.2) = [0.48, -0.01, 1.03], clamped to [0, 1]
    updated = _plasticity(eta_ip=0.1, h_ip=0.2).ip(te, x)
    np.testing.assert_allclose(updated, [[0.48], [0.0], [1.0]], rtol=0, atol=1e-15)
    Sorn.nu = 5  # (with the defaults, 2 nu / ne happens to equal mu_ip)
    assert Plasticity().h_ip == 2 * 5 / 200  # 2 nu / ne, not mu_ip


def test_ss_scales_columns():
    scaled = Plasticity.ss(np.array([[1.0, 0.0], [1.0, 0.0], [2.0, 0.0]]))
    np.testing.assert_array_equal(scaled, [[0.25, 0.0], [0.25, 0.0], [0.5, 0.0]])


def test_structural_plasticity():
    np.random.seed(8)
    start = np.array([[0.0, 0.5, 0.0], [0.3, 0.0, 0.2], [0.0, 0.0, 0.0]])
    changed = 0
    for _ in range(3000):
        wee = start.copy()
        assert Plasticity.structural_plasticity(wee) is wee
        diff = np.argwhere(wee != start)
        if len(diff):
            changed += 1
            (j, i), = diff
            assert j != i and start[j, i] == 0.0 and wee[j, i] == 0.001
    # p = 0.1: 300 expected, sd ~16.
    assert 230 < changed < 370
    full = np.ones((3, 3)) - np.eye(3)
    for _ in range(50):  # no inactive synapse: nothing to do, no failure
        np.testing.assert_array_equal(Plasticity.structural_plasticity(full),
                                      np.ones((3, 3)) - np.eye(3))


def _three_neurons(sorn_attrs):
    Sorn.ne, Sorn.ni, Sorn.nu = 3, 1, 2
    wee = np.array([[0.0, 0.6, 0.2], [0.5, 0.0, 0.3], [0.1, 0.4, 0.0]])
    wei = np.array([[0.3, 0.9, 0.1]])
    # Column 1 is x(t) = [1, 1, 0], y(t) = [1]; column 0 must not matter.
    x = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([[0.0, 1.0]])
    te = np.array([[0.25], [0.5], [0.05]])
    return NetworkState([0.1, 0.0]), wee, wei, x, y, te


def test_network_state_drives_hand_case(sorn_attrs):
    state, wee, wei, x, y, te = _three_neurons(sorn_attrs)
    np.testing.assert_array_equal(state.v_t, [[0.1], [0.0], [0.0]])
    # Wee^T x = [0.5, 0.6, 0.5]; Wei^T y = [0.3, 0.9, 0.1]
    np.testing.assert_allclose(state.incoming_drive(wee, x[:, 1:]), [0.5, 0.6, 0.5])
    # Recurrent: [0.5 - 0.3 - 0.25, 0.6 - 0.9 - 0.5, 0.5 - 0.1 - 0.05] = [-0.05, -0.8, 0.35]
    r = state.recurrent_drive(wee, wei, te, x, y, white_noise_e=0.0)
    np.testing.assert_array_equal(r, [[0.0], [0.0], [1.0]])
    assert r.dtype == np.float64
    # The input (+0.1 on neuron 0) makes it fire.
    e = state.excitatory_network_state(wee, wei, te, x, y, white_noise_e=0.0)
    np.testing.assert_array_equal(e, [[1.0], [0.0], [1.0]])
    # Noise of 0.9 on neuron 1 lifts -0.8 to +0.1.
    noisy = state.excitatory_network_state(wee, wei, te, x, y, np.array([[0.0], [0.9], [0.0]]))
    np.testing.assert_array_equal(noisy, [[1.0], [1.0], [1.0]])
    # Inhibitory: Wie^T x(t) = 0.2 + 0.3 = 0.5, against thresholds 0.45 and 0.55.
    wie = np.array([[0.2], [0.3], [0.4]])
    for ti, fires in ((0.45, 1.0), (0.55, 0.0)):
        y_next = state.inhibitory_network_state(wie, np.array([[ti]]), x, 0.0)
        np.testing.assert_array_equal(y_next, [[fires]])


def test_network_state_rejects_wrong_input_length(sorn_attrs):
    Sorn.nu = 3
    with pytest.raises(AssertionError, match="mismatch"):
        NetworkState([0.1, 0.2])


def _small_network(sorn_attrs, steps=2):
    Sorn.ne, Sorn.ni, Sorn.nu = 10, 2, 3
    Sorn.lambda_ee, Sorn.lambda_ei = 3, 4
    Sorn.timesteps = steps


def test_initialize_plasticity_logs_and_shapes(sorn_attrs, caplog):
    _small_network(sorn_attrs)
    np.random.seed(9)
    with caplog.at_level(logging.INFO, logger="sorn_client"):
        wee, wei, wie, te, ti, x, y = Plasticity.initialize_plasticity()
    assert [a.shape for a in (wee, wei, wie, te, ti, x, y)] == [
        (10, 10), (2, 10), (10, 2), (10, 1), (2, 1), (10, 2), (2, 2)]
    messages = [r.getMessage() for r in caplog.records if r.name == "sorn_client"]
    assert messages == [
        "Network Initialized",
        f"Number of connections in Wee {np.count_nonzero(wee)} , Wei {np.count_nonzero(wei)}, "
        f"Wie {np.count_nonzero(wie)}",
        "Shapes Wee (10, 10) Wei (2, 10) Wie (10, 2)"]
    for w in (wee, wei, wie):
        np.testing.assert_allclose(w.sum(axis=0), 1.0)
    assert not np.diag(wee).any() and np.count_nonzero(wie) == 20
    assert not x.any() and not y.any()
    assert te.min() >= 0.0 and te.max() <= 1.0 and ti.min() >= 0.0 and ti.max() <= 0.5


def test_initialize_weight_matrix(sorn_attrs):
    _small_network(sorn_attrs)
    np.random.seed(10)
    dense = Sorn.initialize_weight_matrix("Dense", "IE", "False", 100)
    assert dense.shape == (10, 2) and dense.min() >= 0.0 and dense.max() < 0.1
    dense_ee = Sorn.initialize_weight_matrix("Dense", "EE", "False", 0)
    assert dense_ee.shape == (10, 10) and np.count_nonzero(dense_ee) == 90
    assert Sorn.initialize_weight_matrix("Sparse", "EI", "False", 4).shape == (2, 10)
    with pytest.raises(AssertionError):  # lambda > ne, as the reference asserts
        Sorn.initialize_weight_matrix("Sparse", "EE", "False", 11)
    with pytest.raises(ValueError):
        Sorn.initialize_weight_matrix("Sparse", "EE", "True", 3)
    te, ti = Sorn.initialize_threshold_matrix(0.2, 0.3, 0.0, 0.1)
    assert te.shape == (10, 1) and ti.shape == (2, 1) and 0.2 <= te.min() and te.max() <= 0.3
    x, y = Sorn.initialize_activity_vector(4, 1)
    np.testing.assert_array_equal(x, np.zeros((4, 2)))
    np.testing.assert_array_equal(y, np.zeros((1, 2)))


def test_matrix_collection_fresh_and_from_state(sorn_attrs):
    _small_network(sorn_attrs, steps=2)
    fresh = MatrixCollection(phase="plasticity")
    assert fresh.timesteps == fresh.time_steps == 3
    assert len(fresh.Wee) == 3 and fresh.Wee[1] == 0 and fresh.Wee[0].shape == (10, 10)
    state = {name: getattr(fresh, name)[0] for name in ("Wee", "Wei", "Wie", "Te", "Ti", "X", "Y")}
    for kwargs in ({"matrices": state}, {"state": state}):  # 0.6.2's and 0.7.3's names
        resumed = MatrixCollection("training", **kwargs)
        assert resumed.state is resumed.matrices is state
        assert all(getattr(resumed, name)[0] is value for name, value in state.items())
    lists = resumed.weight_matrix(state["Wee"] * 2, state["Wei"], state["Wie"], 0)
    assert lists == (resumed.Wee, resumed.Wei, resumed.Wie)
    np.testing.assert_array_equal(resumed.Wee[1], state["Wee"] * 2)
    te_list, _ = resumed.threshold_matrix(state["Te"], state["Ti"], 1)
    assert te_list[2] is state["Te"]
    x_list, y_list = resumed.network_activity_t(state["X"], state["Y"], 1)
    assert x_list[2] is state["X"] and y_list[2] is state["Y"]
    x_1, y_1 = resumed.network_activity_t_1("x", "y", 1)
    assert x_1 == [0, "x", 0] and y_1 == [0, "y", 0]
    with pytest.raises(ValueError):
        MatrixCollection("training")  # nothing to continue from


# ---------------------------------------------------------------------------
# Callbacks

RECORDER_SENTENCES = {
    "ExcitatoryActivation": "Excitatory network state",
    "InhibitoryActivation": "Inhibitory network state",
    "RecurrentActivation": "Recurrent network state",
    "WEE": "Excitatory to Excitatory Connection strength",
    "WEI": "Inhibitory to Excitatory Connection strength",
    "TE": "Excitatory neurons firing threshold values",
    "TI": "Inhibitory neurons firing threshold values",
    "EEConnectionCounts": "Number active connections in the Excitatory pool",
    "EIConnectionCounts": "Number active connections from Inhibitory to Excitatory pool",
    "IEConnectionCounts": "Number active connections from Excitatory to Inhibitory pool",
}
AVAILABLE = dict.fromkeys(["ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
                           "WEE", "WEI", "TE", "TI", "EIConnectionCounts", "EEConnectionCounts"])


@pytest.mark.parametrize("name,sentence", RECORDER_SENTENCES.items())
def test_recorders(name, sentence):
    recorder = getattr(sorn_module, name)(3)
    assert recorder.values == [0, 0, 0] and getattr(sorn_module, name)().values == []
    recorder[1] = 42
    assert recorder[1] == f"{sentence} at time_step 1: 42"
    assert str(recorder) == "[0, 42, 0]"


def test_callbacks_dispatch_requested_values():
    dispatcher = Callbacks(3, AVAILABLE, ["TE", "EEConnectionCounts"])
    assert list(dispatcher.dispatcher) == ["TE", "EEConnectionCounts"]  # available order
    for t in range(3):
        dispatcher.step({"TE": t + 0.5, "EEConnectionCounts": 10 * t, "WEE": None}, time_step=t)
    assert dispatcher.get() == {"TE": [0.5, 1.5, 2.5], "EEConnectionCounts": [0, 10, 20]}
    assert dispatcher.update(dispatcher.dispatcher["TE"], 1.0, 5).startswith(
        "Invalid callback instance")
    assert Callbacks(3, AVAILABLE).get() == {}
    everything = Callbacks(2, AVAILABLE, list(AVAILABLE))
    assert list(everything.get()) == list(AVAILABLE)
    with pytest.raises(AssertionError, match=r"\['Nope'\] not available"):
        Callbacks(2, AVAILABLE, ["WEE", "Nope"])


def test_validate():
    assert Validate().callbacks((["WEI", "WEE"],), AVAILABLE) == {"WEE": None, "WEI": None}
    assert Validate().callbacks((), AVAILABLE) is None
