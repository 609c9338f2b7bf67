"""Translation: the ``Translator`` protocol, its errors and the deep-translator providers."""

from bot.translation.base import (
    CircuitOpenError,
    TranslationAuthError,
    TranslationError,
    TranslationRejected,
    TranslationTimeout,
    TranslationUnavailable,
    Translator,
    UnsupportedLanguage,
    split_text,
    utf8_length,
)
from bot.translation.providers import (
    DEFAULT_MAX_CHARS,
    LIBRE_PLACEHOLDER_KEY,
    PACK_MAX,
    PROVIDERS,
    CircuitBreaker,
    DeepTranslator,
    build_translator,
    map_language,
)

__all__ = [
    "DEFAULT_MAX_CHARS",
    "LIBRE_PLACEHOLDER_KEY",
    "PACK_MAX",
    "PROVIDERS",
    "CircuitBreaker",
    "CircuitOpenError",
    "DeepTranslator",
    "TranslationAuthError",
    "TranslationError",
    "TranslationRejected",
    "TranslationTimeout",
    "TranslationUnavailable",
    "Translator",
    "UnsupportedLanguage",
    "build_translator",
    "map_language",
    "split_text",
    "utf8_length",
]
