"""Every example of the reference package's README and usage docs, run
through sorn_client with only the import changed, against a real server.

The reference is Saran-nns/sorn: release 0.7.3 (HEAD) and release 0.6.2
(commit 83da94b). Each example's code is copied as it is in the docs; the
only changes are the import lines (`from sorn import X` -> `from sorn_client
import X`, `import sorn` -> `import sorn_client as sorn`, `from sorn.utils
import X` -> `from sorn_client.utils import X`) and, where a comment says so,
a smaller number of time steps/episodes/array size to keep the module fast.
The return values are checked against what the reference returns, written
down next to each check from the reference's source (sorn/sorn.py,
sorn/utils.py, sorn/callbacks.py of both releases).

Examples (source, section) -> test
----------------------------------
README.md of 0.7.3 (HEAD)
  R7.1-3  Installation / Dependencies: `pip install sorn`, `pip install
          git+...`, `pip install 'sorn[all]'`         -> none: shell commands
  R7.4    Usage / Plasticity Phase: Simulator.run(callbacks=[...])
  R7.5    its output: "Network Initialized" ...     -> test_readme_073_plasticity_phase
  R7.6    Usage / Training Phase: Trainer.run(...)   -> test_readme_073_training_phase
  R7.7    Network Output Descriptions: the callback names, "WIE" among them
          -> test_run_returns_every_callback, test_run_unknown_callback_raises
  R7.8    Citation (BibTeX)                          -> none: not code
README.md of 0.6.2 (83da94b)
  R6.1-3  Installation / Dependencies: pip commands  -> none: shell commands
  R6.4    Usage / Plasticity Phase: Simulator.simulate_sorn (the same code as
  R6.5    U1) and its output                         -> test_usage_plasticity_phase
  R6.6    Usage / Training Phase: Trainer.train_sorn(ne=100) after R6.4
                                                     -> test_readme_062_training_phase
  R6.7    Citation (BibTeX)                          -> none: not code
docs/source/usage.rst (the same text in 0.6.2 and 0.7.3)
  U1, U2  Plasticity Phase: simulate_sorn, default parameters, and its output
                                                     -> test_usage_plasticity_phase
  U3, U4  Override the default hyperparameters ...: simulate_sorn(ne=100,
          nu=5, lambda_ee=10, eta_stdp=0.001), and its output
                                                     -> test_usage_override_hyperparameters
  U5      Training phase: Trainer.train_sorn after U3 -> test_usage_training_phase
  U6      Freeze plasticity: simulate_sorn(freeze=['ip'])
  U7        Trainer.train_sorn(phase='plasticity', freeze=['ip','istdp'])
  U8        Trainer.train_sorn(phase='training')     -> test_usage_freeze_plasticity
  U9      Usage with OpenAI gym / Cartpole balance problem
                                                     -> test_usage_cartpole
  U10     Plot weight distribution in the network   -> test_usage_plotting[weight_distribution]
  U11     Plot Spike train                           -> test_usage_plotting[scatter_plot]
  U12     Raster plot of Spike train                 -> test_usage_plotting[raster_plot]
  U13     Distribution of presynaptic connections   -> test_usage_plotting[hist_incoming_conn]
  U14     Distribution of firing rate of the network -> test_usage_plotting[hist_firing_rate_network]
  U15     Plot pearson correlation between neurons  -> test_usage_plotting[correlation],
                                                        test_usage_avg_corr_coeff
  U16     Inter spike intervals                      -> test_usage_plotting[isi_exponential_fit]
  U17     Linear and Lognormal curve fit ...         -> test_usage_plotting[linear_lognormal_fit]
  U18     Network plot                               -> test_usage_plotting[plot_network]
  U19     t-lagged auto correlation ...              -> test_usage_autocorr
  U20     Fano factor                                -> test_usage_fanofactor
  U21     Spike Source Entropy                       -> test_usage_spike_source_entropy
Older READMEs (outside the two releases, covered because they are cheap):
  the READMEs of Aug-Sep 2021 (e.g. 824472c) carry U10-U21 with three other
  arguments: isi_exponential_fit(bin_size=5), avg_corr_coeff(E.T),
  plot_network(corr_thres=0.1)                       -> test_usage_plotting[old_readme_*]
  the READMEs of 0.3.x (e.g. c75fdd5): `from sorn.utils import Plotter`
  and `Statistics` on the simulation's activity with savefig=False
                                                     -> test_old_readme_sorn_utils_calls
  (their simulation used `RunSorn(...).run_sorn`, an API before 0.5 that
  the drop-in does not have, is not tested; the READMEs of Dec 2021 - Mar
  2022 (tag v0.7.3's first form) show `state_dict, sim_dict =
  Simulator.simulate_sorn(..., callbacks=...)`: with callbacks= the drop-in
  returns that pair, tested in test_reference_api.py. Without callbacks that
  tag returned (matrices, {}); the drop-in returns 0.6's 5-tuple, a
  deliberate choice.)
Beyond the examples, from the reference's source: every Plotter method's
file name (test_plotter_file_names, test_plotter_savefig_false_writes_nothing),
return value (test_plotter_returns_its_figure: the Figure, where the
reference returns None) and every Statistics method's
return type (test_statistics_return_types); the run API's callbacks
(test_run_returns_every_callback, test_run_without_callbacks_returns_empty_dict,
test_run_unknown_callback_raises) and the façade modules (test_facade_modules).

Checked against the reference itself (its sources run with this module's
imports pointed at them; seaborn, networkx and pandas stubbed): every test
passes on 0.6.2 (the simulate_sorn tests) or 0.7.3 (the run tests, Plotter,
Statistics) except R6.6/R7.6 (below) and Plotter.correlation/plot_network,
which need seaborn/networkx/pandas (and correlation's np.bool fails on
NumPy >= 1.24).

Where the reference itself fails on its own example, the test says so next
to the call (R6.6 and R7.6 pass ne=100 with a 200-neuron state: the
reference raises "ValueError: cannot reshape array of size 200 into shape
(100,1)"; the drop-in takes ne from the state, as test_reference_examples.py
expects).
"""

import logging
import os
import re
import sys
import types

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

STATE_KEYS = {"Wee", "Wei", "Wie", "Te", "Ti", "X", "Y"}

