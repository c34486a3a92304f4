"""Keyword conditions of concordance rules: CNIPA's descriptive phrases split into searchable terms.

CNIPA cells are phrases such as ``光纤宽带运营服务；新一代移动通信核心网和接入网建设、组网等移动电信服务``.
They are split on ``、；，;,`` (and new lines), a trailing ``等`` is dropped from each part, and parts
shorter than two characters are ignored. Terms and texts are *folded* the same way before they are
compared: full-width ASCII forms and the ideographic space become ASCII (``ＧＰＵ`` → ``GPU``), and ASCII
letters lower case (``GPU`` → ``gpu``; :func:`ipstats.engines.scan.fold`). A rule is *keyword-confirmed* for a patent when any term occurs in its title or abstract.
"""

from __future__ import annotations

import re

from ipstats.engines.scan import fold

__all__ = ["split_terms"]

_SPLIT = re.compile(r"[、；，;,\n\r]+")


def split_terms(cell: str | None) -> list[str]:
    """Split a keyword cell into distinct terms, in order.

    Examples
    --------
    >>> split_terms("光纤宽带运营服务；移动话音服务、移动数据通信服务等其他电信服务")
    ['光纤宽带运营服务', '移动话音服务', '移动数据通信服务等其他电信服务']
    >>> split_terms("智能芯片;AI芯片;ＧＰＵ等")
    ['智能芯片', 'ai芯片', 'gpu']
    """
    if cell is None or cell != cell or not str(cell).strip():
        return []
    terms = []
    for part in _SPLIT.split(fold(str(cell))):
        part = part.strip().removesuffix("等").strip()
        if len(part) >= 2 and part not in terms:
            terms.append(part)
    return terms
