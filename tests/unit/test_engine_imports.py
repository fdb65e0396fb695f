"""The engine is pure computation: it imports only the standard library, NumPy and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import podium.engine

ENGINE = Path(podium.engine.__file__).parent


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_engine_modules_import_only_the_standard_library_numpy_and_the_engine() -> None:
    offenders = {}
    for path in sorted(ENGINE.glob("*.py")):
        bad = {
            name
            for name in _imported(path)
            if name.split(".")[0] not in sys.stdlib_module_names
            and name.split(".")[0] != "numpy"
            and not name.startswith("podium.engine")
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
