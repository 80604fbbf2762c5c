"""Weight snapshots of Simulate (record.weights_every) as dense arrays."""

import numpy as np

from sorn_client_pb import sorn_pb2 as pb


def test_snapshots_every_k_steps_and_the_last_equals_the_state(client):
    session = client.create_session(name="py-weights", seed=3)
    result = session.run(120, generated={"kind": "UNIFORM", "seed": 1},
                         record=pb.RecordSelection(weights_every=50))
    assert [w["step"] for w in result["weights"]] == [50, 100, 120]
    last = result["weights"][-1]
    assert last["wee"].shape == (200, 200) and last["wei"].shape == (40, 200)
    state = session.state_dict()
    np.testing.assert_allclose(last["wee"], state["Wee"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(last["wei"], state["Wei"], rtol=1e-12, atol=0)
    # Incoming excitatory weights are normalized (SS).
    np.testing.assert_allclose(last["wee"].sum(axis=0), 1.0, atol=1e-9)
