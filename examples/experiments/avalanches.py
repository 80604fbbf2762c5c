"""Neuronal avalanches (Del Papa, Priesemann and Triesch 2017, "Criticality
meets learning: criticality signatures in a self-organizing recurrent neural
network", PLoS ONE 12:e0178683), with the paper's set-up.

The paper's set-up (preset `delpapa2017`): Zheng et al. 2013's network and
rates (ne = 200, ni = 40, W_EE 10 % and W_EI 20 % connected, eta_stdp 0.004,
eta_istdp 0.001, eta_ip 0.01, h_ip 0.1, T_E max 1, T_I max 0.5, SP adding a
synapse of 0.001 with probability 0.1 per step), no input at all, Gaussian
membrane noise of variance 0.05 on E and I, inhibitory units driven by the
current excitatory state (fast_inhibit), and the lab's pruning of E->E
weights below 1e-10. 50 independent runs of 5,000,000 steps; the last
3,000,000 of each (after a 2,000,000-step transient) are analysed, with
plasticity on throughout. Activity a(t) = number of active excitatory
neurons; threshold theta = floor(<a>/2) over all runs (the lab's
Threshold='half'); an avalanche is a maximal run of steps with a > theta,
its duration T the run's length and its size S the sum of a - theta (a run
unfinished at the end of a run is dropped, as in the lab's
data_analysis.py). Discrete power laws are fitted by maximum likelihood on
the lab's fixed ranges (delpapa/SORN, avalanches/Fig2.py): durations on
[6, 60] (exponent alpha), sizes on [10, 1500] (exponent tau), on the
avalanches of all runs pooled (as the paper) and run by run (spread). The
crackling-noise relation compares gamma = (alpha - 1)/(tau - 1) with the
slope of log <S>(T) against log T over T in [6, 60]. Robustness: the same
fits with theta at the 5th ... 25th percentile of a (the paper's shaded band).

Controls: noise variance 0.005 and 5 (the paper: no power laws there), a few
runs each; and "what the package's rules change": the same analysis with the
sorn package's default rules (no preset; nu = 0, h_ip 0.1, noise sd
sqrt(0.05); IP clamped, no pruning, no W_EI floor, inhibition driven by
x(t), SP probability not scaled).

What is ours: the server's generator and FAST arithmetic; the fitting code
(analysis.py, numpy only; the lab used the `powerlaw` package, whose sigma
(alpha - 1)/sqrt(n) is reported next to the Fisher-information standard
error); activity is streamed as packed spikes and counted per step, nothing
is recorded during the transient. Each run's a(t) is kept in --data-dir
(uint8 .npy), so an interrupted run resumes and --analyze-only redoes the
figures. Runs of one variant are seeds --seed, --seed + 1, ...

    PYTHONPATH=client/python:build/python /usr/bin/python3 \\
        examples/experiments/avalanches.py --variants delpapa2017 --runs 50
    PYTHONPATH=client/python:build/python /usr/bin/python3 \\
        examples/experiments/avalanches.py --variants noise_0.005,noise_5,sorn_default --runs 3
    (each run of 5,000,000 steps takes about a minute on one core; the last
    call analyses every variant with data in --data-dir and writes
    avalanches.json and avalanches.png)
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
DURATION_RANGE = (6, 60)
SIZE_RANGE = (10, 1500)
PERCENTILES = (5, 10, 15, 20, 25)
VARIANTS = {
    "delpapa2017": {"preset": "delpapa2017"},
    "noise_0.005": {"preset": "delpapa2017", "noise_sd": math.sqrt(0.005)},
    "noise_5": {"preset": "delpapa2017", "noise_sd": math.sqrt(5.0)},
    "sorn_default": {"nu": 0, "h_ip": 0.1, "noise_sd": math.sqrt(0.05)},
}
LABELS = {
    "delpapa2017": "Del Papa 2017 (noise var 0.05)",
    "noise_0.005": "noise var 0.005",
    "noise_5": "noise var 5",
    "sorn_default": "sorn package rules (var 0.05)",
}


def data_path(data_dir, variant, seed, transient, steps):
    return os.path.join(data_dir, f"{variant}_t{transient}_s{steps}_seed{seed}.npy")


def past_deadline(deadline, seconds):
    """Whether now + seconds is later than today's HH:MM UTC."""
    hours, minutes = (int(v) for v in deadline.split(":"))
    now = time.gmtime()
    left = (hours * 60 + minutes) * 60 - (now.tm_hour * 3600 + now.tm_min * 60 + now.tm_sec)
    return seconds > left


