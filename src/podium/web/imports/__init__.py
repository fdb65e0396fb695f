"""The "Import a plan" pages: upload a file; for a CSV, choose its columns; see the result."""

from podium.web.imports.pages import router

__all__ = ["router"]
