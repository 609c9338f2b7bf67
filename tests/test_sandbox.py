"""The interactive sandbox: real bot + emulator, driven line by line, in process and as `kembar sandbox`."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.sandbox.interactive import Sandbox, parse_groups


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
        await sandbox.emu.wait_for_text(surabaya.chat.id, "hanya admin")
        assert await sandbox.handle_line(":group nowhere")
        assert await sandbox.handle_line("Terima kasih")
        await sandbox.emu.wait_for_text(braunschweig.chat.id, "Danke")
        assert await sandbox.handle_line("/action Kirim draf MoU tenggat besok jam 10")
        card = await sandbox.emu.wait_for_text(surabaya.chat.id, "Aksi baru #1")
        assert await sandbox.handle_line(f":press {card['message_id']} 1")
        await sandbox.emu.wait_for_text(braunschweig.chat.id, "✅ #1")
        assert await sandbox.handle_line(":press 999 1")
        assert await sandbox.handle_line(":quit") is False
        assert sandbox.translation_server is not None
    text = out.getvalue()
    assert "Groups: Surabaya (id), Braunschweig (de)" in text
    assert "translator: libre" in text
    assert "[Surabaya] Surabaya coordinator #" in text and ": /start" in text
    assert "[Surabaya] Kembar #" in text and "Kembar menghubungkan grup-grup kota mitra" in text
    assert "[Braunschweig] Kembar #" in text and "Die Sprache dieser Gruppe ist Deutsch (de)" in text
    assert "Maaf, hanya admin grup ini" in text
    assert "! no group called 'nowhere'" in text
    assert "buttons: [1] ✅ Selesai  [2] 🙋 Saya ambil  [3] 📅 +1 hari" in text
    assert "pressed ✅ Selesai" in text and "! cannot press that" in text
    assert "[Braunschweig] Kembar #" in text and "Surabaya coordinator · Surabaya\n  Danke" in text


async def test_kembar_sandbox_command_runs_without_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env["KEMBAR_DATA_DIR"] = str(tmp_path)
    proc = await asyncio.create_subprocess_exec(
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
        await asyncio.wait_for(read_until("한국어 (ko)"), 30)
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
