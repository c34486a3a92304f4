"""Absurd shapes are refused with one line, and validation stays bounded in memory (issue 25 item 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ipstats.validate import validate_file
from ipstats.validate.readers import MAX_CELL_CHARS, MAX_COLUMNS

POPULATION = "province_code,year,population_10k,status\n"


def repeated(value: str, rows: int) -> pa.DictionaryArray:
    """One text value in every row, built as a dictionary (small here; huge once decoded)."""
    return pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array([value]))


def only_line(path: Path, schema: str = "population") -> str:
    report = validate_file(path, schema)
    assert report.n_problems == 1, report.lines()
    return report.lines()[0]


def test_too_many_columns(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS + 5)) + "\n" + "1," * (MAX_COLUMNS + 4) + "1\n")
    assert (
        only_line(wide) == f"{wide}: {MAX_COLUMNS + 5:,} columns — expected at most {MAX_COLUMNS:,} (is this a table?)"
    )
    table = pa.table({f"c{i}": [1] for i in range(MAX_COLUMNS + 1)})
    pq.write_table(table, tmp_path / "wide.parquet")
    assert only_line(tmp_path / "wide.parquet").endswith(
        f"{MAX_COLUMNS + 1:,} columns — expected at most {MAX_COLUMNS:,} (is this a table?)"
    )


def test_cells_above_the_csv_module_limit_read_and_huge_cells_refused(tmp_path):
    long = tmp_path / "long.csv"
    long.write_text(POPULATION + "11,2023,5," + "z" * 200_000 + "\n", encoding="utf-8")  # csv's default: 131,072
    assert validate_file(long, "population").ok
    huge = tmp_path / "huge.csv"
    huge.write_text(POPULATION + "11,2023,5," + "z" * (MAX_CELL_CHARS + 1) + "\n", encoding="utf-8")
    assert only_line(huge) == (
        f"{huge}: row 2: a cell of more than {MAX_CELL_CHARS:,} characters — expected cells "
        f"of at most 1 MiB (is this a table?)"
    )


def test_dictionary_parquet_cell_over_the_limit_is_refused_before_decoding(tmp_path):
    path = tmp_path / "big.parquet"
    table = pa.table(
        {
            "province_code": ["11"] * 3000,
            "year": list(range(3000)),
            "population_10k": repeated("z" * (2 * MAX_CELL_CHARS), 3000),
        }
    )
    pq.write_table(table, path, compression="zstd", dictionary_pagesize_limit=64 << 20)
    assert path.stat().st_size < 100_000  # 6 GiB of text in a few kB
    assert only_line(path) == (
        f"{path}: row 2: population_10k: a cell of {2 * MAX_CELL_CHARS:,} bytes — expected "
        f"cells of at most 1 MiB (is this a table?)"
    )


def test_tiny_parquet_that_decodes_to_gigabytes_stays_bounded(tmp_path):
    """500 rows of 0.9 MiB each (460 MB decoded) in a 10 kB file: validated in slices, never decoded at once."""
    path = tmp_path / "bomb.parquet"
    table = pa.table(
        {"province_code": ["11"] * 500, "year": [2023] * 500, "population_10k": repeated("z" * (900 << 10), 500)}
    )
    pq.write_table(table, path, compression="zstd", dictionary_pagesize_limit=64 << 20)
    # the peak of this process only: VmHWM (ru_maxrss keeps the forking parent's peak across exec, so under a
    # large pytest process it reported the parent's size)
    code = (
        "import re, sys\nfrom ipstats.validate import validate_file\n"
        f"r = validate_file({str(path)!r}, 'population')\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
        "print(r.n_problems, hwm)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    problems, peak_kb = map(int, out.stdout.split())
    assert problems == 500 + 499  # not a number in each row; the repeated primary key
    assert peak_kb < 600 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
