"""What ``collabkg serve`` reads of an HTTP request: within one deadline, decoded strictly.

- :class:`DeadlineReader`: the request line, headers and body are read against ONE
  deadline for the whole request (a client sending a byte, or a header line, now and then
  used to hold a serving thread for as long as it kept sending);
- :func:`parse_params`: ``name=value&...`` (an address's query string or a form body)
  percent-decoded strictly: a ``%`` not followed by two hexadecimal digits, or bytes that
  are not text in the charset, are refused in words (they used to be passed on as they
  were, or replaced by U+FFFD, which changed the query);
- :func:`decode_text`: a body in its declared charset (UTF-8 when none is declared).
"""

from __future__ import annotations

import codecs
import io
import re
import socket
import time
import urllib.parse
from http import HTTPStatus
from typing import Final


class RefusedRequest(Exception):
    """A request answered with an error (status, plain-text message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class DeadlineReader(io.RawIOBase):
    """A socket read against a deadline (``time.monotonic()``) for the whole request:
    TimeoutError once it has passed, however the bytes trickle in."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request was not read in time")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


_BAD_PERCENT: Final[re.Pattern[bytes]] = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _decode(piece: bytes, charset: str, where: str) -> str:
    bad = _BAD_PERCENT.search(piece)
    if bad is not None:
        shown = piece[bad.start():bad.start() + 3].decode("latin-1")
        raise RefusedRequest(
            HTTPStatus.BAD_REQUEST,
            f"{where} is badly percent-encoded: '{shown}' is not '%' followed by two "
            "hexadecimal digits (write a '%' itself as %25; curl --data-urlencode or "
            "urllib.parse.quote encode the query for you)",
        )
    data = urllib.parse.unquote_to_bytes(piece.replace(b"+", b" "))
    try:
        return data.decode(charset)
    except UnicodeDecodeError as exc:
        raise RefusedRequest(
            HTTPStatus.BAD_REQUEST,
            f"the query must be {_charset_name(charset)} text: {where} has byte "
            f"0x{data[exc.start]:02X} at position {exc.start + 1} of a value, which is not "
            f"{_charset_name(charset)} (percent-encode the UTF-8 bytes of the text, e.g. "
            "'é' as %C3%A9)",
        ) from None


def _charset_name(charset: str) -> str:
    return "UTF-8" if codecs.lookup(charset).name == "utf-8" else charset


def parse_params(raw: bytes, *, where: str, charset: str = "utf-8") -> dict[str, list[str]]:
    """``name=value&...`` decoded strictly (RefusedRequest 400 in words otherwise)."""
    params: dict[str, list[str]] = {}
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _eq, value = part.partition(b"=")
        params.setdefault(_decode(name, charset, where), []).append(
            _decode(value, charset, where)
        )
    return params


def declared_charset(content_type: str | None) -> str:
    """The charset a Content-Type declares (UTF-8 when none); 415 for one not known."""
    for param in (content_type or "").split(";")[1:]:
        name, _eq, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            try:
                codecs.lookup(charset)
            except LookupError:
                raise RefusedRequest(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    f"unknown charset '{charset}': send the query as UTF-8 (charset=utf-8)",
                ) from None
            return charset
    return "utf-8"


def decode_text(body: bytes, charset: str) -> str:
    """A body in its charset; 400 in words when its bytes are not text in it."""
    try:
        return body.decode(charset)
    except UnicodeDecodeError as exc:
        raise RefusedRequest(
            HTTPStatus.BAD_REQUEST,
            f"the query must be {_charset_name(charset)} text: byte 0x{body[exc.start]:02X} "
            f"at position {exc.start + 1} of the body is not {_charset_name(charset)} "
            "(save or send the query as UTF-8)",
        ) from None


__all__ = [
    "DeadlineReader",
    "RefusedRequest",
    "declared_charset",
    "decode_text",
    "parse_params",
]
