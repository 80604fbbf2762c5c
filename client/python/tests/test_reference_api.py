"""The drop-in's two APIs beyond the documented examples: callbacks decide
what the server records and sends, the phase rules, the reference's
announcement of a new network, ignored keywords, and progress bars."""

import logging

import numpy as np
import pytest

import sorn_client
from sorn_client import Simulator, Trainer

NE, NI, NU = 40, 8, 4


def inputs(steps, seed=0):
    return np.random.default_rng(seed).random((NU, steps))


class BytesCounted:
    """Wraps a client's Simulate and Train stubs, adding up the bytes of the
    streamed responses."""

    def __init__(self, client):
        self.bytes = 0
        for name in ("Simulate", "Train"):
            setattr(client.stub, name, self._counting(getattr(client.stub, name)))

    def _counting(self, call):
        def counted(request, **kwargs):
            for message in call(request, **kwargs):
                self.bytes += message.ByteSize()
                yield message
        return counted


@pytest.fixture
def fresh_client(server_address):
    client = sorn_client.connect(server_address)
    yield client
    client.close()


def test_a_one_step_call_with_one_callback_moves_a_few_bytes(fresh_client):
    state, _ = Simulator.run(inputs=inputs(1), timesteps=1, ne=NE, seed=1)
    counted = BytesCounted(fresh_client)
    state, values = Simulator.run(inputs=inputs(1), state=state, timesteps=1,
                                  callbacks=["EEConnectionCounts"])
    assert list(values) == ["EEConnectionCounts"]
    # The step's first_step and steps fields take 4 bytes; the counts
    # (ee and ei, 2-byte varints with their packed headers) 8. All of x, y
    # and r would add 17 more at NE=40.
    assert counted.bytes == 4 + 8
    before = counted.bytes
    state, values = Simulator.run(inputs=inputs(1), state=state, timesteps=1,
                                  callbacks=["ExcitatoryActivation"])
    assert counted.bytes - before == 4 + 2 + NE // 8  # NE bits of x, packed.
    before = counted.bytes
    Simulator.run(inputs=inputs(1), state=state, timesteps=1)
    assert counted.bytes - before == 4  # no callbacks: nothing recorded.


def test_callbacks_give_the_reference_per_step_values(fresh_client):
    state, values = Simulator.run(
        inputs=inputs(6), timesteps=6, ne=NE, seed=2,
        callbacks=["TI", "WEI", "EIConnectionCounts", "InhibitoryActivation"])
    assert list(values) == ["TI", "WEI", "EIConnectionCounts", "InhibitoryActivation"]
    assert all(len(v) == 6 for v in values.values())
    assert all(v.shape == (NI, 1) for v in values["TI"])
    assert all(v.shape == (NI, NE) for v in values["WEI"])
    assert all(type(v) is np.int64 for v in values["EIConnectionCounts"])
    assert all(v.shape == (NI,) and v.dtype == np.float64
               for v in values["InhibitoryActivation"])
    np.testing.assert_array_equal(values["WEI"][-1], state["Wei"])
    np.testing.assert_array_equal(values["TI"][-1], state["Ti"])
    # Counts are taken before each step's plasticity: the first is the
    # new network's, the next ones count the weights of the step before.
    for before, after in zip(values["WEI"][:-1], values["EIConnectionCounts"][1:]):
        assert after == np.count_nonzero(before > 0)
    # iSTDP changed Wei from step to step.
    assert not np.array_equal(values["WEI"][0], values["WEI"][-1])


def test_unknown_callbacks_are_refused_before_any_call(fresh_client):
    before = {s.name for s in fresh_client.list_sessions()}
    with pytest.raises(ValueError, match="Activations"):
        Simulator.run(inputs=inputs(2), timesteps=2, callbacks=["Activations"])
    with pytest.raises(AssertionError, match="list"):  # the reference asserts.
        Simulator.run(inputs=inputs(2), timesteps=2, callbacks="WEE")
    with pytest.raises(AssertionError, match="training phase continues a state"):
        Trainer.run(inputs=inputs(2), timesteps=2, ne=NE)  # nothing to continue.
    with pytest.raises(AssertionError, match=">= 1"):
        Simulator.run(inputs=inputs(2), timesteps=0, ne=NE)
    assert {s.name for s in fresh_client.list_sessions()} == before  # none made.


