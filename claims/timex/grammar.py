"""The grammar of time expressions: one regex branch per kind, joined into a single alternation.

Each branch is a named group; the finder reads `match.lastgroup` to know which kind matched and hands the
match to the resolver of that name in rules.py. Sub-patterns inside a branch carry the branch's prefix.
"""

from __future__ import annotations

import importlib
import re
import string
from collections.abc import Iterable
from typing import Any

from .lexicon import (
    HOLIDAYS,
    MONTHS,
    MONTHS_CAPITALISED,
    PARTS_OF_DAY,
    REFERENCES,
    SEASONS,
    SET_ADVERBS,
    SMALL_NUMBERS,
    TENS,
    UNITS,
    ZONES,
    alternation,
)

# The standard library's own regex parser, to learn the characters a branch can start with. Imported by name:
# these modules are private, so typeshed has no stubs for them and they are used as untyped (Any).
_sre: Any
_sre_parse: Any
try:
    _sre = importlib.import_module("re._constants")
    _sre_parse = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - other Pythons
    _sre = _sre_parse = None

MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
FULL_MONTH = alternation(m for m in MONTHS if len(m) > 4 or m in {"may", "june", "july"})
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
YEAR = r"(?:1[5-9]|20)\d\d"
DAY = r"[0-3]?\d(?:st|nd|rd|th)?(?![\d:.,]\d|\s*%|\s+percent)"
WORD_NUMBER = (
    rf"(?:(?:{'|'.join(TENS)})(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|"
    rf"{alternation(SMALL_NUMBERS)})"
)
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})*(?:\.\d+)?|{WORD_NUMBER})"
VAGUE = r"(?:several|a\s+few|few|many|some|a\s+number\s+of|a\s+couple\s+of)"
UNIT = (
    r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|quarters?|years?|decades?|centur(?:y|ies))"
)
PLURAL_UNIT = r"(?:seconds|minutes|hours|days|nights|weeks|months|years|decades|centuries)"
DAYPART = alternation(PARTS_OF_DAY)
ZONE = (
    rf"(?:{alternation(z.upper() for z in ZONES)}|local\s+time|"
    r"(?:Eastern|Central|Mountain|Pacific)(?:\s+(?:Standard|Daylight))?\s+[Tt]ime)\b"
)
ORDINAL = r"(?:first|second|third|fourth|1st|2nd|3rd|4th|final)"
SEASON = alternation(SEASONS)
DURATION_LEAD = (
    r"(?:at\s+least|at\s+most|more\s+than|less\s+than|fewer\s+than|up\s+to|nearly|almost|about|around|"
    r"roughly|approximately|some|over|within|another|an\s+additional|each\s+of\s+the\s+(?:past|last)|"
    r"the\s+(?:past|last|next|first|final|coming|previous|following|latest|remaining|same|entire|"
    r"full)|the)"
)

