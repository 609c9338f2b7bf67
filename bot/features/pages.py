"""Long lists in pages: every list command says how many it shows of how many and how to see the rest (a
page number after the command: ``/actions open 2``, ``/reminders 2``), so nothing is cut without a word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.context import Refused
from bot.language.catalog import Catalog, Markup

T = TypeVar("T")
PAGE_MAX = 10_000  # the highest page number read (a longer number is not a page)


def read_page(words: Sequence[str]) -> tuple[list[str], int]:
    """The words before a trailing page number, and the page (1 when none was given)."""
    last = words[-1] if words else ""
    if last.isascii() and last.isdigit() and 1 <= int(last) <= PAGE_MAX and len(last) <= len(str(PAGE_MAX)):
        return list(words[:-1]), int(last)
    return list(words), 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """``items``: entries ``first`` to ``last`` (1-based) of ``total``, page ``number`` of ``pages``."""

    items: Sequence[T]
    number: int
    pages: int
    total: int
    size: int

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def count_pages(total: int, number: int, size: int) -> int:
    """How many pages of ``size`` ``total`` entries fill; a ``number`` past the last is refused (``list.no_page``)."""
    pages = max(1, -(-total // size))
    if number > pages:
        raise Refused("list.no_page", page=number, pages=pages, count=pages)
    return pages


def page_of(items: Sequence[T], number: int, size: int, *, total: int | None = None) -> Page[T]:
    """Page ``number`` of ``items`` in pages of ``size``. ``items`` are all the entries, or (given ``total``)
    at least those up to the end of that page. A page past the last is refused (``list.no_page``)."""
    total = len(items) if total is None else total
    pages = count_pages(total, number, size)
    start = (number - 1) * size
    return Page(items[start : start + size], number, pages, total, size)


def footer(catalog: Catalog, language: str, page: Page[T], command: str) -> str:
    """ "Shown 21–40 of 57. Next: /actions open 3" — nothing when the list is shown whole. ``command`` is what
    to type for a page, without its number (``/actions open``)."""
    if page.pages == 1:
        return ""
    values = {"first": page.first, "last": page.last, "total": page.total}
    if page.number < page.pages:
        return catalog.t("list.shown_next", language, next=f"{command} {page.number + 1}", **values)
    return catalog.t("list.shown_last", language, **values)


def with_footer(body: str, more: str) -> Markup:
    """A list's lines (Telegram HTML) and, when it is in pages, its footer under them."""
    return Markup(f"{body}\n\n{more}" if more else body)
