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

from .plan import Plan, prose, sentences, slots, w3c, xml_text
from .zipped import Layout

TITLE, AUTHOR = "@@title@@", "@@author@@"
CREATED, MODIFIED = datetime(2001, 2, 3, 4, 5, 6), datetime(2002, 3, 4, 5, 6, 7)  # openpyxl takes naive UTC
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
    markers = [TITLE, AUTHOR, w3c(CREATED.isoformat()), w3c(MODIFIED.isoformat())] + [m for row in grid for m in row]
    return Sheet(Layout(out.getvalue(), markers), grid)


def _generated(plan: Plan) -> list[list[str]]:
    draws, notes = plan.draws(), sentences(plan)
    out = []
    for _ in range(slots(3 + plan.size // 150)):  # a full layout: no empty rows below the table
        contact = f"{draws.pick('first_names')} {draws.pick('last_names')}"
        amount = f"{draws.below(10_000_000) / 100:.2f}"
        out.append([draws.pick("words"), contact, draws.pick("cities"), amount, next(notes)])
    return out


def write(plan: Plan) -> tuple[bytes, str]:
    if plan.text is None:
        rows, kinds, header = _generated(plan), GENERATED, True
    else:
        rows = [line.split("\t")[:MAX_COLUMNS] for line in prose(plan, 0).paragraphs]
        kinds, header = (TEXT,) * max([len(r) for r in rows] + [1]), False
    sheet = layout(slots(len(rows)), kinds, header)
    values = {TITLE: xml_text(prose(plan, 0).title), AUTHOR: xml_text(plan.author)}
    values[w3c(CREATED.isoformat())] = w3c(plan.created)
    values[w3c(MODIFIED.isoformat())] = w3c(plan.modified)
    blank = [""] * len(kinds)  # only own text leaves rows empty, and its cells are all text
    for markers, row in zip(sheet.grid, rows + [blank] * (len(sheet.grid) - len(rows))):
        values.update(zip(markers, [xml_text(v) for v in row + blank[len(row):]]))
    return sheet.layout.fill(values)
