"""Synaptic weights (Zheng, Dimitrakakis and Triesch 2013, "Network
self-organization explains the statistics and dynamics of synaptic
connection strengths in cortex", PLoS Comput. Biol. 9:e1002848), with the
paper's set-up.

The paper's set-up (preset `zheng2013`): ne = 200, ni = 40, no input at all,
W_EE sparse with connection fraction 0.1 (20 per neuron), W_EI 0.2,
eta_stdp 0.004, eta_istdp 0.001, eta_ip 0.01, h_ip 0.1, T_E max 1, T_I max
0.5, SP adding a synapse of weight 0.001 with probability 0.1 per step,
Gaussian noise of variance 0.05 (sd 0.224) on E and I, the lab's deletion of
E->E weights below 1e-10 and I->E floor of 0.001, IP not clamped; 5,000,000
steps, 5 runs (seeds --seed, --seed + 1, ...).

Reported per run and as mean +- sd over the runs:
  - the E->E weights at the end, judged as the lab did (chrhartm/SORN,
    chartmann/plot_single.py): counts of the nonzero weights in the 9 log
    bins of [0.01, 1] fitted by least squares with a scaled lognormal curve
    (the lab's bin points); and properly: a maximum-likelihood lognormal
    truncated to [0.01, 1] with its KS distance, a parametric-bootstrap
    p-value of that KS distance, and Vuong likelihood-ratio tests against a
    truncated exponential and a truncated power law on the same range;
  - the fraction of existing E->E connections (of ne (ne - 1)): per step
    for the first 100,000 steps, then from the Wee snapshots every 1,000 steps;
  - synapse lifetimes (birth to deletion, synapses created during the run),
    from which synapses exist in Wee snapshots: every 1,000 steps over the
    whole run (lifetimes resolved to +-1,000 steps; a synapse that lives
    less than that between two snapshots is missed), and every 10 steps
    over the last 200,000 steps (lifetimes up to 200,000 resolved to +-10).
    Fitted as the lab did (log-binned counts on [100, 10000], least-squares
    a L^k) and by a discrete power-law maximum likelihood on the same range
    (in units of the 10-step resolution), with its standard error, and on
    [10^4, 10^6] from the 1,000-step snapshots.

What the package's rules change (--variants sorn_default): the same with
the sorn package's default rules (no preset; nu = 0, h_ip 0.1, noise sd
sqrt(0.05); IP clamped to [0, 1], no pruning below 1e-10, no I->E floor).

What is ours: the server's generator and FAST arithmetic, and the fitting
code (analysis.py, numpy only). Each run's results are kept in --data-dir
(.npz), so an interrupted run resumes and --analyze-only redoes the figures.

    PYTHONPATH=client/python:build/python /usr/bin/python3 \\
        examples/experiments/synaptic_weights.py --runs 5   # ~2 min per run
    PYTHONPATH=client/python:build/python /usr/bin/python3 \\
        examples/experiments/synaptic_weights.py --variants sorn_default --runs 2
    (the last call analyses every variant with data in --data-dir)
"""

import math
import os
import shutil
import tempfile
import time

import numpy as np

import analysis
import common

NE = 200
POSSIBLE = NE * (NE - 1)
RANGE = (0.01, 1.0)
COUNTS_STEPS = 100_000   # per-step ee_conn for this many first steps.
COARSE = 1_000           # snapshot interval over the whole run.
FINE = 10                # snapshot interval over the final window.
FINE_WINDOW = 200_000
VARIANTS = {
    "zheng2013": {"preset": "zheng2013"},
    "sorn_default": {"nu": 0, "h_ip": 0.1, "noise_sd": math.sqrt(0.05)},
}
LABELS = {"zheng2013": "Zheng 2013 set-up", "sorn_default": "sorn package rules"}
BOOTSTRAP = 200


def data_path(data_dir, variant, seed, steps):
    return os.path.join(data_dir, f"{variant}_s{steps}_seed{seed}.npz")


