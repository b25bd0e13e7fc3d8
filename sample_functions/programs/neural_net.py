"""The mean squared error of a two-layer neural network, as a function of its parameters:
the first seed's "cost function of a neural network".

8 inputs, 200 tanh hidden units, 1 output: theta holds W1 (8x200), b1 (200), w2 (200) and
b2, 2,001 parameters in all. The data (64 samples) and the starting weights come from a
fixed seed. The gradient is what backpropagation, reverse-mode AD, computes.
"""

import numpy as np

from diffcompare.math import mean, tanh

INPUTS, HIDDEN, SAMPLES = 8, 200, 64
rng = np.random.default_rng(2026)
X = rng.normal(size=(SAMPLES, INPUTS))
Y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]
SIZE = INPUTS * HIDDEN + HIDDEN + HIDDEN + 1

POINT = {"theta": rng.normal(scale=0.3, size=SIZE)}


def f(theta):
    W1 = theta[: INPUTS * HIDDEN].reshape(INPUTS, HIDDEN)
    b1 = theta[INPUTS * HIDDEN: INPUTS * HIDDEN + HIDDEN]
    w2 = theta[INPUTS * HIDDEN + HIDDEN: SIZE - 1]
    b2 = theta[SIZE - 1]
    hidden = tanh(X @ W1 + b1)
    prediction = hidden @ w2 + b2
    return mean((prediction - Y) ** 2)
