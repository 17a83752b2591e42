"""Bounded input types for every route: ids, dates and times checked at the edge (a 422, not
an overflow deep in the database or in date arithmetic)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, Field

# Ids are INTEGER columns: 32-bit on PostgreSQL (SQLite's 64-bit overflowed past 2^63).
MAX_ID = 2**31 - 1
# Far from both ends of Python's date range, so that a time zone or a link's 15 minutes of
# grace never step outside it (year 9999 with a far zone overflowed).
MIN_YEAR, MAX_YEAR = 1900, 2999
OUT_OF_RANGE = f"Enter a date between the years {MIN_YEAR} and {MAX_YEAR}."

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def year_in_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def _date_in_range(value: date) -> date:
    if not year_in_range(value.year):
        raise ValueError(OUT_OF_RANGE)
    return value


def _datetime_in_range(value: datetime) -> datetime:
    # the year as written, before any conversion: converting year 9999 to UTC may overflow
    if not year_in_range(value.year):
        raise ValueError(OUT_OF_RANGE)
    return value


BoundedDate = Annotated[date, AfterValidator(_date_in_range)]
BoundedDatetime = Annotated[AwareDatetime, AfterValidator(_datetime_in_range)]
