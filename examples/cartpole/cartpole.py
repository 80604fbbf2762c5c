"""CartPole balanced by a policy on a SORN reservoir that lives on sorn-server.

Each observation is streamed through one Step call; the policy is a softmax
over the two pushes, linear in the excitatory state x(t+1), learned with
REINFORCE (policy gradient with a running-mean baseline), as in the reference
package's gym example. With --frozen the reservoir is in the training phase
(no plasticity): the comparison the README reports.

    PYTHONPATH=client/python:build/python /usr/bin/python3 examples/cartpole/cartpole.py \
        --address 127.0.0.1:50051 --episodes 200
"""

import argparse
import math

import numpy as np

import sorn_client


class CartPole:
    """The classic cart-pole (Barto, Sutton and Anderson 1983), with the
    constants and Euler integration of the usual benchmark: an episode ends
    when the pole leans beyond 12 degrees, the cart leaves [-2.4, 2.4], or
    after 500 steps."""

    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    theta_threshold = 12 * 2 * math.pi / 360
    x_threshold = 2.4
    max_steps = 500

    def __init__(self, rng):
        self.rng = rng
        self.state = None
        self.steps = 0

    def reset(self):
        self.state = self.rng.uniform(-0.05, 0.05, size=4)
        self.steps = 0
        return self.state.copy()

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        total_mass = self.masspole + self.masscart
        polemass_length = self.masspole * self.length
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + polemass_length * theta_dot ** 2 * sin) / total_mass
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * cos ** 2 / total_mass))
        x_acc = temp - polemass_length * theta_acc * cos / total_mass
        x += self.tau * x_dot
        x_dot += self.tau * x_acc
        theta += self.tau * theta_dot
        theta_dot += self.tau * theta_acc
        self.state = np.array([x, x_dot, theta, theta_dot])
        self.steps += 1
        done = (abs(x) > self.x_threshold or abs(theta) > self.theta_threshold
                or self.steps >= self.max_steps)
        return self.state.copy(), 1.0, done


# Observation scales; each variable drives two input units (its positive and
# negative parts), so the reservoir sees signed values as non-negative drive.
# GAIN makes a strong observation fire its neuron whatever the threshold
# (inputs of about 1 barely do; tried 1, 3 and 5).
SCALE = np.array([2.4, 3.0, 0.21, 3.0])
GAIN = 5.0


def encode(observation):
    z = np.clip(observation / SCALE, -1, 1)
    return GAIN * np.concatenate([np.maximum(z, 0), np.maximum(-z, 0)])


class Agent:
    def __init__(self, ne, rng, learning_rate=0.001, gamma=0.99):
        self.w = np.zeros((2, ne + 1))
        self.rng, self.learning_rate, self.gamma = rng, learning_rate, gamma
        self.baseline = 0.0

    def act(self, x):
        features = np.append(x.astype(np.float64), 1.0)
        logits = self.w @ features
        p = np.exp(logits - logits.max())
        p /= p.sum()
        action = int(self.rng.random() < p[1])
        grad = -np.outer(p, features)
        grad[action] += features  # d log pi(action) / d w
        return action, grad

    def learn(self, grads, rewards):
        returns, g = [], 0.0
        for r in reversed(rewards):
            g = r + self.gamma * g
            returns.append(g)
        returns.reverse()
        mean_return = float(np.mean(returns))
        for grad, ret in zip(grads, returns):
            self.w += self.learning_rate * (ret - self.baseline) * grad
        self.baseline += 0.1 * (mean_return - self.baseline)


def run(address, episodes, frozen=False, seed=1, ne=200, session_name=None, verbose=True):
    """Trains for `episodes` episodes; returns the list of scores."""
    client = sorn_client.connect(address)
    session = client.create_session(session_name, seed=seed, ne=ne, nu=8)
    rng = np.random.default_rng(seed)
    env, agent = CartPole(rng), Agent(ne, rng)
    phase = "training" if frozen else "plasticity"
    scores = []
    try:
        with session.steps() as stream:
            for episode in range(episodes):
                observation, done = env.reset(), False
                grads, rewards = [], []
                while not done:
                    state = stream.step(encode(observation), phase=phase)
                    action, grad = agent.act(state["x"])
                    observation, reward, done = env.step(action)
                    grads.append(grad)
                    rewards.append(reward)
                agent.learn(grads, rewards)
                scores.append(len(rewards))
                if verbose:
                    print(f"episode {episode + 1}: score {len(rewards)}", flush=True)
    finally:
        session.delete()
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", default=None, help="sorn-server address")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--frozen", action="store_true",
                        help="no plasticity: the reservoir stays as initialized")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scores = run(args.address, args.episodes, frozen=args.frozen, seed=args.seed)
    last = scores[-min(20, len(scores)):]
    print(f"mean score of the last {len(last)} episodes: {np.mean(last):.1f}")


if __name__ == "__main__":
    main()
