"""The ``kembar`` command: run, sandbox, doctor, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.ops.logsetup import configure_logging, redact

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger("kembar")

SANDBOX_LOG = "kembar-sandbox.log"  # in the data directory, beside the SQLite file: the sandbox's terminal is the chat


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kembar", description="Kembar: a bot for sister-city partnerships")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot with long polling (needs TELEGRAM_BOT_TOKEN)")
    sandbox = sub.add_parser(
        "sandbox",
        help="run the bot against a local Telegram emulator, interactively or on lines piped in (logs go to "
        f"{SANDBOX_LOG} in KEMBAR_DATA_DIR)",
    )
    sandbox.add_argument(
        "--group",
        action="append",
        metavar="CITY:LANG",
        help="a simulated group (repeatable), default Surabaya:id, Busan:ko and Braunschweig:de",
    )
    sandbox.add_argument("--no-link", action="store_true", help="do not link the groups at start (try /link)")
    sandbox.add_argument(
        "--local-translator",
        action="store_true",
        help="start the local phrase-table translation server and use it (no internet needed)",
    )
    bridges = sub.add_parser("bridges", help="manage bridges (operator)")
    bridges_sub = bridges.add_subparsers(dest="bridges_command", required=True)
    bridges_sub.add_parser("list", help="list bridges and their groups")
    link = bridges_sub.add_parser("link", help="link two groups (the second joins the first's bridge)")
    link.add_argument("chat_a", type=int, metavar="CHAT_ID")
    link.add_argument("chat_b", type=int, metavar="CHAT_ID")
    unlink = bridges_sub.add_parser("unlink", help="take a group out of its bridge")
    unlink.add_argument("chat", type=int, metavar="CHAT_ID")
    chats = sub.add_parser("chats", help="the groups approved to use this Kembar (operator)")
    chats_sub = chats.add_subparsers(dest="chats_command", required=True)
    chats_sub.add_parser("list", help="the approved groups")
    for verb, what in (("approve", "let a group link (with KEMBAR_APPROVAL=on)"), ("revoke", "withdraw an approval")):
        chats_sub.add_parser(verb, help=what).add_argument("chat", type=int, metavar="CHAT_ID")
    forget = sub.add_parser("forget", help="delete everything stored about a group (its partners are told)")
    forget.add_argument("chat", type=int, metavar="CHAT_ID")
    export = sub.add_parser(
        "export", help="write a group's actions, indicators, calendar, decisions or evidence as files (operator)"
    )
    export.add_argument("what", choices=("actions", "indicators", "calendar", "decisions", "evidence"))
    export.add_argument("chat", type=int, metavar="CHAT_ID")
    export.add_argument("--out", type=Path, default=Path("."), help="the folder to write into (default: here)")
    sub.add_parser(
        "doctor",
        help="check this deployment (token, privacy mode, webhook/polling, database, translator, clock); "
        "exit status 1 when a check fails",
    )
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")
    db_sub.add_parser("clean", help="run the data retention now (it also runs every six hours in the bot)")
    return parser


async def _db_upgrade(settings: Settings) -> None:
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()


async def _operator_services(settings: Settings, stack: AsyncExitStack) -> Services:
    """The services for an operator command: the database migrated, groups told through the bot when a
    token is set (nothing sent without one), no polling and no delivery."""
    from bot.language.catalog import Catalog
    from bot.services import Services
    from bot.telegram.sender import operator_sender

    sender = await operator_sender(settings.token, settings.bot_api_url, stack)
    services = Services.create(settings, Catalog.load(), sender, sender)
    stack.push_async_callback(services.close)
    await services.store.upgrade()
    return services


async def _bridges(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.errors import AlreadyBridged

    async with AsyncExitStack() as stack:
        services = await _operator_services(settings, stack)
        service = services.bridges
        repo = service.bridges
        if args.bridges_command == "list":
            bridges = await repo.all()
            if not bridges:
                print("no bridges")
            for bridge in bridges:
                print(f"bridge {bridge.id}:")
                for chat in bridge.members:
                    print(f"  {chat.id}  {chat.label}  ({chat.language})")
            return 0
        try:
            if args.bridges_command == "link":
                bridge = await service.link(args.chat_a, args.chat_b)
                print(f"bridge {bridge.id}: " + ", ".join(f"{c.label} ({c.id})" for c in bridge.members))
            else:
                remaining = await service.unlink(args.chat)
                if remaining is None:
                    print(f"chat {args.chat} is not in a bridge")
                    return 1
                print(f"chat {args.chat} left bridge {remaining.id}")
        except AlreadyBridged as exc:
            print(f"kembar: chat {exc.chat_id} is already in bridge {exc.bridge_id}; unlink it first", file=sys.stderr)
            return 1
        except LookupError as exc:
            print(f"kembar: {exc} (add the bot to that group first)", file=sys.stderr)
            return 1
        except ValueError as exc:
            print(f"kembar: {exc}", file=sys.stderr)
            return 1
        if not settings.token:
            print("note: TELEGRAM_BOT_TOKEN is not set, so the groups were not notified")
    return 0


async def _chats(settings: Settings, args: argparse.Namespace) -> int:
    async with AsyncExitStack() as stack:
        bridges = (await _operator_services(settings, stack)).bridges
        if args.chats_command == "approve":
            await bridges.approve(args.chat)
            print(f"chat {args.chat} is approved")
        elif args.chats_command == "revoke":
            had, left = await bridges.revoke_approval(args.chat)
            print(f"chat {args.chat} " + ("is no longer approved" if had else "was not approved"))
            if left:
                print(f"chat {args.chat} left its bridge; it and its partners were told (when a token is set)")
            elif not settings.approval:
                print("note: KEMBAR_APPROVAL is off, so every group may link and relay")
        else:
            listed = await bridges.approved_chats()
            print("\n".join(str(chat) for chat in listed) if listed else "no approved groups")
            if not settings.approval:
                print("note: KEMBAR_APPROVAL is off, so every group may link")
    return 0


async def _forget(settings: Settings, chat_id: int) -> int:
    async with AsyncExitStack() as stack:
        services = await _operator_services(settings, stack)
        rows = await services.privacy.forget(chat_id)
        print(f"chat {chat_id}: {rows} rows deleted" if rows else f"chat {chat_id}: nothing stored")
    return 0


async def _export(settings: Settings, what: str, chat_id: int, out: Path) -> int:
    """The same files as /export in that group, in its language and zone."""
    async with AsyncExitStack() as stack:
        services = await _operator_services(settings, stack)
        chat = await services.chats.get(chat_id)
        if chat is None:
            print(f"kembar: no group {chat_id} is known", file=sys.stderr)
            return 1
        made = await services.reports.export_files(await services.chats.context(chat), what)
        if not made.files:
            print(f"chat {chat_id}: nothing to export")
            return 0
    for path in await asyncio.to_thread(_write_files, out, made.files):
        print(path)
    if made.rows < made.total:
        print(f"note: the files hold the first {made.rows} of {made.total} rows")
    return 0


def _write_files(out: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files:
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


async def _clean(settings: Settings) -> int:
    async with AsyncExitStack() as stack:
        services = await _operator_services(settings, stack)
        done = await services.privacy.run_retention()
        print(", ".join(f"{kind}: {count}" for kind, count in done.items()))
    return 0


def _run(settings: Settings) -> None:
    if not settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "is required for 'kembar run' (without it use 'kembar sandbox')")
    from bot.telegram.app import serve

    backend = settings.database_url.split("://")[0]
    logger.info("Kembar starting (Bot API %s, database %s)", settings.bot_api_url, backend)
    asyncio.run(serve(settings))


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    environ = os.environ if env is None else env
    try:
        settings = load_settings(environ)
    except ConfigError as exc:
        print(f"kembar: configuration error: {exc}", file=sys.stderr)
        return 2
    log_file = (settings.data_dir / SANDBOX_LOG).resolve() if args.command == "sandbox" else None
    try:
        configure_logging(settings.log_level, settings.secrets, log_file=log_file)
    except OSError as exc:
        print(f"kembar: cannot write the log file {log_file}: {exc}", file=sys.stderr)
        return 2
    # Alembic logs every migration step at INFO ("Context impl", "Running upgrade …"): kept in the log of
    # `kembar run` and the sandbox, but the operator commands' terminal shows only its warnings and errors.
    quiet = args.command not in ("run", "sandbox")
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level) if quiet else logging.NOTSET)
    try:
        if args.command == "run":
            _run(settings)
        elif args.command == "sandbox":
            from bot.sandbox.interactive import run_sandbox

            return asyncio.run(
                run_sandbox(
                    settings,
                    groups=args.group,
                    local_translator=args.local_translator,
                    link=not args.no_link,
                    log_file=log_file,
                )
            )
        elif args.command == "bridges":
            return asyncio.run(_bridges(settings, args))
        elif args.command == "chats":
            return asyncio.run(_chats(settings, args))
        elif args.command == "export":
            return asyncio.run(_export(settings, args.what, args.chat, args.out))
        elif args.command == "forget":
            return asyncio.run(_forget(settings, args.chat))
        elif args.command == "doctor":
            from bot.telegram.doctor import doctor

            return asyncio.run(doctor(settings))
        elif args.command == "db" and args.db_command == "clean":
            return asyncio.run(_clean(settings))
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
