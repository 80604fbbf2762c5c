"""Synaptic weights (Zheng, Dimitrakakis and Triesch 2013, "Network
self-organization explains the statistics and dynamics of synaptic
connection strengths in cortex", PLoS Comput. Biol. 9:e1002848).

One SORN (ne = 200, nu = 10, inputs U(0, 1), noise on, all five mechanisms,
the server's defaults) runs 3,000,000 steps (the connection fraction is still
growing at 10^6, steady from about 1.5 x 10^6). Reported:
  - the nonzero Wee weights at the end, fitted by a lognormal (maximum
    likelihood: mu and sigma of log w), with the Kolmogorov-Smirnov distance
    between the weights and the fit (the same fit at earlier snapshots shows
    whether the shape is stable). Synapses that are neither potentiated nor
    depressed shrink geometrically under normalization and are pruned only
    at the engine's floor of 1e-100 (the reference: at underflow), so the
    fit is made twice: on every nonzero weight, and on the weights >= 1e-4
    (a tenth of a new synapse's 0.001), with the share of connections and of
    weight below that;
  - the fraction of existing Wee connections, ee_conn / (ne (ne - 1)), at
    every step: whether it reaches a steady state (its mean and drift over
    the last fifths of the run).

    PYTHONPATH=client/python:build/python /usr/bin/python3 \\
        examples/experiments/synaptic_weights.py       # ~3 minutes
"""

import math

import numpy as np
from sorn_client_pb import sorn_pb2 as pb

import common

NE = 200
CHUNK = 100_000
DECAYED = 1e-4  # below: a synapse that only shrank since it was made.


def lognormal_fit(weights):
    """mu, sigma (MLE) of log w and the KS distance of w to that lognormal."""
    logs = np.sort(np.log(weights))
    mu, sigma = float(logs.mean()), float(logs.std())
    cdf = np.array([0.5 * (1 + math.erf((v - mu) / (sigma * math.sqrt(2)))) for v in logs])
    n = len(logs)
    ks = float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))
    return {"mu": mu, "sigma": sigma, "ks": ks, "n": n,
            "ks_5pct_critical": 1.358 / math.sqrt(n)}


