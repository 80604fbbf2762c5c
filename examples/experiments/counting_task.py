"""Counting task of Lazar, Pipa and Triesch 2009 ("SORN: a self-organizing
recurrent neural network", Front. Comput. Neurosci. 3:23, Fig. 3), as published.

The paper's set-up (from the lab's code, delpapa/SORN: experiment_CountingTask.py,
param_CountingTask.py and the readout of delpapa/avalanches/Fig7.py):
  * input: a random sequence of the words `A B^n C` and `D E^n F`, each word
    chosen with probability 1/2, one letter per step;
  * ne = 200 (also 100 and 400), ni = floor(0.2 ne); each of the 6 letters
    drives its own random pool of 10 excitatory neurons (binary, gain 1,
    pools disjoint);
  * the 2009 model: STDP, IP and synaptic normalization only (no iSTDP, no
    structural plasticity, W_EI dense and fixed, no noise); eta_stdp 0.001,
    eta_ip 0.001, h_ip 0.1, 10 E->E connections per neuron, T_E and T_I drawn
    from U(0, 0.5); thresholds not clamped (the lab's IP); the inhibitory
    units driven by x(t+1) (the lab's fast_inhibit, default True there);
  * 50,000 plastic steps, then (plasticity and noise off) 5,000 steps to train
    a readout and 5,000 to test it;
  * readout: the features are the recurrent drive thresholded before the
    step's input is added, (R_x >= 0) (our `r`, SPEC.md: r(t+1) =
    H(Wee^T x(t) - Wei^T y(t) - Te)); the target is the letter shown at that
    same step (one-hot over 6 letters): the state *before* a letter arrives
    predicts that letter. Least squares by the pseudo-inverse, no bias,
    argmax; scored on every test step except the word starts (A, D), which are
    a coin toss;
  * controls: the same network (same seed, same letters) with IP only during
    the plastic phase (stdp, ss, sp, istdp frozen), and the static random
    network (no plastic phase).
A reservoir that knows only the current letter (not how many B's it has seen)
scores n / (n + 1) on that measure (it always predicts another B after a B):
that is the baseline in the table and figure. We also report the accuracy on
the word ends alone (steps whose letter is C or F), where that baseline
scores 0, and, as a diagnostic that is not the paper's, the same readout on
the whole state x(t - 1) (input-driven pool included).

What is ours: the server's preset `lazar2009` (ne overridden to 100 and 400,
keeping pools of 10 and lambda_ee 10), pools and networks drawn by the
server's generator from the seed; H(z) is z > 0 where the lab used >= 0; the
pseudo-inverse through the Gram matrix (same weights); sizes x n x seeds as
given by the options (default: n = 4..30, ne = 100, 200, 400, 20 seeds); the
word sequence is drawn per seed, n and size. The second column ("sorn rules")
is the same task and readout with the sorn package's default rules (no
preset: all five mechanisms, sparse W_EI, noise sd 0.04 in the plastic phase,
eta_stdp 0.004, eta_ip 0.01, lambda_ee 20, h_ip = 2 nu / ne = 0.06,
thresholds clamped to [0, 1]), with only the input changed to the same 6
disjoint random pools of 10 (input_pool_size 10), at ne = 200. The readout
phases are noise-free in both columns, as in the lab's experiment.

    cd /work/main && PYTHONPATH=client/python:build/python MPLCONFIGDIR=/tmp/mpl \\
        /usr/bin/python3 examples/experiments/counting_task.py   # full sweep, ~20 min, 1 core
    ... examples/experiments/counting_task.py --quick            # CI, ~5 s
    ... examples/experiments/counting_task.py --table docs/figures/counting_task.json \\
        --redraw -      # the Markdown table (and figures) of an earlier run

Writes counting_task.png (performance vs n per size, with the baseline),
counting_task_word_end.png, counting_task_advantage.png (SORN minus each
control, paired by seed) and counting_task.json (every seed's numbers, the
effective parameters, the paired advantages and their slope against n with a
bootstrap interval) to --out; --quick adds _quick to the names.
"""

import os
import time

# One core (the machine is shared): BLAS must not start threads of its own.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

