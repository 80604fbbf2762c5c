"""SornError: what a failed call raises, and the stub wrapper that turns
gRPC's errors into it and gives unary calls a default deadline."""

import grpc


class SornError(grpc.RpcError):
    """A call the server (or the channel) refused: `code` is the
    grpc.StatusCode, `message` the server's explanation. Like gRPC's own
    errors it answers code() and details(), so `except grpc.RpcError` and
    code that calls e.code() keep working."""

    def __init__(self, code, message, method=""):
        super().__init__(f"{code.name}: {message}")
        self.code_ = code
        self.message = message
        self.method = method

    def code(self):
        return self.code_

    def details(self):
        return self.message

    def __repr__(self):
        return f"SornError({self.code_.name}, {self.message!r}, method={self.method!r})"

    def __str__(self):
        where = f" ({self.method})" if self.method else ""
        return f"{self.code_.name}: {self.message}{where}"


def translated(error, method):
    """SornError of a grpc.RpcError (others pass through)."""
    if isinstance(error, SornError) or not hasattr(error, "code"):
        return error
    return SornError(error.code(), error.details() or "", method)


class _Unary:
    """A call with one response (unary-unary, or stream-unary as ImportState,
    which gets no default deadline: an upload takes as long as it takes)."""

    def __init__(self, call, method, timeout):
        self._call, self._method, self._timeout = call, method, timeout

    def __call__(self, request, timeout=None, **kwargs):
        try:
            return self._call(request, timeout=timeout or self._timeout, **kwargs)
        except grpc.RpcError as e:
            raise translated(e, self._method) from None


class _Streaming:
    """A call whose responses are an iterator: errors arrive while iterating."""

    def __init__(self, call, method):
        self._call, self._method = call, method

    def __call__(self, request, **kwargs):
        try:
            responses = self._call(request, **kwargs)
        except grpc.RpcError as e:
            raise translated(e, self._method) from None
        return self._iterate(responses)

    def _iterate(self, responses):
        try:
            yield from responses
        except grpc.RpcError as e:
            raise translated(e, self._method) from None
        finally:
            if hasattr(responses, "cancel"):  # abandoned early: end the call.
                responses.cancel()


class TranslatingStub:
    """The generated stub with every method raising SornError, and unary
    calls (CreateSession, GetStatistics, FitReadout, ...) given
    `default_timeout` seconds unless the call passes timeout= (None: no
    deadline). Streaming calls (Simulate, Train, Step, export, import) run
    as long as they need."""

    def __init__(self, stub, default_timeout=None):
        self._stub = stub
        self.default_timeout = default_timeout

    def __getattr__(self, method):
        call = getattr(self._stub, method)
        if isinstance(call, grpc.UnaryUnaryMultiCallable):
            return _Unary(call, method, self.default_timeout)
        if isinstance(call, grpc.StreamUnaryMultiCallable):
            return _Unary(call, method, None)
        return _Streaming(call, method)
