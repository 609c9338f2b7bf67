"""Configuration: defaults, validation with one clear line naming the variable, TOML file, no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings

TOKEN = "123456789:AAH-secret_token_value_0123456789"


def test_defaults(tmp_path: Path) -> None:
    s = load_settings({})
    assert s.token is None
    assert s.bot_api_url == "https://api.telegram.org"
    assert s.database_url == "sqlite+aiosqlite:///kembar.db"
    assert (s.translator, s.log_level) == ("google", "INFO")

    s = load_settings({"KEMBAR_DATA_DIR": str(tmp_path), "KEMBAR_BOT_API_URL": "http://127.0.0.1:8081/"})
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path.as_posix()}/kembar.db"
    assert s.bot_api_url == "http://127.0.0.1:8081"


def test_send_rate_off_turns_the_rate_limiter_off() -> None:
    from bot.telegram.app import build_application
    from bot.telegram.ratelimit import PerChatRateLimiter

    assert load_settings({}).send_rate == 30.0
    assert load_settings({"KEMBAR_SEND_RATE": "off"}).send_rate == 0.0
    assert load_settings({"KEMBAR_SEND_RATE": "0"}).send_rate == 0.0
    with pytest.raises(ConfigError, match="KEMBAR_SEND_RATE"):
        load_settings({"KEMBAR_SEND_RATE": "0.01"})
    limited = build_application(load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}))
    assert isinstance(limited.bot.rate_limiter, PerChatRateLimiter)
    unlimited = build_application(load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "KEMBAR_SEND_RATE": "off"}))
    assert unlimited.bot.rate_limiter is None


def test_database_url_schemes_are_normalised() -> None:
    assert load_settings({"DATABASE_URL": "postgresql://u@h/db"}).database_url == "postgresql+asyncpg://u@h/db"
    assert load_settings({"DATABASE_URL": "sqlite:///x.db"}).database_url == "sqlite+aiosqlite:///x.db"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"KEMBAR_BOT_API_URL": "ftp://example"}, "KEMBAR_BOT_API_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"KEMBAR_TRANSLATOR": "babelfish"}, "KEMBAR_TRANSLATOR"),
        ({"KEMBAR_TRANSLATOR": "libre"}, "KEMBAR_TRANSLATOR_URL"),
        ({"KEMBAR_TRANSLATOR": "deepl"}, "KEMBAR_TRANSLATOR_API_KEY"),
        ({"KEMBAR_TRANSLATOR_URL": "nope"}, "KEMBAR_TRANSLATOR_URL"),
        ({"KEMBAR_LOG_LEVEL": "LOUD"}, "KEMBAR_LOG_LEVEL"),
        ({"KEMBAR_CONFIG": "/nonexistent/kembar.toml"}, "KEMBAR_CONFIG"),
        ({"KEMBAR_APPROVAL": "maybe"}, "KEMBAR_APPROVAL"),
        ({"KEMBAR_ALLOWED_CHATS": "-1001, Bandung"}, "KEMBAR_ALLOWED_CHATS"),
        ({"KEMBAR_KEEP_RELAYED_DAYS": "-1"}, "KEMBAR_KEEP_RELAYED_DAYS"),
        ({"KEMBAR_MAX_OPEN_ITEMS": "0"}, "KEMBAR_MAX_OPEN_ITEMS"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    assert info.value.variable == variable
    assert str(info.value).startswith(f"{variable}: ")
    assert "\n" not in str(info.value)


def test_bad_token_is_never_echoed() -> None:
    bad = "123456789 AAH-secret_token_value"
    with pytest.raises(ConfigError) as info:
        load_settings({"TELEGRAM_BOT_TOKEN": bad})
    assert "secret_token_value" not in str(info.value)


def test_toml_file_with_env_precedence(tmp_path: Path) -> None:
    path = tmp_path / "kembar.toml"
    path.write_text(
        '[kembar]\ntranslator = "libre"\ntranslator_url = "http://127.0.0.1:5000"\nlog_level = "debug"\n',
        encoding="utf-8",
    )
    s = load_settings({"KEMBAR_CONFIG": str(path), "KEMBAR_LOG_LEVEL": "warning"})
    assert (s.translator, s.translator_url, s.log_level) == ("libre", "http://127.0.0.1:5000", "WARNING")

    path.write_text('[kembar]\ncolour = "blue"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="KEMBAR_CONFIG: unknown key 'colour'"):
        load_settings({"KEMBAR_CONFIG": str(path)})


def test_secrets_are_hidden_from_repr() -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "KEMBAR_TRANSLATOR_API_KEY": "k-123-secret"})
    assert TOKEN not in repr(s) and "k-123-secret" not in repr(s)
    assert set(s.secrets) == {TOKEN, "k-123-secret"}


def test_a_database_password_is_a_secret_hidden_from_repr_and_logs() -> None:
    s = load_settings({"DATABASE_URL": "postgresql://kembar:p%40ss%2Fw0rd@db.example/kembar"})
    assert "p@ss/w0rd" not in repr(s) and "p%40ss" not in repr(s)
    assert s.database_password == "p@ss/w0rd"
    assert set(s.secrets) == {"p@ss/w0rd", "p%40ss%2Fw0rd"}  # as written in the URL, and decoded
    from bot.ops.logsetup import redact

    assert "p%40ss" not in redact(f"cannot connect to {s.database_url}", s.secrets)
    assert load_settings({}).secrets == ()


def test_cli_stops_with_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["db", "upgrade"], env={"KEMBAR_LOG_LEVEL": "chatty"})
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        "kembar: configuration error: KEMBAR_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, "
        "got 'CHATTY'"
    ]


def test_cli_run_without_token_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["run"], env={"KEMBAR_DATA_DIR": str(tmp_path)})
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN: is required" in capsys.readouterr().err


def test_data_and_limit_settings() -> None:
    defaults = load_settings({})
    assert (defaults.keep_relayed_days, defaults.keep_links_days, defaults.forget_removed_days) == (2.0, 30.0, 30.0)
    assert (defaults.approval, defaults.allowed_chats, defaults.max_groups_per_bridge) == (False, (), 10)
    listed = load_settings({"KEMBAR_ALLOWED_CHATS": "-1001, -1002;-1003", "KEMBAR_KEEP_LINKS_DAYS": "7"})
    assert listed.allowed_chats == (-1001, -1002, -1003) and listed.approval  # a list turns approval on
    assert listed.keep_links_days == 7.0
    assert not load_settings({"KEMBAR_ALLOWED_CHATS": "-1001", "KEMBAR_APPROVAL": "off"}).approval


def test_webhook_settings_are_read_and_checked() -> None:
    from bot.config import ConfigError, load_settings

    secret = "s3cret-token_0123456789"
    settings = load_settings(
        {
            "KEMBAR_WEBHOOK_URL": "https://kembar.example.org/telegram",
            "KEMBAR_WEBHOOK_SECRET": secret,
            "KEMBAR_LISTEN": "127.0.0.1:8443",
            "KEMBAR_METRICS_LISTEN": "[::1]:9100",
        }
    )
    assert settings.webhook and settings.listen == ("127.0.0.1", 8443)
    assert settings.metrics_listen == ("::1", 9100)
    assert secret in settings.secrets and secret not in repr(settings)
    assert not load_settings({}).webhook and load_settings({}).listen == ("127.0.0.1", 8080)
    bad = [
        ({"KEMBAR_WEBHOOK_URL": "https://k.example.org/t"}, "KEMBAR_WEBHOOK_SECRET"),
        ({"KEMBAR_WEBHOOK_URL": "http://k.example.org/t", "KEMBAR_WEBHOOK_SECRET": secret}, "KEMBAR_WEBHOOK_URL"),
        ({"KEMBAR_WEBHOOK_SECRET": "short"}, "KEMBAR_WEBHOOK_SECRET"),
        ({"KEMBAR_LISTEN": "8080"}, "KEMBAR_LISTEN"),
        ({"KEMBAR_METRICS_LISTEN": "host:99999"}, "KEMBAR_METRICS_LISTEN"),
    ]
    for env, variable in bad:
        try:
            load_settings(env)
        except ConfigError as exc:
            assert exc.variable == variable and "short" not in str(exc)
        else:
            raise AssertionError(f"{env} was accepted")


def test_the_listener_binds_loopback_unless_told_otherwise(tmp_path: Path) -> None:
    from bot.config import DEFAULT_LISTEN, Settings

    assert DEFAULT_LISTEN == ("127.0.0.1", 8080) and Settings().listen == DEFAULT_LISTEN
    assert load_settings({}).listen == ("127.0.0.1", 8080)
    assert load_settings({"KEMBAR_LISTEN": " "}).listen == ("127.0.0.1", 8080)  # blank: the default
    assert load_settings({}).metrics_listen is None  # polling mode serves nothing unless asked
    assert load_settings({"KEMBAR_LISTEN": "0.0.0.0:8080"}).listen == ("0.0.0.0", 8080)  # opened explicitly
    assert load_settings({"KEMBAR_METRICS_LISTEN": "127.0.0.1:9100"}).metrics_listen == ("127.0.0.1", 9100)
    path = tmp_path / "kembar.toml"
    path.write_text('[kembar]\nlisten = "[::]:8443"\n', encoding="utf-8")
    assert load_settings({"KEMBAR_CONFIG": str(path)}).listen == ("::", 8443)


def test_max_connections_has_a_default_and_a_range(tmp_path: Path) -> None:
    from bot.telegram.web import MAX_CONNECTIONS

    assert load_settings({}).max_connections == 256 == MAX_CONNECTIONS
    assert load_settings({"KEMBAR_MAX_CONNECTIONS": "1000"}).max_connections == 1000
    assert load_settings({"KEMBAR_MAX_CONNECTIONS": "1"}).max_connections == 1
    path = tmp_path / "kembar.toml"
    path.write_text('[kembar]\nmax_connections = "64"\n', encoding="utf-8")
    assert load_settings({"KEMBAR_CONFIG": str(path)}).max_connections == 64
    for bad in ("0", "-5", "100001", "many", "1e9"):
        with pytest.raises(ConfigError) as info:
            load_settings({"KEMBAR_MAX_CONNECTIONS": bad})
        assert info.value.variable == "KEMBAR_MAX_CONNECTIONS"
        assert str(info.value).startswith("KEMBAR_MAX_CONNECTIONS: must be ")
