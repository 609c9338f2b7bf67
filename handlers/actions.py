"""/action, /actions, /done, /reopen, /assign, /due, /rename, /drop, /programme(s), /status and the buttons."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import Message, MessageEntity, Update

from bot.actions import (
    CALLBACK_RE,
    TITLE_MAX,
    Scope,
    parse_action_text,
    plus_one_day,
    split_owner_names,
    user_matches,
)
from bot.dates import EXAMPLES, format_when, is_past, parse_when
from bot.i18n import Markup
from bot.textproc import escape
from handlers.basic import is_admin, reply
from handlers.context import KembarContext
from storage.records import ActionItem, Chat

logger = logging.getLogger(__name__)

FILTERS = ("open", "mine", "overdue", "done", "all")
PARSE_TIMEOUT = 5.0


def _rest(update: Update) -> str:
    message = update.effective_message
    text = (message.text or "") if message else ""
    _, _, rest = text.partition(" ")
    return rest.strip()


def _text_mentions(message: Message | None) -> list[str]:
    if message is None or not message.text:
        return []
    return [message.parse_entity(entity) for entity in message.entities if entity.type == MessageEntity.TEXT_MENTION]


def _examples(lang: str) -> Markup:
    examples = EXAMPLES.get(lang) or EXAMPLES["en"]
    return Markup(", ".join(f"<code>{escape(e)}</code>" for e in examples))


def _user_label(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return "?"
    return f"@{user.username}" if user.username else user.full_name


async def _when(context: KembarContext, text: str, chat: Chat) -> datetime | None:
    """The instant ``text`` names in the group's zone, or None (parsed in a worker thread)."""
    tz = context.services.timezone_of(chat)
    now = context.services.actions.now()
    # The group's language first, then English (partners often write English in any group).
    for lang in dict.fromkeys((chat.language, "en")):
        try:
            when = await asyncio.wait_for(asyncio.to_thread(parse_when, text, lang, tz, now), PARSE_TIMEOUT)
        except TimeoutError:
            return None
        if when is not None:
            return when
    return None


async def _scope(context: KembarContext) -> Scope | None:
    chat = context.chat
    if chat is None:
        return None
    return await context.services.actions.scope_for(chat)


async def create_action(update: Update, context: KembarContext) -> None:
    chat, message = context.chat, update.effective_message
    if chat is None or message is None:
        return
    services = context.services
    service = services.actions
    lang = context.language
    args_text = _rest(update)
    replied = message.reply_to_message
    parsed = parse_action_text(args_text, chat.language, _text_mentions(message))
    title = parsed.title
    due_at = None
    for (when_text, strict), title_without in zip(parsed.when_candidates, parsed.title_without_when, strict=True):
        when = await _when(context, when_text, chat)
        if when is not None:
            due_at, title = when, title_without
            break
        if strict:
            await reply(update, context, context.t("action.bad_when", when=when_text[:100], examples=_examples(lang)))
            return
    if replied is not None:
        if title:  # with a reply, the arguments give only owners, due date and programme
            await reply(update, context, context.t("action.usage", examples=_examples(lang)))
            return
        title = " ".join((replied.text or replied.caption or "").split())
    if not title:
        await reply(update, context, context.t("action.empty_title"))
        return
    if len(title) > TITLE_MAX:
        await reply(update, context, context.t("action.title_too_long", length=len(title)))
        return
    now = service.now()
    if due_at is not None and is_past(due_at, now):
        shown = format_when(due_at, lang, services.timezone_of(chat))
        await reply(update, context, context.t("action.past_when", when=shown))
        return
    scope = await service.scope_for(chat)
    programme_id = None
    if parsed.programme is not None:
        programme = await service.programmes.get(scope.key, parsed.programme)
        if programme is None:
            await reply(update, context, context.t("action.unknown_programme", name=parsed.programme))
            return
        programme_id = programme.id
    user = update.effective_user
    item = await service.actions.create(
        scope=scope.key,
        bridge_id=scope.bridge_id,
        chat_id=chat.id,
        title=title,
        language=chat.language,
        owners=parsed.owners,
        programme_id=programme_id,
        due_at=due_at,
        created_by=user.id if user else None,
    )
    await service.announce_new(item, scope, chat, services.timezone_of)


