"""Bot API methods on messages: send, edit, copy, forward and delete texts, photos and documents."""

from __future__ import annotations

import copy
from typing import Literal

from bot.sandbox.emulator.callbacks import _CallbacksMixin
from bot.sandbox.emulator.files import _FilesMixin
from bot.sandbox.emulator.params import _bad_request, _Params
from bot.sandbox.emulator.state import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, _ChatState, _Message
from bot.sandbox.html_check import (
    EmptyTextError,
    EntitiesFieldError,
    EntityParseError,
    FormattedText,
    JsonDict,
    entities_from_param,
    finalize,
    parse_html,
)

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class _MessagesMixin(_CallbacksMixin, _FilesMixin):
    """``sendMessage``, ``sendPhoto``, ``sendDocument``, ``editMessage*``, ``copyMessage``,
    ``forwardMessage`` and ``deleteMessage``, with the parameter helpers they share."""

    # -- internals: parameter helpers -----------------------------------------------------------

    def _formatted(
        self, params: _Params, text_name: str, entities_name: str, *, allow_empty: bool
    ) -> tuple[FormattedText, str | None, str | None]:
        """Parse a text/caption parameter; returns (formatted, raw text, parse_mode)."""
        raw = params.get_str(text_name)
        if raw is None:
            raw = ""
        parse_mode = params.get_str("parse_mode") or None
        try:
            if params.has(entities_name):
                explicit = entities_from_param(params.get_json(entities_name), raw, resolve_user=self._resolve_user)
                formatted = finalize(raw, explicit, allow_empty=allow_empty)
            elif parse_mode is not None:
                mode = parse_mode.lower()
                if mode == "html":
                    parsed = parse_html(raw, resolve_user=self._resolve_user)
                    formatted = finalize(parsed.text, parsed.entities, allow_empty=allow_empty)
                elif mode in ("markdown", "markdownv2"):
                    # Markdown dialects are accepted but not parsed: the text is stored verbatim.
                    formatted = finalize(raw, [], allow_empty=allow_empty)
                else:
                    raise _bad_request("unsupported parse_mode")
            else:
                formatted = finalize(raw, [], allow_empty=allow_empty)
        except EntityParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from None
        except EntitiesFieldError as error:
            raise _bad_request(str(error)) from None
        except EmptyTextError:
            raise _bad_request("message text is empty") from None
        return formatted, (raw or None), parse_mode

    def _reply_target(self, state: _ChatState, params: _Params) -> tuple[int | None, JsonDict | None, JsonDict | None]:
        """(reply_to message id in this chat, external_reply, quote) from reply parameters."""
        raw = params.get_json("reply_parameters")
        if raw is None:
            legacy = params.get_int("reply_to_message_id")
            if legacy is None:
                return None, None, None
            raw = {
                "message_id": legacy,
                "allow_sending_without_reply": params.get_bool("allow_sending_without_reply"),
            }
        if not isinstance(raw, dict):
            raise _bad_request("can't parse reply parameters JSON object")
        message_id = raw.get("message_id")
        if isinstance(message_id, str) and message_id.lstrip("-").isdigit():
            message_id = int(message_id)
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise _bad_request('can\'t parse ReplyParameters: Field "message_id" must be of type Number')
        target_state = state
        if raw.get("chat_id") is not None and str(raw["chat_id"]) != str(state.chat.id):
            target_state = self._accessible(self._chat_param(_Params({"chat_id": raw["chat_id"]}, {}), read_only=True))
        target = target_state.messages.get(message_id)
        if target is None or target.deleted:
            if raw.get("allow_sending_without_reply") in (True, "true", 1):
                return None, None, None
            raise _bad_request("message to be replied not found")
        quote: JsonDict | None = None
        quote_text = raw.get("quote")
        if isinstance(quote_text, str) and quote_text:
            body = str(target.content.get(target.body_key, ""))
            position = raw.get("quote_position")
            start = body.find(quote_text, position if isinstance(position, int) else 0)
            if start < 0:
                raise _bad_request("QUOTE_TEXT_INVALID")
            quote = {"text": quote_text, "position": start, "is_manual": True}
        if target_state is state:
            return message_id, None, quote
        external: JsonDict = {
            "origin": self._origin(target),
            "chat": target_state.chat.to_api(),
            "message_id": message_id,
        }
        for key in ("photo", "document"):
            if key in target.content:
                external[key] = copy.deepcopy(target.content[key])
        return None, external, quote

    def _origin(self, message: _Message) -> JsonDict:
        state = self._chats[message.chat_id]
        if message.sender is None:
            return {
                "type": "channel",
                "date": message.date,
                "chat": state.chat.to_api(),
                "message_id": message.message_id,
            }
        if message.sender_chat is not None:  # an anonymous administrator, on behalf of the group
            return {"type": "chat", "date": message.date, "sender_chat": message.sender_chat.to_api()}
        return {"type": "user", "date": message.date, "sender_user": message.sender.to_api()}

    def _options(self, params: _Params, raw_markup: JsonDict | None) -> JsonDict:
        options: JsonDict = {}
        for name in ("disable_notification", "protect_content", "allow_paid_broadcast"):
            if params.has(name):
                options[name] = params.get_bool(name)
        for name in ("link_preview_options", "message_thread_id", "message_effect_id"):
            if params.has(name):
                options[name] = params.get_json(name) if name != "message_effect_id" else params.get_str(name)
        if raw_markup is not None:
            options["reply_markup"] = raw_markup
        return options

    def _send(
        self,
        state: _ChatState,
        params: _Params,
        content: JsonDict,
        *,
        raw_text: str | None,
        parse_mode: str | None,
    ) -> _Message:
        self._check_rights(state, content)
        reply_to, external, quote = self._reply_target(state, params)
        markup, raw_markup = self._inline_markup(params)
        message = self._store_message(state, self.bot, content, reply_to=reply_to)
        message.external_reply = external
        message.quote = quote
        message.reply_markup = markup
        message.raw_text = raw_text
        message.parse_mode = parse_mode
        message.options = self._options(params, raw_markup)
        self._bot_message_changed(message)
        return message

    def _own_message(self, params: _Params, *, action: str) -> tuple[_ChatState, _Message]:
        if params.has("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        state = self._accessible(self._chat_param(params))
        message_id = self._message_id_param(params)
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request(f"message to {action} not found")
        if message.sender is None or message.sender.id != self.bot.id:
            raise _bad_request(f"message can't be {action}ed")
        return state, message

    # -- API methods ----------------------------------------------------------------------------

    async def _send_message(self, params: _Params) -> object:
        state = self._writable(params)
        if not params.has("text"):
            raise _bad_request("message text is empty")
        formatted, raw, parse_mode = self._formatted(params, "text", "entities", allow_empty=False)
        if len(formatted.text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        content: JsonDict = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        link_preview = params.get_json("link_preview_options")
        if isinstance(link_preview, dict) and link_preview:
            content["link_preview_options"] = link_preview
        message = self._send(state, params, content, raw_text=raw, parse_mode=parse_mode)
        return self._message_json(message)

    async def _send_media(self, params: _Params, kind: Literal["photo", "document"]) -> object:
        state = self._writable(params)
        formatted, raw, parse_mode = self._formatted(params, "caption", "caption_entities", allow_empty=True)
        if len(formatted.text) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        stored = self._input_file(params, kind)
        content: JsonDict = {}
        if kind == "photo":
            content["photo"] = [dict(size) for size in stored.sizes]
            if params.get_bool("has_spoiler"):
                content["has_media_spoiler"] = True
            if params.get_bool("show_caption_above_media"):
                content["show_caption_above_media"] = True
        else:
            content["document"] = stored.document_json()
        if formatted.text:
            content["caption"] = formatted.text
            if formatted.entities:
                content["caption_entities"] = formatted.entities
        message = self._send(state, params, content, raw_text=raw, parse_mode=parse_mode)
        return self._message_json(message)

    async def _send_photo(self, params: _Params) -> object:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: _Params) -> object:
        return await self._send_media(params, "document")

    async def _edit_message_text(self, params: _Params) -> object:
        _, message = self._own_message(params, action="edit")
        if "text" not in message.content:
            raise _bad_request("there is no text in the message to edit")
        if not params.has("text"):
            raise _bad_request("text must be non-empty")
        formatted, raw, parse_mode = self._formatted(params, "text", "entities", allow_empty=False)
        if len(formatted.text) > MAX_TEXT_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        markup, _ = self._inline_markup(params)
        self._apply_edit(message, "text", formatted, markup, raw, parse_mode)
        return self._message_json(message)

    async def _edit_message_caption(self, params: _Params) -> object:
        _, message = self._own_message(params, action="edit")
        if "text" in message.content or message.is_service:
            raise _bad_request("there is no caption in the message to edit")
        formatted, raw, parse_mode = self._formatted(params, "caption", "caption_entities", allow_empty=True)
        if len(formatted.text) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        markup, _ = self._inline_markup(params)
        self._apply_edit(message, "caption", formatted, markup, raw, parse_mode)
        return self._message_json(message)

    async def _edit_message_reply_markup(self, params: _Params) -> object:
        _, message = self._own_message(params, action="edit")
        markup, _ = self._inline_markup(params)
        if markup == message.reply_markup:
            raise _bad_request(_NOT_MODIFIED)
        self._snapshot(message)
        message.reply_markup = markup
        message.edit_date = int(self._now())
        self._bot_message_changed(message)
        return self._message_json(message)

    def _apply_edit(
        self,
        message: _Message,
        key: str,
        formatted: FormattedText,
        markup: JsonDict | None,
        raw: str | None,
        parse_mode: str | None,
    ) -> None:
        entities_key = "entities" if key == "text" else "caption_entities"
        unchanged = (
            message.content.get(key, "") == formatted.text
            and message.content.get(entities_key, []) == formatted.entities
            and message.reply_markup == markup
        )
        if unchanged:
            raise _bad_request(_NOT_MODIFIED)
        self._snapshot(message)
        self._set_body(message, key, formatted)
        message.reply_markup = markup
        message.raw_text = raw
        message.parse_mode = parse_mode
        message.edit_date = int(self._now())
        self._bot_message_changed(message)

    def _source_message(self, params: _Params, *, action: Literal["copy", "forward"]) -> tuple[_ChatState, _Message]:
        source_state = self._accessible(self._chat_param(params, "from_chat_id", read_only=True))
        message_id = self._message_id_param(params)
        source = source_state.messages.get(message_id)
        if source is None or source.deleted:
            raise _bad_request(f"message to {action} not found")
        if source.is_service or source.options.get("protect_content"):
            raise _bad_request("message can't be copied" if action == "copy" else "message can't be forwarded")
        return source_state, source

    async def _copy_message(self, params: _Params) -> object:
        _, source = self._source_message(params, action="copy")
        state = self._writable(params)
        content = {
            key: copy.deepcopy(value)
            for key, value in source.content.items()
            if key
            in ("text", "entities", "photo", "document", "sticker", "caption", "caption_entities", "has_media_spoiler")
        }
        if "sticker" in content and params.get_str("caption") is not None:
            raise _bad_request("can't use caption with a sticker")
        raw_text, parse_mode = source.raw_text, source.parse_mode
        if "text" not in content and params.get_str("caption") is not None:
            formatted, raw_text, parse_mode = self._formatted(params, "caption", "caption_entities", allow_empty=True)
            if len(formatted.text) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if formatted.text:
                content["caption"] = formatted.text
                if formatted.entities:
                    content["caption_entities"] = formatted.entities
        message = self._send(state, params, content, raw_text=raw_text, parse_mode=parse_mode)
        message.options["copied_from"] = {"chat_id": source.chat_id, "message_id": source.message_id}
        return {"message_id": message.message_id}

    async def _forward_message(self, params: _Params) -> object:
        _, source = self._source_message(params, action="forward")
        state = self._writable(params)
        content = {
            key: copy.deepcopy(value)
            for key, value in source.content.items()
            if key in ("text", "entities", "photo", "document", "caption", "caption_entities")
        }
        self._check_rights(state, content)
        message = self._store_message(state, self.bot, content)
        message.forward_origin = source.forward_origin or self._origin(source)
        message.raw_text = source.raw_text
        message.parse_mode = source.parse_mode
        message.options = self._options(params, None)
        self._bot_message_changed(message)
        return self._message_json(message)

    async def _delete_message(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params))
        message_id = self._message_id_param(params)
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to delete not found")
        own = message.sender is not None and message.sender.id == self.bot.id
        if not own and state.chat.type != "private" and state.bot_status != "administrator":
            raise _bad_request("message can't be deleted")
        message.deleted = True
        if state.pinned == message_id:
            state.pinned = None
        self._bot_message_changed(message)
        return True