def simulate(client, variant, seed, steps, fine_window):
    """One run; returns the arrays kept for the analysis."""
    params = dict(VARIANTS[variant])
    preset = params.pop("preset", None)
    session = client.create_session(name=f"weights-{variant}-{seed}-{os.getpid()}", seed=seed,
                                    preset=preset, record_buffer_steps=0, **params)
    coarse = analysis.LifetimeTracker(NE * NE)
    fine = analysis.LifetimeTracker(NE * NE)
    keep_at = {s for s in (10_000, 100_000, 1_000_000, 2_000_000, 3_000_000, 4_000_000)
               if s < steps} | {steps}
    kept = {}
    snap_steps, snap_counts = [], []

    def on_snapshot(step, flat, values):
        if step % COARSE == 0 or step == steps:
            coarse.add(flat)
            snap_steps.append(step)
            snap_counts.append(len(flat))
        if step > steps - fine_window:
            fine.add(flat)
        if step in keep_at:
            kept[step] = values.copy()

    try:
        effective = common.session_params(session)
        first = min(COUNTS_STEPS, steps)
        _, ee_first = common.stream_run(session, first, NE, counts=True, weights_every=COARSE,
                                        on_snapshot=on_snapshot, chunk=first)
        middle = steps - first - fine_window
        if middle > 0:
            common.stream_run(session, middle, NE, weights_every=COARSE, on_snapshot=on_snapshot,
                              chunk=1_000_000)
        common.stream_run(session, steps - first - max(middle, 0), NE, weights_every=FINE,
                          on_snapshot=on_snapshot, chunk=fine_window)
    finally:
        session.delete()
    arrays = {"ee_first": ee_first, "snap_steps": np.asarray(snap_steps),
              "snap_counts": np.asarray(snap_counts),
              "lifetimes_coarse": coarse.result() * COARSE,
              "lifetimes_fine": fine.result() * FINE,
              "kept_steps": np.asarray(sorted(kept))}
    for s in sorted(kept):
        arrays[f"weights_{s}"] = kept[s]
    return arrays, effective


def weight_fits(w, rng, bootstrap):
    w = w[w > 0]
    lab = analysis.lab_lognormal_curve_fit(w)
    mle = analysis.lognormal_bootstrap(w, *RANGE, bootstrap, rng)
    alt = analysis.lognormal_vs_alternatives(w, *RANGE)
    logs = np.log(w)
    return {"synapses": int(len(w)), "in_range": mle["n"],
            "share_in_range": mle["n"] / len(w),
            "share_below_0.01": float(np.mean(w < RANGE[0])),
            "lab_curve_fit": {k: lab[k] for k in ("mu", "sigma", "scale", "residual_norm",
                                                  "counts")},
            "mle_truncated": {k: mle[k] for k in ("mu", "sigma", "ks", "n", "p_value",
                                                  "bootstrap_samples",
                                                  "bootstrap_ks_median")},
            "vs_exponential": alt["exponential"], "vs_power_law": alt["power_law"],
            "log_w_all_nonzero": {"mean": float(logs.mean()), "sd": float(logs.std())}}


