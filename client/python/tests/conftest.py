"""Fixtures: a real sorn-server on a free loopback port ($SORN_SERVER is the
binary) and a client connected to it."""

import os

import pytest

import sorn_client
from sorn_client.server import start_server


def pytest_sessionstart(session):
    """With $SORN_EXPECT_INSTALLED_IN (tests/client/python_package_test.sh),
    the suite must test the pip-installed package, not the source tree."""
    expected = os.environ.get("SORN_EXPECT_INSTALLED_IN")
    if expected and not sorn_client.__file__.startswith(expected):
        pytest.exit(f"testing {sorn_client.__file__}, not the package installed in {expected}",
                    returncode=3)


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
