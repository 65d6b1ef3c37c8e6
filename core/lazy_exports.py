"""An area package's public names, imported when first used (PEP 562).

`tasks/<area>/__init__.py` lists what the area offers the rest of the house. Importing every module of an
area eagerly would make `dudao calendar add` pay for matplotlib and WeasyPrint, and would tie the areas'
import order together; so a name is looked up in its module only when someone asks for it.
"""

import importlib
from collections.abc import Callable


def lazy_exports(package: str, modules: dict[str, list[str]]) -> tuple[Callable, Callable, list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for `package`, from {module: [public names]}."""
    owner = {name: f"{package}.{module}" for module, names in modules.items() for name in names}

    def __getattr__(name: str):
        if name not in owner:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(owner[name]), name)

    def __dir__() -> list[str]:
        return sorted(owner)

    return __getattr__, __dir__, sorted(owner)
