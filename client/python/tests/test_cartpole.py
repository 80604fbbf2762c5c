"""The CartPole example runs episodes through a Step stream."""

import importlib.util
import os

import numpy as np

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "cartpole",
                       "cartpole.py")


def load_example():
    spec = importlib.util.spec_from_file_location("cartpole", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cartpole_physics_falls_without_control():
    cartpole = load_example()
    env = cartpole.CartPole(np.random.default_rng(0))
    env.reset()
    env.state = np.array([0.0, 0.0, 0.05, 0.0])
    steps, done = 0, False
    while not done:
        _, reward, done = env.step(1)  # always push right
        steps += 1
    assert reward == 1.0
    assert 5 <= steps <= 60  # it falls over quickly


def test_a_few_episodes_through_the_server(client, server_address):
    cartpole = load_example()
    scores = cartpole.run(server_address, episodes=3, seed=2, ne=100, verbose=False)
    assert len(scores) == 3
    assert all(8 <= s <= 500 for s in scores)
    frozen = cartpole.run(server_address, episodes=2, frozen=True, seed=2, ne=100,
                          verbose=False)
    assert len(frozen) == 2
