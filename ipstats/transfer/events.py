"""Read the patent legal events (专利转让、许可、质押登记数据) and check them against the register.

The input (``data_schemas/patent_legal_events.schema.yaml``, input key ``patent_legal_events``) holds one row
per event and patent: transfers (转让), recorded licences (许可: 独占, 排他, 普通, 开放许可), pledge registrations
(质押) and their releases (质押解除), with the parties on each side and the amount where recorded (万元).

:func:`read_legal_events` reads it through the validator (:func:`ipstats.validate.read_input`: everything
``ipstats validate FILE --schema patent_legal_events --reference patent_register=REGISTER`` checks, an unknown
application number and an event before the file's 申请日 included), then makes the checks that need the register
or several rows, in the validator's one-line form ``file:row: field: 'value' — expected …``:

* the 申请日 of each row equals the register's (so no event precedes the patent's filing);
* every row of one event (``event_id``) has the same type, date, parties and amount;
* a release (质押解除) comes on or after the pledge it ends, for a patent of that pledge.

:func:`pledge_registrations` returns the pledges as the high-value-patent indicator reads them.
:func:`current_owners` (a table of register rows) and :func:`owner_view` (a whole register in DuckDB) give each
patent's patentee (专利权人) on a date: the assignee of its last transfer then, else the first applicant at filing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from ipstats.errors import InputError

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_FIELDS",
    "EVENT_TYPES",
    "LICENCE_TYPES",
    "LegalEventsError",
    "SCHEMA",
    "current_owners",
    "last_transfers",
    "normalise_numbers",
    "owner_view",
    "pledge_registrations",
    "read_legal_events",
    "register_rows",
]

#: Schema name of the input (also its input key in a parameter file).
SCHEMA = "patent_legal_events"
#: Event types, in the order tables list them.
EVENT_TYPES = ("转让", "许可", "质押", "质押解除")
#: Licence types (许可种类); 开放许可 is a contract under an open-licence declaration (专利法第五十条).
LICENCE_TYPES = ("独占", "排他", "普通", "开放许可")
#: Columns of the input, in schema order.
EVENT_FIELDS = (
    "event_id",
    "application_number",
    "filing_date",
    "event_type",
    "licence_type",
    "event_date",
    "from_name",
    "from_type",
    "from_origin",
    "to_name",
    "to_type",
    "to_origin",
    "pledgee_type",
    "amount_10k_yuan",
    "related_event_id",
)
#: Columns that describe the event itself and must agree on every row (patent) of one event.
EVENT_COLUMNS = (
    "event_type",
    "licence_type",
    "event_date",
    "from_name",
    "from_type",
    "from_origin",
    "to_name",
    "to_type",
    "to_origin",
    "pledgee_type",
    "amount_10k_yuan",
    "related_event_id",
)
#: Register columns the transfer indicators use.
REGISTER_COLUMNS = (
    "application_number",
    "patent_type",
    "filing_date",
    "grant_date",
    "lapse_date",
    "legal_status",
    "applicant_name",
    "applicant_type",
    "province_code",
    "origin_code",
    "ipc",
    "title",
    "abstract",
)
MAX_SHOWN = 20


class LegalEventsError(InputError):
    """Legal events that do not agree with the register or with themselves; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:MAX_SHOWN]
        more = len(self.problems) - len(shown)
        super().__init__("\n".join(shown + ([f"… and {more} more problem(s)"] if more else [])))


def normalise_numbers(numbers: pd.Series) -> pd.Series:
    """Application numbers as the register writes them (``CN202310123456.7``) from any accepted spelling."""
    text = numbers.astype(object).where(numbers.notna(), "").astype(str).str.strip().str.upper()
    digits = text.str.replace(r"^(CN|ZL)\s*", "", regex=True).str.replace(".", "", regex=False)
    return ("CN" + digits.str[:-1] + "." + digits.str[-1]).where(digits.str.len() > 1, None)


