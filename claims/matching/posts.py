"""A pasted social-media post: its own words apart from the "— Name (@handle) Month D, YYYY" line that signs it.

An embedded post copied from a page ends with who posted it and when. The poster's name is often not what the
post claims ("— Dinesh D'Souza (@DineshDSouza)" under a post about George Soros), so the re-ranker is also told
how much of the post's own words a record covers.
"""

from __future__ import annotations

import re

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# The (@handle) and the date that end a signature ("October 04, 19" too), at the very end of the text.
HANDLE_AND_DATE = re.compile(rf"\(@\w+\)[ \t]+{MONTH} \d{{1,2}}, (?:\d{{4}}|\d{{2}})\s*\Z")
# The dash that opens a signature: a dash (or a run of them) after a space.
DASH = re.compile(r"\s[—–-]+[ \t]*")
# A poster's name is short: a dash further back than this begins a sentence of the post, not its signature.
MAX_NAME = 80


def post_body(text: str) -> str:
    """The text without a post's closing signature line (the text itself when it has none).

    The signature begins at the last dash before "(@handle) date" on that line, so a dash in the post's own
    words ("prices - they rose") stays with them. Linear in the length of the text.
    """
    signed = HANDLE_AND_DATE.search(text)
    if signed is None:
        return text
    line_start = text.rfind("\n", 0, signed.start()) + 1
    line = text[max(line_start, signed.start() - MAX_NAME - 8) : signed.start()]
    dashes = list(DASH.finditer(line))
    if not dashes:
        return text
    return text[: signed.start() - len(line) + dashes[-1].start()].rstrip()
