"""``/export decisions`` (CSV and XLSX, like actions) and ``/export evidence`` (a ZIP: an index in CSV with the captions
in the group's language, and the files themselves, fetched from Telegram at export time up to a size cap; what is over
the cap is listed in the index with its link). ``ReportService.export`` hands these two over here."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import zipfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.context import ChatContext
from bot.domain.continuity import DecisionRepository, EvidenceRepository
from bot.features.decisions import DecisionService
from bot.features.evidence import EvidenceService
from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from bot.ports import DeliveryError, Sender

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

ROWS_MAX = 10_000  # rows of one export (the limits per bridge keep below it)
FILE_MAX = 20 * 1024 * 1024  # bytes of one fetched file (the Bot API gives bots files up to 20 MB)
ZIP_FILES_MAX = 45 * 1024 * 1024  # bytes of files in one ZIP (a bot may send up to 50 MB)
FETCHED_MAX = 200  # files fetched for one ZIP; beyond, listed with their link
AT_ONCE = 100  # translations asked for together
TIMEOUT = 60.0  # seconds for writing the files in a worker thread
STATUS_DAYS = 90  # decisions counted in /status
PER_SHOWN = 5  # programmes named with their evidence count
READ_FOR_REPORT = 500  # decisions read for one report
REPORT_DECISIONS = 10  # decisions shown in a report
EXTENSIONS = {"photo": ".jpg", "video": ".mp4", "document": ""}


class Runner(Protocol):
    """Where the files are written (``bot.features.reports.Workshop``)."""

    async def run(self, timeout: float, work: Callable[..., _T], *args: Any) -> _T: ...  # noqa: ASYNC109


@dataclass(frozen=True)
class RecordFiles:
    """The files of an export, the rows they hold, and how many rows there are."""

    files: list[tuple[str, bytes]]
    rows: int
    total: int


def decision_files(headers: list[str], rows: list[list[object]], tz: str, sheet: str) -> tuple[bytes, bytes]:
    from bot.reports import exports  # openpyxl is loaded by the first export

    table = [[v if isinstance(v, str | int | datetime) or v is None else str(v) for v in row] for row in rows]
    return exports.table_csv(headers, table, tz), exports.table_xlsx(headers, table, tz, sheet)


def evidence_index(headers: list[str], rows: list[list[object]], tz: str) -> bytes:
    from bot.reports import exports

    table = [[v if isinstance(v, str | int | datetime) or v is None else str(v) for v in row] for row in rows]
    return exports.table_csv(headers, table, tz)


def evidence_zip(index: bytes, files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.csv", index)
        for name, data in files:
            archive.writestr(f"files/{name}", data)
    return out.getvalue()


def message_link(chat_id: int, message_id: int) -> str:
    """A link to a message of a supergroup (members of it can open it); empty for a basic group (it has none)."""
    text = str(chat_id)
    supergroup = text.startswith("-100") and len(text) >= 14  # -100 and the channel's 10 digits or more
    return f"https://t.me/c/{text[4:]}/{message_id}" if supergroup else ""


class RecordExports:
    def __init__(
        self,
        *,
        decisions: DecisionRepository,
        evidence: EvidenceRepository,
        decision_texts: DecisionService,
        evidence_texts: EvidenceService,
        sender: Sender,
        catalog: Catalog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.decisions = decisions
        self.evidence = evidence
        self.decision_texts = decision_texts
        self.evidence_texts = evidence_texts
        self.sender = sender
        self.catalog = catalog
        self.clock = clock

    async def files(self, here: ChatContext, what: str, workshop: Runner) -> RecordFiles:
        """The files of ``/export decisions`` or ``/export evidence``; ``workshop`` writes the tables (the report
        service's worker process: the bot itself never loads the spreadsheet library)."""
        stem = f"kembar-{what}-{self.clock().astimezone(ZoneInfo(here.timezone)).date().isoformat()}"
        if what == "decisions":
            return await self._decisions(here, stem, workshop)
        return await self._evidence(here, stem, workshop)

    async def status_line(self, here: ChatContext) -> str | None:
        """``/status``'s line on decisions of the last 90 days and evidence per programme; None when there is none."""
        decisions = await self.decisions.count(here.scope, since=self.clock() - timedelta(days=STATUS_DAYS))
        evidence = await self.evidence.counts(here.scope)
        if not decisions and not evidence:
            return None
        return self.catalog.t(
            "status.records",
            here.ui,
            decisions=decisions,
            days=STATUS_DAYS,
            evidence=sum(evidence.values()),
            per=self._per_programme(evidence, here.ui),
        )

    def _per_programme(self, counts: dict[str, int], ui: str) -> str:
        if not counts:
            return ""
        shown = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
        return self.catalog.t(
            "status.records_per", ui, items=", ".join(f"#{name} {count}" for name, count in shown[:PER_SHOWN])
        )

    async def report_lines(self, here: ChatContext, start: datetime, end: datetime) -> list[str]:
        """A report's lines on the decisions made and the evidence recorded in the period."""
        found = [
            d for d in await self.decisions.page(here.scope, since=start, limit=READ_FOR_REPORT) if d.created_at < end
        ]
        evidence = await self.evidence.counts(here.scope, start=start, end=end)
        if not found and not evidence:
            return []
        lines = ["", self.catalog.t("report.decisions", here.ui, count=len(found))]
        if found:
            shown = found[:REPORT_DECISIONS]
            lines.append(await self.decision_texts.lines(shown, here))
            if len(found) > len(shown):
                lines.append(self.catalog.t("brief.shown", here.ui, shown=len(shown), total=len(found)))
        lines.append(
            self.catalog.t(
                "report.evidence",
                here.ui,
                count=sum(evidence.values()),
                per=self._per_programme(evidence, here.ui),
            )
        )
        return lines

    def _headers(self, what: str, ui: str) -> list[str]:
        return self.catalog.t(f"export.headers.{what}", ui).split("|")

    async def _chunked(self, items: Sequence[object], each: Callable[[object], Awaitable[_T]]) -> list[_T]:
        found: list[_T] = []
        for first in range(0, len(items), AT_ONCE):
            found += await asyncio.gather(*(each(i) for i in items[first : first + AT_ONCE]))
        return found

    async def _decisions(self, here: ChatContext, stem: str, workshop: Runner) -> RecordFiles:
        found = await self.decisions.page(here.scope, limit=ROWS_MAX)
        if not found:
            return RecordFiles([], 0, 0)
        total = len(found) if len(found) < ROWS_MAX else await self.decisions.count(here.scope)
        found.reverse()  # oldest first, like the other exports
        texts = await self._chunked(
            found,
            lambda d: self.decision_texts.text_in(d, here.language, here.bridge_id),  # type: ignore[arg-type]
        )
        rows: list[list[object]] = [
            [d.number, d.created_at, d.city, d.by, d.programme or "", d.text, text, d.language]
            for d, text in zip(found, texts, strict=True)
        ]
        sheet = strip_tags(self.catalog.t("export.sheet.decisions", here.ui))
        made = await workshop.run(
            TIMEOUT, decision_files, self._headers("decisions", here.ui), rows, here.timezone, sheet
        )
        return RecordFiles([(stem + ".csv", made[0]), (stem + ".xlsx", made[1])], len(rows), total)

    async def _evidence(self, here: ChatContext, stem: str, workshop: Runner) -> RecordFiles:
        found = await self.evidence.page(here.scope, limit=ROWS_MAX)
        if not found:
            return RecordFiles([], 0, 0)
        total = len(found) if len(found) < ROWS_MAX else await self.evidence.count(here.scope)
        found.reverse()
        captions = await self._chunked(
            found,
            lambda e: self.evidence_texts.caption_in(e, here.language, here.bridge_id),  # type: ignore[arg-type]
        )
        ui = here.ui
        kept: list[tuple[str, bytes]] = []
        room, fetched = ZIP_FILES_MAX, 0
        rows: list[list[object]] = []
        for item, caption in zip(found, captions, strict=True):
            name = f"{item.number:04d}-{item.kind}{_extension(item.kind, item.file_name)}"
            included = ""
            if fetched < FETCHED_MAX and (item.file_size is None or item.file_size <= min(FILE_MAX, room)):
                fetched += 1
                try:
                    data = await self.sender.download(item.file_id, min(FILE_MAX, room))
                except DeliveryError as exc:
                    logger.info("evidence %s could not be fetched: %s", item.number, exc)
                    data = None
                if data is not None:
                    kept.append((name, data))
                    room -= len(data)
                    included = f"files/{name}"
            shown = included or strip_tags(self.catalog.t("export.evidence_not_included", ui))
            rows.append(
                [
                    item.number,
                    item.created_at,
                    item.city,
                    item.by,
                    item.programme,
                    strip_tags(self.catalog.t(f"evidence.kind.{item.kind}", ui)),
                    shown,
                    item.file_name or "",
                    item.file_size if item.file_size is not None else None,
                    item.caption or "",
                    caption if item.caption else "",
                    item.note or "",
                    message_link(item.chat_id, item.message_id),
                ]
            )

        index = await workshop.run(TIMEOUT, evidence_index, self._headers("evidence", ui), rows, here.timezone)
        data = await asyncio.wait_for(asyncio.to_thread(evidence_zip, index, kept), TIMEOUT)
        return RecordFiles([(stem + ".zip", data)], len(rows), total)


def _extension(kind: str, file_name: str | None) -> str:
    if file_name:
        ext = os.path.splitext(file_name)[1]
        if ext and len(ext) <= 10 and ext[1:].isalnum():
            return ext.lower()
    return EXTENSIONS.get(kind, "")
