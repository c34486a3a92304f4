"""A deterministic, realistic synthetic national patent register (演示用专利登记数据).

The demo register stands in for a CNIPA register extract so that every notebook and the
bulletin run anywhere. It is drawn from the shapes in ``demo_profile/`` (see its README):
filing years and patent types, provinces, WIPO technology fields, applicant types, and a
life cycle (publication, grant or refusal, fee lapse, invalidation, expiry) seen from an
extraction date ``as_of``. IPC symbols come from the real IPC scheme shipped in
``ipstats.reference``; titles are built from their Chinese titles so keyword rules have
text to match. Nothing here is a published statistic.

Everything is vectorised with NumPy so ``patents=5_000_000`` runs in minutes; the same
``seed`` always gives the same register.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ipstats import __version__, reference
from ipstats.register.appno import check_characters
from ipstats.errors import IpstatsError

log = logging.getLogger(__name__)

PROFILE_DIR = Path(__file__).with_name("demo_profile")
PATENT_TYPES = ("发明", "实用新型", "外观设计")
APPLICANT_TYPES = ("企业", "高校", "科研单位", "机关团体", "个人")
LEGAL_STATUSES = ("有效", "审中", "驳回", "撤回", "失效-未缴年费", "失效-宣告无效", "失效-期限届满")
DEFAULT_AS_OF = "2025-03-31"

#: Multiplier on the invention grant probability by applicant type (individuals are refused more often).
_GRANT_FACTOR = {"企业": 1.0, "高校": 1.1, "科研单位": 1.1, "机关团体": 0.9, "个人": 0.55}
#: Mean patents per applicant, which sets the size of each applicant pool.
_PATENTS_PER_APPLICANT = {"企业": 6.0, "高校": 60.0, "科研单位": 25.0, "机关团体": 4.0, "个人": 1.3}
#: Zipf exponent of applicant sizes (higher = more concentrated).
#: Applicant types of first applicants from 港澳台 and abroad (企业, 高校, 科研单位, 机关团体, 个人): mostly firms.
_ABROAD_APPLICANT_TYPES = (0.93, 0.02, 0.01, 0.0, 0.04)
_ZIPF = {"企业": 1.05, "高校": 0.9, "科研单位": 0.9, "机关团体": 0.8, "个人": 0.3}
#: Filing seasonality by month (Chinese New Year dip, year-end peak).
_MONTH_WEIGHTS = np.array([8.0, 5.5, 8.5, 8.0, 8.5, 9.0, 8.5, 8.5, 8.5, 8.0, 9.0, 10.5])
#: Relative frequency of Locarno classes among design filings.
_LOCARNO_WEIGHTS = {
    "14": 12,
    "06": 10,
    "07": 9,
    "26": 8,
    "23": 8,
    "09": 7,
    "02": 6,
    "12": 5,
    "13": 5,
    "08": 5,
    "10": 4,
    "15": 4,
    "24": 4,
    "25": 4,
    "21": 4,
    "32": 3,
    "03": 3,
    "19": 2,
    "28": 2,
    "31": 2,
    "11": 2,
    "05": 2,
    "16": 2,
    "20": 1,
    "30": 1,
    "01": 1,
    "04": 1,
    "17": 0.5,
    "18": 0.5,
    "22": 0.5,
    "27": 0.5,
    "29": 0.5,
}


@dataclass(frozen=True)
class DemoProfile:
    """The shapes the demo register is drawn from (read from ``demo_profile/``)."""

    annual: pd.DataFrame
    provinces: pd.DataFrame
    fields: pd.DataFrame
    applicant_types: pd.DataFrame
    lifecycle: pd.DataFrame
    words: dict[str, list[str]]
    locarno_products: dict[str, list[str]]
    origin_shares: pd.DataFrame
    origins: pd.DataFrame


@lru_cache(maxsize=1)
def load_profile() -> DemoProfile:
    """Read the demo profile tables shipped in ``ipstats/register/demo_profile``."""
    read = lambda name, **kw: pd.read_csv(PROFILE_DIR / name, encoding="utf-8", **kw)  # noqa: E731
    words = read("name_parts.csv", dtype=str).set_index("kind")["words"].str.split().to_dict()
    products = {}
    for item in words.pop("locarno_products"):
        cls, names = item.split(":")
        products[cls] = names.split(";")
    return DemoProfile(
        annual=read("annual_filings.csv").set_index("year"),
        provinces=read("provinces.csv", dtype={"province_code": str}),
        fields=read("technology_fields.csv").set_index("field_nr"),
        applicant_types=read("applicant_types.csv").set_index("applicant_type"),
        lifecycle=read("lifecycle.csv").set_index("parameter").drop(columns="meaning"),
        words=words,
        locarno_products=products,
        origin_shares=read("origin_shares.csv").set_index("year"),
        origins=read("origins.csv", dtype={"origin_code": str}).set_index("origin_code"),
    )


# --------------------------------------------------------------------------- IPC pools


_PAREN = re.compile(r"[（(][^（）()]*[）)]")


def _clean_title(title: str) -> str:
    """Drop references in brackets and cut a Chinese IPC title at its first clause break."""
    text = title
    for _ in range(3):
        text = _PAREN.sub("", text)
    text = re.sub(r"\s+", "", text)
    return re.split(r"[；;，,。：:]", text)[0].strip("、 ")


_NOUN_END = set(
    "器机置备统法物剂料件体具构板管线路池膜片泵阀车灯网台架柜箱盒罐炉塔筒轮轴杆桩墙门窗床椅桌"
    "刀锯钻针笔纸布鞋帽衣袋瓶杯锅碗灶仪表计镜头屏盘卡码芯组模块型酶苗药液气油粉胶漆肥饲品素酸盐酯醇胺"
)
_BAD_ANYWHERE = re.compile(r"[A-Za-z]\d|不包|其他|所用|以外|除")
_BAD_START = re.compile(r"^(?:[用以在其由按对从与及或于和使通借经来具带含包有把将被当若仅]|本小类|其他|环路)")


def _stem(text: str) -> str:
    text = _clean_title(text)
    text = re.sub(r"^(?:本小类|本大组|本组)?其他(?:各)?(?:类|小类|大组|组)?(?:目)?中不包含的", "", text)
    return text


def _symbol_title(symbol: str, level: str, title: str, group_title: str | None) -> str:
    """A title stem for a symbol: its own title when it reads as a noun phrase, else its main group's."""
    for candidate in (_stem(title), _stem(group_title) if group_title else ""):
        if (
            2 <= len(candidate) <= 18
            and candidate[-1] in _NOUN_END
            and not _BAD_START.match(candidate)
            and not _BAD_ANYWHERE.search(candidate)
        ):
            return candidate
    fallback = _stem(group_title or title)
    fallback = re.split(r"[A-Za-z]\d|不包|其他|以外", re.sub(r"的$", "", fallback))[0][:18].rstrip("、或和的")
    if len(fallback) < 2:
        return "装置"
    return fallback if fallback[-1] in _NOUN_END else f"{fallback}装置"


