"""The interactive sandbox: real bot + emulator, driven line by line, in process and as `kembar sandbox`."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.sandbox.interactive import Sandbox, parse_groups

# A line of the log format (bot/ops/logsetup.py), or a logger's name: none may reach the sandbox's terminal.
LOG_LINE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b|alembic|apscheduler|telegram\.ext|httpx|Traceback")


async def start_sandbox(data_dir: Path) -> asyncio.subprocess.Process:
    """``kembar sandbox --local-translator`` with pipes, in the parent's environment (PYTHONPATH included)
    without a token or database: the sandbox's defaults, in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "KEMBAR_LOG_LEVEL")}
    env["KEMBAR_DATA_DIR"] = str(data_dir)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "sandbox",
        "--local-translator",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def after(transcript: str, post: str) -> list[str]:
    """The entries of the transcript (each starts with a "[City] " line) that follow a coordinator's post
    of ``post``, up to the next post."""
    entries = re.split(r"\n(?=\[)", transcript)
    posted = re.compile(r"\[\w+\] \w+ coordinator #\d+: " + re.escape(post))
    start = next(i for i, entry in enumerate(entries) if posted.fullmatch(entry.split("\n", 1)[0]))
    rest = entries[start + 1 :]
    end = next((i for i, entry in enumerate(rest) if " coordinator #" in entry.split("\n", 1)[0]), len(rest))
    return rest[:end]


def cities(entries: list[str]) -> list[str]:
    return [entry.split(" ", 1)[0] for entry in entries]


def test_parse_groups() -> None:
    assert parse_groups(None) == [("Surabaya", "id"), ("Busan", "ko"), ("Braunschweig", "de")]
    assert parse_groups(["Bandung:id", "Braunschweig:DE"]) == [("Bandung", "id"), ("Braunschweig", "de")]
    for bad in (["Bandung"], ["Bandung:xx", "Busan:ko"], ["Solo:id"], ["Busan:ko", "busan:ko"]):
        with pytest.raises(ConfigError):
            parse_groups(bad)