async def list_actions(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    args = _rest(update).split()
    option = args[0].lower() if args else "open"
    if option not in FILTERS or len(args) > 1:
        await reply(update, context, context.t("action.bad_filter", option=" ".join(args)[:40]))
        return
    service = context.services.actions
    scope = await service.scope_for(chat)
    now = service.now()
    statuses = {"open": ("open",), "mine": ("open",), "overdue": ("open",), "done": ("done",)}.get(
        option, ("open", "done")
    )
    items = await service.actions.list(scope.key, statuses=statuses)
    user = update.effective_user
    if option == "mine" and user is not None:
        items = [i for i in items if any(user_matches(o, user.username, user.full_name) for o in i.owners)]
    elif option == "overdue":
        items = [i for i in items if i.is_overdue(now)]
    label = context.t(f"action.filter.{option}")
    if not items:
        key = "action.none" if option in ("open", "all") else "action.none_filtered"
        await reply(update, context, context.t(key, filter=label))
        return
    tz = context.services.timezone_of(chat)
    titles = await service.titles_in(items[:50], chat.language, scope.bridge_id)
    cards = "\n\n".join(service.card(item, title, chat, tz) for item, title in zip(items[:50], titles, strict=True))
    await reply(update, context, context.t("action.list", filter=label, items=Markup(cards)))


async def _item_from_args(
    update: Update, context: KembarContext, command: str, *, more: bool
) -> tuple[Scope, ActionItem, str] | None:
    """Parse ``<n> [rest]``; answer the error and return None when it doesn't name an item of this scope."""
    chat = context.chat
    if chat is None:
        return None
    number_text, _, rest = _rest(update).partition(" ")
    number_text = number_text.lstrip("#")
    if not number_text.isdigit() or len(number_text) > 9:
        await reply(update, context, context.t("action.bad_number", command=command))
        return None
    if rest.strip() and not more:
        await reply(update, context, context.t("action.extra_args", command=command))
        return None
    service = context.services.actions
    scope = await service.scope_for(chat)
    item = await service.actions.get(scope.key, int(number_text))
    if item is None:
        await reply(update, context, context.t("action.not_found", number=int(number_text)))
        return None
    return scope, item, rest.strip()


async def _publish(update: Update, context: KembarContext, scope: Scope, item: ActionItem, key: str) -> None:
    """Announce a change of ``item`` in one line to every group of its scope."""
    chat = context.chat
    if chat is None:
        return
    await context.services.actions.announce_change(
        item, scope, key, by=_user_label(update), origin=chat, timezone_of=context.services.timezone_of
    )


async def _may_change(update: Update, context: KembarContext, item: ActionItem, *, drop: bool = False) -> bool:
    user = update.effective_user
    if user is None:
        return False
    if item.created_by == user.id:
        return True
    if not drop and any(user_matches(o, user.username, user.full_name) for o in item.owners):
        return True
    return await is_admin(update, context)


async def _set_status(update: Update, context: KembarContext, command: str, status: str) -> None:
    found = await _item_from_args(update, context, command, more=False)
    chat = context.chat
    if found is None or chat is None:
        return
    scope, item, _ = found
    if not await _may_change(update, context, item, drop=status == "dropped"):
        key = "action.drop_not_allowed" if status == "dropped" else "action.not_allowed"
        await reply(update, context, context.t(key))
        return
    if item.status == status:
        state = context.t(
            {"done": "action.done_mark", "dropped": "action.dropped_mark"}.get(status, "action.filter.open")
        )
        await reply(update, context, context.t("action.already", number=item.number, state=state))
        return
    service = context.services.actions
    item = await service.actions.set_status(scope.key, item.number, status, service.now())
    await _publish(update, context, scope, item, f"action.changed.{status}")


async def done(update: Update, context: KembarContext) -> None:
    await _set_status(update, context, "done", "done")


async def reopen(update: Update, context: KembarContext) -> None:
    await _set_status(update, context, "reopen", "open")


async def drop(update: Update, context: KembarContext) -> None:
    await _set_status(update, context, "drop", "dropped")


async def assign(update: Update, context: KembarContext) -> None:
    found = await _item_from_args(update, context, "assign", more=True)
    chat = context.chat
    if found is None or chat is None:
        return
    scope, item, rest = found
    owners = split_owner_names(rest, _text_mentions(update.effective_message))
    if not owners or any(len(o) > 64 for o in owners):
        await reply(update, context, context.t("action.no_owners", number=item.number))
        return
    if not await _may_change(update, context, item):
        await reply(update, context, context.t("action.not_allowed"))
        return
    service = context.services.actions
    item = await service.actions.set_owners(scope.key, item.number, owners)
    await _publish(update, context, scope, item, "action.changed.owners")


async def due(update: Update, context: KembarContext) -> None:
    found = await _item_from_args(update, context, "due", more=True)
    chat = context.chat
    if found is None or chat is None:
        return
    scope, item, rest = found
    lang = context.language
    if not rest:
        await reply(update, context, context.t("action.bad_when", when="", examples=_examples(lang)))
        return
    when = await _when(context, rest, chat)
    if when is None:
        await reply(update, context, context.t("action.bad_when", when=rest[:100], examples=_examples(lang)))
        return
    service = context.services.actions
    if is_past(when, service.now()):
        shown = format_when(when, lang, context.services.timezone_of(chat))
        await reply(update, context, context.t("action.past_when", when=shown))
        return
    if not await _may_change(update, context, item):
        await reply(update, context, context.t("action.not_allowed"))
        return
    item = await service.actions.set_due(scope.key, item.number, when)
    await _publish(update, context, scope, item, "action.changed.due")


async def rename(update: Update, context: KembarContext) -> None:
    found = await _item_from_args(update, context, "rename", more=True)
    chat = context.chat
    if found is None or chat is None:
        return
    scope, item, rest = found
    title = " ".join(rest.split())
    if not title:
        await reply(update, context, context.t("action.empty_title"))
        return
    if len(title) > TITLE_MAX:
        await reply(update, context, context.t("action.title_too_long", length=len(title)))
        return
    if not await _may_change(update, context, item):
        await reply(update, context, context.t("action.not_allowed"))
        return
    service = context.services.actions
    item = await service.actions.set_title(scope.key, item.number, title, chat.language)
    await _publish(update, context, scope, item, "action.changed.title")


async def on_button(update: Update, context: KembarContext) -> None:
    query = update.callback_query
    chat = context.chat
    if query is None:
        return
    match = CALLBACK_RE.match(query.data or "")
    if match is None or chat is None:
        await query.answer()
        return
    scope_key, number, op = match.group(1), int(match.group(2)), match.group(3)
    service = context.services.actions
    scope = await service.scope_for(chat)
    if scope.key != scope_key:
        await query.answer(context.t("action.button_other_bridge"), show_alert=True)
        return
    item = await service.actions.get(scope.key, number)
    if item is None or item.status == "dropped":
        await query.answer(context.t("action.button_stale"), show_alert=True)
        return
    user = update.effective_user
    if op == "take":
        item = await service.actions.add_owners(scope.key, number, [_user_label(update)])
        await query.answer(context.t("action.button_taken"))
        await _publish(update, context, scope, item, "action.changed.owners")
        return
    if user is None or not await _may_change(update, context, item):
        await query.answer(context.t("action.not_allowed"), show_alert=True)
        return
    if op == "done":
        await complete_item(update, context, item)
        return
    new_due = plus_one_day(item, service.now(), context.services.timezone_of(chat))
    item = await service.actions.set_due(scope.key, number, new_due)
    await query.answer(context.t("action.button_postponed"))
    await _publish(update, context, scope, item, "action.changed.due")


async def complete_item(update: Update, context: KembarContext, item: ActionItem) -> None:
    """✅ from an item's card or from one of its reminders."""
    query = update.callback_query
    chat = context.chat
    if chat is None:
        return
    if not await _may_change(update, context, item):
        if query is not None:
            await query.answer(context.t("action.not_allowed"), show_alert=True)
        return
    if item.status == "done":
        if query is not None:
            await query.answer(context.t("action.already", number=item.number, state=context.t("action.done_mark")))
        return
    service = context.services.actions
    scope = await service.scope_for(chat)
    item = await service.actions.set_status(item.scope, item.number, "done", service.now())
    if query is not None:
        await query.answer(context.t("action.button_done"))
    await _publish(update, context, scope, item, "action.changed.done")


# ---- programmes and status -------------------------------------------------------------------------


async def programme(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    rest = _rest(update)
    action, _, remainder = rest.partition(" ")
    service = context.services.actions
    scope = await service.scope_for(chat)
    if not rest:
        await reply(update, context, context.t("programme.usage"))
        return
    if action.lower() == "add":
        name, _, goal = remainder.replace("—", "--").partition("--")
        name, goal_text = name.strip(), " ".join(goal.split()) or None
        if not await is_admin(update, context):
            await reply(update, context, context.t("admin.only"))
            return
        try:
            saved = await service.programmes.add(scope.key, name, goal_text)
        except ValueError:
            await reply(update, context, context.t("programme.bad_name"))
            return
        goal_html = Markup(f" — {escape(saved.goal)}") if saved.goal else Markup("")
        await reply(update, context, context.t("programme.added", name=saved.name, goal=goal_html))
        return
    if remainder.strip():
        await reply(update, context, context.t("programme.usage"))
        return
    found = await service.programmes.get(scope.key, action)
    if found is None:
        await reply(update, context, context.t("programme.not_found", name=action[:64]))
        return
    items = await service.actions.list(scope.key, statuses=("open", "done"), programme_id=found.id)
    now = service.now()
    tz = context.services.timezone_of(chat)
    titles = await service.titles_in(items[:30], chat.language, scope.bridge_id)
    cards = "\n\n".join(service.card(i, t, chat, tz) for i, t in zip(items[:30], titles, strict=True))
    done_count = sum(1 for i in items if i.status == "done")
    overdue = sum(1 for i in items if i.is_overdue(now))
    goal_html = Markup(f" — {escape(found.goal)}") if found.goal else Markup("")
    await reply(
        update,
        context,
        context.t(
            "programme.show",
            name=found.name,
            goal=goal_html,
            done=done_count,
            total=len(items),
            overdue=overdue,
            items=Markup(cards),
        ),
    )


async def programmes(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    if _rest(update):
        await reply(update, context, context.t("programme.usage"))
        return
    service = context.services.actions
    scope = await service.scope_for(chat)
    found = await service.programmes.list(scope.key)
    if not found:
        await reply(update, context, context.t("programme.none"))
        return
    stats = {s.programme: s for s in await service.actions.stats(scope.key, service.now())}
    lines = []
    for p in found:
        s = stats.get(p.name)
        goal_html = Markup(f" — {escape(p.goal)}") if p.goal else Markup("")
        lines.append(
            context.t(
                "programme.line",
                name=p.name,
                goal=goal_html,
                open=s.open if s else 0,
                overdue=s.overdue if s else 0,
                done=s.done if s else 0,
            )
        )
    await reply(update, context, context.t("programme.list", items=Markup("\n".join(lines))))


async def status(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    if _rest(update):
        await reply(update, context, context.t("command.no_args", command="status"))
        return
    services = context.services
    await reply(update, context, await services.actions.status_text(chat, services.timezone_of(chat)))
