"""Sessions on a sorn-server: create, run, step, freeze, statistics, state."""

import atexit
import os
import queue
import threading
import uuid
import weakref
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import grpc
import grpc.experimental
import numpy as np

from sorn_client import conversions, readout_outputs
from sorn_client.errors import SornError, TranslatingStub  # noqa: F401 (re-exported)
from sorn_client.replica import ReplicaRecorder
from sorn_client.results import SessionStatistics
from sorn_client_pb import sorn_pb2 as pb
from sorn_client_pb import sorn_pb2_grpc as pb_grpc

DEFAULT_ADDRESS = "127.0.0.1:50051"
_CHUNK = 1 << 20
_default = None


def connect(address=None, token=None, **options):
    """A client for the server at `address` (default: $SORN_SERVER_ADDRESS or
    127.0.0.1:50051); it becomes the default of Simulator and Trainer.
    `options`: tls_ca, tls_cert, tls_key and keepalive_seconds, as for
    Client."""
    global _default
    _default = Client(address, token=token, **options)
    return _default


def default_client():
    """The client of the last connect(), or one to the default address."""
    return _default if _default is not None else connect()


def _flush_at_exit(client_ref):
    client = client_ref()
    if client is None:
        return
    for state_dict in list(client._live.values()):  # finalizers may not have run.
        state_dict.release()
    try:
        client.flush_released()
    except Exception:  # the channel may be closed already.
        pass


def _keep_alive(client_ref, closed, interval):
    # Holds the client only while touching, so that it can be collected.
    while not closed.wait(interval):
        client = client_ref()
        if client is None:
            return
        client.touch_live()
        del client