async def test_sandbox_posts_as_users_and_shows_what_each_group_receives(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    async with Sandbox(settings, ["Surabaya:id", "Braunschweig:de"], local_translator=True, out=out) as sandbox:
        surabaya, braunschweig = sandbox.groups
        assert await sandbox.handle_line("/start")
        await sandbox.emu.wait_for_text(surabaya.chat.id, "Kembar menghubungkan")
        assert await sandbox.handle_line("@Braunschweig /lang")
        await sandbox.emu.wait_for_text(braunschweig.chat.id, "Deutsch (de)")
        assert await sandbox.handle_line(":member /lang en")
        await sandbox.emu.wait_for_text(surabaya.chat.id, "hanya administrator")
        assert await sandbox.handle_line(":group nowhere")
        assert await sandbox.handle_line("Terima kasih")
        await sandbox.emu.wait_for_text(braunschweig.chat.id, "Danke")
        assert await sandbox.handle_line("/action Kirim draf MoU tenggat besok jam 10")
        card = await sandbox.emu.wait_for_text(surabaya.chat.id, "Tindak lanjut baru #1")
        assert await sandbox.handle_line(f":press {card['message_id']} 1")
        await sandbox.emu.wait_for_text(braunschweig.chat.id, "✅ #1")
        assert await sandbox.handle_line(":press 999 1")
        assert await sandbox.handle_line("/link")  # no private chat yet: the code is on offer by a button
        offer = await sandbox.emu.wait_for_text(surabaya.chat.id, "belum dapat mengirim pesan pribadi")
        assert await sandbox.handle_line(f":press {offer['message_id']} 1")
        assert await sandbox.handle_line(":quit") is False
        assert sandbox.translation_server is not None
    text = out.getvalue()
    assert "Groups: Surabaya (id), Braunschweig (de)" in text
    assert "translator: libre" in text
    assert "[Surabaya] Surabaya coordinator #" in text and ": /start" in text
    assert "[Surabaya] Kembar #" in text and "Kembar menghubungkan grup-grup kota mitra" in text
    assert "[Braunschweig] Kembar #" in text and "Die Sprache dieser Gruppe ist Deutsch (de)" in text
    assert "Mohon maaf, hanya administrator grup ini" in text
    assert "! no group called 'nowhere'" in text
    assert "buttons: [1] ✅ Selesai  [2] 🙋 Saya tangani  [3] 📅 +1 hari" in text
    assert "pressed ✅ Selesai" in text and "! cannot press that" in text
    assert "[Surabaya] only Surabaya coordinator sees:\n  Kode penghubung untuk Surabaya:" in text
    assert "[Braunschweig] Kembar #" in text
    assert "\u2068Surabaya coordinator\u2069 · \u2068Surabaya\u2069\n  Danke" in text


async def test_kembar_sandbox_command_runs_without_a_token(tmp_path: Path) -> None:
    proc = await start_sandbox(tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    seen: list[str] = []

    async def read_until(marker: str) -> None:
        assert proc.stdout is not None
        while not any(marker in line for line in seen):
            line = await proc.stdout.readline()
            if not line:
                raise AssertionError(f"sandbox ended before {marker!r}; output: {''.join(seen)}")
            seen.append(line.decode())

    try:
        await asyncio.wait_for(read_until("Groups: Surabaya (id), Busan (ko), Braunschweig (de)"), 60)
        proc.stdin.write(b"/help\n")
        await proc.stdin.drain()
        await asyncio.wait_for(read_until("Perintah Kembar"), 30)
        proc.stdin.write(b"@Busan /lang\n")
        await proc.stdin.drain()
        await asyncio.wait_for(read_until("한국어(ko)"), 30)
        proc.stdin.write(b"@Busan \xea\xb0\x90\xec\x82\xac\xed\x95\xa9\xeb\x8b\x88\xeb\x8b\xa4\n")  # 감사합니다
        await proc.stdin.drain()
        await asyncio.wait_for(read_until("Terima kasih"), 30)
        await asyncio.wait_for(read_until("Danke"), 30)
        proc.stdin.write(b":quit\n")
        await proc.stdin.drain()
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0
    assert (tmp_path / "kembar.db").exists()


async def test_wait_idle_waits_for_slow_deliveries_retries_and_translations(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    async with Sandbox(settings, local_translator=True, out=out, ordered=True) as sandbox:
        _, busan, braunschweig = sandbox.groups
        assert sandbox.translation_server is not None and sandbox.services is not None
        await sandbox.wait_idle(30)
        sandbox.translation_server.latency = 0.2
        slow = sandbox.emu.faults.add("sendMessage", "slow", delay=0.3, chat_id=braunschweig.chat.id)
        retry = sandbox.emu.faults.add("sendMessage", "500", times=1, chat_id=busan.chat.id)  # delivery retries
        assert await sandbox.handle_line("Terima kasih")
        held = out.getvalue()
        await sandbox.wait_idle(30)
        # Idle means done: nothing is waited for here, it is all there already.
        assert any("감사합니다" in m.get("text", "") for m in sandbox.emu.sent(busan.chat.id))
        assert any("Danke" in m.get("text", "") for m in sandbox.emu.sent(braunschweig.chat.id))
        assert not sandbox.emu.pending_updates
        assert await sandbox.services.outbox.pending_destinations() == []
        assert sandbox.services.translations.in_flight == 0
        assert retry.fired == 1 and slow.fired == 1
        assert out.getvalue() == held  # ordered: the groups' messages are held until flush()
        sandbox.flush()
        assert await sandbox.handle_line("/action Kirim draf MoU tenggat besok jam 10.00")
        await sandbox.wait_idle(30)
        for group in sandbox.groups:
            assert any("#1" in m.get("text", "") for m in sandbox.emu.sent(group.chat.id)), group.city
        sandbox.flush()
    # Busan's copy came after a retry, Braunschweig's slowly: printed all the same in the order of the groups.
    busan_copy, braunschweig_copy = after(out.getvalue(), "Terima kasih")
    assert busan_copy.startswith("[Busan] Kembar #") and "감사합니다" in busan_copy
    assert braunschweig_copy.startswith("[Braunschweig] Kembar #") and "Danke" in braunschweig_copy
    cards = after(out.getvalue(), "/action Kirim draf MoU tenggat besok jam 10.00")
    assert cities(cards) == ["[Surabaya]", "[Busan]", "[Braunschweig]"]


async def test_piped_sandbox_prints_every_group_and_leaves_at_the_end_of_input(tmp_path: Path) -> None:
    script = "/help\n@Busan 감사합니다\nTerima kasih\n/action Kirim draf MoU tenggat besok jam 10.00\n"  # no :quit
    proc = await start_sandbox(tmp_path)
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(script.encode()), 90)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text, errors = stdout.decode(), stderr.decode()
    assert proc.returncode == 0, text + errors
    log_file = (tmp_path / "kembar-sandbox.log").resolve()
    assert f"Logs: {log_file}" in text
    # The terminal shows the chat only: no log line on either stream.
    assert errors == ""
    assert not [line for line in text.splitlines() if LOG_LINE.search(line)], text
    (help_text,) = after(text, "/help")
    assert help_text.startswith("[Surabaya] Kembar #") and "Perintah Kembar" in help_text
    surabaya, braunschweig = after(text, "감사합니다")
    assert surabaya.startswith("[Surabaya] Kembar #")
    assert "\u2068Busan coordinator\u2069 · \u2068Busan\u2069\n  Terima kasih" in surabaya
    assert braunschweig.startswith("[Braunschweig] Kembar #") and "Danke" in braunschweig
    busan, braunschweig = after(text, "Terima kasih")
    assert busan.startswith("[Busan] Kembar #")
    assert "\u2068Surabaya coordinator\u2069 · \u2068Surabaya\u2069\n  감사합니다" in busan
    assert braunschweig.startswith("[Braunschweig] Kembar #") and "Danke" in braunschweig
    cards = after(text, "/action Kirim draf MoU tenggat besok jam 10.00")
    assert cities(cards) == ["[Surabaya]", "[Busan]", "[Braunschweig]"]
    for card, heading in zip(cards, ("Tindak lanjut baru #1", "새 과제 #1", "Neue Aufgabe #1"), strict=True):
        assert heading in card and "buttons: [1] ✅" in card
    # The logs went to the file instead.
    logged = log_file.read_text(encoding="utf-8")
    assert "INFO alembic.runtime.migration: Running upgrade" in logged
    assert "INFO apscheduler.scheduler: Scheduler started" in logged
    assert "INFO telegram.ext.Application: Application started" in logged


async def test_a_report_in_the_sandbox_is_korean_and_its_charts_are_files_to_open(tmp_path: Path) -> None:
    script = "@Busan /action 교류 계획서 제출 마감 금요일 오후 3시\n@Busan 감사합니다\n@Busan /report 분기\n"
    proc = await start_sandbox(tmp_path)
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(script.encode()), 120)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = stdout.decode()
    assert proc.returncode == 0, text + stderr.decode()
    entries = after(text, "/report 분기")
    assert cities(entries) == ["[Busan]"] * 3, text  # the summary, the actions chart, the activity chart
    summary = entries[0]
    assert "📊" in summary and "2026" in summary and "교류 계획서 제출" in summary
    lines = [line for entry in entries[1:] for line in entry.splitlines()]
    paths = [Path(line.split("file: ", 1)[1]) for line in lines if "file: " in line]
    assert len(paths) == 2
    for path in paths:
        assert path.is_file() and path.read_bytes().startswith(b"\x89PNG") and path.parent == (tmp_path / "files")


async def test_the_sandbox_gives_a_newcomer_the_brief(tmp_path: Path) -> None:
    """The README's walk: a decision recorded in Surabaya, then /brief in Braunschweig, answered in German."""
    out = io.StringIO()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    async with Sandbox(settings, ["Surabaya:id", "Braunschweig:de"], local_translator=True, out=out) as sandbox:
        _, braunschweig = sandbox.groups
        assert await sandbox.handle_line("/programme add pendidikan")
        assert await sandbox.handle_line("/decision Pertukaran pelajar dimulai Agustus #pendidikan")
        await sandbox.emu.wait_for_text(braunschweig.chat.id, "Beschluss D1")
        assert await sandbox.handle_line("@Braunschweig /brief")
        await sandbox.emu.wait_for_text(braunschweig.chat.id, "Überblick")
    text = out.getvalue()
    assert "📋 Überblick: Surabaya und Braunschweig" in text
    assert "Beschlüsse der letzten 90 Tage" in text and "D1 · " in text
    assert "Gruppenadmins: Surabaya coordinator" in text


async def piped(data_dir: Path, script: str) -> str:
    proc = await start_sandbox(data_dir)
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(script.encode()), 90)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, stdout.decode() + stderr.decode()
    return stdout.decode()