LETTERS = "ABCDEF"
WORD_STARTS = (0, 3)  # A, D: not scored (a coin toss).
WORD_ENDS = (2, 5)  # C, F: only a reservoir that counted gets these right.
POOL = 10  # excitatory neurons per letter.
CONDITIONS = ("SORN", "IP only", "static")
IP_ONLY_FREEZE = ("stdp", "ss", "sp", "istdp")
CHUNK = 10_000  # steps per Simulate call.


# ---------------------------------------------------------------- analysis --

def word_sequence(n, length, rng):
    """Letters (0..5 for A..F) of random words `A B^n C` / `D E^n F`, each word
    chosen with probability 1/2, cut to `length` letters."""
    out = []
    while len(out) < length:
        first = 0 if rng.random() < 0.5 else 3
        out += [first] + [first + 1] * n + [first + 2]
    return np.asarray(out[:length], dtype=np.int64)


def one_hot(labels, classes):
    """(classes, T) one-hot matrix of integer labels (T,)."""
    labels = np.asarray(labels)
    y = np.zeros((classes, labels.size))
    y[labels, np.arange(labels.size)] = 1.0
    return y


def fit_pinv_readout(features, labels, classes, rcond=1e-6):
    """Least-squares readout W (classes, d) = Y X^+ (Moore-Penrose
    pseudo-inverse, no bias), as in Fig7.py; features F is (T, d), X = F^T.
    Computed as X^+ = (F^T F)^+ F^T through the eigen-decomposition of the
    d x d Gram matrix (ten times faster than np.linalg.pinv on 5,000 x 400),
    dropping directions whose singular value is below rcond times the largest
    (exact dependencies such as silent or duplicate neurons; np.linalg.pinv
    drops them too)."""
    f = np.asarray(features, dtype=np.float64)
    evals, evecs = np.linalg.eigh(f.T @ f)
    keep = evals > (rcond ** 2) * max(float(evals.max()), 0.0)
    inverse = (evecs[:, keep] / evals[keep]) @ evecs[:, keep].T
    return (inverse @ (f.T @ one_hot(labels, classes).T)).T


def predict(weights, features):
    """Argmax class of each row of features (T, d) under readout weights."""
    return np.argmax(weights @ np.asarray(features, dtype=np.float64).T, axis=0)


def scored_accuracy(predicted, letters, exclude=WORD_STARTS):
    """Fraction of steps whose letter is predicted, over steps whose letter is
    not in `exclude` (the word starts)."""
    letters = np.asarray(letters)
    keep = ~np.isin(letters, exclude)
    return float(np.mean(np.asarray(predicted)[keep] == letters[keep]))


def subset_accuracy(predicted, letters, subset):
    """Accuracy over the steps whose letter is in `subset` (e.g. word ends)."""
    letters = np.asarray(letters)
    keep = np.isin(letters, subset)
    return float(np.mean(np.asarray(predicted)[keep] == letters[keep]))


def current_letter_baseline(n):
    """What a reservoir that knows only the current letter scores on the
    scored steps: after A, B is certain; after a B it must guess B (n - 1
    times right) or C; C itself is missed. n right of n + 1 scored steps."""
    return n / (n + 1.0)


def previous_letter_features(letters):
    """The features of the 'knows only the current letter' reservoir: the
    one-hot of the letter shown one step before (T, 6); the first step has none."""
    letters = np.asarray(letters)
    x = np.zeros((letters.size, len(LETTERS)))
    x[np.arange(1, letters.size), letters[:-1]] = 1.0
    return x


def mean_sd(values):
    """(mean, sample sd) of a list; sd 0 for a single value."""
    v = np.asarray(values, dtype=np.float64)
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0


