"""Adds the person names of Python Faker (MIT licence; see core/data/NOTICE) that the lists made by
scripts/names-lexicon.mjs lack: core/data/given-names-more.txt and surnames-more.txt. Python Faker
has locales @faker-js/faker has not (English as written in India, Pakistan, Kenya and Nigeria;
Yoruba, Igbo, Hausa, Twi, Swahili, Zulu; Irish; Icelandic) and the romanized names of its Chinese
and Japanese locales. Run by hand after names-lexicon.mjs; the lists are committed:

    pip download --no-deps Faker==40.63.0 && unzip -q faker-40.63.0-py3-none-any.whl -d faker-wheel
    python3 scripts/names-lexicon-python.py faker-wheel

Kept as in names-lexicon.mjs: words in Latin script, two letters or more, capitalised; a word in
capitals ("CHIA-JUNG", the Taiwanese romanization) is written capitalised ("Chia-Jung").

Python Faker's lists also hold ordinary words as names ("Sie", "Aus", "Bien", "Times", "Add"), so
a name is left out when it is an ordinary word in a language patrons write here, as Hunspell's
dictionaries tell (Debian's hunspell-en-us, -en-gb, -nl, -es, -fr, -de-de, -sv, -tr; used only
here) and is frequent in that language (wordfreq 3.1.1, Zipf 3.5 or more, since affix rules
alone take rare forms: "landon" in Turkish): its lower-case form is a word of one of them
("times", "sie", "bien"); or, German nouns being capitalised, the German dictionary takes it as
written and no German locale of Faker lists it as a name ("Passwort"); or it is a frequent English proper noun (the English dictionaries take
it capitalised, wordfreq 3.1.1 gives it a Zipf frequency of 4.0 or more in English: "Spain",
"Boston"). Names common as names stay ("Ayşe", "Jürgen", "Hatice"), which an earlier version,
using word frequency alone, dropped.

    apt-get install hunspell hunspell-en-us hunspell-en-gb hunspell-nl hunspell-es hunspell-fr \
        hunspell-de-de hunspell-sv hunspell-tr && pip install wordfreq==3.1.1
"""

import importlib
import pathlib
import re
import sys

import subprocess

from wordfreq import zipf_frequency

# Places and words the tests above let through, read by eye from what they added: dictionaries
# hold places as they hold names, and a German noun a German locale lists as a surname is still a
# noun in a German line ("Freitag", "Schuh").
NOT_NAMES = set(
    """Alger América Bali Dijon Grecia Kalmar Liban Tex Türkmen Uludağ Bilbao Drenthe Emmen Engeland
    España Gent Haarlem Heerenveen Leuven Limburg Londra Lyon Parijs Rijn Sakarya Santander Savoie
    Vlaanderen Akdeniz Karadeniz Baum Fisch Glück Salz Schatz Schuh Sturm Scheibe Freitag Prinz""".split()
)

# Each dictionary with its language for wordfreq.
DICTIONARIES = {"en_US": "en", "en_GB": "en", "nl": "nl", "es_ES": "es", "fr_FR": "fr", "de_DE": "de", "sv_SE": "sv", "tr_TR": "tr"}

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


def accepted(words, dictionary):
    """The words Hunspell's `dictionary` takes as correctly spelled."""
    out = subprocess.run(
        ["hunspell", "-d", dictionary, "-G"], input="\n".join(words), capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def ordinary_words(names, german_names, east_asian):
    """The names in `names` that are ordinary words (see the module's doc). The romanized names of
    the Chinese, Japanese, Korean and Vietnamese locales are only asked of the English dictionaries:
    a syllable such as "Wei" or "Jun" is a word somewhere else, rarely in a patron's chat."""
    lower = {n.lower() for n in names}
    east_lower = {n.lower() for n in east_asian}
    ordinary_lower = set()
    for dictionary, language in DICTIONARIES.items():
        words = {w for w in accepted(lower, dictionary) if frequent(w, language)}
        # Asked of English only, and only as often as a common word (4.0: "he", "long", "sun";
        # not "jun").
        east = {w for w in words & east_lower if language == "en" and zipf_frequency(w, "en") >= 4.0}
        ordinary_lower |= (words - east_lower) | east
    german_nouns = {w for w in accepted(names, "de_DE") - german_names if frequent(w.lower(), "de")}
    english_proper = accepted(names, "en_US") | accepted(names, "en_GB")
    return {
        n
        for n in names
        if n.lower() in ordinary_lower
        or n in german_nouns
        or (n in english_proper and zipf_frequency(n.lower(), "en") >= 4.0)
    }


def frequent(word, language):
    """Used often enough in `language` to matter: a dictionary's affix rules alone also take rare
    forms ("landon" in Turkish, "murad" in Spanish)."""
    return zipf_frequency(word, language) >= 3.5


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
    # The names German locales list: a German noun is no name unless one of them does.
    german = {"given names": set(), "surnames": set()}
    east_asian = {"given names": set(), "surnames": set()}
    for locale in sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("_")):
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first = names_of(provider, ("first_name", "first_romanized_name", "romanized_first_name"))
        last = names_of(provider, ("last_name", "last_romanized_name", "romanized_last_name"))
        given |= first
        surnames |= last
        for by_language, prefixes in [(german, ("de_",)), (east_asian, ("zh_", "ja_", "ko_", "vi_"))]:
            if locale.startswith(prefixes):
                by_language["given names"] |= first
                by_language["surnames"] |= last
    version = faker.VERSION
    for first, more, found, what in [
        ("given-names.txt", "given-names-more.txt", given, "given names"),
        ("surnames.txt", "surnames-more.txt", surnames, "surnames"),
    ]:
        known = set((DATA / first).read_text(encoding="utf-8").splitlines())
        candidates = {n for n in found if n not in known}
        ordinary = ordinary_words(candidates, german[what], east_asian[what])
        new = sorted(n for n in candidates if ("-" in n or n not in ordinary) and n not in NOT_NAMES)
        head = f"# {what} from Python Faker {version} (MIT) that {first} lacks; made by scripts/names-lexicon-python.py\n"
        (DATA / more).write_text(head + "\n".join(new) + "\n", encoding="utf-8")
        print(f"{more}: {len(new)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "faker-wheel")
