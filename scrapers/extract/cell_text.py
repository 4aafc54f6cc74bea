"""The text of a table cell whose words wrap over several lines ("商业企 / 业", "（三）不 / 予公开").

Chinese has no spaces between words, so a line break inside Chinese text joins with
nothing; between Latin words or numbers it stands for a space.
"""

from __future__ import annotations


# CJK characters and full-width punctuation: every code point above this one (from U+2E80 on).
WIDE_FROM = 0x2E7F


def is_wide(char: str) -> bool:
    """CJK characters and full-width punctuation (everything from U+2E80 on)."""
    return bool(char) and ord(char[0]) > WIDE_FROM


def join_wrapped(lines: list[str]) -> str:
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out and not is_wide(out[-1]) and not is_wide(line[0]):
            out += " "
        out += line
    return out
