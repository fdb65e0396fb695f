"""Every relative link and image in README.md and docs/*.md reaches something.

A link names a file of the repository (and, with ``#anchor``, a heading of that
Markdown file, as GitHub spells its anchors); an image names a file that exists.
Links inside code (fenced blocks and inline spans) are examples, not links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])

FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+\1")
# [text](target) and ![alt](target), the target without spaces, an optional "title"
LINK = re.compile(r"(!?)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks, with their numbers."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation
    dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link reads as its text
    text = text.replace("`", "").replace("*", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file (a repeated heading gets -1, -2 …)."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        slug = _slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def references(path: Path) -> Iterator[tuple[int, bool, str]]:
    """(line, is an image, target) of each relative link and image of a file."""
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        prose = INLINE_CODE.sub("", line)
        for match in LINK.finditer(prose):
            yield number, match.group(1) == "!", match.group(2)
        for match in HTML_IMAGE.finditer(prose):
            yield number, True, match.group(1)


def broken(path: Path) -> list[str]:
    """What is wrong with each relative link or image of a file, as 'file:line: …'."""
    problems = []
    for number, image, target in references(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http:, https:, mailto: … are not checked here
        where = f"{path.relative_to(REPO)}:{number}: {target}"
        file_part, _, anchor = target.partition("#")
        goal = (path.parent / file_part).resolve() if file_part else path
        if not goal.exists():
            problems.append(f"{where}: no such {'image' if image else 'file'}")
        elif anchor and goal.suffix == ".md" and anchor not in anchors(goal):
            problems.append(f"{where}: no heading #{anchor} in {goal.relative_to(REPO)}")
    return problems


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_relative_links_and_images_resolve(path: Path) -> None:
    assert broken(path) == []


def test_the_docs_are_found() -> None:
    names = {path.name for path in DOCS}
    assert {"README.md", "api.md", "operators.md", "user-guide.md", "web-guide.md"} <= names


def test_the_checker_sees_what_is_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    (tmp_path / "shot.png").write_bytes(b"")
    (tmp_path / "other.md").write_text(
        "# Other\n\n## The `podium` command: usage\n\n## Usage\n\n## Usage\n"
    )
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# Doc\n\n"
        "[fine](other.md) [fine](other.md#the-podium-command-usage) [fine](other.md#usage-1)\n"
        "[fine](#doc) ![fine](shot.png) [web](https://example.com/nowhere.md)\n"
        "`[in code](gone.md)`\n"
        "```\n[in a block](gone.md)\n```\n"
        "[gone](gone.md) [bad anchor](other.md#nowhere) ![gone](missing.png)\n"
        '<img src="absent.png"> [self](#nowhere)\n'
    )
    assert broken(doc) == [
        "doc.md:9: gone.md: no such file",
        "doc.md:9: other.md#nowhere: no heading #nowhere in other.md",
        "doc.md:9: missing.png: no such image",
        "doc.md:10: #nowhere: no heading #nowhere in doc.md",
        "doc.md:10: absent.png: no such image",
    ]