# The reference's Simulator_/Trainer_.avail_callbacks, in its order (0.7.3).
CALLBACKS = ["ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
             "WEE", "WEI", "TE", "TI", "EIConnectionCounts", "EEConnectionCounts"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------
# What the reference returns (sorn/sorn.py; ni = int(0.2 * ne)).

def check_state_dict(state_dict, ne):
    """Both releases: a dict {"Wee": (ne, ne), "Wei": (ni, ne), "Wie": (ne, ni),
    "Te": (ne, 1), "Ti": (ni, 1), "X": (ne, 2), "Y": (ni, 2)} of float64
    arrays (X and Y: columns x(t-1), x(t) of the last step)."""
    ni = int(0.2 * ne)
    assert isinstance(state_dict, dict)
    assert set(state_dict.keys()) == STATE_KEYS
    shapes = {"Wee": (ne, ne), "Wei": (ni, ne), "Wie": (ne, ni), "Te": (ne, 1),
              "Ti": (ni, 1), "X": (ne, 2), "Y": (ni, 2)}
    for key, shape in shapes.items():
        value = state_dict[key]
        assert isinstance(value, np.ndarray), key
        assert value.shape == shape, key
        assert value.dtype == np.float64, key


def check_activity_list(values, steps, shape):
    """A list of `steps` float64 arrays of `shape`, each 0.0/1.0 (the
    reference's X_all/Y_all/R_all, or its activation callbacks)."""
    assert type(values) is list
    assert len(values) == steps
    for v in values:
        assert type(v) is np.ndarray
        assert v.shape == shape and v.dtype == np.float64
        assert set(np.unique(v)) <= {0.0, 1.0}


def check_counts(values, steps):
    """A list of `steps` numpy.int64: (W > 0.0).sum() of each step's
    weights before its plasticity."""
    assert type(values) is list and len(values) == steps
    assert all(type(c) is np.int64 for c in values)


def check_five_tuple(out, steps, ne):
    """simulate_sorn/train_sorn (0.6.2) return (plastic_matrices, X_all,
    Y_all, R_all, frac_pos_active_conn): X_all[i] = x_buffer[:, 1] (ne,),
    Y_all[i] (ni,), R_all[i] the recurrent drive's heaviside (ne, 1), and
    frac_pos_active_conn[i] = (Wee[i] > 0.0).sum()."""
    assert type(out) is tuple and len(out) == 5
    state_dict, E, I, R, C = out
    ni = int(0.2 * ne)
    check_state_dict(state_dict, ne)
    check_activity_list(E, steps, (ne,))
    check_activity_list(I, steps, (ni,))
    check_activity_list(R, steps, (ne, 1))
    check_counts(C, steps)
    # The state's X is the last step's x_buffer: [x(T-1), x(T)].
    np.testing.assert_array_equal(state_dict["X"][:, 1], E[-1])
    np.testing.assert_array_equal(state_dict["Y"][:, 1], I[-1])
    if steps > 1:
        np.testing.assert_array_equal(state_dict["X"][:, 0], E[-2])
        np.testing.assert_array_equal(state_dict["Y"][:, 0], I[-2])
    return out


# Per callback (sorn 0.7.3, Simulator_.run's update_callback_state
# arguments): value at step i, shape and type.
def callback_shapes(ne):
    ni = int(0.2 * ne)
    return {"ExcitatoryActivation": (ne,),   # x_buffer[:, 1]
            "InhibitoryActivation": (ni,),   # y_buffer[:, 1]
            "RecurrentActivation": (ne, 1),  # r, the recurrent drive's heaviside
            "WEE": (ne, ne),                 # Wee[i] after the step's plasticity
            "WEI": (ni, ne),                 # Wei[i] after the step's plasticity
            "TE": (ne, 1),                   # Te[i] after the step's plasticity
            "TI": (ni, 1),                   # Ti[i]
            "EIConnectionCounts": (),        # (Wei[i] > 0.0).sum() before plasticity
            "EEConnectionCounts": ()}        # (Wee[i] > 0.0).sum() before plasticity


def check_callback_values(values, requested, steps, ne):
    """run's callback_values (0.7.3 Callbacks.get): a dict with exactly the
    requested names as keys (dict.fromkeys of a set: no order to rely on,
    but all of CALLBACKS come in their order), each a list of `steps`
    values."""
    assert type(values) is dict
    assert set(values) == set(requested)
    if set(requested) == set(CALLBACKS):
        assert list(values) == CALLBACKS
    shapes = callback_shapes(ne)
    for name in requested:
        if name.endswith("ConnectionCounts"):
            check_counts(values[name], steps)
        elif name.endswith("Activation"):
            check_activity_list(values[name], steps, shapes[name])
        else:
            assert type(values[name]) is list and len(values[name]) == steps, name
            for v in values[name]:
                assert type(v) is np.ndarray, name
                assert v.shape == shapes[name] and v.dtype == np.float64, name


# A new network (matrices/state None) is announced with three lines: 0.6.2
# print()s them (Plasticity.initialize_plasticity), 0.7.3 logging.info()s
# them. c, v, b = np.count_nonzero of the initial Wee, Wei, Wie.
LINE_1 = "Network Initialized"
LINE_2 = re.compile(r"Number of connections in Wee (\d+) , Wei (\d+), Wie (\d+)\Z")


def check_announcement(lines, ne, ee_count=None, ei_count=None, docs_counts=None):
    """The three lines; Wie is dense (lambda_ie=100, uniform(0, 0.1)): ne*ni
    connections; Wee's count is C[0] (before the first step nothing has
    changed). docs_counts: the counts the docs print for the same
    parameters, to be within 10% of (they are random)."""
    ni = int(0.2 * ne)
    assert len(lines) == 3, lines
    assert lines[0] == LINE_1
    match = LINE_2.match(lines[1])
    assert match, lines[1]
    wee, wei, wie = (int(g) for g in match.groups())
    assert lines[2] == "Shapes Wee %s Wei %s Wie %s" % ((ne, ne), (ni, ne), (ne, ni))
    assert wie == ne * ni
    if ee_count is not None:
        assert wee == ee_count
    if ei_count is not None:
        assert wei == ei_count
    if docs_counts is not None:
        assert abs(wee - docs_counts[0]) <= 0.1 * docs_counts[0], (wee, docs_counts)
        assert abs(wei - docs_counts[1]) <= 0.1 * docs_counts[1], (wei, docs_counts)
        assert wie == docs_counts[2]
    return wee, wei, wie


def announced_lines(text):
    return [line for line in text.splitlines()
            if line == LINE_1 or line.startswith(("Number of connections in Wee",
                                                  "Shapes Wee"))]


def logged_lines(caplog):
    """The announcement as logged (0.7.3 logs at INFO; the reference logs on
    the root logger, the drop-in on "sorn_client": any logger is taken)."""
    records = [r for r in caplog.records if announced_lines(r.getMessage())]
    assert all(r.levelno == logging.INFO for r in records)
    return [r.getMessage() for r in records]


def snapshot(state_dict):
    return {k: np.array(v, copy=True) for k, v in state_dict.items()}


def assert_unchanged(new, old, keys=("Wee", "Wei", "Wie", "Te", "Ti")):
    for key in keys:
        np.testing.assert_array_equal(new[key], old[key], err_msg=key)


# ---------------------------------------------------------------------------
# usage.rst (0.6.2 = 0.7.3) and README.md of 0.6.2: the simulate_sorn API.

def test_usage_plasticity_phase(client, capsys):
    """U1 + U2 (= README 0.6.2 R6.4 + R6.5, the same code)."""
    import sorn_client as sorn  # noqa: F401  (was: import sorn)
    from sorn_client import Simulator  # was: from sorn import Simulator
    import numpy as np

    # Sample input
    num_features = 10
    time_steps = 200
    inputs = np.random.rand(num_features,time_steps)

    # Simulate the network with default hyperparameters under gaussian white noise
    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs = inputs, phase='plasticity',
                                                    matrices=None, noise = True,
                                                    time_steps=time_steps)

    check_five_tuple((state_dict, E, I, R, C), time_steps, 200)
    # U2: the docs print
    #   Network Initialized
    #   Number of connections in Wee 3909 , Wei 1574, Wie 8000
    #   Shapes Wee (200, 200) Wei (40, 200) Wie (200, 40)
    # and nothing else (0.6.2 has no progress bar).
    out = capsys.readouterr().out
    check_announcement(out.splitlines(), 200, ee_count=C[0], docs_counts=(3909, 1574, 8000))