def lifetime_fits(fine_lifetimes, coarse_lifetimes):
    out = {"lab_curve_fit_fine": analysis.lab_power_law_curve_fit(fine_lifetimes),
           "curve_fit_fine_geometric_centers": analysis.lab_power_law_curve_fit(
               fine_lifetimes, centers="geometric"),
           "n_fine": int(len(fine_lifetimes)), "n_coarse": int(len(coarse_lifetimes))}
    # MLE in units of the resolution: [100, 10000] steps = [10, 1000] x 10 steps.
    units = (fine_lifetimes // FINE).astype(np.int64)
    out["mle_fine_100_10000"] = analysis.fit_discrete_power_law(units, 10, 1000)
    out["fine_vs_exponential"] = analysis.power_law_vs_exponential(units, 10, 1000)
    # the local exponent, decade by decade (curvature of the distribution).
    out["mle_fine_100_1000"] = analysis.fit_discrete_power_law(units, 10, 100)
    out["mle_fine_1000_10000"] = analysis.fit_discrete_power_law(units, 100, 1000)
    coarse_units = (coarse_lifetimes // COARSE).astype(np.int64)
    out["mle_coarse_1e4_1e6"] = analysis.fit_discrete_power_law(coarse_units, 10, 1000)
    out["coarse_vs_exponential"] = analysis.power_law_vs_exponential(coarse_units, 10, 1000)
    for key in ("lab_curve_fit_fine", "curve_fit_fine_geometric_centers"):
        out[key].pop("x")
    return out


def fraction_summary(d, steps):
    f_steps = np.concatenate((np.arange(1, len(d["ee_first"]) + 1) - 1, d["snap_steps"]))
    f = np.concatenate((d["ee_first"], d["snap_counts"])) / POSSIBLE
    order = np.argsort(f_steps, kind="stable")
    f_steps, f = f_steps[order], f[order]
    i_min = int(np.argmin(f))
    late = f_steps >= steps - 1_000_000
    prev = (f_steps >= steps - 2_000_000) & ~late
    return {"initial": float(f[0]), "minimum": float(f[i_min]),
            "minimum_step": int(f_steps[i_min]),
            "maximum_after_minimum": float(f[i_min:].max()),
            "maximum_step": int(f_steps[i_min + int(np.argmax(f[i_min:]))]),
            "mean_last_1M": float(f[late].mean()), "sd_last_1M": float(f[late].std()),
            "mean_previous_1M": float(f[prev].mean()) if prev.any() else float("nan"),
            "final": float(f[-1])}, f_steps, f


def mean_sd(values):
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=np.float64)
    return {"mean": float(v.mean()) if len(v) else float("nan"),
            "sd": float(v.std(ddof=1)) if len(v) > 1 else float("nan"), "n": int(len(v))}


def main():
    args = common.arguments(
        __doc__.splitlines()[0],
        variants={"default": "zheng2013", "help": f"comma-separated, of {', '.join(VARIANTS)}"},
        runs={"type": int, "default": 5},
        seed={"type": int, "default": 1, "help": "seed of the first run"},
        steps={"type": int, "default": 5_000_000},
        data_dir={"default": os.path.join(tempfile.gettempdir(), "sorn_weights")},
        analyze_only={"action": "store_true"},
        bootstrap={"type": int, "default": BOOTSTRAP})
    fine_window = FINE_WINDOW
    if args.quick:
        args.steps, args.runs, fine_window, args.bootstrap = 60_000, 2, 30_000, 20
    requested = common.requested_variants(args, VARIANTS, "sorn_weights_quick_")
    params = {}
    if not args.analyze_only:
        with common.server(args) as client:
            for variant in requested:
                for seed in range(args.seed, args.seed + args.runs):
                    path = data_path(args.data_dir, variant, seed, args.steps)
                    if os.path.exists(path):
                        continue
                    start = time.time()
                    arrays, params[variant] = simulate(client, variant, seed, args.steps,
                                                       fine_window)
                    np.savez(path + ".part.npz", **arrays)
                    os.replace(path + ".part.npz", path)
                    print(f"{variant} seed {seed}: {args.steps:,} steps in "
                          f"{time.time() - start:.1f} s; {len(arrays['lifetimes_fine'])} fine, "
                          f"{len(arrays['lifetimes_coarse'])} coarse lifetimes", flush=True)
    results = {"set_up": {"ne": NE, "steps": args.steps, "weight_range": RANGE,
                          "coarse_snapshot_every": COARSE, "fine_snapshot_every": FINE,
                          "fine_window": fine_window, "per_step_counts_for": COUNTS_STEPS,
                          "bootstrap_samples": args.bootstrap,
                          "variants": VARIANTS}, "variants": {}}
    curves = {}
    rng = np.random.default_rng(12345)
    for variant in VARIANTS:
        prefix = f"{variant}_s{args.steps}_seed"
        seeds = sorted(int(f[len(prefix):-4]) for f in os.listdir(args.data_dir)
                       if f.startswith(prefix) and f.endswith(".npz") and ".part" not in f)
        if not seeds:
            continue
        runs, curve = [], []
        for seed in seeds:
            d = np.load(data_path(args.data_dir, variant, seed, args.steps))
            final = d[f"weights_{args.steps}"]
            frac, f_steps, f = fraction_summary(d, args.steps)
            over_time = {}
            for s in d["kept_steps"]:
                fit = analysis.fit_truncated_lognormal(d[f"weights_{s}"], *RANGE)
                lab = analysis.lab_lognormal_curve_fit(d[f"weights_{s}"])
                over_time[str(int(s))] = {"mu": fit["mu"], "sigma": fit["sigma"],
                                          "ks": fit["ks"], "n": fit["n"],
                                          "lab_mu": lab["mu"], "lab_sigma": lab["sigma"],
                                          "lab_residual_norm": lab["residual_norm"]}
            run = {"seed": seed, "weights": weight_fits(final, rng, args.bootstrap),
                   "weights_over_time": over_time, "connection_fraction": frac,
                   "lifetimes": lifetime_fits(d["lifetimes_fine"], d["lifetimes_coarse"])}
            runs.append(run)
            curve.append({"final": final, "f_steps": f_steps, "f": f,
                          "fine": d["lifetimes_fine"], "coarse": d["lifetimes_coarse"],
                          "over_time": over_time})
        summary = {
            "lab_mu": mean_sd([r["weights"]["lab_curve_fit"]["mu"] for r in runs]),
            "lab_sigma": mean_sd([r["weights"]["lab_curve_fit"]["sigma"] for r in runs]),
            "mle_mu": mean_sd([r["weights"]["mle_truncated"]["mu"] for r in runs]),
            "mle_sigma": mean_sd([r["weights"]["mle_truncated"]["sigma"] for r in runs]),
            "ks": mean_sd([r["weights"]["mle_truncated"]["ks"] for r in runs]),
            "bootstrap_p": mean_sd([r["weights"]["mle_truncated"]["p_value"] for r in runs]),
            "vuong_z_vs_exponential": mean_sd([r["weights"]["vs_exponential"]["normalized_R"]
                                               for r in runs]),
            "vuong_z_vs_power_law": mean_sd([r["weights"]["vs_power_law"]["normalized_R"]
                                             for r in runs]),
            "synapses": mean_sd([r["weights"]["synapses"] for r in runs]),
            "share_in_range": mean_sd([r["weights"]["share_in_range"] for r in runs]),
            "lifetime_lab_k": mean_sd([r["lifetimes"]["lab_curve_fit_fine"]["k"] for r in runs]),
            "lifetime_mle_exponent_100_10000": mean_sd(
                [r["lifetimes"]["mle_fine_100_10000"]["alpha"] for r in runs]),
            "lifetime_mle_exponent_100_1000": mean_sd(
                [r["lifetimes"]["mle_fine_100_1000"]["alpha"] for r in runs]),
            "lifetime_mle_exponent_1000_10000": mean_sd(
                [r["lifetimes"]["mle_fine_1000_10000"]["alpha"] for r in runs]),
            "lifetime_mle_exponent_1e4_1e6": mean_sd(
                [r["lifetimes"]["mle_coarse_1e4_1e6"]["alpha"] for r in runs]),
            "fraction_initial": mean_sd([r["connection_fraction"]["initial"] for r in runs]),
            "fraction_minimum": mean_sd([r["connection_fraction"]["minimum"] for r in runs]),
            "fraction_minimum_step": mean_sd([r["connection_fraction"]["minimum_step"]
                                              for r in runs]),
            "fraction_final": mean_sd([r["connection_fraction"]["final"] for r in runs]),
            "fraction_mean_last_1M": mean_sd([r["connection_fraction"]["mean_last_1M"]
                                              for r in runs]),
            "fraction_mean_previous_1M": mean_sd([r["connection_fraction"]["mean_previous_1M"]
                                                  for r in runs]),
        }
        # pooled lifetimes of all runs.
        fine_all = np.concatenate([c["fine"] for c in curve])
        coarse_all = np.concatenate([c["coarse"] for c in curve])
        pooled = lifetime_fits(fine_all, coarse_all)
        results["variants"][variant] = {"seeds": seeds, "runs": runs, "over_runs": summary,
                                        "pooled_lifetimes": pooled}
        if variant in params:
            results["variants"][variant]["params"] = params[variant]
        curves[variant] = curve
        s = summary
        print(f"{variant}: {len(seeds)} runs; weights: lab fit mu {s['lab_mu']['mean']:.3f} +- "
              f"{s['lab_mu']['sd']:.3f} sigma {s['lab_sigma']['mean']:.3f}; MLE mu "
              f"{s['mle_mu']['mean']:.3f} +- {s['mle_mu']['sd']:.3f} sigma "
              f"{s['mle_sigma']['mean']:.3f} +- {s['mle_sigma']['sd']:.3f} KS "
              f"{s['ks']['mean']:.4f} +- {s['ks']['sd']:.4f} bootstrap p "
              f"{s['bootstrap_p']['mean']:.3f}; Vuong z vs exp "
              f"{s['vuong_z_vs_exponential']['mean']:.1f}, vs power law "
              f"{s['vuong_z_vs_power_law']['mean']:.1f}; fraction initial "
              f"{s['fraction_initial']['mean']:.4f} min {s['fraction_minimum']['mean']:.4f} "
              f"final {s['fraction_final']['mean']:.4f} +- {s['fraction_final']['sd']:.4f}; "
              f"lifetime exponent (MLE, 100-10000) "
              f"{s['lifetime_mle_exponent_100_10000']['mean']:.3f} +- "
              f"{s['lifetime_mle_exponent_100_10000']['sd']:.3f}, lab k "
              f"{s['lifetime_lab_k']['mean']:.3f}", flush=True)
    assert results["variants"], "no runs to analyse"
    if args.quick:
        for r in results["variants"].values():
            assert len(r["runs"]) == 2 and r["runs"][0]["weights"]["synapses"] > 0
    suffix = "_quick" if args.quick else ""
    common.save_json(args, f"synaptic_weights{suffix}.json", common.finite_or_none(results))
    plot(results, curves, os.path.join(args.out, f"synaptic_weights{suffix}.png"))
    if args.quick:  # its data directory was a fresh temporary one.
        shutil.rmtree(args.data_dir, ignore_errors=True)


def plot(results, curves, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 3, figsize=(17, 9))
    colors = {"zheng2013": "C3", "sorn_default": "C0"}
    for variant, curve in curves.items():
        res = results["variants"][variant]
        c = colors[variant]
        for i, (run, cv) in enumerate(zip(res["runs"], curve)):
            label = LABELS[variant] if i == 0 else None
            w = cv["final"][cv["final"] > 0]
            lab = run["weights"]["lab_curve_fit"]
            edges = np.logspace(-2, 0, 10)
            x = edges[:-1] + (edges[0] + edges[1]) / 2
            axes[0, 0].semilogx(x, lab["counts"], "o", color=c, ms=4, label=label)
            grid = np.logspace(-2, 0, 100)
            var = lab["sigma"] ** 2
            axes[0, 0].semilogx(grid, lab["scale"] * np.exp(-(np.log(grid) - lab["mu"]) ** 2 /
                                (2 * var)) / (grid * np.sqrt(2 * np.pi * var)), "-", color=c,
                                lw=1, alpha=0.7)
            # density of log10 w with the truncated MLE fit
            logs = np.log10(w)
            hist, e = np.histogram(logs, bins=60)
            centers = 0.5 * (e[1:] + e[:-1])
            axes[0, 1].plot(centers, hist / len(logs) / np.diff(e), "-", color=c, lw=1,
                            alpha=0.6, label=label)
            m = run["weights"]["mle_truncated"]
            g = np.linspace(-2, 0, 100)
            dens = (math.log(10) / (m["sigma"] * math.sqrt(2 * math.pi)) *
                    np.exp(-(g * math.log(10) - m["mu"]) ** 2 / (2 * m["sigma"] ** 2)))
            mass = float(analysis.normal_cdf(-m["mu"] / m["sigma"]) -
                         analysis.normal_cdf((math.log(0.01) - m["mu"]) / m["sigma"]))
            axes[0, 1].plot(g, dens / mass * run["weights"]["share_in_range"], "--", color="k",
                            lw=1, label="truncated lognormal MLE on [0.01, 1]"
                            if (i == 0 and variant == "zheng2013") else None)
            axes[0, 2].semilogx(np.maximum(cv["f_steps"], 1), cv["f"], "-", color=c, lw=0.8,
                                label=label)
            for data, marker, res_label, lo in (
                    (cv["fine"], "o", "every 10 steps, last window", FINE),
                    (cv["coarse"], "s", "every 1,000 steps", COARSE)):
                if len(data) == 0:
                    continue
                hi = float(data.max()) * 1.01
                bins = max(1, int(8 * math.log10(hi / lo)))
                xs, ys, n = analysis.log_binned_density_continuous(data, lo, hi, bins)
                ok = n > 0
                axes[1, 0].loglog(xs[ok], ys[ok] * len(data), marker, color=c, ms=3, alpha=0.6,
                                  label=f"{LABELS[variant]}, {res_label}" if i == 0 else None)
            steps = sorted(int(s) for s in cv["over_time"])
            axes[1, 1].semilogx(steps, [cv["over_time"][str(s)]["sigma"] for s in steps], "o-",
                                color=c, label=f"{label}: MLE sigma" if label else None)
            axes[1, 1].semilogx(steps, [cv["over_time"][str(s)]["ks"] * 10 for s in steps],
                                "s--", color=c, label=f"{label}: KS x 10" if label else None)
        pl = res["pooled_lifetimes"]["mle_fine_100_10000"]
        fine_all = np.concatenate([cv["fine"] for cv in curve])
        if np.isfinite(pl["alpha"]) and len(fine_all):
            # anchored at the pooled count density (per run) at 100 steps.
            per_run = np.sum((fine_all >= 90) & (fine_all <= 110)) / 21.0 / len(curve)
            k = np.logspace(2, 4, 20)
            axes[1, 0].loglog(k, max(per_run, 1e-9) * (k / 100.0) ** -pl["alpha"], "-",
                              color="k" if variant == "zheng2013" else "gray", lw=2,
                              label=f"{LABELS[variant]}: power law, exponent "
                                    f"{pl['alpha']:.2f} (MLE on [100, 10^4], pooled)")
        o = res["over_runs"]
        axes[1, 2].errorbar([0, 1, 2], [o["mle_sigma"]["mean"], o["ks"]["mean"] * 10,
                                        o["lifetime_mle_exponent_100_10000"]["mean"]],
                            yerr=[o["mle_sigma"]["sd"], o["ks"]["sd"] * 10,
                                  o["lifetime_mle_exponent_100_10000"]["sd"]],
                            fmt="o", color=c, capsize=4,
                            label=f"{LABELS[variant]} ({len(res['runs'])} runs)")
    axes[0, 0].set(xlabel="weight", ylabel="count per bin",
                   title="final E->E weights: the lab's log bins and lognormal curve fit")
    axes[0, 1].set(xlabel="log10 weight", ylabel="density",
                   title="all nonzero weights; MLE lognormal on [0.01, 1]")
    axes[0, 2].set(xlabel="step", ylabel="fraction of possible E->E connections",
                   title="connection fraction")
    axes[1, 0].set(xlabel="synapse lifetime (steps)", ylabel="count density (per step)",
                   title="synapse lifetimes (runs separately)")
    axes[1, 1].set(xlabel="step", ylabel="value", title="truncated lognormal fit over time")
    axes[1, 2].set_xticks([0, 1, 2], ["MLE sigma", "KS x 10", "lifetime exponent"])
    axes[1, 2].set(title="mean +- sd over runs")
    for ax in axes.ravel():
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
