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
