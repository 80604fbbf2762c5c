"""The reference package's conformance cases through the Python client, by
both of its APIs: each case's initial state_dict imported, replayed, and
compared spike for spike (weights within 1e-9) with what the reference
recorded."""

import json
import os

import numpy as np
import pytest

from sorn_client import Simulator, Trainer

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data", "golden")
CASES = sorted(c for c in os.listdir(GOLDEN) if os.path.isdir(os.path.join(GOLDEN, c)))


def load_case(case):
    folder = os.path.join(GOLDEN, case)
    meta = json.load(open(os.path.join(folder, "case.json")))
    load = lambda name: np.load(os.path.join(folder, name))
    state_dict = {key: load(f"initial_{key}.npy")
                  for key in ("Wee", "Wei", "Wie", "Te", "Ti", "X", "Y")}
    arguments = dict(inputs=load("inputs.npy"), phase=meta["phase"], noise=False,
                     freeze=meta["freeze"], nu=meta["nu"], h_ip=meta["h_ip"],
                     **meta["params"])
    return meta, state_dict, arguments, load


def check(load, final, E, I, R, C):
    np.testing.assert_array_equal(np.asarray(E), load("expected_X.npy"))
    np.testing.assert_array_equal(np.asarray(I), load("expected_Y.npy"))
    np.testing.assert_array_equal(np.asarray(R)[:, :, 0], load("expected_R.npy"))
    np.testing.assert_array_equal(np.asarray(C), load("expected_ee_conn.npy"))
    np.testing.assert_allclose(final["Wee"], load("expected_Wee.npy"), rtol=0, atol=1e-9)
    np.testing.assert_allclose(final["Wei"], load("expected_Wei.npy"), rtol=0, atol=1e-9)
    np.testing.assert_allclose(final["Te"].ravel(), load("expected_Te.npy"), rtol=0,
                               atol=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_simulate_sorn_api(client, case):
    meta, state_dict, arguments, load = load_case(case)
    runner = Trainer.train_sorn if meta["runner"] == "trainer" else Simulator.simulate_sorn
    final, E, I, R, C = runner(matrices=state_dict, time_steps=meta["timesteps"],
                               **arguments)
    check(load, final, E, I, R, C)


@pytest.mark.parametrize("case", CASES)
def test_run_api_with_callbacks(client, case):
    meta, state_dict, arguments, load = load_case(case)
    runner = Trainer.run if meta["runner"] == "trainer" else Simulator.run
    final, values = runner(state=state_dict, timesteps=meta["timesteps"],
                           callbacks=["ExcitatoryActivation", "InhibitoryActivation",
                                      "RecurrentActivation", "EEConnectionCounts",
                                      "WEE", "TE"], **arguments)
    check(load, final, values["ExcitatoryActivation"], values["InhibitoryActivation"],
          values["RecurrentActivation"], values["EEConnectionCounts"])
    # The callbacks' last weights and thresholds are the final state's.
    np.testing.assert_array_equal(values["WEE"][-1], final["Wee"])
    np.testing.assert_array_equal(values["TE"][-1], final["Te"])
    assert len(values["WEE"]) == meta["timesteps"]