def run_override_example():
    """U3 as it is in the docs; returns its names for the examples after it."""
    from sorn_client import Simulator  # (U1's import: from sorn import Simulator)

    # Sample input
    num_features = 5
    time_steps = 1000
    inputs = np.random.rand(num_features,time_steps)

    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs = inputs, phase='plasticity',
                                                    matrices=None, noise = True,
                                                    time_steps=time_steps,
                                                    ne = 100, nu=num_features,
                                                    lambda_ee = 10, eta_stdp=0.001)
    return num_features, time_steps, state_dict, E, I, R, C


def test_usage_override_hyperparameters(client, capsys):
    """U3 + U4."""
    num_features, time_steps, state_dict, E, I, R, C = run_override_example()
    check_five_tuple((state_dict, E, I, R, C), time_steps, 100)
    # U4: Network Initialized
    #     Number of connections in Wee 959 , Wei 797, Wie 2000
    #     Shapes Wee (100, 100) Wei (20, 100) Wie (100, 20)
    check_announcement(capsys.readouterr().out.splitlines(), 100, ee_count=C[0],
                       docs_counts=(959, 797, 2000))


def test_usage_training_phase(client, capsys):
    """U5, after U3 (its num_features=5 and 100-neuron state_dict)."""
    num_features, _, state_dict, *_ = run_override_example()
    capsys.readouterr()
    before = snapshot(state_dict)

    from sorn_client import Trainer  # was: from sorn import Trainer
    # NOTE: During training phase, input to `sorn` should have second (time) dimension set to 1. ie., input shape should be (input_features,1).

    inputs = np.random.rand(num_features,1)

    # SORN network is frozen during training phase
    state_dict, E, I, R, C = Trainer.train_sorn(inputs = inputs, phase='training',
                                                matrices=state_dict, noise= False,
                                                time_steps=1,
                                                ne = 100, nu=num_features,
                                                lambda_ee = 10, eta_stdp=0.001 )

    check_five_tuple((state_dict, E, I, R, C), 1, 100)
    # Trainer_.train_sorn, phase "training": "Wee[i], Wei[i], Te[i] remain same".
    assert_unchanged(state_dict, before)
    np.testing.assert_array_equal(state_dict["X"][:, 0], before["X"][:, 1])
    assert C == [np.count_nonzero(before["Wee"] > 0.0)]
    # Continuing from matrices creates no network: nothing is printed.
    assert announced_lines(capsys.readouterr().out) == []


def test_readme_062_training_phase(client, capsys):
    """README 0.6.2 R6.6, after R6.4 (a 200-neuron network, num_features=10)."""
    from sorn_client import Simulator
    num_features = 10
    time_steps = 200
    inputs = np.random.rand(num_features,time_steps)
    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs = inputs, phase='plasticity',
                                                    matrices=None, noise = True,
                                                    time_steps=time_steps)
    capsys.readouterr()
    before = snapshot(state_dict)

    from sorn_client import Trainer  # was: from sorn import Trainer
    # NOTE: During training phase, input to `sorn` should have second (time) dimension set to 1. ie., input shape should be (input_features,1).

    inputs = np.random.rand(num_features,1)

    # SORN network is frozen during training phase
    with pytest.warns(UserWarning, match="ne=100 ignored"):  # ne comes from the state.
        state_dict, E, I, R, C = Trainer.train_sorn(inputs = inputs, phase='training',
                                                    matrices=state_dict, noise= False,
                                                    time_steps=1,
                                                    ne = 100, nu=num_features,
                                                    lambda_ee = 10, eta_stdp=0.001 )

    # The reference raises here: ne=100 becomes Sorn.ne, and
    # NetworkState.excitatory_network_state reshapes the 200-neuron X to
    # (100, 1): "ValueError: cannot reshape array of size 200 into shape
    # (100,1)". The drop-in takes ne from the state (as
    # test_reference_examples.py's test_training_phase_changes_no_weight).
    check_five_tuple((state_dict, E, I, R, C), 1, 200)
    assert_unchanged(state_dict, before)
    assert announced_lines(capsys.readouterr().out) == []


def test_usage_freeze_plasticity(client, capsys):
    """U6, U7 and U8, in the docs' order."""
    from sorn_client import Simulator, Trainer

    # Sample input
    num_features = 10
    time_steps = 20
    inputs = np.random.rand(num_features,time_steps)

    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs = inputs, phase='plasticity',
                                                    matrices=None, noise = True,
                                                    time_steps=time_steps, ne = 50,
                                                    nu=num_features, freeze=['ip'])

    check_five_tuple((state_dict, E, I, R, C), time_steps, 50)
    check_announcement(capsys.readouterr().out.splitlines(), 50, ee_count=C[0])
    before = snapshot(state_dict)

    state_dict, E, I, R, C = Trainer.train_sorn(inputs = inputs, phase='plasticity',
                                                matrices=state_dict, noise= False,
                                                time_steps=1,
                                                ne = 50, nu=num_features,
                                                freeze=['ip','istdp'])

    # (inputs is 10 x 20 and time_steps=1: the reference takes column 0.)
    check_five_tuple((state_dict, E, I, R, C), 1, 50)
    # ip frozen: Te stays; istdp frozen: Wei is only rescaled by ss (its
    # columns already sum to 1); Wie and Ti are never plastic.
    np.testing.assert_array_equal(state_dict["Te"], before["Te"])
    np.testing.assert_allclose(state_dict["Wei"], before["Wei"], rtol=1e-9, atol=1e-12)
    assert_unchanged(state_dict, before, keys=("Wie", "Ti"))
    before = snapshot(state_dict)

    state_dict, E, I, R, C = Trainer.train_sorn(inputs = inputs, phase='training',
                                                matrices=state_dict, noise= False,
                                                time_steps=1,
                                                ne = 50, nu=num_features)

    check_five_tuple((state_dict, E, I, R, C), 1, 50)
    assert_unchanged(state_dict, before)  # all plasticity frozen
    assert announced_lines(capsys.readouterr().out) == []


