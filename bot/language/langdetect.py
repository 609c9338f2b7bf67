"""Offline language detection restricted to the languages a deployment works with.

Built on py3langid's naive Bayes model (loaded from the package data, never from the network), with
its own ``LanguageIdentifier`` instances: py3langid's module-level ``classify``/``set_languages``
share one global identifier, which this module never touches.

How :meth:`LanguageDetector.detect` decides:

1. Code, and every word containing ``://``, ``www.``, ``@``, ``#`` or ``/`` (URLs, e-mail addresses,
   mentions, hashtags, commands) are removed, then everything that is not a letter (emoji, digits,
   punctuation); fewer than ``min_letters`` letters left means ``None``. At most 400 characters of
   what remains are looked at.
2. Scripts first: text whose letters are mostly Hangul is Korean, mostly kana Japanese; Han-only text
   is Chinese or Japanese as the model (restricted to those two) says. CJK characters weigh three
   Latin letters each, so "MoU 체결" is Korean.
3. Otherwise the model scores the configured languages *together with* a set of widespread
   "decoy" languages (French, Spanish, Dutch, Russian, ...; minus close relatives of configured
   ones, such as Malay when Indonesian is configured). A decoy winning, or a winner below
   ``min_confidence``, means ``None``: French text is not forced to be "English" just because
   English is the closest configured language.

The model is loaded once per process (about 0.6 s, guarded by a lock) and shared read-only; each
detector builds its own restricted identifiers from it in ``__init__``. Detection only reads them, so
a detector is safe to call from several threads and from the event loop (roughly 20-50 µs for 100
characters: CJK texts are decided by script without the model).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import py3langid.langid as _langid  # type: ignore[import-untyped]

__all__ = ["DEFAULT_DECOYS", "LanguageDetector", "model_languages"]

_CJK: Final = frozenset({"ko", "ja", "zh"})

DEFAULT_DECOYS: Final[tuple[str, ...]] = (
    "en", "de", "fr", "es", "pt", "it", "nl", "ru", "uk", "pl", "tr", "vi", "tl", "ms", "id", "sv",
    "ar", "hi", "th",
)  # fmt: skip
"""Languages that compete with the configured ones but are never returned."""

# Languages the model confuses with each other: never decoys for one another.
_RELATIVES: Final[Mapping[str, frozenset[str]]] = {
    "id": frozenset({"ms", "jv", "su"}),
    "ms": frozenset({"id", "jv"}),
    "jv": frozenset({"id", "ms"}),
    "no": frozenset({"da", "nn"}),
    "nn": frozenset({"no", "da"}),
    "da": frozenset({"no", "nn"}),
    "hr": frozenset({"sr", "bs"}),
    "sr": frozenset({"hr", "bs"}),
    "bs": frozenset({"hr", "sr"}),
    "cs": frozenset({"sk"}),
    "sk": frozenset({"cs"}),
    "es": frozenset({"gl"}),
    "gl": frozenset({"es", "pt"}),
    "pt": frozenset({"gl"}),
}

# Tokens that are not prose (code, URLs, e-mails, mentions, hashtags, commands), then everything
# that is not a letter: emoji, digits, punctuation and symbols carry no language here.
_NOT_PROSE: Final = re.compile(r"```[\s\S]*?```|`[^`\n]*`|\S*(?:://|www\.|[@#/])\S*")
_NOT_LETTER: Final = re.compile(
    r"[^\w\s'’\u0300-\u036f\u0590-\u05ff\u0600-\u06ff\u0900-\u0eff\u1000-\u109f]|[\d_]"
)  # combining marks of Latin, Hebrew, Arabic, Indic, Thai, Lao and Myanmar scripts are kept
_HANGUL: Final = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff]")
_KANA: Final = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HAN: Final = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u3005\U00020000-\U0003ffff]")
_ANY_CJK: Final = re.compile("|".join(pattern.pattern for pattern in (_HANGUL, _KANA, _HAN)))

# Prose beyond this many characters does not change the answer, only the cost.
_MAX_CHARS: Final = 400

_model_lock = threading.Lock()
_model: Any = None


def _base_identifier() -> Any:
    """The full py3langid model, loaded once from the package data and never modified."""
    global _model
    with _model_lock:
        if _model is None:
            path = Path(_langid.__file__).parent / _langid.MODEL_FILE
            _model = _langid.LanguageIdentifier.from_model_file(path, norm_probs=True)
        return _model


def model_languages() -> frozenset[str]:
    """The language codes the model knows."""
    return frozenset(str(label) for label in _base_identifier().labels)


def _restricted(languages: Iterable[str]) -> Any:
    """A new identifier over ``languages`` sharing the base model's read-only arrays."""
    base = _base_identifier()
    identifier = _langid.LanguageIdentifier(
        base.nb_ptc,
        base.nb_pc,
        base.nb_classes,
        base.tk_nextmove,
        base.tk_output,
        norm_probs=True,
        tk_row=base.tk_row,
    )
    identifier.set_languages(sorted(languages))
    return identifier


