"""A 2-layer perceptron's squared-error loss with tanh, in plain numpy: inputs W1 (5 × 3),
b1 (5), w2 (5) and b2, on 16 samples of a smooth target. grad_f is backpropagation written
out by hand, as a course derives it.
"""

import numpy as np

rng = np.random.default_rng(5)
X = rng.uniform(-1, 1, size=(16, 3))
Y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]

POINT = {"W1": rng.normal(scale=0.6, size=(5, 3)), "b1": rng.normal(scale=0.1, size=5),
         "w2": rng.normal(scale=0.6, size=5), "b2": 0.1}


def f(W1, b1, w2, b2):
    hidden = np.tanh(X @ W1.T + b1)
    prediction = hidden @ w2 + b2
    return np.mean((prediction - Y) ** 2)


def grad_f(W1, b1, w2, b2):
    hidden = np.tanh(X @ W1.T + b1)
    error = 2 * (hidden @ w2 + b2 - Y) / len(X)  # d loss / d prediction
    d_hidden = np.outer(error, w2) * (1 - hidden ** 2)  # through tanh
    return [d_hidden.T @ X, d_hidden.sum(axis=0), hidden.T @ error, error.sum()]