def test_the_phase_decides_whether_plasticity_runs(fresh_client):
    """For the Simulator too: the reference's Simulator is plastic even in
    phase "training"; this is one of the deliberate differences (SPEC.md)."""
    start, _ = Simulator.run(inputs=inputs(5), timesteps=5, ne=NE, seed=3)
    wee = np.array(start["Wee"])
    sim, _ = Simulator.run(inputs=inputs(5, 1), phase="training", state=start,
                           timesteps=5)
    trained, _ = Trainer.run(inputs=inputs(5, 1), phase="training", state=start,
                             timesteps=5)
    plastic, _ = Trainer.run(inputs=inputs(5, 1), phase="plasticity", state=start,
                             timesteps=5)
    simulated, _ = Simulator.run(inputs=inputs(5, 1), state=start, timesteps=5)
    np.testing.assert_array_equal(sim["Wee"], wee)
    np.testing.assert_array_equal(trained["Wee"], wee)
    assert not np.array_equal(plastic["Wee"], wee)
    # The same mechanisms, the same generator: the same network.
    np.testing.assert_array_equal(plastic["Wee"], simulated["Wee"])
    with pytest.raises(ValueError, match="Phase"):
        Trainer.run(inputs=inputs(5, 1), phase="train", state=start, timesteps=5)


def test_a_new_network_is_announced_as_the_reference_does(fresh_client, capsys, caplog):
    Simulator.simulate_sorn(inputs=inputs(2), time_steps=2, ne=NE, seed=4)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Network Initialized"
    assert lines[1].startswith("Number of connections in Wee ")
    counts = [int(part.split()[-1]) for part in lines[1][len("Number of connections in "):]
              .split(",")]
    assert counts[2] == NE * NI  # Wie is dense by default.
    assert lines[2] == f"Shapes Wee ({NE}, {NE}) Wei ({NI}, {NE}) Wie ({NE}, {NI})"
    with caplog.at_level(logging.INFO, logger="sorn_client"):
        state, _ = Simulator.run(inputs=inputs(2), timesteps=2, ne=NE, seed=4)
        Simulator.run(inputs=inputs(2), state=state, timesteps=2)  # not new: quiet.
    assert [r.getMessage() for r in caplog.records] == lines
    assert capsys.readouterr().out == ""  # 0.7 logs, it does not print.


def test_without_logging_configured_run_writes_the_lines_as_the_reference(server_address):
    """The reference 0.7 configures the root logger on import (format
    "asctime:LEVEL:message" on stderr); a script that configures nothing sees
    its lines. The drop-in configures nothing, and writes them to stderr."""
    import os
    import re
    import subprocess
    import sys
    script = ("import numpy as np, sorn_client\n"
              f"sorn_client.connect({server_address!r})\n"
              f"sorn_client.Simulator.run(inputs=np.zeros(({NU}, 2)), timesteps=2, ne={NE})\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 3 and done.stdout == ""
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}:INFO:"  # logging's asctime.
    assert re.fullmatch(stamp + "Network Initialized", lines[0])
    assert re.fullmatch(stamp + f"Shapes Wee \\({NE}, {NE}\\) .*", lines[2])


def test_keywords_the_reference_ignores_are_ignored_with_a_warning(fresh_client):
    with pytest.warns(UserWarning, match="workers"):
        state, *_ = Simulator.simulate_sorn(inputs=inputs(2), time_steps=2, ne=NE,
                                            workers=3)
    assert state["Wee"].shape == (NE, NE)
    state, *_ = Trainer.train_sorn(inputs=inputs(2), phase="plasticity", time_steps=2,
                                   ne=NE, max_workers=2)
    with pytest.warns(UserWarning, match="ignored.*record"):  # no internal names.
        Simulator.simulate_sorn(inputs=inputs(2), time_steps=2, ne=NE, record=True,
                                train=True)
    with pytest.warns(UserWarning, match="state="):
        fresh, _ = Simulator.run(inputs=inputs(2), matrices=state, timesteps=2, ne=NE)
    assert fresh.session.name != state.session.name


def test_simulate_sorn_with_callbacks_returns_the_first_0_7_pair(fresh_client):
    """0.7.3's first release had simulate_sorn(..., callbacks=) return
    (state_dict, callback_values) before run() took its name."""
    state, values = Simulator.simulate_sorn(inputs=inputs(3), timesteps=3, ne=NE,
                                            callbacks=["TE"])
    assert list(values) == ["TE"] and len(values["TE"]) == 3
    np.testing.assert_array_equal(values["TE"][-1], state["Te"])


