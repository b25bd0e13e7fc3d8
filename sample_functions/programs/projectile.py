"""A projectile with quadratic air drag, stepped by explicit Euler (dt = 4 ms, about 1,000
steps) until it lands: the range as a function of the launch angle (radians) and the drag
coefficient. The loop runs until y < 0, and the landing point is interpolated between the
last two steps: d(range)/d(angle, drag) is that of the discrete scheme at this point (the
step at which it lands does not change nearby). The independent route is the same scheme
in mpmath at 40 digits, differenced (tests/test_samples.py)."""

import numpy as np

SPEED, GRAVITY, DT, MAX_STEPS = 30.0, 9.81, 4e-3, 5_000

POINT = {"angle": 0.7, "drag": 0.01}


def f(angle, drag):
    x, y = 0.0, 0.0
    vx, vy = SPEED * np.cos(angle), SPEED * np.sin(angle)
    for _ in range(MAX_STEPS):
        speed = np.sqrt(vx * vx + vy * vy)
        x_next, y_next = x + DT * vx, y + DT * vy
        vx, vy = vx - DT * drag * speed * vx, vy - DT * (GRAVITY + drag * speed * vy)
        if y_next < 0:  # landed in this step: where the segment crosses y = 0
            return x + (x_next - x) * y / (y - y_next)
        x, y = x_next, y_next
    return x
