"""The reference package's README examples, with only the import line
changed (`from sorn import ...` -> `from sorn_client import ...`)."""

import numpy as np
import pytest

from sorn_client import Simulator, Trainer

num_features = 10
time_steps = 200


def check_state_dict(state_dict, ne, ni):
    assert state_dict["Wee"].shape == (ne, ne)
    assert state_dict["Wei"].shape == (ni, ne)
    assert state_dict["Wie"].shape == (ne, ni)
    assert state_dict["Te"].shape == (ne, 1)
    assert state_dict["Ti"].shape == (ni, 1)
    assert state_dict["X"].shape == (ne, 2)
    assert state_dict["Y"].shape == (ni, 2)
    assert np.all(np.diag(state_dict["Wee"]) == 0)
    np.testing.assert_allclose(state_dict["Wee"].sum(axis=0), 1.0, atol=1e-9)
    np.testing.assert_allclose(state_dict["Wie"].sum(axis=0), 1.0, atol=1e-9)


def check_containers(E, I, R, C, steps, ne, ni):
    """The reference's (0.6) containers: lists of T per-step values."""
    assert all(isinstance(v, list) and len(v) == steps for v in (E, I, R, C))
    for values, shape in ((E, (ne,)), (I, (ni,)), (R, (ne, 1))):
        assert all(isinstance(v, np.ndarray) and v.shape == shape and v.dtype == np.float64
                   for v in values)
        assert set(np.unique(values)) <= {0.0, 1.0}
    assert all(type(c) is np.int64 for c in C)


def test_plasticity_phase(client):
    inputs = np.random.rand(num_features, time_steps)
    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs=inputs, phase="plasticity",
                                                     matrices=None, noise=True,
                                                     time_steps=time_steps)
    check_containers(E, I, R, C, time_steps, 200, 40)
    assert 3500 <= C[0] <= 4200  # a fresh default network's E->E synapses.
    # The last step's activity is the state's current activity.
    np.testing.assert_array_equal(state_dict["X"][:, 1], E[-1])
    np.testing.assert_array_equal(state_dict["X"][:, 0], E[-2])
    check_state_dict(state_dict, 200, 40)


def test_training_phase_changes_no_weight(client):
    state_dict, *_ = Simulator.simulate_sorn(inputs=np.random.rand(num_features, time_steps),
                                            phase="plasticity", matrices=None, noise=True,
                                            time_steps=time_steps)
    inputs = np.random.rand(num_features, 1)
    # SORN network is frozen during training phase
    with pytest.warns(UserWarning, match="ne=100 ignored"):  # ne comes from the state.
        trained, E, I, R, C = Trainer.train_sorn(inputs=inputs, phase="training",
                                                 matrices=state_dict, noise=False,
                                                 time_steps=1, ne=100, nu=num_features,
                                                 lambda_ee=10, eta_stdp=0.001)
    check_containers(E, I, R, C, 1, 200, 40)  # ne comes from the matrices.
    np.testing.assert_array_equal(trained["Wee"], state_dict["Wee"])
    np.testing.assert_array_equal(trained["Wei"], state_dict["Wei"])
    np.testing.assert_array_equal(trained["Te"], state_dict["Te"])
    np.testing.assert_array_equal(trained["X"][:, 0], state_dict["X"][:, 1])


def test_freeze(client):
    state_dict, *_ = Simulator.simulate_sorn(inputs=np.random.rand(num_features, time_steps),
                                            phase="plasticity", matrices=None, noise=True,
                                            time_steps=time_steps)
    with pytest.warns(UserWarning, match="ne=50 ignored"):  # ne comes from the state.
        frozen, E, I, R, C = Simulator.simulate_sorn(inputs=np.random.rand(num_features, time_steps),
                                                     phase="plasticity", matrices=state_dict,
                                                     noise=True, time_steps=time_steps, ne=50,
                                                     nu=num_features, freeze=["ip", "stdp"])
    np.testing.assert_array_equal(frozen["Te"], state_dict["Te"])  # ip frozen.
    assert not np.array_equal(frozen["Wei"], state_dict["Wei"])     # istdp is not.


def test_overriding_hyperparameters(client):
    state_dict, E, I, R, C = Simulator.simulate_sorn(
        inputs=np.random.rand(5, 100), phase="plasticity", matrices=None, noise=False,
        timesteps=100, ne=50, nu=5, lambda_ee=8, lambda_ei=10, eta_stdp=0.001,
        network_type_ee="Dense")
    check_containers(E, I, R, C, 100, 50, 10)
    check_state_dict(state_dict, 50, 10)
    assert C[0] == 50 * 49  # Dense Wee.


def test_both_step_spellings_and_errors(client):
    _, E1, *_ = Simulator.simulate_sorn(inputs=np.zeros((10, 7)), timesteps=7, noise=False, seed=3)
    _, E2, *_ = Simulator.simulate_sorn(inputs=np.zeros((10, 7)), time_steps=7, noise=False, seed=3)
    np.testing.assert_array_equal(E1, E2)  # same seed, same run.
    with pytest.raises(ValueError):
        Simulator.simulate_sorn(inputs=np.zeros((10, 7)), timesteps=7, time_steps=8)
    import grpc
    with pytest.raises(grpc.RpcError) as error:
        Simulator.simulate_sorn(inputs=np.zeros((10, 7)), time_steps=7, freeze=["hebb"])
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "hebb" in error.value.details()


def test_pickled_state_dict_round_trip(client, tmp_path):
    """A state_dict as the reference package pickles it (a dict of float64
    arrays) is imported, and the exported one has the reference's layout."""
    import pickle
    state_dict, *_ = Simulator.simulate_sorn(inputs=np.random.rand(num_features, 50),
                                            time_steps=50, seed=8)
    path = tmp_path / "state.pkl"
    with open(path, "wb") as f:
        pickle.dump(state_dict, f)
    with open(path, "rb") as f:
        loaded = pickle.load(f)
    assert sorted(loaded) == ["Te", "Ti", "Wee", "Wei", "Wie", "X", "Y"]
    assert all(a.dtype == np.float64 for a in loaded.values())
    again, E, *_ = Trainer.train_sorn(inputs=np.random.rand(num_features, 5), matrices=loaded,
                                      time_steps=5, noise=False)
    for key in ("Wee", "Wei", "Wie", "Te", "Ti"):
        np.testing.assert_array_equal(again[key], loaded[key])  # training: unchanged
    check_state_dict(again, 200, 40)


def test_inputs_longer_than_time_steps_use_their_first_columns(client):
    """Two examples of the reference README pass a 10 x 20 input with
    time_steps=1: the reference steps through the first column(s)."""
    inputs = np.random.default_rng(1).random((10, 20))
    _, E_long, *_ = Simulator.simulate_sorn(inputs=inputs, time_steps=3, noise=False,
                                            seed=2)
    _, E_first, *_ = Simulator.simulate_sorn(inputs=inputs[:, :3], time_steps=3,
                                             noise=False, seed=2)
    np.testing.assert_array_equal(E_long, E_first)
    with pytest.raises(ValueError):  # fewer columns than steps: no input to use.
        Simulator.simulate_sorn(inputs=inputs, time_steps=21)
