"""Ephemeral sessions through the Python client: the server deletes them once
unused for --ephemeral_session_ttl, and never deletes named ones."""

import time

import sorn_client
from sorn_client.server import start_server


def _names(client):
    return {info.name for info in client.list_sessions()}


def test_an_unused_ephemeral_session_is_deleted_and_a_named_one_is_not(server_binary):
    with start_server(binary=server_binary, ephemeral_session_ttl=1,
                      log_rpcs=False) as server:
        client = sorn_client.connect(server.address)
        named = client.create_session("named", ne=40, seed=1)
        temp = client.create_session(ne=40, seed=2, ephemeral=True)
        assert temp.info().ephemeral and not named.info().ephemeral
        assert temp.name in _names(client)
        deadline = time.monotonic() + 30
        while temp.name in _names(client) and time.monotonic() < deadline:
            time.sleep(0.1)  # listing does not count as using it.
        assert _names(client) == {"named"}
        assert "deleted ephemeral session local/" + temp.name in server.log
        client.close()


def test_a_live_state_dict_outlives_the_ttl_while_its_client_keeps_it(server_binary):
    """A notebook that thinks longer than the TTL keeps its state: the
    client's keepalive thread touches the sessions of live state_dicts. A
    client without it loses an unfetched state_dict's state, and says why."""
    import numpy as np
    import pytest
    from sorn_client import Simulator
    from sorn_client.state_handle import StateLost
    with start_server(binary=server_binary, ephemeral_session_ttl=1,
                      log_rpcs=False) as server:
        kept = sorn_client.Client(server.address, keepalive_seconds=0.2)
        lost = sorn_client.Client(server.address, keepalive_seconds=0)
        held, _ = Simulator.run(inputs=np.zeros((4, 3)), timesteps=3, ne=40, client=kept)
        dropped, _ = Simulator.run(inputs=np.zeros((4, 3)), timesteps=3, ne=40,
                                   client=lost)
        deadline = time.monotonic() + 30
        while dropped.session.name in _names(kept) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert held.session.name in _names(kept)  # reaped alongside, but kept.
        assert held["Wee"].shape == (40, 40)
        with pytest.raises(StateLost, match="ephemeral_session_ttl"):
            dropped["Wee"]
        kept.close()
        lost.close()
