"""Start a sorn-server on this machine from Python and stop it again.

It is what the Python tests, the experiments of examples/experiments, the
benchmarks and the deployment tests use, and a notebook can use it too:

    import sorn_client
    from sorn_client.server import start_server

    with start_server("--data_dir=runs", log_rpcs=False) as server:
        client = sorn_client.connect(server.address)
        ...
    # or, for as long as the notebook runs:
    server = start_server()
    sorn_client.connect(server.address)
    ...
    server.stop()

The server listens on a free loopback port by default (--port=0: the system
picks it, so parallel runs never collide); start_server waits until the
server prints the line that says where it listens, and reads the port from
it. Everything the server prints (stdout and stderr) is kept in `.log`.
"""

from __future__ import annotations

import atexit
import collections
import os
import re
import shutil
import subprocess
import threading
import weakref
from typing import IO, Mapping, Optional

__all__ = ["LocalServer", "ServerStartError", "find_binary", "start_server"]

# server/main.cc prints, once it accepts calls (and after the "loaded" and
# "metrics on" lines, then flushes stdout):
#   sorn-server listening on HOST:PORT (plaintext; ...; replica ID)
# HOST may be an IPv6 address, whose colons the greedy (.+) keeps.
_LISTENING = re.compile(r"sorn-server listening on (.+):(\d+) \(")
_METRICS = re.compile(r"sorn-server metrics on (.+):(\d+)/metrics")

# Addresses a server listens on that a client cannot connect to as such.
_ANY_HOST = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1", "": "127.0.0.1"}

# Servers still running when the interpreter exits are stopped then: a child
# process outlives its parent, and a notebook's kernel that is restarted
# would otherwise leave its servers (and their ports) behind.
_running: "weakref.WeakSet[LocalServer]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop(timeout=5)


class ServerStartError(RuntimeError):
    """The server exited, or did not say where it listens in time. `output`
    is everything it printed (stdout and stderr) until then."""

    def __init__(self, message: str, output: str):
        super().__init__(message)
        self.output = output


def find_binary(binary: Optional[str] = None) -> str:
    """The sorn-server executable to run: `binary`, else $SORN_SERVER, else
    `sorn-server` on PATH. FileNotFoundError says which one is missing."""
    if binary:
        source = "binary argument"
    elif os.environ.get("SORN_SERVER"):
        binary, source = os.environ["SORN_SERVER"], "$SORN_SERVER"
    else:
        found = shutil.which("sorn-server")
        if found is None:
            raise FileNotFoundError(
                "no sorn-server to start: pass binary=..., set SORN_SERVER to "
                "the sorn-server executable (e.g. build/server/sorn-server), or "
                "put sorn-server on PATH")
        return found
    # A bare name is looked up on PATH, as the shell would; a path is used as
    # it is. Checked here so the error names the setting, not just errno.
    path = binary if os.sep in binary else shutil.which(binary)
    if path is None or not os.path.isfile(path):
        raise FileNotFoundError(f"sorn-server not found: {binary!r} (from {source})")
    if not os.access(path, os.X_OK):
        raise PermissionError(f"sorn-server is not executable: {path!r} (from {source})")
    return path


def _flag(name: str, value: object) -> str:
    # The server's flags are absl flags: booleans are spelled true/false.
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"--{name}={value}"


