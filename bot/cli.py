"""The ``kembar`` command: run, sandbox, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Mapping, Sequence

from bot.config import ConfigError, Settings, load_settings
from bot.logsetup import configure_logging, redact

logger = logging.getLogger("kembar")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kembar", description="Kembar: a bot for sister-city partnerships")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot with long polling (needs TELEGRAM_BOT_TOKEN)")
    sandbox = sub.add_parser("sandbox", help="run the bot against a local Telegram emulator, interactively")
    sandbox.add_argument(
        "--group",
        action="append",
        metavar="CITY:LANG",
        help="a simulated group (repeatable), default Surabaya:id and Busan:ko",
    )
    sandbox.add_argument(
        "--local-translator",
        action="store_true",
        help="start the local phrase-table translation server and use it (no internet needed)",
    )
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")
    return parser


async def _db_upgrade(settings: Settings) -> None:
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()


def _run(settings: Settings) -> None:
    if not settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "is required for 'kembar run' (without it use 'kembar sandbox')")
    from telegram import Update

    from bot.app import build_application

    app = build_application(settings)
    logger.info(
        "Kembar starting (Bot API %s, database %s)", settings.bot_api_url, settings.database_url.split("://")[0]
    )
    app.run_polling(allowed_updates=Update.ALL_TYPES)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    environ = os.environ if env is None else env
    try:
        settings = load_settings(environ)
    except ConfigError as exc:
        print(f"kembar: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.secrets)
    try:
        if args.command == "run":
            _run(settings)
        elif args.command == "sandbox":
            from bot.sandbox.interactive import run_sandbox

            asyncio.run(run_sandbox(settings, groups=args.group, local_translator=args.local_translator))
        elif args.command == "db" and args.db_command == "upgrade":
            asyncio.run(_db_upgrade(settings))
            print("kembar: database is up to date")
    except ConfigError as exc:
        print(f"kembar: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clean line for the operator; the traceback goes to the (redacted) log
        logger.debug("fatal error", exc_info=True)
        print(f"kembar: {type(exc).__name__}: {redact(str(exc), settings.secrets)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