async def test_a_second_run_on_the_same_database_answers_from_the_first_line(tmp_path: Path) -> None:
    """Kembar's inbox keeps the ids of the updates it processed: a second run must not reuse them (its first commands
    were once taken for ones already done)."""
    first = await piped(tmp_path, "/status\n/action Kirim draf MoU\n")
    assert len(after(first, "/status")) == 1
    second = await piped(tmp_path, "/status\n@Busan /actions\n")
    (status,) = after(second, "/status")
    assert status.startswith("[Surabaya] Kembar #") and "1 berjalan" in status, second
    (listed,) = after(second, "/actions")
    assert listed.startswith("[Busan] Kembar #") and "Kirim draf MoU" in listed, second


async def test_a_sandbox_command_runs_in_the_group_named_before_it(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    async with Sandbox(settings, ["Surabaya:id", "Busan:ko"], local_translator=True, out=out) as sandbox:
        surabaya, busan = sandbox.groups
        assert await sandbox.handle_line("@Busan /action MoU 초안")
        card = await sandbox.emu.wait_for_text(busan.chat.id, "새 과제 #1")
        assert await sandbox.handle_line(f"@Busan :press {card['message_id']} 1")
        await sandbox.emu.wait_for_text(surabaya.chat.id, "✅ #1")
        assert sandbox.current == 0  # still in Surabaya afterwards
    text = out.getvalue()
    assert "[Busan] Busan coordinator pressed ✅" in text
    assert "coordinator #" not in text.split("pressed", 1)[0].split("MoU 초안", 1)[1], text


async def test_text_the_local_translator_does_not_know_is_marked_untranslated_as_a_provider_failure(
    tmp_path: Path,
) -> None:
    """--local-translator refuses what its phrase table does not know, so Kembar's own fallback shows it: the
    original, marked untranslated in the group's language; a known phrase still translates."""
    out = io.StringIO()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    async with Sandbox(
        settings, ["Surabaya:id", "Braunschweig:de"], local_translator=True, out=out, ordered=True
    ) as sandbox:
        _, braunschweig = sandbox.groups
        server = sandbox.translation_server
        assert server is not None and server.unknown == "refuse"
        assert await sandbox.handle_line("Besok saya kirim fotonya")
        await sandbox.wait_idle(30)
        sandbox.flush()
        assert await sandbox.handle_line("Terima kasih")
        await sandbox.wait_idle(30)
        sandbox.flush()
        assert {r["status"] for r in server.requests} == {200, 400}  # refused, not tagged
    unknown, known = (after(out.getvalue(), post) for post in ("Besok saya kirim fotonya", "Terima kasih"))
    (copy,) = unknown
    assert copy.startswith("[Braunschweig] Kembar #"), copy
    assert "\u2068Surabaya\u2069\n  Besok saya kirim fotonya\n  ⚠️ Nicht übersetzt:" in copy
    assert "[de]" not in out.getvalue()
    (thanks,) = known
    assert thanks.startswith("[Braunschweig] Kembar #") and "\u2068Surabaya\u2069\n  Danke" in thanks
    assert "Nicht übersetzt" not in thanks
    sent = [m.get("text", "") for m in sandbox.emu.sent(braunschweig.chat.id)]
    assert any(t.endswith("Danke") for t in sent) and sum("Nicht übersetzt" in t for t in sent) == 1
