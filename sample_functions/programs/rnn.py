"""An Elman recurrent network unrolled in a Python loop over 12 time steps, in plain numpy:
h_t = tanh(W h_{t-1} + U x_t), the loss Σ_t (v·h_t - y_t)². Inputs W (3 × 3), U (3 × 2)
and v (3). grad_f is backpropagation through time, written out by hand.
"""

import numpy as np

rng = np.random.default_rng(3)
STEPS = 12
XS = rng.normal(size=(STEPS, 2))
YS = np.cos(np.arange(STEPS) / 3.0)

POINT = {"W": rng.normal(scale=0.4, size=(3, 3)), "U": rng.normal(scale=0.5, size=(3, 2)),
         "v": rng.normal(scale=0.5, size=3)}


def f(W, U, v):
    h = np.zeros(3)
    loss = 0.0
    for t in range(STEPS):
        h = np.tanh(W @ h + U @ XS[t])
        loss = loss + (v @ h - YS[t]) ** 2
    return loss


def grad_f(W, U, v):
    hs = [np.zeros(3)]
    for t in range(STEPS):
        hs.append(np.tanh(W @ hs[-1] + U @ XS[t]))
    gW, gU, gv = np.zeros((3, 3)), np.zeros((3, 2)), np.zeros(3)
    carried = np.zeros(3)  # d loss / d h_t from the later steps
    for t in reversed(range(STEPS)):
        h = hs[t + 1]
        error = 2 * (v @ h - YS[t])
        gv += error * h
        d_pre = (error * v + carried) * (1 - h ** 2)  # through tanh
        gW += np.outer(d_pre, hs[t])
        gU += np.outer(d_pre, XS[t])
        carried = W.T @ d_pre
    return [gW, gU, gv]
