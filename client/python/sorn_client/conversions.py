"""Conversions between NumPy arrays and sorn-server's messages."""

import numpy as np

from sorn_client_pb import sorn_pb2 as pb

# Every Params field of sorn.proto, with the Python type it takes.
_INT_PARAMS = ("ne", "nu", "lambda_ee", "lambda_ei", "lambda_ie", "input_pool_size")
_FLOAT_PARAMS = ("eta_stdp", "eta_inhib", "eta_ip", "te_min", "te_max", "ti_min",
                 "ti_max", "mu_ip", "sigma_ip", "h_ip", "noise_sd", "sp_probability",
                 "input_gain", "wee_prune_below", "wei_floor")
# The lab's variants (docs/SPEC.md, "Variants"), all optional booleans.
_BOOL_PARAMS = ("input_pools_disjoint", "clamp_thresholds", "fast_inhibit", "wei_fixed",
                "sp_scale_with_size")
_TYPE_PARAMS = ("network_type_ee", "network_type_ei", "network_type_ie")
# Enums: field -> proto enum. "FAST"/"EXACT", "Sparse"/"Dense" in any case.
_ENUM_PARAMS = {name: pb.NetworkType for name in _TYPE_PARAMS}
_ENUM_PARAMS["arithmetic"] = pb.Arithmetic
# input_pools: one list of excitatory neuron indices per input unit.
PARAM_NAMES = (_INT_PARAMS + _FLOAT_PARAMS + _BOOL_PARAMS + tuple(_ENUM_PARAMS)
               + ("input_pools",))


def params_to_proto(**params):
    """Params from keyword arguments named as in the reference (ne, eta_stdp, ...)."""
    unknown = set(params) - set(PARAM_NAMES)
    if unknown:
        raise TypeError(f"unknown SORN parameter(s): {', '.join(sorted(unknown))}")
    proto = pb.Params()
    for name, value in params.items():
        if value is None:
            continue
        if name in _INT_PARAMS:
            setattr(proto, name, int(value))
        elif name in _FLOAT_PARAMS:
            setattr(proto, name, float(value))
        elif name in _BOOL_PARAMS:
            setattr(proto, name, _as_bool(name, value))
        elif name == "input_pools":
            for pool in value:
                proto.input_pools.add().neurons.extend(int(n) for n in pool)
        else:
            setattr(proto, name, _ENUM_PARAMS[name].Value(str(value).upper()))
    return proto


