"""The logistic-regression loss (mean cross-entropy) of weights w on a small data set.

The data are made here from a fixed seed: 40 samples of 3 features and their labels.
"""

import numpy as np

from diffcompare.math import exp, log, mean

rng = np.random.default_rng(7)
X = rng.normal(size=(40, 3))
y = (X @ np.array([1.5, -2.0, 0.5]) + 0.3 * rng.normal(size=40) > 0).astype(float)

POINT = {"w": np.array([0.1, -0.2, 0.3])}


def f(w):
    z = X @ w
    # log(1 + exp(-z)) for label 1 and log(1 + exp(z)) for label 0, as one expression
    return mean(log(1 + exp(-z)) * y + log(1 + exp(z)) * (1 - y))


def grad_f(w):
    p = 1 / (1 + np.exp(-(X @ w)))
    return X.T @ (p - y) / len(y)