class LocalServer:
    """A sorn-server process started by start_server. A context manager:
    leaving the `with` block stops it.

    address       host:port for a client (a server listening on every
                  interface, --host=0.0.0.0, is reached on 127.0.0.1)
    host, port    what the server said it listens on (port: the real one
                  when --port=0 let the system pick it)
    metrics_port  the Prometheus port when --metrics_port was given, or None
    banner        stdout up to and including the listening line
    log           everything the server printed so far, stdout and stderr
                  interleaved as they arrived (the RPC log is on stderr)
    process       the subprocess.Popen
    """

    def __init__(self, command: list[str], env: Optional[Mapping[str, Optional[str]]],
                 cwd: Optional[str], timeout: float, max_log_lines: Optional[int],
                 echo: Optional[IO[str]]):
        self.command = command
        self.host: Optional[str] = None
        self.port: Optional[int] = None
        self.address: Optional[str] = None
        self.metrics_port: Optional[int] = None
        self.banner = ""
        self._echo = echo
        self._lock = threading.Lock()
        # Bounded, so a long run with the RPC log on does not grow without end.
        self._log: collections.deque[str] = collections.deque(maxlen=max_log_lines)
        self._banner: list[str] = []
        self._listening: Optional[re.Match[str]] = None
        # Set when the listening line arrives or stdout closes (the server
        # exited): either way the starting thread stops waiting.
        self._decided = threading.Event()
        self._stopped = False

        full_env = dict(os.environ)
        for name, value in (env or {}).items():
            if value is None:
                full_env.pop(name, None)
            else:
                full_env[name] = value
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, env=full_env, cwd=cwd, text=True,
            errors="replace", bufsize=1)
        # Both pipes are read to their end by threads for the whole life of
        # the server: one that nobody reads fills up (64 KiB) and then blocks
        # the server on its next write, e.g. of an RPC log line.
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, True),
                             name=f"sorn-server-{self.process.pid}-stdout", daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, False),
                             name=f"sorn-server-{self.process.pid}-stderr", daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        _running.add(self)
        try:
            self._wait_until_listening(timeout)
        except BaseException:
            self.kill()
            raise

    def _read(self, stream: IO[str], is_stdout: bool) -> None:
        for line in stream:
            with self._lock:
                self._log.append(line)
                if is_stdout and self._listening is None:
                    self._banner.append(line)
                    self._listening = _LISTENING.search(line)
                    if self._listening is not None:
                        self._decided.set()
            if self._echo is not None and not is_stdout:
                self._echo.write(line)
                self._echo.flush()
        stream.close()
        if is_stdout:
            self._decided.set()

    def _wait_until_listening(self, timeout: float) -> None:
        name = os.path.basename(self.command[0])
        if not self._decided.wait(timeout):
            self.kill()
            raise ServerStartError(
                f"{name} did not say where it listens within {timeout:g} s; "
                f"it printed:\n{self.log}", self.log)
        with self._lock:
            listening = self._listening
            self.banner = "".join(self._banner)
        if listening is None:  # stdout closed first: the server is exiting.
            code = self._finish(5)
            raise ServerStartError(
                f"{name} exited (code {code}) before it listened: "
                f"{' '.join(self.command[1:])}\n{self.log}", self.log)
        self.host = listening.group(1)
        self.port = int(listening.group(2))
        host = _ANY_HOST.get(self.host, self.host)
        self.address = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        metrics = _METRICS.search(self.banner)
        self.metrics_port = int(metrics.group(2)) if metrics else None

    @property
    def log(self) -> str:
        with self._lock:
            return "".join(self._log)

    def running(self) -> bool:
        return self.process.poll() is None

    def _finish(self, timeout: float) -> Optional[int]:
        """Waits for the process and the rest of its output after it was
        asked to exit; its exit code."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        # The readers end at EOF, which comes when the process (and any child
        # holding the pipes) is gone; the bound only guards the latter.
        for reader in self._readers:
            reader.join(timeout=5)
        with self._lock:
            self._stopped = True
        _running.discard(self)
        return self.process.returncode

    def stop(self, timeout: float = 30) -> Optional[int]:
        """SIGTERM (the server finishes its calls within --grace_period and
        saves its sessions), then SIGKILL after `timeout` seconds. Does
        nothing when already stopped. Returns the exit code."""
        with self._lock:
            if self._stopped:
                return self.process.returncode
        if self.process.poll() is None:
            self.process.terminate()
        return self._finish(timeout)

    def kill(self) -> Optional[int]:
        """SIGKILL: no chance to save anything (what a crash looks like)."""
        with self._lock:
            if self._stopped:
                return self.process.returncode
        if self.process.poll() is None:
            self.process.kill()
        return self._finish(10)

    def __enter__(self) -> "LocalServer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running() else f"exited {self.process.returncode}"
        return f"<LocalServer {self.address} pid {self.process.pid} {state}>"


def start_server(*flags: str, binary: Optional[str] = None, port: Optional[int] = 0,
                 env: Optional[Mapping[str, Optional[str]]] = None,
                 cwd: Optional[str] = None, timeout: float = 60,
                 max_log_lines: Optional[int] = 100_000,
                 echo: Optional[IO[str]] = None,
                 **flag_values: object) -> LocalServer:
    """Starts sorn-server and returns once it accepts calls.

    flags         command-line flags as the server takes them, e.g.
                  "--data_dir=runs", "--metrics_port=0", "--flagfile=F"
    flag_values   the same as keywords: data_dir="runs", log_rpcs=False
    binary        the executable (default: $SORN_SERVER, else sorn-server on
                  PATH; see find_binary)
    port          passed as --port before `flags`, so a --port or --flagfile
                  among them wins; 0 (default): a free port the system picks;
                  None: no --port (the server's own default, 50051)
    env           variables added to this process's environment for the
                  server (None as a value removes one)
    timeout       seconds to wait for the listening line (loading a big
                  --data_dir takes a while)
    max_log_lines lines of output `.log` keeps (the latest; None: all)
    echo          a stream (e.g. sys.stderr) that also gets every line the
                  server writes to stderr: its warnings and RPC log

    Raises FileNotFoundError when there is no binary, and ServerStartError
    (with the server's output) when it exits or stays silent instead.
    """
    command = [find_binary(binary)]
    if port is not None:
        command.append(f"--port={port}")
    command += [str(f) for f in flags]
    command += [_flag(name, value) for name, value in flag_values.items()]
    return LocalServer(command, env=env, cwd=cwd, timeout=timeout,
                       max_log_lines=max_log_lines, echo=echo)
