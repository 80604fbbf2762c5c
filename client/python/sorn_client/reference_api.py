"""The reference package's Simulator and Trainer, running on a server.

Both of the package's APIs, with its names, defaults and return values:

    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs=inputs, phase="plasticity",
                                                     matrices=None, noise=True,
                                                     time_steps=200)   # up to 0.6
    state_dict, values = Simulator.run(inputs=inputs, state=None, timesteps=200,
                                       callbacks=["ExcitatoryActivation"])  # 0.7

E, I, R, C are lists of T per-step values (E float64 (ne,), I (ni,), R
(ne, 1), C numpy.int64, the E->E connections before each step's
plasticity); `values` maps each requested callback to its list
(reference_results.py). Only what the call returns is recorded and sent.
With matrices/state None a new network is created from the keyword
parameters (and announced as the reference does); with a state_dict the run
continues from it.

The state stays on the server: the returned state_dict is a StateDict
(state_handle.py), a dict of the reference's arrays fetched on first touch,
bound to an ephemeral session. Continuing from it is one Simulate (or Train)
call that forks that session on the server and runs the fork (nothing
travels, and the session's hyperparameters carry over; a parameter the call
names overrides them by re-importing); a plain dict, or a StateDict whose
arrays were changed, is imported. `session="name"` runs in a
named session instead, which is kept, and returns a plain dict.
"""

import uuid
import warnings

import grpc
import numpy as np

from sorn_client import callbacks as callbacks_module
from sorn_client import conversions, reference_results, state_handle
from sorn_client.client import Session, default_client
from sorn_client.conversions import PARAM_NAMES
from sorn_client.initializer import SornInputError
from sorn_client.state_handle import StateDict


def _inputs_and_steps(inputs, steps, params, matrices):
    """The input columns the call runs and their number. A new network (or
    a plain dict's) takes nu from the inputs unless nu= is given; a
    StateDict's inputs must have its session's nu rows, as the reference
    asserts, unless nu= overrides it."""
    if steps is not None and (isinstance(steps, bool) or int(steps) != steps):
        raise TypeError(f"timesteps must be a whole number, got {steps!r}")
    if steps is not None and steps < 1:
        raise SornInputError(f"timesteps must be >= 1, got {steps}")
    if inputs is None:
        if steps is None:
            raise ValueError("give time_steps (or timesteps)")
        return None, int(steps)
    values = np.asarray(inputs, dtype=np.float64)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    held = _held_params(matrices) if isinstance(matrices, StateDict) else None
    if "nu" not in params and held is not None and held.get("nu") != values.shape[0]:
        raise SornInputError(f"Input units and input size mismatch: {held.get('nu')} != "
                         f"{values.shape[0]} (inputs are nu x timesteps)")
    params.setdefault("nu", values.shape[0])
    steps = values.shape[1] if steps is None else int(steps)
    if values.shape[1] < steps:
        # The reference repeats nothing: the columns are the steps.
        raise ValueError(f"inputs have {values.shape[1]} steps, timesteps is {steps}")
    # As the reference, step t takes column t: columns past the last step
    # are not used.
    return values[:, :steps], steps


def _continues_in_place(client, matrices, name, seed, params):
    """Whether the call can run a fork of the StateDict's session: its own
    client, unchanged arrays, no new seed, no named session, and only
    parameters the session already has."""
    if not (isinstance(matrices, StateDict) and name is None and seed is None
            and matrices.session.client is client and matrices.matches_session()):
        return False
    held = _held_params(matrices)
    return held is not None and all(held.get(k) == v for k, v in params.items())


def _held_params(state):
    """The StateDict's session's hyperparameters; None when the session is
    gone but the arrays are here (they are imported); StateLost when both
    are gone."""
    try:
        return state.params
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.NOT_FOUND:
            raise
        if not state.fetched:
            raise state_handle.lost(state.session, e) from None
        return None


def _session_for(client, matrices, name, seed, params, announce):
    """The session the call runs when it is not a fork: made (announced as
    the reference announces a new network), or imported from a dict's values
    (a StateDict's session's parameters, overridden by the call's)."""
    ephemeral = name is None
    if matrices is None:
        params = {"arithmetic": "EXACT", **params}
        made = client.create_session(name, seed=seed, ephemeral=ephemeral, **params)
        if announce:
            reference_results.announce_network(made.created, announce)
        return made
    if isinstance(matrices, StateDict) and matrices.session.client is client:
        params = {**(_held_params(matrices) or {}), **params}
    params = {"arithmetic": "EXACT", **params}
    params["ne"] = np.asarray(matrices["Wee"]).shape[0]
    return client.import_state_dict(matrices, name=name, seed=seed,
                                    replace=name is not None, ephemeral=ephemeral,
                                    **params)


