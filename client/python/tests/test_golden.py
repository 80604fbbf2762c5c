"""The reference package's conformance cases through the Python client, by
both of its APIs: each case's initial state_dict imported, replayed, and
compared spike for spike and weight for weight, bit for bit (the drop-in's
EXACT arithmetic), with what the reference recorded; and in FAST arithmetic,
weights within 1e-9."""

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


def check(load, final, E, I, R, C, exact=True):
    np.testing.assert_array_equal(np.asarray(E), load("expected_X.npy"))
    np.testing.assert_array_equal(np.asarray(I), load("expected_Y.npy"))
    np.testing.assert_array_equal(np.asarray(R)[:, :, 0], load("expected_R.npy"))
    np.testing.assert_array_equal(np.asarray(C), load("expected_ee_conn.npy"))
    # The drop-in runs in EXACT arithmetic: the reference's bits.
    tolerance = 0 if exact else 1e-9
    for key, expected in (("Wee", "expected_Wee.npy"), ("Wei", "expected_Wei.npy"),
                          ("Te", "expected_Te.npy")):
        got = final[key].ravel() if key == "Te" else final[key]
        np.testing.assert_allclose(got, load(expected), rtol=0, atol=tolerance)


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
                                      "EIConnectionCounts", "WEE", "TE"], **arguments)
    check(load, final, values["ExcitatoryActivation"], values["InhibitoryActivation"],
          values["RecurrentActivation"], values["EEConnectionCounts"])
    np.testing.assert_array_equal(np.asarray(values["EIConnectionCounts"]),
                                  load("expected_ei_conn.npy"))
    # The callbacks' last weights and thresholds are the final state's.
    np.testing.assert_array_equal(values["WEE"][-1], final["Wee"])
    np.testing.assert_array_equal(values["TE"][-1], final["Te"])
    assert len(values["WEE"]) == meta["timesteps"]


@pytest.mark.parametrize("case", CASES)
def test_fast_arithmetic(client, case):
    meta, state_dict, arguments, load = load_case(case)
    runner = Trainer.train_sorn if meta["runner"] == "trainer" else Simulator.simulate_sorn
    final, E, I, R, C = runner(matrices=state_dict, time_steps=meta["timesteps"],
                               arithmetic="FAST", **arguments)
    assert final.params["arithmetic"] == "FAST"
    check(load, final, E, I, R, C, exact=False)


@pytest.mark.parametrize("case", CASES)
def test_a_state_dict_continuation_is_the_reference_run(client, case):
    """The case run in two calls, the second continuing the first's
    state_dict on the server (a fork, no transfer): the same spikes and
    weights as the reference's one run."""
    meta, state_dict, arguments, load = load_case(case)
    runner = Trainer.train_sorn if meta["runner"] == "trainer" else Simulator.simulate_sorn
    inputs = arguments.pop("inputs")
    half = meta["timesteps"] // 2
    middle, *first = runner(matrices=state_dict, inputs=inputs[:, :half], time_steps=half,
                            **arguments)
    arguments.pop("nu"), arguments.pop("h_ip")  # the session holds them.
    final, *second = runner(matrices=middle, inputs=inputs[:, half:],
                            time_steps=meta["timesteps"] - half, freeze=arguments.pop("freeze"),
                            phase=arguments.pop("phase"), noise=arguments.pop("noise"))
    check(load, final, *(a + b for a, b in zip(first, second)))
