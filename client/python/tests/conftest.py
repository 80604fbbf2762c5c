"""Fixtures: a real sorn-server on a free loopback port ($SORN_SERVER is the
binary) and a client connected to it."""

import os
import re
import subprocess

import pytest

import sorn_client


@pytest.fixture(scope="session")
def server_address():
    binary = os.environ.get("SORN_SERVER")
    if not binary:
        pytest.fail("set SORN_SERVER to the sorn-server binary")
    process = subprocess.Popen([binary, "--port=0"], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
    if not match:
        process.kill()
        pytest.fail(f"sorn-server did not start: {line!r}")
    yield match.group(1)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def client(server_address):
    return sorn_client.connect(server_address)
