"""The reference package's Simulator and Trainer, running on a server.

    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs=inputs, phase="plasticity",
                                                     matrices=None, noise=True,
                                                     time_steps=200)

E, I, R are (T, ne), (T, ni), (T, ne) arrays of 0.0/1.0 (excitatory,
inhibitory and recurrent activity of each step); C is (T,), the number of
E->E connections before each step's plasticity. With matrices=None a new
network is created from the keyword parameters; with a state_dict the run
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

import grpc
import numpy as np

from sorn_client import state_handle
from sorn_client.client import Session, default_client
from sorn_client.state_handle import StateDict

_CALLBACKS = {"ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
              "EEConnectionCounts", "EIConnectionCounts", "WEE", "WEI", "TE", "TI"}


def _inputs_and_steps(inputs, steps, params):
    if inputs is None:
        if steps is None:
            raise ValueError("give time_steps (or timesteps)")
        return None, steps
    values = np.asarray(inputs, dtype=np.float64)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    params.setdefault("nu", values.shape[0])
    steps = values.shape[1] if steps is None else steps
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


def _session_for(client, matrices, name, seed, params):
    """The session the call runs when it is not a fork: made, or imported
    from a dict's values (a StateDict's session's parameters, overridden by
    the call's)."""
    ephemeral = name is None
    if matrices is None:
        return client.create_session(name, seed=seed, ephemeral=ephemeral, **params)
    if isinstance(matrices, StateDict) and matrices.session.client is client:
        params = {**(_held_params(matrices) or {}), **params}
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


def _run_session(client, matrices, session, seed, params, run):
    """A call on a session made or imported for it (or the named `session`)."""
    sess = _session_for(client, matrices, session, seed, params)
    try:
        out = sess.run(**run)
    except BaseException:
        if session is None:
            client.release(sess.name, sess.route)
        raise
    return out, StateDict(sess) if session is None else sess.state_dict()


def _run(default_phase, train, inputs=None, phase=None, matrices=None, noise=True,
         timesteps=None, time_steps=None, freeze=None, callbacks=None, session=None,
         seed=None, client=None, **params):
    if timesteps is not None and time_steps is not None and timesteps != time_steps:
        raise ValueError("timesteps and time_steps disagree")
    unknown = set(callbacks or ()) - _CALLBACKS
    if unknown:
        raise ValueError(f"unknown callbacks: {', '.join(sorted(unknown))}")
    client = client or default_client()
    values, steps = _inputs_and_steps(
        inputs, timesteps if timesteps is not None else time_steps, params)
    run = dict(timesteps=steps, inputs=values, phase=phase or default_phase,
               noise=noise, freeze=freeze or (), train=train)
    result = None
    if _continues_in_place(client, matrices, session, seed, params):
        try:
            result = _run_fork(client, matrices, run)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.NOT_FOUND:
                raise
            if not matrices.fetched:
                raise state_handle.lost(matrices.session, e) from None
            # Its session is gone (the TTL, a restart) but its arrays are
            # here: continue from them, as the reference would.
            matrices = dict(matrices)
    if result is None:
        result = _run_session(client, matrices, session, seed, params, run)
    out, state_dict = result
    client.flush_if_many()
    return (state_dict, out["x"].astype(np.float64), out["y"].astype(np.float64),
            out["r"].astype(np.float64), out["ee_conn"])


class Simulator:
    """Plasticity phase by default (the phase argument decides)."""

    @staticmethod
    def simulate_sorn(inputs=None, phase="plasticity", matrices=None, noise=True,
                      timesteps=None, freeze=None, callbacks=None, **params):
        return _run("plasticity", False, inputs=inputs, phase=phase, matrices=matrices,
                    noise=noise, timesteps=timesteps, freeze=freeze,
                    callbacks=callbacks, **params)


class Trainer:
    """Training phase by default: nothing is plastic."""

    @staticmethod
    def train_sorn(inputs=None, phase="training", matrices=None, noise=True,
                   timesteps=None, freeze=None, callbacks=None, **params):
        return _run("training", True, inputs=inputs, phase=phase, matrices=matrices,
                    noise=noise, timesteps=timesteps, freeze=freeze,
                    callbacks=callbacks, **params)
