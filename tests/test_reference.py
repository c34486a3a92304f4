import pandas as pd

from ipstats import reference


def test_catalogue_describes_every_file():
    cat = reference.catalogue()
    assert {"ipc_scheme", "provinces", "locarno_classes", "wipo_ipc_technology"} <= set(cat["name"])
    for col in ("edition", "issuer", "source", "licence", "trust"):
        assert cat[col].astype(str).str.len().gt(3).all(), col
    shipped = {p.name for p in reference.DATA_DIR.iterdir()} - {"catalogue.yaml"}
    assert shipped == set(cat["file"])
    assert cat["sha256"].str.len().eq(64).all()


def test_ipc_scheme_shape():
    scheme = reference.ipc_scheme()
    assert scheme["symbol"].is_unique
    assert scheme["level"].value_counts()["section"] == 8
    row = scheme.set_index("symbol").loc["H04L29/06"]
    assert row["in_2019_01"] and not row["in_2026_01"]  # H04L29 was deleted by 2026.01
    assert scheme.set_index("symbol").loc["H10B", "in_2026_01"]
    assert not scheme.set_index("symbol").loc["H10B", "in_2019_01"]
    assert scheme.set_index("symbol").loc["A01B3/02", "title_zh"] == "人力犁"


def test_provinces_and_locarno():
    prov = reference.provinces()
    assert len(prov) == 31 and prov["province_code"].str.fullmatch(r"\d{2}").all()
    assert prov.set_index("province_code").loc["44", "name_zh"] == "广东省"
    assert set(prov["region_zh"]) == {"东部", "中部", "西部", "东北"}
    loc = reference.locarno_classes()
    assert loc["locarno_class"].tolist() == [f"{i:02d}" for i in range(1, 33)]


def test_ipc_scheme_matches_sources(shared_reference):
    """The shipped scheme holds every symbol and Chinese title of the gathered sources."""
    scheme = reference.ipc_scheme().set_index("symbol")
    zh = pd.read_csv(shared_reference / "ipc" / "ipc_2026_01_zh.csv", dtype=str)
    en = pd.read_csv(shared_reference / "ipc" / "ipc_scheme_2019_en.csv", dtype=str)
    assert set(zh["ipc_code"]) == set(scheme.index[scheme["in_2026_01"]])
    assert set(en["ipc_code"]) == set(scheme.index[scheme["in_2019_01"]])
    sample = zh.sample(500, random_state=1)
    assert (scheme.loc[sample["ipc_code"], "title_zh"].to_numpy() == sample["title_zh"].str.strip().to_numpy()).all()
    wipo = pd.read_csv(shared_reference / "concordances" / "wipo_ipc_technology_2019.csv", dtype=str)
    assert len(reference.wipo_technology_concordance()) == len(wipo)