def _run_fork(client, state, run):
    """One call: the server forks the state_dict's session, runs the fork and
    deletes the sessions of collected state_dicts on the same route."""
    source = state.session
    fork = Session(client, f"py-{uuid.uuid4().hex[:12]}", route=source.route)
    released = client.take_released(route=source.route)
    try:
        out = source.run(**run, fork_to=fork.name, release=released, shape=state.shape)
    except BaseException:
        for name in released:  # not released: the call changed nothing.
            client.release(name, source.route)
        # The server deletes a fork whose call failed; one made by a call that
        # succeeded but was not read to the end (Ctrl-C) goes this way.
        client.release(fork.name, fork.route)
        raise
    return out, StateDict(fork, state.params, state.shape)


def _run_session(client, matrices, session, seed, params, run, announce):
    """A call on a session made or imported for it (or the named `session`)."""
    sess = _session_for(client, matrices, session, seed, params, announce)
    info = sess.created  # what the server made: no GetSession needed.
    shape = (info.ne, info.ni)
    try:
        out = sess.run(**run, shape=shape)
    except BaseException:
        if session is None:  # made for this call: it goes now, not later.
            client.release(sess.name, sess.route)
            client.flush_released()
        raise
    if session is not None:
        return out, sess.state_dict()
    return out, StateDict(sess, conversions.params_from_proto(info.params), shape)


def _model_params(params):
    """The call's SORN parameters; the reference ignores keywords that are
    not, so the drop-in does too, but says so."""
    ignored = sorted(set(params) - set(PARAM_NAMES))
    if ignored:
        hint = " (simulate_sorn takes matrices=, run() state=)" if "state" in ignored else ""
        warnings.warn(f"ignored keyword arguments (not SORN parameters): "
                      f"{', '.join(ignored)}{hint}", stacklevel=5)
    return {k: v for k, v in params.items() if k in PARAM_NAMES}


def _drop_conflicting_ne(matrices, params):
    """ne comes from the matrices: an ne= that disagrees (the reference's own
    README passes ne=100 with a 200-neuron state, and crashes) is dropped
    with a warning, so that the call still continues in place."""
    if matrices is None or "ne" not in params:
        return
    if isinstance(matrices, StateDict):
        try:
            ne = matrices.shape[0]  # read once with the session's params.
        except grpc.RpcError:
            return  # gone: the call says so, or imports the fetched arrays.
    else:
        ne = np.shape(matrices["Wee"])[0]
    if params["ne"] != ne:
        warnings.warn(f"ne={params['ne']} ignored: the state has {ne} excitatory neurons",
                      stacklevel=5)
        del params["ne"]


def _phase(phase, train, matrices):
    """The phase decides whether plasticity runs, for the Simulator too (a
    deliberate difference: the reference's Simulator is plastic even when
    asked for "training"; README, "Deliberate differences"). Training
    continues a state, as in the reference, which fails without one."""
    phase = phase or ("training" if train else "plasticity")
    if phase not in ("plasticity", "training"):
        raise SornInputError(f"Phase can be either 'plasticity' or 'training', got {phase!r}")
    if phase == "training" and matrices is None:
        raise SornInputError("the training phase continues a state: give state= "
                             "(matrices= for simulate_sorn / train_sorn)")
    return phase


# Keywords of every drop-in call beyond the reference's (the README lists
# them); the rest are SORN parameters.
_OPTIONS = ("session", "seed", "client", "progress", "announce")


def _run(train, inputs, phase, matrices, noise, timesteps, freeze, callbacks, kwargs):
    """One drop-in call: the server's output for `callbacks` (None: the
    5-tuple's activity) and the new state_dict.
    `kwargs`: the caller's keywords (_OPTIONS, SORN parameters, and others,
    which are ignored with a warning)."""
    options = {key: kwargs.pop(key, None) for key in _OPTIONS}
    client = options["client"] or default_client()
    session, seed = options["session"], options["seed"]
    announce = options["announce"] or "print"
    params = _model_params(kwargs)
    _drop_conflicting_ne(matrices, params)
    values, steps = _inputs_and_steps(inputs, timesteps, params, matrices)
    if isinstance(freeze, str):  # one name (the reference tests substrings of it).
        freeze = [freeze]
    record = (reference_results.TUPLE_RECORD if callbacks is None
              else reference_results.record_for(callbacks))
    run = dict(timesteps=steps, inputs=values, noise=noise, freeze=freeze or (),
               train=train, record=record, phase=_phase(phase, train, matrices),
               dense_weights=reference_results.dense_weights_for(callbacks or ()))
    bar = reference_results.progress_bar(options["progress"], steps)
    if bar is not None:
        run["on_steps"] = bar.update
    try:
        out, state_dict = _run_on_server(client, matrices, session, seed, params, run,
                                         announce)
    finally:
        if bar is not None:
            bar.close()
    client.flush_if_many()
    return out, state_dict, steps


