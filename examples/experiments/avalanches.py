"""Neuronal avalanches (Del Papa, Priesemann and Triesch 2017, "Criticality
meets learning: criticality signatures in a self-organizing recurrent neural
network", PLoS ONE 12:e0178683).

One SORN (ne = 200, nu = 10, inputs U(0, 1), all five mechanisms, otherwise
the server's defaults) self-organizes for a warm-up, then keeps running with
plasticity on while its excitatory activity a(t) (active neurons per step) is
recorded. The paper found power laws with intermediate membrane noise
(variance 0.05) and not with weak noise, so the noise sd is sqrt(0.05) here
(--noise-sd; the server's default is 0.04, variance 0.0016). Avalanches, as
in the paper: with an activity threshold theta (a low percentile of a(t),
here the 10th; the 5th and 25th are reported too), an avalanche is a run of
consecutive steps with a(t) > theta; its duration T is the number of steps
and its size S the sum of a(t) - theta over them.

The size and duration distributions are fitted by discrete power laws
P(x) ~ x^-exponent on [x_min, x_max] (maximum likelihood, normalized on that
range; x_max the 99.5th percentile, x_min the value that minimizes the
Kolmogorov-Smirnov distance on the range); the mean size per duration gives
<S>(T) ~ T^gamma, to compare with the crackling-noise relation
gamma = (alpha - 1) / (tau - 1).

    PYTHONPATH=client/python:build/python /usr/bin/python3 \\
        examples/experiments/avalanches.py             # ~1 minute
"""

import numpy as np
from sorn_client_pb import sorn_pb2 as pb

import common

NE = 200
CHUNK = 100_000
EXPONENTS = np.arange(0.2, 5.0, 0.001)
PERCENTILE = 10