def _primary(code: str) -> str:
    return code.strip().replace("_", "-").split("-")[0].lower()


def _clean(text: str) -> str:
    """At most ``_MAX_CHARS`` of the prose of ``text``: words of letters, single spaces between."""
    prose = _NOT_PROSE.sub(" ", text[: _MAX_CHARS * 4])
    return " ".join(_NOT_LETTER.sub(" ", prose).split())[:_MAX_CHARS]


def _script_counts(text: str) -> tuple[int, int, int, int]:
    """(letters, Hangul, kana, Han) in a text cleaned by :func:`_clean`."""
    letters = len(text) - text.count(" ") - text.count("'") - text.count("’")
    if text.isascii():
        return letters, 0, 0, 0
    return letters, len(_HANGUL.findall(text)), len(_KANA.findall(text)), len(_HAN.findall(text))


def _mostly_cjk(counts: tuple[int, int, int, int]) -> bool:
    """Whether the Korean, Japanese and Chinese letters decide (a quarter of the letters or more)."""
    letters, hangul, kana, han = counts
    cjk = hangul + kana + han
    return cjk * 3 >= letters - cjk


class LanguageDetector:
    """Detects which of ``languages`` (ISO 639-1 codes) a text is written in, or says it cannot.

    Codes the model does not know are ignored; a regional code such as ``zh-CN`` is matched by its
    primary language and returned as configured. ``min_confidence`` is the probability the best
    language needs (over the configured and decoy languages), ``min_letters`` the number of letters
    needed once URLs, mentions, emoji, digits and the like are removed. ``decoys`` replaces
    :data:`DEFAULT_DECOYS`.
    """

    def __init__(
        self,
        languages: Iterable[str],
        *,
        min_confidence: float = 0.8,
        min_letters: int = 3,
        decoys: Iterable[str] | None = None,
    ) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError("min_confidence must be between 0 and 1")
        if isinstance(languages, str):
            languages = [languages]
        known = model_languages()
        self._codes: dict[str, str] = {}
        for code in languages:
            primary = _primary(code)
            if primary in known and primary not in self._codes:
                self._codes[primary] = code
        self.min_confidence = min_confidence
        self.min_letters = max(1, min_letters)

        configured = set(self._codes)
        others = set(DEFAULT_DECOYS if decoys is None else (_primary(code) for code in decoys))
        for code in configured:
            others -= _RELATIVES.get(code, frozenset())
        others = (others & known) - configured - _CJK
        self._alphabetic: Any = None
        alphabetic = configured - _CJK
        if alphabetic:
            self._alphabetic = _restricted(alphabetic | others)
        self._han: Any = _restricted({"ja", "zh"}) if configured & {"ja", "zh"} else None

    @property
    def languages(self) -> frozenset[str]:
        """The configured languages the detector can answer with, as configured."""
        return frozenset(self._codes.values())

    def _answer(self, primary: str | None, probability: float) -> str | None:
        if primary is None or probability < self.min_confidence or math.isnan(probability):
            return None
        return self._codes.get(primary)

    def detect(self, text: str) -> str | None:
        """The language of ``text`` if it is one of the configured ones and the model is confident."""
        cleaned = _clean(text)
        return self._detect(cleaned, _script_counts(cleaned))

    def _detect(self, cleaned: str, counts: tuple[int, int, int, int]) -> str | None:
        letters, hangul, kana, _ = counts
        if letters < self.min_letters:
            return None
        if _mostly_cjk(counts):
            if hangul and hangul >= kana:
                return self._codes.get("ko")
            if kana:
                return self._codes.get("ja")
            if self._han is None:
                return None
            language, probability = self._han.classify(cleaned)
            return self._answer(str(language), float(probability))
        if self._alphabetic is None:
            return None
        language, probability = self._alphabetic.classify(cleaned)
        return self._answer(str(language), float(probability))

    def is_in_language(self, text: str, lang: str) -> bool:
        """Whether ``text`` is detected as ``lang``: the same answer as ``detect(text) == lang``, cheaper.

        The script decides first: an alphabetic text is never Korean, Japanese or Chinese, and a mostly
        CJK text is never an alphabetic language, so the model is asked only when the two agree.
        """
        primary = _primary(lang)
        if self._codes.get(primary) != lang:
            return False  # detect answers only with the configured codes
        if primary in _CJK and (text.isascii() or not _ANY_CJK.search(text)):
            return False  # cleaning only removes characters: no CJK letter, no CJK answer
        cleaned = _clean(text)
        counts = _script_counts(cleaned)
        if counts[0] < self.min_letters or _mostly_cjk(counts) != (primary in _CJK):
            return False
        return self._detect(cleaned, counts) == lang
