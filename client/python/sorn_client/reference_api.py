"""The reference package's Simulator and Trainer, running on a server.

    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs=inputs, phase="plasticity",
                                                     matrices=None, noise=True,
                                                     time_steps=200)

E, I, R are (T, ne), (T, ni), (T, ne) arrays of 0.0/1.0 (excitatory,
inhibitory and recurrent activity of each step); C is (T,), the number of
E->E connections before each step's plasticity. With matrices=None a new
network is created from the keyword parameters; with a state_dict the run
continues from it. Each call uses a session of its own (named by
`session=...`, else generated and deleted afterwards): the state travels in
state_dict, as with the reference.
"""

import numpy as np

from sorn_client.client import default_client

_CALLBACKS = {"ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
              "EEConnectionCounts", "EIConnectionCounts", "WEE", "WEI", "TE", "TI"}


def _run(default_phase, train, inputs=None, phase=None, matrices=None, noise=True,
         timesteps=None, time_steps=None, freeze=None, callbacks=None, session=None,
         seed=None, client=None, **params):
    if timesteps is not None and time_steps is not None and timesteps != time_steps:
        raise ValueError("timesteps and time_steps disagree")
    steps = timesteps if timesteps is not None else time_steps
    unknown = set(callbacks or ()) - _CALLBACKS
    if unknown:
        raise ValueError(f"unknown callbacks: {', '.join(sorted(unknown))}")
    client = client or default_client()
    values = None
    if inputs is not None:
        values = np.asarray(inputs, dtype=np.float64)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        params.setdefault("nu", values.shape[0])
        steps = values.shape[1] if steps is None else steps
        if values.shape[1] != steps:
            # The reference repeats nothing: the columns are the steps.
            raise ValueError(f"inputs have {values.shape[1]} steps, timesteps is {steps}")
    if steps is None:
        raise ValueError("give time_steps (or timesteps)")
    if matrices is None:
        sess = client.create_session(session, seed=seed, **params)
    else:
        params["ne"] = np.asarray(matrices["Wee"]).shape[0]
        sess = client.import_state_dict(matrices, name=session, seed=seed,
                                        replace=session is not None, **params)
    try:
        out = sess.run(timesteps=steps, inputs=values, phase=phase or default_phase,
                       noise=noise, freeze=freeze or (), train=train)
        state_dict = sess.state_dict()
    finally:
        if session is None:
            sess.delete()
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