def simulate(client, variant, seed, transient, steps):
    """One run: the transient with nothing recorded, then a(t) for `steps`."""
    params = dict(VARIANTS[variant])
    preset = params.pop("preset", None)
    session = client.create_session(name=f"aval-{variant}-{seed}-{os.getpid()}", seed=seed,
                                    preset=preset, record_buffer_steps=0, **params)
    try:
        effective = common.session_params(session)
        common.stream_run(session, transient, NE)
        activity, _ = common.stream_run(session, steps, NE, activity=True)
    finally:
        session.delete()
    assert len(activity) == steps
    return activity, effective


def fits(sizes, durations):
    """Power-law fits on the fixed ranges, likelihood ratios against an
    exponential, and the crackling-noise exponents."""
    t = analysis.fit_discrete_power_law(durations, *DURATION_RANGE)
    s = analysis.fit_discrete_power_law(sizes, *SIZE_RANGE)
    predicted = (t["alpha"] - 1) / (s["alpha"] - 1) if s["alpha"] != 1 else float("nan")
    return {
        "duration": {**t, "vs_exponential": analysis.power_law_vs_exponential(
            durations, *DURATION_RANGE)},
        "size": {**s, "vs_exponential": analysis.power_law_vs_exponential(
            sizes, *SIZE_RANGE)},
        "gamma_predicted": predicted,
        "gamma_fitted": analysis.crackling_gamma(sizes, durations, *DURATION_RANGE),
        "avalanches": int(len(sizes)),
    }


def pooled_avalanches(runs, theta):
    sizes, durations = zip(*(analysis.avalanches(a, theta) for a in runs))
    return np.concatenate(sizes), np.concatenate(durations)


def mean_sd(values):
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=np.float64)
    return {"mean": float(v.mean()) if len(v) else float("nan"),
            "sd": float(v.std(ddof=1)) if len(v) > 1 else float("nan"), "n": int(len(v))}


def analyse(runs):
    """Everything reported for one variant, from its runs' a(t)."""
    pooled = np.concatenate(runs)
    theta = int(pooled.mean() / 2)
    sizes, durations = pooled_avalanches(runs, theta)
    result = {"runs": len(runs), "steps_per_run": int(len(runs[0])),
              "mean_activity": float(pooled.mean()),
              "activity_sd": float(pooled.std()),
              "theta": theta, "pooled": fits(sizes, durations)}
    per_run = [fits(*analysis.avalanches(a, theta)) for a in runs]
    result["per_run"] = [{"activity_mean": float(a.mean()), "activity_sd": float(a.std()),
                          "alpha": f["duration"]["alpha"], "alpha_se": f["duration"]["se"],
                          "tau": f["size"]["alpha"], "tau_se": f["size"]["se"],
                          "duration_ks": f["duration"]["ks"], "size_ks": f["size"]["ks"],
                          "gamma_predicted": f["gamma_predicted"],
                          "gamma_fitted": f["gamma_fitted"], "avalanches": f["avalanches"]}
                         for a, f in zip(runs, per_run)]
    result["over_runs"] = {key: mean_sd([r[key] for r in result["per_run"]])
                           for key in ("alpha", "tau", "gamma_predicted", "gamma_fitted",
                                       "duration_ks", "size_ks", "avalanches",
                                       "activity_sd")}
    # floor(<a>/2) is 9 or 10 as <a> (held at 20 by IP) falls just below or
    # above 20: the fits at the neighbouring integer thresholds too.
    result["fixed_thetas"] = {}
    for th in sorted({theta - 1, theta, theta + 1, 10}):
        f = fits(*pooled_avalanches(runs, th))
        result["fixed_thetas"][str(th)] = {
            "alpha": f["duration"]["alpha"], "alpha_se": f["duration"]["se"],
            "tau": f["size"]["alpha"], "tau_se": f["size"]["se"],
            "gamma_predicted": f["gamma_predicted"], "gamma_fitted": f["gamma_fitted"],
            "avalanches": f["avalanches"], "duration_ks": f["duration"]["ks"],
            "size_ks": f["size"]["ks"]}
    result["thresholds"] = {}
    for q in PERCENTILES:
        th = int(np.percentile(pooled, q))
        f = fits(*pooled_avalanches(runs, th))
        result["thresholds"][str(q)] = {
            "theta": th, "alpha": f["duration"]["alpha"], "tau": f["size"]["alpha"],
            "gamma_predicted": f["gamma_predicted"], "gamma_fitted": f["gamma_fitted"],
            "avalanches": f["avalanches"], "duration_ks": f["duration"]["ks"],
            "size_ks": f["size"]["ks"]}
    return result, sizes, durations


