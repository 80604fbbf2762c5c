"""The drop-in's state_dict is a handle to state on the server: continuing
from it forks its session there (no ImportState, no ExportState), changed
arrays are imported as the reference would use them, two continuations from
one dict are two branches, a pickle is a plain dict that continues on another
server, and a collected dict's session is deleted."""

import gc
import pickle
import re

import numpy as np
import pytest

import sorn_client
from sorn_client import Simulator, Trainer
from sorn_client.server import start_server
from sorn_client.state_handle import StateDict

NE = 40


@pytest.fixture
def server(server_binary):
    with start_server(binary=server_binary, log_rpcs=True) as server:
        client = sorn_client.connect(server.address)
        yield server
        gc.collect()  # the test's state dicts delete their sessions first.
        client.close()  # an open channel would hold up the server's stop.


def calls(server, rpc):
    """How many calls of `rpc` the server has logged."""
    return len(re.findall(r'"rpc":"%s"' % rpc, server.log))


def inputs(t, steps=1):
    return np.array([[((t + s) * 7 + u * 3) % 5 * 0.1 for s in range(steps)]
                     for u in range(4)])


def names(server):
    return {s.name for s in sorn_client.default_client().list_sessions()}


def test_a_per_step_loop_continues_on_the_server_bit_for_bit(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0), ne=NE, seed=5, time_steps=1)
    assert isinstance(state, StateDict) and isinstance(state, dict)
    E = []
    for t in range(1, 20):
        state, e, *_ = Simulator.simulate_sorn(inputs=inputs(t), matrices=state,
                                               time_steps=1)
        E.append(e[0])
    # No state travelled: each step was one Simulate that forked the last
    # step's session on the server.
    assert calls(server, "ImportState") == 0 and calls(server, "ExportState") == 0
    assert calls(server, "ForkSession") == 0 and calls(server, "DeleteSession") == 0
    assert calls(server, "Simulate") == 20
    # One 20-step call from the same seed gives the same spikes (the fork
    # continues the generator, noise included).
    full = np.concatenate([inputs(t) for t in range(20)], axis=1)
    _, whole, *_ = Simulator.simulate_sorn(inputs=full, ne=NE, seed=5, time_steps=20)
    np.testing.assert_array_equal(np.array(E), whole[1:])
    # The loop's collected state_dicts went with the next step's call: only
    # the last two (the one held, and the one the last call released no
    # more) and the 20-step run's are left.
    gc.collect()
    assert len(names(server)) <= 3


def test_arrays_are_fetched_on_first_touch_and_read_as_the_reference(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0, 5), ne=NE, seed=2, time_steps=5)
    assert calls(server, "ExportState") == 0
    assert set(state) == {"Wee", "Wei", "Wie", "Te", "Ti", "X", "Y"} and len(state) == 7
    assert state["Wee"].shape == (NE, NE) and state["Te"].shape == (NE, 1)
    assert state["X"].dtype == np.float64
    assert calls(server, "ExportState") == 1
    plain = dict(state)  # every value, not placeholders.
    assert all(isinstance(v, np.ndarray) for v in plain.values())
    assert {**state}.keys() == plain.keys()
    assert calls(server, "ExportState") == 1  # fetched once.


def test_a_changed_array_is_continued_from_as_changed(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0, 10), ne=NE, seed=3,
                                        time_steps=10)
    changed = {k: np.array(v) for k, v in state.items()}
    changed["Te"][:] = 0.9  # no neuron can fire from recurrent drive alone.
    state["Te"][:] = 0.9   # the same change, in place in the handle.
    _, from_handle, *_ = Trainer.train_sorn(inputs=np.zeros((4, 5)), matrices=state,
                                           noise=False, time_steps=5)
    _, from_plain, *_ = Trainer.train_sorn(inputs=np.zeros((4, 5)), matrices=changed,
                                          noise=False, time_steps=5)
    assert calls(server, "ImportState") == 2  # both imported the values.
    np.testing.assert_array_equal(from_handle, from_plain)
    assert np.sum(from_handle) == 0


def test_two_continuations_from_one_state_are_two_equal_branches(server):
    start, *_ = Simulator.simulate_sorn(inputs=inputs(0, 5), ne=NE, seed=4,
                                        time_steps=5)
    before = {k: np.array(v) for k, v in start.items()}
    a, ea, *_ = Simulator.simulate_sorn(inputs=inputs(5, 10), matrices=start,
                                        time_steps=10)
    b, eb, *_ = Simulator.simulate_sorn(inputs=inputs(5, 10), matrices=start,
                                        time_steps=10)
    np.testing.assert_array_equal(ea, eb)
    assert a.session.name != b.session.name
    for key, value in before.items():  # the start is as it was.
        np.testing.assert_array_equal(start[key], value)
    # A branch goes on independently of the other.
    a2, *_ = Simulator.simulate_sorn(inputs=inputs(15, 3), matrices=a, time_steps=3)
    assert a2.session.info().step == 18 and b.session.info().step == 15


def test_a_pickled_state_continues_on_another_server(server, server_binary):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0, 5), ne=NE, seed=6,
                                        time_steps=5)
    restored = pickle.loads(pickle.dumps(state))
    assert type(restored) is dict
    for key in state:
        np.testing.assert_array_equal(restored[key], state[key])
    with start_server(binary=server_binary) as other:
        sorn_client.connect(other.address)
        after, e, *_ = Simulator.simulate_sorn(inputs=inputs(5, 3), matrices=restored,
                                               ne=NE, time_steps=3)
        assert np.asarray(e).shape == (3, NE)
        # The reference's state_dict has no step count: steps start again.
        assert after.session.info().step == 3
        sorn_client.default_client().close()


