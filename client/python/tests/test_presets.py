"""Presets and the lab's model variants through the real server: what
CreateSession stores and reports, what it refuses, and how a pooled network
answers its input (docs/SPEC.md, "Variants" and "Presets")."""

import math

import grpc
import numpy as np
import pytest

import sorn_client

from sorn_client_pb import sorn_pb2 as pb


def test_presets_set_the_papers_models(client):
    lazar = client.create_session(preset="lazar2009", seed=1).created
    assert (lazar.ne, lazar.ni, lazar.nu) == (200, 40, 6)
    p = lazar.params
    assert (p.lambda_ee, p.eta_stdp, p.eta_ip, p.h_ip, p.te_max, p.ti_max) == (
        10, 0.001, 0.001, 0.1, 0.5, 0.5)
    assert (p.sp_probability, p.noise_sd, p.eta_inhib) == (0.0, 0.0, 0.0)
    assert p.wei_fixed and p.fast_inhibit and not p.clamp_thresholds
    assert p.network_type_ei == pb.DENSE and lazar.ei_connections == 40 * 200
    pools = [list(pool.neurons) for pool in p.input_pools]
    assert [len(pool) for pool in pools] == [10] * 6
    assert len(set(sum(pools, []))) == 60  # disjoint.
    zheng = client.create_session(preset="ZHENG2013", seed=1).created
    assert zheng.nu == 0 and math.isclose(zheng.params.noise_sd ** 2, 0.05)
    assert (zheng.params.wee_prune_below, zheng.params.wei_floor) == (1e-10, 0.001)
    assert not zheng.params.fast_inhibit and not zheng.params.sp_scale_with_size
    delpapa = client.create_session(preset="delpapa2017", seed=1).created.params
    assert delpapa.fast_inhibit and delpapa.sp_scale_with_size
    default = client.create_session(seed=1).created.params
    assert default.clamp_thresholds and not default.input_pools and default.input_gain == 1


def test_explicit_params_override_the_preset(client):
    info = client.create_session(preset="zheng2013", seed=2, ne=100, fast_inhibit=True,
                                 noise_sd=0.1).created
    assert info.ne == 100 and info.params.fast_inhibit and info.params.noise_sd == 0.1
    assert info.params.eta_stdp == 0.004  # the preset's, not overridden.


def test_an_unknown_preset_or_bad_pools_create_nothing(client):
    before = {s.name for s in client.list_sessions()}
    cases = [
        (dict(preset="lazar2010"), "known presets: sorn, lazar2009, zheng2013, delpapa2017"),
        (dict(ne=10, nu=2, lambda_ee=2, lambda_ei=2, h_ip=0.1, input_pools=[[1, 3]]),
         "expected one per input unit"),
        (dict(ne=10, nu=2, lambda_ee=2, lambda_ei=2, h_ip=0.1, input_pools=[[1], [12]]),
         "outside [0, ne = 10)"),
        (dict(ne=10, nu=2, lambda_ee=2, lambda_ei=2, h_ip=0.1, input_pools=[[1, 3], [3]],
              input_pools_disjoint=True), "share neuron 3"),
        (dict(nu=6, input_pool_size=40, input_pools_disjoint=True), "nu * input_pool_size"),
        (dict(wee_prune_below=1.5), "wee_prune_below"),
        (dict(ne=100_000, nu=1000, input_pool_size=1000, h_ip=0.1), "at most 262144"),
    ]
    for keywords, message in cases:
        with pytest.raises(grpc.RpcError) as error:
            client.create_session("refused", **keywords)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT, keywords
        assert message in error.value.details(), (keywords, error.value.details())
    assert {s.name for s in client.list_sessions()} == before
    with pytest.raises(ValueError, match="true or false"):
        client.create_session("refused", fast_inhibit="maybe")


def test_each_letter_drives_its_pool(client):
    # From silence, a letter's pool is exactly what fires: the recurrent drive
    # is 0, each pool neuron gets 1 - Te > 0 (Te < 0.5), every other neuron -Te.
    session = client.create_session(preset="lazar2009", seed=3, ne=100)
    pools = [list(p.neurons) for p in session.created.params.input_pools]
    for letter in range(6):
        twin = session.fork(f"twin-{letter}")
        u = np.zeros((6, 1))
        u[letter, 0] = 1.0
        x = twin.run(inputs=u, train=True, noise=False)["x"][0]
        assert sorted(np.flatnonzero(x)) == pools[letter]


def test_variants_survive_export_and_import(client):
    session = client.create_session(preset="delpapa2017", seed=5, ne=60, lambda_ei=12,
                                    input_pool_size=0)
    session.run(timesteps=300)
    copy = client.import_state(session.export_state(), "delpapa-copy")
    assert copy.info().params == session.info().params
    assert copy.info().params.fast_inhibit and copy.info().params.wei_floor == 0.001
    a = session.run(timesteps=500)
    b = copy.run(timesteps=500)
    assert np.array_equal(a["x"], b["x"]) and np.array_equal(a["ee_conn"], b["ee_conn"])


def test_no_input_runs_on_timesteps_alone(client):
    session = client.create_session(preset="zheng2013", seed=4, ne=50, lambda_ee=5, lambda_ei=10)
    out = session.run(timesteps=200)
    assert out["x"].shape == (200, 50) and 0 < out["x"].mean() < 0.5
    with pytest.raises(grpc.RpcError) as error:
        session.run(inputs=np.ones((1, 10)))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert session.info().step == 200  # the refused call changed nothing.


