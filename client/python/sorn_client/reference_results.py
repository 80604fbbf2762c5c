"""What the drop-in records and returns, in the reference package's shapes.

The server records only what a call needs: the reference's callbacks (or
the 5-tuple of simulate_sorn) decide the RunRequest's RecordSelection, so a
one-step call with one callback moves a dozen bytes. The streamed
blocks are then cut into the reference's per-step containers: lists of T
arrays, one per step, as its Callbacks and simulate_sorn build them.

    callback              per-step value (reference sorn 0.7.3)
    ExcitatoryActivation  x(t+1), float64 (ne,)
    InhibitoryActivation  y(t+1), float64 (ni,)
    RecurrentActivation   r(t+1), float64 (ne, 1)
    WEE, WEI              Wee (ne, ne), Wei (ni, ne) after the step
    TE, TI                Te (ne, 1), Ti (ni, 1) after the step
    EEConnectionCounts    numpy.int64, Wee > 0 before the step's plasticity
    EIConnectionCounts    numpy.int64, Wei > 0 before the step's plasticity
"""

import logging
import sys
import time

import numpy as np

from sorn_client.initializer import SornInputError
from sorn_client_pb import sorn_pb2 as pb

CALLBACKS = ("ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
             "WEE", "WEI", "TE", "TI", "EIConnectionCounts", "EEConnectionCounts")

_LOG = logging.getLogger("sorn_client")


def check_callbacks(callbacks):
    """The requested callback names, in order; raises on the reference's
    errors (not a list of names, an unknown name)."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, list) or not all(isinstance(c, str) for c in callbacks):
        raise SornInputError("Callbacks must be a list of names")
    unknown = sorted(set(callbacks) - set(CALLBACKS))
    if unknown:
        raise SornInputError(f"{unknown} not available; callbacks are {', '.join(CALLBACKS)}")
    return list(dict.fromkeys(callbacks))


def record_for(callbacks):
    """The RecordSelection that gives these callbacks' values and no more."""
    wanted = set(callbacks)
    return pb.RecordSelection(
        x="ExcitatoryActivation" in wanted, y="InhibitoryActivation" in wanted,
        r="RecurrentActivation" in wanted,
        counts=bool(wanted & {"EEConnectionCounts", "EIConnectionCounts"}),
        thresholds=bool(wanted & {"TE", "TI"}),
        weights_every=1 if wanted & {"WEE", "WEI"} else 0,
        snapshot_wee="WEE" in wanted, snapshot_wei="WEI" in wanted)


def dense_weights_for(callbacks):
    """The weight matrices the callbacks return (and the server sends)."""
    return tuple(key for key, name in (("wee", "WEE"), ("wei", "WEI")) if name in callbacks)


# simulate_sorn's E, I, R, C.
TUPLE_RECORD = pb.RecordSelection(x=True, y=True, r=True, counts=True)


def _rows(block):
    """A (T, n) block as the reference's list of T float64 (n,) arrays."""
    return list(np.asarray(block, dtype=np.float64))


def _columns(block):
    """A (T, n) block as a list of T float64 (n, 1) arrays."""
    return list(np.asarray(block, dtype=np.float64)[:, :, np.newaxis])


def _weights(out, key, steps):
    snapshots = [w[key] for w in out["weights"]]
    if len(snapshots) != steps:  # weights_every=1 gives one per step.
        raise RuntimeError(f"server sent {len(snapshots)} weight snapshots for {steps} steps")
    return snapshots


def callback_values(callbacks, out, steps):
    """The reference's callback_values dict: each requested name -> its list
    of T per-step values ({} when none were requested)."""
    make = {
        "ExcitatoryActivation": lambda: _rows(out["x"]),
        "InhibitoryActivation": lambda: _rows(out["y"]),
        "RecurrentActivation": lambda: _columns(out["r"]),
        "WEE": lambda: _weights(out, "wee", steps),
        "WEI": lambda: _weights(out, "wei", steps),
        "TE": lambda: _columns(out["te"]),
        "TI": lambda: _columns(out["ti"]),
        "EEConnectionCounts": lambda: list(out["ee_conn"]),
        "EIConnectionCounts": lambda: list(out["ei_conn"]),
    }
    return {name: make[name]() for name in callbacks}


def five_tuple(state_dict, out):
    """simulate_sorn's (state_dict, E, I, R, C) with the reference's lists."""
    return (state_dict, _rows(out["x"]), _rows(out["y"]), _columns(out["r"]),
            list(out["ee_conn"]))


def announce_network(info, how):
    """The reference's lines for a new network (`info`: its SessionInfo):
    how="print" prints them (releases up to 0.6), "log" logs them at INFO
    (0.7; logger "sorn_client"). 0.7 configures the root logger when it is
    imported, so its lines show; this package configures nothing, so where
    no handler would take them they go to stderr in the reference's format."""
    ne, ni = info.ne, info.ni
    lines = ("Network Initialized",
             "Number of connections in Wee %s , Wei %s, Wie %s"
             % (info.ee_connections, info.ei_connections, info.ie_connections),
             "Shapes Wee %s Wei %s Wie %s" % ((ne, ne), (ni, ne), (ne, ni)))
    for line in lines:
        if how == "print":
            print(line)
        elif _LOG.hasHandlers():
            _LOG.info(line)
        else:  # logging's asctime: "2026-12-01 16:35:11,123".
            now = time.time()
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
            sys.stderr.write(f"{stamp},{int(now * 1000) % 1000:03d}:INFO:{line}\n")


def progress_bar(progress, steps):
    """A tqdm bar over the call's steps, or None. progress=None (auto) shows
    one only on a terminal or in a notebook, and only once the call has run
    for a second, so per-step loops never draw one; True always; False never."""
    if progress is False:
        return None
    if progress is None and not (sys.stderr.isatty() or "ipykernel" in sys.modules):
        return None  # checked first: a per-step loop pays nothing.
    tqdm = _tqdm()
    if tqdm is None:
        return None
    return tqdm(total=steps, unit="step", delay=1.0 if progress is None else 0.0)


def _tqdm():
    """tqdm's bar class, or None without python3-tqdm (it is optional)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm
