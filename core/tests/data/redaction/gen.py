#!/usr/bin/env python3
"""Makes a redaction corpus from a set's templates and values (see README.md here).

    python3 gen.py test     # reads test.templates and test.values, writes test.txt

Each template line is `lang<TAB>text` with slots `{slot}`; each slot takes values from the set's
`[slot]` section (or a computed one: IBANs, BSNs, INSEE numbers, ISBNs with valid check digits).
Each output line is `lang<TAB>text` with every slot marked `⟦KIND|value⟧`: the kind of personal
detail it is, or KEEP for reference content that must stay. Deterministic: a fixed seed per set.
"""
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent

# Slot families -> the kind marked in the corpus (a slot may end in _<lang> or a digit).
KINDS = {
    "first": "NAME", "last": "NAME", "full": "NAME", "friend": "NAME",
    "email": "EMAIL", "email_obf": "EMAIL",
    "phone": "PHONE",
    "addr": "ADDRESS", "postcode": "ADDRESS",
    "card": "CARD", "cardbare": "CARD",
    "id": "ID", "student": "ID", "iban": "ID", "nino": "ID", "bsn": "ID", "insee": "ID", "tckn": "ID",
    "dob": "DOB",
    "creditcard": "CREDITCARD",
    "ip": "IP",
    "url_private": "URL",
    "handle": "USER", "login": "USER", "profile": "USER",
    "password": "PASSWORD",
}


def kind_of(slot):
    base = re.sub(r"(_[a-z]{2}|\d+)$", "", slot)
    if base in KINDS:
        return KINDS[base]
    base2 = re.sub(r"_[a-z]{2}$", "", base)
    return KINDS.get(base2, "KEEP")


def read_values(path):
    values, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line.strip())
        if m:
            current = m.group(1)
            values.setdefault(current, [])
        else:
            values[current].append(line.strip())
    return values


def iban(rng, country, bban_len, letters=0):
    bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(letters))
    bban += "".join(rng.choice("0123456789") for _ in range(bban_len - letters))
    moved = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in moved))
    check = 98 - number % 97
    s = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def bsn(rng):
    while True:
        d = [rng.randrange(10) for _ in range(8)]
        if d[0] == 0:
            continue
        total = sum(w * x for w, x in zip(range(9, 1, -1), d))
        last = total % 11
        if last < 10:
            return "".join(map(str, d + [last]))


def insee(rng):
    sex = rng.choice("12")
    yy, mm = rng.randrange(60, 100), rng.randrange(1, 13)
    dept = rng.choice(["75", "69", "13", "33", "59", "44"])
    commune, order = rng.randrange(1, 999), rng.randrange(1, 999)
    number = f"{sex}{yy:02d}{mm:02d}{dept}{commune:03d}{order:03d}"
    key = 97 - int(number) % 97
    if rng.random() < 0.5:
        return f"{number[0]} {number[1:3]} {number[3:5]} {number[5:7]} {number[7:10]} {number[10:13]} {key:02d}"
    return f"{number}{key:02d}"


def tckn(rng):
    d = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(8)]
    d10 = ((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10
    d11 = (sum(d) + d10) % 10
    return "".join(map(str, d + [d10, d11]))


def isbn13(rng):
    d = [9, 7, rng.choice([8, 9])] + [rng.randrange(10) for _ in range(9)]
    check = (10 - sum(x * (1 if i % 2 == 0 else 3) for i, x in enumerate(d)) % 10) % 10
    s = "".join(map(str, d + [check]))
    return rng.choice([s, f"{s[:3]}-{s[3]}-{s[4:8]}-{s[8:12]}-{s[12]}"])


def issn(rng):
    d = [rng.randrange(10) for _ in range(7)]
    total = sum(x * w for x, w in zip(d, range(8, 1, -1)))
    c = (11 - total % 11) % 11
    return "".join(map(str, d[:4])) + "-" + "".join(map(str, d[4:])) + ("X" if c == 10 else str(c))


COMPUTED = {
    "iban_nl": lambda r: iban(r, "NL", 14, 4),
    "iban_de": lambda r: iban(r, "DE", 18),
    "iban_fr": lambda r: iban(r, "FR", 23),
    "iban_es": lambda r: iban(r, "ES", 20),
    "iban_gb": lambda r: iban(r, "GB", 18, 4),
    "iban_tr": lambda r: iban(r, "TR", 22),
    "bsn": bsn,
    "insee": insee,
    "tckn": tckn,
    "isbn": isbn13,
    "issn": issn,
}


def fill(template, values, rng):
    def one(m):
        slot = m.group(1)
        if slot in COMPUTED:
            value = COMPUTED[slot](rng)
        elif slot.endswith("_lc") and slot not in values:
            # The same values typed in lower case, as many patrons type names.
            value = rng.choice(values[slot[:-3]]).lower()
        else:
            if slot not in values:
                sys.exit(f"no values for {{{slot}}} in: {template}")
            value = rng.choice(values[slot])
        return f"⟦{kind_of(slot)}|{value}⟧"
    return re.sub(r"\{(\w+)\}", one, template)


def main():
    name = sys.argv[1]
    per_template = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rng = random.Random(f"refdesk-{name}")
    values = read_values(HERE / f"{name}.values")
    out, seen = [], set()
    for line in (HERE / f"{name}.templates").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, template = line.split("\t", 1)
        n = per_template if "{" in template else 1
        for _ in range(n * 3):
            if n == 0:
                break
            made = fill(template, values, rng)
            if made not in seen:
                seen.add(made)
                out.append(f"{lang}\t{made}")
                n -= 1
    header = f"# Made by gen.py from {name}.templates and {name}.values; do not edit by hand.\n"
    (HERE / f"{name}.txt").write_text(header + "\n".join(out) + "\n", encoding="utf-8")
    print(f"{name}.txt: {len(out)} lines")


if __name__ == "__main__":
    main()
