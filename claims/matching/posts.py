"""A pasted social-media post: its own words apart from the "— Name (@handle) Month D, YYYY" line that signs it.

An embedded post copied from a page ends with who posted it and when. The poster's name is often not what the
post claims ("— Dinesh D'Souza (@DineshDSouza)" under a post about George Soros), so the re-ranker is also told
how much of the post's own words a record covers.
"""

from __future__ import annotations

import re

# A dash, the poster's name, their (@handle), and the date, at the very end of the text ("October 04, 19" too).
SIGNATURE = re.compile(r"\s+[—–-]+\s*[^—–\n]*?\(@\w+\)\s+[A-Z][a-z]+\.? \d{1,2}, (?:\d{4}|\d{2})\s*$")


def post_body(text: str) -> str:
    """The text without a post's closing signature line (the text itself when it has none)."""
    return SIGNATURE.sub("", text)
