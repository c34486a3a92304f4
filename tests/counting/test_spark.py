"""The Spark engine returns the DuckDB engine's cube, for every shipped system and measure (local mode).

Spark starts once for the session (``local[2]``); the CI register (20,000 patents, seed 2024, as
parameters/ci.yaml) is generated once. Counts must be equal exactly, fractional counts to 1e-9.
"""

import shutil

import pandas as pd
import pytest

from ipstats.concordance import classify, classify_table, list_systems, load_system
from ipstats.concordance.api import links_from_register
from ipstats.counting import CountSpec, count, count_classified
from ipstats.engines import connect
from ipstats.register.io import open_register

pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed (pip install pyspark)")
if shutil.which("java") is None:
    pytest.skip("Java is not installed (the Spark engine needs Java 17 or 21)", allow_module_level=True)

from ipstats.engines import SparkRunner, open_spark_register  # noqa: E402

SYSTEMS = list(list_systems()["id"])
MEASURES = ("applications", "grants", "valid_stock")
YEARS = tuple(range(2010, 2025))
SETTINGS = {
    "name": "spark",
    "master": "local[2]",
    "app_name": "ipstats-tests",
    # tiny data: one shuffle partition and no adaptive re-planning cut each query from seconds to a fraction
    "config": {
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "1",
        "spark.sql.adaptive.enabled": "false",
        "spark.default.parallelism": "2",
        "spark.driver.memory": "1g",
    },
}


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for every Spark test (start-up takes seconds)."""
    from ipstats.engines import spark_session

    session, created = spark_session(SETTINGS)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    if created:
        session.stop()


@pytest.fixture(scope="session")
def ci_register(tmp_path_factory):
    """The CI register of parameters/ci.yaml: 20,000 patents, seed 2024."""
    from ipstats.register.demo import write_demo_data

    return write_demo_data(tmp_path_factory.mktemp("ci"), patents=20_000, seed=2024)["register"]


def assert_same_cube(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns, dtypes and rows; counts equal exactly, fractional counts within 1e-9."""
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.to_dict() == expected.dtypes.to_dict()
    exact = [c for c in expected.columns if c != "fractional"]
    pd.testing.assert_frame_equal(got[exact], expected[exact], check_exact=True)
    assert (got["fractional"] - expected["fractional"]).abs().max() <= 1e-9 or got.empty


@pytest.mark.parametrize("system", SYSTEMS)
def test_spark_cube_equals_duckdb_cube_for_every_system_and_measure(spark, ci_register, system):
    """One classification per system and engine, counted for each measure: the cubes are equal.

    This is the body of ``count`` (:func:`ipstats.counting.cube.classify_and_count`) with the
    classification shared by the three measures; the public call is tested below.
    """
    loaded = load_system(system)
    con, run = connect(), SparkRunner(spark)
    try:
        open_register(ci_register, con)
        duck = classify_table(con, loaded, "links", links_from_register(con, ci_register)[0])
        classified = classify_table(run, loaded, "links", open_spark_register(run, ci_register))
        for measure in MEASURES:
            spec = CountSpec(measure=measure, years=YEARS, system=system, by=("patent_type",))
            expected = count_classified(con, spec, "register", duck)
            got = count_classified(run, spec, "register", classified)
            assert len(got) > 0
            assert_same_cube(got, expected)
    finally:
        con.close()
        run.close()


@pytest.mark.parametrize(
    "system, keywords, level, by",
    [
        ("cnipa_sei_2021", "require", 1, ("province_code",)),
        ("cnipa_digital_tech_2023", "ignore", None, ()),
        ("isi_nace2", "confirm", 1, ()),
    ],
)
def test_count_with_engine_spark_returns_the_duckdb_cube(spark, ci_register, system, keywords, level, by):
    """The public API: ``count(..., engine=...)`` with keyword strategies, roll-up and breakdowns."""
    spec = CountSpec(measure="valid_stock", years=(2022, 2023), system=system, keywords=keywords, level=level, by=by)
    expected = count(ci_register, spec)
    got = count(str(ci_register), spec, engine=SETTINGS)
    assert_same_cube(got, expected)


def test_count_without_system_on_spark(spark, ci_register):
    spec = CountSpec(measure="applications", years=YEARS, by=("province_code", "applicant_type"), region="44")
    assert_same_cube(count(ci_register, spec, engine="spark"), count(ci_register, spec))


