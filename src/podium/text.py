"""What Podium takes as text, the same through the API, the web forms, the CLI and imports.

NUL cannot be stored by PostgreSQL (so it is refused on every database alike); other
control characters (an escape, a bell …) would reach terminals and files as commands,
not text. Tab and line breaks are text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL is said apart


def control_problem(value: str) -> str | None:
    """Why ``value`` is no text Podium takes (``None``: it is)."""
    if "\x00" in value:
        return "contains a NUL character"
    if found := CONTROL.search(value):
        code = f"\\x{ord(found[0]):02x}"
        return f"contains a control character ({code}): only tabs and line breaks are text"
    return None


def listed(words: Sequence[str]) -> str:
    """Words as a sentence lists them: ``A``, ``A and B``, ``A, B and C`` (empty: "")."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
