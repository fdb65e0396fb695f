"""The layers import only downwards: engine < models < services < api/web/cli.

(engine's own purity — stdlib and NumPy only — is checked in test_engine_imports.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import podium

SRC = Path(podium.__file__).parent

# what each layer must never import
FORBIDDEN = {
    "web": ("podium.cli",),
    "models": ("podium.services", "podium.api", "podium.web", "podium.cli", "podium.engine"),
    "services": ("podium.api", "podium.web", "podium.cli", "fastapi", "starlette", "jinja2"),
    "interop": ("podium.api", "podium.web", "podium.cli", "podium.services", "fastapi"),
    "engine": ("podium.", "sqlalchemy", "fastapi", "jinja2", "pydantic"),
    "api": ("podium.web", "podium.cli"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_from_the_layers_above_it(layer: str) -> None:
    offenders = {}
    for path in sorted((SRC / layer).rglob("*.py")):
        bad = sorted(
            name
            for name in _imports(path)
            for prefix in FORBIDDEN[layer]
            if (name.startswith(prefix) and not name.startswith(f"podium.{layer}"))
        )
        if bad:
            offenders[str(path.relative_to(SRC))] = bad
    assert offenders == {}
