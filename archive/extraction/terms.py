"""Party terms (nhiệm kỳ) a text states.

find_terms(text) -> [(2020, 2025), ...] for every "nhiệm kỳ 2020 - 2025" the text states, once each.
"""

import re

from archive.text import fold, normalise

_TERM = re.compile(r"nhiem ky\s*\(?\s*(\d{4})\s*[-–—]\s*(\d{4})")


def find_terms(text: str) -> list[tuple[int, int]]:
    found = []
    for start, end in _TERM.findall(fold(normalise(text)).lower()):
        span = (int(start), int(end))
        if 1930 <= span[0] < span[1] <= span[0] + 10 and span not in found:
            found.append(span)
    return found