def test_record_and_generated_take_plain_dicts_in_any_case(client):
    session = client.create_session(seed=6, ne=50, nu=5, lambda_ee=5, lambda_ei=10)
    out = session.run(timesteps=20, generated={"kind": "uniform", "seed": 2},
                      record={"thresholds": True, "weights_every": 10, "y": False})
    assert out["te"].shape == (20, 50) and out["ti"].shape == (20, 10)
    assert [w["step"] for w in out["weights"]] == [10, 20]
    assert out["y"].shape == (0, 10)  # not recorded.
    twin = client.create_session(seed=6, ne=50, nu=5, lambda_ee=5, lambda_ei=10)
    same = twin.run(timesteps=20, generated={"kind": "UNIFORM", "seed": 2},
                    record=pb.RecordSelection(thresholds=True))
    assert np.array_equal(out["x"], same["x"]) and np.array_equal(out["te"], same["te"])
    multi = session.run(timesteps=5, generated={"kind": "multi-one-hot", "units_per_symbol": 5})
    assert multi["x"].shape == (5, 50)
    with pytest.raises(TypeError, match="unknown record field.*weight_every"):
        session.run(timesteps=5, record={"weight_every": 5})
    with pytest.raises(ValueError, match="unknown generated kind 'sine'"):
        session.run(timesteps=5, generated={"kind": "sine"})
    with pytest.raises(TypeError, match="record must be a dict"):
        session.run(timesteps=5, record=["x"])
    assert session.info().step == 25  # the refused calls changed nothing.
    with session.steps(record={"y": False}) as steps:
        state = steps.step(np.zeros(5))
    assert state["x"].shape == (50,)


def test_errors_are_sorn_errors_with_code_and_message(server_address):
    import sorn_client
    with sorn_client.Client(server_address, timeout=30) as client:
        with pytest.raises(sorn_client.SornError) as error:
            client.session("nobody").info()
        assert isinstance(error.value, grpc.RpcError)  # old handlers still catch it.
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
        assert error.value.message == 'no session "nobody"' == error.value.details()
        assert str(error.value) == 'NOT_FOUND: no session "nobody" (GetSession)'
        session = client.create_session(seed=1, ne=50, nu=5, lambda_ee=5, lambda_ei=10)
        with pytest.raises(sorn_client.SornError) as error:  # in a stream, too.
            session.run(inputs=np.ones((3, 10)))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error.value.method == "Simulate"
        assert repr(session) == f"Session({session.name!r})"
        assert repr(client) == f"Client({server_address!r}, open)"
    assert repr(client).endswith("closed)")


def test_a_unary_call_past_its_timeout_fails_with_deadline_exceeded(server_address):
    import sorn_client
    with sorn_client.Client(server_address, timeout=30) as client:
        session = client.create_session(ne=50, nu=5, lambda_ee=5, lambda_ei=10)
        # Building 50,000 neurons takes the server a good part of a second.
        client.stub.default_timeout = 0.005
        with pytest.raises(sorn_client.SornError) as error:
            client.create_session(ne=50_000, nu=0, h_ip=0.1, network_type_ie="SPARSE")
        assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        # Streams are not limited by it: this run outlasts 5 ms.
        out = session.run(timesteps=20_000, shape=(50, 10))
        assert out["x"].shape == (20_000, 50)
        # Uploads are streams too: an import outlasts the 5 ms default.
        copy = client.import_state(session.export_state(), "timeout-copy")
        assert copy.name == "timeout-copy"
        # A call's own timeout= wins over the default.
        assert client.stub.GetSession(pb.GetSessionRequest(name=session.name),
                                      metadata=client.metadata(session.name),
                                      timeout=30).ne == 50


def test_mechanism_names_in_any_case(client):
    session = client.create_session(seed=7, ne=50, nu=5, lambda_ee=5, lambda_ei=10)
    assert list(session.freeze(freeze=["STDP", "Ip"])) == ["stdp", "ip"]
    assert list(session.freeze(unfreeze="IP")) == ["stdp"]
    session.run(timesteps=10, freeze=["SS"])
    with pytest.raises(grpc.RpcError) as error:
        session.freeze(freeze=["stdpp"])
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_step_stream_that_ended_keeps_saying_why(client):
    session = client.create_session(seed=8, ne=50, nu=5, lambda_ee=5, lambda_ei=10)
    steps = session.steps()
    assert steps.step(np.zeros(5))["step"] == 1
    for _ in range(2):  # the refusal, then the same error, never StopIteration.
        with pytest.raises(sorn_client.SornError) as error:
            steps.step(np.zeros(3))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    steps.close()
    assert session.info().step == 1


def test_pools_travel_with_the_state(client):
    session = client.create_session(preset="lazar2009", seed=9, ne=100)
    pools = [list(p.neurons) for p in session.created.params.input_pools]
    letters = np.random.default_rng(1).integers(0, 6, 300)
    u = np.zeros((6, 300))
    u[letters, np.arange(300)] = 1.0
    session.run(inputs=u)
    copy = client.import_state(session.export_state(), "lazar-copy")
    assert [list(p.neurons) for p in copy.info().params.input_pools] == pools
    a, b = session.run(inputs=u), copy.run(inputs=u)
    assert np.array_equal(a["x"], b["x"]) and np.array_equal(a["r"], b["r"])
