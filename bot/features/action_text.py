"""What a group member types for action items: title, owners, programme tag and due-date candidates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.domain.rules import PROGRAMME_NAME_MAX

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

NAME_SEPARATORS = re.compile(r"[,，、]")  # "Kim, Budi", "张伟，李娜", "田中、佐藤"
POSTFIX_WORDS_MAX = 4  # "3月30日 15:00截止": the date before a postfix word may be several words
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{2,31})\b")
TAG_RE = re.compile(rf"(?<![\w#])#([\w-]{{1,{PROGRAMME_NAME_MAX}}})")


class Mention(NamedTuple):
    """A mention of a user without a username, as Telegram marks it in the text: who it names."""

    text: str
    user_id: int


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
    owner_words = "|".join(re.escape(w) for w in OWNER_WORDS)
    if any(w in POSTFIX_DUE_WORDS for w in DUE_WORDS.get(language, ())):
        # The date comes before a postfix word ("… 3月30日 15:00截止"): a name is one word, or Latin words.
        name = r"(?:[A-Za-z][\w.'-]*(?: [A-Za-z][\w.'-]*)*|[^\s,，、#]+)"
        names = rf"{name}(?:\s*[,，、]\s*{name})*"
        named = re.search(rf"(?i)(?:^|\s)(?:{owner_words})\s*[:：]\s*({names})", text)
    else:
        ends = rf"\s+(?:{stops})\s|\s+#|$"
        named = re.search(rf"(?i)(?:^|\s)(?:{owner_words})\s*[:：]\s*(.+?)(?={ends})", text)
    if named is not None:
        owners += [" ".join(part.split()) for part in NAME_SEPARATORS.split(named.group(1)) if part.strip()]
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
    keys: list[tuple[int, int]] = []  # (where the keyword is, how many words the date has)
    for word in words:
        if word in POSTFIX_DUE_WORDS:
            at_end = re.search(rf"\s*{re.escape(word)}\s*$", text)
            if at_end is None:
                continue
            before = text[: at_end.start()].split()
            # The longest phrase before the word first; only the one-word phrase refuses when unreadable.
            for count in range(min(max(len(before) - 1, 1), POSTFIX_WORDS_MAX), 0, -1):
                candidates.append((" ".join(before[-count:]), count == 1 and word in STRICT_DUE_WORDS))
                titles.append(" ".join(before[:-count]))
                keys.append((len(text), count))
            continue
        pattern = re.compile(rf"(?i)(?:^|\s){re.escape(word)}\s+(.+)$")
        for match in pattern.finditer(text):
            candidates.append((_collapse(match.group(1)), word in STRICT_DUE_WORDS))
            titles.append(_collapse(text[: match.start()]))
            keys.append((match.start(), 0))
    # Try the occurrence nearest the end first: "kirim laporan sebelum rapat tenggat Jumat".
    order = sorted(range(len(candidates)), key=lambda i: keys[i], reverse=True)
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




def plus_one_day(due_at: datetime | None, now: datetime, timezone: str) -> datetime:
    """One calendar day later in the group's zone (23 or 25 hours across a daylight-saving change)."""
    local = (due_at or now).astimezone(ZoneInfo(timezone))
    return (local.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
