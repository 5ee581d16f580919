"""Redaction masks: the ``*``/``X``/``xx``/``20xx``/``____`` marks that published copies put for names and numbers."""

from __future__ import annotations

import re

# A run of mask characters that is not part of a Latin word. ``20xx``/``202x`` are masked years.
MASK_RE = re.compile(
    r"(?:20[0-9xX]?[xX×]{1,2}(?=年))"          # 20xx年, 202x年
    r"|[\*＊]+"                                # *, **, ***, ＊＊
    r"|(?<![A-Za-z])(?:[Xx×]{1,4})(?![A-Za-z])"  # X, XX, xx, XXXX, ××
    r"|_{2,}|＿{2,}"                            # ____
)


def blank_masks(text: str) -> str:
    """The text with every mask replaced by spaces of the same length (offsets unchanged)."""
    return MASK_RE.sub(lambda m: " " * (m.end() - m.start()), text)
