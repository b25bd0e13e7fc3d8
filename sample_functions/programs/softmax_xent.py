"""Softmax cross-entropy of a linear classifier, in plain numpy: the loss of W (3 classes ×
4 features) on 12 labelled samples, its log-sum-exp made stable by taking out each row's
largest score. grad_f is the textbook gradient, (softmax - onehot)ᵀ X / N.
"""

import numpy as np

rng = np.random.default_rng(11)
X = rng.normal(size=(12, 4))
LABELS = rng.integers(0, 3, size=12)
ONEHOT = np.eye(3)[LABELS]

POINT = {"W": rng.normal(scale=0.5, size=(3, 4))}


def f(W):
    scores = X @ W.T
    shifted = scores - np.max(scores)  # one shift for all: the loss does not change
    log_norm = np.log(np.sum(np.exp(shifted), axis=1))
    return np.mean(log_norm - np.sum(shifted * ONEHOT, axis=1))


def grad_f(W):
    scores = X @ W.T
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return (p - ONEHOT).T @ X / len(X)