class Client:
    """A channel to one sorn-server. A refused call raises SornError (a
    grpc.RpcError) with the server's code and message. A context manager:
    `with Client(address) as client:` closes it at the end."""

    def __init__(self, address: Optional[str] = None, token: Optional[str] = None,
                 tls_ca: Union[str, bool, None] = None, tls_cert: Optional[str] = None,
                 tls_key: Optional[str] = None, keepalive_seconds: float = 120,
                 timeout: Optional[float] = None) -> None:
        """`token` (default $SORN_TOKEN) is sent as a bearer token. TLS is used
        when `tls_ca` (PEM file of the CA that signed the server's certificate,
        default $SORN_TLS_CA; True: the system's roots) is given; `tls_cert` and
        `tls_key` (PEM files) add a client certificate for mutual TLS.
        `keepalive_seconds`: how often a background thread touches the
        sessions of live state_dicts, so that the server's
        --ephemeral_session_ttl (default 600 s; keep it longer) does not
        delete the state of a notebook that is thinking; 0 never.
        `timeout`: seconds each unary call (create, get, statistics, fits...)
        may take before it fails with DEADLINE_EXCEEDED; None: no limit.
        Streaming calls (run, steps, export, import) are not limited."""
        self.address = address or os.environ.get("SORN_SERVER_ADDRESS", DEFAULT_ADDRESS)
        self.token = token or os.environ.get("SORN_TOKEN")
        tls_ca = tls_ca or os.environ.get("SORN_TLS_CA")
        tls_cert = tls_cert or os.environ.get("SORN_TLS_CERT")
        tls_key = tls_key or os.environ.get("SORN_TLS_KEY")
        options = [("grpc.max_receive_message_length", 256 << 20),
                   # Server-streaming calls (Simulate, Train, ExportState) read
                   # on the calling thread: without it, gRPC starts a thread
                   # per call, 2 ms of a 1-step Simulate.
                   (grpc.experimental.ChannelOptions.SingleThreadedUnaryStream, 1)]
        if tls_ca or tls_cert:
            if bool(tls_cert) != bool(tls_key):
                raise ValueError("tls_cert and tls_key go together")

            def read(path):
                with open(path, "rb") as f:
                    return f.read()

            credentials = grpc.ssl_channel_credentials(
                root_certificates=read(tls_ca) if isinstance(tls_ca, str) else None,
                private_key=read(tls_key) if tls_key else None,
                certificate_chain=read(tls_cert) if tls_cert else None)
            self._channel = grpc.secure_channel(self.address, credentials,
                                                options=options)
        else:
            self._channel = grpc.insecure_channel(self.address, options=options)
        # The replica (x-sorn-replica) that served this client's latest call;
        # None before the first or when the server did not say.
        self.last_replica = None
        self.stub = TranslatingStub(pb_grpc.SornStub(grpc.intercept_channel(
            self._channel, ReplicaRecorder(self._set_replica))), default_timeout=timeout)
        # Ephemeral sessions of collected state_dicts as (name, route),
        # deleted by the next call on that route that can carry them
        # (RunRequest.release) or by flush_released; and the live ones, let go
        # at exit before the flush.
        self._released = []
        self._released_lock = threading.Lock()
        self._live = weakref.WeakValueDictionary()  # id -> StateDict (unhashable)
        self._keepalive_seconds = keepalive_seconds
        self._keepalive = None  # the thread, started by the first track().
        self._closed = threading.Event()
        atexit.register(_flush_at_exit, weakref.ref(self))

    def track(self, state_dict):
        """Remembers a live StateDict, so that exit deletes its session too
        and the keepalive thread touches it."""
        self._live[id(state_dict)] = state_dict
        if self._keepalive is None and self._keepalive_seconds > 0:
            self._keepalive = threading.Thread(
                target=_keep_alive, name="sorn_client keepalive", daemon=True,
                args=(weakref.ref(self), self._closed, self._keepalive_seconds))
            self._keepalive.start()

    def touch_live(self):
        """Uses (GetSession) the session of every live StateDict, which
        resets its idle time on the server."""
        try:
            live = list(self._live.values())
        except RuntimeError:  # changed by another thread meanwhile: next round.
            return
        for state_dict in live:
            session = state_dict.session
            try:
                self.stub.GetSession(pb.GetSessionRequest(name=session.name),
                                     metadata=self.metadata(session.route), timeout=5)
            except (grpc.RpcError, ValueError):  # gone, or the channel closed.
                pass

    def release(self, name, route=None):
        """Queues ephemeral session `name` (reached through `route`) for
        deletion; thread-safe: any thread's garbage collection may call it."""
        with self._released_lock:
            self._released.append((name, route or name))

    def take_released(self, route=None):
        """The queued names (of `route` only, when given), now no longer queued."""
        with self._released_lock:
            taken = [n for n, r in self._released if route is None or r == route]
            self._released = [(n, r) for n, r in self._released
                              if route is not None and r != route]
        return taken

    def flush_if_many(self, limit=64):
        """flush_released when more than `limit` are queued: names no call
        can carry (other routes; imports) must not pile up."""
        if len(self._released) > limit:
            self.flush_released()

    def flush_released(self):
        """Deletes the queued sessions now (errors are ignored: the server
        deletes ephemeral sessions itself once idle)."""
        with self._released_lock:
            queued, self._released = self._released, []
        for name, route in queued:
            try:
                self.stub.DeleteSession(pb.DeleteSessionRequest(name=name),
                                        metadata=self.metadata(route), timeout=5)
            except (grpc.RpcError, ValueError):  # ValueError: channel closed.
                pass

    def _set_replica(self, replica):
        self.last_replica = replica

    def metadata(self, session=None):
        md = []
        if self.token:
            md.append(("authorization", f"Bearer {self.token}"))
        if session:
            md.append(("x-sorn-session", session))
        return md

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self._closed.is_set() else "open"
        return f"Client({self.address!r}, {state})"

    def close(self) -> None:
        self._closed.set()
        for state_dict in list(self._live.values()):
            state_dict.release()
        self.flush_released()
        self._channel.close()

    def create_session(self, name: Optional[str] = None, seed: Optional[int] = None,
                       record_buffer_steps: Optional[int] = None, ephemeral: bool = False,
                       preset: Optional[str] = None, **params: Any) -> "Session":
        """A new session (named `name`, or a generated name) with SORN parameters
        given as keywords (ne=..., eta_stdp=...). `preset` starts from a published
        model ("lazar2009", "zheng2013", "delpapa2017"; docs/SPEC.md "Presets")
        and the keywords override it. An `ephemeral` session is deleted by the
        server once unused for its --ephemeral_session_ttl."""
        name = name or f"py-{uuid.uuid4().hex[:12]}"
        request = pb.CreateSessionRequest(name=name, preset=preset or "",
                                          params=conversions.params_to_proto(**params))
        if seed is not None:
            request.seed = seed
        if record_buffer_steps is not None:
            request.record_buffer_steps = record_buffer_steps
        request.ephemeral = bool(ephemeral)
        session = Session(self, name)
        session.created = self.stub.CreateSession(request, metadata=self.metadata(name))
        return session

    def session(self, name: str) -> "Session":
        return Session(self, name)

    def list_sessions(self, all_tenants: bool = False) -> List[pb.SessionInfo]:
        """SessionInfo of this tenant's sessions (an admin may ask for every
        tenant's)."""
        request = pb.ListSessionsRequest(all_tenants=bool(all_tenants))
        return list(self.stub.ListSessions(request, metadata=self.metadata()).sessions)

    def import_state_dict(self, state_dict, name=None, seed=None, freeze=(),
                          replace=False, ephemeral=False, **params):
        """A session continuing from a reference `state_dict` (dict of arrays)."""
        name = name or f"py-{uuid.uuid4().hex[:12]}"
        reference = conversions.state_dict_to_proto(state_dict)
        if "ne" not in params:
            params["ne"] = reference.wee.rows
        header = pb.ImportStateRequest.Header(
            name=name, format=pb.ImportStateRequest.Header.REFERENCE,
            params=conversions.params_to_proto(**params), frozen=conversions.mechanisms(freeze),
            replace=replace, ephemeral=bool(ephemeral))
        if seed is not None:
            header.seed = seed
        session = Session(self, name)
        session.created = self._import(header, reference.SerializeToString())
        return session

    def import_state(self, data: bytes, name: str, replace: bool = False) -> "Session":
        """A session from ExportState's bytes (a serialized NetworkState)."""
        header = pb.ImportStateRequest.Header(name=name, replace=replace)
        self._import(header, data)
        return Session(self, name)

    def _import(self, header, data):
        # Lets the server reserve the import's memory at once.
        header.total_bytes = len(data)
        def messages():
            yield pb.ImportStateRequest(header=header)
            for at in range(0, len(data), _CHUNK):
                yield pb.ImportStateRequest(data=data[at:at + _CHUNK])
        return self.stub.ImportState(messages(), metadata=self.metadata(header.name))


