"""Secrets are redacted from every log record: message, arguments and tracebacks."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ops.logsetup import REDACTED, configure_logging, install_redaction, redact

TOKEN = "987654321:AAF-very_secret_token_abcdefghijklmnop"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    logging.captureWarnings(False)
    logging.setLogRecordFactory(factory)
    root.handlers[:] = handlers
    root.setLevel(level)


def test_redact_known_and_unknown_tokens() -> None:
    assert redact(f"POST https://api.telegram.org/bot{TOKEN}/getMe", [TOKEN]) == (
        f"POST https://api.telegram.org/bot{REDACTED}/getMe"
    )
    # A token we were not told about is still caught by its shape in a Bot API URL.
    assert "secret" not in redact("GET http://x/bot111:other-secret/getUpdates", [])
    assert redact("api key k-1 used", ["k-1"]) == f"api key {REDACTED} used"


@pytest.mark.usefixtures("restore_logging")
def test_records_are_redacted_for_every_handler(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", [TOKEN, "api-key-xyz"], stream=stream)
    logging.getLogger().addHandler(caplog.handler)
    log = logging.getLogger("httpx")
    log.warning("HTTP Request: %s %s", "POST", f"https://api.telegram.org/bot{TOKEN}/getMe")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected; key=api-key-xyz")
    except RuntimeError:
        logging.getLogger("telegram.ext").exception("boom")
    output = stream.getvalue() + caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "HTTP Request: POST" in output and "was rejected" in output
    assert TOKEN not in output and "api-key-xyz" not in output
    assert "very_secret" not in output


@pytest.mark.usefixtures("restore_logging")
def test_reinstalling_does_not_stack_factories() -> None:
    install_redaction(["a-secret-1"])
    install_redaction(["b-secret-2"])
    record = logging.getLogRecordFactory()("x", logging.INFO, __file__, 1, "%s %s", ("a-secret-1", "b-secret-2"), None)
    assert record.getMessage() == f"a-secret-1 {REDACTED}"


@pytest.mark.usefixtures("restore_logging")
def test_a_log_file_takes_the_records_and_warnings_redacted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log_file = tmp_path / "data" / "kembar-sandbox.log"  # the folder is created
    configure_logging("INFO", [TOKEN], log_file=log_file)
    logging.getLogger("telegram.ext").warning("the token %s was rejected", TOKEN)
    logging.getLogger("alembic.runtime.migration").info("Running upgrade")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("an old way of doing things", UserWarning, stacklevel=1)
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert f"WARNING telegram.ext: the token {REDACTED} was rejected" in logged and TOKEN not in logged
    assert "INFO alembic.runtime.migration: Running upgrade" in logged
    assert "an old way of doing things" in logged
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
