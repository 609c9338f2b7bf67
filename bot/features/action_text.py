"""What a group member types for action items: title, owners, programme tag and due-date candidates."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.domain.rules import PROGRAMME_NAME_MAX, TITLE_MAX
from bot.language.dates import Reading

# Deadline words around a due phrase, per group language (English everywhere): before it ("due Friday", "paling
# lambat Jumat", "bis Freitag", "截止12月18日") and after it ("금요일까지", "金曜日までに", "下周五之前"). After a
# strict word something must be a date ("due blah" is refused); the others only count when a date is there.
LEAD_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("due", "by", "until", "till", "no later than", "before", "deadline", "deadline:"),
    "id": ("tenggat", "tenggat:", "tenggat waktu", "sebelum", "sblm", "paling lambat", "paling telat",
           "selambat-lambatnya", "batas waktu", "batas waktu:", "deadline", "deadline:", "sampai", "maks", "maksimal"),
    "de": ("bis", "bis spätestens", "spätestens", "frist", "frist:", "fällig", "fällig am", "deadline", "deadline:"),
    "ko": ("마감", "마감:", "기한", "기한:", "마감일", "마감일:"),
    "ja": ("期限", "期限:", "締切", "締切:", "締め切り", "〆切", "〆切:", "期日", "期日:", "提出期限"),
    "zh": ("截止", "截止:", "截至", "截止到", "截止日期", "截止日期:", "最晚", "最迟", "不晚于", "期限"),
}  # fmt: skip
TRAIL_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("at the latest",),
    "id": ("paling lambat", "selambat-lambatnya"),
    "de": ("spätestens",),
    "ko": ("까지", "까지는"),  # not "전까지"/"전에": "금요일 전까지" may mean Thursday (the reader refuses it)
    "ja": ("までに", "まで", "迄に", "迄", "必着", "締切", "〆切", "厳守"),
    "zh": ("之前", "以前", "前", "截止", "为止", "前截止", "之前截止"),
}  # fmt: skip
STRICT_WORDS = frozenset(
    {"due", "tenggat", "tenggat:", "마감", "마감:", "期限", "期限:", "截止", "截止:", "frist", "frist:"}
)
GLUED = frozenset({"ko", "ja", "zh"})  # languages that glue deadline words to the date: "금요일까지", "截止12月18日"
DUE_WORDS_MAX = 12  # the longest due phrase looked for, in words ("at 6 o'clock end of the week Busan time")
DUE_TEXT_MAX = 2 * TITLE_MAX  # characters of /action arguments searched for a due phrase
TITLE_SCAN_WORDS = 3  # date-like words left in a title are looked for in spans up to this many words

# "owner: Budi Santoso, Kim" names owners in free text (people without a Telegram username).
OWNER_WORDS = (
    "owner", "owners", "pic", "pj", "penanggung jawab", "담당", "담당자", "verantwortlich", "zuständig", "担当",
    "担当者", "責任者", "负责人", "負責人", "负责",
)  # fmt: skip

NAME_SEPARATORS = re.compile(r"[,，、]")  # "Kim, Budi", "张伟，李娜", "田中、佐藤"
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


def _collapse(text: str) -> str:
    return " ".join(text.split())


def parse_action_text(text: str, language: str, text_mentions: Sequence[str] = ()) -> ParsedAction:
    """Split ``/action`` arguments (without the due phrase: see :func:`find_due`) into title, owners and
    programme tag. ``text_mentions`` are the display texts of Telegram text mentions (users without a username)."""
    owners: list[str] = []
    for name in text_mentions:
        if name and name in text:
            owners.append(name)
            text = text.replace(name, " ", 1)
    owner_words = "|".join(re.escape(w) for w in OWNER_WORDS)
    name = r"(?:@[A-Za-z][A-Za-z0-9_]{2,31}|[A-Za-z][\w.'-]*(?: [A-Za-z][\w.'-]*)*|[^\s,，、#@]+)"
    names = rf"{name}(?:\s*[,，、]\s*{name})*"
    named = re.search(rf"(?i)(?:^|\s)(?:{owner_words})\s*[:：]\s*({names})", text)
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
    return ParsedAction(title=_collapse(text), owners=tuple(dict.fromkeys(owners)), programme=programme)


Reader = Callable[[str], Reading | None]


@dataclass(frozen=True)
class Due:
    """What :func:`find_due` found in ``/action`` arguments."""

    rest: str  # the text without the due phrase and its deadline words
    reading: Reading | None = None
    phrase: str | None = None  # the due phrase read
    unreadable: str | None = None  # what followed a strict deadline word ("due blah") and is no date
    unread: str | None = None  # date-like words left in the rest (not read as the due date)


def _words(language: str, table: dict[str, tuple[str, ...]]) -> list[list[str]]:
    words = {*table.get(language, ()), *table["en"]}
    return sorted((w.lower().split() for w in words), key=len, reverse=True)


def _split_glued(tokens: list[str], language: str, read: Reader) -> list[str]:
    """Deadline words glued to a date ("금요일까지", "截止12月18日下午3点", "发送名单下周五之前") stand apart."""
    if language not in GLUED:
        return tokens
    leads = sorted((w for w in LEAD_WORDS.get(language, ()) if " " not in w), key=len, reverse=True)
    trails = sorted((w for w in TRAIL_WORDS.get(language, ()) if " " not in w), key=len, reverse=True)

    def date_end(text: str) -> int | None:  # the longest start of ``text`` that is a date ends here
        return next((i for i in range(len(text), 0, -1) if _cuttable(text, i) and read(text[:i]) is not None), None)

    def date_start(text: str) -> int | None:  # the longest end of ``text`` that is a date starts here
        return next((i for i in range(len(text)) if _cuttable(text, i) and read(text[i:]) is not None), None)

    out: list[str] = []
    for token in tokens:
        lead = next((w for w in leads if token.startswith(w) and len(token) > len(w)), None)
        glued = [w for w in trails if token.endswith(w) and len(token) > len(w)]
        if lead is not None:
            rest = token[len(lead) :]
            cut = date_end(rest)
            out += [lead, *([rest[:cut], rest[cut:]] if cut and cut < len(rest) else [rest])]
        elif glued:
            # the longest deadline word whose stem ends in a date ("수요일오전까지" is "수요일오전" + "까지", not
            # "수요일오" + "전까지"); a stem that is no date keeps the longest word
            cuts = ((word, date_start(token[: -len(word)])) for word in glued)
            trail, cut = next(((w, c) for w, c in cuts if c is not None), (glued[0], None))
            stem = token[: -len(trail)]
            out += [*([stem[:cut], stem[cut:]] if cut else [stem]), trail]
        else:
            out.append(token)
    return [t for t in out if t]


def _cuttable(text: str, index: int) -> bool:
    """Whether ``text`` may be cut before ``index``: not inside a number ("11일" is not "1" + "1일") or a Latin
    word."""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    return not (before.isdigit() and after.isdigit()) and not (
        before.isascii() and after.isascii() and before.isalpha() and after.isalpha()
    )


def _at(tokens: list[str], index: int, words: list[list[str]]) -> int:
    """How many tokens a deadline word at ``index`` takes (0: none)."""
    lowered = [t.lower() for t in tokens[index : index + 4]]
    for word in words:
        if lowered[: len(word)] == word:
            return len(word)
    return 0


def find_due(text: str, language: str, read: Reader) -> Due:
    """The due phrase of ``/action`` arguments, wherever people write it: after a deadline word ("due Friday",
    "paling lambat Jumat", "截止 下周五"), before one ("다음 주 금요일까지", "来週の金曜日までに", "下周五之前"), or
    else at the very end or start ("Send the draft Friday 5pm"). The longest phrase ``read`` accepts wins; with
    several deadline words the one nearest the end. Date-like words left elsewhere are reported as ``unread``."""
    if len(text) > DUE_TEXT_MAX:  # longer than any title may be: refused for its length, not read
        return Due(_collapse(text))
    tokens = _split_glued(text.split(), language, read)
    leads, trails = _words(language, LEAD_WORDS), _words(language, TRAIL_WORDS)
    found: list[tuple[int, int, int, Reading]] = []  # (where it ends, start, end, reading)
    unreadable: str | None = None
    for index in range(len(tokens)):
        taken = _at(tokens, index, leads)
        if taken:
            start = index + taken
            for end in range(min(len(tokens), start + DUE_WORDS_MAX), start, -1):
                reading = read(" ".join(tokens[start:end]))
                if reading is not None:
                    # a phrase may run through the word: "Do bis 13:45 Uhr", "Mo bis Mi" (the longest one wins)
                    first = index
                    for before in range(max(0, index - DUE_WORDS_MAX), index):
                        longer = read(" ".join(tokens[before:end]))
                        if longer is not None:
                            first, reading = before, longer
                            break
                    found.append((end, first, end, reading))
                    break
            else:
                if " ".join(tokens[index : index + taken]).lower() in STRICT_WORDS and unreadable is None:
                    unreadable = " ".join(tokens[start : start + DUE_WORDS_MAX])
        taken = _at(tokens, index, trails)
        if taken:
            for start in range(max(0, index - DUE_WORDS_MAX), index):
                reading = read(" ".join(tokens[start:index]))
                if reading is not None:
                    # a phrase may go on after the word: "2027年8月27日下班前 东京时间" (the longest one wins)
                    end = index + taken
                    for after in range(min(len(tokens), start + DUE_WORDS_MAX), end, -1):
                        longer = read(" ".join(tokens[start:after]))
                        if longer is not None:
                            end, reading = after, longer
                            break
                    found.append((end, start, end, reading))
                    break
    if found:
        _, start, end, reading = max(found, key=lambda f: f[0])
        return _due(tokens[:start] + tokens[end:], reading, " ".join(tokens[start:end]), read)
    if unreadable is not None:
        return Due(_collapse(text), unreadable=unreadable)
    # no deadline word: a date at the end or start of a part of the text (the title, an owner's part, a part
    # between tags and mentions): "Send the draft Friday 5pm", "owner: Budi Friday 5pm", "@kim tomorrow #edu"
    segments = _segments(tokens)
    for first, last, owner in reversed(segments):
        longest = (last - first) - (2 if owner else 0)  # an owner's part keeps its word and one name
        for count in range(min(DUE_WORDS_MAX, longest), 0, -1):
            reading = read(" ".join(tokens[last - count : last]))
            if reading is not None:
                return _due(
                    tokens[: last - count] + tokens[last:], reading, " ".join(tokens[last - count : last]), read
                )
    for first, last, owner in segments:
        if owner:
            continue
        for count in range(min(DUE_WORDS_MAX, last - first), 0, -1):
            reading = read(" ".join(tokens[first : first + count]))
            if reading is not None:
                phrase = " ".join(tokens[first : first + count])
                return _due(tokens[:first] + tokens[first + count :], reading, phrase, read)
    return _due(tokens, None, None, read)


def _owner_word(tokens: list[str], index: int) -> bool:
    """An owner word with its colon ("owner:", "담당 :", "penanggung jawab:") starts at ``index``."""
    for size in (1, 2):
        words = " ".join(tokens[index : index + size]).lower()
        bare = words.rstrip(":：")
        following = tokens[index + size] if index + size < len(tokens) else ""
        if bare in OWNER_WORDS and (words != bare or following.startswith((":", "："))):
            return True
    return False


def _segments(tokens: list[str]) -> list[tuple[int, int, bool]]:
    """The parts of the text between tags and mentions, split before owner words: (first, last, owner's part)."""
    segments: list[tuple[int, int, bool]] = []
    first, owner = 0, False
    for index, token in enumerate(tokens):
        if token.startswith(("#", "@")):
            if index > first:
                segments.append((first, index, owner))
            first, owner = index + 1, False
        elif _owner_word(tokens, index) and index > 0:
            if index > first:
                segments.append((first, index, owner))
            first, owner = index, True
        elif index == 0 and _owner_word(tokens, 0):
            owner = True
    if len(tokens) > first:
        segments.append((first, len(tokens), owner))
    return segments


def _due(rest: list[str], reading: Reading | None, phrase: str | None, read: Reader) -> Due:
    """``rest`` checked for date-like words that were not taken (a second date, a date inside the title)."""
    unread: str | None = None
    plain = [t for t in rest if not t.startswith(("@", "#"))]
    for size in range(TITLE_SCAN_WORDS, 0, -1):
        for start in range(len(plain) - size + 1):
            words = " ".join(plain[start : start + size])
            if any(ch.isalnum() for ch in words) and read(words) is not None:
                unread = words
                break
        if unread is not None:
            break
    return Due(_collapse(" ".join(rest)), reading, phrase, unread=unread)


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
