"""The text of a plan file in words: what Python's JSON reader says, and the half
characters (an escaped ``\\ud83d`` without its other half) that no database stores and
the schema's JSON reader refuses for the whole file, found where they are."""

from __future__ import annotations

import re
from typing import Any

_JSON_WORDS = {  # what Python's JSON reader says, in words
    "Expecting value": "a value (a text, number, object, list, true, false or null) was expected",
    "Expecting property name enclosed in double quotes": (
        "a field name in double quotes was expected (a comma after the last field?)"
    ),
    "Expecting ':' delimiter": "a colon (:) was expected after the field name",
    "Expecting ',' delimiter": "a comma (,) was expected between two values",
    "Unterminated string starting at": 'a text is not closed by a double quote (")',
    "Invalid control character at": (
        "a text holds a line break or another control character (write a line break as \\n)"
    ),
    "Invalid \\escape": "a backslash starts no escape JSON knows (write one backslash as \\\\)",
    "Invalid \\uXXXX escape": "a \\u escape is not followed by four hexadecimal digits",
    "Extra data": "more text follows the end of the plan's object",
}


def json_words(message: str) -> str:
    """The JSON reader's message in words (as it is, lower-cased, when it is another)."""
    return _JSON_WORDS.get(message, message[:1].lower() + message[1:])


def _texts(node: Any, where: str = "") -> list[tuple[str, str]]:
    """Every text of a raw plan (keys included) with its location."""
    if isinstance(node, str):
        return [(where, node)]
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            spot = f"{where}.{key}" if where else str(key)
            found += [(spot, key), *_texts(value, spot)]
        return found
    if isinstance(node, list):
        return [t for i, value in enumerate(node) for t in _texts(value, f"{where}[{i}]")]
    return []


_SURROGATE = re.compile("[\ud800-\udfff]")
# in the JSON text: a first half not followed by a second, or a second not after a first
_ESCAPED_HALF = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]"
)


def surrogate_problems(raw: Any) -> list[dict[str, str]]:
    """Every text of a raw plan holding half of a character (a ``\\ud83d`` escape
    without its other half), where it is: no database stores it."""
    return [
        {
            "location": where,
            "message": "holds an escape (\\uD800–\\uDFFF) that is half of a character "
            "without its other half",
        }
        for where, text in _texts(raw)
        if _SURROGATE.search(text)
    ]


def without_surrogates(node: Any) -> Any:
    """A raw plan with each half character replaced (its problem is listed already)."""
    if isinstance(node, str):
        return _SURROGATE.sub("\ufffd", node)
    if isinstance(node, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [without_surrogates(v) for v in node]
    return node


def escaped_half(text: str) -> bool:
    """Whether the JSON ``text`` escapes half of a character without its other half (a
    quick look: :func:`surrogate_problems` says where)."""
    return _ESCAPED_HALF.search(text) is not None