def register_rows(register: str | Path, numbers, run=None, columns: Sequence[str] = REGISTER_COLUMNS) -> pd.DataFrame:
    """Register rows (those of *columns* it has, of :data:`REGISTER_COLUMNS` by default) of the given
    application numbers.

    Looked up on *run* (a DuckDB or Spark runner holding the ``register`` view, :func:`ipstats.engines.open_runner`)
    or, without one, in DuckDB: only the rows of *numbers* come back. Ask for the columns you use: at national
    scale the transferred patents are millions, and their titles and abstracts gigabytes.
    """
    from ipstats.engines import columns_of

    if run is None:
        from ipstats.engines import DuckRunner
        from ipstats.register.io import open_register

        con = open_register(register)
        try:
            return register_rows(register, numbers, DuckRunner(con), columns)
        finally:
            con.close()
    have = columns_of(run, "register")
    wanted = ", ".join(f"r.{c}" for c in columns if c in have)
    run.put("_ipstats_wanted", pd.DataFrame({"n": sorted(set(numbers))}, dtype=object))
    try:
        rows = run.df(
            f"SELECT {wanted} FROM register r JOIN _ipstats_wanted w ON r.application_number = w.n "
            f"ORDER BY r.application_number"
        )
    finally:
        run.drop("_ipstats_wanted")
    for col in ("filing_date", "grant_date", "lapse_date"):
        if col in rows.columns:
            rows[col] = pd.to_datetime(rows[col])
    if "origin_code" in columns and "province_code" in rows.columns:
        if "origin_code" not in rows.columns:  # a domestic register: the origin is the province
            rows["origin_code"] = rows["province_code"]
        rows["origin_code"] = rows["origin_code"].where(
            rows["origin_code"].notna() & rows["origin_code"].ne(""), rows["province_code"]
        )
    return rows


