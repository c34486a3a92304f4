"""Fixtures of the PII tests."""

import pandas as pd
import pytest


@pytest.fixture
def write_register(tmp_path):
    """Write a toy register CSV: the given columns (application numbers with valid check characters) and the
    register's other required columns filled with one valid value (a register CSV is validated when read)."""

    def write(frame: pd.DataFrame, name: str = "register.csv"):
        defaults = {
            "filing_date": "2021-01-05",
            "legal_status": "有效",
            "lapse_date": "",
            "applicant_type": "企业",
            "province_code": "11",
            "title": "",
        }
        frame = frame.assign(**{k: v for k, v in defaults.items() if k not in frame.columns})
        path = tmp_path / name
        frame.to_csv(path, index=False)
        return path

    return write