def test_classify_with_engine_spark(spark, ci_register):
    """Per-patent classification collected from Spark equals DuckDB's, labels and weights included."""
    expected, _ = classify(ci_register, "cnipa_green_tech")
    got, report = classify(ci_register, "cnipa_green_tech", engine="spark")
    assert report is None
    pd.testing.assert_frame_equal(got.drop(columns="weight"), expected.drop(columns="weight"))
    assert (got["weight"] - expected["weight"]).abs().max() <= 1e-9


@pytest.fixture(scope="session")
def csv_register(ci_register, tmp_path_factory):
    """The CI register and its links as GBK CSV files with Chinese headers, as a CNIPA extract comes."""
    folder = tmp_path_factory.mktemp("csv")
    con = connect()
    register = con.execute(f"SELECT * FROM read_parquet('{ci_register}') ORDER BY application_number").df()
    links = con.execute(
        f"SELECT * FROM read_parquet('{ci_register.with_name('register_ipc.parquet')}') ORDER BY ALL"
    ).df()
    con.close()
    register.rename(columns={"application_number": "申请号"}).to_csv(
        folder / "register.csv", index=False, encoding="gb18030"
    )
    links.to_csv(folder / "register_ipc.csv", index=False, encoding="gb18030")
    return folder / "register.csv"


def test_spark_reads_a_csv_register_as_duckdb_does(spark, csv_register):
    """A GBK CSV register (Chinese header, links CSV beside it) classifies and counts on Spark as on DuckDB."""
    expected, _ = classify(csv_register, "cnipa_sei_2021", keywords="table")
    got, _ = classify(csv_register, "cnipa_sei_2021", keywords="table", engine="spark")
    assert len(got) > 1000
    pd.testing.assert_frame_equal(got.drop(columns="weight"), expected.drop(columns="weight"))
    spec = CountSpec(
        measure="grants", years=(2021, 2022, 2023), system="cnipa_digital_tech_2023", by=("province_code",)
    )
    assert_same_cube(count(csv_register, spec, engine="spark"), count(csv_register, spec))


def test_spark_reads_a_plain_patent_ipc_table(spark, ci_register, tmp_path):
    """A plain ``patent_id, ipc`` Parquet (several symbols per cell, titles) was refused on Spark; now it is
    read as the DuckDB path reads it."""
    con = connect()
    con.execute(f"""COPY (SELECT r.application_number AS patent_id, string_agg(l.ipc, '; ' ORDER BY l.ipc) AS ipc,
                                 any_value(r.title) AS title
                          FROM read_parquet('{ci_register}') r
                          JOIN read_parquet('{ci_register.with_name("register_ipc.parquet")}') l USING (application_number)
                          GROUP BY r.application_number) TO '{tmp_path / "links.parquet"}' (FORMAT parquet)""")
    con.close()
    expected, report = classify(tmp_path / "links.parquet", "cnipa_green_tech")
    got, _ = classify(tmp_path / "links.parquet", "cnipa_green_tech", engine="spark")
    assert report.n_parsed > 0 and len(got) > 100
    pd.testing.assert_frame_equal(got.drop(columns="weight"), expected.drop(columns="weight"))
    assert (got["weight"] - expected["weight"]).abs().max() <= 1e-9


def test_spark_reports_unreadable_inputs(spark, tmp_path):
    from ipstats.concordance.api import InputError

    (tmp_path / "parts").mkdir()  # a folder of parts goes to Spark as it is: Spark says it cannot read it
    with pytest.raises(InputError, match="parts: Spark cannot read the register"):
        count(str(tmp_path / "parts"), CountSpec(years=(2023,)), engine="spark")
    with pytest.raises(InputError, match="register.csv: file not found"):
        count(str(tmp_path / "register.csv"), CountSpec(years=(2023,)), engine="spark")


def _same_result(got, expected, where: str = "") -> None:
    """Two results equal field by field: tables (counts, shares, growth, ranks, suppression), texts, notes,
    nested results and mappings. Counts are equal exactly; unrounded fractional sums (a parallel SUM of doubles
    adds in any order) within 1e-12 relative."""
    import dataclasses

    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), expected.reset_index(drop=True), check_exact=False, rtol=1e-12, atol=1e-12
        )
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-12)
    elif dataclasses.is_dataclass(expected) and not isinstance(expected, type):
        for f in dataclasses.fields(expected):
            _same_result(getattr(got, f.name), getattr(expected, f.name), f"{where}.{f.name}")
    elif isinstance(expected, dict):
        assert list(got) == list(expected), where
        for key in expected:
            _same_result(got[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)) and any(isinstance(v, (pd.DataFrame, dict)) for v in expected):
        assert len(got) == len(expected), where
        for i, (a, b) in enumerate(zip(got, expected)):
            _same_result(a, b, f"{where}[{i}]")
    else:
        nan = isinstance(expected, float) and isinstance(got, float) and got != got and expected != expected
        assert got == expected or nan, where


