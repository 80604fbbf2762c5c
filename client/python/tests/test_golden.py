"""A conformance case of the reference package through the Python client:
its initial state_dict imported, replayed, compared spike for spike."""

import json
import os

import numpy as np

from sorn_client import Simulator, Trainer

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data", "golden")


def replay(case):
    folder = os.path.join(GOLDEN, case)
    meta = json.load(open(os.path.join(folder, "case.json")))
    load = lambda name: np.load(os.path.join(folder, name))
    state_dict = {"Wee": load("initial_Wee.npy"), "Wei": load("initial_Wei.npy"),
                  "Wie": load("initial_Wie.npy"), "Te": load("initial_Te.npy"),
                  "Ti": load("initial_Ti.npy"), "X": load("initial_X.npy"),
                  "Y": load("initial_Y.npy")}
    runner = Trainer.train_sorn if meta["runner"] == "trainer" else Simulator.simulate_sorn
    final, E, I, R, C = runner(inputs=load("inputs.npy"), phase=meta["phase"],
                               matrices=state_dict, noise=False,
                               time_steps=meta["timesteps"], freeze=meta["freeze"],
                               nu=meta["nu"], h_ip=meta["h_ip"], **meta["params"])
    np.testing.assert_array_equal(E, load("expected_X.npy"))
    np.testing.assert_array_equal(I, load("expected_Y.npy"))
    np.testing.assert_array_equal(R, load("expected_R.npy"))
    np.testing.assert_array_equal(C, load("expected_ee_conn.npy"))
    np.testing.assert_allclose(final["Wee"], load("expected_Wee.npy"), rtol=0, atol=1e-9)
    np.testing.assert_allclose(final["Wei"], load("expected_Wei.npy"), rtol=0, atol=1e-9)
    np.testing.assert_allclose(final["Te"].ravel(), load("expected_Te.npy"), rtol=0, atol=1e-9)


def test_fresh_default(client):
    replay("fresh_default")


def test_custom_params(client):
    replay("custom_params")


def test_training_frozen(client):
    replay("training_frozen")
