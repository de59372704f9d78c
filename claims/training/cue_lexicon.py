"""Learn the attribution cue lexicon from PolNeAR's training split and write claims/data/cue_lexicon.json.

    python -m claims.training.cue_lexicon --data ../shared/datasets/polnear

A word becomes a cue when annotators marked it as (part of) an attribution cue often enough, both in
absolute terms and as a share of all its occurrences in the training texts. Only the resulting word
list with its counts ships; no text of the data set does. The output is deterministic for given data.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

WORD = re.compile(r"[A-Za-z]+(?:[’'][a-z]+)?")
# Words that take part in many cue phrases ("has said", "said in a statement") but are no cue alone.
FUNCTION_WORDS = {
    "a",
    "an",
    "the",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "with",
    "by",
    "from",
    "about",
    "as",
    "that",
    "this",
    "and",
    "or",
    "but",
    "not",
    "no",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "will",
    "would",
    "could",
    "can",
    "may",
    "might",
    "should",
    "must",
    "it",
    "its",
    "his",
    "her",
    "their",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "also",
    "out",
    "up",
    "so",
    "just",
    "still",
    "even",
    "then",
    "now",
    "more",
    "most",
    "all",
    "one",
    "into",
    "over",
    "back",
    "down",
    "off",
    "again",
    "once",
    "very",
}
MIN_COUNT = 3
MIN_SHARE = 0.15
PARTICLES = {"to", "on", "for", "about", "out", "up", "at", "with"}
# A cue read as "SUBJECT cue" must be a verb form: nouns, adjectives and adverbs that annotators put
# inside cue spans ("assertion", "eager", "repeatedly") would make any preceding name a speaker.
NOT_VERB_ENDINGS = ("ly", "tion", "sion", "ness", "ment", "ism", "ive", "ous", "ic", "ful", "ant", "ent")
VERB_ENDINGS = ("ed", "es", "s", "ing")


def looks_like_verb(word: str, base_forms: set[str]) -> bool:
    """True for inflected verb forms, and for base forms whose inflections are cues too."""
    if word.endswith(NOT_VERB_ENDINGS) or (word.endswith("s") and word[:-1].endswith(NOT_VERB_ENDINGS)):
        return False  # "accusations", "comments" are nouns
    return word.endswith(VERB_ENDINGS) or word in base_forms


def _read_brat(path: Path) -> tuple[dict[str, tuple[str, int, int, str]], list[dict[str, str]]]:
    spans, events = {}, []
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            kind, *offsets = parts[1].split(" ")
            spans[parts[0]] = (kind, int(offsets[0]), int(offsets[-1].split(";")[-1]), parts[2])
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(x.split(":", 1) for x in parts[1].split(" ") if ":" in x))
    return spans, events


def stem(word: str) -> str:
    """A crude English verb stem, so that "demands", "demanded" and "demanding" pool their evidence."""
    for suffix in ("ing", "ed", "es", "s", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") else word


def learn(root: Path) -> dict[str, Any]:
    """Count cue words and their occurrences in the training texts; return the lexicon as data."""
    train = root / "train"
    cue_words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    occurrences: Counter[str] = Counter()
    documents = 0
    for text_path in sorted((train / "text").glob("*.txt")):
        occurrences.update(w.lower().replace("’", "'") for w in WORD.findall(text_path.read_text(encoding="utf-8")))
    heads: Counter[str] = Counter()
    for ann in sorted((train / "attributions").glob("*.ann")):
        documents += 1
        spans, events = _read_brat(ann)
        for event in events:
            source = spans.get(event.get("Source", ""))
            if source is not None:  # "the agencies", "protesters", "many economists": who can be a source
                source_words = WORD.findall(source[3])
                if source_words and source_words[-1].islower() and source_words[-1] not in FUNCTION_WORDS:
                    heads[source_words[-1].replace("’", "'")] += 1
            if "Cue" not in event or event["Cue"] not in spans:
                continue
            words = [w.lower().replace("’", "'") for w in WORD.findall(spans[event["Cue"]][3])]
            cue_words.update(set(words))
            for first, second in zip(words, words[1:]):
                if second in PARTICLES and first not in FUNCTION_WORDS:
                    phrases[f"{first} {second}"] += 1
    # Several annotators may annotate one text: shares are per annotation file, counts per occurrence.
    texts = len(list((train / "text").glob("*.txt")))
    scale = texts / max(1, documents)
    verbs = {}
    # "say", "warn", "told": a word counts as a verb when an inflection of it is also a cue word, or it is
    # an irregular past form the data marks as a cue far more often than not.
    base_forms = {
        w
        for w in cue_words
        if any(f"{w}{e}" in cue_words or f"{w[:-1]}{e}" in cue_words for e in ("s", "ed", "ing", "es", "d"))
    }
    stem_cue: Counter[str] = Counter()
    stem_seen: Counter[str] = Counter()
    for word, count in cue_words.items():
        if looks_like_verb(word, base_forms):
            stem_cue[stem(word)] += count
    for word, count in occurrences.items():
        if looks_like_verb(word, base_forms) or stem(word) in stem_cue:
            stem_seen[stem(word)] += count
    for word in sorted(set(cue_words) | set(occurrences)):
        if word in FUNCTION_WORDS or len(word) <= 2:
            continue
        count = cue_words[word]
        share = count * scale / max(1, occurrences[word])
        if looks_like_verb(word, base_forms):
            # also judged with its inflections: "demanding" is a cue when "demand…", in all its forms, mostly is
            pooled = stem_cue[stem(word)] * scale / max(1, stem_seen[stem(word)])
            if not (count >= MIN_COUNT and share >= MIN_SHARE) and word.endswith(("s", "ed", "ing")):
                count, share = stem_cue[stem(word)], pooled
        elif not (share >= 0.8 and count >= 10):  # an irregular form the data marks as a cue far more often than not
            continue
        if count >= MIN_COUNT and share >= MIN_SHARE:
            verbs[word] = {"cue": count, "seen": occurrences[word], "share": round(min(share, 1.0), 3)}
    particle_verbs = {p: n for p, n in phrases.items() if n >= MIN_COUNT and p.split()[0] not in verbs}
    return {
        "provenance": (
            "Learned from the PolNeAR v1.0 training split (Newell, Margolin & Ruths, LREC 2018): "
            f"{documents} annotation files over {texts} articles. Counts of annotated cue words only."
        ),
        "min_count": MIN_COUNT,
        "min_share": MIN_SHARE,
        "words": dict(sorted(verbs.items())),
        "source_heads": dict(sorted((w, n) for w, n in heads.items() if n >= 2 and len(w) > 2)),
        "phrases": dict(sorted(particle_verbs.items())),
    }


def main(argv: list[str] | None = None) -> int:
    """Rebuild the cue lexicon file from the data."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the polnear folder (with train/)")
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "cue_lexicon.json"
    )
    args = parser.parse_args(argv)
    lexicon = learn(args.data)
    args.output.write_text(json.dumps(lexicon, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{len(lexicon['words'])} cue words, {len(lexicon['phrases'])} particle phrases, "
        f"{len(lexicon['source_heads'])} source head nouns -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
