"""One concordance engine for every classification system that maps IPC symbols to categories.

Systems (``list_systems()``; ``ipstats systems``): WIPO technology fields, CNIPA strategic emerging
industries 2021, key digital technologies 2023, green technology (main table), "new three" 2024, the
WIPO IPC Green Inventory and the Fraunhofer ISI IPC→NACE weights; user tables in the same schema.
See :mod:`ipstats.concordance.patterns` for pattern semantics and :mod:`ipstats.concordance.engine`
for match labels, keyword strategies and weights.
"""

from ipstats.concordance.api import classify, classify_frame, links_from_frame, links_from_register
from ipstats.concordance.coverage import coverage
from ipstats.concordance.engine import KEYWORD_STRATEGIES, MATCH_LABELS, classify_links, classify_table
from ipstats.concordance.resolve import resolve_codes
from ipstats.concordance.system import System, RuleTableError, list_systems, load_system

__all__ = [
    "KEYWORD_STRATEGIES",
    "MATCH_LABELS",
    "System",
    "RuleTableError",
    "classify",
    "classify_frame",
    "classify_links",
    "classify_table",
    "coverage",
    "links_from_frame",
    "links_from_register",
    "list_systems",
    "load_system",
    "resolve_codes",
]
