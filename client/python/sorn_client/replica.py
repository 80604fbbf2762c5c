"""Which replica served a call: a channel interceptor that keeps the
`x-sorn-replica` initial metadata every sorn-server response carries.

Behind a proxy that routes by session (deploy/), every call of one session
should name the same replica; Client.last_replica shows it."""

import grpc

_KEY = "x-sorn-replica"


def _replica_of(call):
    try:
        metadata = call.initial_metadata() or ()
    except Exception:  # a call that failed before the server answered
        return None
    for key, value in metadata:
        if key == _KEY:
            return value
    return None


class _Responses:
    """A streamed response iterator that reports the replica when its first
    response (or its end) arrives, so that nothing blocks before the caller
    reads, and that otherwise behaves as the call it wraps."""

    def __init__(self, call, record):
        self._call = call
        self._record = record
        self._recorded = False

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._call)
        finally:
            if not self._recorded:
                self._recorded = True
                self._record(_replica_of(self._call))

    def __getattr__(self, name):
        return getattr(self._call, name)


class ReplicaRecorder(grpc.UnaryUnaryClientInterceptor,
                      grpc.UnaryStreamClientInterceptor,
                      grpc.StreamUnaryClientInterceptor,
                      grpc.StreamStreamClientInterceptor):
    """Calls `record(replica or None)` once per call."""

    def __init__(self, record):
        self._record = record

    def _unary(self, continuation, details, request):
        outcome = continuation(details, request)
        self._record(_replica_of(outcome))
        return outcome

    def _stream(self, continuation, details, request):
        return _Responses(continuation(details, request), self._record)

    intercept_unary_unary = _unary
    intercept_stream_unary = _unary
    intercept_unary_stream = _stream
    intercept_stream_stream = _stream
