"""Usage metering and rate limits (BEM's ``Manager.Usage``), race-free.

    usage.validate("requests")      # 429 unless one more use fits (403 without a limit)
    usage.increment("requests")
    usage.update()                  # one conditional write: re-read, re-check, write if unchanged

    usage.consume("requests")       # the three above in one conditional write

See docs/usage.md. Importing this package imports no Google library.
"""

from functions.usage.counters import ACTIVE_FIELD
from functions.usage.limits import check, days_in_month, flat_daily_cap, proportional_cap
from functions.usage.meter import IP_COLLECTION, Usage

__all__ = ["ACTIVE_FIELD", "IP_COLLECTION", "Usage", "check", "days_in_month", "flat_daily_cap", "proportional_cap"]
