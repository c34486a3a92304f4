"""``ipstats cache``: what the cache folder holds, pruning by last use, clearing only what ipstats wrote."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ipstats import cache
from ipstats.cli import main
from ipstats.validate.typed import typed_parquet

DAY = 86_400
POPULATION = "province_code,year,population_10k,status\n11,2023,2185.8,final\n31,2023,2487.5,final\n"


def _age(path: Path, days: float) -> None:
    stamp = time.time() - days * DAY
    os.utime(path, (stamp, stamp))


def _fake_cache(root: Path) -> dict[str, Path]:
    """One entry of each kind, plus files and folders ipstats did not write."""
    made = {
        "typed": root / f"patent_register-{'a' * 32}.parquet",
        "checked": root / "checked" / f"{'b' * 64}.json",
        "classified": root / "classified" / ("c" * 64),
        "sha256": root / "sha256" / f"{'d' * 64}.txt",
        "partial": root / "classified" / ".partial-x1y2",
    }
    for name, path in made.items():
        if name in ("classified", "partial"):
            path.mkdir(parents=True)
            (path / "links.parquet").write_bytes(b"x" * 100)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"y" * 10)
    foreign = {
        "notes": root / "notes.txt",
        "named": root / "patent_register-not-a-key.parquet",
        "folder": root / "classified" / "my-analysis",
        "sub": root / "checked" / "readme.json",
    }
    for name, path in foreign.items():
        if name == "folder":
            path.mkdir(parents=True)
            (path / "keep.csv").write_text("a\n")
        else:
            path.write_text("mine")
    return {**made, **{f"foreign_{k}": v for k, v in foreign.items()}}


def test_entries_are_only_what_ipstats_wrote(tmp_path):
    made = _fake_cache(tmp_path)
    found = {e.path: e for e in cache.entries(tmp_path)}
    assert set(found) == {p for k, p in made.items() if not k.startswith("foreign")}
    assert found[made["classified"]].size == 100 and found[made["classified"]].kind == "classified"
    assert found[made["partial"]].kind == "classified"
    rows = {kind: (n, size) for kind, n, size, _ in cache.summary(tmp_path)}
    assert rows == {"typed": (1, 10), "checked": (1, 10), "classified": (2, 200), "sha256": (1, 10)}


def test_prune_removes_unused_entries_and_nothing_foreign(tmp_path):
    made = _fake_cache(tmp_path)
    for key in ("typed", "classified", "partial"):
        _age(made[key], 40)
    for key in ("foreign_notes", "foreign_named", "foreign_folder"):
        _age(made[key], 400)
    removed = {e.path for e in cache.prune(30, tmp_path)}
    assert removed == {made["typed"], made["classified"], made["partial"]}
    assert all(made[k].exists() for k in ("checked", "sha256")) and all(
        p.exists() for k, p in made.items() if k.startswith("foreign")
    )
    cleared = {e.path for e in cache.clear(tmp_path)}
    assert cleared == {made["checked"], made["sha256"]}
    assert all(p.exists() for k, p in made.items() if k.startswith("foreign"))
    assert (made["foreign_folder"] / "keep.csv").read_text() == "a\n"


def test_a_hit_renews_the_entries_it_reads(tmp_path, monkeypatch):
    """typed_parquet's hit touches its record, its Parquet and the remembered hash: pruning keeps them."""
    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "population.csv"
    source.write_text(POPULATION, encoding="utf-8")
    typed_parquet(source, "population")
    written = cache.entries()
    assert {e.kind for e in written} == {"typed", "checked", "sha256"}
    for entry in written:
        _age(entry.path, 40)
    typed_parquet(source, "population")
    assert cache.prune(30) == []
    for entry in cache.entries():
        _age(entry.path, 40)
    assert {e.kind for e in cache.prune(30)} == {"typed", "checked", "sha256"}
    assert cache.entries() == []
    typed_parquet(source, "population")  # made again when missing
    assert {e.kind for e in cache.entries()} == {"typed", "checked", "sha256"}


def test_cache_command(tmp_path, capsys):
    made = _fake_cache(tmp_path)
    _age(made["typed"], 10)
    assert main(["cache", "--folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "classified" in out and "2 entries" in out and "oldest last used 10.0 days ago" in out
    assert main(["cache", "--prune", "5", "--folder", str(tmp_path)]) == 0
    assert "removed 1 entry," in capsys.readouterr().out and not made["typed"].exists()
    assert main(["cache", "--clear", "--folder", str(tmp_path)]) == 0
    assert "removed 4 entries" in capsys.readouterr().out
    assert made["foreign_notes"].read_text() == "mine"
    assert main(["cache", "--prune", "-1", "--folder", str(tmp_path)]) == 1
    assert "days must be zero or more" in capsys.readouterr().err
