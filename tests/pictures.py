"""Real, small PNG images and a minimal PDF, written in pure Python (zlib and struct), for tests.

The demo catalog's pictures under recipes/images/ were drawn with :func:`silhouette`; tests draw their
own with :func:`png`, each with distinct bytes (``seed``) so that every image hashes differently.
Nothing here is a test; it is imported by the tests that need files.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Colour = tuple[int, int, int]
Shade = Callable[[int, int], Colour]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode_png(width: int, height: int, shade: Shade) -> bytes:
    """An 8-bit RGB PNG whose pixel (x, y) has the colour ``shade(x, y)``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(shade(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def png(seed: int = 0, size: int = 8) -> bytes:
    """A small square PNG whose bytes differ for every ``seed``."""
    colour = ((seed * 67) % 256, (seed * 131) % 256, (seed // 256) % 256)
    return encode_png(size, size, lambda x, y: colour if (x + y) % 2 else (255, 255, 255))


def write_png(path: Path, seed: int = 0, size: int = 8) -> bytes:
    """Write :func:`png` to ``path`` (folders created); the bytes written."""
    data = png(seed, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def silhouette(width: int, height: int, body: Colour, background: Colour, shape: str) -> bytes:
    """A flat product picture: a ``shape`` (tee, hoodie, cap, mug, tote, candle, throw, socks, beanie,
    book) in ``body`` on ``background``, with a soft floor shadow."""
    inside = _SHAPES[shape]
    shadow = tuple(max(0, c - 28) for c in background)

    def shade(x: int, y: int) -> Colour:
        u, v = x / width, y / height
        if inside(u, v):
            return body
        if 0.86 < v < 0.9 and 0.25 < u < 0.75:
            return (shadow[0], shadow[1], shadow[2])
        return background

    return encode_png(width, height, shade)


def _tee(u: float, v: float) -> bool:
    torso = 0.3 < u < 0.7 and 0.22 < v < 0.85
    sleeves = 0.15 < u < 0.85 and 0.22 < v < 0.42 and abs(u - 0.5) < 0.35 - (v - 0.22)
    neck = (u - 0.5) ** 2 + (v - 0.2) ** 2 < 0.006
    return (torso or sleeves) and not neck


def _hoodie(u: float, v: float) -> bool:
    hood = (u - 0.5) ** 2 / 0.018 + (v - 0.26) ** 2 / 0.012 < 1
    body = 0.29 < u < 0.71 and 0.3 < v < 0.85
    sleeves = 0.15 < u < 0.85 and 0.3 < v < 0.78 and abs(u - 0.5) < 0.35 - (v - 0.3) * 0.15
    pocket_edge = 0.38 < u < 0.62 and 0.64 < v < 0.655
    return (hood or body or sleeves) and not pocket_edge


def _cap(u: float, v: float) -> bool:
    crown = (u - 0.5) ** 2 / 0.09 + (v - 0.6) ** 2 / 0.06 < 1 and v < 0.6
    brim = 0.5 < u < 0.9 and 0.58 < v < 0.66
    return crown or brim


def _mug(u: float, v: float) -> bool:
    body = 0.28 < u < 0.62 and 0.32 < v < 0.82
    ring = 0.006 < (u - 0.62) ** 2 + (v - 0.56) ** 2 < 0.014 and u > 0.62
    return body or ring


def _tote(u: float, v: float) -> bool:
    bag = 0.25 < u < 0.75 and 0.42 < v < 0.85
    handle = 0.035 < (u - 0.5) ** 2 + (v - 0.42) ** 2 < 0.05 and v < 0.42
    return bag or handle


def _candle(u: float, v: float) -> bool:
    jar = 0.34 < u < 0.66 and 0.45 < v < 0.84
    flame = (u - 0.5) ** 2 / 0.0015 + (v - 0.36) ** 2 / 0.006 < 1
    return jar or flame


def _throw(u: float, v: float) -> bool:
    folded = 0.18 < u < 0.82 and 0.4 < v < 0.82
    stripes = folded and int(v * 40) % 4 == 0
    return folded and not stripes


def _socks(u: float, v: float) -> bool:
    leg = 0.36 < u < 0.52 and 0.18 < v < 0.66
    foot = 0.36 < u < 0.72 and 0.6 < v < 0.76
    return leg or foot


def _beanie(u: float, v: float) -> bool:
    dome = (u - 0.5) ** 2 / 0.08 + (v - 0.6) ** 2 / 0.1 < 1 and v < 0.6
    cuff = 0.22 < u < 0.78 and 0.58 < v < 0.72
    ribs = cuff and int(u * 50) % 3 == 0
    return (dome or cuff) and not ribs


def _book(u: float, v: float) -> bool:
    cover = 0.3 < u < 0.7 and 0.2 < v < 0.82
    spine = 0.3 < u < 0.34
    return cover and not spine


_SHAPES: dict[str, Callable[[float, float], bool]] = {
    "tee": _tee,
    "hoodie": _hoodie,
    "cap": _cap,
    "mug": _mug,
    "tote": _tote,
    "candle": _candle,
    "throw": _throw,
    "socks": _socks,
    "beanie": _beanie,
    "book": _book,
}


def weave(width: int, height: int, body: Colour, background: Colour, step: int = 6) -> bytes:
    """A close-up of a fabric: a two-tone basket weave in ``body``, for "detail" pictures."""
    light = (
        (body[0] + background[0]) // 2,
        (body[1] + background[1]) // 2,
        (body[2] + background[2]) // 2,
    )

    def shade(x: int, y: int) -> Colour:
        warp = (x // step + y // (step * 2)) % 2
        return body if warp else light

    return encode_png(width, height, shade)


def minimal_pdf(title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF 1.4 showing ``title`` and ``lines`` in Helvetica, with a correct xref table."""

    def escaped(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = [f"BT /F1 20 Tf 72 760 Td ({escaped(title)}) Tj ET"]
    for i, line in enumerate(lines):
        body.append(f"BT /F1 11 Tf 72 {730 - 16 * i} Td ({escaped(line)}) Tj ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
