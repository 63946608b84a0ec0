"""The app icons Teams requires, drawn in pure Python: a 192x192 colour icon and a
32x32 outline icon (white on transparent only). Generated, so no binaries to keep."""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from functools import cache

Pixel = tuple[int, int, int, int]
ACCENT_RGB = (0x1F, 0x5F, 0xAF)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
# A check mark in unit coordinates: two strokes.
CHECK = [((0.24, 0.52), (0.43, 0.71)), ((0.43, 0.71), (0.78, 0.31))]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """A minimal valid RGBA PNG (8 bits per channel, no interlace)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _on_check(x: int, y: int, size: int, width: float) -> bool:
    px, py = (x + 0.5) / size, (y + 0.5) / size
    return any(_distance(px, py, a, b) <= width for a, b in CHECK)


@cache  # pure, and ~0.2 s of Python per drawing
def color_icon(size: int = 192) -> bytes:
    return png(
        size, size, lambda x, y: WHITE if _on_check(x, y, size, 0.06) else (*ACCENT_RGB, 255)
    )


@cache
def outline_icon(size: int = 32) -> bytes:
    return png(size, size, lambda x, y: WHITE if _on_check(x, y, size, 0.07) else CLEAR)