def _as_bool(name, value):
    """A boolean parameter from a bool, 0/1 or "true"/"false" (any case)."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"{name} must be true or false, got {value!r}")
    if value in (0, 1):  # True, False, 0, 1, numpy bools.
        return bool(value)
    raise ValueError(f"{name} must be true or false, got {value!r}")


def params_from_proto(proto):
    """Keyword arguments of params_to_proto from a Params message (the fields
    it has)."""
    params = {}
    for name in PARAM_NAMES:
        value = getattr(proto, name)
        if name in _ENUM_PARAMS:  # not optional: 0 is unspecified.
            if value != 0:
                params[name] = _ENUM_PARAMS[name].Name(value)
        elif name == "input_pools":
            if len(value):
                params[name] = [list(pool.neurons) for pool in value]
        elif proto.HasField(name):
            params[name] = value
    return params


def mechanisms(names):
    """Mechanism names as the server spells them (stdp, ip, sp, istdp, ss),
    from any case; a single name may be given as a string."""
    if isinstance(names, str):
        names = [names]
    return [str(name).strip().lower() for name in names]


def record_selection(record):
    """A RecordSelection from None, a RecordSelection, or a dict of its fields
    ({"weights_every": 5, "thresholds": True, "y": False})."""
    if record is None or isinstance(record, pb.RecordSelection):
        return record
    if not isinstance(record, dict):
        raise TypeError(f"record must be a dict or RecordSelection, got {type(record).__name__}")
    known = {f.name for f in pb.RecordSelection.DESCRIPTOR.fields}
    unknown = set(record) - known
    if unknown:
        raise TypeError(f"unknown record field(s) {', '.join(sorted(unknown))}; "
                        f"RecordSelection has {', '.join(sorted(known))}")
    return pb.RecordSelection(**record)


def generated_inputs(generated):
    """GeneratedInputs from a message or a dict whose "kind" is any case
    ("uniform", "ONE_HOT", "multi-one-hot")."""
    if isinstance(generated, pb.GeneratedInputs):
        return generated
    if not isinstance(generated, dict) or "kind" not in generated:
        raise TypeError('generated must be a dict with a "kind" (uniform, gaussian, '
                        'one_hot, multi_one_hot) or a GeneratedInputs')
    kind = str(generated["kind"]).strip().upper().replace("-", "_")
    kinds = [k for k in pb.GeneratedInputs.Kind.keys() if not k.endswith("UNSPECIFIED")]
    if kind not in kinds:
        raise ValueError(f"unknown generated kind {generated['kind']!r}; one of "
                         f"{', '.join(k.lower() for k in kinds)}")
    return pb.GeneratedInputs(**{**generated, "kind": pb.GeneratedInputs.Kind.Value(kind)})


def unpack_bits(data, steps, n):
    """Packed activity (LSB first, one step per ceil(n/8) bytes) as a (steps, n) array."""
    if steps == 0:
        return np.zeros((0, n), dtype=np.uint8)
    raw = np.frombuffer(data, dtype=np.uint8).reshape(steps, (n + 7) // 8)
    return np.unpackbits(raw, axis=1, bitorder="little")[:, :n]


def sparse_to_dense(matrix, scale=None):
    """A SparseMatrix (CSR by row) as a dense float64 array, columns multiplied by `scale`."""
    dense = np.zeros((matrix.rows, matrix.cols))
    starts = np.asarray(matrix.row_start, dtype=np.int64)
    rows = np.repeat(np.arange(matrix.rows), np.diff(starts))
    cols = np.asarray(matrix.post, dtype=np.int64)
    values = np.asarray(matrix.value, dtype=np.float64)
    if scale is not None:
        values = values * np.asarray(scale, dtype=np.float64)[cols]
    dense[rows, cols] = values
    return dense


def state_to_state_dict(state):
    """A NetworkState as the reference's state_dict: dense Wee, Wei, Wie; Te, Ti
    as columns; X, Y as (n, 2) with column 0 the previous activity."""
    def matrix(m):
        return sparse_to_dense(m.stored, m.column_scale)

    def activity(prev, now):
        return np.stack([np.frombuffer(prev, np.uint8), np.frombuffer(now, np.uint8)],
                        axis=1).astype(np.float64)

    return {
        "Wee": matrix(state.wee),
        "Wei": matrix(state.wei),
        "Wie": matrix(state.wie),
        "Te": np.asarray(state.te, dtype=np.float64).reshape(-1, 1),
        "Ti": np.asarray(state.ti, dtype=np.float64).reshape(-1, 1),
        "X": activity(state.x_prev, state.x),
        "Y": activity(state.y_prev, state.y),
    }


def _dense(array, name, columns=None):
    a = np.asarray(array, dtype=np.float64)
    if a.ndim == 1 and columns == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    return pb.DenseMatrix(rows=a.shape[0], cols=a.shape[1], data=a.ravel().tolist())


def state_dict_to_proto(state_dict):
    """The reference's state_dict (a dict of NumPy arrays) as a ReferenceState."""
    missing = {"Wee", "Wei", "Wie", "Te", "Ti", "X", "Y"} - set(state_dict)
    if missing:
        raise KeyError(f"state_dict lacks {', '.join(sorted(missing))}")
    return pb.ReferenceState(
        wee=_dense(state_dict["Wee"], "Wee"), wei=_dense(state_dict["Wei"], "Wei"),
        wie=_dense(state_dict["Wie"], "Wie"), te=_dense(state_dict["Te"], "Te", 1),
        ti=_dense(state_dict["Ti"], "Ti", 1), x=_dense(state_dict["X"], "X"),
        y=_dense(state_dict["Y"], "Y"))