_same_overview = _same_result


@pytest.mark.parametrize("region", ["national", "54"])
@pytest.mark.parametrize("policy", ["public", "confidential"])
def test_overview_on_spark_equals_duckdb(spark, ci_register, region, policy):
    """compute_overview(engine=spark): the type, province, scope, origin and trend tables and the paragraph are
    DuckDB's, for the country and a small province, with the register public or declared confidential."""
    from ipstats.indicators.overview import compute_overview

    population = ci_register.with_name("population.csv")
    disclosure = {} if policy == "public" else {"confidentiality": {"register": "confidential"}}
    expected = compute_overview(ci_register, population, 2023, region, disclosure=disclosure)
    got = compute_overview(str(ci_register), population, 2023, region, disclosure=disclosure, engine=SETTINGS)
    _same_overview(got, expected)


def test_overview_of_a_gbk_csv_register_on_spark(spark, ci_register, csv_register):
    """A GBK CSV extract with Chinese headers: Spark counts the validator's typed Parquet, as DuckDB does."""
    from ipstats.indicators.overview import compute_overview

    population = ci_register.with_name("population.csv")
    expected = compute_overview(ci_register, population, 2023)
    _same_overview(compute_overview(str(csv_register), population, 2023, engine=SETTINGS), expected)


@pytest.mark.parametrize("region", ["national", "54"])
def test_high_value_on_spark_equals_duckdb(spark, ci_register, region, tmp_path):
    """compute_high_value(engine=spark): the SEI criterion classified on Spark (keyword conditions), the family,
    pledge and award criteria joined there, every table, the paragraph and the notes as DuckDB's — a pledge of an
    application number outside the register included (the note counts it on both engines)."""
    from ipstats.indicators.high_value import compute_high_value
    from ipstats.register.appno import check_character

    folder = ci_register.parent
    outside = f"CN201910999999.{check_character('201910999999')}"
    pledges = pd.read_csv(folder / "patent_pledges.csv", dtype=str, encoding="utf-8-sig")
    pledges.loc[len(pledges)] = [outside, "2023-05-01", "5000", "银行"]
    pledges = pledges.astype({"amount_10k_yuan": float}).assign(date=lambda f: pd.to_datetime(f["date"]))
    inputs = {
        "patent_families": folder / "patent_families.csv",
        "patent_pledges": pledges,
        "patent_awards": folder / "patent_awards.csv",
    }
    expected = compute_high_value(ci_register, folder / "population.csv", 2023, region, **inputs)
    got = compute_high_value(str(ci_register), folder / "population.csv", 2023, region, **inputs, engine=SETTINGS)
    assert any("不在专利登记数据中" in note for note in expected.notes)
    _same_overview(got, expected)


@pytest.fixture(scope="session")
def owner_register(ci_register, tmp_path_factory):
    """The CI register with an owner-industry column (half-width and full-width ``;``) and its links beside it."""
    folder = tmp_path_factory.mktemp("owners")
    frame = pd.read_parquet(ci_register)
    codes = ["C3911", "C2710;C3911", "C3911；C2710", "", "C2710"]
    frame["owner_industry"] = [codes[i % len(codes)] for i in range(len(frame))]
    frame.to_parquet(folder / "register.parquet", index=False)
    shutil.copy(ci_register.with_name("register_ipc.parquet"), folder / "register_ipc.parquet")
    return folder / "register.parquet"