class FakeCartPole:
    """Stands in for gym's CartPole-v0 (gym is not installed): what the
    example uses of it, with gym's old API (reset() -> observation, step()
    -> (observation, reward, done, info)). Episodes end after `length`
    steps, each rewarded 1.0."""

    class action_space:
        n = 2

    def __init__(self, length=6):
        self.length = length
        self.steps = 0
        self.rng = np.random.default_rng(0)
        self.actions = []

    def reset(self):
        self.steps = 0
        return self.rng.uniform(-0.05, 0.05, 4)  # (4,), as gym's

    def step(self, action):
        assert action in (0, 1)
        self.actions.append(int(action))
        self.steps += 1
        return self.rng.uniform(-0.05, 0.05, 4), 1.0, self.steps >= self.length, {}

    def render(self):
        pass


def test_usage_cartpole(client, capsys, monkeypatch):
    """U9. gym is not installed: a fake `gym` module whose make() gives a
    FakeCartPole is put in sys.modules, so the example's `import gym` and
    `gym.make('CartPole-v0')` run as written."""
    made = []

    def make(name):
        assert name == 'CartPole-v0'
        made.append(FakeCartPole())
        return made[-1]

    monkeypatch.setitem(sys.modules, "gym", types.SimpleNamespace(make=make))

    from sorn_client import Simulator, Trainer  # was: from sorn import Simulator, Trainer
    import gym

    # Hyperparameters
    NUM_EPISODES = 3  # docs: int(2e6)
    NUM_PLASTICITY_EPISODES = 1  # docs: 20 (1 here, so that both phases run)

    LEARNING_RATE = 0.0001 # Gradient ascent learning rate
    GAMMA = 0.99 # Discounting factor for the Rewards

    # Open AI gym; Cartpole Environment
    env = gym.make('CartPole-v0')
    action_space = env.action_space.n

    # SORN network parameters
    ne = 50
    nu = 4
    # Init SORN using Simulator under random input;
    state_dict, E, I, R, C = Simulator.simulate_sorn(inputs = np.random.randn(4,1),
                                                    phase ='plasticity',
                                                    time_steps = 1,
                                                    noise=False,
                                                    ne = ne, nu=nu)

    check_five_tuple((state_dict, E, I, R, C), 1, ne)

    w = np.random.rand(ne, 2) # Output layer weights

    # Policy
    def policy(state,w):
        "Implementation of softmax policy"
        z = state.dot(w)
        exp = np.exp(z)
        return exp/np.sum(exp)

    # Vectorized softmax Jacobian
    def softmax_grad(softmax):
        s = softmax.reshape(-1,1)
        return np.diagflat(s) - np.dot(s, s.T)

    for EPISODE in range(NUM_EPISODES):

        # Environment observation;
        # NOTE: Input to sorn should have time dimension. ie., input shape should be (input_features,time_steps)
        state = env.reset()[:, None] # (4,) --> (4,1)

        grads = [] # Episode log policy gradients
        rewards = [] # Episode rewards

        # Keep track of total score
        score = 0

        # Play the episode
        while True:

          # env.render() # Uncomment to see your model train in real time (slow down training progress)
          if EPISODE < NUM_PLASTICITY_EPISODES:

            # Plasticity phase
            state_dict, E, I, R, C = Simulator.simulate_sorn(inputs = state, phase ='plasticity',
                                                            matrices = state_dict, time_steps = 1,
                                                            ne = ne, nu=nu,
                                                            noise=False)

          else:
            # Training phase with frozen reservoir connectivity
            state_dict, E, I, R, C = Trainer.train_sorn(inputs = state, phase = 'training',
                                                    matrices = state_dict, time_steps = 1,
                                                    ne = ne, nu=nu,
                                                    noise= False)

          # Feed E as input states to your RL algorithm, below goes for simple policy gradient algorithm
          # Sample policy w.r.t excitatory states and take action in the environment
          probs = policy(np.asarray(E),w)
          action = np.random.choice(action_space,p=probs[0])
          state,reward,done,_ = env.step(action)
          state = state[:,None]

          # COMPUTE GRADIENTS BASED ON YOUR OBJECTIVE FUNCTION;
          # Sample computation of policy gradient objective function
          dsoftmax = softmax_grad(probs)[action,:]
          dlog = dsoftmax / probs[0,action]
          grad = np.asarray(E).T.dot(dlog[None,:])
          grads.append(grad)
          rewards.append(reward)
          score+=reward

          if done:
              break

        # OPTIMIZE OUTPUT LAYER WEIGHTS `w` BASED ON YOUR OPTIMIZATION METHOD;
        # Below is a sample of weight update based on gradient ascent(maximize cumulative reward) method for temporal difference learning
        for i in range(len(grads)):

            # Loop through everything that happened in the episode and update towards the log policy gradient times future reward
            w += LEARNING_RATE * grads[i] * sum([ r * (GAMMA ** r) for t,r in enumerate(rewards[i:])])
        print('Episode %s  Score %s' %(str(EPISODE),str(score)))

    # Each step's E is the reference's list of one (ne,) array, so
    # np.asarray(E) is (1, ne), probs (1, 2) and each grad (ne, 2).
    check_five_tuple((state_dict, E, I, R, C), 1, ne)
    assert np.asarray(E).shape == (1, ne) and probs.shape == (1, 2)
    assert all(g.shape == (ne, 2) for g in grads)
    assert w.shape == (ne, 2) and np.all(np.isfinite(w))
    assert len(env.actions) == NUM_EPISODES * env.length
    # Printed: the new network's three lines (only the first call makes
    # one), then one line per episode.
    lines = capsys.readouterr().out.splitlines()
    check_announcement(lines[:3], ne)
    assert lines[3:] == ['Episode %s  Score %s' % (e, 6.0) for e in range(NUM_EPISODES)]