class Session:
    """A named session on the server (its state lives there)."""

    def __init__(self, client, name, route=None):
        """`route`: the x-sorn-session its calls carry (default its name);
        forks made by runs share their source's, so that a router that picks
        replicas by it sends a whole lineage to the replica that holds it."""
        self.client = client
        self.name = name
        self.route = route or name
        self.created = None  # SessionInfo, for a session this object created.

    def __repr__(self):
        return f"Session({self.name!r})"

    def _md(self):
        return self.client.metadata(self.route)

    def info(self) -> pb.SessionInfo:
        return self.client.stub.GetSession(pb.GetSessionRequest(name=self.name),
                                           metadata=self._md())

    def delete(self) -> None:
        self.client.stub.DeleteSession(pb.DeleteSessionRequest(name=self.name),
                                       metadata=self._md())

    def fork(self, name: Optional[str] = None, reseed: Optional[int] = None,
             ephemeral: bool = False) -> "Session":
        """A copy of this session made on the server (no state travels); with
        `reseed`, its generator is reseeded."""
        name = name or f"py-{uuid.uuid4().hex[:12]}"
        request = pb.ForkSessionRequest(source=self.name, name=name,
                                        ephemeral=bool(ephemeral))
        if reseed is not None:
            request.reseed = reseed
        self.client.stub.ForkSession(request, metadata=self._md())
        return Session(self.client, name, route=self.route)

    def freeze(self, freeze: Sequence[str] = (),
               unfreeze: Sequence[str] = ()) -> List[str]:
        return self.client.stub.Freeze(
            pb.FreezeRequest(session=self.name, freeze=conversions.mechanisms(freeze),
                             unfreeze=conversions.mechanisms(unfreeze)),
            metadata=self._md()).frozen

    def run(self, timesteps: Optional[int] = None, inputs: Optional[np.ndarray] = None,
            generated: Union[Dict[str, Any], pb.GeneratedInputs, None] = None,
            phase: Optional[str] = None, noise: bool = True, freeze: Sequence[str] = (),
            train: bool = False, record: Union[Dict[str, Any], pb.RecordSelection, None] = None,
            readouts: Sequence[str] = (), fork_to: Optional[str] = None,
            release: Sequence[str] = (), shape: Optional[Tuple[int, int]] = None,
            on_steps: Optional[Callable[[int], None]] = None,
            dense_weights: Sequence[str] = ("wee", "wei")) -> Dict[str, Any]:
        """Runs Simulate (or Train) and returns a dict of arrays: x (T, ne),
        y (T, ni), r (T, ne), ee_conn (T,), ei_conn (T,), te (T, ne), ti (T, ni)
        (those recorded; te and ti when record.thresholds), "weights":
        [{"step", "wee" (ne, ne), "wei" (ni, ne)}] (dense, when
        record.weights_every > 0), and "readouts": {name: {"scores": (T, outputs), "classes": (T,) or
        None}} for the readouts named in `readouts`.

        inputs: an (nu, T) array (the reference's layout); generated: a
        dict such as {"kind": "UNIFORM", "seed": 1}; neither: zero input.
        fork_to: run a new ephemeral fork of this name instead (this session
        does not change); release: ephemeral sessions to delete if the call
        succeeds; shape: (ne, ni) when known (saves a GetSession); on_steps:
        called with the number of steps of each streamed message (progress);
        dense_weights: which matrices of each weight snapshot to return
        (densifying one costs ne x ne doubles per snapshot)."""
        ne, ni = shape if shape is not None else (lambda i: (i.ne, i.ni))(self.info())
        request = pb.RunRequest(session=self.name, noise=bool(noise), freeze=conversions.mechanisms(freeze),
                                readouts=list(readouts), fork_to=fork_to or "",
                                release=list(release))
        record = conversions.record_selection(record)
        if record is not None:
            request.record.CopyFrom(record)
        if inputs is not None:
            values = np.asarray(inputs, dtype=np.float64)
            if values.ndim != 2:
                raise ValueError(f"inputs must be (nu, T), got shape {values.shape}")
            timesteps = values.shape[1] if timesteps is None else timesteps
            request.values.units = values.shape[0]
            request.values.steps = values.shape[1]
            request.values.values.extend(values.ravel().tolist())
        elif generated is not None:
            request.generated.CopyFrom(conversions.generated_inputs(generated))
        if timesteps is None:
            raise ValueError("give timesteps (or inputs of shape (nu, T))")
        request.timesteps = int(timesteps)
        if phase is not None:
            request.phase = pb.Phase.Value(str(phase).upper())
        call = self.client.stub.Train if train else self.client.stub.Simulate
        x, y, r, ee, ei, te, ti, weights = [], [], [], [], [], [], [], []
        outputs = readout_outputs.Gatherer(readouts)
        for message in call(request, metadata=self._md()):
            outputs.add(message.readouts, message.steps)
            te.extend(message.te)
            ti.extend(message.ti)
            x.append(conversions.unpack_bits(message.x, message.steps if message.x else 0, ne))
            y.append(conversions.unpack_bits(message.y, message.steps if message.y else 0, ni))
            r.append(conversions.unpack_bits(message.r, message.steps if message.r else 0, ne))
            ee.extend(message.ee_conn)
            ei.extend(message.ei_conn)
            weights.extend({"step": w.step, **{key: conversions.sparse_to_dense(
                getattr(w, key)) for key in dense_weights}} for w in message.weights)
            if on_steps is not None:
                on_steps(message.steps)
        return {
            "x": np.concatenate(x) if x else np.zeros((0, ne), np.uint8),
            "y": np.concatenate(y) if y else np.zeros((0, ni), np.uint8),
            "r": np.concatenate(r) if r else np.zeros((0, ne), np.uint8),
            "ee_conn": np.asarray(ee, dtype=np.int64),
            "ei_conn": np.asarray(ei, dtype=np.int64),
            "te": np.asarray(te, dtype=np.float64).reshape(-1, ne),
            "ti": np.asarray(ti, dtype=np.float64).reshape(-1, ni),
            "weights": weights,
            "readouts": outputs.result(),
        }

    def fit_readout(self, name, labels=None, one_hot=None, values=None, classes=0,
                    skip_last=0, population="excitatory", include_input=False,
                    bias=True, regularization=None, return_weights=False):
        """FitReadout: a ridge-regression readout from the recorded steps to
        targets, one row per step (the most recent steps, oldest first,
        ending `skip_last` steps before the last). Give exactly one of
        labels (T,) ints, one_hot (T, classes) or values (T, outputs).
        Returns {"info": ReadoutInfo, "weights": (features, outputs) array
        or None}."""
        request = readout_outputs.fit_request(
            self.name, name, labels=labels, one_hot=one_hot, values=values,
            classes=classes, skip_last=skip_last, population=population,
            include_input=include_input, bias=bias, regularization=regularization,
            return_weights=return_weights)
        response = self.client.stub.FitReadout(request, metadata=self._md())
        weights = None
        if response.HasField("weights"):
            weights = np.asarray(response.weights.data, dtype=np.float64).reshape(
                response.weights.rows, response.weights.cols)
        return {"info": response.readout, "weights": weights}

    def delete_readout(self, name: str) -> pb.SessionInfo:
        return self.client.stub.DeleteReadout(
            pb.DeleteReadoutRequest(session=self.name, readout=name), metadata=self._md())

    def export_state(self) -> bytes:
        """The whole state as bytes (a serialized sorn.v1.NetworkState)."""
        chunks = self.client.stub.ExportState(pb.ExportStateRequest(session=self.name),
                                              metadata=self._md())
        return b"".join(chunk.data for chunk in chunks)

    def state_dict(self) -> Dict[str, np.ndarray]:
        """The state in the reference package's state_dict layout."""
        state = pb.NetworkState()
        state.ParseFromString(self.export_state())
        return conversions.state_to_state_dict(state)

    def steps(self, record: Union[Dict[str, Any], pb.RecordSelection, None] = None,
              readouts: Sequence[str] = ()) -> "StepStream":
        """A Step stream on this session (see StepStream); use as a context manager."""
        return StepStream(self, record=record, readouts=readouts)

    def statistics(self, **arguments: Any) -> SessionStatistics:
        """GetStatistics over the recorded activity (arguments as in
        GetStatisticsRequest: population, last_steps, neuron, ...; population
        in any case) as a SessionStatistics of NumPy arrays and floats."""
        if "population" in arguments:
            arguments["population"] = pb.Population.Value(str(arguments["population"]).upper())
        proto = self.client.stub.GetStatistics(
            pb.GetStatisticsRequest(session=self.name, **arguments), metadata=self._md())
        return SessionStatistics.from_proto(proto)


