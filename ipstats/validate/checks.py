"""Checks of one field's cells against its schema field: type, constraints and format (vectorised).

A check returns :class:`Finding` objects: a mask of the bad rows and what was expected there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipstats.validate.formats import DATE_FORMS, FORMATS, parse_dates
from ipstats.validate.schema import Field

__all__ = [
    "CONTROL_CHARACTERS",
    "Finding",
    "check_field",
    "compare_rows",
    "control_characters",
    "describe_enum",
    "is_code",
    "normalise_cells",
    "parse_field",
]

_INTEGER = r"^[+-]?[0-9]+$"
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|nan|NaN|INF)"
#: Characters refused in every cell: NUL and the C0 controls other than tab and line breaks, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FOREIGN_DIGIT = re.compile(r"(?![0-9])\d")
_TYPE_EXPECTED = {
    "integer": "a whole number",
    "number": "a number",
    "date": f"a date ({DATE_FORMS})",
    "datetime": "a date and time such as 2023-05-01 08:30:00",
    "year": "a year such as 2023",
    "yearmonth": "a year and month such as 2023-05",
    "time": "a time such as 08:30:00",
}


@dataclass
class Finding:
    """Rows of a chunk that fail one check: a boolean mask and the expectation (text or one per row)."""

    mask: np.ndarray
    expected: str | np.ndarray


def describe_enum(values: list) -> str:
    """'one of a, b, c' — long lists shortened to their first and last values with the count."""
    shown = [str(v) if str(v) != "" else "(empty)" for v in values]
    if len(shown) > 8:
        return f"one of {', '.join(shown[:4])}, …, {shown[-1]} ({len(shown)} values listed in the schema)"
    return "one of " + ", ".join(shown)


def suggest_code(fld: Field, value: str) -> str | None:
    """``江苏省 is 32`` when *value* begins with exactly one name the field reads as a code (the longest), else None."""
    starts = sorted((n for n in fld.names if len(n) >= 2 and value.startswith(n)), key=len, reverse=True)
    if not starts:
        return None
    longest = [n for n in starts if len(n) == len(starts[0])]
    codes = {fld.names[n] for n in starts}
    if len(longest) != 1 or len(codes) != 1:
        return None
    return f"{longest[0]} is {fld.names[longest[0]]}"


def is_code(fld: Field) -> bool:
    """Whether a field holds codes, numbers or dates rather than free text: any type but ``string``/``any``, or a
    string with a code list, a pattern or a format. Such cells are stripped and NFKC-normalised (``１４`` → ``14``)."""
    if fld.type not in ("string", "any"):
        return True
    return fld.format != "default" or bool({"enum", "pattern"} & set(fld.constraints))


def _codepoints(cells: pd.Series, bad: np.ndarray, pattern: re.Pattern, what: str) -> np.ndarray:
    """'{what} (found U+XXXX)' for the *bad* cells (the first character matching *pattern*), None elsewhere."""
    out = np.full(len(cells), None, dtype=object)
    out[bad] = [f"{what} (found U+{ord(pattern.search(c).group()):04X})" for c in cells.to_numpy(dtype=object)[bad]]
    return out


def control_characters(text: pd.Series) -> Finding:
    """Cells holding a control character (NUL, C0 other than tab/line breaks, DEL): refused in every column."""
    codes, distinct = pd.factorize(text.to_numpy(dtype=object))
    cells = pd.Series(distinct, dtype=object)
    bad = cells.str.contains(CONTROL_CHARACTERS).to_numpy(dtype=bool)
    expected = _codepoints(cells, bad, CONTROL_CHARACTERS, "text without control characters")
    return Finding(bad[codes], expected[codes])


def normalise_cells(fld: Field, text: pd.Series) -> tuple[pd.Series, np.ndarray, list[Finding]]:
    """The cells as they are read: codes stripped and NFKC-normalised, control characters removed.

    Returns
    -------
    cells : pandas.Series
        Normalised text (same index as *text*).
    changed : numpy.ndarray of bool
        Code cells that normalisation changed (reported as a note, never silently).
    refused : list of Finding
        Cells with a control character (any field), and code cells holding digits other than 0–9 after
        NFKC (Arabic-Indic ``١٤``…).
    """
    codes, distinct = pd.factorize(text.to_numpy(dtype=object))
    raw = pd.Series(distinct, dtype=object)
    control = raw.str.contains(CONTROL_CHARACTERS).to_numpy(dtype=bool)
    refused = []
    cells = raw
    if control.any():
        refused.append(
            Finding(
                control[codes], _codepoints(raw, control, CONTROL_CHARACTERS, "text without control characters")[codes]
            )
        )
        cells = raw.str.replace(CONTROL_CHARACTERS, "", regex=True)
    changed = np.zeros(len(text), dtype=bool)
    if is_code(fld):
        ascii_only = cells.str.isascii().to_numpy(dtype=bool)
        if not ascii_only.all():
            cells = cells.where(ascii_only, cells.str.normalize("NFKC"))
        cells = cells.str.strip()
        foreign = cells.str.contains(_FOREIGN_DIGIT).to_numpy(dtype=bool) if not ascii_only.all() else None
        if foreign is not None and foreign.any():
            refused.append(
                Finding(foreign[codes], _codepoints(cells, foreign, _FOREIGN_DIGIT, "the digits 0–9")[codes])
            )
        if fld.value_names:  # 江苏省 → 32, 发明专利 → 发明 (said in the report's notes)
            cells = cells.map(lambda cell, names=fld.names: names.get(cell, cell))
        changed = ((cells.to_numpy(dtype=object) != np.asarray(distinct, dtype=object)) & ~control)[codes]
    if cells is raw:
        return text, changed, refused
    return pd.Series(cells.to_numpy(dtype=object)[codes], index=text.index, dtype=object), changed, refused


def parse_field(fld: Field, text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Cast the cells *text* to the field's type.

    Returns
    -------
    parsed : pandas.Series
        Numbers as float, dates as datetime64, text unchanged; NaN/NaT where not castable.
    ok : numpy.ndarray of bool
        Whether each cell has the field's type.
    """
    kind = fld.type
    stripped = text.astype(object).str.strip()
    if kind == "integer":
        ok = stripped.str.fullmatch(_INTEGER).fillna(False).to_numpy(dtype=bool)
        return pd.to_numeric(stripped.where(ok), errors="coerce"), ok
    if kind == "number":
        if fld.group_char:  # thousands separators (frictionless groupChar)
            stripped = stripped.str.replace(fld.group_char, "", regex=False)
        parsed = pd.to_numeric(stripped.where(stripped.str.fullmatch(_NUMBER).fillna(False)), errors="coerce")
        return parsed, parsed.notna().to_numpy()
    if kind == "date":
        parsed = parse_dates(stripped)
        return parsed, parsed.notna().to_numpy()
    if kind == "datetime":
        parsed = pd.to_datetime(stripped, errors="coerce", format="ISO8601")
        return parsed, parsed.notna().to_numpy()
    if kind == "year":
        ok = stripped.str.fullmatch(r"^[0-9]{4}$").fillna(False).to_numpy(dtype=bool)
        return pd.to_numeric(stripped.where(ok), errors="coerce"), ok
    if kind == "yearmonth":
        ok = stripped.str.fullmatch(r"^[0-9]{4}-(0[1-9]|1[0-2])$").fillna(False).to_numpy(dtype=bool)
        return stripped, ok
    if kind == "time":
        ok = stripped.str.fullmatch(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$").fillna(False).to_numpy(dtype=bool)
        return stripped, ok
    if kind == "boolean":
        ok = stripped.isin([*fld.true_values, *fld.false_values]).to_numpy()
        return stripped.isin(fld.true_values).where(ok), ok
    return text, np.ones(len(text), dtype=bool)  # string, any and types ipstats does not cast


def _bound(fld: Field, value) -> object:
    """A constraint bound in the field's parsed form."""
    if fld.type == "date":
        return pd.Timestamp(str(value))
    return float(value)


def _constraint_findings(fld: Field, text: pd.Series, parsed: pd.Series, good: np.ndarray) -> list[Finding]:
    c = fld.constraints
    findings = []
    if "enum" in c:
        allowed = c["enum"] or []
        if fld.type in ("integer", "number", "year"):
            inside = parsed.isin([float(v) for v in allowed]).to_numpy()
        else:
            inside = text.isin([str(v) for v in allowed]).to_numpy()
        bad = good & ~inside
        expected: str | np.ndarray = describe_enum(allowed)
        if fld.value_names and bad.any():  # '江苏省南京市' — …; 江苏省 is 32
            expected = np.full(len(text), expected, dtype=object)
            for i in np.flatnonzero(bad):
                hint = suggest_code(fld, str(text.iloc[i]))
                if hint:
                    expected[i] = f"{expected[i]}; {hint}"
        findings.append(Finding(bad, expected))
    for key, op, word in (
        ("minimum", np.less, "at least"),
        ("maximum", np.greater, "at most"),
        ("exclusiveMinimum", np.less_equal, "more than"),
        ("exclusiveMaximum", np.greater_equal, "less than"),
    ):
        if key in c and fld.type in ("integer", "number", "year", "date"):
            bound = _bound(fld, c[key])
            with np.errstate(invalid="ignore"):
                bad = good & op(parsed, bound).fillna(False).to_numpy(dtype=bool)
            findings.append(Finding(bad, f"{word} {c[key]}"))
    lengths = text.astype(object).str.len()
    if "minLength" in c:
        findings.append(
            Finding(good & (lengths < int(c["minLength"])).to_numpy(), f"at least {c['minLength']} characters")
        )
    if "maxLength" in c:
        findings.append(
            Finding(good & (lengths > int(c["maxLength"])).to_numpy(), f"at most {c['maxLength']} characters")
        )
    if "pattern" in c:
        pattern = str(c["pattern"])
        matched = text.astype(object).str.fullmatch(re.compile(f"(?:{pattern})")).fillna(False).to_numpy(dtype=bool)
        example = f", e.g. {fld.example}" if fld.example else ""
        findings.append(Finding(good & ~matched, f"text matching {pattern}{example}"))
    return findings


def _check_values(fld: Field, text: pd.Series, required: bool) -> tuple[list[Finding], pd.Series, list[str]]:
    """:func:`check_field` on distinct cells."""
    text = text.astype(object)
    missing = text.isin(fld.missing_values).to_numpy().copy()
    if "" in fld.missing_values:
        missing |= text.str.strip().eq("").to_numpy(dtype=bool)
    findings = []
    if fld.required or required:
        findings.append(Finding(missing, "a value (required)" if fld.required else "a value (primary key)"))
    present = ~missing
    parsed, ok = parse_field(fld, text)
    if fld.type == "boolean":
        kind = f"true or false ({', '.join(fld.true_values)} / {', '.join(fld.false_values)})"
    else:
        kind = _TYPE_EXPECTED.get(fld.type, f"a {fld.type}")
    findings.append(Finding(present & ~ok, kind))
    good = present & ok
    constrained = _constraint_findings(fld, text, parsed, good)
    findings += constrained
    clean = good & ~np.logical_or.reduce([f.mask for f in constrained]) if constrained else good
    notes = []
    if fld.format in FORMATS and clean.any():
        verdicts = np.full(len(text), None, dtype=object)
        checked = FORMATS[fld.format](text[clean])
        if checked is None:
            notes.append(f"{fld.name}: format {fld.format} not checked (its checker is not installed)")
        else:
            verdicts[clean] = checked
            bad = ~pd.isna(verdicts)
            findings.append(Finding(bad, verdicts))
    parsed = parsed.where(good) if fld.type not in ("string", "any") else text.where(good)
    return [f for f in findings if f.mask.any()], parsed, notes


def check_field(fld: Field, text: pd.Series, required: bool = False) -> tuple[list[Finding], pd.Series, list[str]]:
    """Check one column of a chunk against its field (each distinct cell is checked once).

    Parameters
    ----------
    fld : Field
    text : pandas.Series
        The cells as text.
    required : bool
        Treat the field as required even if its constraints do not say so (primary-key fields).

    Returns
    -------
    findings : list of Finding
    parsed : pandas.Series
        Cast values (NaN/NaT where missing or bad), for row checks.
    notes : list of str
        Checks that could not be made (e.g. a format whose checker is not installed).
    """
    codes, distinct = pd.factorize(text.to_numpy(dtype=object))
    findings, parsed, notes = _check_values(fld, pd.Series(distinct, dtype=object), required)
    rows = [Finding(f.mask[codes], f.expected if isinstance(f.expected, str) else f.expected[codes]) for f in findings]
    return rows, parsed.iloc[codes].reset_index(drop=True), notes


def compare_rows(check: dict, left: pd.Series, right: pd.Series | pd.Timestamp, right_text: pd.Series | str) -> Finding:
    """A ``rowChecks`` entry: rows where ``left op right`` fails (both values present)."""
    op = np.greater_equal if check["op"] == ">=" else np.less_equal
    both = left.notna().to_numpy() & (
        pd.notna(right) if np.isscalar(right) or isinstance(right, pd.Timestamp) else right.notna().to_numpy()
    )
    with np.errstate(invalid="ignore"):
        holds = op(left, right).fillna(False).to_numpy(dtype=bool)
    words = {"notBefore": "not before", "notAfter": "not after", "atLeast": "at least", "atMost": "at most"}
    prefix = f"{words[check['word']]} {check['other']}"
    if isinstance(right_text, str):
        expected: str | np.ndarray = f"{prefix} ({right_text})"
    else:
        expected = (prefix + " (" + right_text.astype(object).astype(str) + ")").to_numpy(dtype=object)
    return Finding(both & ~holds, expected)
