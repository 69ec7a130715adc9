"""Splitting formula text at top-level separators (outside parentheses and brackets)."""

from __future__ import annotations

__all__ = ["split_top_level"]


def split_top_level(text: str, separator: str) -> list[str]:
    """Split ``text`` at each ``separator`` character that is not nested in () or [].

    Examples
    --------
    >>> split_top_level("a + f(b, c) + d[1,2]", "+")
    ['a ', ' f(b, c) ', ' d[1,2]']
    >>> split_top_level("s, f(x, y)", ",")
    ['s', ' f(x, y)']
    """
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts
