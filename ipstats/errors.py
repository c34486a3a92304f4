"""The errors a user can cause, and their common base.

Every error ipstats raises because of an input, a parameter or a folder the user chose derives from
:class:`IpstatsError`; its message is one line saying what went wrong, where (file, row, field, value) and
what was expected. The command line prints that line (``ipstats <command>: <message>``) without a
traceback; any other exception is a bug in ipstats and is reported with its type. Errors that used to be
plain ``ValueError`` subclasses still are, so existing ``except ValueError`` code keeps working.
"""

from __future__ import annotations

__all__ = ["InputError", "IpstatsError", "ParameterError"]


class IpstatsError(Exception):
    """Base of every error a user can cause and fix (bad input, parameter, rule table or output folder)."""


class InputError(IpstatsError, ValueError):
    """An input file or table that cannot be used; the message is one line for people."""


class ParameterError(IpstatsError, ValueError):
    """A parameter (in a parameter file, on the command line or in a call) outside what it accepts."""
