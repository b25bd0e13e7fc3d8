"""The sample programs as modules, for tests that call their functions directly."""

import importlib.util
from pathlib import Path

_PROGRAMS = Path(__file__).resolve().parent.parent / "sample_functions" / "programs"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"sample_{name}", _PROGRAMS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rosenbrock = _load("rosenbrock")
