"""Patent transfer and use (专利转化运用): transfers, licences, open licensing and pledges from the legal events.

* :mod:`ipstats.transfer.events` — read and check the legal events (``data_schemas/patent_legal_events.schema.yaml``),
  :func:`pledge_registrations` (the pledges, for the high-value-patent indicator), :func:`current_owners`;
* :mod:`ipstats.transfer.indicators` — the publication tables of a reference year;
* :mod:`ipstats.transfer.report` — everything the notebook shows, and the generated Chinese summary;
* :mod:`ipstats.transfer.demo` — synthetic events for the demo register.
"""

from ipstats.transfer.events import (
    EVENT_TYPES,
    LICENCE_TYPES,
    LegalEventsError,
    current_owners,
    pledge_registrations,
    read_legal_events,
)

__all__ = [
    "EVENT_TYPES",
    "LICENCE_TYPES",
    "LegalEventsError",
    "current_owners",
    "pledge_registrations",
    "read_legal_events",
]
