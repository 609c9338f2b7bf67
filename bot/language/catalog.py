"""UI catalogues from locales/ (one TOML file per language) and Babel-based display helpers.

Adding a UI language means adding one file, ``locales/<code>.toml``, with every key of ``en.toml``.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.lists import format_list

FALLBACK = "en"

# Default IANA time zone for a chat whose language is known but whose zone was never set.
DEFAULT_TIMEZONES: Mapping[str, str] = {
    "id": "Asia/Jakarta",
    "ko": "Asia/Seoul",
    "de": "Europe/Berlin",
    "ja": "Asia/Tokyo",
    "zh": "Asia/Shanghai",
    "en": "UTC",
    "nl": "Europe/Amsterdam",
    "fr": "Europe/Paris",
    "ms": "Asia/Kuala_Lumpur",
    "th": "Asia/Bangkok",
    "vi": "Asia/Ho_Chi_Minh",
}

# Languages suggested in /lang answers (the sister cities of Indonesian municipalities).
SUGGESTED_LANGUAGES = ("id", "en", "ko", "de", "ja", "zh")


def default_timezone(language: str) -> str:
    return DEFAULT_TIMEZONES.get(language, "UTC")


class Catalog:
    """All UI catalogues, loaded once at start-up."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        if FALLBACK not in messages:
            raise ValueError(f"the {FALLBACK} catalogue is required")
        self.messages = {lang: dict(table) for lang, table in messages.items()}

    @classmethod
    def load(cls, directory: Path | None = None) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        if directory is None:
            files = [
                (Path(entry.name).stem, entry.read_bytes())
                for entry in resources.files("locales").iterdir()
                if entry.name.endswith(".toml")
            ]
        else:
            files = [(p.stem, p.read_bytes()) for p in sorted(directory.glob("*.toml"))]
        for code, raw in files:
            table = tomllib.loads(raw.decode("utf-8"))
            bad = [k for k, v in table.items() if not isinstance(v, str)]
            if bad:
                raise ValueError(f"locales/{code}.toml: non-string values for {bad}")
            messages[code] = {k: str(v) for k, v in table.items()}
        return cls(messages)

    @property
    def languages(self) -> list[str]:
        return sorted(self.messages)

    def resolve(self, language: str | None) -> str:
        """The UI language to use for a content language (falls back to English)."""
        if language:
            language = language.lower().replace("_", "-")
            if language in self.messages:
                return language
            base = language.split("-", 1)[0]
            if base in self.messages:
                return base
        return FALLBACK

    def t(self, key: str, language: str | None, /, **values: object) -> str:
        """The message ``key`` in ``language``; values are HTML-escaped (use ``Markup`` to pass HTML).

        A pluralised key has variants ``key.one``, ``key.other`` … (CLDR plural categories): the ``count`` value
        picks the one of its category in the language, ``key.other`` when the language has no variant of that
        category (or no ``count`` is given)."""
        lang = self.resolve(language)
        count = values.get("count")
        template = self._template(key, lang, count) or self._template(key, FALLBACK, count)
        if template is None:
            raise KeyError(key)
        escaped = {k: v.html if isinstance(v, Markup) else html.escape(str(v), quote=False) for k, v in values.items()}
        return template.format(**escaped)

    def _template(self, key: str, lang: str, count: object) -> str | None:
        table = self.messages[lang]
        if f"{key}.{PLURAL_OTHER}" in table:
            category = plural_category(count, lang) if isinstance(count, int | float) else PLURAL_OTHER
            return table.get(f"{key}.{category}") or table[f"{key}.{PLURAL_OTHER}"]
        return table.get(key)

    def words(self, canonical: str, language: str | None) -> tuple[str, ...]:
        """The words a member may type for the sub-command ``canonical`` (``word.<canonical>``) in ``language``:
        this language's words first (the first is the one shown in texts), then the English ones."""
        keys = (self.resolve(language), FALLBACK)
        found: list[str] = []
        for lang in dict.fromkeys(keys):
            value = self.messages[lang].get(f"word.{canonical}", "")
            found.extend(w.strip().casefold() for w in value.split("|") if w.strip())
        found.append(canonical)
        return tuple(dict.fromkeys(found))

    def word(self, canonical: str, language: str | None) -> str:
        """The word shown for the sub-command ``canonical`` in ``language`` ("selesai" for done in Indonesian)."""
        return self.words(canonical, language)[0]

    def choose(self, typed: str, language: str | None, choices: Iterable[str]) -> str | None:
        """Which of ``choices`` (canonical sub-command names) ``typed`` names in ``language`` or English, or None."""
        folded = typed.strip().casefold()
        if not folded:
            return None
        for canonical in choices:
            if folded in self.words(canonical, language):
                return canonical
        return None

    def join(self, items: Iterable[str], language: str | None, *, alternatives: bool = False) -> str:
        """Items joined the way the language joins a list ("Senin dan Jumat", "Montag und Freitag")."""
        shown = list(items)
        if not shown:
            return ""
        locale = babel_locale(self.resolve(language))
        return format_list(shown, style="or" if alternatives else "standard", locale=locale)