def avalanches(activity, theta):
    """Sizes and durations of the runs of activity > theta."""
    above = activity > theta
    edges = np.diff(np.concatenate(([0], above.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    excess = np.concatenate(([0], np.cumsum(np.where(above, activity - theta, 0))))
    return excess[ends] - excess[starts], ends - starts


def fit_range(data, x_min, x_max):
    """MLE exponent of a discrete power law on [x_min, x_max] and its KS
    distance to the data in that range."""
    x = data[(data >= x_min) & (data <= x_max)]
    support = np.arange(x_min, x_max + 1)
    log_support = np.log(support)
    sum_log = np.log(x).sum()
    # log-likelihood on a grid of exponents (the normalization is a sum).
    z = np.exp(-np.outer(EXPONENTS, log_support)).sum(axis=1)
    ll = -EXPONENTS * sum_log - len(x) * np.log(z)
    a = EXPONENTS[np.argmax(ll)]
    p = support ** -a
    model_cdf = np.cumsum(p / p.sum())
    counts = np.bincount((x - x_min).astype(np.int64), minlength=len(support))
    data_cdf = np.cumsum(counts) / len(x)
    return float(a), float(np.max(np.abs(model_cdf - data_cdf))), int(len(x))


def fit_power_law(data, candidates):
    data = np.asarray(data, dtype=np.int64)
    x_max = int(np.percentile(data, 99.5))
    best = None
    for x_min in candidates:
        if x_min * 10 > x_max:  # at least a decade.
            break
        exponent, ks, n = fit_range(data, x_min, x_max)
        if best is None or ks < best["ks"]:
            best = {"exponent": exponent, "ks": ks, "n": n, "x_min": int(x_min),
                    "x_max": x_max}
    return best


def log_binned(data, bins=30):
    edges = np.unique(np.logspace(0, np.log10(data.max() + 1), bins).astype(int))
    counts, _ = np.histogram(data, bins=edges)
    widths = np.diff(edges)
    centers = np.sqrt(edges[:-1] * np.maximum(edges[1:] - 1, edges[:-1]))
    keep = counts > 0
    return centers[keep], (counts / widths / len(data))[keep]


def main():
    args = common.arguments(__doc__.splitlines()[0],
                            warmup={"type": int, "default": 2_000_000},
                            steps={"type": int, "default": 1_000_000},
                            noise_sd={"type": float, "default": 0.05 ** 0.5})
    warmup, steps = (10_000, 40_000) if args.quick else (args.warmup, args.steps)
    with common.server(args) as client:
        session = client.create_session(name="avalanches", seed=2, ne=NE, nu=10,
                                        noise_sd=args.noise_sd, record_buffer_steps=0)
        counts_only = pb.RecordSelection(x=False, y=False, r=False, counts=True)
        connections = []
        for start in range(0, warmup, CHUNK):
            connections.append(session.run(
                min(CHUNK, warmup - start), generated={"kind": "UNIFORM", "seed": 100 + start},
                record=counts_only)["ee_conn"])
        activity = []
        for start in range(0, steps, CHUNK):
            x = session.run(min(CHUNK, steps - start),
                            generated={"kind": "UNIFORM", "seed": 200 + start},
                            record=pb.RecordSelection(x=True, y=False, r=False,
                                                      counts=False))["x"]
            activity.append(x.sum(axis=1, dtype=np.int64))
        session.delete()
    activity = np.concatenate(activity)
    warmup_fraction = np.concatenate(connections) / (NE * (NE - 1))
    robustness = {}
    for q in (5, 25):
        s_q, d_q = avalanches(activity, int(np.percentile(activity, q)))
        robustness[f"percentile_{q}"] = {
            "theta": int(np.percentile(activity, q)), "avalanches": int(len(s_q)),
            "size_fit": fit_power_law(s_q, range(1, 60)),
            "duration_fit": fit_power_law(d_q, range(1, 20))}
    theta = int(np.percentile(activity, PERCENTILE))
    sizes, durations = avalanches(activity, theta)
    size_fit = fit_power_law(sizes, range(1, 60))
    duration_fit = fit_power_law(durations, range(1, 20))
    # <S>(T) over the duration fit's range, on log-log axes.
    ts = np.arange(duration_fit["x_min"], duration_fit["x_max"] + 1)
    mean_size = np.array([sizes[durations == t].mean() if np.any(durations == t)
                          else np.nan for t in ts])
    ok = ~np.isnan(mean_size)
    gamma = float(np.polyfit(np.log(ts[ok]), np.log(mean_size[ok]), 1)[0])
    tau, alpha = size_fit["exponent"], duration_fit["exponent"]
    results = {
        "warmup": warmup, "steps": steps, "noise_sd": args.noise_sd,
        "mean_activity": float(activity.mean()),
        "warmup_connection_fraction_by_fifth": [
            float(f.mean()) for f in np.array_split(warmup_fraction, 5)],
        "theta_percentile": PERCENTILE, "theta": theta, "avalanches": int(len(sizes)),
        "other_thresholds": robustness,
        "size_fit": size_fit, "duration_fit": duration_fit,
        "gamma_measured": gamma, "gamma_predicted": (alpha - 1) / (tau - 1),
    }
    assert len(sizes) > 100, results
    suffix = ("_quick" if args.quick else "") + (
        "" if args.noise_sd == 0.05 ** 0.5 else f"_noise_sd_{args.noise_sd:g}")
    common.save_json(args, f"avalanches{suffix}.json", results)
    plot(sizes, durations, size_fit, duration_fit, ts[ok], mean_size[ok], gamma, results,
         f"{args.out}/avalanches{suffix}.png")
    print(f"theta {theta} ({PERCENTILE}th percentile; mean activity {activity.mean():.1f}), "
          f"{len(sizes)} avalanches; "
          f"size exponent {tau:.2f} on [{size_fit['x_min']}, {size_fit['x_max']}] "
          f"KS {size_fit['ks']:.3f}; duration exponent {alpha:.2f} on "
          f"[{duration_fit['x_min']}, {duration_fit['x_max']}] KS {duration_fit['ks']:.3f}; "
          f"gamma {gamma:.2f} vs (alpha-1)/(tau-1) = {results['gamma_predicted']:.2f}")


def plot(sizes, durations, size_fit, duration_fit, ts, mean_size, gamma, results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, data, fit, label in ((axes[0], sizes, size_fit, "size S"),
                                 (axes[1], durations, duration_fit, "duration T")):
        centers, density = log_binned(data)
        ax.loglog(centers, density, "o", ms=4, label="avalanches (log bins)")
        x = np.arange(fit["x_min"], fit["x_max"] + 1)
        # The fit's density, scaled to the fraction of data in its range.
        p = x.astype(float) ** -fit["exponent"]
        ax.loglog(x, p / p.sum() * fit["n"] / len(data), "r-",
                  label=f"power law, exponent {fit['exponent']:.2f}\n"
                        f"on [{fit['x_min']}, {fit['x_max']}], KS {fit['ks']:.3f}")
        ax.set_xlabel(label)
        ax.set_ylabel("P")
        ax.legend(fontsize=8)
    axes[0].set_title(f"sizes ({results['avalanches']:,} avalanches, theta {results['theta']}, "
                      f"noise sd {results['noise_sd']:.3g})", fontsize=10)
    axes[1].set_title("durations")
    axes[2].loglog(ts, mean_size, "o", ms=4, label="mean size per duration")
    axes[2].loglog(ts, np.exp(np.polyval(np.polyfit(np.log(ts), np.log(mean_size), 1),
                                         np.log(ts))), "r-",
                   label=f"gamma {gamma:.2f} (predicted {results['gamma_predicted']:.2f})")
    axes[2].set_xlabel("duration T")
    axes[2].set_ylabel("<S>(T)")
    axes[2].legend(fontsize=8)
    axes[2].set_title("scaling of size with duration")
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
