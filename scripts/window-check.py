#!/usr/bin/python3
"""Reads what Refdesk's window shows, as a screen reader hears it (the AT-SPI accessibility tree of
the app and its web view), waits for it to show what is asked, and takes a screenshot of the X
display. Used by scripts/test-run.sh to check the run command from outside, as a person would.

usage: window-check.py [--timeout SECS] [--app NAME] [--screenshot PNG] [--text TEXT]... [--tab TEXT]...
  --text TEXT   some element's name or text contains TEXT (e.g. "ask@library.test: online")
  --tab TEXT    a push button (a conversation tab) whose name contains TEXT
Needs DISPLAY and DBUS_SESSION_BUS_ADDRESS of the app's session. Prints what it found; exits 1 with
the first thing not shown by the deadline, 2 if the app never appeared on the accessibility bus.
"""
import argparse
import struct
import sys
import time
import zlib


EMBEDDED = "\ufffc"


def flat_text(node, depth=0):
    """A node's text with each embedded child (U+FFFC, e.g. a <bdi> inside a <span>) replaced by that
    child's own text, so "<bdi>ask@x</bdi>: online" reads as one string, as a screen reader says it."""
    try:
        t = node.queryText()
        text = t.getText(0, min(t.characterCount, 2000))
    except NotImplementedError:
        return node.name or ""
    if EMBEDDED not in text or depth > 8:
        return text
    children = [c for c in node if c is not None]
    parts = text.split(EMBEDDED)
    out = parts[0]
    for i, rest in enumerate(parts[1:]):
        out += (flat_text(children[i], depth + 1) if i < len(children) else "") + rest
    return out


def tree_text(app):
    """(role, name + text) of every node under `app`, depth first; a node that vanishes is skipped."""
    out = []
    stack = [app]
    while stack:
        node = stack.pop()
        try:
            role = node.getRoleName()
            name = node.name or ""
            text = flat_text(node)
            out.append((role, name if text == name else f"{name} {text}".strip()))
            stack.extend(c for c in node if c is not None)
        except Exception:  # the page re-renders while it is read: that node is gone, read on
            continue
    return out


def find_app(pyatspi, name):
    for app in pyatspi.Registry.getDesktop(0):
        try:
            if app is not None and app.name == name:
                return app
        except Exception:
            continue
    return None


def screenshot(path):
    """The whole X screen as an RGB PNG (python-xlib reads it; zlib writes it)."""
    from Xlib import X, display

    d = display.Display()
    root = d.screen().root
    geo = root.get_geometry()
    w, h = geo.width, geo.height
    raw = root.get_image(0, 0, w, h, X.ZPixmap, 0xFFFFFFFF).data
    rows = bytearray()
    for y in range(h):
        rows.append(0)
        line = raw[y * w * 4 : (y + 1) * w * 4]
        px = bytearray(w * 3)
        px[0::3] = line[2::4]
        px[1::3] = line[1::4]
        px[2::3] = line[0::4]
        rows += px

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--app", default="refdesk")
    ap.add_argument("--screenshot")
    ap.add_argument("--text", action="append", default=[])
    ap.add_argument("--tab", action="append", default=[])
    args = ap.parse_args()

    import pyatspi

    deadline = time.monotonic() + args.timeout
    app = None
    while app is None and time.monotonic() < deadline:
        app = find_app(pyatspi, args.app)
        if app is None:
            time.sleep(1)
    if app is None:
        print(f"window-check: no application named {args.app!r} on the accessibility bus", file=sys.stderr)
        return 2

    wanted = [("text", t) for t in args.text] + [("tab", t) for t in args.tab]
    found = {}
    nodes = []
    while True:
        nodes = tree_text(app)
        for kind, want in wanted:
            if (kind, want) in found:
                continue
            for role, text in nodes:
                if want in text and (kind == "text" or role in ("push button", "button")):
                    found[(kind, want)] = text
                    print(f"window-check: shown: {kind} {want!r} ({role}: {text[:120]!r})")
                    break
        if len(found) == len(wanted) or time.monotonic() >= deadline:
            break
        time.sleep(1)
    if args.screenshot:
        try:
            screenshot(args.screenshot)
            print(f"window-check: screenshot {args.screenshot}")
        except Exception as e:  # a missing picture is reported, not a reason to hide the result
            print(f"window-check: no screenshot: {e}", file=sys.stderr)
    missing = [(k, w) for k, w in wanted if (k, w) not in found]
    if missing:
        kind, want = missing[0]
        what = "a tab (button) containing" if kind == "tab" else "the text"
        print(f"window-check: the window never showed {what} {want!r} within {args.timeout:.0f} s", file=sys.stderr)
        buttons = [t for r, t in nodes if r in ("push button", "button")][:20]
        print(f"window-check: buttons it showed: {buttons}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
