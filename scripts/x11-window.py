#!/usr/bin/python3
"""Acts on a top-level X11 window by title, as a window manager would, for end-to-end tests.

usage: x11-window.py close TITLE     ask the window to close (WM_DELETE_WINDOW), like its close button
       x11-window.py state TITLE     print "visible", "hidden" or "absent"
"""
import sys

from Xlib import X, display, protocol


def windows(d, title):
    root = d.screen().root
    net_name = d.intern_atom("_NET_WM_NAME")
    utf8 = d.intern_atom("UTF8_STRING")
    stack = [root]
    while stack:
        w = stack.pop()
        try:
            children = w.query_tree().children
        except Exception:
            continue
        stack.extend(children)
        try:
            prop = w.get_full_property(net_name, utf8)
            name = prop.value.decode("utf-8", "replace") if prop else w.get_wm_name()
        except Exception:
            continue
        if name == title:
            yield w


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("close", "state"):
        print(__doc__, file=sys.stderr)
        return 2
    action, title = sys.argv[1], sys.argv[2]
    d = display.Display()
    found = list(windows(d, title))
    if action == "state":
        if not found:
            print("absent")
        else:
            viewable = any(w.get_attributes().map_state == X.IsViewable for w in found)
            print("visible" if viewable else "hidden")
        return 0
    if not found:
        print(f"no window titled {title!r}", file=sys.stderr)
        return 1
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    for w in found:
        ev = protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        w.send_event(ev, event_mask=X.NoEventMask)
    d.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