def main():
    args = common.arguments(
        __doc__.splitlines()[0],
        variants={"default": "delpapa2017",
                  "help": f"comma-separated, of {', '.join(VARIANTS)}"},
        runs={"type": int, "default": 50, "help": "runs per variant"},
        seed={"type": int, "default": 1, "help": "seed of the first run"},
        transient={"type": int, "default": 2_000_000},
        steps={"type": int, "default": 3_000_000},
        data_dir={"default": os.path.join(tempfile.gettempdir(), "sorn_avalanches")},
        analyze_only={"action": "store_true",
                      "help": "simulate nothing; analyse the runs in --data-dir"},
        max_runs_analysed={"type": int, "default": 0,
                           "help": "analyse at most this many runs per variant (0: all)"},
        deadline={"default": "",
                  "help": "UTC time HH:MM: start no run that would end after it "
                          "(judged by the last run's duration)"})
    if args.quick:
        args.transient, args.steps, args.runs = 5_000, 20_000, 2
    requested = common.requested_variants(args, VARIANTS, "sorn_avalanches_quick_")
    params = {}
    last_duration = 0.0
    if not args.analyze_only:
        with common.server(args) as client:
            for variant in requested:
                for seed in range(args.seed, args.seed + args.runs):
                    path = data_path(args.data_dir, variant, seed, args.transient, args.steps)
                    if os.path.exists(path):
                        continue
                    if args.deadline and last_duration and past_deadline(
                            args.deadline, last_duration):
                        print(f"{variant} seed {seed}: not started, it would end after "
                              f"{args.deadline} UTC", flush=True)
                        break
                    start = time.time()
                    activity, params[variant] = simulate(client, variant, seed, args.transient,
                                                         args.steps)
                    last_duration = time.time() - start
                    np.save(path + ".part.npy", activity)
                    os.replace(path + ".part.npy", path)
                    print(f"{variant} seed {seed}: {args.transient + args.steps:,} steps in "
                          f"{time.time() - start:.1f} s, <a> {activity.mean():.2f}", flush=True)
    results = {"set_up": {"ne": NE, "transient": args.transient, "steps": args.steps,
                          "duration_range": DURATION_RANGE, "size_range": SIZE_RANGE,
                          "theta": "floor(<a>/2) over the runs pooled",
                          "threshold_percentiles": PERCENTILES,
                          "variants": {v: VARIANTS[v] for v in VARIANTS}},
               "variants": {}}
    curves = {}
    for variant in VARIANTS:
        seeds = sorted(int(f.rsplit("seed", 1)[1][:-4]) for f in os.listdir(args.data_dir)
                       if f.startswith(f"{variant}_t{args.transient}_s{args.steps}_seed")
                       and f.endswith(".npy") and ".part" not in f)
        if args.max_runs_analysed:
            seeds = seeds[:args.max_runs_analysed]
        if not seeds:
            continue
        runs = [np.load(data_path(args.data_dir, variant, s, args.transient, args.steps))
                .astype(np.int64) for s in seeds]
        result, sizes, durations = analyse(runs)
        result["seeds"] = seeds
        if variant in params:
            result["params"] = params[variant]
        results["variants"][variant] = result
        curves[variant] = (sizes, durations, np.concatenate(runs))
        p, o = result["pooled"], result["over_runs"]
        print(f"{variant}: {len(seeds)} runs, <a> {result['mean_activity']:.2f}, theta "
              f"{result['theta']}, {p['avalanches']:,} avalanches; pooled alpha "
              f"{p['duration']['alpha']:.3f} +- {p['duration']['se']:.3f} (KS "
              f"{p['duration']['ks']:.3f}), tau {p['size']['alpha']:.3f} +- "
              f"{p['size']['se']:.3f} (KS {p['size']['ks']:.3f}); over runs alpha "
              f"{o['alpha']['mean']:.3f} +- {o['alpha']['sd']:.3f}, tau {o['tau']['mean']:.3f} "
              f"+- {o['tau']['sd']:.3f}; gamma predicted {p['gamma_predicted']:.3f} fitted "
              f"{p['gamma_fitted']:.3f}", flush=True)
    assert results["variants"], "no runs to analyse"
    if args.quick:
        for r in results["variants"].values():
            assert r["runs"] == 2 and r["pooled"]["avalanches"] > 0
    suffix = "_quick" if args.quick else ""
    common.save_json(args, f"avalanches{suffix}.json", common.finite_or_none(results))
    plot(results, curves, os.path.join(args.out, f"avalanches{suffix}.png"))
    if args.quick:  # its data directory was a fresh temporary one.
        shutil.rmtree(args.data_dir, ignore_errors=True)


