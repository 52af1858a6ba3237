"""Spreadsheets (.xlsx, and Google Sheets' export): a titled table, laid out by openpyxl.

A generated sheet lists items with a contact, a city, an amount and a note, all from the
seed's vocabulary. An item's own text becomes a line a row, its tab-separated parts the cells.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zipfile import ZIP_DEFLATED, ZipFile

from .plan import Plan, prose, rows, slots, take, w3c, xml_text
from .zipped import Layout

TITLE, AUTHOR = "@@title@@", "@@author@@"
CREATED, MODIFIED = datetime(2001, 2, 3, 4, 5, 6), datetime(2002, 3, 4, 5, 6, 7)  # openpyxl takes naive UTC
DATES = (w3c(CREATED.isoformat()), w3c(MODIFIED.isoformat()))  # as the layout holds them; each file's replace them
MOST = 256  # generated rows at most, however large the size asked for (layouts go by shape)
COLUMNS = ("Item", "Contact", "City", "Amount", "Notes")
TEXT, NUMBER = "s", "n"
GENERATED = (TEXT, TEXT, TEXT, NUMBER, TEXT)
MAX_COLUMNS = 50


def _cell(row: int, column: int, kind: str) -> str | int:
    # openpyxl writes a number as digits: a nine-digit one stands out as a marker.
    return 900_000_000 + row * 64 + column if kind == NUMBER else f"@@r{row}c{column}@@"


@dataclass(frozen=True)
class Sheet:
    layout: Layout
    grid: list[list[str]]  # the marker of each data cell, by row and column


@lru_cache(maxsize=8)
def layout(rows: int, kinds: tuple[str, ...], header: bool) -> Sheet:
    from openpyxl import Workbook  # imported on first use, so start-up does not pay for it
    from openpyxl.writer.excel import ExcelWriter  # save_workbook would stamp the current time

    book = Workbook()
    props = book.properties
    props.title, props.creator, props.lastModifiedBy, props.created, props.modified = TITLE, AUTHOR, AUTHOR, CREATED, MODIFIED
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append([TITLE])
    if header:
        sheet.append(list(COLUMNS))
    for row in range(rows):
        sheet.append([_cell(row, column, kind) for column, kind in enumerate(kinds)])
    out = io.BytesIO()
    with ZipFile(out, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    grid = [[str(_cell(r, c, k)) for c, k in enumerate(kinds)] for r in range(rows)]
    markers = [TITLE, AUTHOR, *DATES] + [m for row in grid for m in row]
    return Sheet(Layout(out.getvalue(), markers), grid)


@lru_cache(maxsize=8)
def _xml_rows(seed: int) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(xml_text(v) for v in row) for row in rows(seed))


def write(plan: Plan) -> tuple[bytes, str]:
    if plan.text is None:
        # A full layout (a power of two rows): no empty rows below the table.
        table = take(plan, _xml_rows(plan.seed), slots(min(3 + plan.size // 150, MOST)))
        kinds, header = GENERATED, True
    else:
        lines = [[xml_text(v) for v in line.split("\t")[:MAX_COLUMNS]] for line in prose(plan, 0).paragraphs]
        width = max([len(line) for line in lines] + [1])
        table = [line + [""] * (width - len(line)) for line in lines]
        table += [[""] * width] * (slots(len(table)) - len(table))  # own text's cells are all text
        kinds, header = (TEXT,) * width, False
    sheet = layout(len(table), kinds, header)
    values = {TITLE: xml_text(prose(plan, 0).title), AUTHOR: xml_text(plan.author), DATES[0]: w3c(plan.created), DATES[1]: w3c(plan.modified)}
    for markers, row in zip(sheet.grid, table):
        values.update(zip(markers, row))
    return sheet.layout.fill(values)