PLURAL_OTHER = "other"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", PLURAL_OTHER)  # CLDR's, in its order


def plural_category(count: float, language: str) -> str:
    """The CLDR plural category of ``count`` in ``language``: "one" for 1 in English and German, "other" for
    every number in Indonesian, Korean, Japanese and Chinese."""
    return str(babel_locale(language).plural_form(abs(count)))


def plural_categories(language: str) -> frozenset[str]:
    """The plural categories a pluralised key needs in ``language`` ({"one", "other"} in English)."""
    return frozenset(babel_locale(language).plural_form.tags) | {PLURAL_OTHER}


def plural_variants(table: Mapping[str, str]) -> dict[str, set[str]]:
    """The pluralised keys of a catalogue and the categories each defines: ``{"report.exchange": {"one",
    "other"}}`` for ``report.exchange.one`` and ``report.exchange.other``."""
    bases = {key.removesuffix(f".{PLURAL_OTHER}") for key in table if key.endswith(f".{PLURAL_OTHER}")}
    found: dict[str, set[str]] = {base: set() for base in bases}
    for key in table:
        base, _, category = key.rpartition(".")
        if base in found and category in PLURAL_CATEGORIES:
            found[base].add(category)
    return found


def logical_keys(table: Mapping[str, str]) -> set[str]:
    """The keys of a catalogue with each pluralised key once, as its base (what ``Catalog.t`` is asked for)."""
    variants = plural_variants(table)
    plural = {f"{base}.{category}" for base, categories in variants.items() for category in categories}
    return (set(table) - plural) | set(variants)


def babel_locale(language: str) -> Locale:
    """The Babel locale of a UI language; English uses the international (en_001) conventions."""
    if language == FALLBACK:
        return Locale.parse("en_001")
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_001")


class Markup:
    """A value already in Telegram HTML, inserted into a message unescaped."""

    __slots__ = ("html",)

    def __init__(self, html_text: str) -> None:
        self.html = html_text


def is_language_code(code: str) -> bool:
    """A two-letter ISO 639-1 code that Babel knows (e.g. id, en, ko, de, ja, zh)."""
    if len(code) != 2 or not code.isalpha() or not code.islower():
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


# Indonesian names a language "bahasa Korea" (Babel's "Korea" is the country too), and Chinese "bahasa Mandarin".
_INDONESIAN_NAMES: Final[Mapping[str, str]] = {"zh": "Mandarin"}


def language_name(code: str, in_language: str) -> str:
    """The language's display name in ``in_language``, e.g. language_name("ko", "de") == "Koreanisch",
    language_name("ko", "id") == "bahasa Korea"."""
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(in_language))
    except (UnknownLocaleError, ValueError):
        return code
    if not name:
        return code
    if in_language.replace("_", "-").split("-")[0].lower() == "id":
        name = _INDONESIAN_NAMES.get(code.lower(), name)
        if not name.casefold().startswith("bahasa"):
            name = f"bahasa {name}"
    return name
