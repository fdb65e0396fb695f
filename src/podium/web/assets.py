"""Front-end libraries from npm, served from the repository's ``node_modules``.

Only the packages in :data:`PACKAGES` are served, and only files inside them.
Nothing is copied into the repository: ``make assets`` (``npm install``) puts
them in place. When they are missing the pages still render and say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from podium.config import REPO_ROOT
from podium.errors import NotFound

NODE_MODULES = REPO_ROOT / "node_modules"


@dataclass(frozen=True, slots=True)
class Package:
    """An npm package the pages load, and the file the layout includes."""

    name: str
    entry: str


PACKAGES: dict[str, Package] = {
    p.name: p
    for p in (
        Package(name="htmx.org", entry="dist/htmx.min.js"),
        Package(name="cytoscape", entry="dist/cytoscape.min.js"),
        Package(name="tom-select", entry="dist/js/tom-select.complete.min.js"),
        Package(name="echarts", entry="dist/echarts.common.min.js"),
    )
}

router = APIRouter(include_in_schema=False)


class Assets:
    """The allow-listed packages under one ``node_modules`` folder."""

    def __init__(self, node_modules: Path) -> None:
        self.node_modules = node_modules

    def folder(self, package: str) -> Path:
        return self.node_modules / package

    def missing(self) -> list[str]:
        """Allow-listed packages whose entry file is not installed."""
        return [p.name for p in PACKAGES.values() if not (self.folder(p.name) / p.entry).is_file()]

    def version(self, package: str) -> str:
        try:
            data = json.loads((self.folder(package) / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "0"
        return str(data.get("version", "0"))

    def url(self, package: str) -> str:
        """The URL of a package's entry file, versioned so browsers refetch after an upgrade."""
        p = PACKAGES[package]
        return f"/assets/{p.name}/{p.entry}?v={self.version(p.name)}"

    def file(self, package: str, path: str) -> Path:
        """The file to serve, or ``NotFound`` (unknown package, outside it, or not installed)."""
        if package not in PACKAGES:
            raise NotFound(f"{package} is not a package Podium serves")
        root = self.folder(package).resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise NotFound(f"{package}/{path} is not installed; run `make assets`")
        return target


@router.get("/assets/{package}/{path:path}", name="asset")
def asset(package: str, path: str, request: Request) -> FileResponse:
    """A file of an allow-listed npm package."""
    assets: Assets = request.app.state.assets
    return FileResponse(
        assets.file(package, path), headers={"Cache-Control": "public, max-age=86400"}
    )