def _line(file: str, line: int, field: str, value, expected: str) -> str:
    from ipstats.validate.core import Problem

    shown = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value
    if isinstance(shown, pd.Timestamp):
        shown = f"{shown:%Y-%m-%d}"
    elif isinstance(shown, float):
        shown = f"{shown:g}"
    return Problem(int(line), field, str(shown), expected).format(file)


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality where two missing values are equal."""
    return ((a == b) | (a.isna() & b.isna())).fillna(False).to_numpy(dtype=bool)


def check_events(events: pd.DataFrame, registered: pd.DataFrame | None, lines: np.ndarray, file: str) -> list[str]:
    """Problems of a typed events table that the schema alone cannot see (see the module docstring).

    Parameters
    ----------
    events : pandas.DataFrame
        The table as :func:`ipstats.validate.read_input` returns it, application numbers normalised.
    registered : pandas.DataFrame, optional
        :func:`register_rows` of its patents; None skips the register checks.
    lines : numpy.ndarray
        The file row number of each row.
    file : str
        How the file is named in the messages.
    """
    problems: list[tuple[int, int, str]] = []
    order = {name: i for i, name in enumerate(EVENT_FIELDS)}

    def add(mask: np.ndarray, field: str, values: pd.Series, expected) -> None:
        for i in np.flatnonzero(mask):
            text = expected if isinstance(expected, str) else expected[i]
            problems.append((int(lines[i]), order[field], _line(file, lines[i], field, values.iloc[i], text)))

    if registered is not None:
        filing = events["application_number"].map(registered.set_index("application_number")["filing_date"])
        differs = filing.notna().to_numpy() & ~_same(pd.to_datetime(events["filing_date"]), filing)
        expected = (
            "equal to the register's filing_date ("
            + filing.dt.strftime("%Y-%m-%d").fillna("")
            + "; no event may precede the filing)"
        ).to_numpy(dtype=object)
        add(differs, "filing_date", events["filing_date"], expected)
    # each row's event as a code, and the position of each event's first row: the event columns of the first row
    # are taken by position (one factorisation, not a hash lookup of 2.7 M event ids per column at national scale)
    codes, uniques = pd.factorize(events["event_id"], sort=False)  # numbered in order of first appearance
    known = codes >= 0
    first_row = np.flatnonzero(known)[np.unique(codes[known], return_index=True)[1]]
    take = first_row[codes.clip(min=0)] if known.any() else np.zeros(len(codes), dtype=int)
    for col in EVENT_COLUMNS:
        ref = events[col].iloc[take].set_axis(events.index).where(known)
        bad = ~_same(events[col], ref)
        if bad.any():
            first_line = events["event_id"].map(pd.Series(lines, index=events.index).groupby(events["event_id"]).min())
            shown = ref.map(
                lambda v: (
                    f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else f"{v:g}" if isinstance(v, float) else str(v)
                )
            )
            expected = (
                f"the same {col} on every row of one event (event "
                + events["event_id"].astype(str)
                + " has "
                + shown
                + " in row "
                + first_line.astype(str)
                + ")"
            ).to_numpy(dtype=object)
            add(bad, col, events[col], expected)
    released = events["event_type"].eq("质押解除").to_numpy()
    if released.any():
        pledges = events[events["event_type"] == "质押"]
        start = pledges.groupby("event_id")["event_date"].min()
        related = events["related_event_id"]
        at = pd.Index(uniques).get_indexer(related)  # the related event's code, -1 when it is no event
        rows = first_row[at.clip(min=0)] if len(first_row) else np.zeros(len(at), dtype=int)
        kind = events["event_type"].iloc[rows].set_axis(events.index).where(at >= 0)
        not_pledge = released & related.notna().to_numpy() & kind.notna().to_numpy() & kind.ne("质押").to_numpy()
        add(
            not_pledge,
            "related_event_id",
            related,
            ("the event_id of a pledge (质押); it is a " + kind.astype(str)).to_numpy(dtype=object),
        )
        began = related.map(start)
        early = released & began.notna().to_numpy() & (events["event_date"] < began).fillna(False).to_numpy()
        add(
            early,
            "event_date",
            events["event_date"],
            (
                "not before the pledge it releases ("
                + related.astype(str)
                + " registered "
                + began.dt.strftime("%Y-%m-%d").fillna("")
                + ")"
            ).to_numpy(dtype=object),
        )
        pairs = set(zip(pledges["event_id"], pledges["application_number"]))
        outside = (
            released
            & kind.eq("质押").to_numpy()
            & ~np.array([(r, a) in pairs for r, a in zip(related, events["application_number"])], dtype=bool)
        )
        add(
            outside,
            "application_number",
            events["application_number"],
            ("a patent of the pledge it releases (" + related.astype(str) + ")").to_numpy(dtype=object),
        )
    return [text for _, _, text in sorted(problems)]


def read_legal_events(path: str | Path, register: str | Path | None = None) -> pd.DataFrame:
    """Read and check the legal events; return them typed, one row per event and patent.

    Parameters
    ----------
    path : path
        CSV (UTF-8, BOM, GBK, GB18030), Excel or Parquet in ``data_schemas/patent_legal_events.schema.yaml``.
    register : path, optional
        The patent register: every application number must be in it, with the same 申请日.

    Returns
    -------
    pandas.DataFrame
        :data:`EVENT_FIELDS`; dates as datetime64, ``amount_10k_yuan`` float (NaN when not recorded),
        application numbers as ``CN…``; sorted by event date, event and application number.

    Raises
    ------
    LegalEventsError
        The file is missing or does not validate (the validator's lines), or disagrees with the register or with
        itself (one line per problem, all collected).
    """
    from ipstats.validate import InputError
    from ipstats.validate.typed import read_lines, read_typed

    path = Path(path)
    if not path.exists():
        raise LegalEventsError([f"{path}: legal events file not found"])
    references = {"patent_register": str(register)} if register is not None else None
    try:
        # validated once per content (the typed cache): the survey and transfer pages both read the events
        events = read_typed(path, SCHEMA, references=references, label=str(path))
    except InputError as exc:
        raise LegalEventsError(exc.report.lines() or [str(exc)]) from None
    events = events[list(EVENT_FIELDS)].copy()
    events["application_number"] = normalise_numbers(events["application_number"])
    for col in ("filing_date", "event_date"):
        events[col] = pd.to_datetime(events[col])
    events["amount_10k_yuan"] = events["amount_10k_yuan"].astype(float)
    registered = (
        register_rows(register, events["application_number"], columns=("application_number", "filing_date"))
        if register is not None
        else None
    )
    # the file's line numbers are needed only to name the lines of problems: checked first with row positions,
    # the file is read again for its line numbers only when something is wrong (30 s at 2.7 M events)
    if check_events(events, registered, np.arange(len(events)), str(path)):
        lines = read_lines(path, SCHEMA)  # the line numbers only: the cells as text cost GBs at national scale
        raise LegalEventsError(check_events(events, registered, lines, str(path)))
    return events.sort_values(["event_date", "event_id", "application_number"], kind="stable").reset_index(drop=True)


def _events(events: pd.DataFrame | str | Path, register: str | Path | None = None) -> pd.DataFrame:
    return events if isinstance(events, pd.DataFrame) else read_legal_events(events, register)


def pledge_registrations(
    events: pd.DataFrame | str | Path, register: str | Path | None = None, with_release: bool = False
) -> pd.DataFrame:
    """Pledge registrations (专利权质押登记) from the legal events, one row per registration and patent.

    The input of criterion 4 of 高价值发明专利 (较高质押融资金额) and of the pledge tables.

    Parameters
    ----------
    events : pandas.DataFrame or path
        :func:`read_legal_events` output, or the events file (read and checked against *register*).
    register : path, optional
        The register, when *events* is a path.
    with_release : bool
        Also return ``event_id``, ``pledgor_type``, ``patents_in_contract`` and ``release_date`` (the first
        release of that pledge and patent, NaT while it stands).

    Returns
    -------
    pandas.DataFrame
        ``application_number``, ``date`` (registration date), ``amount_10k_yuan`` (the contract's amount on each
        of its patents, not split; NaN when not recorded) and ``pledgee_type`` (银行, 担保机构, 其他金融机构, 企业,
        其他), sorted by date and application number.
    """
    events = _events(events, register)
    pledges = events[events["event_type"] == "质押"]
    out = pd.DataFrame(
        {
            "application_number": pledges["application_number"],
            "date": pledges["event_date"],
            "amount_10k_yuan": pledges["amount_10k_yuan"].astype(float),
            "pledgee_type": pledges["pledgee_type"],
        }
    )
    if with_release:
        releases = (
            events[events["event_type"] == "质押解除"]
            .groupby(["related_event_id", "application_number"])["event_date"]
            .min()
        )
        keys = pd.MultiIndex.from_arrays([pledges["event_id"], pledges["application_number"]])
        out["event_id"] = pledges["event_id"]
        out["pledgor_type"] = pledges["from_type"]
        out["patents_in_contract"] = pledges.groupby("event_id")["application_number"].transform("nunique")
        out["release_date"] = releases.reindex(keys).to_numpy()
    return out.sort_values(["date", "application_number"], kind="stable").reset_index(drop=True)


def last_transfers(events: pd.DataFrame, on: str | pd.Timestamp) -> pd.DataFrame:
    """The patentee (专利权人) each transfer makes: the assignee of each patent's last transfer (转让) on or before
    *on* (of two on one day, the one of the larger ``event_id``); the first of several assignees is the patentee.

    Returns
    -------
    pandas.DataFrame
        One row per transferred patent: ``application_number``, ``owner_name``, ``owner_type``, ``owner_origin``.
    """
    on = pd.Timestamp(on)
    transfers = events[(events["event_type"] == "转让") & (events["event_date"] <= on)]
    last = transfers.sort_values(["event_date", "event_id"], kind="stable").groupby("application_number").tail(1)
    return pd.DataFrame(
        {
            "application_number": last["application_number"].astype(str),
            "owner_name": last["to_name"].astype(str).str.split(";").str[0].str.strip(),
            "owner_type": last["to_type"].astype(str),
            "owner_origin": last["to_origin"].astype(str),
        }
    ).reset_index(drop=True)


def current_owners(events: pd.DataFrame, register: pd.DataFrame, on: str | pd.Timestamp) -> pd.DataFrame:
    """The patentee (专利权人) of each register row on a date: the assignee of its last transfer on or before
    *on*, else the first applicant at filing.

    Parameters
    ----------
    events : pandas.DataFrame
        :func:`read_legal_events` output.
    register : pandas.DataFrame
        ``application_number``, ``applicant_name``, ``applicant_type``, ``province_code`` and optionally
        ``origin_code``.
    on : date
        The reference day (e.g. 31 December of the survey year).

    Returns
    -------
    pandas.DataFrame
        *register* with ``owner_name``, ``owner_type``, ``owner_origin``, ``owner_province`` (None outside the
        31 provinces) and ``transferred`` (bool: the owner comes from a transfer).
    """
    from ipstats import reference

    last = last_transfers(events, on).set_index("application_number")
    out = register.copy()
    origin = out["origin_code"] if "origin_code" in out.columns else out["province_code"]
    origin = origin.where(origin.notna() & origin.astype(object).ne(""), out["province_code"])
    hit = out["application_number"].isin(last.index)
    number = out["application_number"]
    out["owner_name"] = out["applicant_name"].where(~hit, number.map(last["owner_name"]))
    out["owner_type"] = out["applicant_type"].where(~hit, number.map(last["owner_type"]))
    out["owner_origin"] = origin.where(~hit, number.map(last["owner_origin"]))
    provinces = set(reference.provinces()["province_code"])
    out["owner_province"] = out["owner_origin"].where(out["owner_origin"].isin(provinces), None)
    out["transferred"] = hit.to_numpy()
    return out


def owner_view(
    con, events: pd.DataFrame, on: str | pd.Timestamp, source: str = "register", view: str = "register_owner"
) -> str:
    """Create the DuckDB view *view*: the rows of *source* as the 专利登记簿 shows them on *on*; return its name.

    The rule of :func:`current_owners` over a whole register in DuckDB: a patent with a transfer (转让) on or
    before *on* (:func:`last_transfers`) carries its last assignee in ``applicant_name``, ``applicant_type`` and
    ``origin_code``, and that assignee's province in ``province_code`` (NULL for an assignee from 港澳台 or
    abroad, as the register writes it); every other row keeps its first applicant at filing. One column more,
    ``transferred`` (bool), says which rows changed. :func:`ipstats.register.origin.domestic_view` over *view*
    then holds the patents of patentees in the 31 provinces on *on*.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection with *source* (:func:`ipstats.register.io.open_register`).
    events : pandas.DataFrame
        :func:`read_legal_events` output.
    on : date
        The reference day (31 December of the survey year for the survey frame).
    source, view : str
        Names of the register view and of the view to create.
    """
    from ipstats import reference
    from ipstats.register.origin import origin_sql

    columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    table = f"_{view}_transfers"
    con.register(table, last_transfers(events, on))
    provinces = ", ".join(f"'{c}'" for c in reference.provinces()["province_code"])  # digits only
    replaced = ("applicant_name", "applicant_type", "province_code", "origin_code", "transferred")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT r.* EXCLUDE ({', '.join(c for c in replaced if c in columns)}),"
        " coalesce(t.owner_name, r.applicant_name) AS applicant_name,"
        " coalesce(t.owner_type, r.applicant_type) AS applicant_type,"
        " CASE WHEN t.application_number IS NULL THEN r.province_code"
        f" WHEN t.owner_origin IN ({provinces}) THEN t.owner_origin END AS province_code,"
        f" coalesce(t.owner_origin, {origin_sql('r', 'origin_code' in columns)}) AS origin_code,"
        " t.application_number IS NOT NULL AS transferred"
        f" FROM {source} r LEFT JOIN {table} t ON r.application_number = t.application_number"
    )
    return view