BRANCHES = {
    "iso": rf"\b{YEAR}-[01]\d-[0-3]\d\b(?:T\d\d:\d\d)?",
    "clock": (
        r"(?:(?P<clock_lead>around|about|shortly\s+(?:before|after)|just\s+(?:before|after))\s+)?"
        r"(?:(?P<clock_h>[01]?\d)(?:[:.](?P<clock_mi>[0-5]\d))?\s*(?P<clock_ap>[ap]\.?\s?m\b\.?)"
        r"|(?P<clock_h24>[0-2]?\d):(?P<clock_mi24>[0-5]\d)(?!\d)"
        r"|(?P<clock_named>noon|midday|midnight)"
        rf"|(?P<clock_hw>\d{{1,2}}|{WORD_NUMBER})\s+(?:o['’]clock|in\s+the\s+(?P<clock_dp>morning|afternoon|evening)))"
        rf"(?:,?\s+(?P<clock_zone>{ZONE}))?"
    ),
    "holiday": (
        rf"(?:(?P<holiday_mod>last|this|next)\s+)?(?P<holiday_name>{alternation(HOLIDAYS)})\b"
        rf"(?:,?\s+(?P<holiday_year>{YEAR})\b)?"
    ),
    "monthday": (
        rf"(?P<monthday_week>the\s+week\s+of\s+)?(?:(?P<monthday_weekday>{WEEKDAY}),?\s+)?"
        rf"(?:(?P<monthday_mod>this\s+coming|this|next|last)\s+)?(?P<monthday_month>{MONTH})\s+"
        rf"(?P<monthday_day>{DAY})\b(?:,?\s+(?P<monthday_year>{YEAR})\b)?"
    ),
    "daymonth": (
        rf"(?:the\s+)?(?P<daymonth_day>{DAY})\s+(?:of\s+)?(?P<daymonth_month>{MONTH})"
        rf"(?:,?\s+(?P<daymonth_year>{YEAR})\b)?"
    ),
    "monthyear": (
        r"(?:(?P<monthyear_edge>early|late|mid|(?:the\s+)?(?:end|beginning|start|middle)\s+of)[\s-]+)?"
        rf"(?P<monthyear_month>{MONTH}),?\s+(?:of\s+)?(?P<monthyear_year>{YEAR})\b"
    ),
    "decade": (
        r"(?:the\s+)?(?:(?P<decade_edge>early|late|mid)[\s-]*)?(?:(?P<decade_full>(?:1[5-9]|20)\d)0|"
        r"['’](?P<decade_short>\d)0)['’]?s\b"
    ),
    "century": r"(?:the\s+)?(?P<century_n>\d{1,2})(?:st|nd|rd|th)[\s-]+century\b",
    "half": (
        r"(?:the\s+)?(?P<half_ord>first|second|last|latter|1st|2nd)\s+half\b"
        rf"(?:\s+of\s+(?:(?P<half_year>{YEAR})|(?P<half_rel>this|last|next)\s+year|the\s+year))?"
        rf"|(?:the\s+)?first\s+two\s+quarters(?:\s+of\s+(?P<half_year2>{YEAR}))?"
    ),
    "quarter": (
        rf"(?:the\s+|(?P<quarter_rel>this|last|next)\s+year['’]s\s+)?(?:(?P<quarter_year1>{YEAR})\s+)?"
        rf"(?:fiscal\s+)?(?P<quarter_ord>{ORDINAL})"
        r"[\s-]+(?:fiscal\s+)?(?:-\s*)?(?P<quarter_unit>quarters?|period)\b"
        rf"(?:\s+(?:of\s+)?(?:fiscal\s+)?(?P<quarter_year2>{YEAR})\b|,\s+(?P<quarter_year3>{YEAR})\b)?"
        rf"|\bQ(?P<quarter_q>[1-4])(?:\s+(?P<quarter_year4>{YEAR}))?\b"
    ),
    "quarterref": (
        r"(?:the\s+|(?P<quarterref_rel>this|last)\s+year['’]s\s+)?"
        rf"(?:(?P<quarterref_year>{YEAR})\s+|(?P<quarterref_mod>latest|current|previous|recent|"
        r"most\s+recent|year[\s-]earlier|year[\s-]ago|comparable|corresponding|same|this|last|next|"
        r"past)\s+)?(?:fiscal\s+)?(?P<quarterref_unit>quarter|period)\b(?!-)"
        r"(?P<quarterref_back>\s+(?:a\s+year\s+(?:ago|earlier)|last\s+year|of\s+last\s+year))?"
    ),
    "yearearlier": r"year[\s-](?:earlier|ago)\b",
    "yearend": (
        rf"(?:(?P<yearend_year>{YEAR})\s+|(?P<yearend_mod>this|last|next)\s+)?(?:year[\s-]end|year['’]s\s+end)\b"
        r"|the\s+end\s+of\s+(?:the\s+|(?P<yearend_mod2>this|last|next)\s+)year\b"
    ),
    "spelledyear": (
        rf"(?:the\s+year\s+)?(?P<spelledyear_words>(?:nineteen|eighteen)[\s-]+(?:{'|'.join(TENS)}|ten|eleven|twelve|"
        r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|o|oh)(?:[\s-]+(?:one|two|three|four|"
        r"five|six|seven|eight|nine))?|two\s+thousand(?:\s+and\s+(?:one|two|three|four|five|six|seven|eight|"
        r"nine|ten))?)\b(?![\s-]+(?:hundred|thousand|million|people|dollars|percent))"
    ),
    "spelleddecade": (
        r"the\s+(?:(?P<spelleddecade_edge>early|late|mid)[\s-]+)?"
        rf"(?P<spelleddecade_tens>{'|'.join(t[:-1] for t in TENS)})ies\b"
    ),
    "season": (
        r"(?:(?P<season_edge>early|late|mid)[\s-]+)?(?:(?P<season_mod>last|this|next|coming|past|previous)\s+"
        rf"|(?P<season_the>the\s+)|(?P<season_year1>{YEAR})\s+)?(?P<season_name>{SEASON})\b"
        rf"(?:\s+(?:of\s+)?(?P<season_year2>{YEAR})\b)?"
    ),
    "ago": (
        r"(?:(?P<ago_lead>about|almost|nearly|some|more\s+than|less\s+than|over|just|only|roughly)\s+)?"
        rf"(?P<ago_num>{NUMBER}|{VAGUE})\s+(?P<ago_unit>{UNIT})\s+(?P<ago_dir>ago|earlier|later|from\s+now|hence)\b"
    ),
    "setevery": (
        rf"(?:every|each|per)\s+(?:other\s+)?(?:(?P<setevery_num>{NUMBER})\s+)?"
        rf"(?:(?P<setevery_weekday>{WEEKDAY})|(?P<setevery_month>{MONTH})|(?P<setevery_season>{SEASON})|"
        rf"(?P<setevery_dp>{DAYPART})|(?P<setevery_unit>{UNIT}))\b"
    ),
    "settimes": rf"(?:once|twice|{NUMBER}\s+times)\s+(?:a|an|per|each|every)\s+(?P<settimes_unit>{UNIT})\b",
    "setadverb": rf"(?P<setadverb_word>{alternation(SET_ADVERBS)})\b",
    "setweekday": (
        rf"(?:on\s+)?(?P<setweekday_weekday>{WEEKDAY})(?:s\b(?:\s+(?P<setweekday_dp1>{DAYPART}))?"
        r"|\s+(?P<setweekday_dp2>mornings|afternoons|evenings|nights)\b)"
    ),
    "relunit": (
        r"(?:(?P<relunit_edge>early|late|mid|earlier|later|(?:the\s+)?(?:end|beginning|start|middle|rest)\s+of)"
        r"[\s-]+(?:in\s+)?)?(?P<relunit_mod>last|this|next|past|current|coming|previous|the\s+current|"
        r"the\s+past)\s+(?P<relunit_fiscal>fiscal\s+)?"
        r"(?P<relunit_unit>week|weekend|month|year|quarter|decade|century)\b"
        r"|(?P<relunit_edge2>earlier|later|early|late)\s+(?:in\s+)?the\s+(?P<relunit_unit2>week|month|year)\b"
    ),
    "duration": (
        rf"(?:{DURATION_LEAD}\s+){{0,2}}(?P<duration_num>{NUMBER})"
        rf"(?:\s*(?:to|-|–|or)\s*(?P<duration_num2>{NUMBER}))?(?:\s+(?P<duration_frac>1/2|and\s+a\s+half))?"
        r"(?:\s+(?:more|additional|straight|consecutive|full|long|trading|business|working|calendar))?"
        rf"[\s-]+(?P<duration_unit>{UNIT})(?:\s+(?P<duration_frac2>and\s+a\s+half))?"
        r"(?P<duration_old>-old|\s+old\b)?(?:-long)?\b(?:\s+or\s+so)?"
    ),
    "vague": (
        rf"(?:{DURATION_LEAD}\s+)?(?:(?P<vague_mod>{VAGUE}|recent|coming|past)\s+)?"
        rf"(?P<vague_unit>{PLURAL_UNIT})\b"
    ),
    "anaphora": (
        r"(?:(?P<anaphora_edge>later|earlier|early|late)\s+(?:in\s+)?)?(?:the\s+)?"
        r"(?P<anaphora_mod>following|previous|preceding|prior|same|that(?:\s+same)?)\s+"
        r"(?P<anaphora_unit>day|week|month|year)\b"
    ),
    "theunit": r"the\s+(?:fiscal\s+|full\s+|calendar\s+|entire\s+|whole\s+)?(?P<theunit_unit>year|month|week|weekend)\b",
    "weekday": (
        r"(?:(?P<weekday_prep>on|since|until|till|by|before|after|from)\s+)?"
        r"(?:(?P<weekday_mod>last|this\s+coming|this|next|the\s+previous|the\s+following|previous|coming)\s+)?"
        rf"(?:(?P<weekday_edge>early|late)\s+)?(?P<weekday_weekday>{WEEKDAY})(?:['’]s)?"
        rf"(?:\s+(?P<weekday_dp>{DAYPART}))?"
    ),
    "dayword": (
        r"(?:(?P<dayword_dp0>(?:early|late|mid)[\s-]?(?:morning|afternoon|evening)|early|late)\s+)?"
        r"(?P<dayword_word>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday|today|"
        rf"tomorrow|tonight)(?:['’]s)?(?:\s+(?P<dayword_dp>{DAYPART}))?"
    ),
    "daypart": (
        r"(?:(?P<daypart_edge>early|late|mid)[\s-]?)?(?P<daypart_mod>this|last|tomorrow|yesterday|"
        rf"later\s+this|earlier\s+this)\s+(?P<daypart_dp>{DAYPART})\b"
    ),
    "reference": rf"(?P<reference_word>{alternation(REFERENCES)})\b",
    "month": (
        r"(?:(?P<month_prep>in|by|since|until|till|through|from|during|before|after|of|early|late|mid|"
        r"(?:the\s+)?(?:end|beginning|start|middle|rest)\s+of)[\s-]+)?"
        r"(?:(?P<month_mod>last|this\s+coming|this|next|coming)[\s-]+)?"
        rf"(?:(?P<month_edge>early|late|mid)[\s-]+)?(?P<month_month>{FULL_MONTH})\b(?!\s+\d)"
    ),
    "year": (
        r"(?:(?P<year_prep>in|since|by|until|from|of|during|early|late|mid|before|after|around|through|"
        rf"fiscal|calendar|FY|the|this|last)[\s-]+)?(?<![$€£#\d.,])(?P<year_year>{YEAR})\b"
        rf"(?:\s*(?:-|–|/|to|through)\s*(?:(?P<year_end>{YEAR})|(?P<year_end2>\d\d))\b)?(?![.,]\d|\s*%|\s+percent)"
    ),
}


def trie(words: Iterable[str], either_case: bool = False) -> str:
    """A regex alternation of words factored by common prefixes, so the engine rejects a position fast."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any], top: bool) -> str:
        ends = "" in node
        branches = []
        for char, child in sorted(node.items()):
            if char:
                head = f"[{char.upper()}{char}]" if top and either_case and char.isalpha() else re.escape(char)
                branches.append(head + render(child, False))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return render(tree, True)


_UNIT_WORDS = [*UNITS, "centuries", "fortnights", "days", "weekend", "half", "period"]
# Each kind of core word and the grammar branches an expression around it can belong to.
CORE_KINDS = {
    "month": ([*MONTHS_CAPITALISED], False, ["monthday", "daymonth", "monthyear", "month", "setevery", "holiday"]),
    "weekday": (
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        False,
        ["monthday", "setweekday", "weekday", "setevery"],
    ),
    "unit": (
        [*_UNIT_WORDS, *(w + "s" for w in _UNIT_WORDS if not w.endswith("s"))],
        True,
        [
            "monthday",
            "half",
            "quarter",
            "quarterref",
            "yearearlier",
            "yearend",
            "spelledyear",
            "century",
            "ago",
            "setevery",
            "settimes",
            "anaphora",
            "relunit",
            "duration",
            "vague",
            "theunit",
            "dayword",
            "daypart",
            "reference",
        ],
    ),
    "day": (["yesterday", "today", "tomorrow", "tonight", "ago"], True, ["dayword", "daypart", "ago"]),
    "daypart": (
        [*PARTS_OF_DAY, *(w + "s" for w in PARTS_OF_DAY)],
        True,
        ["clock", "setweekday", "setevery", "weekday", "dayword", "daypart"],
    ),
    "clock": (["noon", "midday", "midnight"], True, ["clock"]),
    "season": ([*SEASONS, *(w + "s" for w in SEASONS)], True, ["setevery", "season"]),
    "adverb": ([*SET_ADVERBS], True, ["setadverb"]),
    "reference": (
        [*(w for w in REFERENCES if " " not in w), "past", "present", "time", "moment", "days"],
        True,
        ["quarterref", "ago", "relunit", "duration", "vague", "season", "reference"],
    ),
    "holiday": (
        [
            "christmas",
            "thanksgiving",
            "easter",
            "halloween",
            "new",
            "independence",
            "labor",
            "memorial",
            "valentine",
            "veterans",
            "boxing",
            "fourth",
        ],
        True,
        ["holiday"],
    ),
    "spelled": (["nineteen", "eighteen", "thousand"], True, ["spelledyear", "duration"]),
    "spelleddecade": (
        ["twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"],
        True,
        ["spelleddecade"],
    ),
}
_CORE_PATTERNS = {
    "year": (
        YEAR,
        [
            "iso",
            "monthday",
            "daymonth",
            "monthyear",
            "holiday",
            "decade",
            "half",
            "quarter",
            "quarterref",
            "yearend",
            "season",
            "year",
        ],
    ),
    "decade": (r"['’]?(?:\d\d)?\d0['’]?s", ["decade"]),
    "clocktime": (r"o['’]clock|[ap]\.?m\b|\d:[0-5]\d", ["clock"]),
    "quartercode": (r"Q[1-4]", ["quarter"]),
    "yearago": (r"[Yy]ear[\s-](?:earlier|ago)", ["quarterref", "yearearlier"]),
}
# The words every expression contains; the grammar is only tried around them, and only the branches that can
# hold that kind of word. Case-sensitive and factored by prefix for speed: this regex reads every character.
WORD_KIND = {word.lower(): kind for kind, (words, _, _) in reversed(CORE_KINDS.items()) for word in words}
CORE = re.compile(
    "(?<![\\w'’])(?:"
    f"(?P<names>{trie([w for words, either, _ in CORE_KINDS.values() if not either for w in words])})"
    f"|(?P<words>{trie([w for words, either, _ in CORE_KINDS.values() if either for w in words], either_case=True)})"
    + "".join(f"|(?P<{kind}>{pattern})" for kind, (pattern, _) in _CORE_PATTERNS.items())
    + ")(?![\\w])"
)
_KIND_BRANCHES = {kind: branches for kind, (*_, branches) in CORE_KINDS.items()} | {
    kind: branches for kind, (_, branches) in _CORE_PATTERNS.items()
}
# Words that may stand before a core word inside one expression ("at least the past 18 months").
LEAD_WORDS = frozenset(
    "the a an at least most more less fewer than up to nearly almost about around roughly approximately some over "
    "within another additional each every per of past last next first final coming previous following latest "
    "remaining same entire full whole early late mid earlier later in on since by until till from through during "
    "before after this that these those fiscal calendar fy end beginning start middle rest week just only shortly "
    "several few many number couple dozen hundred one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety other once twice times straight consecutive trading business working long and half or year years "
    "second third fourth 1st 2nd 3rd 4th current recent most comparable corresponding year-earlier year-ago "
    "mid-afternoon mid-morning mid-evening year's last year's".split()
) | {
    w.lower()
    for w in (
        *MONTHS,
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "tomorrow",
        "yesterday",
    )
}


def _first(items: Iterable[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """The characters a parsed regex sequence can start with (None: any) and whether it can match empty."""
    chars: set[str] = set()
    for op, arg in items:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero width
        if op == _sre.LITERAL:
            return chars | {chr(arg)}, False
        if op == _sre.IN:
            found = _in_set(arg)
            return (None if found is None else chars | found), False
        if op == _sre.SUBPATTERN:
            found, empty = _first(arg[-1])
        elif op == _sre.BRANCH:
            found, empty = set(), False
            for seq in arg[1]:
                part, part_empty = _first(seq)
                found = None if found is None or part is None else found | part
                empty = empty or part_empty
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            found, empty = _first(arg[2])
            empty = empty or arg[0] == 0
        else:
            return None, False
        if found is None:
            return None, False
        chars |= found
        if not empty:
            return chars, False
    return chars, True


def _in_set(items: Iterable[tuple[Any, Any]]) -> set[str] | None:
    chars: set[str] = set()
    for op, arg in items:
        if op == _sre.LITERAL:
            chars.add(chr(arg))
        elif op == _sre.RANGE and arg[1] - arg[0] < 300:
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op == _sre.CATEGORY and arg == _sre.CATEGORY_DIGIT:
            chars.update(string.digits)
        elif op == _sre.CATEGORY and arg == _sre.CATEGORY_SPACE:
            chars.update(string.whitespace)
        else:
            return None
    return chars


def _guarded(name: str, body: str) -> str:
    """The branch behind a look-ahead on its possible first characters, so that it fails fast elsewhere."""
    branch = rf"(?P<{name}>{body})" if body.startswith(r"\b") else rf"(?P<{name}>\b{body})"
    if _sre_parse is None:
        return branch
    try:
        chars, empty = _first(_sre_parse.parse(branch, re.IGNORECASE).data)
    except Exception:  # noqa: BLE001 - an optimisation only; the branch works without it
        return branch
    if chars is None or empty:
        return branch
    chars = {c for ch in chars for c in (ch.lower(), ch.upper())}
    return "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])" + branch


# One alternation per kind of core word, its branches in the order of BRANCHES (most specific first).
PATTERNS = {
    kind: re.compile("|".join(_guarded(name, BRANCHES[name]) for name in BRANCHES if name in branches), re.IGNORECASE)
    for kind, branches in _KIND_BRANCHES.items()
}


def core_kind(core: re.Match[str]) -> str:
    """The kind of a core word found by CORE: "month", "unit", "year", ..."""
    kind = core.lastgroup
    assert kind is not None, "every branch of CORE is a named group"
    return WORD_KIND[core.group().lower()] if kind in ("names", "words") else kind


CASED_GROUPS = {
    name: [group for group in re.compile(rf"(?P<{name}>{body})").groupindex if group.endswith(("_month", "_weekday"))]
    for name, body in BRANCHES.items()
}
