"""A package's names imported on their first use, by the package's ``__getattr__``
(PEP 562): what every command's start imports need not import what few commands use."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Collection, Sequence


def imported_on_use(
    package: str, public: Collection[str], modules: Sequence[str]
) -> Callable[[str], object]:
    """The ``__getattr__`` of ``package``: a ``public`` name it has not imported is taken
    from the first of its ``modules`` (``".export"``) that defines it, imported then, and
    kept in the package for the next use; any other name is an ``AttributeError``."""

    def __getattr__(name: str) -> object:
        if name in public:
            for module in modules:
                found = importlib.import_module(module, package)
                if hasattr(found, name):
                    value = getattr(found, name)
                    setattr(sys.modules[package], name, value)
                    return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
