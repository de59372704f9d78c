"""Name phrases in a sentence: tokens, capitalised runs, and whether a name is a person or a body."""

from __future__ import annotations

import re

TOKEN = re.compile(r"\w+(?:[’'\-.&]\w+)*\.?|[^\w\s]")

CONNECTORS = {"of", "for", "and", "de", "del", "da", "von", "van", "al", "bin", "the", "&", "la", "le"}
ORG_WORDS = {
    "ministry",
    "agency",
    "office",
    "department",
    "union",
    "council",
    "commission",
    "committee",
    "authority",
    "organization",
    "organisation",
    "institute",
    "university",
    "press",
    "news",
    "times",
    "post",
    "journal",
    "media",
    "television",
    "tv",
    "radio",
    "bank",
    "court",
    "police",
    "army",
    "forces",
    "government",
    "parliament",
    "congress",
    "senate",
    "party",
    "company",
    "corp",
    "corp.",
    "inc",
    "inc.",
    "ltd",
    "ltd.",
    "group",
    "association",
    "federation",
    "foundation",
    "service",
    "services",
    "bureau",
    "centre",
    "center",
    "telegraph",
    "herald",
    "tribune",
    "gazette",
    "guardian",
    "kremlin",
    "pentagon",
    "white",
    "house",
    "administration",
    "operator",
    "board",
    "network",
    "lancet",
    "review",
    "observer",
    "daily",
    "weekly",
    "broadcasting",
    "corporation",
    "command",
    "navy",
    "military",
    "cabinet",
    "secretariat",
    "directorate",
    "assembly",
}
ROLE_NOUNS = {
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "spokespeople",
    "official",
    "officials",
    "representative",
    "representatives",
    "sources",
    "source",
    "analysts",
    "analyst",
    "diplomat",
    "diplomats",
    "minister",
    "statement",
    "spokesmen",
    "aide",
    "aides",
    "adviser",
    "advisers",
    "officer",
    "officers",
}
LOWER_BODY_NOUNS = {
    "ministry",
    "office",
    "agency",
    "police",
    "government",
    "authority",
    "authorities",
    "army",
    "military",
    "company",
    "council",
    "court",
    "union",
    "commission",
    "committee",
    "department",
    "regulator",
    "operator",
    "media",
    "prosecutors",
    "prosecutor",
    "embassy",
    "firm",
    "manufacturer",
    "broadcaster",
    "newspaper",
    "study",
    "report",
    "researchers",
    "team",
    "club",
    "bank",
    "group",
}
TITLES = {
    "president",
    "vice",
    "prime",
    "minister",
    "deputy",
    "foreign",
    "defense",
    "defence",
    "finance",
    "energy",
    "health",
    "interior",
    "justice",
    "economy",
    "trade",
    "general",
    "major",
    "lieutenant",
    "lt.",
    "colonel",
    "col.",
    "captain",
    "capt.",
    "admiral",
    "sergeant",
    "sgt.",
    "dr.",
    "dr",
    "mr.",
    "mr",
    "mrs.",
    "mrs",
    "ms.",
    "ms",
    "prof.",
    "professor",
    "sen.",
    "senator",
    "rep.",
    "representative",
    "gov.",
    "governor",
    "mayor",
    "chief",
    "secretary",
    "director",
    "chairman",
    "chairwoman",
    "chair",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "commissioner",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "judge",
    "ambassador",
    "leader",
    "sheikh",
    "opposition",
    "regional",
    "state",
    "union",
    "party",
    "executive",
    "ceo",
    "head",
    "commander",
    "gen.",
    "maj.",
    "premier",
    "speaker",
    "attorney",
    "sir",
    "dame",
    "lord",
    "lady",
    "officer",
    "inspector",
    "superintendent",
    "detective",
    "coach",
    "manager",
    "founder",
    "economist",
    "mp",
    "mep",
    "councillor",
    "councilor",
    "adviser",
    "advisor",
}
PRONOUNS = {"he", "she", "they", "it", "we", "i"}
COMMON_SENTENCE_STARTERS = {
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "given",
    "moreover",
    "however",
    "similarly",
    "additionally",
    "but",
    "and",
    "under",
    "after",
    "before",
    "since",
    "while",
    "when",
    "as",
    "both",
    "other",
    "their",
    "this",
    "that",
    "these",
    "those",
    "its",
    "his",
    "her",
    "our",
    "some",
    "many",
    "most",
    "critics",
    "officials",
    "experts",
    "according",
    "meanwhile",
    "also",
    "then",
    "there",
    "it",
    "he",
    "she",
    "they",
    "we",
    "for",
    "with",
    "from",
    "by",
    "despite",
    "although",
    "though",
    "if",
    "whether",
    "several",
    "about",
    "more",
    "less",
    "nearly",
    "almost",
    "only",
    "so",
    "yet",
    "still",
    "earlier",
    "later",
    "last",
    "next",
    "each",
    "every",
    "one",
}
PLATFORMS = {
    "telegram",
    "twitter",
    "x",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
    "wechat",
    "weibo",
    "vk",
    "linkedin",
    "threads",
    "bluesky",
    "truth",
}


