"""Numbers stated by an English text and its Chinese original, compared within the precision both print
(shared by the English-text tests of products, survey and transfer)."""

from __future__ import annotations

import re

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ZH_SCALE = {"万": 1e4, "亿": 1e8}
_EN_SCALE = {"million": 1e6, "billion": 1e9}


def _numbers(text: str, lang: str) -> list[tuple[float, float, str]]:
    """(value, half the last printed unit, as printed) of every number in *text*, scaled by 万/亿 (Chinese) or
    million/billion (English); a Chinese ``增长1.3倍`` is the percentage 130 (to 10 points), as English prints it."""
    scale = r"\s*(万|亿)?(倍)?" if lang == "zh" else r"(?:\s+(million|billion))?"
    out = []
    for m in re.finditer(rf"({_NUMBER}){scale}", text):
        digits = m.group(1).replace(",", "")
        step = 10.0 ** -(len(digits.split(".")[1]) if "." in digits else 0)
        factor = (_ZH_SCALE if lang == "zh" else _EN_SCALE).get(m.group(2) or "", 1.0)
        if lang == "zh" and m.group(3) and text[max(0, m.start() - 2) : m.start()] == "增长":
            factor = 100.0  # 增长1.3倍: up 130 %
        out.append((float(digits) * factor, step * factor / 2, m.group(0)))
    return out


def unstated_numbers(english: str, chinese: str) -> list[str]:
    """Numbers of *english* that no number of *chinese* states (equal within the precision both print)."""
    stated = _numbers(chinese, "zh")
    return [
        shown
        for value, half, shown in _numbers(english, "en")
        if not any(abs(value - v) <= half + h + 1e-9 * max(1.0, abs(v)) for v, h, _ in stated)
    ]
