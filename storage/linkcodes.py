"""Link codes: a chat issues one (for one group, or for several: ``uses``), a partner chat redeems it to ask to
join the bridge, and an administrator of the issuing chat approves the join request (storage.joinrequests)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.errors import CodeExpired, CodeNotFound, CodeOwnChat, CodeUsed
from bot.domain.rules import LINK_CODE_TTL, LINK_CODE_USES_MAX
from storage._shared import rowcount
from storage.db import Database
from storage.models import ChatRow, LinkCodeRow, utcnow

# Crockford's base32: no I, L, O, U. Ten symbols are 50 bits from `secrets`, typed as XXXXX-XXXXX.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
CODE_BITS = 50  # log2(32 ** 10)
_CREATE_ATTEMPTS = 3

_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
_SEPARATORS = str.maketrans(dict.fromkeys("-_\u2010\u2011\u2012\u2013\u2014\u2212"))


def normalise_code(text: str) -> str:
    """The canonical form of a typed code: upper case, no spaces or hyphens, Crockford look-alikes mapped."""
    return "".join(text.strip().upper().split()).translate(_SEPARATORS).translate(_CONFUSABLE)


def format_code(normal: str) -> str:
    """``XXXXXXXXXX`` → ``XXXXX-XXXXX``."""
    half = len(normal) // 2
    return f"{normal[:half]}-{normal[half:]}"


def hash_code(code: str) -> str:
    """SHA-256 (hex) of the normalised code: the only form of a code that is stored."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def check_redeemable(
    issuer: int, used_at: datetime | None, expires_at: datetime, by_chat_id: int, now: datetime
) -> None:
    """Whether a stored code may be redeemed in ``by_chat_id`` now: ``CodeUsed``, ``CodeExpired`` or
    ``CodeOwnChat`` when not (the repositories in memory of the unit tests check with it too)."""
    if used_at is not None:
        raise CodeUsed("the link code was used already")
    if expires_at <= now:
        raise CodeExpired("the link code has expired")
    if issuer == by_chat_id:
        raise CodeOwnChat("the link code was issued by this chat")


def check_uses(uses: int) -> None:
    """ValueError unless a code may have ``uses`` redemptions (1 to LINK_CODE_USES_MAX)."""
    if not (isinstance(uses, int) and 1 <= uses <= LINK_CODE_USES_MAX):
        raise ValueError(f"a link code admits 1 to {LINK_CODE_USES_MAX} groups, not {uses!r}")


def _is_well_formed(normal: str) -> bool:
    return len(normal) == CODE_LENGTH and all(c in CODE_ALPHABET for c in normal)


class LinkCodeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, chat_id: int, created_by: int | None, ttl: timedelta = LINK_CODE_TTL, *, uses: int = 1
    ) -> str:
        """Issue a new code for ``chat_id``, valid for ``ttl`` and ``uses`` redemptions; returns it as
        ``XXXXX-XXXXX``."""
        if ttl <= timedelta(0):
            raise ValueError("a link code needs a positive lifetime")
        check_uses(uses)
        for _ in range(_CREATE_ATTEMPTS):
            normal = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            now = utcnow()
            try:
                async with self.db.session() as session:
                    if await session.get(ChatRow, chat_id) is None:
                        raise LookupError(f"chat {chat_id} is not known")
                    session.add(
                        LinkCodeRow(
                            code_hash=hash_code(normal),
                            chat_id=chat_id,
                            created_by=created_by,
                            created_at=now,
                            expires_at=now + ttl,
                            uses_left=uses,
                        )
                    )
            except IntegrityError:
                # A 2**-50 collision with a stored code, or the chat was deleted meanwhile.
                async with self.db.session() as session:
                    if await session.get(ChatRow, chat_id) is None:
                        raise LookupError(f"chat {chat_id} is not known") from None
                continue
            return format_code(normal)
        raise RuntimeError("could not store a new link code")

    async def redeem(self, code: str, by_chat_id: int, now: datetime | None = None) -> int:
        """Use the code in ``by_chat_id``; returns the chat that issued it. Each use is taken once, also under
        races (a conditional decrement: of two groups taking the last use at once, one gets ``CodeUsed``); the
        last one spends the code (``used_at``). ``used_by_chat`` records the group that took the latest use.

        Raises ``CodeNotFound``, ``CodeUsed``, ``CodeExpired``, or ``CodeOwnChat`` (which leaves the code
        valid). The exceptions never carry the code itself.
        """
        now = now or utcnow()
        normal = normalise_code(code)
        if not _is_well_formed(normal):
            raise CodeNotFound("no such link code")
        key = hash_code(normal)
        async with self.db.session() as session:
            row = await session.get(LinkCodeRow, key)
            if row is None:
                raise CodeNotFound("no such link code")
            check_redeemable(row.chat_id, row.used_at, row.expires_at, by_chat_id, now)
            claimed = await session.execute(
                update(LinkCodeRow)
                .where(
                    LinkCodeRow.code_hash == key,
                    LinkCodeRow.used_at.is_(None),
                    LinkCodeRow.uses_left > 0,
                    LinkCodeRow.expires_at > now,
                )
                .values(
                    uses_left=LinkCodeRow.uses_left - 1,
                    used_at=case(
                        (LinkCodeRow.uses_left <= 1, literal(now, LinkCodeRow.used_at.type)), else_=LinkCodeRow.used_at
                    ),
                    used_by_chat=by_chat_id,
                )
                .execution_options(synchronize_session=False)
            )
            if rowcount(claimed) != 1:
                # Lost the race to a concurrent redemption (or expired this very instant).
                fresh = await session.scalar(select(LinkCodeRow.used_at).where(LinkCodeRow.code_hash == key))
                if fresh is not None:
                    raise CodeUsed("the link code was used already")
                raise CodeExpired("the link code has expired")
            return row.chat_id

    async def revoke_code(self, code: str, now: datetime | None = None) -> bool:
        """Expire one unused code now (it was never handed to anyone); False when it was not open."""
        now = now or utcnow()
        async with self.db.session() as session:
            result = await session.execute(
                update(LinkCodeRow)
                .where(LinkCodeRow.code_hash == hash_code(code), LinkCodeRow.used_at.is_(None))
                .values(expires_at=now)
                .execution_options(synchronize_session=False)
            )
            return rowcount(result) == 1

    async def revoke(self, chat_id: int, now: datetime | None = None) -> int:
        """Expire the chat's unused codes now; returns how many."""
        now = now or utcnow()
        async with self.db.session() as session:
            result = await session.execute(
                update(LinkCodeRow)
                .where(LinkCodeRow.chat_id == chat_id, LinkCodeRow.used_at.is_(None), LinkCodeRow.expires_at > now)
                .values(expires_at=now)
                .execution_options(synchronize_session=False)
            )
            return rowcount(result)

    async def purge_expired(self, now: datetime | None = None) -> int:
        """Delete the codes expired at ``now`` (used or not); returns how many."""
        now = now or utcnow()
        async with self.db.session() as session:
            result = await session.execute(
                delete(LinkCodeRow).where(LinkCodeRow.expires_at <= now).execution_options(synchronize_session=False)
            )
            return rowcount(result)