def linear_slope(x, y):
    """Least-squares slope of y against x."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    xc = x - x.mean()
    return float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))


def bootstrap_slope(x, samples, rng, resamples=2000, level=0.95):
    """Slope of mean(samples) against x, and its bootstrap interval.
    samples is (len(x), seeds): one row per x, one column per seed. Each
    resample draws seeds with replacement (the same draw for every x).
    Returns (slope, low, high)."""
    samples = np.asarray(samples, dtype=np.float64)
    slope = linear_slope(x, samples.mean(axis=1))
    seeds = samples.shape[1]
    slopes = np.empty(resamples)
    for b in range(resamples):
        pick = rng.integers(0, seeds, seeds)
        slopes[b] = linear_slope(x, samples[:, pick].mean(axis=1))
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(slopes, [alpha, 1.0 - alpha])
    return slope, float(low), float(high)


# ------------------------------------------------------------- simulation --

def session_params(rules, ne, variants, noise_sd=None):
    """create_session keywords for the 2009 model ("lazar2009") or the sorn
    package's rules ("sorn"), with the input of 6 random disjoint pools of 10.
    Without the server's model variants (`variants` False: today's fields
    only), the pools are 60 input units mapped one-to-one (unit k drives
    neuron k: contiguous blocks of 10, statistically the same as random pools
    in a random network); the lazar2009 fields that do not exist then are
    clamp_thresholds False (thresholds clamped to [0, 0.5] instead),
    wee_prune_below, and wei_fixed (moot: without iSTDP the dense W_EI columns
    keep summing to 1 and SS leaves them as they are)."""
    if variants:
        if rules == "lazar2009":
            p = {"preset": "lazar2009", "ne": ne}
        else:
            p = {"ne": ne, "nu": len(LETTERS), "input_pool_size": POOL,
                 "input_pools_disjoint": True}
    elif rules == "lazar2009":
        p = {"ne": ne, "nu": len(LETTERS) * POOL, "lambda_ee": 10,
             "network_type_ei": "DENSE", "eta_stdp": 0.001, "eta_ip": 0.001,
             "h_ip": 0.1, "te_max": 0.5, "ti_max": 0.5, "eta_inhib": 0.0,
             "sp_probability": 0.0, "noise_sd": 0.0}
    else:
        # h_ip as the sorn rule 2 nu / ne gives for nu = 6 letters.
        p = {"ne": ne, "nu": len(LETTERS) * POOL, "h_ip": 2 * len(LETTERS) / ne}
    if noise_sd is not None:
        p["noise_sd"] = noise_sd
    return p


def inputs(letters, variants):
    """The (nu, T) input of a letter sequence: one unit per letter (its pool is
    the server's), or, without variants, 10 units per letter."""
    if variants:
        return one_hot(letters, len(LETTERS))
    u = np.zeros((len(LETTERS) * POOL, len(letters)))
    steps = np.arange(len(letters))
    for k in range(POOL):
        u[np.asarray(letters) * POOL + k, steps] = 1.0
    return u


def run_condition(client, rules, condition, ne, n, seed, phases, variants, noise):
    """One network (seed) under one condition; returns its numbers."""
    from sorn_client_pb import sorn_pb2 as pb

    plastic, fit, test = phases
    letters = word_sequence(n, plastic + fit + test, np.random.default_rng([seed, n, ne]))
    name = f"count-{rules}-{condition.replace(' ', '_')}-{ne}-{n}-{seed}"
    noise_sd = 0.04 if (noise and rules == "lazar2009") else None
    session = client.create_session(name=name, seed=seed,
                                    **session_params(rules, ne, variants, noise_sd))
    # Noise (when the model has any) only in the plastic phase: the lab turned
    # it off for the readout phases (experiment_CountingTask.py).
    use_noise = noise or rules == "sorn"
    try:
        info = session.info()
        shape = (info.ne, info.ni)
        nothing = pb.RecordSelection(x=False, y=False, r=False, counts=False)
        started = time.time()
        if condition != "static":
            freeze = IP_ONLY_FREEZE if condition == "IP only" else ()
            for at in range(0, plastic, CHUNK):
                part = letters[at:min(at + CHUNK, plastic)]
                session.run(inputs=inputs(part, variants), noise=use_noise, freeze=freeze,
                            record=nothing, shape=shape)
        plastic_seconds = time.time() - started
        # Readout phases: nothing plastic (Train = the training phase).
        readout_letters = letters[plastic:]
        result = session.run(inputs=inputs(readout_letters, variants), train=True,
                             noise=False, shape=shape,
                             record=pb.RecordSelection(x=True, y=False, r=True, counts=False))
        r, x = result["r"], result["x"]
        weights = fit_pinv_readout(r[:fit], readout_letters[:fit], len(LETTERS))
        test_letters = readout_letters[fit:]
        predicted = predict(weights, r[fit:])
        train_predicted = predict(weights, r[:fit])
        # Diagnostic readout (not the paper's): the whole state x(t - 1),
        # input-driven pool included, predicting letter t, same least squares.
        x_prev = np.vstack([np.zeros((1, x.shape[1]), x.dtype), x[:-1]])
        weights_x = fit_pinv_readout(x_prev[:fit], readout_letters[:fit], len(LETTERS))
        predicted_x = predict(weights_x, x_prev[fit:])
        return {key: round(value, 6) if isinstance(value, float) else value for key, value in {
            "seed": seed,
            "performance": scored_accuracy(predicted, test_letters),
            "train_performance": scored_accuracy(train_predicted, readout_letters[:fit]),
            "word_end": subset_accuracy(predicted, test_letters, WORD_ENDS),
            "all_steps": float(np.mean(predicted == test_letters)),
            "performance_x": scored_accuracy(predicted_x, test_letters),
            "word_end_x": subset_accuracy(predicted_x, test_letters, WORD_ENDS),
            "rate": float(x.mean()),
            # Steps whose feature vector r is all zero: the readout (no bias)
            # then scores 0 for every class and argmax says A, as in Fig7.py.
            "silent_r": float(np.mean(r[fit:].sum(axis=1) == 0)),
            "silent_steps": float(np.mean(x.sum(axis=1) == 0)),
            "plastic_seconds": plastic_seconds,
        }.items()}
    finally:
        session.delete()


def empirical_baseline(n, length, seed):
    """The current-letter-only reservoir through the same readout pipeline
    (fit on `length` steps, scored on the next `length`)."""
    letters = word_sequence(n, 2 * length + 1, np.random.default_rng([seed, n, 7]))
    feats = previous_letter_features(letters)[1:]
    letters = letters[1:]
    w = fit_pinv_readout(feats[:length], letters[:length], len(LETTERS))
    return scored_accuracy(predict(w, feats[length:]), letters[length:])


# ---------------------------------------------------------------- output --

def summarize(results, ns):
    """{rules: {ne: {condition: {n: [mean, sd]}}}} of the performance."""
    out = {}
    for rules, by_ne in results.items():
        out[rules] = {}
        for ne, by_cond in by_ne.items():
            out[rules][ne] = {}
            for cond, by_n in by_cond.items():
                out[rules][ne][cond] = {
                    m: {n: mean_sd([r[m] for r in by_n[str(n)]]) for n in ns
                        if by_n.get(str(n))}
                    for m in ("performance", "word_end", "performance_x", "word_end_x",
                              "rate", "silent_r")}
    return out


def advantages(results, ns, rng):
    """Per rules and size: SORN minus each control, per n (mean, sd over seeds,
    paired by seed) and the slope of that advantage against n with a bootstrap
    interval (the paper's 'advantage grows with n')."""
    out = {}
    for rules, by_ne in results.items():
        out[rules] = {}
        for ne, by_cond in by_ne.items():
            out[rules][ne] = {}
            for control in ("IP only", "static"):
                diffs = np.array([[a["performance"] - b["performance"]
                                   for a, b in zip(by_cond["SORN"][str(n)],
                                                   by_cond[control][str(n)])]
                                  for n in ns])
                slope, low, high = bootstrap_slope(ns, diffs, rng)
                out[rules][ne][control] = {
                    "per_n": {n: mean_sd(d) for n, d in zip(ns, diffs)},
                    "seeds_sorn_better": {n: int(np.sum(d > 0)) for n, d in zip(ns, diffs)},
                    "slope_per_letter": [slope, low, high]}
    return out


def plot(results, ns, path, measure, ylabel, baseline):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(rules, ne) for rules in results for ne in results[rules]]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), sharey=True,
                             squeeze=False)
    grid = np.linspace(min(ns), max(ns), 100)
    for ax, (rules, ne) in zip(axes[0], panels):
        for cond, marker in zip(CONDITIONS, "osv"):
            stats = [mean_sd([r[measure] for r in results[rules][ne][cond][str(n)]])
                     for n in ns]
            ax.errorbar(ns, [s[0] for s in stats], yerr=[s[1] for s in stats],
                        marker=marker, capsize=3, label=cond)
        if baseline:
            ax.plot(grid, [current_letter_baseline(n) for n in grid], "k--", lw=1,
                    label="n/(n+1): current letter only")
        else:
            ax.axhline(0, color="k", ls="--", lw=1, label="current letter only")
        title = "2009 model" if rules == "lazar2009" else "sorn package rules"
        ax.set_title(f"{title}, $N_E$ = {ne}", fontsize=10)
        ax.set_xlabel("n (middle letters per word)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(ylabel)
    axes[0][0].legend(fontsize=8, loc="lower left")
    fig.suptitle("Counting task (Lazar et al. 2009), mean ± sd over seeds", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def markdown_table(data, measure="performance"):
    """A Markdown table (one row per rules, size and n) of a counting_task
    JSON result: mean ± sd over seeds per condition, the baseline n/(n+1),
    and in how many seeds the SORN beat each control."""
    lines = ["| model | N_E | n | baseline n/(n+1) | SORN | IP only | static "
             "| SORN > IP only | SORN > static |", "|---" * 9 + "|"]
    for rules, by_ne in data["results"].items():
        for ne, by_cond in by_ne.items():
            for n in data["ns"]:
                cells = []
                for cond in CONDITIONS:
                    m, sd = mean_sd([r[measure] for r in by_cond[cond][str(n)]])
                    cells.append(f"{m:.3f} ± {sd:.3f}")
                wins = [sum(a[measure] > b[measure] for a, b in
                            zip(by_cond["SORN"][str(n)], by_cond[c][str(n)]))
                        for c in ("IP only", "static")]
                seeds = len(by_cond["SORN"][str(n)])
                label = "2009" if rules == "lazar2009" else "sorn rules"
                lines.append(f"| {label} | {ne} | {n} | {current_letter_baseline(n):.3f} | "
                             + " | ".join(cells) + f" | {wins[0]}/{seeds} | {wins[1]}/{seeds} |")
    return "\n".join(lines)


def effective_params(client, rules, ne, variants, noise_sd):
    """The server's effective parameters of a (rules, ne) network, and its
    initial connection counts (E->E synapses per neuron should be lambda_ee)."""
    from sorn_client import conversions

    s = client.create_session(name=f"count-params-{rules}-{ne}", seed=1,
                              **session_params(rules, ne, variants, noise_sd))
    try:
        info = s.info()
        return {"seed": 1, "params": conversions.params_from_proto(info.params),
                "ee_per_neuron": info.ee_connections / info.ne,
                "ei_connections": int(info.ei_connections), "ni": int(info.ni)}
    finally:
        s.delete()


def plot_advantage(results, ns, path):
    """SORN minus each control (paired by seed), mean ± sd, per size: the
    paper's claim is that it is positive and grows with n."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for axis, control in zip(ax, ("static", "IP only")):
        for rules, by_ne in results.items():
            for ne, by_cond in by_ne.items():
                stats = [mean_sd([a["performance"] - b["performance"] for a, b in
                                  zip(by_cond["SORN"][str(n)], by_cond[control][str(n)])])
                         for n in ns]
                label = (f"2009 model, $N_E$ = {ne}" if rules == "lazar2009"
                         else f"sorn rules, $N_E$ = {ne}")
                axis.errorbar(ns, [m for m, _ in stats], yerr=[sd for _, sd in stats],
                              marker="o", capsize=3, label=label,
                              ls="-" if rules == "lazar2009" else ":")
        axis.axhline(0, color="k", lw=1)
        axis.set_title(f"SORN minus {control} (paired by seed)", fontsize=10)
        axis.set_xlabel("n (middle letters per word)")
        axis.grid(alpha=0.3)
    ax[0].set_ylabel("performance difference")
    ax[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def draw(data, out, suffix):
    """Every figure of a run (from its JSON dict)."""
    results, ns = data["results"], data["ns"]
    plot(results, ns, f"{out}/counting_task{suffix}.png", "performance",
         "performance (test; all but word starts)", True)
    plot(results, ns, f"{out}/counting_task_word_end{suffix}.png", "word_end",
         "accuracy on word ends (C, F)", False)
    plot_advantage(results, ns, f"{out}/counting_task_advantage{suffix}.png")


def variants_supported(client):
    """Whether the server and client know the model variants (preset=...)."""
    try:
        s = client.create_session(name="count-probe", seed=1, preset="lazar2009", ne=100)
    except Exception:  # TypeError (client) or RpcError (server): not yet.
        return False
    s.delete()
    return True


def main():
    import common

    args = common.arguments(
        __doc__.splitlines()[0],
        seeds={"type": int, "default": 20, "help": "networks per (size, n, condition)"},
        runs={"type": int, "default": None, "help": "alias of --seeds"},
        sizes={"default": "100,200,400", "help": "excitatory sizes of the 2009 model"},
        ns={"default": "4,6,8,10,12,15,20,25,30", "help": "values of n"},
        sorn_rules={"choices": ["on", "off"], "default": "on",
                    "help": "also run the sorn package's rules at ne 200"},
        table={"default": None, "metavar": "JSON",
               "help": "only print the Markdown table of an earlier run's JSON"},
        redraw={"default": None, "metavar": "SUFFIX",
                "help": "with --table: also redraw the figures into --out, file names "
                        "ending in SUFFIX ('-' for none)"},
        measure={"default": "performance", "choices": ["performance", "word_end",
                                                       "performance_x", "word_end_x"],
                 "help": "the measure --table prints"},
        noise={"choices": ["on", "off"], "default": "off",
               "help": "off (the 2009 model); on: noise sd 0.04 in the plastic phase of the "
                       "2009 model too (the sorn-rules column always has it there)"})
    if args.table:
        import json
        with open(args.table) as f:
            data = json.load(f)
        print(markdown_table(data, args.measure))
        if args.redraw:
            draw(data, args.out, args.redraw if args.redraw != "-" else "")
        return
    seeds_count = args.runs if args.runs is not None else args.seeds
    if args.quick:
        ns, sizes, seeds, phases = [4, 10], [100], [1, 2], (5_000, 2_000, 2_000)
    else:
        ns = [int(v) for v in args.ns.split(",")]
        sizes = [int(v) for v in args.sizes.split(",")]
        seeds, phases = list(range(1, seeds_count + 1)), (50_000, 5_000, 5_000)
    noise = args.noise == "on"
    started = time.time()
    with common.server(args) as client:
        variants = variants_supported(client)
        print(f"model variants on the server: {variants}", flush=True)
        plan = [("lazar2009", ne) for ne in sizes]
        if args.sorn_rules == "on":
            plan.append(("sorn", 200 if not args.quick else sizes[0]))
        noise_sd = 0.04 if noise else None
        networks = {f"{rules} ne={ne}": effective_params(
            client, rules, ne, variants, noise_sd if rules == "lazar2009" else None)
            for rules, ne in plan}
        results = {}
        for rules, ne in plan:
            by_cond = results.setdefault(rules, {}).setdefault(str(ne), {})
            for n in ns:
                for cond in CONDITIONS:
                    by_cond.setdefault(cond, {})[str(n)] = [
                        run_condition(client, rules, cond, ne, n, seed, phases, variants, noise)
                        for seed in seeds]
                print(f"{rules:9s} ne={ne:3d} n={n:2d} base={current_letter_baseline(n):.3f} " +
                      "  ".join(f"{c}: " + "{:.3f}±{:.3f}".format(*mean_sd(
                          [r["performance"] for r in by_cond[c][str(n)]])) for c in CONDITIONS) +
                      f"  [{time.time() - started:.0f} s]", flush=True)
    elapsed = time.time() - started
    for r in (r for a in results.values() for b in a.values() for c in b.values()
              for d in c.values() for r in d):
        assert 0.0 <= r["performance"] <= 1.0 and 0.0 <= r["word_end"] <= 1.0, r
    summary = summarize(results, ns)
    rng = np.random.default_rng(12345)
    suffix = ("_quick" if args.quick else "") + ("_noise" if noise else "")
    common.save_json(args, f"counting_task{suffix}.json", {
        "paper": "Lazar, Pipa, Triesch 2009, Front. Comput. Neurosci. 3:23",
        "model_variants": variants, "noise": args.noise, "ns": ns, "sizes": sizes,
        "seeds": seeds, "phases": {"plastic": phases[0], "readout_train": phases[1],
                                   "readout_test": phases[2]},
        "networks": networks,
        "baseline": {n: current_letter_baseline(n) for n in ns},
        "baseline_empirical": {n: empirical_baseline(n, phases[1], 1) for n in ns},
        "seconds": elapsed, "summary": summary,
        "advantage": advantages(results, ns, rng), "results": results})
    draw({"results": results, "ns": ns}, args.out, suffix)
    print(markdown_table({"results": results, "ns": ns}))
    print(f"total {elapsed:.0f} s")


if __name__ == "__main__":
    main()
