"""Fixtures: a real sorn-server on a free loopback port ($SORN_SERVER is the
binary) and a client connected to it."""

import os

import pytest

import sorn_client
from sorn_client.server import start_server


@pytest.fixture(scope="session")
def server_binary():
    """$SORN_SERVER, required: the tests are of the binary just built, never
    of whichever sorn-server is on PATH (start_server's fallback)."""
    binary = os.environ.get("SORN_SERVER")
    if not binary:
        pytest.fail("set SORN_SERVER to the sorn-server binary")
    return binary


@pytest.fixture(scope="session")
def server_address(server_binary):
    with start_server(binary=server_binary) as server:
        yield server.address


@pytest.fixture
def client(server_address):
    return sorn_client.connect(server_address)
