"""Coordinators' working hours and holidays, to tell a user when a person will answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(mon|tue|wed|thu|fri|sat|sun)(?:\s*-\s*(mon|tue|wed|thu|fri|sat|sun))?\s+"
    r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$",
    re.IGNORECASE,
)


class HoursError(ValueError):
    """The hours or holidays setting cannot be read."""


@dataclass(frozen=True)
class WorkingHours:
    """Opening times per weekday in one time zone, minus holidays."""

    timezone: ZoneInfo
    opening: dict[int, tuple[time, time]]
    holidays: frozenset[date]

    @classmethod
    def parse(cls, spec: str, holidays: str = "", timezone: str = "Europe/Paris") -> WorkingHours:
        """Read "mon-fri 09:00-18:00; sat 10:00-12:00" and "2026-12-25, 2027-01-01"."""
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise HoursError(f"unknown time zone {timezone!r}") from exc
        opening: dict[int, tuple[time, time]] = {}
        for part in filter(None, (p.strip() for p in spec.split(";"))):
            m = _SPEC.match(part)
            if not m:
                raise HoursError(f"cannot read hours {part!r} (expected like 'mon-fri 09:00-18:00')")
            first, last = DAYS.index(m[1].lower()), DAYS.index((m[2] or m[1]).lower())
            try:
                start, end = time(int(m[3]), int(m[4])), time(int(m[5]), int(m[6]))
            except ValueError as exc:
                raise HoursError(f"impossible time in {part!r}") from exc
            if end <= start:
                raise HoursError(f"closing time before opening time in {part!r}")
            for day in range(first, last + 1):
                opening[day] = (start, end)
        days = set()
        for item in filter(None, (h.strip() for h in holidays.split(","))):
            try:
                days.add(date.fromisoformat(item))
            except ValueError as exc:
                raise HoursError(f"cannot read holiday {item!r} (expected YYYY-MM-DD)") from exc
        return cls(zone, opening, frozenset(days))

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        hours = self.opening.get(local.weekday())
        return (
            local.date() not in self.holidays
            and hours is not None
            and hours[0] <= local.time().replace(tzinfo=None) < hours[1]
        )

    def next_opening(self, moment: datetime) -> datetime | None:
        """When coordinators are next at work (None when no hours are set at all)."""
        if not self.opening:
            return None
        local = moment.astimezone(self.timezone)
        for offset in range(0, 400):
            day = local.date() + timedelta(days=offset)
            hours = self.opening.get(day.weekday())
            if hours is None or day in self.holidays:
                continue
            start = datetime.combine(day, hours[0], self.timezone)
            if start > local:
                return start
        return None

    def when(self, moment: datetime, lang: str) -> str:
        """The next opening, worded for the reader: weekday and time in their language."""
        opening = self.next_opening(moment)
        if opening is None:
            return ""
        return str(format_datetime(opening, "EEEE HH:mm", tzinfo=self.timezone, locale=lang))
