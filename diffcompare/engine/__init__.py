"""The numeric engine: tapes and their sweeps, dual numbers. Numbers only: never sympy, rich,
click or matplotlib."""