class StepStream:
    """One Step call: each step() sends one input vector and returns the
    resulting state. The stream holds the session (it is its driver) until
    close(). Not thread-safe."""

    def __init__(self, session, record=None, readouts=()):
        self.session = session
        self._readouts = list(readouts)
        info = session.info()
        self.ne, self.ni = info.ne, info.ni
        self._requests = queue.Queue()
        self._first = True
        self._record = conversions.record_selection(record)
        self._ended = None  # the SornError that ended the stream, once it has.
        self._responses = session.client.stub.Step(iter(self._requests.get, None),
                                                   metadata=session._md())

    def step(self, values: Sequence[float], phase: Optional[str] = None,
             noise: bool = True) -> Dict[str, Any]:
        """Returns {"step", "x" (ne,), "y" (ni,), "r" (ne,)} as uint8 arrays, and
        "readouts": {name: {"scores": (outputs,), "class": int or None}}."""
        request = pb.StepRequest(input=np.asarray(values, dtype=np.float64).tolist(),
                                 noise=bool(noise))
        if phase is not None:
            request.phase = pb.Phase.Value(str(phase).upper())
        if self._first:
            request.session = self.session.name
            if self._record is not None:
                request.record.CopyFrom(self._record)
            request.readouts.extend(self._readouts)
            self._first = False
        if self._ended is not None:  # every later step says why, again.
            raise self._ended
        self._requests.put(request)
        try:
            response = next(self._responses)
        except SornError as error:
            self._ended = error
            raise
        except StopIteration:
            self._ended = SornError(grpc.StatusCode.UNAVAILABLE,
                                    "the Step stream has ended", "Step")
            raise self._ended from None
        return {"step": response.step,
                "x": conversions.unpack_bits(response.x, 1, self.ne)[0] if response.x else None,
                "y": conversions.unpack_bits(response.y, 1, self.ni)[0] if response.y else None,
                "r": conversions.unpack_bits(response.r, 1, self.ne)[0] if response.r else None,
                "readouts": readout_outputs.one_step(response.readouts)}

    def close(self):
        self._requests.put(None)
        if self._ended is not None:
            return
        for _ in self._responses:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
