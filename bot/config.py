"""Kembar settings: read once from the environment (and an optional TOML file), validated, passed explicitly.

Public variable names (keep them stable):
``TELEGRAM_BOT_TOKEN``, ``KEMBAR_BOT_API_URL``, ``DATABASE_URL``, ``KEMBAR_DATA_DIR``, ``KEMBAR_TRANSLATOR``,
``KEMBAR_TRANSLATOR_URL``, ``KEMBAR_TRANSLATOR_API_KEY``, ``KEMBAR_TRANSLATOR_TIMEOUT``,
``KEMBAR_TRANSLATOR_CONCURRENCY``, ``KEMBAR_LOG_LEVEL``,
``KEMBAR_SEND_RATE``, ``KEMBAR_GROUP_RATE``, the data and limit settings (``KEMBAR_KEEP_RELAYED_DAYS``,
``KEMBAR_KEEP_LINKS_DAYS``, ``KEMBAR_KEEP_TRANSLATIONS_DAYS``, ``KEMBAR_TRANSLATION_CACHE_MAX``,
``KEMBAR_FORGET_REMOVED_DAYS``, ``KEMBAR_APPROVAL``, ``KEMBAR_ALLOWED_CHATS``,
``KEMBAR_MAX_GROUPS_PER_BRIDGE``, ``KEMBAR_MAX_OPEN_ITEMS``, ``KEMBAR_MAX_REMINDERS``), webhook mode and
operations (``KEMBAR_WEBHOOK_URL``, ``KEMBAR_WEBHOOK_SECRET``, ``KEMBAR_LISTEN``, ``KEMBAR_METRICS_LISTEN``,
``KEMBAR_MAX_CONNECTIONS``) and ``KEMBAR_CONFIG``.

The HTTP listener binds the loopback interface unless told otherwise: ``KEMBAR_LISTEN`` defaults to
``127.0.0.1:8080``, and a reverse proxy on the same machine, or an explicit ``0.0.0.0:8080``, opens it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

TRANSLATORS = ("google", "deepl", "microsoft", "libre", "mymemory")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_BOT_API_URL = "https://api.telegram.org"
DEFAULT_LISTEN = ("127.0.0.1", 8080)  # loopback: a reverse proxy, or an explicit KEMBAR_LISTEN, opens it
DEFAULT_MAX_CONNECTIONS = 256  # open HTTP connections at once (bot.telegram.web)

# Telegram bot tokens look like "123456789:AA...": digits, a colon, then 30+ URL-safe characters.
# Emulator tokens are shorter, so only the overall shape is enforced.
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")

# TOML keys accepted in the KEMBAR_CONFIG file, mapped to the environment names they stand for.
_TOML_KEYS = {
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "bot_api_url": "KEMBAR_BOT_API_URL",
    "database_url": "DATABASE_URL",
    "data_dir": "KEMBAR_DATA_DIR",
    "translator": "KEMBAR_TRANSLATOR",
    "translator_url": "KEMBAR_TRANSLATOR_URL",
    "translator_api_key": "KEMBAR_TRANSLATOR_API_KEY",
    "log_level": "KEMBAR_LOG_LEVEL",
    "translator_timeout": "KEMBAR_TRANSLATOR_TIMEOUT",
    "translator_concurrency": "KEMBAR_TRANSLATOR_CONCURRENCY",
    "send_rate": "KEMBAR_SEND_RATE",
    "group_rate": "KEMBAR_GROUP_RATE",
    "keep_relayed_days": "KEMBAR_KEEP_RELAYED_DAYS",
    "keep_links_days": "KEMBAR_KEEP_LINKS_DAYS",
    "keep_translations_days": "KEMBAR_KEEP_TRANSLATIONS_DAYS",
    "translation_cache_max": "KEMBAR_TRANSLATION_CACHE_MAX",
    "forget_removed_days": "KEMBAR_FORGET_REMOVED_DAYS",
    "allowed_chats": "KEMBAR_ALLOWED_CHATS",
    "approval": "KEMBAR_APPROVAL",
    "max_groups_per_bridge": "KEMBAR_MAX_GROUPS_PER_BRIDGE",
    "max_open_items": "KEMBAR_MAX_OPEN_ITEMS",
    "max_reminders": "KEMBAR_MAX_REMINDERS",
    "webhook_url": "KEMBAR_WEBHOOK_URL",
    "webhook_secret": "KEMBAR_WEBHOOK_SECRET",
    "listen": "KEMBAR_LISTEN",
    "metrics_listen": "KEMBAR_METRICS_LISTEN",
    "max_connections": "KEMBAR_MAX_CONNECTIONS",
}


class ConfigError(Exception):
    """A setting is invalid. ``str(err)`` is one line that names the variable and never shows a secret."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        self.problem = problem
        super().__init__(f"{variable}: {problem}")


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)
    bot_api_url: str = DEFAULT_BOT_API_URL
    database_url: str = field(default="sqlite+aiosqlite:///kembar.db", repr=False)  # may carry a password
    data_dir: Path = Path(".")
    translator: str = "google"
    translator_url: str | None = None
    translator_api_key: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    translator_timeout: float = 10.0
    translator_concurrency: int = 16  # translation requests in flight at once
    send_rate: float = 30.0  # messages per second, all chats (Telegram: about 30); 0: no rate limiter
    group_rate: float = 20.0  # messages per minute per group (Telegram: 20)
    # What is kept, and for how long (the README's "Data" section).
    keep_relayed_days: float = 2.0  # finished relay jobs (the edit window is 48 h)
    keep_links_days: float = 30.0  # which copy stands for which message (replies and edits thread)
    keep_translations_days: float = 30.0
    translation_cache_max: int = 100_000  # rows; the oldest beyond are dropped
    forget_removed_days: float = 30.0  # a group the bot was removed from is forgotten after this
    # Who may use this Kembar: with approval on, only approved groups can link (the translator is paid).
    approval: bool = False
    allowed_chats: tuple[int, ...] = ()
    max_groups_per_bridge: int = 10
    max_open_items: int = 500  # per bridge (or group)
    max_reminders: int = 200  # pending numbered reminders per bridge (or group)
    # Webhook mode (bot.telegram.web): Telegram posts updates to webhook_url; Kembar listens on `listen`.
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    listen: tuple[str, int] = DEFAULT_LISTEN
    # Polling mode: where /healthz, /readyz and /metrics are served (None: not served).
    metrics_listen: tuple[str, int] | None = None
    # Open HTTP connections at once; beyond it one still waiting for its request makes room (bot.ops.connections).
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    @property
    def webhook(self) -> bool:
        """Webhook mode (else long polling)."""
        return self.webhook_url is not None

    @property
    def database_password(self) -> str | None:
        try:
            password = urlsplit(self.database_url).password
        except ValueError:
            return None
        return unquote(password) if password else None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs, errors or the database."""
        password = self.database_password
        encoded = quote(password, safe="") if password else None
        values = (self.token, self.translator_api_key, password, encoded, self.webhook_secret)
        return tuple(dict.fromkeys(s for s in values if s))


def _read_toml(path_text: str) -> dict[str, str]:
    path = Path(path_text)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("KEMBAR_CONFIG", f"file not found: {path}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("KEMBAR_CONFIG", f"cannot read {path}: {exc}") from None
    section = data.get("kembar", data)
    if not isinstance(section, dict):
        raise ConfigError("KEMBAR_CONFIG", "expected a table of settings")
    values: dict[str, str] = {}
    for key, value in section.items():
        env_name = _TOML_KEYS.get(key)
        if env_name is None:
            raise ConfigError("KEMBAR_CONFIG", f"unknown key {key!r} (known: {', '.join(sorted(_TOML_KEYS))})")
        if not isinstance(value, str):
            raise ConfigError(env_name, f"{key} in {path} must be a string")
        values[env_name] = value
    return values


def _check_url(variable: str, value: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise ConfigError(variable, f"must be an {' or '.join(schemes)} URL, got {value!r}")
    return value


def _number(variable: str, value: str | None, default: float, low: float, high: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(variable, f"must be a number, got {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(variable, f"must be between {low:g} and {high:g}, got {value!r}")
    return number


_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # Telegram allows 1-256 of these; we ask for 16+


def _host_port(variable: str, value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(variable, f"must be host:port (e.g. 127.0.0.1:8080), got {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build Settings from an environment mapping (``os.environ`` in production, a dict in tests).

    Environment variables take precedence over the TOML file named by ``KEMBAR_CONFIG``.
    Raises ConfigError naming the first invalid variable.
    """
    merged: dict[str, str] = {}
    config_path = env.get("KEMBAR_CONFIG", "").strip()
    if config_path:
        merged.update(_read_toml(config_path))
    merged.update({k: v for k, v in env.items() if k in _TOML_KEYS.values()})

    def get(name: str) -> str | None:
        value = merged.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    token = get("TELEGRAM_BOT_TOKEN")
    if token is not None and not _TOKEN_RE.match(token):
        # Never echo the value: it may be a real token with a typo.
        raise ConfigError("TELEGRAM_BOT_TOKEN", "does not look like a bot token (expected '<digits>:<secret>')")

    bot_api_url = _check_url("KEMBAR_BOT_API_URL", get("KEMBAR_BOT_API_URL") or DEFAULT_BOT_API_URL).rstrip("/")

    data_dir = Path(get("KEMBAR_DATA_DIR") or ".")
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError("KEMBAR_DATA_DIR", f"{data_dir} is not a directory")

    database_url = get("DATABASE_URL")
    if database_url is None:
        database_url = f"sqlite+aiosqlite:///{(data_dir / 'kembar.db').as_posix()}"
    else:
        scheme = database_url.split("://", 1)[0] if "://" in database_url else ""
        if scheme in ("sqlite", "sqlite+aiosqlite"):
            database_url = "sqlite+aiosqlite://" + database_url.split("://", 1)[1]
        elif scheme in ("postgresql", "postgres", "postgresql+asyncpg"):
            database_url = "postgresql+asyncpg://" + database_url.split("://", 1)[1]
        else:
            raise ConfigError("DATABASE_URL", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://")

    translator = (get("KEMBAR_TRANSLATOR") or "google").lower()
    if translator not in TRANSLATORS:
        raise ConfigError("KEMBAR_TRANSLATOR", f"must be one of {', '.join(TRANSLATORS)}, got {translator!r}")
    translator_url = get("KEMBAR_TRANSLATOR_URL")
    if translator_url is not None:
        translator_url = _check_url("KEMBAR_TRANSLATOR_URL", translator_url)
    translator_api_key = get("KEMBAR_TRANSLATOR_API_KEY")
    if translator == "libre" and translator_url is None:
        raise ConfigError("KEMBAR_TRANSLATOR_URL", "is required when KEMBAR_TRANSLATOR=libre")
    if translator in ("deepl", "microsoft") and translator_api_key is None:
        raise ConfigError("KEMBAR_TRANSLATOR_API_KEY", f"is required when KEMBAR_TRANSLATOR={translator}")

    log_level = (get("KEMBAR_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError("KEMBAR_LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")

    translator_timeout = _number("KEMBAR_TRANSLATOR_TIMEOUT", get("KEMBAR_TRANSLATOR_TIMEOUT"), 10.0, 0.1, 300.0)
    translator_concurrency = int(
        _number("KEMBAR_TRANSLATOR_CONCURRENCY", get("KEMBAR_TRANSLATOR_CONCURRENCY"), 16, 1, 256)
    )
    raw_send_rate = get("KEMBAR_SEND_RATE")
    if raw_send_rate is not None and raw_send_rate.strip().lower() in ("off", "0"):
        send_rate = 0.0  # no rate limiter: only Telegram's flood control (RetryAfter) paces the bot
    else:
        send_rate = _number("KEMBAR_SEND_RATE", raw_send_rate, 30.0, 0.1, 100000.0)
    group_rate = _number("KEMBAR_GROUP_RATE", get("KEMBAR_GROUP_RATE"), 20.0, 0.1, 100000.0)

    def days(name: str, default: float) -> float:
        return _number(name, get(name), default, 0.01, 3650.0)

    def count(name: str, default: int, high: int) -> int:
        return int(_number(name, get(name), default, 1, high))

    allowed_chats: list[int] = []
    for part in (get("KEMBAR_ALLOWED_CHATS") or "").replace(";", ",").split(","):
        if part.strip():
            try:
                allowed_chats.append(int(part.strip()))
            except ValueError:
                problem = f"expected chat ids separated by commas, got {part!r}"
                raise ConfigError("KEMBAR_ALLOWED_CHATS", problem) from None
    approval_text = (get("KEMBAR_APPROVAL") or ("on" if allowed_chats else "off")).lower()
    if approval_text not in ("on", "off"):
        raise ConfigError("KEMBAR_APPROVAL", f"must be on or off, got {approval_text!r}")

    webhook_url = get("KEMBAR_WEBHOOK_URL")
    webhook_secret = get("KEMBAR_WEBHOOK_SECRET")
    if webhook_url is not None:
        _check_url("KEMBAR_WEBHOOK_URL", webhook_url, ("https", "http"))
        if urlsplit(webhook_url).scheme != "https" and urlsplit(webhook_url).hostname not in ("127.0.0.1", "localhost"):
            raise ConfigError("KEMBAR_WEBHOOK_URL", "must be an https URL (Telegram posts only to HTTPS)")
        if webhook_secret is None:
            raise ConfigError("KEMBAR_WEBHOOK_SECRET", "is required with KEMBAR_WEBHOOK_URL")
    if webhook_secret is not None and not _SECRET_TOKEN_RE.match(webhook_secret):
        # Never echo the value.
        raise ConfigError("KEMBAR_WEBHOOK_SECRET", "must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
    raw_listen = get("KEMBAR_LISTEN")
    listen = _host_port("KEMBAR_LISTEN", raw_listen) if raw_listen else DEFAULT_LISTEN
    raw_metrics = get("KEMBAR_METRICS_LISTEN")
    metrics_listen = _host_port("KEMBAR_METRICS_LISTEN", raw_metrics) if raw_metrics else None

    return Settings(
        token=token,
        bot_api_url=bot_api_url,
        database_url=database_url,
        data_dir=data_dir,
        translator=translator,
        translator_url=translator_url,
        translator_api_key=translator_api_key,
        log_level=log_level,
        translator_timeout=translator_timeout,
        translator_concurrency=translator_concurrency,
        send_rate=send_rate,
        group_rate=group_rate,
        keep_relayed_days=days("KEMBAR_KEEP_RELAYED_DAYS", 2.0),
        keep_links_days=days("KEMBAR_KEEP_LINKS_DAYS", 30.0),
        keep_translations_days=days("KEMBAR_KEEP_TRANSLATIONS_DAYS", 30.0),
        translation_cache_max=count("KEMBAR_TRANSLATION_CACHE_MAX", 100_000, 100_000_000),
        forget_removed_days=days("KEMBAR_FORGET_REMOVED_DAYS", 30.0),
        approval=approval_text == "on",
        allowed_chats=tuple(allowed_chats),
        max_groups_per_bridge=count("KEMBAR_MAX_GROUPS_PER_BRIDGE", 10, 1000),
        max_open_items=count("KEMBAR_MAX_OPEN_ITEMS", 500, 1_000_000),
        max_reminders=count("KEMBAR_MAX_REMINDERS", 200, 1_000_000),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        listen=listen,
        metrics_listen=metrics_listen,
        max_connections=count("KEMBAR_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, 100_000),
    )
