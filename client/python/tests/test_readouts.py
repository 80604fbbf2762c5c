"""Readouts through the Python client against a real server: a known map is
recovered with NumPy targets, and Train and Step return its outputs."""

import grpc
import numpy as np
import pytest


def _prepared(client, name):
    session = client.create_session(name=name, seed=4)
    session.run(3000, generated={"kind": "UNIFORM", "seed": 2})
    return session


def test_fit_values_recovers_a_known_map_and_train_returns_its_scores(client):
    session = _prepared(client, "py-map")
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(200 + 1, 2))  # x, then the bias.
    fit_run = session.run(train=True, inputs=rng.uniform(size=(10, 1200)))
    targets = fit_run["x"] @ weights[:200] + weights[200]
    fitted = session.fit_readout("map", values=targets, regularization=0.0,
                                 return_weights=True)
    assert fitted["info"].fitted_steps == 1200
    assert fitted["info"].features_count == 201
    np.testing.assert_allclose(fitted["weights"], weights, atol=1e-7)
    new = session.run(train=True, inputs=rng.uniform(size=(10, 300)), readouts=["map"])
    scores = new["readouts"]["map"]["scores"]
    assert scores.shape == (300, 2)
    assert new["readouts"]["map"]["classes"] is None
    np.testing.assert_allclose(scores, new["x"] @ weights[:200] + weights[200], atol=1e-7)


def test_labels_classify_steps_in_a_step_stream(client):
    session = _prepared(client, "py-cls")
    run = session.run(train=True, generated={"kind": "UNIFORM", "seed": 3}, timesteps=800)
    labels = run["x"][:, 9] + 0  # did neuron 9 fire?
    fitted = session.fit_readout("n9", labels=labels)
    assert fitted["info"].classifier and fitted["info"].training_accuracy == 1.0
    assert fitted["weights"] is None
    assert [r.name for r in session.info().readouts] == ["n9"]
    # Simulate (plasticity on) returns the outputs too; the label is still
    # whether neuron 9 fired in the same step.
    simulated = session.run(300, generated={"kind": "UNIFORM", "seed": 4}, readouts=["n9"])
    np.testing.assert_array_equal(simulated["readouts"]["n9"]["classes"], simulated["x"][:, 9])
    assert simulated["readouts"]["n9"]["scores"].shape == (300, 2)
    with session.steps(readouts=["n9"]) as stream:
        for _ in range(50):
            state = stream.step(np.full(10, 0.5), phase="training")
            out = state["readouts"]["n9"]
            assert out["class"] == state["x"][9]
            assert out["scores"].shape == (2,)


def test_bad_targets_are_invalid_argument(client):
    session = _prepared(client, "py-bad")
    with pytest.raises(grpc.RpcError) as error:
        session.fit_readout("r", labels=np.zeros(50000, dtype=int))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "recorded steps" in error.value.details()
    with pytest.raises(grpc.RpcError) as error:
        session.fit_readout("r", one_hot=np.ones((10, 3)))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(ValueError):
        session.fit_readout("r")
    session.fit_readout("r", labels=np.arange(10) % 2)
    session.delete_readout("r")
    assert len(session.info().readouts) == 0