def main():
    args = common.arguments(__doc__.splitlines()[0],
                            steps={"type": int, "default": 3_000_000})
    steps = 20_000 if args.quick else args.steps
    every = max(steps // 10, 1)
    with common.server(args) as client:
        session = client.create_session(name="weights", seed=1, ne=NE, nu=10,
                                        record_buffer_steps=0)
        counts, snapshots = [], []
        for start in range(0, steps, CHUNK):
            n = min(CHUNK, steps - start)
            result = session.run(
                n, generated={"kind": "UNIFORM", "seed": 7 + start},
                record=pb.RecordSelection(x=False, y=False, r=False, counts=True,
                                          weights_every=min(every, n)),
                )
            counts.append(result["ee_conn"])
            snapshots += [w for w in result["weights"] if (w["step"] % every) == 0]
            print(f"step {start + n}: {result['ee_conn'][-1]} Wee connections", flush=True)
        session.delete()
    ee = np.concatenate(counts)
    fraction = ee / (NE * (NE - 1))
    final = snapshots[-1]["wee"]
    fits = [{"step": s["step"], **lognormal_fit(s["wee"][s["wee"] > 0])} for s in snapshots]
    strong_fits = [{"step": s["step"], **lognormal_fit(s["wee"][s["wee"] >= DECAYED])}
                   for s in snapshots]
    nonzero = final[final > 0]
    strong_fraction = [float(np.count_nonzero(s["wee"] >= DECAYED)) / (NE * (NE - 1))
                       for s in snapshots]
    fifths = [float(f.mean()) for f in np.array_split(fraction, 5)]
    results = {
        "steps": steps,
        "final_fit": fits[-1],
        "fits": fits,
        "final_fit_at_least_1e-4": strong_fits[-1],
        "fits_at_least_1e-4": strong_fits,
        "final_share_below_1e-4": {
            "connections": float(np.mean(nonzero < DECAYED)),
            "weight": float(nonzero[nonzero < DECAYED].sum() / nonzero.sum()),
        },
        "final_log10_weight_percentiles": {
            str(q): float(np.percentile(np.log10(nonzero), q)) for q in (1, 10, 25, 50, 75, 90, 99)},
        "connection_fraction": {
            "start": float(fraction[0]), "end": float(fraction[-1]),
            "mean_by_fifth": fifths,
            "last_two_fifths_relative_change": (fifths[4] - fifths[3]) / fifths[3],
            "at_least_1e-4_at_snapshots": dict(zip([s["step"] for s in snapshots],
                                                   strong_fraction)),
        },
    }
    assert fits[-1]["n"] > 0 and 0 < fraction[-1] < 1
    suffix = "_quick" if args.quick else ""
    common.save_json(args, f"synaptic_weights{suffix}.json", results)
    plot(nonzero, fits, strong_fits, fraction, snapshots, strong_fraction,
         f"{args.out}/synaptic_weights{suffix}.png")
    for label, f in (("all nonzero", fits[-1]), (">= 1e-4", strong_fits[-1])):
        print(f"lognormal ({label}): mu {f['mu']:.3f} sigma {f['sigma']:.3f} KS {f['ks']:.4f} "
              f"(n {f['n']}, 5% critical {f['ks_5pct_critical']:.4f})")
    print(f"connection fraction by fifth {' '.join(f'{v:.4f}' for v in fifths)}; "
          f">= 1e-4 at snapshots {' '.join(f'{v:.4f}' for v in strong_fraction)}")


def plot(nonzero, fits, strong_fits, fraction, snapshots, strong_fraction, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(19, 4))
    ln10 = math.log(10)
    for ax, weights, fit, title in (
            (axes[0], nonzero, fits[-1], "every nonzero Wee weight"),
            (axes[1], nonzero[nonzero >= DECAYED], strong_fits[-1], "Wee weights >= 1e-4")):
        logs = np.log10(weights)
        ax.hist(logs, bins=60, density=True, alpha=0.6, label=f"{len(weights)} weights")
        grid = np.linspace(logs.min(), logs.max(), 300)
        density = (ln10 / (fit["sigma"] * math.sqrt(2 * math.pi)) *
                   np.exp(-(grid * ln10 - fit["mu"]) ** 2 / (2 * fit["sigma"] ** 2)))
        ax.plot(grid, density, "r", label=f"lognormal fit, KS = {fit['ks']:.3f}")
        ax.set_xlabel("log10 weight")
        ax.set_ylabel("density")
        ax.set_title(f"{title}, step {fit['step']:,}", fontsize=10)
        ax.legend(fontsize=8)
    steps = np.arange(1, len(fraction) + 1)
    axes[2].plot(steps, fraction, lw=0.5, label="nonzero (every step)")
    axes[2].plot([s["step"] for s in snapshots], strong_fraction, "o-", label=">= 1e-4")
    axes[2].set_xscale("log")
    axes[2].set_xlabel("step")
    axes[2].set_ylabel("fraction of possible Wee connections")
    axes[2].set_title("connection fraction", fontsize=10)
    axes[2].legend(fontsize=8)
    for label, series, marker in (("all: sigma", fits, "s-"), (">= 1e-4: sigma", strong_fits, "o-")):
        axes[3].plot([f["step"] for f in series], [f["sigma"] for f in series], marker,
                     label=label)
    axes[3].plot([f["step"] for f in strong_fits], [f["mu"] for f in strong_fits], "^-",
                 label=">= 1e-4: mu")
    axes[3].plot([f["step"] for f in strong_fits], [f["ks"] for f in strong_fits], "v-",
                 label=">= 1e-4: KS")
    axes[3].set_yscale("symlog")
    axes[3].set_xlabel("step")
    axes[3].set_title("lognormal fit at each snapshot", fontsize=10)
    axes[3].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
