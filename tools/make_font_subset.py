"""Build crmstudy's bundled Chinese font: a subset of Noto Sans CJK SC Regular (SIL OFL 1.1).

Why a bundled font: matplotlib's default DejaVu Sans has no Chinese glyphs, and students on a
fresh machine, Colab or Windows may have no CJK font matplotlib can find.  The subset keeps
every character of GB 2312 (6,763 hanzi: covers practically all simplified Chinese text in
labels), ASCII, Latin-1, Greek (α, β, λ, χ ...), general punctuation, CJK symbols and
punctuation, full-width forms, arrows and math operators.  Outlines are unchanged (CFF).

Source font: Debian package fonts-noto-cjk (NotoSansCJK-Regular.ttc, face "Noto Sans CJK SC"),
upstream https://github.com/notofonts/noto-cjk.  Regenerate (needs fonttools and that package):

    apt-get install fonts-noto-cjk && python tools/make_font_subset.py
"""
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).resolve().parents[1] / "crmstudy" / "fonts" / "NotoSansSC-crmstudy-subset.otf"


def gb2312_characters() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def wanted_codepoints() -> set[int]:
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x370, 0x3FF), (0x2000, 0x206F), (0x2100, 0x214F),
              (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x25A0, 0x25FF),
              (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    points = {cp for lo, hi in ranges for cp in range(lo, hi + 1)}
    points |= {ord(c) for c in gb2312_characters()}
    return points


def main() -> None:
    collection = TTCollection(str(SOURCE))
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted_codepoints()))
    subsetter.subset(font)
    # A distinct family name, so the subset never shadows a full Noto installation.
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "Noto Sans SC crmstudy"
        elif record.nameID == 6:
            record.string = "NotoSansSC-crmstudy"
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"{TARGET}: {TARGET.stat().st_size / 1e6:.2f} MB, {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main()
