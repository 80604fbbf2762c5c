"""Counting task (Lazar, Pipa and Triesch 2009, "SORN: a self-organizing
recurrent neural network", Front. Comput. Neurosci. 3:23).

The input is a random sequence of two words, "a b...b c" and "d e...e f", with
n middle letters, each word chosen with probability 1/2. Each of the 6 letters
drives its own pool of 10 input units (nu = 60; unit k drives excitatory
neuron k), with amplitude 1. Three reservoirs of the same size and initial
connectivity (same seed):
  SORN     all five mechanisms during the plasticity phase,
  IP only  only intrinsic plasticity (stdp, sp, istdp, ss frozen),
  static   no plasticity phase (the random network as initialized).
Then, with nothing plastic (the training phase), a readout on the excitatory
state x(t) (FitReadout: ridge regression, 6 classes) learns to predict the
next letter; it is scored on held-out steps (Train with the readout's outputs).

Accuracy is reported on held-out steps of three kinds:
  all          every step; word starts (a or d after c or f) are a coin toss;
  predictable  every step but those (the next letter is determined);
  word end     steps at the last middle letter, whose next letter is the
               word's end (c or f): only a reservoir that counted n middle
               letters gets these right. Predicting "another middle letter"
               everywhere scores 0 here and (n - 1) / n on middle letters.

    PYTHONPATH=client/python:build/python /usr/bin/python3 \\
        examples/experiments/counting_task.py          # ~5 minutes
"""

import numpy as np
from sorn_client_pb import sorn_pb2 as pb

import common

LETTERS = "abcdef"
UNITS_PER_LETTER = 10
CHUNK = 10_000  # steps per Simulate/Train call (keeps messages small).


def sequence(n, length, rng):
    """Letters (0..5) of random words until `length` letters."""
    out = []
    while len(out) < length:
        first = 0 if rng.random() < 0.5 else 3
        out += [first] + [first + 1] * n + [first + 2]
    return np.asarray(out[:length], dtype=np.int32)


def inputs(letters):
    """The (nu, T) input of a letter sequence: one pool of units per letter."""
    u = np.zeros((len(LETTERS) * UNITS_PER_LETTER, len(letters)))
    for k in range(UNITS_PER_LETTER):
        u[letters * UNITS_PER_LETTER + k, np.arange(len(letters))] = 1.0
    return u


def run(session, letters, train, noise, freeze=(), readouts=()):
    """Runs the letters through the session in chunks; returns the readout
    classes of every step (when asked)."""
    classes = []
    for start in range(0, len(letters), CHUNK):
        part = letters[start:start + CHUNK]
        result = session.run(inputs=inputs(part), train=train, freeze=freeze, noise=noise,
                             readouts=readouts,
                             record=pb.RecordSelection(x=False, y=False, r=False,
                                                       counts=False))
        if readouts:
            classes.append(result["readouts"][readouts[0]]["classes"])
    return np.concatenate(classes) if classes else None


def evaluate(client, model, n, seed, phases, noise):
    plastic, fit, test = phases
    rng = np.random.default_rng(1000 * seed + n)
    letters = sequence(n, plastic + fit + test + 1, rng)
    name = f"count-{model.replace(' ', '-')}-{n}-{seed}"
    session = client.create_session(name=name, seed=seed, ne=200,
                                    nu=len(LETTERS) * UNITS_PER_LETTER, h_ip=0.1,
                                    record_buffer_steps=fit)
    try:
        if model == "SORN":
            run(session, letters[:plastic], False, noise)
        elif model == "IP only":
            run(session, letters[:plastic], False, noise,
                freeze=("stdp", "sp", "istdp", "ss"))
        # The readout's rows are the fit steps; each targets the next letter.
        fit_letters = letters[plastic:plastic + fit]
        run(session, fit_letters, True, noise)
        fitted = session.fit_readout("next", labels=letters[plastic + 1:plastic + fit + 1],
                                     classes=len(LETTERS))
        test_letters = letters[plastic + fit:plastic + fit + test]
        predicted = run(session, test_letters, True, noise, readouts=["next"])
        truth = letters[plastic + fit + 1:plastic + fit + test + 1]
        predictable = ~np.isin(test_letters, (2, 5))
        word_end = np.isin(truth, (2, 5))
        correct = predicted == truth
        return {
            "train_accuracy": float(fitted["info"].training_accuracy),
            "all": float(np.mean(correct)),
            "predictable": float(np.mean(correct[predictable])),
            "word_end": float(np.mean(correct[word_end])),
        }
    finally:
        session.delete()


def plot(results, ns, models, path, note):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True)
    for ax, measure, title in zip(axes, ("word_end", "predictable", "all"),
                                  ("word end (next letter c or f)",
                                   "predictable steps (all but word starts)",
                                   "all held-out steps")):
        for model in models:
            values = np.array([[r[measure] for r in results[model][str(n)]] for n in ns])
            ax.errorbar(ns, values.mean(axis=1), yerr=values.std(axis=1), marker="o",
                        capsize=3, label=model)
        ax.set_xlabel("n (middle letters per word)")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("next-letter accuracy (held out)")
    axes[0].legend()
    fig.suptitle(f"Counting task: SORN vs IP-only vs static reservoir (ne = 200, {note})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def main():
    args = common.arguments(
        __doc__.splitlines()[0], seeds={"type": int, "default": 3},
        noise={"choices": ["on", "off"], "default": "on",
               "help": "the server's noise (sd 0.04) in every phase; the 2009 "
                       "model had none"})
    if args.quick:
        ns, seeds, phases = [4, 8], [1], (2000, 1000, 1000)
    else:
        ns, seeds, phases = list(range(4, 29, 4)), list(range(1, args.seeds + 1)), \
            (50_000, 5_000, 5_000)
    models = ["SORN", "IP only", "static"]
    results = {m: {str(n): [] for n in ns} for m in models}
    with common.server(args) as client:
        for n in ns:
            for model in models:
                for seed in seeds:
                    r = evaluate(client, model, n, seed, phases, args.noise == "on")
                    results[model][str(n)].append(r)
                print(f"n={n:2d} {model:8s}" + "".join(
                    f"  {measure} " + " ".join(f"{r[measure]:.3f}"
                                               for r in results[model][str(n)])
                    for measure in ("word_end", "predictable", "all")), flush=True)
    for r in (r for m in models for n in ns for r in results[m][str(n)]):
        assert all(0.0 <= r[k] <= 1.0 for k in ("word_end", "predictable", "all")), r
    suffix = ("_quick" if args.quick else "") + ("_no_noise" if args.noise == "off" else "")
    common.save_json(args, f"counting_task{suffix}.json",
                     {"ns": ns, "seeds": seeds, "phases": phases, "noise": args.noise,
                      "results": results})
    plot(results, ns, models, f"{args.out}/counting_task{suffix}.png",
         f"noise {args.noise}")


if __name__ == "__main__":
    main()