def _run_on_server(client, matrices, session, seed, params, run, announce):
    if _continues_in_place(client, matrices, session, seed, params):
        try:
            return _run_fork(client, matrices, run)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.NOT_FOUND:
                raise
            if not matrices.fetched:
                raise state_handle.lost(matrices.session, e) from None
            # Its session is gone (the TTL, a restart) but its arrays are
            # here: continue from them, as the reference would.
            matrices = dict(matrices)
    return _run_session(client, matrices, session, seed, params, run, announce)


def _steps_argument(timesteps, time_steps):
    if timesteps is not None and time_steps is not None and timesteps != time_steps:
        raise ValueError("timesteps and time_steps disagree")
    return timesteps if timesteps is not None else time_steps


def _tuple_call(train, inputs, phase, matrices, time_steps, noise, freeze, kwargs):
    """simulate_sorn / train_sorn: the 5-tuple of releases up to 0.6; with
    `callbacks=` (0.7.3's first API), (state_dict, callback_values)."""
    steps = _steps_argument(kwargs.pop("timesteps", None), time_steps)
    kwargs.pop("max_workers", None)  # 0.6's train_sorn: threads of its own.
    callbacks = kwargs.pop("callbacks", None)
    if callbacks is not None:
        callbacks = reference_results.check_callbacks(callbacks)
    out, state_dict, steps = _run(train, inputs, phase, matrices, noise, steps, freeze,
                                  callbacks, kwargs)
    if callbacks is not None:
        return state_dict, reference_results.callback_values(callbacks, out, steps)
    return reference_results.five_tuple(state_dict, out)


def _run_call(train, inputs, phase, state, timesteps, noise, freeze, callbacks, kwargs):
    """Simulator.run / Trainer.run (0.7.3): (state_dict, callback_values)."""
    if kwargs.pop("matrices", None) is not None and state is None:
        warnings.warn("run() takes state=, not matrices=: ignored, as the reference "
                      "does (a new network is made)", stacklevel=3)
    steps = _steps_argument(timesteps, kwargs.pop("time_steps", None))
    callbacks = reference_results.check_callbacks(callbacks)
    kwargs.setdefault("announce", "log")
    out, state_dict, steps = _run(train, inputs, phase, state, noise, steps, freeze,
                                  callbacks, kwargs)
    return state_dict, reference_results.callback_values(callbacks, out, steps)


_AVAILABLE_CALLBACKS = {name: getattr(callbacks_module, name)
                        for name in reference_results.CALLBACKS}


class Simulator:
    """The reference's Simulator: in phase "plasticity" (its default) every
    mechanism not frozen is plastic; in "training" none.

    Beyond the reference's arguments, every call takes `seed=` (a new
    network's generator), `session="name"` (run in that named session, which
    is kept; returns a plain dict), `client=` (default: default_client()),
    `progress=` (None: a bar on terminals and notebooks for calls over a
    second; True; False) and `announce=` ("print" or "log": how a new
    network's "Network Initialized" lines come; by default simulate_sorn
    prints them, as 0.6 did, and run logs them, as 0.7 does)."""

    avail_callbacks = _AVAILABLE_CALLBACKS  # as the reference's: name -> class.

    @staticmethod
    def simulate_sorn(inputs=None, phase="plasticity", matrices=None, time_steps=None,
                      noise=True, freeze=None, **kwargs):
        """Returns (state_dict, E, I, R, C): lists of T per-step values, E
        float64 (ne,), I (ni,), R (ne, 1), C numpy.int64. `timesteps=` is
        the same as `time_steps`."""
        return _tuple_call(False, inputs, phase, matrices, time_steps, noise, freeze,
                           kwargs)

    @staticmethod
    def run(inputs=None, phase="plasticity", state=None, timesteps=None, noise=True,
            freeze=None, callbacks=[], **kwargs):  # pylint: disable=dangerous-default-value
        """Returns (state_dict, callback_values): each requested callback's
        list of T per-step values (see reference_results)."""
        return _run_call(False, inputs, phase, state, timesteps, noise, freeze,
                         callbacks, kwargs)


class Trainer:
    """The reference's Trainer: phase "training" by default (nothing is
    plastic); "plasticity" as the Simulator."""

    avail_callbacks = _AVAILABLE_CALLBACKS

    @staticmethod
    def train_sorn(inputs=None, phase="training", matrices=None, time_steps=None,
                   noise=True, freeze=None, max_workers=4, **kwargs):
        """As Simulator.simulate_sorn; `max_workers` is accepted and unused."""
        return _tuple_call(True, inputs, phase, matrices, time_steps, noise, freeze,
                           kwargs)

    @staticmethod
    def run(inputs=None, phase="training", state=None, timesteps=None, noise=True,
            freeze=None, callbacks=[], **kwargs):  # pylint: disable=dangerous-default-value
        """As Simulator.run."""
        return _run_call(True, inputs, phase, state, timesteps, noise, freeze,
                         callbacks, kwargs)