def test_progress_bars_show_when_asked_and_stay_off_when_not_interactive(
        fresh_client, capsys, monkeypatch):
    tqdm = pytest.importorskip("tqdm")
    Simulator.run(inputs=inputs(300), timesteps=300, ne=NE, progress=True)
    err = capsys.readouterr().err
    assert "300/300" in err and "100%" in err
    made = []

    class Recorded(tqdm.tqdm):
        def __init__(self, *args, **kwargs):
            made.append(kwargs)
            super().__init__(*args, **kwargs)
    monkeypatch.setattr(tqdm, "tqdm", Recorded)
    Simulator.run(inputs=inputs(300), timesteps=300, ne=NE)  # auto: not a terminal.
    Simulator.run(inputs=inputs(300), timesteps=300, ne=NE, progress=False)
    assert made == [] and capsys.readouterr().err == ""
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    Simulator.run(inputs=inputs(300), timesteps=300, ne=NE)  # auto on a terminal:
    assert made == [{"total": 300, "unit": "step", "delay": 1.0}]  # after a second.


def test_inputs_must_fit_the_state_they_continue(fresh_client):
    """As the reference asserts: a state_dict's network has nu input units;
    inputs with other rows are refused before anything runs, unless nu=
    names the new number (a new network's nu comes from its inputs)."""
    state, _ = Simulator.run(inputs=inputs(2), timesteps=2, ne=NE, seed=5)
    for wrong in (np.zeros((NU + 1, 1)), np.zeros((1, NU))):
        with pytest.raises(ValueError, match=f"mismatch: {NU} != {wrong.shape[0]}"):
            Simulator.run(inputs=wrong, state=state, timesteps=1)
    assert state.params["nu"] == NU
    more, _ = Simulator.run(inputs=np.zeros((NU + 1, 1)), state=state, timesteps=1,
                            nu=NU + 1)
    assert more.params["nu"] == NU + 1


def test_a_freeze_name_or_a_fractional_step_count(fresh_client):
    state, _ = Simulator.run(inputs=inputs(2), timesteps=2, ne=NE, seed=6)
    te = np.array(state["Te"])
    frozen, _ = Simulator.run(inputs=inputs(3), state=state, timesteps=3, freeze="ip")
    np.testing.assert_array_equal(frozen["Te"], te)  # one name, as ["ip"].
    with pytest.raises(TypeError, match="whole number"):
        Simulator.run(inputs=inputs(3), state=state, timesteps=2.5)


def test_the_drop_in_runs_in_exact_arithmetic_unless_told(fresh_client):
    """EXACT for the drop-in (the reference's bits); a session made
    directly gets the server's default, FAST; arithmetic= overrides."""
    state, _ = Simulator.run(inputs=inputs(2), timesteps=2, ne=NE, seed=7)
    assert state.params["arithmetic"] == "EXACT"
    fast, _ = Simulator.run(inputs=inputs(2), timesteps=2, ne=NE, seed=7, arithmetic="fast")
    assert fast.params["arithmetic"] == "FAST"
    made = fresh_client.create_session(ne=NE, ephemeral=True)
    assert sorn_client.conversions.params_from_proto(made.created.params)["arithmetic"] == "FAST"
    plain = {k: np.array(v) for k, v in state.items()}
    again, _ = Simulator.run(inputs=inputs(2), state=plain, timesteps=2)  # imported.
    assert again.params["arithmetic"] == "EXACT"


def test_a_weight_callback_streams_only_its_matrix(fresh_client):
    """WEI alone: the snapshots carry Wei, not Wee (RecordSelection's
    snapshot_wee / snapshot_wei)."""
    state, _ = Simulator.run(inputs=inputs(2), timesteps=2, ne=NE, seed=8)
    sent = []
    call = fresh_client.stub.Simulate

    def recorded(request, **kwargs):
        for message in call(request, **kwargs):
            sent.extend(message.weights)
            yield message
    fresh_client.stub.Simulate = recorded
    state, values = Simulator.run(inputs=inputs(3), state=state, timesteps=3,
                                  callbacks=["WEI"])
    assert len(sent) == 3 and list(values) == ["WEI"]
    assert all(w.HasField("wei") and not w.HasField("wee") for w in sent)
    np.testing.assert_array_equal(values["WEI"][-1], state["Wei"])