def plot(results, curves, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    colors = {"delpapa2017": "C3", "noise_0.005": "C0", "noise_5": "C2",
              "sorn_default": "C1"}
    for variant, (sizes, durations, activity) in curves.items():
        r = results["variants"][variant]
        label = f"{LABELS[variant]}, {r['runs']} runs"
        c = colors[variant]
        for ax, data, key, rng in ((axes[0, 0], durations, "duration", DURATION_RANGE),
                                   (axes[0, 1], sizes, "size", SIZE_RANGE)):
            x, y = analysis.log_binned_density(data)
            ax.loglog(x, y, "o", ms=3, color=c, label=label)
            fit = r["pooled"][key]
            if np.isfinite(fit["alpha"]):
                k = np.arange(rng[0], rng[1] + 1)
                share = fit["n"] / max(len(data), 1)
                ax.loglog(k, analysis.discrete_power_law_pmf(fit["alpha"], *rng) * share, "-",
                          color=c, lw=2,
                          label=f"  {'alpha' if key == 'duration' else 'tau'} = "
                                f"{fit['alpha']:.3f} +- {fit['se']:.3f} on {list(rng)}")
        t, s = analysis.mean_size_by_duration(sizes, durations)
        axes[0, 2].loglog(t, s, "o", ms=3, color=c, label=label)
        keep = (t >= DURATION_RANGE[0]) & (t <= DURATION_RANGE[1])
        if keep.sum() > 2:
            p = np.polyfit(np.log(t[keep]), np.log(s[keep]), 1)
            axes[0, 2].loglog(t[keep], np.exp(np.polyval(p, np.log(t[keep]))), "-", color=c,
                              lw=2, label=f"  fitted gamma {p[0]:.2f}, predicted "
                                          f"{r['pooled']['gamma_predicted']:.2f}")
        counts = np.bincount(activity.astype(np.int64))
        axes[1, 0].semilogy(np.arange(len(counts)), counts / counts.sum(), "-", color=c,
                            label=f"{label}, theta {r['theta']}")
        th = r["thresholds"]
        qs = [int(q) for q in th]
        axes[1, 1].plot(qs, [th[str(q)]["alpha"] for q in qs], "o-", color=c,
                        label=f"alpha, {LABELS[variant]}")
        axes[1, 1].plot(qs, [th[str(q)]["tau"] for q in qs], "s--", color=c,
                        label=f"tau, {LABELS[variant]}")
        per = r["per_run"]
        axes[1, 2].plot([p["tau"] for p in per], [p["alpha"] for p in per], "o", ms=4, color=c,
                        label=label)
    axes[0, 0].set(xlabel="duration T (steps)", ylabel="P(T)", title="avalanche durations")
    axes[0, 1].set(xlabel="size S", ylabel="P(S)", title="avalanche sizes")
    axes[0, 2].set(xlabel="T", ylabel="<S>(T)", title="crackling noise: mean size vs duration")
    axes[1, 0].set(xlabel="a(t), active excitatory neurons", ylabel="fraction of steps",
                   title="activity distribution")
    axes[1, 1].set(xlabel="theta as percentile of a(t)", ylabel="exponent (pooled fit)",
                   title="robustness to the threshold")
    axes[1, 2].set(xlabel="tau (per run)", ylabel="alpha (per run)",
                   title="exponents run by run")
    for ax in axes.ravel():
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    axes[0, 0].set_ylim(1e-7, 1)
    axes[0, 1].set_ylim(1e-9, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
