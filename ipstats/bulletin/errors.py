"""The one exception type of :mod:`ipstats.bulletin`."""

from __future__ import annotations

from ipstats.errors import IpstatsError

__all__ = ["BulletinError"]


class BulletinError(IpstatsError):
    """A bulletin run failed for a reason the user can fix.

    The message is one line saying what went wrong, where, and what was expected; the
    command line prints it as ``ipstats bulletin: <message>`` without a traceback.
    """