@pytest.mark.parametrize("attribution", ["system", "industry_column", "applicants"])
def test_patents_by_industry_on_spark_equals_duckdb(spark, owner_register, attribution):
    """The PII patent cube on Spark: the concordance, an owner column split on ``;`` / ``；`` and an applicant
    table, each DuckDB's (fractional counts to 1e-9; the attributed share and counted patents equal)."""
    from ipstats.pii.identify import patents_by_industry

    names = pd.read_parquet(owner_register, columns=["applicant_name"])["applicant_name"].value_counts().index[:40]
    table = pd.DataFrame(
        {"applicant": names, "industry_code": ["3911" if i % 2 else "2710" for i in range(len(names))], "weight": 1.0}
    )
    options = {
        "system": {"system": "isi_nace2"},
        "industry_column": {"industry_column": "owner_industry"},
        "applicants": {"applicants": table},
    }[attribution]
    years = range(2019, 2024)
    expected = patents_by_industry(owner_register, years, by=("applicant_name",), **options)
    got = patents_by_industry(str(owner_register), years, by=("applicant_name",), engine=SETTINGS, **options)
    assert len(expected) > 0
    keys = ["year", "applicant_name", "industry"]
    a, b = (f.sort_values(keys).reset_index(drop=True) for f in (got, expected))
    pd.testing.assert_frame_equal(a[keys], b[keys])
    assert (a["patents"] - b["patents"]).abs().max() <= 1e-9
    assert got.attrs["counted"] == expected.attrs["counted"]
    assert got.attrs["attributed_pct"] == pytest.approx(expected.attrs["attributed_pct"], abs=1e-9)


def test_identification_on_spark_equals_duckdb(spark, ci_register):
    """compute_identification(engine=spark) with a confidential register (its per-applicant contributors): the
    identification, protected and sensitivity tables are DuckDB's."""
    from ipstats.pii import compute_identification

    employment = ci_register.with_name("employment_by_industry.csv")
    disclosure = {"confidentiality": {"register": "confidential"}}
    expected = compute_identification(ci_register, employment, 2023, disclosure=disclosure)
    got = compute_identification(str(ci_register), employment, 2023, disclosure=disclosure, engine=SETTINGS)
    _same_overview(got, expected)


@pytest.mark.parametrize("region", ["national", "54", "44"])
def test_transfer_on_spark_equals_duckdb(spark, ci_register, region):
    """compute_transfer(engine=spark): the year-end valid stock and the rows of the transferred patents read on
    Spark; every table (shares of valid patents, flows, categories, pledges) and the paragraph are DuckDB's."""
    from ipstats.transfer.report import compute_transfer

    events = ci_register.with_name("patent_legal_events.csv")
    expected = compute_transfer(events, ci_register, 2023, region)
    got = compute_transfer(events, str(ci_register), 2023, region, engine=SETTINGS)
    assert expected.share_of_valid["valid_stock"].sum() > 0
    _same_result(got, expected)


@pytest.mark.parametrize(
    "system, region, policy",
    [
        ("cnipa_sei_2021", "national", "confidential"),
        ("cnipa_digital_tech_2023", "national", "public"),
        ("cnipa_green_tech", "44", "confidential"),
        ("cnipa_sei_2021", "54", "public"),
    ],
)
def test_monitoring_on_spark_equals_duckdb(spark, ci_register, monkeypatch, system, region, policy):
    """compute_monitoring(engine=spark) runs every register-scale step on Spark — both classifications, the
    category cubes, the province, applicant-type, applicant and monthly breakdowns, the contributors of disclosure
    control, the drift and coverage diagnostics — and returns DuckDB's Monitoring field by field (tables, the
    seasonal adjustment, suppression records)."""
    from ipstats.indicators import monitoring as mon

    disclosure = {"confidentiality": {"register": policy}}
    expected = mon.compute_monitoring(str(ci_register), 2023, system=system, region=region, disclosure=disclosure)
    seen = []
    for name in ("classify_table", "count_classified", "count_contributors", "coverage"):
        real = getattr(mon, name)

        def spy(run, *args, _real=real, _name=name, **kwargs):
            seen.append((_name, getattr(run, "dialect", type(run).__name__)))
            return _real(run, *args, **kwargs)

        monkeypatch.setattr(mon, name, spy)
    got = mon.compute_monitoring(
        str(ci_register), 2023, system=system, region=region, disclosure=disclosure, engine=SETTINGS
    )
    assert {dialect for _, dialect in seen} == {"spark"}, seen
    assert {"classify_table", "count_classified", "coverage"} <= {name for name, _ in seen}
    if policy == "confidential":
        assert "count_contributors" in {name for name, _ in seen} or region != "national"
        assert got.disclosure, "a confidential register's tables are protected"
    # Tibet (54) has no invention of the system in the CI register: the empty tables must agree too
    assert (int(expected.leaf["applications"].sum()) > 0) == (region != "54")
    _same_result(got, expected)