class Token:
    """A word or punctuation mark with its offsets in the sentence."""

    __slots__ = ("text", "start", "end", "lower", "capitalised", "is_word")

    def __init__(self, text: str, start: int, end: int):
        self.text, self.start, self.end = text, start, end
        lower = text.lower()
        self.lower = lower.replace("’", "'") if "’" in lower else lower  # compared often: computed once
        first = text[0]
        self.capitalised = first.isupper()
        self.is_word = first.isalpha()


def tokenize(sentence: str) -> list[Token]:
    """Split a sentence into word and punctuation tokens with offsets."""
    tokens = []
    make = Token.__new__
    for match in TOKEN.finditer(sentence):  # Token's fields set here directly: this runs for every word analysed
        token = make(Token)
        text = token.text = match[0]
        token.start, token.end = match.span()
        lower = text.lower()
        token.lower = lower.replace("’", "'") if "’" in lower else lower
        first = text[0]
        token.capitalised = first.isupper()
        token.is_word = first.isalpha()
        tokens.append(token)
    return tokens


def _is_name_word(token: Token) -> bool:
    return token.is_word and (token.capitalised or token.text.isupper())


def run_ending_at(tokens: list[Token], end: int) -> tuple[int, int] | None:
    """Return (first, last) of the capitalised run whose last token is tokens[end], if it is one."""
    if end < 0 or not _is_name_word(tokens[end]):
        return None
    first = end
    while first - 1 >= 0:
        prev = tokens[first - 1]
        if _is_name_word(prev):
            first -= 1
        elif prev.lower in CONNECTORS and prev.lower != "the" and first - 2 >= 0 and _is_name_word(tokens[first - 2]):
            first -= 2
        else:
            break
    while first < end and (
        tokens[first].lower in CONNECTORS
        or tokens[first].lower in {"a", "an"}
        or (first == 0 and tokens[first].lower in COMMON_SENTENCE_STARTERS)
    ):
        first += 1
    return first, end


def run_starting_at(tokens: list[Token], start: int) -> tuple[int, int] | None:
    """Return (first, last) of the capitalised run that starts at tokens[start] (after an optional "the")."""
    if start < len(tokens) and tokens[start].lower == "the":
        start += 1
    if start >= len(tokens) or not _is_name_word(tokens[start]):
        return None
    last = start
    while last + 1 < len(tokens):
        nxt = tokens[last + 1]
        if _is_name_word(nxt):
            last += 1
        elif nxt.lower in CONNECTORS and last + 2 < len(tokens) and _is_name_word(tokens[last + 2]):
            last += 2
        else:
            break
    return start, last


def strip_titles(words: list[str]) -> list[str]:
    """Drop leading titles and role words ("Polish Defense Minister", "Maj. Gen.") from a person's name."""
    index = 0
    while index < len(words) - 1 and (words[index].lower() in TITLES or words[index].lower().rstrip(".") in TITLES):
        index += 1
    return words[index:]
