#!/usr/bin/env python3
"""Draws Refdesk's tray icons and the app icon's source image as PNGs (stdlib only); run
scripts/make-icons.sh (which calls this) after changing a shape.

Tray states differ by shape as well as colour, so they read without colour vision:
available = filled disc, with-patron = disc with a bar, away = crescent, offline = hollow ring.
Each has a "-waiting" twin with a badge in the top-right corner: an IM is waiting for a librarian.
"""
import math
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "icons")
SS = 4  # supersampling factor for anti-aliased edges


def png(path, size, shade):
    """shade(x, y) -> (r, g, b, a) for x, y in [0, 1); averaged over SS*SS samples."""
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    r, g, b, a = shade((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = SS * SS
            alpha = acc[3] / n
            if alpha > 0:
                row += bytes(round(acc[i] / acc[3]) for i in range(3)) + bytes([round(alpha * 255)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)))
        f.write(chunk(b"IDAT", raw))
        f.write(chunk(b"IEND", b""))


CLEAR = (0, 0, 0, 0)


def disc(x, y, cx=0.5, cy=0.5, r=0.42):
    return math.hypot(x - cx, y - cy) <= r


def tray_available(x, y):
    return (46, 160, 67, 1) if disc(x, y) else CLEAR


def tray_with_patron(x, y):
    if not disc(x, y):
        return CLEAR
    if abs(y - 0.5) < 0.09 and abs(x - 0.5) < 0.27:
        return (255, 255, 255, 1)
    return (207, 58, 36, 1)


def tray_away(x, y):
    if disc(x, y) and not disc(x, y, cx=0.68, cy=0.36, r=0.34):
        return (214, 158, 24, 1)
    return CLEAR


def tray_offline(x, y):
    d = math.hypot(x - 0.5, y - 0.5)
    return (128, 128, 128, 1) if 0.28 <= d <= 0.42 else CLEAR


def with_badge(shade):
    """The same icon with a blue badge ringed in white at the top right."""

    def badged(x, y):
        d = math.hypot(x - 0.78, y - 0.22)
        if d <= 0.17:
            return (30, 90, 170, 1)
        if d <= 0.23:
            return (255, 255, 255, 1)
        return shade(x, y)

    return badged


def app(x, y):
    # Rounded square in library blue with a white speech bubble.
    m, rad = 0.06, 0.18
    qx = min(max(x, m + rad), 1 - m - rad)
    qy = min(max(y, m + rad), 1 - m - rad)
    if math.hypot(x - qx, y - qy) > rad:
        return CLEAR
    bubble = ((x - 0.5) / 0.30) ** 2 + ((y - 0.45) / 0.22) ** 2 <= 1
    tail = 0.30 <= x <= 0.42 and 0.60 <= y <= 0.78 and (x - 0.30) <= (0.78 - y) * 0.7
    if bubble or tail:
        return (255, 255, 255, 1)
    return (30, 90, 170, 1)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, shade in [
        ("tray-available", tray_available),
        ("tray-with-patron", tray_with_patron),
        ("tray-away", tray_away),
        ("tray-offline", tray_offline),
    ]:
        png(os.path.join(OUT, name + ".png"), 64, shade)
        png(os.path.join(OUT, name + "-waiting.png"), 64, with_badge(shade))
    # The one source of the app icon; scripts/make-icons.sh makes every OS's sizes and formats from it.
    png(os.path.join(OUT, "app-icon.png"), 1024, app)


if __name__ == "__main__":
    main()
