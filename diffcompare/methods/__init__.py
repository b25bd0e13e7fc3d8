"""The methods, one module per family; importing this package fills the registry."""

from diffcompare.methods import (  # noqa: F401  (importing them fills the registry)
    automatic,
    compiled,
    finite_differences,
    given,
    manual,
    richardson,
    second_order,
    symbolic,
)
from diffcompare.methods.kinds import KINDS, Kind, kind_of
from diffcompare.methods.registry import (
    REGISTRY,
    Cost,
    Derivative,
    Method,
    Options,
    Prepared,
    describe,
    register,
)

# Tables show the families as the design lists them; within one, in registration order.
FAMILY_ORDER = ("manual rules", "symbolic", "finite differences", "automatic differentiation")
METHOD_NAMES: tuple[str, ...] = tuple(
    sorted(REGISTRY, key=lambda name: FAMILY_ORDER.index(REGISTRY[name].family)))

__all__ = ["FAMILY_ORDER", "KINDS", "METHOD_NAMES", "REGISTRY", "Cost", "Derivative", "Kind",
           "Method", "Options", "Prepared", "describe", "kind_of", "register"]
