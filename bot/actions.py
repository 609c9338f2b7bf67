"""Action items: parsing /action, rendering items per group language, announcing to the bridge."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.dates import format_when
from bot.i18n import Catalog, Markup
from bot.relay import TranslationService
from bot.telegram_io import Buttons, DeliveryError, Sender
from bot.textproc import escape
from storage.records import ActionItem, Bridge, Chat
from storage.repos import ActionRepository, BridgeRepository, ProgrammeRepository, scope_of

logger = logging.getLogger(__name__)

TITLE_MAX = 500
CALLBACK_RE = re.compile(r"^act\|([bc]-?\d{1,20})\|(\d{1,9})\|(done|take|plus1d)$")

# Words that introduce the due date, per group language; "due" works everywhere. Ambiguous words
# ("sebelum" = before, "bis" = until) only count when what follows really is a date.
DUE_WORDS: dict[str, tuple[str, ...]] = {
    "id": ("tenggat", "sebelum"),
    "de": ("bis",),
    "ko": ("마감",),
    "ja": ("まで", "期限"),
    "zh": ("截止",),
}
STRICT_DUE_WORDS = frozenset({"due", "tenggat", "마감", "期限", "截止"})
# Languages that put the word after the date: "金曜日まで", "周五截止".
POSTFIX_DUE_WORDS = frozenset({"まで", "截止"})

# "owner: Budi Santoso, Kim" names owners in free text (people without a Telegram username).
OWNER_WORDS = ("owner", "owners", "pj", "penanggung jawab", "담당", "담당자", "verantwortlich", "担当", "负责人")

MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{2,31})\b")
TAG_RE = re.compile(r"(?<![\w#])#([\w-]{1,64})")


@dataclass(frozen=True)
class ParsedAction:
    title: str
    owners: tuple[str, ...]
    programme: str | None
    when_candidates: tuple[tuple[str, bool], ...]  # (when text, strict keyword) from the last keyword back
    title_without_when: tuple[str, ...]  # the title for each candidate (same order)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def parse_action_text(text: str, language: str, text_mentions: Sequence[str] = ()) -> ParsedAction:
    """Split ``/action`` arguments into title, owners, programme tag and due-date candidates.

    ``text_mentions`` are the display texts of Telegram text mentions (users without a username).
    """
    owners: list[str] = []
    for name in text_mentions:
        if name and name in text:
            owners.append(name)
            text = text.replace(name, " ", 1)
    stops = "|".join(re.escape(w) for w in ("due", *DUE_WORDS.get(language, ())))
    named = re.search(
        rf"(?i)(?:^|\s)(?:{'|'.join(re.escape(w) for w in OWNER_WORDS)})\s*:\s*(.+?)(?=\s+(?:{stops})\s|\s+#|$)", text
    )
    if named is not None:
        owners += [" ".join(part.split()) for part in named.group(1).split(",") if part.strip()]
        text = text[: named.start()] + " " + text[named.end() :]
    for match in MENTION_RE.finditer(text):
        owners.append("@" + match.group(1))
    text = MENTION_RE.sub(" ", text)
    tags = TAG_RE.findall(text)
    programme = tags[0] if tags else None
    if programme is not None:
        text = TAG_RE.sub(" ", text, count=1)

    words = ("due", *DUE_WORDS.get(language, ()))
    candidates: list[tuple[str, bool]] = []
    titles: list[str] = []
    for word in words:
        if word in POSTFIX_DUE_WORDS:
            pattern = re.compile(rf"(\S+?)\s*{re.escape(word)}\s*$")
            for match in pattern.finditer(text):
                candidates.append((match.group(1), word in STRICT_DUE_WORDS))
                titles.append(_collapse(text[: match.start()]))
            continue
        pattern = re.compile(rf"(?i)(?:^|\s){re.escape(word)}\s+(.+)$")
        for match in pattern.finditer(text):
            candidates.append((_collapse(match.group(1)), word in STRICT_DUE_WORDS))
            titles.append(_collapse(text[: match.start()]))
    # Try the occurrence nearest the end first: "kirim laporan sebelum rapat tenggat Jumat".
    order = sorted(range(len(candidates)), key=lambda i: len(titles[i]), reverse=True)
    return ParsedAction(
        title=_collapse(text),
        owners=tuple(dict.fromkeys(owners)),
        programme=programme,
        when_candidates=tuple(candidates[i] for i in order),
        title_without_when=tuple(titles[i] for i in order),
    )


def split_owner_names(text: str, text_mentions: Sequence[str] = ()) -> list[str]:
    """``@kim, Budi Santoso`` → ["@kim", "Budi Santoso"] (for /assign)."""
    owners = [name for name in text_mentions if name and name in text]
    for name in owners:
        text = text.replace(name, ",", 1)
    owners += ["@" + m for m in MENTION_RE.findall(text)]
    text = MENTION_RE.sub(",", text)
    owners += [_collapse(part) for part in text.split(",") if _collapse(part)]
    return list(dict.fromkeys(owners))


def user_matches(owner: str, username: str | None, full_name: str) -> bool:
    owner = owner.casefold()
    return (username is not None and owner == "@" + username.casefold()) or owner == full_name.casefold()


@dataclass(frozen=True)
class Scope:
    key: str
    bridge: Bridge | None
    members: tuple[Chat, ...]

    @property
    def bridge_id(self) -> int | None:
        return self.bridge.id if self.bridge else None


class ActionService:
    def __init__(
        self,
        *,
        actions: ActionRepository,
        programmes: ProgrammeRepository,
        bridges: BridgeRepository,
        translations: TranslationService,
        catalog: Catalog,
        sender: Sender,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.actions = actions
        self.programmes = programmes
        self.bridges = bridges
        self.translations = translations
        self.catalog = catalog
        self.sender = sender
        self.clock = clock
        # Called with every created or changed item (the reminders re-plan themselves).
        self.on_change: Callable[[ActionItem], Awaitable[None]] | None = None

    def now(self) -> datetime:
        return self.clock()

    async def scope_for(self, chat: Chat) -> Scope:
        bridge = await self.bridges.bridge_of(chat.id)
        if bridge is not None and len(bridge.members) >= 2:
            return Scope(scope_of(bridge.id, chat.id), bridge, bridge.members)
        return Scope(scope_of(None, chat.id), None, (chat,))

    async def title_in(self, item: ActionItem, language: str, bridge_id: int | None) -> str:
        translated = await self.translations.translate(item.title, item.language, language, bridge_id=bridge_id)
        return translated.text

    async def titles_in(self, items: Sequence[ActionItem], language: str, bridge_id: int | None) -> list[str]:
        return list(await asyncio.gather(*(self.title_in(i, language, bridge_id) for i in items)))

    def when_text(self, when: datetime | None, chat: Chat, timezone: str) -> str:
        if when is None:
            return self.catalog.t("due.none", chat.language)
        return format_when(when, self.catalog.resolve(chat.language), timezone)

    def card(self, item: ActionItem, title: str, chat: Chat, timezone: str) -> str:
        lang = chat.language
        parts: list[str] = []
        if item.owners:
            parts.append(self.catalog.t("action.owners", lang, owners=", ".join(item.owners)))
        if item.due_at is not None:
            parts.append(self.catalog.t("action.due", lang, when=self.when_text(item.due_at, chat, timezone)))
        if item.programme:
            parts.append(self.catalog.t("action.programme", lang, programme="#" + item.programme))
        if item.status == "done":
            parts.append(self.catalog.t("action.done_mark", lang))
        elif item.status == "dropped":
            parts.append(self.catalog.t("action.dropped_mark", lang))
        elif item.is_overdue(self.now()):
            parts.append(self.catalog.t("action.overdue", lang))
        details = ("\n" + " · ".join(parts)) if parts else ""
        return self.catalog.t("action.card", lang, number=item.number, title=title, details=Markup(details))

    def buttons(self, item: ActionItem, language: str) -> Buttons | None:
        if item.status != "open":
            return None
        data = f"act|{item.scope}|{item.number}|"
        return [
            [
                (self.catalog.t("btn.done", language), data + "done"),
                (self.catalog.t("btn.take", language), data + "take"),
                (self.catalog.t("btn.plus_day", language), data + "plus1d"),
            ]
        ]

    async def announce_new(
        self, item: ActionItem, scope: Scope, origin: Chat, timezone_of: Callable[[Chat], str]
    ) -> None:
        """Tell every group of the scope about a new item (and let the reminders plan for it)."""
        if self.on_change is not None:
            await self.on_change(item)

        async def one(chat: Chat) -> None:
            title = await self.title_in(item, chat.language, scope.bridge_id)
            card = self.card(item, title, chat, timezone_of(chat))
            text = self.catalog.t(
                "action.created", chat.language, number=item.number, city=origin.label, card=Markup(card)
            )
            await self._send(chat.id, text, self.buttons(item, self.catalog.resolve(chat.language)))

        await asyncio.gather(*(one(chat) for chat in scope.members))

    async def announce_change(
        self,
        item: ActionItem,
        scope: Scope,
        key: str,
        *,
        by: str,
        origin: Chat,
        timezone_of: Callable[[Chat], str],
    ) -> None:
        """One line to every group of the scope about a change (and let the reminders re-plan)."""
        if self.on_change is not None:
            await self.on_change(item)

        async def one(chat: Chat) -> None:
            title = await self.title_in(item, chat.language, scope.bridge_id)
            values: dict[str, object] = {"number": item.number, "title": title, "by": by, "city": origin.label}
            if key == "action.changed.owners":
                values["owners"] = ", ".join(item.owners)
            if key == "action.changed.due":
                values["when"] = self.when_text(item.due_at, chat, timezone_of(chat))
            await self._send(chat.id, self.catalog.t(key, chat.language, **values), None)

        await asyncio.gather(*(one(chat) for chat in scope.members))

    async def status_text(self, chat: Chat, tz: str) -> str:
        """/status and the weekly digest: per programme counts, next deadlines, recent work, last activity."""
        scope = await self.scope_for(chat)
        now = self.now()
        stats = await self.actions.stats(scope.key, now)
        if not stats:
            return self.catalog.t("status.empty", chat.language)
        t = self.catalog.t
        lang = chat.language
        ui = self.catalog.resolve(lang)
        scope_name = t("status.this_bridge" if scope.bridge else "status.this_group", lang)
        lines = [t("status.title", lang, scope=scope_name, date=format_when(now, ui, tz))]
        for s in stats:
            name = s.programme if s.programme is not None else t("status.no_programme", lang)
            lines.append(t("status.programme_line", lang, name=name, open=s.open, overdue=s.overdue, done=s.done))
        upcoming = await self.actions.upcoming(scope.key, now, limit=3)
        overdue = [i for i in await self.actions.list(scope.key, statuses=("open",)) if i.is_overdue(now)]
        nexts = (overdue + upcoming)[:3] if overdue else upcoming
        lines.append("")
        lines.append(t("status.next", lang))
        if nexts:
            titles = await self.titles_in(nexts, lang, scope.bridge_id)
            for item, title in zip(nexts, titles, strict=True):
                owners = f" · 👤 {', '.join(item.owners)}" if item.owners else ""
                when = format_when(item.due_at, ui, tz) if item.due_at else t("due.none", lang)
                if item.is_overdue(now):
                    when += " · " + t("action.overdue", lang)
                lines.append(t("status.next_line", lang, number=item.number, title=title, when=when, owners=owners))
        else:
            lines.append(t("status.no_deadlines", lang))
        lines.append("")
        lines.append(t("status.recent", lang))
        recent = await self.actions.done_since(scope.key, now - timedelta(days=7))
        if recent:
            titles = await self.titles_in(recent[:10], lang, scope.bridge_id)
            lines.extend(f"✅ #{i.number} {escape(title)}" for i, title in zip(recent[:10], titles, strict=True))
        else:
            lines.append(t("status.nothing_recent", lang))
        last = await self.actions.last_activity(scope.key)
        if last is not None:
            lines.append("")
            lines.append(t("status.last_activity", lang, when=format_when(last, ui, tz)))
        return "\n".join(lines)

    async def _send(self, chat_id: int, text: str, buttons: Buttons | None) -> None:
        try:
            await self.sender.send_text(chat_id, text, buttons=buttons)
        except DeliveryError as exc:
            logger.warning("could not announce to chat %s: %s", chat_id, exc)


def plus_one_day(item: ActionItem, now: datetime, timezone: str) -> datetime:
    """One calendar day later in the group's zone (23 or 25 hours across a daylight-saving change)."""
    from zoneinfo import ZoneInfo

    local = (item.due_at or now).astimezone(ZoneInfo(timezone))
    return (local.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
