"""`podium benefit list` on a narrow terminal: split, names wrapped, nothing cut short."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.cli._app import console

runner = CliRunner()
HEADERS = ["id", "benefit", "baseline", "target", "by", "latest", "on", "realized", "expected",
           "state"]  # fmt: skip


def _list(monkeypatch: pytest.MonkeyPatch, width: int) -> str:
    monkeypatch.setattr(console, "width", width)
    result = runner.invoke(app, ["benefit", "list", "CLOUD"])
    assert result.exit_code == 0, result.output
    return result.output


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("│")[1:-1]]


def _wide_rows(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """Each benefit as the one wide table shows it, by column."""
    out = _list(monkeypatch, 200)
    assert out.count("┃ id ┃ benefit") == 1
    rows = [_cells(line) for line in out.splitlines() if line.startswith("│")]
    assert rows and all(len(row) == len(HEADERS) for row in rows)
    return [dict(zip(HEADERS, row, strict=True)) for row in rows]


def _check_nothing_cut(out: str, rows: list[dict[str, str]], width: int) -> None:
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= width
    for row in rows:
        for header in ("baseline", "target", "by", "latest", "on", "realized", "expected"):
            cell = row[header]
            assert re.search(rf"│ +{re.escape(cell)} +│", out), (header, cell)  # on one line
    # in every table, a name is wrapped between its words, never cut
    names = [row["benefit"] for row in rows]
    for table in out.split("┃ id ┃ benefit")[1:]:
        assert _names(table) == names


def _names(table: str) -> list[str]:
    """The names in a table's second column, each one's lines joined."""
    names: list[list[str]] = []
    for line in table.splitlines():
        if line.startswith("│"):
            cells = _cells(line)
            if cells[0]:
                names.append([])
            names[-1].append(cells[1])
    return [" ".join(parts) for parts in names]


def test_at_80_columns_no_date_number_or_name_is_cut(
    demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _wide_rows(monkeypatch)
    assert [row["benefit"] for row in rows] == [
        "★ support tickets per month (tickets)",
        "hosting cost per month (k€)",
    ]
    out = _list(monkeypatch, 80)
    _check_nothing_cut(out, rows, 80)
    # the KPIs, then where they stand: two tables, each with the id and the name
    first, second = out.split("┃ id ┃ benefit")[1:]
    assert "┃ by " in first and "┃ state " in second
    for row in rows:
        assert row["by"] in first and row["on"] in second and row["state"] in second


def test_a_very_narrow_terminal_splits_again_and_still_cuts_nothing(
    demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _wide_rows(monkeypatch)
    out = _list(monkeypatch, 44)
    _check_nothing_cut(out, rows, 44)
    tables = out.split("┃ id ┃ benefit")[1:]
    assert len(tables) > 2
    for table in tables:
        assert "support" in table and "hosting" in table  # every table names its rows
