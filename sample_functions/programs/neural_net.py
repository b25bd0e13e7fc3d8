"""The mean squared error of a two-layer neural network, as a function of its parameters:
the first seed's "cost function of a neural network".

8 inputs, H tanh hidden units, 1 output: theta holds W1 (8xH), b1 (H), w2 (H) and b2,
10H + 1 parameters. POINT has H = 200: 2,001 parameters; start(n) makes the network with
about n. The data (64 samples) and the starting weights come from a fixed seed. The
gradient is what backpropagation, reverse-mode AD, computes.
"""

import numpy as np

from diffcompare.math import mean, tanh

INPUTS, SAMPLES = 8, 64
rng = np.random.default_rng(2026)
X = rng.normal(size=(SAMPLES, INPUTS))
Y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]


def start(n):
    hidden = max(1, round((n - 1) / (INPUTS + 2)))
    weights = np.random.default_rng(7).normal(scale=0.3, size=(INPUTS + 2) * hidden + 1)
    return {"theta": weights}


POINT = start(2001)


def f(theta):
    hidden = (len(theta) - 1) // (INPUTS + 2)
    W1 = theta[: INPUTS * hidden].reshape(INPUTS, hidden)
    b1 = theta[INPUTS * hidden: (INPUTS + 1) * hidden]
    w2 = theta[(INPUTS + 1) * hidden: (INPUTS + 2) * hidden]
    b2 = theta[-1]
    prediction = tanh(X @ W1 + b1) @ w2 + b2
    return mean((prediction - Y) ** 2)
