"""BEM's timestamp pair ``{timestamp: ISO-8601, timestampUNIX: seconds}``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

EPOCH_ISO = "1970-01-01T00:00:00.000Z"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """``2024-04-15T12:00:00.000Z`` (UTC, milliseconds), as JavaScript's ``toISOString``."""
    if moment.tzinfo is not dt.UTC:
        moment = moment.astimezone(dt.UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # drop "+00:00"


class Stamp(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    timestamp: str = EPOCH_ISO
    timestamp_unix: int = Field(default=0, alias="timestampUNIX")

    @classmethod
    def at(cls, moment: dt.datetime | int | float) -> Stamp:
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.fromtimestamp(moment, dt.UTC)
        return cls(timestamp=iso(moment), timestamp_unix=int(moment.timestamp()))

    @classmethod
    def now(cls) -> Stamp:
        return cls.at(utcnow())

    @property
    def is_set(self) -> bool:
        return self.timestamp_unix > 0

    def dump(self) -> dict:
        return {"timestamp": self.timestamp, "timestampUNIX": self.timestamp_unix}


def stamp_now() -> dict:
    return Stamp.now().dump()
