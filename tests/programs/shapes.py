"""Arrays of several shapes meeting with broadcasting: a matrix input, a vector added along
rows, a scalar scaling it all, indexing, slicing, a transpose and reductions."""

import numpy as np

from diffcompare.math import exp, max, mean, sin, sum, tanh

POINT = {"W": np.array([[0.3, -0.2, 0.5, 0.1], [0.4, 0.2, -0.6, 0.7], [-0.1, 0.8, 0.2, -0.3]]),
         "b": np.array([0.05, -0.1, 0.2]), "c": 1.5}


def f(W, b, c):
    z = tanh(W.T @ b) * c  # (4,)
    rows = sin(W + b.reshape(3, 1) * c)  # (3, 4) + (3, 1) broadcast
    return sum(rows * z) + mean(exp(W[1, :] - W[:, 2].sum())) + max(W[0]) * c + W[2, 1:3].sum()
