"""relay_ratio: Kembar relaying a burst into a two-group bridge, against a minimal python-telegram-bot relay."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import TOKEN, Route, RunResult, Tracker, kembar_world, progress, run_posts, settle
from bench.profiling import maybe_profile
from bot.sandbox.emulator import BotApiEmulator


@dataclass(frozen=True)
class RelaySizes:
    messages: int
    warmup: int
    paced: int  # messages sent one at a time after the burst (latency without queueing)

    def timeout(self) -> float:
        return 120.0 + self.messages * 0.25


@dataclass(frozen=True)
class RelayRun:
    burst: RunResult  # the measured burst
    paced: RunResult | None  # then messages one at a time

    def details(self) -> dict[str, Any]:
        if self.paced is None:
            return self.burst.summary()
        return self.burst.summary() | {
            "paced": {
                "messages": self.paced.posts,
                "latency_ms_p50": self.paced.latency(0.50),
                "latency_ms_p95": self.paced.latency(0.95),
                "latency_ms_max": self.paced.latency(1.0),
            }
        }


async def kembar_relay(sizes: RelaySizes, database_url: str | None, profile_dir: Path | None) -> RelayRun:
    """Kembar on a fresh database, bridge id → ko set up with /lang and /link, translator latency 0."""
    async with kembar_world(database_url, latency=0.0) as world:
        surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
        async with world.bot():
            await world.link([surabaya, busan])
            routes = [Route(surabaya.id, surabaya.member.id, (busan.id,))]
            if sizes.warmup:
                await world.run_posts("kw", routes, sizes.warmup, timeout=sizes.timeout())
            progress(f"kembar: relaying {sizes.messages} messages id → ko")
            result = await world.run_posts(
                "kr", routes, sizes.messages, timeout=sizes.timeout(), profile=maybe_profile(profile_dir, "kembar")
            )
            progress(f"kembar: {result.msgs_per_s:.1f} msg/s over {result.seconds:.2f}s")
            paced = None
            if sizes.paced > 0:
                paced = await world.run_posts("kp", routes, sizes.paced, timeout=sizes.timeout(), paced=True)
            return RelayRun(burst=result, paced=paced)


async def baseline_relay(sizes: RelaySizes, profile_dir: Path | None) -> RelayRun:
    """A minimal python-telegram-bot relay on a fresh emulator: default Updater polling, one
    ``send_message`` per update, no database, no translation, no rate limiter."""
    tracker = Tracker()
    async with BotApiEmulator(token=TOKEN, on_bot_message=tracker.hook) as emu:
        source = emu.create_chat("Surabaya")
        dest = emu.create_chat("Busan")
        member = emu.create_user("Surabaya Member", language_code="id")
        emu.add_member(source.id, member.id)
        app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url).build()

        async def relay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            if message is not None and message.text is not None:
                await context.bot.send_message(dest.id, message.text)

        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, relay))
        routes = [Route(source.id, member.id, (dest.id,))]
        async with app:
            updater = app.updater
            assert updater is not None
            await updater.start_polling()
            await app.start()
            try:
                await settle(emu)
                if sizes.warmup:
                    await run_posts(emu, tracker, "bw", routes, sizes.warmup, timeout=sizes.timeout())
                    await settle(emu)
                progress(f"baseline: relaying {sizes.messages} messages")
                result = await run_posts(
                    emu,
                    tracker,
                    "br",
                    routes,
                    sizes.messages,
                    timeout=sizes.timeout(),
                    profile=maybe_profile(profile_dir, "baseline"),
                )
                progress(f"baseline: {result.msgs_per_s:.1f} msg/s over {result.seconds:.2f}s")
                paced = None
                if sizes.paced > 0:
                    await settle(emu)
                    paced = await run_posts(
                        emu, tracker, "bp", routes, sizes.paced, timeout=sizes.timeout(), paced=True
                    )
            finally:
                await updater.stop()
                await app.stop()
        return RelayRun(burst=result, paced=paced)
