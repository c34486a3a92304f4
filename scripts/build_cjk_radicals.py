"""Build ipstats/bulletin/data/cjk_radicals.csv: CJK radical code points and the ideograph drawn with the same glyph.

Chromium's PDF writer (Skia) maps each glyph back to the *lowest* code point the font maps to it. Noto Sans CJK
maps the Kangxi radicals (U+2F00–U+2FD5) and the CJK Radicals Supplement (U+2E80–U+2EF3) to the glyphs of the
ideographs they look like, so text copied from ``bulletin.pdf`` reads ``增⻓`` for 增长 and ``⼈⼝`` for 人口.
:func:`ipstats.bulletin.pdf.fix_text_mapping` uses this table to map them back.

The table is read from the font's own character map (format 12 ``cmap`` subtable of the face named here): every
radical code point whose glyph is also the glyph of a unified ideograph (U+4E00–U+9FFF, else U+3400–U+4DBF).

Run: ``python scripts/build_cjk_radicals.py [FONT.ttc] [FACE]`` (default: Debian's fonts-noto-cjk, Noto Sans CJK SC).
"""

from __future__ import annotations

import csv
import struct
import sys
import unicodedata
from pathlib import Path

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = "Noto Sans CJK SC"
TARGET = Path(__file__).resolve().parents[1] / "ipstats" / "bulletin" / "data" / "cjk_radicals.csv"
RADICALS = list(range(0x2E80, 0x2EF4)) + list(range(0x2F00, 0x2FD6))


def _tables(data: bytes, offset: int) -> dict[str, tuple[int, int]]:
    (count,) = struct.unpack_from(">H", data, offset + 4)
    found = {}
    for i in range(count):
        tag, _, start, length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        found[tag.decode("latin-1")] = (start, length)
    return found


def _family(data: bytes, start: int) -> set[str]:
    _, count, strings = struct.unpack_from(">HHH", data, start)
    names = set()
    for i in range(count):
        platform, _, _, name_id, length, offset = struct.unpack_from(">6H", data, start + 6 + 12 * i)
        if platform == 3 and name_id in (1, 4):
            raw = data[start + strings + offset : start + strings + offset + length]
            names.add(raw.decode("utf-16-be", errors="replace"))
    return names


def _cmap(data: bytes, start: int) -> dict[int, int]:
    _, count = struct.unpack_from(">HH", data, start)
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, start + 4 + 8 * i)
        sub = start + offset
        (fmt,) = struct.unpack_from(">H", data, sub)
        if platform == 3 and encoding == 10 and fmt == 12:
            (groups,) = struct.unpack_from(">I", data, sub + 12)
            mapping = {}
            for g in range(groups):
                first, last, glyph = struct.unpack_from(">III", data, sub + 16 + 12 * g)
                for code in range(first, last + 1):
                    mapping[code] = glyph + code - first
            return mapping
    raise SystemExit("no format 12 (platform 3, encoding 10) cmap subtable")


def radical_map(font: Path, face: str) -> dict[int, int]:
    """Radical code point → ideograph sharing its glyph in *face* of *font*."""
    data = font.read_bytes()
    offsets = [0]
    if data[:4] == b"ttcf":
        (count,) = struct.unpack_from(">I", data, 8)
        offsets = list(struct.unpack_from(f">{count}I", data, 12))
    for offset in offsets:
        tables = _tables(data, offset)
        if face in _family(data, tables["name"][0]):
            cmap = _cmap(data, tables["cmap"][0])
            break
    else:
        raise SystemExit(f"face {face!r} not in {font}")
    by_glyph: dict[int, list[int]] = {}
    for code, glyph in cmap.items():
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            by_glyph.setdefault(glyph, []).append(code)
    found = {}
    for code in RADICALS:
        glyph = cmap.get(code)
        candidates = sorted(by_glyph.get(glyph, []), key=lambda c: (not 0x4E00 <= c <= 0x9FFF, c))
        if candidates:
            found[code] = candidates[0]
    return found


def main() -> None:
    font = Path(sys.argv[1]) if len(sys.argv) > 1 else FONT
    face = sys.argv[2] if len(sys.argv) > 2 else FACE
    found = radical_map(font, face)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["radical", "ideograph", "radical_name"])
        for code, ideograph in sorted(found.items()):
            writer.writerow([f"U+{code:04X}", f"U+{ideograph:04X}", unicodedata.name(chr(code), "")])
    print(f"{TARGET}: {len(found)} radicals ({font.name}, {face})")


if __name__ == "__main__":
    main()
