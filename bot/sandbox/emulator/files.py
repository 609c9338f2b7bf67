"""Stored files: the photos and documents the bot uploads or users post, their ids, photo sizes,
``getFile`` and downloads."""

from __future__ import annotations

import base64
import math
import mimetypes
import struct
from typing import Literal
from urllib.parse import urlsplit

from bot.sandbox.emulator.base import _EmulatorBase
from bot.sandbox.emulator.params import _bad_request, _Params
from bot.sandbox.emulator.state import MAX_DOWNLOAD_SIZE, _StoredFile
from bot.sandbox.html_check import JsonDict


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, or ``None`` if it is not one of those."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        position = 2
        while position + 9 < len(data):
            if data[position] != 0xFF:
                return None
            marker = data[position + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                position += 2
                continue
            (length,) = struct.unpack(">H", data[position + 2 : position + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[position + 5 : position + 9])
                return int(width), int(height)
            position += 2 + int(length)
    return None


class _FilesMixin(_EmulatorBase):
    """Photos and documents: file ids, photo sizes, the bot's uploads, ``getFile`` and downloads."""

    def file_bytes(self, file_id: str) -> tuple[bytes, str | None] | None:
        """The content and file name of a file the bot sent (None: unknown, or only a URL)."""
        stored = self._files.get(file_id)
        if stored is None or stored.data is None:
            return None
        return stored.data, stored.file_name

    # -- internals: files -----------------------------------------------------------------------

    def _new_file_ids(self, kind: str) -> tuple[str, str]:
        self._file_counter += 1
        token = base64.urlsafe_b64encode(self._ids.randbytes(24)).decode().rstrip("=")
        unique = base64.urlsafe_b64encode(self._ids.randbytes(9)).decode().rstrip("=")
        prefix = "AgACAgIAAxkBAA" if kind == "photo" else "BQACAgIAAxkBAA"
        return f"{prefix}{self._file_counter}{token}", f"AQAD{self._file_counter}{unique}"

    def _store_file(
        self,
        kind: Literal["photo", "document"],
        data: bytes | None,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        source_url: str | None = None,
    ) -> _StoredFile:
        file_id, unique_id = self._new_file_ids(kind)
        folder = "photos" if kind == "photo" else "documents"
        extension = ""
        if kind == "photo":
            extension = ".jpg"
        elif file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{self._file_counter}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            source_url=source_url,
        )
        if kind == "photo":
            size = _image_size(data) if data is not None else (512, 512)
            if size is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if width <= 0 or height <= 0 or width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise _bad_request("PHOTO_INVALID_DIMENSIONS")
            stored.width, stored.height = width, height
            stored.sizes = self._photo_sizes(stored)
            for size_json in stored.sizes:
                self._files[size_json["file_id"]] = stored
        self._files[file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _photo_sizes(self, stored: _StoredFile) -> list[JsonDict]:
        longest = max(stored.width, stored.height)
        sizes: list[JsonDict] = []
        for limit in (90, 320, 800, 1280):
            scale = min(1.0, limit / longest)
            width = max(1, round(stored.width * scale))
            height = max(1, round(stored.height * scale))
            is_full = scale >= 1.0 or limit == 1280
            if is_full:
                file_id, unique_id = stored.file_id, stored.file_unique_id
            else:
                file_id, unique_id = self._new_file_ids("photo")
            area = (width * height) / max(1, stored.width * stored.height)
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "file_size": max(1, math.ceil(stored.size * area)) if stored.data is not None else 0,
                }
            )
            if is_full:
                break
        return sizes

    def _input_file(self, params: _Params, name: Literal["photo", "document"]) -> _StoredFile:
        upload = params.get_upload(name)
        if upload is not None:
            if not upload.body:
                raise _bad_request("file must be non-empty")
            if name == "photo":
                return self._store_file("photo", upload.body)
            mime_type = upload.content_type
            if not mime_type or mime_type == "application/octet-stream":
                mime_type = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
            return self._store_file("document", upload.body, file_name=upload.filename, mime_type=mime_type)
        value = params.get_str(name)
        if not value:
            raise _bad_request(f"there is no {name} in the request")
        if value.startswith(("http://", "https://")):
            file_name = urlsplit(value).path.rsplit("/", 1)[-1] or None
            guessed = mimetypes.guess_type(file_name or "")[0] if name == "document" else None
            return self._store_file(name, None, file_name=file_name, mime_type=guessed, source_url=value)
        stored = self._files.get(value)
        if stored is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != name:
            raise _bad_request(f"can't use file of type {stored.kind.capitalize()} as {name.capitalize()}")
        return stored

    def _download(self, token: str, path: str) -> bytes | None:
        if token != self.token:
            return None
        stored = self._file_paths.get(path)
        return stored.data if stored is not None else None

    # -- API methods ----------------------------------------------------------------------------

    async def _get_file(self, params: _Params) -> object:
        file_id = params.get_str("file_id")
        stored = self._files.get(file_id or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise _bad_request("file is too big")
        size = next((s for s in stored.sizes if s["file_id"] == file_id), None)
        unique_id = size["file_unique_id"] if size is not None else stored.file_unique_id
        result: JsonDict = {"file_id": file_id, "file_unique_id": unique_id, "file_path": stored.file_path}
        if stored.data is not None:
            result["file_size"] = stored.size
        return result
