"""The source registry: canonical names, their kinds and aliases, kept as data users can extend."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_SPACES = re.compile(r"\s+")
_MINISTRY_OF = re.compile(r"^(?:the\s+)?(?P<owner>.+?)\s+Ministry\s+of\s+(?P<topic>[\w\s]+?)$")
_MINISTRY_OF_COUNTRY = re.compile(r"^(?:the\s+)?Ministry\s+of\s+(?P<topic>[\w\s]+?)\s+of\s+(?P<owner>.+)$")
_TOPIC_MINISTRY = re.compile(r"^(?:the\s+)?(?P<owner>.+?)\s+(?P<topic>(?:[A-Z][\w-]*\s+)*?[A-Z][\w-]*)\s+Ministry$")
_TOPIC_NAMES = {
    "defence": "Defense",
    "national defense": "Defense",
    "national defence": "Defense",
    "foreign": "Foreign Affairs",
    "foreign affairs": "Foreign Affairs",
}


def _key(name: str) -> str:
    """Fold a name for lookup; short all-capital acronyms keep their case (WHO is not who)."""
    name = _SPACES.sub(" ", name.translate(_APOSTROPHES)).strip().strip(".,;:")
    if name.lower().startswith("the "):
        name = name[4:]
    return name if (name.isupper() and len(name) <= 5) else name.casefold()


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    with resources.files("claims").joinpath("data/countries.json").open(encoding="utf-8") as handle:
        countries: dict[str, str] = json.load(handle)
        return countries


class SourceRegistry:
    """Maps the names a source appears under to one canonical name and a kind."""

    def __init__(self, entries: dict[str, dict[str, Any]]):
        self._entries = entries
        self._by_key: dict[str, str] = {}
        for name, entry in entries.items():
            for alias in [name, *entry.get("aliases", [])]:
                self._by_key[_key(alias)] = name
        countries = _countries()
        self._demonyms = {
            **{_key(c): d for c, d in countries.items()},
            **{_key(c + "'s"): d for c, d in countries.items()},
            **{_key(d): d for d in countries.values()},
        }

    def extended(self, extra: dict[str, dict[str, Any]]) -> SourceRegistry:
        """Return a registry with more sources or aliases (stored ones win over built-in ones)."""
        merged: dict[str, dict[str, Any]] = {
            name: {"kind": e.get("kind"), "aliases": list(e.get("aliases", []))} for name, e in self._entries.items()
        }
        for name, entry in extra.items():
            target = merged.setdefault(name, {"kind": entry.get("kind"), "aliases": []})
            target["aliases"].extend(entry.get("aliases", []))
            target["kind"] = entry.get("kind") or target["kind"]
        return SourceRegistry(merged)

    def kind_of(self, canonical: str) -> str | None:
        """Return the kind of a canonical source, if it is registered."""
        entry = self._entries.get(canonical)
        return entry.get("kind") if entry else None

    def lookup(self, name: str) -> str | None:
        """Return the canonical name for a registered name or alias, else None."""
        return self._by_key.get(_key(name))

    def demonym(self, owner: str) -> str | None:
        """Return the adjective for a country or its possessive ("China's" → "Chinese")."""
        return self._demonyms.get(_key(owner))

    def canonical(self, name: str) -> tuple[str, str | None]:
        """Return (canonical name, kind) for any source name, normalising ministries by country."""
        name = _SPACES.sub(" ", name.translate(_APOSTROPHES)).strip().strip(".,;:")
        found = self.lookup(name)
        if found:
            return found, self.kind_of(found)
        ministry = self._ministry(name)
        if ministry:
            found = self.lookup(ministry)
            return (found or ministry), "government"
        if name.lower().startswith("the "):
            name = name[4:]
        return name, None

    def _ministry(self, name: str) -> str | None:
        for pattern in (_MINISTRY_OF_COUNTRY, _MINISTRY_OF, _TOPIC_MINISTRY):
            match = pattern.match(name)
            if match:
                demonym = self.demonym(match["owner"])
                if demonym:
                    topic = match["topic"].strip()
                    topic = _TOPIC_NAMES.get(topic.lower(), topic)
                    return f"{demonym} Ministry of {topic}"
        return None


@lru_cache(maxsize=1)
def default_registry() -> SourceRegistry:
    """Return the registry built from the library's own list of well-known sources."""
    with resources.files("claims").joinpath("data/sources.json").open(encoding="utf-8") as handle:
        return SourceRegistry(json.load(handle))