def test_hyperparameters_travel_with_the_state_unless_a_call_names_them(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0), ne=NE, seed=7, eta_stdp=0.01,
                                        time_steps=1)
    kept, *_ = Simulator.simulate_sorn(inputs=inputs(1), matrices=state, time_steps=1)
    assert kept.session.info().params.eta_stdp == pytest.approx(0.01)
    assert calls(server, "ImportState") == 0
    changed, *_ = Simulator.simulate_sorn(inputs=inputs(2), matrices=kept,
                                          eta_stdp=0.02, time_steps=1)
    assert changed.session.info().params.eta_stdp == pytest.approx(0.02)
    assert changed.session.info().params.ne == NE


def test_a_collected_state_dict_deletes_its_session(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0), ne=NE, seed=8, time_steps=1)
    other, *_ = Simulator.simulate_sorn(inputs=inputs(0), matrices=state, time_steps=1)
    name = state.session.name
    assert state.session.info().ephemeral
    del state
    gc.collect()
    # Deleted by the next call that continues a state_dict of its lineage
    # (whose calls reach the same replica), in that call.
    assert name in names(server)
    other, *_ = Simulator.simulate_sorn(inputs=inputs(1), matrices=other, time_steps=1)
    assert name not in names(server)
    assert calls(server, "DeleteSession") == 0
    # Or by close(), with nothing to carry them.
    last = other.session.name
    del other
    gc.collect()
    sorn_client.default_client().close()
    probe = sorn_client.connect(server.address)
    assert last not in {s.name for s in probe.list_sessions()}
    probe.close()


def test_a_named_session_is_kept_and_returns_a_plain_dict(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0, 3), ne=NE, seed=9,
                                        time_steps=3, session="mine")
    assert type(state) is dict
    assert "mine" in names(server)
    assert not sorn_client.default_client().session("mine").info().ephemeral


def test_a_state_whose_session_is_gone_continues_from_its_arrays_or_says_why(server):
    kept, *_ = Simulator.simulate_sorn(inputs=inputs(0, 4), ne=NE, seed=10, time_steps=4)
    lost, *_ = Simulator.simulate_sorn(inputs=inputs(0, 4), ne=NE, seed=11, time_steps=4)
    wee = np.array(kept["Wee"])  # fetched: the arrays are here.
    client = sorn_client.default_client()
    for state in (kept, lost):  # as the TTL or a restart would.
        client.session(state.session.name).delete()
    after, e, *_ = Simulator.simulate_sorn(inputs=inputs(4, 2), matrices=kept,
                                           time_steps=2)
    assert np.asarray(e).shape == (2, NE) and calls(server, "ImportState") == 1
    assert after.session.info().step == 2  # from the arrays (no step count).
    np.testing.assert_array_equal(kept["Wee"], wee)
    with pytest.raises(LookupError, match="ephemeral_session_ttl"):
        Simulator.simulate_sorn(inputs=inputs(4, 2), matrices=lost, time_steps=2)
    with pytest.raises(LookupError, match="dict\\(state\\) or pickle"):
        lost["Wee"]


def test_mutations_before_the_first_fetch_are_kept(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0, 2), ne=NE, seed=12, time_steps=2)
    te = np.full((NE, 1), 0.5)
    state |= {"Te": te}
    assert state["Te"] is te and not state.matches_session()
    other, *_ = Simulator.simulate_sorn(inputs=inputs(0, 2), ne=NE, seed=13, time_steps=2)
    other.clear()
    assert len(other) == 0 and not other.matches_session()


def test_collected_sessions_do_not_pile_up_when_no_call_carries_them(server):
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0), ne=NE, seed=14, time_steps=1)
    for t in range(1, 150):  # a plain dict each step: every call imports.
        state, *_ = Simulator.simulate_sorn(inputs=inputs(t), matrices=dict(state),
                                            time_steps=1)
    gc.collect()
    assert len(names(server)) <= 66  # at most the queue's limit and the live one.


def test_an_exiting_interpreter_deletes_its_sessions(server):
    """A script that makes state_dicts (held, collected, and one whose arrays
    it fetched) and exits without closing its client leaves no session
    behind: the exit hook releases what is alive and flushes the queue."""
    import os
    import subprocess
    import sys
    import textwrap
    script = textwrap.dedent(f"""
        import numpy as np
        import sorn_client
        from sorn_client import Simulator
        sorn_client.connect({server.address!r})
        held, *_ = Simulator.simulate_sorn(inputs=np.zeros((4, 3)), ne={NE}, time_steps=3)
        for _ in range(5):
            held, *_ = Simulator.simulate_sorn(inputs=np.zeros((4, 1)), matrices=held,
                                               time_steps=1)
        fetched, *_ = Simulator.simulate_sorn(inputs=np.zeros((4, 2)), ne={NE}, time_steps=2)
        fetched["Wee"].sum()
        Simulator.simulate_sorn(inputs=np.zeros((4, 2)), ne={NE}, time_steps=2)  # dropped.
        print(len(sorn_client.default_client().list_sessions()))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) >= 2  # alive before exit.
    assert names(server) == set()


def test_an_ne_that_disagrees_with_the_state_is_dropped_and_the_state_continues(server):
    """The reference's README passes ne=100 with a 200-neuron state (and the
    reference crashes on it): ne comes from the state, the call still forks
    in place."""
    state, *_ = Simulator.simulate_sorn(inputs=inputs(0, 2), ne=NE, seed=12, time_steps=2)
    with pytest.warns(UserWarning, match=f"ne=100 ignored: the state has {NE}"):
        after, e, *_ = Trainer.train_sorn(inputs=inputs(2), matrices=state, ne=100,
                                          time_steps=1)
    assert np.asarray(e).shape == (1, NE) and calls(server, "ImportState") == 0
