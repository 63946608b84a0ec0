"""Which text encoding an import file is in. Files come from ERP exports and Excel:
UTF-8 (with or without a byte-order mark), UTF-16 with a mark ("Unicode text"), and
Windows-1252 ("CSV" from a Western-European Excel), which is tried last since any
UTF-8 file would also decode as it, wrongly."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

_CHUNK = 1 << 20
_MARKS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
FALLBACK = "cp1252"


class UnknownEncoding(ValueError):
    pass


def check_encoding(name: str) -> str:
    """`--encoding` as given, if Python knows it; a UTF-8 name also skips a BOM."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise UnknownEncoding(f"unknown encoding '{name}'; try utf-8, utf-16 or cp1252") from None
    return "utf-8-sig" if canonical == "utf-8" else canonical


def detect_encoding(path: Path) -> str:
    """The byte-order mark's encoding; else UTF-8 if the whole file decodes as UTF-8;
    else Windows-1252."""
    with path.open("rb") as handle:
        head = handle.read(4)
        for mark, name in _MARKS:
            if head.startswith(mark):
                return name
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return FALLBACK
    return "utf-8"


def decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines (with their endings), decoded line by line: bytes that do not
    decode raise at their own line, after every line before them was handed out (a
    buffered text stream would fail up to 8 KB earlier and lose those lines)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    pending = ""
    with path.open("rb") as handle:
        for chunk in handle:  # split at b"\n": for UTF-16 mid-character, the decoder waits
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n")
            for line in complete:
                yield line + "\n"
        pending += decoder.decode(b"", final=True)
    yield from (line + "\n" for line in pending.split("\n")[:-1])
    if pending.split("\n")[-1]:
        yield pending.split("\n")[-1]
