"""Lazy package exports (PEP 562): a lesson's short imports without import-time side effects.

An area's ``__init__`` names its lesson API once, as ordinary imports inside an
``if TYPE_CHECKING:`` block (so mypy and editors see every name with its type), and ends with::

    __getattr__, __dir__, __all__ = lazy_exports(__name__)

Nothing in the block runs at import. The first time a lesson reads a name,
``__getattr__`` imports the one module that defines it and caches the value in the package.
So ``import course_lib.kafka`` starts no broker, patches no client and loads no kafka-python:
a pure model such as ``course_lib.kafka.models.replication`` imports on a machine without them.
The block is also the single table of what a package exports (``tests/test_library_layout.py``
resolves every entry).
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def export_table(path: Path) -> dict[str, tuple[str, str]]:
    """``{exported name: (module, attribute)}`` read from a file's ``if TYPE_CHECKING:`` block."""
    table: dict[str, tuple[str, str]] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        table[alias.asname or alias.name] = (statement.module, alias.name)
    return table


def lazy_exports(package: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package`` from its ``TYPE_CHECKING`` block."""
    module = sys.modules[package]
    table = export_table(Path(str(module.__file__)))

    def __getattr__(name: str) -> Any:
        try:
            source, attribute = table[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        target = importlib.import_module(source)
        try:
            value = getattr(target, attribute)
        except AttributeError:  # a submodule not yet imported: ``from pkg import module``
            value = importlib.import_module(f"{source}.{attribute}")
        setattr(module, name, value)  # later reads are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(table))

    return __getattr__, __dir__, sorted(table)
