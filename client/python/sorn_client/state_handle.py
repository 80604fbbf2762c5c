"""StateDict: the drop-in's state_dict, a handle to state that stays on the
server.

It behaves as the reference package's dict of NumPy arrays (keys Wee, Wei,
Wie, Te, Ti, X, Y; the same shapes and dtypes; it pickles as a plain dict; the
user may read or modify its arrays), but it also names the server session
that holds exactly that state. Its arrays are fetched on first touch.

The session bound to a StateDict never changes: a call that continues from
the dict forks it on the server (no state travels) and runs the fork, which
the call's new StateDict is bound to. So a second continuation from the same
dict (a branching experiment) starts from the same state, and the dict's
arrays can be fetched at any time. The sessions are ephemeral, so the server
deletes them itself should the client vanish (--ephemeral_session_ttl).

A collected dict's session is deleted by the client's next run (which
carries the names), its close(), or at exit.

A dict whose arrays the user changed (or replaced, or whose keys changed) no
longer matches its session: a call continuing from it imports its values, as
the reference would use them.
"""

import copy
import hashlib
import threading
import weakref

import grpc

from sorn_client import conversions

_KEYS = ("Wee", "Wei", "Wie", "Te", "Ti", "X", "Y")
_UNFETCHED = object()


def _release(client_ref, name, route):
    # Deleted by the client's next run on the same route (RunRequest.release),
    # its close(), or at exit; the server reaps what is left.
    client = client_ref()
    if client is not None:
        client.release(name, route)


class StateLost(LookupError):
    """The session of a state_dict whose arrays were never fetched is gone."""


def lost(session, error):
    return StateLost(
        f"the state of this state_dict (session {session.name}) is gone from the "
        f"server: ephemeral sessions unused for --ephemeral_session_ttl are "
        f"deleted, and a server without --data_dir forgets them when it restarts. "
        f"Keep a copy that outlives it with dict(state) or pickle. ({error.details()})")


def _fingerprint(array):
    return hashlib.blake2b(array.tobytes(), digest_size=16).digest()


class StateDict(dict):
    """A reference state_dict bound to a server session (see the module)."""

    def __init__(self, session, params=None, shape=None):
        super().__init__((key, _UNFETCHED) for key in _KEYS)
        self._session = session
        # The session's Params as keywords and its (ne, ni); None: not read.
        self._params = params
        self._shape = shape
        self._fetched = None  # key -> (array, fingerprint) once fetched.
        self._lock = threading.Lock()  # one fetch, also from several threads.
        self._finalizer = weakref.finalize(self, _release, weakref.ref(session.client),
                                           session.name, session.route)
        session.client.track(self)

    # --- what binds it to the server

    @property
    def session(self):
        """The session that holds this state (do not run it: fork it)."""
        return self._session

    @property
    def params(self):
        """The session's hyperparameters (keywords of params_to_proto), read
        from the server once."""
        if self._params is None:
            self._read_info()
        return self._params

    @property
    def shape(self):
        """(ne, ni) of the session's network, read from the server once."""
        if self._shape is None:
            self._read_info()
        return self._shape

    def _read_info(self):
        info = self._session.info()
        self._params = conversions.params_from_proto(info.params)
        self._shape = (info.ne, info.ni)

    def matches_session(self):
        """Whether the dict still holds exactly its session's state."""
        if self._fetched is None:
            return True  # never fetched: the user cannot have changed it.
        if set(dict.keys(self)) != set(_KEYS):
            return False
        for key, (array, print_) in self._fetched.items():
            now = dict.__getitem__(self, key)
            if now is not array or _fingerprint(now) != print_:
                return False
        return True

    @property
    def fetched(self):
        """Whether the arrays are here (then they outlive the session)."""
        return self._fetched is not None

    def release(self):
        """Lets the session go now (the client deletes it with its next call);
        the arrays, if fetched, stay."""
        self._finalizer()

    def _fetch(self):
        with self._lock:
            if self._fetched is not None:
                return
            try:
                arrays = self._session.state_dict()
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.NOT_FOUND:
                    raise lost(self._session, e) from None
                raise
            fetched = {key: (arrays[key], _fingerprint(arrays[key])) for key in _KEYS}
            for key in _KEYS:
                dict.__setitem__(self, key, arrays[key])
            self._fetched = fetched  # last: others see all or nothing.

    # --- dict behaviour: every read of a value fetches first

    def __getitem__(self, key):
        self._fetch()
        return dict.__getitem__(self, key)

    def __setitem__(self, key, value):
        self._fetch()
        dict.__setitem__(self, key, value)

    def __delitem__(self, key):
        self._fetch()
        dict.__delitem__(self, key)

    def __iter__(self):  # (overriding it makes dict(d), {**d} use __getitem__)
        return iter(dict.keys(self))

    def get(self, key, default=None):
        self._fetch()
        return dict.get(self, key, default)

    def values(self):
        self._fetch()
        return dict.values(self)

    def items(self):
        self._fetch()
        return dict.items(self)

    def pop(self, *args):
        self._fetch()
        return dict.pop(self, *args)

    def popitem(self):
        self._fetch()
        return dict.popitem(self)

    def setdefault(self, key, default=None):
        self._fetch()
        return dict.setdefault(self, key, default)

    def update(self, *args, **kwargs):
        self._fetch()
        dict.update(self, *args, **kwargs)

    def __ior__(self, other):
        self._fetch()
        dict.update(self, other)
        return self

    def clear(self):
        self._fetch()
        dict.clear(self)

    def copy(self):
        self._fetch()
        return dict(dict.items(self))

    def __eq__(self, other):
        self._fetch()
        if isinstance(other, StateDict):
            other._fetch()
        return dict.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        self._fetch()
        return dict.__repr__(self)

    def __reduce__(self):
        # A pickle holds the values (a plain dict): it outlives the session.
        self._fetch()
        return (dict, (list(dict.items(self)),))

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        self._fetch()
        return {k: copy.deepcopy(v, memo) for k, v in dict.items(self)}
