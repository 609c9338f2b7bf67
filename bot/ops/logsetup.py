"""Logging with secrets redacted at the source.

python-telegram-bot and httpx log request URLs (``https://api.telegram.org/bot<TOKEN>/getMe``) and
exceptions may carry them too. A log-record factory redacts every secret from the message, its
arguments and the formatted traceback as the record is created, so no handler (file, console, pytest's
caplog) ever sees the raw value.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

REDACTED = "<redacted>"

# A bot token anywhere in a URL path (".../bot123:ABC/..."), even one we were not told about.
_TOKEN_IN_URL = re.compile(r"bot\d{1,20}:[A-Za-z0-9_-]+")


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return _TOKEN_IN_URL.sub("bot" + REDACTED, text)


class _Redactor:
    """Wraps the current log-record factory; idempotent when installed again with other secrets."""

    def __init__(self, base: Callable[..., logging.LogRecord], secrets: tuple[str, ...]) -> None:
        self.base = base
        self.secrets = secrets

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = str(record.msg)
        clean = redact(message, self.secrets)
        if clean != message or record.args:
            record.msg = clean
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return record


def install_redaction(secrets: Iterable[str]) -> None:
    current = logging.getLogRecordFactory()
    base = current.base if isinstance(current, _Redactor) else current
    logging.setLogRecordFactory(_Redactor(base, tuple(s for s in secrets if s)))


LOG_FILE_BYTES = 5_000_000  # a log file is rotated at this size; one older file is kept beside it


def configure_logging(
    level: str, secrets: Iterable[str], stream: TextIO | None = None, *, log_file: Path | None = None
) -> None:
    """Configure root logging once at start-up (CLI entry points call this, library code never does).

    Records go to ``stream`` (standard error by default) or, with ``log_file``, only to that file
    (created with its folder, appended to, rotated at ``LOG_FILE_BYTES``), and then Python's warnings
    go there too: the terminal is left to the program's own output. Either way secrets are redacted.
    """
    install_redaction(secrets)
    handler: logging.Handler
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=LOG_FILE_BYTES, backupCount=1, encoding="utf-8"
        )
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    logging.captureWarnings(log_file is not None)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; keep it to warnings (they are redacted anyway).
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("httpcore").setLevel(max(logging.WARNING, root.level))
