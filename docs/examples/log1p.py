"""numpy's log1p has no rule in the ops table: refused with its line, not run."""
import numpy as np


def f(x):
    return np.sum(np.log1p(x) * x)
