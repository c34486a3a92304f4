"""The keyword scan (关键词检索): every term of a set found in patent texts, one pass per batch of texts.

Terms and texts are *folded* the same way before they are compared: full-width ASCII forms and the
ideographic space become ASCII (``ＧＰＵ`` → ``GPU``), and ASCII letters lower case (``GPU`` → ``gpu``).
Folding maps one character to one character, so positions in a text survive it. The scan itself is an
Aho–Corasick automaton of all terms (:func:`term_automaton`) run over a batch of texts joined by NUL
(:func:`scan_texts`); the DuckDB runner (:func:`ipstats.engines.duck.find_terms`) and the Spark runner
(:meth:`ipstats.engines.spark.SparkRunner.find_terms`) both call it, so both engines find the same terms.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = ["ASCII_FORMS", "FULL_WIDTH", "TermScanner", "fold", "scan_texts", "term_automaton"]

#: Full-width ASCII forms and the ideographic space, and their ASCII equivalents (what NFKC does to them).
FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
ASCII_FORMS = "".join(chr(c) for c in range(0x21, 0x7F)) + " "

_FOLD = str.maketrans(FULL_WIDTH + "ABCDEFGHIJKLMNOPQRSTUVWXYZ", ASCII_FORMS.lower() + "abcdefghijklmnopqrstuvwxyz")


_FOLDABLE = re.compile("[A-Z\uff01-\uff5e\u3000]+")


def fold(text: str) -> str:
    """Fold full-width forms to ASCII and ASCII letters to lower case (one character to one character).

    Only the runs of characters that change are translated, which keeps long Chinese texts fast.
    """
    return _FOLDABLE.sub(lambda run: run.group().translate(_FOLD), text)


class TermScanner(NamedTuple):
    """An Aho–Corasick automaton of the distinct terms, the ``term_id`` of each pattern, and which patterns
    begin or end with an ASCII letter or digit (those match whole words only: ``ai`` is not in ``contain``)."""

    automaton: Any
    term_of: np.ndarray
    word_start: np.ndarray
    word_end: np.ndarray


def _is_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def term_automaton(terms: pd.DataFrame) -> TermScanner:
    """The :class:`TermScanner` of *terms* (``term_id``, folded ``term``)."""
    import ahocorasick_rs

    table = terms.drop_duplicates("term_id").sort_values("term_id")
    words = table["term"].tolist()
    return TermScanner(
        ahocorasick_rs.AhoCorasick(words),
        table["term_id"].to_numpy(),
        np.array([bool(w) and _is_word(w[0]) for w in words], dtype=bool),
        np.array([bool(w) and _is_word(w[-1]) for w in words], dtype=bool),
    )


def scan_texts(scanner: TermScanner, ids, text) -> tuple:
    """Every (patent_id, term_id) found in one batch of texts (Arrow arrays *ids* and *text*), as two Arrow
    arrays (``string``, ``int64``): compact, so the hits of a national register are not Python objects.

    One scan per batch: the folded texts joined by NUL (no term contains it); each match is mapped back
    to its text through the cumulative character offsets. A term beginning (ending) with an ASCII letter or
    digit counts only where the character before (after) it is not one: English and Latin terms match whole
    words, Chinese terms anywhere. Shared by the DuckDB and Spark scans.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.fill_null(text, "")
    ends = np.cumsum(pc.utf8_length(text).to_numpy(zero_copy_only=False) + 1)
    joined = fold("\x00".join(text.to_pylist()))
    matches = scanner.automaton.find_matches_as_indexes(joined, overlapping=True)
    none = (pa.array([], pa.string()), pa.array([], pa.int64()))
    if not matches:
        return none
    found = np.asarray(matches, dtype=np.int64)
    check = scanner.word_start[found[:, 0]] | scanner.word_end[found[:, 0]]
    if check.any():
        keep = np.ones(len(found), dtype=bool)
        for i in np.flatnonzero(check):
            pattern, start, end = found[i]
            if (scanner.word_start[pattern] and start > 0 and _is_word(joined[start - 1])) or (
                scanner.word_end[pattern] and end < len(joined) and _is_word(joined[end])
            ):
                keep[i] = False
        found = found[keep]
        if not len(found):
            return none
    term_of = scanner.term_of
    owner = np.searchsorted(ends, found[:, 1], side="right")
    pairs = pd.DataFrame({"row": owner, "term_id": term_of[found[:, 0]]}).drop_duplicates()
    found_ids = ids.take(pa.array(pairs["row"].to_numpy())).cast(pa.string())
    return found_ids, pa.array(pairs["term_id"].to_numpy(dtype=np.int64), pa.int64())
