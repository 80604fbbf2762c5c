"""start_server (sorn_client.server) itself, against the real binary: it is
what every other fixture, the experiments and the benches start servers with."""

import os
import stat
import time

import grpc
import pytest

import sorn_client
from sorn_client.server import LocalServer, ServerStartError, start_server


def fake_server(tmp_path, script):
    """An executable shell script standing in for sorn-server."""
    path = tmp_path / "fake-sorn-server"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_starts_on_a_free_port_and_serves_list_sessions(server_binary):
    with start_server(binary=server_binary) as server:
        assert isinstance(server, LocalServer)
        assert server.running()
        assert server.port > 0 and server.address == f"127.0.0.1:{server.port}"
        assert f"listening on 127.0.0.1:{server.port} (plaintext" in server.banner
        assert server.metrics_port is None
        client = sorn_client.Client(server.address)
        assert client.list_sessions() == []
        client.create_session("listed", seed=1, ne=60)
        assert [s.name for s in client.list_sessions()] == ["listed"]
        client.close()  # an open channel holds the server's shutdown a while
    assert not server.running()


def test_stop_is_idempotent_and_the_process_is_gone(server_binary):
    server = start_server(binary=server_binary)
    pid = server.process.pid
    assert server.stop() == 0  # SIGTERM: a clean shutdown.
    assert server.stop() == 0
    server.kill()  # after stop, nothing to do either
    assert server.process.returncode == 0
    assert gone(pid)
    assert "sorn-server stopped" in server.log
    with pytest.raises(grpc.RpcError) as error:
        sorn_client.Client(server.address).list_sessions()
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE


def test_kill_is_sigkill(server_binary):
    server = start_server(binary=server_binary)
    assert server.kill() == -9
    assert server.stop() == -9
    assert gone(server.process.pid)
    assert "sorn-server stopped" not in server.log


def test_flag_keywords_and_the_rpc_log(server_binary):
    with start_server("--metrics_port=0", binary=server_binary,
                      replica_id="keyword-replica", log_rpcs=True) as server:
        assert "replica keyword-replica)" in server.banner
        assert server.metrics_port > 0
        client = sorn_client.Client(server.address)
        client.list_sessions()
        client.close()
        # The RPC log is on stderr, one line as each call ends.
        deadline = time.time() + 10
        while '"rpc":"ListSessions"' not in server.log and time.time() < deadline:
            time.sleep(0.05)
        assert '"rpc":"ListSessions"' in server.log


def test_a_restart_on_the_same_port_and_data_dir_has_the_sessions(server_binary,
                                                                  tmp_path):
    data = f"--data_dir={tmp_path / 'data'}"
    with start_server(data, binary=server_binary) as first:
        client = sorn_client.Client(first.address)
        client.create_session("kept", seed=2, ne=60)
        client.close()
        port = first.port
    with start_server(data, binary=server_binary, port=port) as second:
        assert second.port == port
        assert "loaded 1 session(s)" in second.banner
        client = sorn_client.Client(second.address)
        assert [s.name for s in client.list_sessions()] == ["kept"]
        client.close()


def test_a_missing_binary_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="not found: '/no/such/sorn-server'"):
        start_server(binary="/no/such/sorn-server")
    monkeypatch.setenv("SORN_SERVER", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match=r"from \$SORN_SERVER"):
        start_server()
    monkeypatch.delenv("SORN_SERVER")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="set SORN_SERVER"):
        start_server()


@pytest.mark.parametrize("flag, message", [
    ("--no_such_flag=1", "Unknown command line flag 'no_such_flag'"),
    ("--tls_cert=server.pem", "--tls_cert and --tls_key must be given together"),
])
def test_a_server_that_exits_at_once_raises_with_its_message(server_binary, flag,
                                                             message):
    with pytest.raises(ServerStartError) as error:
        start_server(flag, binary=server_binary)
    assert message in str(error.value)
    assert message in error.value.output
    assert "exited (code 1) before it listened" in str(error.value)


def test_a_silent_server_times_out_and_is_killed(tmp_path):
    binary = fake_server(tmp_path, "echo starting\necho $$ > pid\nexec sleep 60\n")
    started = time.time()
    with pytest.raises(ServerStartError, match="did not say where it listens within 0.5 s"):
        start_server(binary=binary, cwd=str(tmp_path), timeout=0.5)
    assert time.time() - started < 10
    assert gone(int((tmp_path / "pid").read_text()))


def test_env_stderr_and_an_any_address_host(tmp_path):
    binary = fake_server(tmp_path, 'echo "hello $GREETING" >&2\n'
                         'echo "sorn-server listening on 0.0.0.0:4321 (fake; replica f)"\n'
                         "exec sleep 60\n")
    with start_server(binary=binary, env={"GREETING": "from env"}) as server:
        assert (server.host, server.port) == ("0.0.0.0", 4321)
        assert server.address == "127.0.0.1:4321"
        deadline = time.time() + 10
        while "hello from env" not in server.log and time.time() < deadline:
            time.sleep(0.05)
        assert "hello from env" in server.log
        assert server.process.args[1:] == ["--port=0"]
    assert server.process.returncode == -15  # SIGTERM