@lru_cache(maxsize=1)
def ipc_pools() -> tuple[np.ndarray, np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """Symbols the demo can draw, their title stems, and for each WIPO field the symbol indices and weights.

    Only symbols of the current IPC edition (2026.01) with a Chinese title are used, at main group and
    subgroup level. Within a field, popularity follows a Zipf law over a fixed random order so that
    some groups are far more common than others, as in real filings.
    """
    scheme = reference.ipc_scheme()
    scheme = scheme[
        scheme["in_2026_01"] & scheme["title_zh"].notna() & scheme["level"].isin(["main_group", "subgroup"])
    ].reset_index(drop=True)
    scheme["subclass"] = scheme["symbol"].str[:4]
    scheme["main_group"] = scheme["symbol"].str[4:].str.split("/").str[0]
    group_title = scheme[scheme["level"] == "main_group"].set_index(["subclass", "main_group"])["title_zh"]
    gt = group_title.reindex(pd.MultiIndex.from_frame(scheme[["subclass", "main_group"]])).to_numpy()
    stems = np.array(
        [
            _symbol_title(s, lv, t, g if isinstance(g, str) else None)
            for s, lv, t, g in zip(scheme["symbol"], scheme["level"], scheme["title_zh"], gt)
        ],
        dtype=object,
    )

    conc = reference.wipo_technology_concordance()
    extra = pd.read_csv(PROFILE_DIR / "wipo_ipc_technology_post2019_subclasses_UNOFFICIAL.csv")
    by_group = conc[conc["ipc_main_group"].notna() & (conc["ipc_main_group"] != "")]
    by_subclass = conc[~conc.index.isin(by_group.index)]
    field = pd.Series(
        scheme["subclass"].map(
            pd.concat(
                [
                    by_subclass.set_index("ipc_subclass")["field_nr"],
                    extra.set_index("ipc_subclass")["proposed_field_nr"],
                ]
            )
        ),
        dtype="Int64",
    )
    group_field = by_group.assign(mg=by_group["ipc_main_group"].astype(str).str.strip()).set_index(
        ["ipc_subclass", "mg"]
    )["field_nr"]
    gf = group_field.reindex(pd.MultiIndex.from_frame(scheme[["subclass", "main_group"]])).to_numpy()
    field = field.where(pd.isna(gf), pd.array(gf, dtype="Int64"))

    rng = np.random.default_rng(20190101)  # fixed: popularity is part of the profile, not the seed
    pools = {}
    for nr, idx in scheme.groupby(field.to_numpy(dtype=float, na_value=np.nan)).groups.items():
        idx = np.asarray(idx)
        order = rng.permutation(len(idx))
        weights = 1.0 / np.arange(1, len(idx) + 1) ** 0.9
        weights = weights[np.argsort(order)]
        pools[int(nr)] = (idx, weights / weights.sum())
    return scheme["symbol"].to_numpy(dtype=object), stems, pools


# --------------------------------------------------------------------------- generator


def _draw_dates(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    months = rng.choice(12, size=len(years), p=_MONTH_WEIGHTS / _MONTH_WEIGHTS.sum())
    starts = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + months
    lengths = ((starts + 1).astype("datetime64[D]") - starts.astype("datetime64[D]")).astype(int)
    return starts.astype("datetime64[D]") + (rng.random(len(years)) * lengths).astype(int)


def _serials(
    rng: np.random.Generator,
    year: np.ndarray,
    type_digit: np.ndarray,
    filing: np.ndarray,
    national: dict[tuple[int, int], int],
    block: tuple[int, int] = (0, 1),
) -> np.ndarray:
    """Distinct serial numbers within each (year, type digit), increasing with the filing date.

    *block* ``(k, blocks)``: this register is block *k* of *blocks* written one after the other (streamed demo
    data); its serials are those ``≡ k + 1 (mod blocks)``, so that no two blocks share an application number.
    ``(0, 1)`` draws from all serials (one block).
    """
    k, blocks = block
    serial = np.zeros(len(year), dtype=np.int64)
    keys = pd.DataFrame({"y": year, "t": type_digit, "d": filing}).sort_values(["y", "t", "d"], kind="stable")
    for (y, t), grp in keys.groupby(["y", "t"], sort=False):
        cap = int(min(9_999_999 // blocks, max(national.get((y, t), 0) // blocks, 5 * len(grp))))
        if cap < len(grp):
            raise ValueError(
                f"demo block of {len(grp):,} applications of year {y} and type digit {t} does not fit "
                f"in {cap:,} serial numbers: use smaller blocks"
            )
        chosen = np.sort(rng.choice(cap, size=len(grp), replace=False)) * blocks + k + 1
        serial[grp.index.to_numpy()] = chosen
    return serial


def _applicants(
    rng: np.random.Generator, profile: DemoProfile, province: np.ndarray, app_type: np.ndarray
) -> np.ndarray:
    """Synthetic applicant names: a Zipf-sized pool per province and applicant type."""
    words = profile.words
    capital = reference.provinces().set_index("province_code")
    names = np.empty(len(province), dtype=object)
    frame = pd.DataFrame({"p": province, "a": app_type})
    for (p, a), grp in frame.groupby(["p", "a"], sort=True):
        n = len(grp)
        pool = max(3, int(np.ceil(n / _PATENTS_PER_APPLICANT[a])))
        city, short = capital.at[p, "capital_zh"], capital.at[p, "short_zh"]
        pick = lambda kind: rng.choice(words[kind], size=pool)  # noqa: E731
        if a == "企业":
            pool_names = [
                f"{city}{c1}{c2}{t}{s}"
                for c1, c2, t, s in zip(pick("firm_core"), pick("firm_core"), pick("firm_trade"), pick("firm_suffix"))
            ]
        elif a == "高校":
            pool_names = [f"{short}{c}{k}" for c, k in zip(pick("firm_core"), pick("university_kind"))]
        elif a == "科研单位":
            pool_names = [
                f"{city}{c}{t}{k}" for c, t, k in zip(pick("firm_core"), pick("firm_trade"), pick("institute_kind"))
            ]
        elif a == "机关团体":
            pool_names = [f"{city}市{c}{b}" for c, b in zip(pick("firm_core"), pick("public_body"))]
        else:
            pool_names = [f"{s}{g}" for s, g in zip(pick("surname"), pick("given_name"))]
        pool_names = np.array(pool_names, dtype=object)
        weights = 1.0 / np.arange(1, pool + 1) ** _ZIPF[a]
        names[grp.index.to_numpy()] = pool_names[rng.choice(pool, size=n, p=weights / weights.sum())]
    return names


def _origins(
    rng: np.random.Generator, profile: DemoProfile, year: np.ndarray, type_code: np.ndarray, province: np.ndarray
) -> np.ndarray:
    """The first applicant's origin: its province, or 台湾 71 / 香港 81 / 澳门 82, or a foreign country (ISO alpha-2).

    Shares by filing year and type come from ``origin_shares.csv`` (interpolated), the spread over countries and
    over 港澳台 from ``origins.csv``.
    """
    shares, weights = profile.origin_shares, profile.origins
    origin = province.astype(object).copy()
    u = rng.random(len(year))
    hk_mo_tw = weights.index.isin(["71", "81", "82"])
    for code, name in enumerate(PATENT_TYPES):
        sel = np.flatnonzero(type_code == code)
        foreign_p = np.interp(year[sel], shares.index, shares[f"foreign_{name}"])
        hk_p = np.interp(year[sel], shares.index, shares[f"hk_mo_tw_{name}"])
        for part, chosen in (
            (~hk_mo_tw, u[sel] < foreign_p),
            (hk_mo_tw, (u[sel] >= foreign_p) & (u[sel] < foreign_p + hk_p)),
        ):
            w = weights.loc[part, name]
            rows = sel[chosen]
            origin[rows] = w.index.to_numpy()[rng.choice(len(w), size=len(rows), p=(w / w.sum()).to_numpy())]
    return origin


def _foreign_applicants(
    rng: np.random.Generator, profile: DemoProfile, origin: np.ndarray, app_type: np.ndarray
) -> np.ndarray:
    """Synthetic names of applicants from 港澳台 and abroad: a Zipf-sized pool per origin and applicant type."""
    words = profile.words
    names_zh = reference.origins().set_index("origin_code")["name_zh"]
    suffix = profile.origins["applicant_suffix"]
    names = np.empty(len(origin), dtype=object)
    frame = pd.DataFrame({"o": origin, "a": app_type})
    for (o, a), grp in frame.groupby(["o", "a"], sort=True):
        n = len(grp)
        pool = max(3, int(np.ceil(n / _PATENTS_PER_APPLICANT[a])))
        pick = lambda kind: rng.choice(words[kind], size=pool)  # noqa: E731
        if a == "个人":
            pool_names = [f"{s}{g}" for s, g in zip(pick("surname"), pick("given_name"))]
        elif a == "高校":
            pool_names = [f"{names_zh[o]}{c}{k}" for c, k in zip(pick("firm_core"), pick("university_kind"))]
        else:
            pool_names = [
                f"{names_zh[o]}{c1}{c2}{t}{suffix[o]}"
                for c1, c2, t in zip(pick("firm_core"), pick("firm_core"), pick("firm_trade"))
            ]
        pool_names = np.array(pool_names, dtype=object)
        weights = 1.0 / np.arange(1, pool + 1) ** _ZIPF[a]
        names[grp.index.to_numpy()] = pool_names[rng.choice(pool, size=n, p=weights / weights.sum())]
    return names


def _anniversary_after(filing: np.ndarray, after: np.ndarray, extra_years: np.ndarray) -> np.ndarray:
    """The first anniversary of *filing* strictly after *after*, plus *extra_years* more years."""
    fy = filing.astype("datetime64[Y]").astype(int)
    ay = after.astype("datetime64[Y]").astype(int)
    offset = filing - filing.astype("datetime64[Y]").astype("datetime64[D]")
    candidate = ay.astype("datetime64[Y]").astype("datetime64[D]") + offset
    bump = (candidate <= after).astype(int)
    years = ay + bump + extra_years
    years = np.maximum(years, fy + 1)
    return years.astype("datetime64[Y]").astype("datetime64[D]") + offset


# --------------------------------------------------------------------------- titles and abstracts

#: Closing sentences of a demo abstract (the effect an applicant claims), picked at random.
_EFFECTS = (
    "结构简单，成本低，便于推广应用",
    "提高了工作效率和可靠性",
    "降低了能耗，延长了使用寿命",
    "检测精度高，响应速度快",
    "操作方便，安全性好",
    "提高了产品质量的一致性",
    "减少了资源消耗和环境污染",
)


@lru_cache(maxsize=1)
def technology_terms() -> dict[str, tuple[float, tuple[str, ...]]]:
    """The technology vocabulary of ``demo_profile/technology_terms.csv``: IPC prefix → (share, terms).

    *share* is the share of the patents whose main IPC symbol starts with the prefix (the longest listed
    prefix wins) that name one of the area's technologies in their title or abstract, as real applicants do
    ("本发明涉及锂离子电池技术领域"). The words are ordinary technical vocabulary of each area; the shares
    are set so that the demo's keyword-confirmed shares land near the published order of magnitude
    (demo_profile/README.md). They are assumptions, not measurements.
    """
    table = pd.read_csv(PROFILE_DIR / "technology_terms.csv", encoding="utf-8", dtype=str, keep_default_na=False)
    return {
        row.ipc_prefix: (float(row.share), tuple(t for t in row.terms.split("、") if t)) for row in table.itertuples()
    }


def _titles_and_abstracts(
    text_rng: np.random.Generator,
    title: np.ndarray,
    type_code: np.ndarray,
    main_ipc: np.ndarray,
    main_stem: np.ndarray,
    other_stems: np.ndarray,
    field_name: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Titles with the technology named where the applicant would, and an abstract for every non-design.

    The abstract reads like a CNIPA abstract: the technical field (a technology of the main symbol's area
    from :func:`technology_terms` for a share of patents, else the WIPO field), the object (the title),
    its parts (titles of the other IPC symbols) and an effect. Designs have no abstract (their brief
    explanation is not an abstract). Draws come from *text_rng* only, so the other columns are unchanged.
    """
    terms = technology_terms()
    n = len(title)
    codes = pd.Series(main_ipc, dtype=object).fillna("")
    unique = pd.Index(codes.unique())
    prefix = np.array(
        [c[:4] if c[:4] in terms else c[:3] if c[:3] in terms else "*" if c and "*" in terms else "" for c in unique],
        dtype=object,
    )
    products = _product_words(unique)
    at = unique.get_indexer(codes)
    prefix = prefix[at]
    share = np.array([terms[p][0] if p else 0.0 for p in prefix])
    mention = (text_rng.random(n) < share) & (type_code != 2)
    pick, pick2, source = text_rng.random(n), text_rng.random(n), text_rng.random(n)
    in_title = text_rng.random(n) < 0.35
    effect = text_rng.integers(0, len(_EFFECTS), n)
    new_title = title.copy()
    abstract = np.full(n, None, dtype=object)
    for i in np.flatnonzero(type_code != 2):
        area = terms[prefix[i]][1] if mention[i] and prefix[i] else ()
        named = (
            [words[int(p * len(words))] for words, p in zip(products[at[i]], (pick2[i], source[i])) if words]
            if mention[i]
            else []
        )
        term = area[int(pick[i] * len(area))] if area else named.pop(0) if named else ""
        other = "、".join(w for w in dict.fromkeys(named) if w != term)
        if term and in_title[i] and title[i].startswith("一种"):
            new_title[i] = f"一种用于{term}的{title[i][2:]}"
        who = "本发明" if type_code[i] == 0 else "本实用新型"
        field = f"{term}技术领域" if term else f"{field_name[i]}领域" if field_name[i] else "技术领域"
        body = f"所述{main_stem[i]}包括{other_stems[i]}。" if other_stems[i] else ""
        use = f"可应用于{other}。" if other else ""
        abstract[i] = f"{who}涉及{field}，公开了{new_title[i]}。{body}{use}{who}{_EFFECTS[effect[i]]}。"
    return new_title, abstract


#: Concordance tables whose keyword cells name the products and technologies of an industry in the words an
#: applicant of that industry uses for them (the demo's second source of technology words).
_PRODUCT_WORD_SYSTEMS = ("cnipa_sei_2021", "cnipa_digital_tech_2023")
#: Longest keyword term used as a product word (longer cells are descriptions of an industry, not names).
_PRODUCT_WORD_MAX = 8


def _join_runs(rows: np.ndarray, values: np.ndarray, sep: str) -> tuple[np.ndarray, list[str]]:
    """Join *values* with *sep* over each run of equal *rows* (sorted ascending): the runs' rows and texts.

    What ``Series(values, index=rows).groupby(level=0).agg(sep.join)`` gives for sorted *rows*, without a
    Python call per group through pandas (half the generator's time at 250,000 applications a block).
    """
    if not len(rows):
        return rows, []
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    bounds = np.r_[starts, len(rows)].tolist()
    items = values.tolist()
    return rows[starts], [sep.join(items[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


#: Product words found so far, by IPC code (each code's words depend on the code alone, so the blocks of a
#: streamed register share them instead of resolving the same codes again).
_PRODUCT_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {}


def _product_words(codes: pd.Index) -> list[tuple[tuple[str, ...], ...]]:
    """:func:`_resolve_product_words` of *codes*, remembered per code across calls."""
    missing = [c for c in codes if c not in _PRODUCT_WORDS]
    if missing:
        _PRODUCT_WORDS.update(zip(missing, _resolve_product_words(pd.Index(missing))))
    return [_PRODUCT_WORDS[c] for c in codes]


def _resolve_product_words(codes: pd.Index) -> list[tuple[tuple[str, ...], ...]]:
    """For each code and table, the short product and technology names in the keyword cells of the rules covering it.

    An applicant whose invention belongs to an emerging industry names its product as the industry does
    (锂离子电池单体, 工业机器人, 人脸识别); the CNIPA tables' keyword cells list those names for the codes of
    each industry. Used for the share of patents of :func:`technology_terms` that name their technology.
    """
    from ipstats.concordance import load_system, resolve_codes

    per_system = []
    for system_id in _PRODUCT_WORD_SYSTEMS:
        system = load_system(system_id)
        terms = system.rules.set_index("rule_id")["terms"]
        hits = resolve_codes(system, [c for c in codes if c])
        words: dict[str, set[str]] = {}
        for code, rule_id in zip(hits["ipc"], hits["rule_id"]):
            words.setdefault(code, set()).update(t for t in terms[rule_id] if 2 <= len(t) <= _PRODUCT_WORD_MAX)
        per_system.append(words)
    return [tuple(tuple(sorted(words.get(c, ()))) for words in per_system) for c in codes]


def generate_register(
    patents: int = 100_000, seed: int = 2024, as_of: str = DEFAULT_AS_OF, block: tuple[int, int] = (0, 1)
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw a synthetic register of *patents* applications as seen on *as_of*.

    Parameters
    ----------
    patents : int
        Number of applications (all patent types, filing years 2004–2024).
    seed : int
        Seed of the random generator; the same seed gives the same register.
    as_of : str
        Extraction date (ISO). Events after it (publication, grant, lapse) are not yet known.
    block : tuple of int
        ``(k, blocks)``: the register is block *k* of *blocks* of a streamed register (:func:`write_demo_data`
        above :data:`STREAM_BLOCK` applications); its application numbers are distinct from the other blocks'.
        Default ``(0, 1)``: the whole register.

    Returns
    -------
    register : pandas.DataFrame
        One row per application; columns as in ``data_schemas/patent_register.schema.yaml``.
    register_ipc : pandas.DataFrame
        One row per application and IPC symbol: ``application_number``, ``ipc``, ``seq``
        (1 = main classification).
    """
    if patents < 1:
        raise ValueError(f"patents must be a positive number of applications, got {patents}")
    profile = load_profile()
    rng = np.random.default_rng(seed)
    as_of_d = np.datetime64(as_of, "D")
    life = profile.lifecycle

    # year and type ----------------------------------------------------------------------------
    annual = profile.annual[list(PATENT_TYPES)]
    cells = annual.stack()
    pick = rng.choice(len(cells), size=patents, p=(cells / cells.sum()).to_numpy())
    year = cells.index.get_level_values(0).to_numpy()[pick].astype(np.int64)
    ptype = cells.index.get_level_values(1).to_numpy()[pick]
    type_code = pd.Categorical(ptype, categories=PATENT_TYPES).codes  # 0 invention, 1 utility, 2 design

    # province and applicant type ----------------------------------------------------------------
    prov = profile.provinces
    province = np.empty(patents, dtype=object)
    applicant_type = np.empty(patents, dtype=object)
    for code, name in enumerate(PATENT_TYPES):
        sel = np.flatnonzero(type_code == code)
        w = prov["filing_share"] * (prov["invention_tilt"] if code == 0 else 1.0)
        province[sel] = prov["province_code"].to_numpy()[rng.choice(len(prov), size=len(sel), p=w / w.sum())]
        share = profile.applicant_types[name]
        applicant_type[sel] = np.array(APPLICANT_TYPES)[
            rng.choice(len(share), size=len(sel), p=(share / share.sum()).to_numpy())
        ]

    # origin of the first applicant: a generator of its own, so the other columns keep their draws ------
    origin_rng = np.random.default_rng([seed, 2260])
    origin = _origins(origin_rng, profile, year, type_code, province)
    abroad = origin != province  # 港澳台 or foreign: no province
    kinds = np.array(APPLICANT_TYPES)
    applicant_type = np.where(
        abroad, kinds[origin_rng.choice(len(kinds), size=patents, p=_ABROAD_APPLICANT_TYPES)], applicant_type
    )
    province = np.where(abroad, None, province)

    # dates and numbers --------------------------------------------------------------------------
    filing = _draw_dates(rng, year)
    by_type = lambda param: life.loc[param, list(PATENT_TYPES)].to_numpy(dtype=float)[type_code]  # noqa: E731
    pct = rng.random(patents) < by_type("pct_share")
    type_digit = np.select([type_code == 0, type_code == 1], [np.where(pct, 8, 1), np.where(pct, 9, 2)], 3)
    national = {}
    for y, row in annual.iterrows():
        for code, name in enumerate(PATENT_TYPES):
            national[(int(y), code + 1)] = int(row[name] * 10_000)
    national.update({(y, 8): n // 20 for (y, t), n in list(national.items()) if t == 1})
    national.update({(y, 9): n // 200 for (y, t), n in list(national.items()) if t == 2})
    serial = _serials(rng, year, type_digit, filing, national, block)
    check = check_characters(year, type_digit, serial)
    numbers = np.char.add(
        np.char.add(np.char.add("CN", (year * 10 + type_digit).astype(str)), np.char.zfill(serial.astype(str), 7)),
        np.char.add(".", check),
    )

    claims_priority = rng.random(patents) < by_type("priority_claim_share")
    priority = filing - np.where(claims_priority, rng.integers(30, 366, patents), 0).astype("timedelta64[D]")

    # examination --------------------------------------------------------------------------------
    grant_p = (
        by_type("grant_probability")
        * np.where(type_code == 0, pd.Series(applicant_type).map(_GRANT_FACTOR).to_numpy(dtype=float), 1.0)
        * np.where(abroad, by_type("foreign_grant_factor"), 1.0)
    )
    granted = rng.random(patents) < np.clip(grant_p, 0, 0.98)
    lag = np.exp(
        np.log(by_type("decision_lag_median_days")) + by_type("decision_lag_sigma") * rng.standard_normal(patents)
    )
    decision = filing + np.maximum(lag, 20).astype(int).astype("timedelta64[D]")
    decided = decision <= as_of_d
    grant = np.where(granted & decided, decision, np.datetime64("NaT"))
    refused_kind = np.where(rng.random(patents) < 0.55, "撤回", "驳回")

    pub_lag = by_type("publication_lag_days")
    publication = np.where(
        type_code == 0,
        priority + np.minimum(pub_lag, np.maximum(lag - 1, 90)).astype(int).astype("timedelta64[D]"),
        grant,
    )
    # never before the filing date (a long priority period and an early decision would put it there)
    publication = np.maximum(publication, filing)
    # an invention withdrawn before 18 months is never published
    withdrawn_early = (type_code == 0) & ~granted & (decision < priority + np.timedelta64(548, "D"))
    publication = np.where(withdrawn_early, np.datetime64("NaT"), publication)
    publication = np.where(publication <= as_of_d, publication, np.datetime64("NaT"))

    # life after grant ---------------------------------------------------------------------------
    term = by_type("term_years").astype(int)
    term = np.where((type_code == 2) & (filing >= np.datetime64("2021-06-01")), 15, term)
    expiry = (filing.astype("datetime64[M]") + (term * 12)).astype("datetime64[D]") + (
        filing - filing.astype("datetime64[M]").astype("datetime64[D]")
    )
    lapse_years = rng.geometric(
        np.clip(by_type("lapse_hazard") * np.where(abroad, by_type("foreign_lapse_factor"), 1.0), 1e-6, 1)
    )
    lapse = _anniversary_after(filing, np.where(np.isnat(grant), filing, grant), lapse_years - 1)
    inval_years = rng.exponential(1.0 / by_type("invalidation_hazard"))
    invalid = np.where(
        np.isnat(grant), np.datetime64("NaT"), grant + (inval_years * 365.25).astype(np.int64).astype("timedelta64[D]")
    )
    end_kind = np.select(
        [(expiry <= lapse) & (expiry <= invalid), invalid < lapse], ["失效-期限届满", "失效-宣告无效"], "失效-未缴年费"
    )
    end = np.minimum(np.minimum(lapse, expiry), np.where(np.isnat(invalid), expiry, invalid))

    is_granted = ~np.isnat(grant)
    ended = is_granted & (end <= as_of_d)
    status = np.where(~decided, "审中", np.where(~granted, refused_kind, np.where(ended, end_kind, "有效")))
    lapse_date = np.where(ended, end, np.where(decided & ~granted, decision, np.datetime64("NaT")))

    # classification and titles ------------------------------------------------------------------
    ipc_symbols, stems, pools = ipc_pools()
    n_ipc = np.where(type_code == 2, 0, np.clip(1 + rng.poisson(np.maximum(by_type("ipc_count_mean") - 1, 0)), 1, 10))
    field_cols = {0: "invention", 1: "utility_model"}
    main_field = np.zeros(patents, dtype=np.int64)
    for code, col in field_cols.items():
        sel = np.flatnonzero(type_code == code)
        fw = profile.fields[col]
        fw = fw[fw.index.isin(list(pools))]
        main_field[sel] = fw.index.to_numpy()[rng.choice(len(fw), size=len(sel), p=(fw / fw.sum()).to_numpy())]

    max_ipc = int(n_ipc.max()) if patents else 0
    slot_field = np.repeat(main_field[:, None], max(max_ipc, 1), axis=1)
    other = rng.random(slot_field.shape) < 0.35
    fw_all = profile.fields["invention"] + profile.fields["utility_model"]
    fw_all = fw_all[fw_all.index.isin(list(pools))]
    random_fields = fw_all.index.to_numpy()[
        rng.choice(len(fw_all), size=slot_field.shape, p=(fw_all / fw_all.sum()).to_numpy())
    ]
    slot_field = np.where(other, random_fields, slot_field)
    slot_field[:, 0] = main_field
    slot_used = np.arange(slot_field.shape[1])[None, :] < n_ipc[:, None]
    slot_symbol = np.full(slot_field.shape, -1, dtype=np.int64)
    for f, (idx, w) in pools.items():
        mask = slot_used & (slot_field == f)
        slot_symbol[mask] = idx[rng.choice(len(idx), size=int(mask.sum()), p=w)]
    rows, seqs = np.nonzero(slot_used)
    long = pd.DataFrame({"row": rows, "seq": seqs + 1, "sym": slot_symbol[rows, seqs]})
    long = long.drop_duplicates(["row", "sym"], keep="first")
    long["seq"] = long.groupby("row").cumcount() + 1
    long["ipc"] = ipc_symbols[long["sym"].to_numpy()]
    ipc_rows, ipc_text = _join_runs(long["row"].to_numpy(), long["ipc"].to_numpy(dtype=object), ";")

    ipc_main = np.full(patents, None, dtype=object)
    ipc_all = np.full(patents, None, dtype=object)
    main_rows = long[long["seq"] == 1]
    ipc_main[main_rows["row"].to_numpy()] = main_rows["ipc"].to_numpy()
    ipc_all[ipc_rows] = ipc_text

    title = np.empty(patents, dtype=object)
    utility_suffix = np.array(["", "", "装置", "结构", "组件"], dtype=object)
    invention_suffix = np.array(["", "", "及其制备方法", "的方法", "系统及方法", "装置及方法"], dtype=object)
    main_stem = np.full(patents, "", dtype=object)
    main_stem[main_rows["row"].to_numpy()] = stems[main_rows["sym"].to_numpy()]
    suffix = np.where(
        np.char.endswith(main_stem.astype(str), "方法"),
        "",
        np.where(
            type_code == 0,
            invention_suffix[rng.integers(0, len(invention_suffix), patents)],
            utility_suffix[rng.integers(0, len(utility_suffix), patents)],
        ),
    )
    title[:] = np.char.add(np.char.add("一种", main_stem.astype(str)), suffix.astype(str)).astype(object)

    locarno = np.full(patents, None, dtype=object)
    design = np.flatnonzero(type_code == 2)
    lw = pd.Series(_LOCARNO_WEIGHTS)
    cls = lw.index.to_numpy()[rng.choice(len(lw), size=len(design), p=(lw / lw.sum()).to_numpy())]
    locarno[design] = cls
    products = (
        np.array([rng.choice(profile.locarno_products[c]) for c in cls], dtype=object)
        if len(design)
        else np.array([], dtype=object)
    )
    model = np.char.add(
        np.array(list("ABCDEFGHJKMNPQRSTXYZ"))[rng.integers(0, 20, len(design))],
        rng.integers(1, 100, len(design)).astype(str),
    )
    title[design] = np.where(
        rng.random(len(design)) < 0.5,
        products,
        np.char.add(np.char.add(products.astype(str), "（"), np.char.add(model, "）")),
    )
    # abstracts, and the technology named in some titles: from a generator of their own (other columns unchanged)
    parts = long[long["seq"].isin([2, 3])]
    other_stems = np.full(patents, "", dtype=object)
    other_rows, other_text = _join_runs(parts["row"].to_numpy(), stems[parts["sym"].to_numpy()], "和")
    other_stems[other_rows] = other_text
    field_names = pd.read_csv(
        Path(reference.__file__).parents[1] / "concordance" / "data" / "wipo_fields_2019" / "categories.csv", dtype=str
    ).set_index("category")["name_zh"]
    field_name = pd.Series(main_field.astype(str)).map(field_names).fillna("").to_numpy(dtype=object)
    title, abstract = _titles_and_abstracts(
        np.random.default_rng([seed, 0xAB57]), title, type_code, ipc_main, main_stem, other_stems, field_name
    )

    applicant = _applicants(rng, profile, province, applicant_type)
    applicant[abroad] = _foreign_applicants(origin_rng, profile, origin[abroad], applicant_type[abroad])

    register = pd.DataFrame(
        {
            "application_number": numbers.astype(object),
            "patent_type": ptype,
            "filing_date": filing,
            "priority_date": priority,
            "publication_date": publication,
            "grant_date": grant,
            "legal_status": status,
            "lapse_date": lapse_date,
            "ipc_main": ipc_main,
            "ipc": ipc_all,
            "locarno_class": locarno,
            "applicant_name": applicant,
            "applicant_type": applicant_type,
            "province_code": province,
            "origin_code": origin,
            "title": title,
            "abstract": abstract,
        }
    )
    register["__row"] = np.arange(patents)
    register = register.sort_values(["filing_date", "application_number"], kind="stable")
    order = register.pop("__row").to_numpy()
    register = register.reset_index(drop=True)
    position = np.empty(patents, dtype=np.int64)
    position[order] = np.arange(patents)
    long["position"] = position[long["row"].to_numpy()]
    long = long.sort_values(["position", "seq"])
    register_ipc = pd.DataFrame(
        {
            "application_number": register["application_number"].to_numpy()[long["position"].to_numpy()],
            "ipc": long["ipc"].to_numpy(),
            "seq": long["seq"].to_numpy(dtype=np.int16),
        }
    )
    return register, register_ipc


def demo_scale(patents: int) -> float:
    """Sampling fraction of a demo register of *patents* applications against the profile's national filings."""
    annual = load_profile().annual[list(PATENT_TYPES)]
    return patents / float(annual.to_numpy().sum() * 10_000)


def demo_population(patents: int, years: range = range(2004, 2025)) -> pd.DataFrame:
    """Demo population by province and year (万人), labelled ``status='demo'``.

    The demo register is a sample of about ``demo_scale(patents)`` of a national register, so the
    population is scaled by the same fraction: per-10,000-people indicators then have realistic
    magnitudes. Built from a rounded 2023 level and a constant growth rate per province; these are
    demo figures, not official ones.
    """
    prov = load_profile().provinces
    scale = demo_scale(patents)
    rows = [
        (code, y, round(base * scale * (1 + g) ** (y - 2023), 4))
        for code, base, g in zip(prov["province_code"], prov["population_10k_2023"], prov["population_growth"])
        for y in years
    ]
    pop = pd.DataFrame(rows, columns=["province_code", "year", "population_10k"])
    pop["status"] = f"demo: rounded 2023 population scaled by {scale:.6f} to match the demo register"
    return pop


_REGISTER_SCHEMA = pa.schema(
    [
        ("application_number", pa.string()),
        ("patent_type", pa.string()),
        ("filing_date", pa.date32()),
        ("priority_date", pa.date32()),
        ("publication_date", pa.date32()),
        ("grant_date", pa.date32()),
        ("legal_status", pa.string()),
        ("lapse_date", pa.date32()),
        ("ipc_main", pa.string()),
        ("ipc", pa.string()),
        ("locarno_class", pa.string()),
        ("applicant_name", pa.string()),
        ("applicant_type", pa.string()),
        ("province_code", pa.string()),
        ("origin_code", pa.string()),
        ("title", pa.string()),
        ("abstract", pa.string()),
    ]
)

DEMO_README = """# Demo register (synthetic — 演示数据，非真实统计)

Written by `ipstats demo-data` (ipstats {version}) with {patents:,} applications, seed {seed},
as seen on {as_of}. Every record is synthetic; shapes come from `ipstats/register/demo_profile/`.

| file | content |
|---|---|
| `register.parquet` | one row per application (schema: `data_schemas/patent_register.schema.yaml`) |
| `register_ipc.parquet` | one row per application and IPC symbol (`seq` 1 = main classification) |
| `register_sample.csv` | the first 1,000 rows of the register, UTF-8 with BOM |
| `population.csv` | population by province and year, 万人, **demo figures** scaled to the size of this register (see `status`) |
| `demo_meta.json` | how this folder was made |
"""


#: Files :func:`write_demo_data` writes itself, by name (the domains' files come on top).
REGISTER_FILES = {
    "register": "register.parquet",
    "register_ipc": "register_ipc.parquet",
    "sample": "register_sample.csv",
    "population": "population.csv",
    "meta": "demo_meta.json",
}

#: Modules whose ``write_demo(register, out, seed)`` writes the demo inputs of their domain from the demo
#: register: employment by industry (#5), patent-intensive products (#7), the patent survey (#8), patent families,
#: pledges and awards of the high-value invention indicator (#19), the legal events of patent transfer and use (#20).
DOMAIN_DEMOS = (
    "ipstats.pii.demo",
    "ipstats.products.demo",
    "ipstats.transfer.demo",
    "ipstats.survey.demo",
    "ipstats.indicators.high_value_demo",
)


def write_domain_demos(out: str | Path, seed: int = 2024) -> dict[str, Path]:
    """Write every domain's demo inputs (:data:`DOMAIN_DEMOS`) from the demo register in *out*."""
    import importlib

    out = Path(out)
    paths: dict[str, Path] = {}
    for module in DOMAIN_DEMOS:
        paths.update(importlib.import_module(module).write_demo(out / "register.parquet", out, seed=seed))
    return paths


class DemoFolderError(IpstatsError, ValueError):
    """A folder the demo data must not be written into (it holds files the demo generator did not write)."""


def is_demo_folder(folder: str | Path) -> bool:
    """Whether *folder* holds demo data written by :func:`write_demo_data` (its ``demo_meta.json``)."""
    try:
        meta = json.loads((Path(folder) / REGISTER_FILES["meta"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("generator") == "ipstats.register.demo" and meta.get("synthetic") is True


def check_demo_folder(out: str | Path) -> None:
    """Refuse a folder the demo data would be written into if it holds files the generator did not write.

    Synthetic rows must never replace a real register (which a bulletin would then publish as statistics):
    *out* must be missing, empty, or a folder of demo data (:func:`is_demo_folder`).

    Raises
    ------
    DemoFolderError
        One line naming the folder and a file in it.
    """
    out = Path(out)
    if not out.exists() or is_demo_folder(out):
        return
    if not out.is_dir():
        raise DemoFolderError(f"{out} exists and is not a folder")
    entries = sorted(p.name for p in out.iterdir())
    if entries:
        raise DemoFolderError(
            f"{out} holds {entries[0]}{' and more' if len(entries) > 1 else ''}, which ipstats "
            f"demo-data did not write (no demo_meta.json): synthetic data is only written into "
            f"a new or empty folder"
        )


def generator_fingerprint() -> str:
    """sha256 over the demo generators' code and profiles: a demo folder made by other code is made anew.

    Covers this module, the domain demos (:data:`DOMAIN_DEMOS`) and every ``demo_profile/`` file they read.
    """
    import hashlib
    import importlib.util

    digest = hashlib.sha256()
    for module in (__name__, *DOMAIN_DEMOS):
        source = Path(importlib.util.find_spec(module).origin)
        files = [source, *sorted((source.parent / "demo_profile").glob("*"))]
        for path in files:
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


#: Largest register :func:`write_demo_data` draws in one piece. A larger one is drawn and written in blocks of at most
#: this many applications (:func:`_write_blocks`), so memory stays that of one block whatever the size (5 M
#: applications in one piece needed more than 14 GB). Registers up to this size are exactly those of earlier
#: versions for the same seed; a streamed one cannot be: its draws are made block by block (see ``_write_blocks``).
STREAM_BLOCK = 250_000


def register_rows(register: str | Path) -> int:
    """Number of applications in the demo *register* (a Parquet file), read from its footer."""
    return int(pq.ParquetFile(register).metadata.num_rows)


def is_streamed(register: str | Path) -> bool:
    """Whether the domain demos read the demo *register* block by block (more than :data:`STREAM_BLOCK` rows)."""
    return register_rows(register) > STREAM_BLOCK


def register_blocks(register: str | Path, columns: list[str]) -> Iterator[pd.DataFrame]:
    """The demo *register*'s *columns* in file order, in blocks of at most :data:`STREAM_BLOCK` rows.

    A register written by :func:`_write_blocks` yields its blocks; memory is that of one block (the domain
    demos' streamed path: every application is in exactly one block).
    """
    # pre_buffer=False: with it, pyarrow keeps ~2 MB of every row group read until the file is closed
    for batch in pq.ParquetFile(register, pre_buffer=False).iter_batches(
        batch_size=STREAM_BLOCK, columns=list(columns)
    ):
        yield batch.to_pandas()


def block_seed(seed: int, k: int) -> int:
    """The seed of block *k* of a streamed demo register of seed *seed* (independent streams per block)."""
    return int(np.random.SeedSequence([int(seed), 0xB10C, int(k)]).generate_state(1, dtype=np.uint64)[0] >> 1)


def _write_blocks(paths: dict[str, Path], patents: int, seed: int, as_of: str, meta: dict) -> int:
    """Draw the register block by block and append each to ``register.parquet`` and ``register_ipc.parquet``.

    Block *k* of *n* is :func:`generate_register` of its share of the applications (``patents // n``, one more for
    the first ``patents % n``) with seed :func:`block_seed` and serial numbers ``≡ k + 1 (mod n)``, so application
    numbers stay distinct. Within a block rows are in filing-date order, as in a register drawn in one piece;
    the file is the blocks one after the other (not sorted by filing date over the whole file), and the IPC
    links follow the register's row order. Returns the number of blocks.
    """
    blocks = -(-patents // STREAM_BLOCK)
    schema = _REGISTER_SCHEMA.with_metadata({b"ipstats.demo": json.dumps(meta).encode()})
    ipc_schema = pa.schema([("application_number", pa.string()), ("ipc", pa.string()), ("seq", pa.int16())])
    with (
        pq.ParquetWriter(paths["register"], schema, compression="zstd") as writer,
        pq.ParquetWriter(paths["register_ipc"], ipc_schema, compression="zstd") as ipc_writer,
    ):
        for k in range(blocks):
            size = patents // blocks + (k < patents % blocks)
            register, register_ipc = generate_register(
                patents=size, seed=block_seed(seed, k), as_of=as_of, block=(k, blocks)
            )
            writer.write_table(pa.Table.from_pandas(register, schema=schema, preserve_index=False))
            ipc_writer.write_table(pa.Table.from_pandas(register_ipc, schema=ipc_schema, preserve_index=False))
            if k == 0:
                register.head(1000).to_csv(paths["sample"], index=False, encoding="utf-8-sig")
            log.info("demo register: block %d of %d written (%s applications)", k + 1, blocks, f"{size:,}")
            del register, register_ipc
    return blocks


def write_demo_data(
    out: str | Path, patents: int = 100_000, seed: int = 2024, as_of: str = DEFAULT_AS_OF, domains: bool = True
) -> dict[str, Path]:
    """Generate the demo register and its side tables into *out*.

    Parameters
    ----------
    out : path
        Folder to write: new, empty or an earlier demo folder (:func:`check_demo_folder`), whose files
        are replaced.
    patents, seed, as_of
        As for :func:`generate_register`.
    domains : bool
        Also write the domain inputs made from the register (:func:`write_domain_demos`: employment by
        industry, products and links, the survey sample); the benchmarks need the register only.

    Returns
    -------
    dict
        Paths of the written files by name (``register``, ``register_ipc``, ``sample``,
        ``population``, ``meta`` and the domains' files).
    """
    out = Path(out)
    check_demo_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f for name, f in REGISTER_FILES.items()}
    meta = {
        "generator": "ipstats.register.demo",
        "ipstats_version": __version__,
        "patents": int(patents),
        "seed": int(seed),
        "as_of": as_of,
        "synthetic": True,
        "generator_sha256": generator_fingerprint(),
    }
    if patents > STREAM_BLOCK:
        meta["blocks"] = _write_blocks(paths, patents, seed, as_of, meta)
    else:
        register, register_ipc = generate_register(patents=patents, seed=seed, as_of=as_of)
        table = pa.Table.from_pandas(register, schema=_REGISTER_SCHEMA, preserve_index=False)
        table = table.replace_schema_metadata({b"ipstats.demo": json.dumps(meta).encode()})
        pq.write_table(table, paths["register"], compression="zstd")
        pq.write_table(
            pa.Table.from_pandas(register_ipc, preserve_index=False), paths["register_ipc"], compression="zstd"
        )
        register.head(1000).to_csv(paths["sample"], index=False, encoding="utf-8-sig")
        del register, register_ipc
    demo_population(patents).to_csv(paths["population"], index=False, encoding="utf-8-sig")
    (out / "README.md").write_text(
        DEMO_README.format(version=__version__, patents=patents, seed=seed, as_of=as_of), encoding="utf-8"
    )
    if domains:
        paths.update({k: v for k, v in write_domain_demos(out, seed).items() if k not in paths})
    meta["files"] = {name: path.name for name, path in paths.items()}
    (out / "demo_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("demo register: %s applications written to %s", f"{patents:,}", out)
    return paths


def ensure_demo_data(
    out: str | Path, patents: int = 100_000, seed: int = 2024, as_of: str = DEFAULT_AS_OF, domains: bool = True
) -> dict[str, Path]:
    """Return the demo files in *out*, generating them first if missing or made with other settings.

    A register made with the same settings is kept; missing domain files (:func:`write_domain_demos`)
    are written beside it.
    """
    out = Path(out)
    meta_path = out / "demo_meta.json"
    if meta_path.exists() and (out / "register.parquet").exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        wanted = {"patents": patents, "seed": seed, "as_of": as_of, "generator_sha256": generator_fingerprint()}
        if all(meta.get(k) == v for k, v in wanted.items()):
            files = {name: out / f for name, f in (meta.get("files") or REGISTER_FILES).items()}
            # domain files are written beside a register made before they existed, or when one is missing
            if domains and (len(files) <= len(REGISTER_FILES) or not all(p.exists() for p in files.values())):
                files.update({k: v for k, v in write_domain_demos(out, seed).items() if k not in files})
                meta["files"] = {name: path.name for name, path in files.items()}
                meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
            return files
    return write_demo_data(out, patents=patents, seed=seed, as_of=as_of, domains=domains)


def is_demo_file(path: str | Path, name: str) -> bool:
    """Whether *path* is the demo file *name* in a demo folder.

    A demo folder's name contains ``demo`` or is ``ci``, and the folder is missing, empty or written by
    :func:`write_demo_data` (:func:`is_demo_folder`). The guard of every ``demo_if_missing``: only such a
    path is ever filled with synthetic data, so a mistyped path to real data is reported as missing instead.
    """
    path = Path(path)
    folder = path.parent
    named = ("demo" in folder.name or folder.name == "ci") and path.name == name
    return named and (not folder.exists() or is_demo_folder(folder) or not any(folder.iterdir()))


def demo_file_if_missing(path: str | Path, name: str, what: str, write) -> None:
    """Call ``write(folder)`` when the demo file *path* is missing, the guard of every domain's ``demo_if_missing``.

    Only a path that :func:`is_demo_file` accepts under the fixed *name* is ever filled with synthetic data; any
    other missing path raises ``FileNotFoundError("{path}: {what} file not found")``, so a mistyped path to real
    data is reported as missing instead.
    """
    path = Path(path)
    if path.exists():
        return
    if not is_demo_file(path, name):
        raise FileNotFoundError(f"{path}: {what} file not found")
    write(path.parent)


def demo_if_missing(register: str | Path, patents: int) -> None:
    """Generate the demo data into the register's folder when *register* is missing and *patents* > 0.

    Only a folder whose name contains ``demo`` or ``ci`` is written, so a mistyped path to a real
    register is reported as missing instead of being replaced by synthetic data.
    """
    register = Path(register)
    if register.exists() or patents <= 0:
        return
    if not is_demo_file(register, "register.parquet"):
        raise FileNotFoundError(f"{register}: register file not found")
    ensure_demo_data(register.parent, patents=patents)
