"""Adds the person names of Python Faker (MIT licence; see core/data/NOTICE) that the lists made by
scripts/names-lexicon.mjs lack: core/data/given-names-more.txt and surnames-more.txt. Python Faker
has locales @faker-js/faker has not (English as written in India, Pakistan, Kenya and Nigeria;
Yoruba, Igbo, Hausa, Twi, Swahili, Zulu; Irish; Icelandic) and the romanized names of its Chinese
and Japanese locales. Run by hand after names-lexicon.mjs; the lists are committed:

    pip download --no-deps Faker==40.63.0 && unzip -q faker-40.63.0-py3-none-any.whl -d faker-wheel
    python3 scripts/names-lexicon-python.py faker-wheel

Kept as in names-lexicon.mjs: words in Latin script, two letters or more, capitalised; a word in
capitals ("CHIA-JUNG", the Taiwanese romanization) is written capitalised ("Chia-Jung"). Left out:
a word that is common in a language patrons write (wordfreq's Zipf frequency 4.0 or more, about
once in 100,000 words, in English, Dutch, Spanish, French, German, Turkish or Swedish), unless it
is hyphenated. Python Faker's lists hold words such as "Sie", "Aus", "Bien", "Times", "Passwort"
as names; this also drops some real names ("Jürgen", "Henk"), which is the side to err on for
a list that adds to another. wordfreq 3.1.1 (`pip install wordfreq==3.1.1`) is only needed here.
"""

import importlib
import pathlib
import re
import sys

from wordfreq import zipf_frequency

LANGUAGES = ["en", "nl", "es", "fr", "de", "tr", "sv"]

LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’-]+$")
DATA = pathlib.Path(__file__).resolve().parent.parent / "core" / "data"


def words(values):
    for value in values.keys() if isinstance(values, dict) else values:
        for word in str(value).split():
            if not LATIN.match(word) or len(word) < 2:
                continue
            if word.isupper():
                word = "-".join(part.capitalize() for part in word.split("-"))
            if word[0].isupper():
                yield word


def common_word(name):
    return max(zipf_frequency(name.lower(), lang) for lang in LANGUAGES) >= 4.0


def names_of(provider, prefixes):
    found = set()
    for attr, values in vars(provider).items():
        if attr.startswith(prefixes) and isinstance(values, (tuple, list, dict, set)):
            found.update(words(values))
    return found


def main(wheel):
    sys.path.insert(0, wheel)
    faker = importlib.import_module("faker")
    base = pathlib.Path(faker.__file__).parent / "providers" / "person"
    given, surnames = set(), set()
    for locale in sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("_")):
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        given |= names_of(provider, ("first_name", "first_romanized_name", "romanized_first_name"))
        surnames |= names_of(provider, ("last_name", "last_romanized_name", "romanized_last_name"))
    version = faker.VERSION
    for first, more, found, what in [
        ("given-names.txt", "given-names-more.txt", given, "given names"),
        ("surnames.txt", "surnames-more.txt", surnames, "surnames"),
    ]:
        known = set((DATA / first).read_text(encoding="utf-8").splitlines())
        new = sorted(n for n in found - known if "-" in n or not common_word(n))
        head = f"# {what} from Python Faker {version} (MIT) that {first} lacks; made by scripts/names-lexicon-python.py\n"
        (DATA / more).write_text(head + "\n".join(new) + "\n", encoding="utf-8")
        print(f"{more}: {len(new)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "faker-wheel")
