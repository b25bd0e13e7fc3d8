"""A function f: R^n -> R^m to differentiate — a formula or a Python program — with its named
inputs and its point, and the one way in that loads either for the CLI, the web and the library."""