# ---------------------------------------------------------------------------
# README.md of 0.7.3: the run API (state_dict, callback_values).

def test_readme_073_plasticity_phase(client, caplog, capsys):
    """R7.4 + R7.5."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="sorn_client")

    import sorn_client as sorn  # noqa: F401  (was: import sorn)
    from sorn_client import Simulator  # was: from sorn import Simulator
    import numpy as np

    # Sample input
    num_features = 10
    time_steps = 200
    inputs = np.random.rand(num_features,time_steps)

    # Simulate the network with default hyperparameters under gaussian white noise
    state_dict, sim_dict = Simulator.run(inputs=inputs, phase='plasticity',
                                         state=None, noise=True,
                                         timesteps=time_steps,
                                         callbacks=["ExcitatoryActivation", 
                                                    "WEE", 
                                                    "EEConnectionCounts"])

    check_state_dict(state_dict, 200)
    requested = ["ExcitatoryActivation", "WEE", "EEConnectionCounts"]
    check_callback_values(sim_dict, requested, time_steps, 200)
    E, WEE, C = (sim_dict[k] for k in requested)
    np.testing.assert_array_equal(state_dict["X"][:, 1], E[-1])
    np.testing.assert_array_equal(state_dict["X"][:, 0], E[-2])
    np.testing.assert_array_equal(state_dict["Wee"], WEE[-1])
    # The count of step i+1 (before its plasticity) is that of WEE[i] (after step i's).
    assert C[1:] == [np.count_nonzero(w > 0.0) for w in WEE[:-1]]
    # R7.5: logged (0.7.3: logging.info), not printed:
    #   Network Initialized
    #   Number of connections in Wee 3909 , Wei 1574, Wie 8000
    #   Shapes Wee (200, 200) Wei (40, 200) Wie (200, 40)
    check_announcement(logged_lines(caplog), 200, ee_count=C[0],
                       docs_counts=(3909, 1574, 8000))
    assert announced_lines(capsys.readouterr().out) == []


def test_readme_073_training_phase(client, caplog):
    """R7.6, after R7.4 (a 200-neuron network, num_features=10; here 20
    steps instead of R7.4's 200, and no callbacks: only its state is used)."""
    from sorn_client import Simulator
    num_features = 10
    state_dict, _ = Simulator.run(inputs=np.random.rand(num_features, 20), phase='plasticity',
                                  state=None, noise=True, timesteps=20)
    before = snapshot(state_dict)
    caplog.clear()
    caplog.set_level(logging.INFO)

    from sorn_client import Trainer  # was: from sorn import Trainer
    # NOTE: During training phase, input to `sorn` should have second (time) dimension set to 1. ie., input shape should be (input_features,1).

    inputs = np.random.rand(num_features,1)

    # SORN network is frozen during training phase
    with pytest.warns(UserWarning, match="ne=100 ignored"):  # ne comes from the state.
        state_dict, sim_dict = Trainer.run(inputs= inputs, phase='training',
                                           state=state_dict, noise=False,
                                           timesteps=1,
                                           ne=100, nu=num_features,
                                           lambda_ee=10, eta_stdp=0.001, 
                                           callbacks=["InhibitoryActivation", 
                                                      "WEI", 
                                                      "EIConnectionCounts"] )

    # The reference raises here (ne=100 with a 200-neuron state: "ValueError:
    # cannot reshape array of size 200 into shape (100,1)"); the drop-in
    # takes ne from the state.
    check_state_dict(state_dict, 200)
    check_callback_values(sim_dict, ["InhibitoryActivation", "WEI", "EIConnectionCounts"],
                          1, 200)
    assert_unchanged(state_dict, before)
    np.testing.assert_array_equal(sim_dict["WEI"][0], before["Wei"])
    np.testing.assert_array_equal(sim_dict["InhibitoryActivation"][0], state_dict["Y"][:, 1])
    assert sim_dict["EIConnectionCounts"] == [np.count_nonzero(before["Wei"] > 0.0)]
    assert logged_lines(caplog) == []  # no new network


def test_run_returns_every_callback(client, caplog):
    """R7.7's callbacks, all requested (0.7.3's avail_callbacks; not "WIE",
    see test_run_unknown_callback_raises): Simulator.run on a new network,
    then Trainer.run in phase "training" and "plasticity"."""
    caplog.set_level(logging.INFO)
    from sorn_client import Simulator, Trainer
    steps, ne = 6, 50
    state_dict, values = Simulator.run(inputs=np.random.rand(10, steps), phase="plasticity",
                                       state=None, noise=True, timesteps=steps, ne=ne, nu=10,
                                       callbacks=list(CALLBACKS))
    check_state_dict(state_dict, ne)
    check_callback_values(values, CALLBACKS, steps, ne)
    check_announcement(logged_lines(caplog), ne, ee_count=values["EEConnectionCounts"][0],
                       ei_count=values["EIConnectionCounts"][0])
    np.testing.assert_array_equal(values["ExcitatoryActivation"][-1], state_dict["X"][:, 1])
    np.testing.assert_array_equal(values["InhibitoryActivation"][-1], state_dict["Y"][:, 1])
    for name, key in (("WEE", "Wee"), ("WEI", "Wei"), ("TE", "Te"), ("TI", "Ti")):
        np.testing.assert_array_equal(values[name][-1], state_dict[key], err_msg=name)
    assert values["EEConnectionCounts"][1:] == [np.count_nonzero(w > 0) for w in values["WEE"][:-1]]
    assert values["EIConnectionCounts"][1:] == [np.count_nonzero(w > 0) for w in values["WEI"][:-1]]

    before = snapshot(state_dict)
    caplog.clear()
    state_dict, values = Trainer.run(inputs=np.random.rand(10, 3), phase="training",
                                     state=state_dict, noise=False, timesteps=3,
                                     callbacks=list(CALLBACKS))
    check_state_dict(state_dict, ne)
    check_callback_values(values, CALLBACKS, 3, ne)
    assert_unchanged(state_dict, before)
    for name, key in (("WEE", "Wee"), ("WEI", "Wei"), ("TE", "Te"), ("TI", "Ti")):
        for v in values[name]:
            np.testing.assert_array_equal(v, before[key], err_msg=name)
    assert logged_lines(caplog) == []

    # Trainer_.run in phase "plasticity" applies plasticity: thresholds move.
    state_dict, values = Trainer.run(inputs=np.random.rand(10, 3), phase="plasticity",
                                     state=state_dict, noise=True, timesteps=3,
                                     callbacks=["TE"])
    check_callback_values(values, ["TE"], 3, ne)
    assert not np.array_equal(state_dict["Te"], before["Te"])


def test_run_without_callbacks_returns_empty_dict(client):
    """0.7.3: `if self.callbacks: ... else: return last_state, {}`."""
    from sorn_client import Simulator, Trainer
    state_dict, values = Simulator.run(inputs=np.random.rand(10, 4), state=None, timesteps=4,
                                       ne=50, nu=10)
    assert values == {} and type(values) is dict
    check_state_dict(state_dict, 50)
    state_dict, values = Trainer.run(inputs=np.random.rand(10, 2), state=state_dict,
                                     timesteps=2, callbacks=[])
    assert values == {} and type(values) is dict
    check_state_dict(state_dict, 50)


@pytest.mark.parametrize("name", ["WIE", "IEConnectionCounts", "Excitatory"])
def test_run_unknown_callback_raises(client, name):
    """0.7.3's Validate.assert_callbacks: a name outside avail_callbacks
    raises AssertionError "['WIE'] not available". "WIE" is in the README's
    list of sim_dict keys (R7.7) but not available; IEConnectionCounts is a
    class of callbacks.py but not available either. The drop-in may raise
    ValueError instead (not the same class as the reference's)."""
    from sorn_client import Simulator
    with pytest.raises(AssertionError):  # the reference asserts.
        Simulator.run(inputs=np.random.rand(10, 2), state=None, timesteps=2, ne=50, nu=10,
                      callbacks=[name])


# ---------------------------------------------------------------------------
# usage.rst's Plotter and Statistics examples (U10-U21).

@pytest.fixture
def docs_arrays():
    """The arrays the docs' plotting section defines (U10, U11)."""
    np.random.seed(11)
    # For example, the network has 200 neurons in the excitatory pool.
    Wee = np.random.randn(200,200) # Note that generally Wee is sparse
    Wee=Wee/Wee.max() # state_dict['Wee'] returned by the SORN is already normalized
    # docs: size=(200,1000); the reference's functions (and the drop-in's) read
    # the 1000 as neurons, so correlation/plot_network would draw 1000 x 1000.
    E = np.random.randint(2, size=(200,100)) # For example, activity of 200 excitatory neurons in 1000 time steps
    return Wee, E


def _u10(Plotter, Statistics, Wee, E):
    Plotter.weight_distribution(weights= Wee, bin_size = 5, savefig = True)


def _u11(Plotter, Statistics, Wee, E):
    Plotter.scatter_plot(spike_train = E, savefig=True)


def _u12(Plotter, Statistics, Wee, E):
    # Raster plot of activity of only first 10 neurons in the excitatory pool
    Plotter.raster_plot(spike_train = E[:,0:10], savefig=True)


def _u13(Plotter, Statistics, Wee, E):
    # Histogram of number of presynaptic connections per neuron in the excitatory pool
    Plotter.hist_incoming_conn(weights=Wee, bin_size=10, histtype='bar', savefig=True)


def _u14(Plotter, Statistics, Wee, E):
    Plotter.hist_firing_rate_network(E, bin_size=10, savefig=True)


def _u15(Plotter, Statistics, Wee, E):
    from sorn_client import Statistics  # was: from sorn import Statistics
    avg_corr_coeff,_ = Statistics.avg_corr_coeff(E)
    Plotter.correlation(avg_corr_coeff,savefig=True)


def _u16(Plotter, Statistics, Wee, E):
    # Inter spike intervals with exponential curve fit for neuron 1 in the Excitatory pool
    Plotter.isi_exponential_fit(E,neuron=1,bin_size=10, savefig=True)


def _u17(Plotter, Statistics, Wee, E):
    # Distribution of connection weights in linear and lognormal scale
    Plotter.linear_lognormal_fit(weights=Wee,num_points=100, savefig=True)


def _u18(Plotter, Statistics, Wee, E):
    avg_corr_coeff,_ = Statistics.avg_corr_coeff(E)  # (U15's)
    # Draw network connectivity using the pearson correlation function between neurons in the excitatory pool
    Plotter.plot_network(avg_corr_coeff,corr_thres=0.01,fig_name='network.png')


def _old_isi(Plotter, Statistics, Wee, E):
    # Inter spike intervals with exponential curve fit for neuron 1 in the Excitatory pool
    Plotter.isi_exponential_fit(E,neuron=1,bin_size=5, savefig=True)


def _old_correlation(Plotter, Statistics, Wee, E):
    # Plot pearson correlation between neurons
    from sorn_client import Statistics  # was: from sorn import Statistics
    avg_corr_coeff,_ = Statistics.avg_corr_coeff(E.T)
    Plotter.correlation(avg_corr_coeff,savefig=True)


def _old_plot_network(Plotter, Statistics, Wee, E):
    avg_corr_coeff,_ = Statistics.avg_corr_coeff(E)
    # Draw network connectivity using the pearson correlation function between neurons in the excitatory pool
    Plotter.plot_network(avg_corr_coeff,corr_thres=0.1,fig_name='network.png')


# Each example and the one file the reference writes in the working
# directory (plt.savefig of sorn/utils.py; matplotlib adds ".png" to a name
# without an extension).
USAGE_PLOTS = [
    ("weight_distribution", _u10, "weight_distribution.png"),
    ("scatter_plot", _u11, "ScatterSpikeTrain.png"),
    ("raster_plot", _u12, "RasterSpikeTrain.png"),
    ("hist_incoming_conn", _u13, "hist_incoming_conn.png"),
    ("hist_firing_rate_network", _u14, "hist_firing_rate_network.png"),
    ("correlation", _u15, "Correlation between neurons.png"),
    ("isi_exponential_fit", _u16, "isi_exponential_fit.png"),
    ("linear_lognormal_fit", _u17, "LinearLognormalFit.png"),
    ("plot_network", _u18, "network.png"),
    ("old_readme_isi_bin_size_5", _old_isi, "isi_exponential_fit.png"),
    ("old_readme_correlation_of_E_T", _old_correlation, "Correlation between neurons.png"),
    ("old_readme_plot_network_0.1", _old_plot_network, "network.png"),
]


@pytest.mark.parametrize("example, file_name", [(e, f) for _, e, f in USAGE_PLOTS],
                         ids=[i for i, _, _ in USAGE_PLOTS])
def test_usage_plotting(example, file_name, docs_arrays, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from sorn_client import Plotter, Statistics  # was: from sorn import Plotter, Statistics
    example(Plotter, Statistics, *docs_arrays)
    assert sorted(os.listdir(tmp_path)) == [file_name]
    with open(tmp_path / file_name, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_usage_avg_corr_coeff(docs_arrays):
    """U15's Statistics call: avg_corr_coeff returns (corr_mat, corr_coeff),
    corr_mat = np.corrcoef(spike_train.T), one row and column per column of
    the train (100 x 100 here), and corr_coeff a numpy.float64."""
    from sorn_client import Statistics  # was: from sorn import Statistics
    Wee, E = docs_arrays
    result = Statistics.avg_corr_coeff(E)
    assert type(result) is tuple and len(result) == 2
    avg_corr_coeff,_ = result
    assert type(avg_corr_coeff) is np.ndarray
    assert avg_corr_coeff.shape == (100, 100) and avg_corr_coeff.dtype == np.float64
    assert isinstance(_, float)  # the reference's is a numpy.float64 (a float)
    # Pearson correlation of the columns, as np.corrcoef gives it.
    np.testing.assert_allclose(avg_corr_coeff, np.corrcoef(E.T), atol=1e-12)


def test_usage_autocorr():
    """U19: np.corrcoef of the series and itself shifted by t, a 2 x 2 array."""
    from sorn_client import Statistics  # was: from sorn import Statistics
    pearson_corr_matrix = Statistics.autocorr(firing_rates = [1,1,5,6,3,7], t= 2)
    assert type(pearson_corr_matrix) is np.ndarray
    assert pearson_corr_matrix.shape == (2, 2) and pearson_corr_matrix.dtype == np.float64
    # The reference's value: np.corrcoef([[1, 1, 5, 6], [5, 6, 3, 7]]).
    np.testing.assert_allclose(pearson_corr_matrix, [[1.0, -0.01855355], [-0.01855355, 1.0]],
                               atol=1e-8)


def test_usage_fanofactor(docs_arrays):
    """U20: a tuple of 3 numpy.float64 (mean, variance, variance / mean)."""
    from sorn_client import Statistics
    Wee, E = docs_arrays
    result = Statistics.fanofactor(spike_train= E, neuron = 10, window_size = 10)
    # To verify poissonian process in spike generation of neuron 10
    mean_firing_rate, variance_firing_rate, fano_factor = Statistics.fanofactor(spike_train= E,
                                                                            neuron = 10,
                                                                            window_size = 10)
    assert type(result) is tuple and len(result) == 3
    for value in (mean_firing_rate, variance_firing_rate, fano_factor):
        assert isinstance(value, float)
    assert fano_factor == pytest.approx(variance_firing_rate / mean_firing_rate)


def test_usage_spike_source_entropy(docs_arrays):
    """U21: a numpy.float64."""
    from sorn_client import Statistics
    Wee, E = docs_arrays
    # Measure the uncertainty about the origin of spike from the network using entropy
    sse = Statistics.spike_source_entropy(spike_train= E, num_neurons=200)
    assert isinstance(sse, float) and np.isfinite(sse)


def test_old_readme_sorn_utils_calls(client, tmp_path, monkeypatch):
    """READMEs of 0.3.x: `from sorn.utils import Plotter` / `Statistics` on
    a simulation's activity (RunSorn's Exc_activity there; simulate_sorn's E
    here, the same list of (ne,) arrays), savefig=False: nothing written."""
    monkeypatch.chdir(tmp_path)
    from sorn_client import Simulator
    # 1000 steps (the README's RunSorn ran 100): after 100 steps of a new
    # network most neurons, neuron 10 often among them, have not fired yet,
    # and the Fano factor of a silent neuron is 0/0 (the reference returns
    # NaN with a RuntimeWarning; the drop-in raises ValueError).
    matrices_dict, Exc_activity, Inh_activity, Rec_activity, num_active_connections = \
        Simulator.simulate_sorn(inputs=np.random.rand(10, 1000), matrices=None,
                                time_steps=1000)

    from sorn_client.utils import Plotter  # was: from sorn.utils import Plotter
    # Plot weight distribution in the network
    Plotter.weight_distribution(weights= matrices_dict['Wee'], bin_size = 5, savefig = False)

    # Plot Spike train of all neurons in the network
    Plotter.scatter_plot(spike_train = np.asarray(Exc_activity), savefig=False)


    Plotter.raster_plot(spike_train = np.asarray(Exc_activity), savefig=False)

    from sorn_client.utils import Statistics  # was: from sorn.utils import Statistics
    #t-lagged auto correlation between neural activity
    Statistics.autocorr(firing_rates = [1,1,5,6,3,7],t= 2)

    # Fano factor: To verify poissonian process in spike generation of neuron 10
    Statistics.fanofactor(spike_train= np.asarray(Exc_activity),neuron = 10,window_size = 10)

    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------------
# Every Plotter method (sorn/utils.py, the same in 0.6.2 and 0.7.3).

@pytest.fixture
def plot_inputs(docs_arrays):
    Wee, E = docs_arrays
    return types.SimpleNamespace(
        Wee=Wee, E=E, corr=np.corrcoef(E[:, :30].T),
        counts=[3909, 3911, 3915, 3902, 3920, 3930],
        hamming=[0, 3, 8, 12, 11, 15])


# method -> (call with the reference's keyword names, savefig=s; the file the
# reference writes with savefig=True). plot_network has no savefig: it always
# saves to "%s" % fig_name (fig_name=None gives "None.png").
PLOTTER_CALLS = {
    "hist_incoming_conn": (lambda P, d, s: P.hist_incoming_conn(
        weights=d.Wee, bin_size=10, histtype="bar", savefig=s), "hist_incoming_conn.png"),
    "hist_outgoing_conn": (lambda P, d, s: P.hist_outgoing_conn(
        weights=d.Wee, bin_size=10, histtype="bar", savefig=s), "hist_outgoing_conn.png"),
    "network_connection_dynamics": (lambda P, d, s: P.network_connection_dynamics(
        connection_counts=d.counts, savefig=s), "connection_dynamics.png"),
    "hist_firing_rate_network": (lambda P, d, s: P.hist_firing_rate_network(
        spike_train=d.E, bin_size=10, savefig=s), "hist_firing_rate_network.png"),
    "scatter_plot": (lambda P, d, s: P.scatter_plot(spike_train=d.E, savefig=s),
                     "ScatterSpikeTrain.png"),
    "raster_plot": (lambda P, d, s: P.raster_plot(spike_train=d.E[:, :10], savefig=s),
                    "RasterSpikeTrain.png"),
    "correlation": (lambda P, d, s: P.correlation(corr=d.corr, savefig=s),
                    "Correlation between neurons.png"),
    "isi_exponential_fit": (lambda P, d, s: P.isi_exponential_fit(
        spike_train=d.E, neuron=1, bin_size=10, savefig=s), "isi_exponential_fit.png"),
    "weight_distribution": (lambda P, d, s: P.weight_distribution(
        weights=d.Wee, bin_size=5, savefig=s), "weight_distribution.png"),
    "linear_lognormal_fit": (lambda P, d, s: P.linear_lognormal_fit(
        weights=d.Wee, num_points=100, savefig=s), "LinearLognormalFit.png"),
    "plot_network": (lambda P, d, s: P.plot_network(
        corr=d.corr, corr_thres=0.01, fig_name="network.png"), "network.png"),
    "hamming_distance": (lambda P, d, s: P.hamming_distance(
        hamming_dist=d.hamming, savefig=s), "HammingDistance.png"),
}


@pytest.mark.parametrize("method", sorted(PLOTTER_CALLS))
def test_plotter_file_names(method, plot_inputs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from sorn_client import Plotter
    call, file_name = PLOTTER_CALLS[method]
    call(Plotter, plot_inputs, True)
    assert sorted(os.listdir(tmp_path)) == [file_name]


@pytest.mark.parametrize("method", sorted(set(PLOTTER_CALLS) - {"plot_network"}))
def test_plotter_savefig_false_writes_nothing(method, plot_inputs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from sorn_client import Plotter
    PLOTTER_CALLS[method][0](Plotter, plot_inputs, False)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("method", sorted(PLOTTER_CALLS))
def test_plotter_returns_its_figure(method, plot_inputs, tmp_path, monkeypatch):
    """The reference returns None from every Plotter method (`return
    plt.show()`, correlation `return None`, plot_network no return), so code
    written for it ignores the value; the drop-in returns the Figure it drew
    (closed in pyplot), which a notebook shows. A deliberate difference."""
    monkeypatch.chdir(tmp_path)
    from sorn_client import Plotter
    figure = PLOTTER_CALLS[method][0](Plotter, plot_inputs, True)
    assert isinstance(figure, matplotlib.figure.Figure) and figure.axes


# ---------------------------------------------------------------------------
# Every Statistics method's return type (sorn/utils.py, 0.6.2 = 0.7.3).

def test_statistics_return_types(docs_arrays):
    from sorn_client import Statistics
    Wee, E = docs_arrays
    steps, n = E.shape
    rates = [1, 1, 5, 6, 3, 7]

    # firing_rate_neuron: (time_period = len(spike_train[:, 0]), bin_size,
    # spike_rate float).
    result = Statistics.firing_rate_neuron(spike_train=E, neuron=10, bin_size=10)
    assert type(result) is tuple and len(result) == 3
    assert result[0] == steps and isinstance(result[0], int)
    assert result[1] == 10
    assert isinstance(result[2], float)

    # firing_rate_network: np.count_nonzero(spike_train.tolist(), 1), an
    # int64 array (steps,).
    fr = Statistics.firing_rate_network(spike_train=E)
    assert type(fr) is np.ndarray and fr.shape == (steps,)
    assert fr.dtype.kind == "i"
    np.testing.assert_array_equal(fr, np.count_nonzero(E, 1))

    # The smoothness measures: np.std(...) (/ abs(mean)): numpy.float64.
    assert isinstance(Statistics.scale_dependent_smoothness_measure(firing_rates=rates), float)
    assert isinstance(Statistics.scale_independent_smoothness_measure(firing_rates=rates), float)

    # autocorr: a 2 x 2 np.corrcoef array.
    corr = Statistics.autocorr(firing_rates=rates, t=2)
    assert type(corr) is np.ndarray and corr.shape == (2, 2)

    # avg_corr_coeff: (corr_mat (n, n), numpy.float64).
    corr_mat, corr_coeff = Statistics.avg_corr_coeff(spike_train=E)
    assert type(corr_mat) is np.ndarray and corr_mat.shape == (n, n)
    assert isinstance(corr_coeff, float)

    # spike_times: np.where(spike_train == 1.0), a tuple of int64 arrays.
    times = Statistics.spike_times(spike_train=E)
    assert type(times) is tuple and len(times) == 2
    for got, want in zip(times, np.where(E == 1.0)):
        assert type(got) is np.ndarray and got.dtype.kind == "i"
        np.testing.assert_array_equal(got, want)

    # spike_time_intervals of a 1-D train (as isi_exponential_fit passes
    # spike_train[:, neuron]): np.diff of its spike times, an int64 array.
    isi = Statistics.spike_time_intervals(spike_train=E[:, 1])
    assert type(isi) is np.ndarray and isi.ndim == 1 and isi.dtype.kind == "i"
    np.testing.assert_array_equal(isi, np.diff(np.where(E[:, 1] == 1.0)[-1]))

    # hamming_distance: a list of int (np.count_nonzero), one per row.
    other = E.copy()
    other[3, :7] = 1 - other[3, :7]
    hd = Statistics.hamming_distance(actual_spike_train=E, perturbed_spike_train=other)
    assert type(hd) is list and len(hd) == steps
    assert all(type(h) is int for h in hd)
    assert hd[3] == 7 and sum(hd) == 7

    # fanofactor: (mean, variance, fano factor), numpy.float64 each.
    result = Statistics.fanofactor(spike_train=E, neuron=10, window_size=10)
    assert type(result) is tuple and len(result) == 3
    assert all(isinstance(v, float) for v in result)

    # spike_source_entropy: numpy.float64.
    assert isinstance(Statistics.spike_source_entropy(spike_train=E, num_neurons=200), float)


# ---------------------------------------------------------------------------
# The façade modules: sorn/__init__.py is `from .sorn import Simulator,
# Trainer` and `from .utils import *`, so code also imports from sorn.sorn
# and sorn.utils.

def test_facade_modules(client):
    """(simulate_sorn is 0.6.2's API and run 0.7.3's: the drop-in has both.)"""
    from sorn_client.sorn import Simulator, Trainer  # was: from sorn.sorn import ...
    from sorn_client.utils import Initializer, Plotter, Statistics  # was: from sorn.utils import ...
    import sorn_client
    # The reference's package names are those of its modules (sorn.Simulator
    # is sorn.sorn.Simulator, sorn.Plotter is sorn.utils.Plotter).
    assert Simulator is sorn_client.Simulator and Trainer is sorn_client.Trainer
    assert Plotter is sorn_client.Plotter and Statistics is sorn_client.Statistics
    assert callable(Initializer.normalize_weight_matrix)
    out = Simulator.simulate_sorn(inputs=np.random.rand(10, 3), matrices=None, time_steps=3,
                                  ne=50, nu=10, noise=False)
    check_five_tuple(out, 3, 50)
    state_dict, values = Trainer.run(inputs=np.random.rand(10, 2), state=out[0], timesteps=2,
                                     callbacks=["TE"])
    check_callback_values(values, ["TE"], 2, 50)
