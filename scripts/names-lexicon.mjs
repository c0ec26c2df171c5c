// Makes the redactor's name lexicon (core/data/given-names.txt, surnames.txt) from the person
// data of every locale of @faker-js/faker (MIT licence; see core/data/NOTICE). Run by hand when
// updating it; the lists are committed, so neither the app nor its build needs npm for them:
//
//   npm pack @faker-js/faker@10.6.0 && tar xzf faker-js-faker-10.6.0.tgz
//   node scripts/names-lexicon.mjs package
//
// Kept: words in Latin script, capitalised, two letters or more (one name per line, sorted);
// a multi-word name gives each of its capitalised words. Names in Cyrillic (Russian, Ukrainian,
// Macedonian) and Greek are kept too, in the Latin spellings their bearers use abroad
// ("Оксана" → "Oksana", "Дмитрий" → "Dmitriy", "Dmitry", "Dmitri"; "Γιώργος" → "Giorgos").
import { readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const pkg = resolve(process.argv[2] ?? "package");
const dir = join(pkg, "dist", "locale");
const locales = readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3));
const given = new Set();
const surnames = new Set();

const CYRILLIC = {
  а: "a", б: "b", в: "v", г: "g", ґ: "g", д: "d", е: "e", ё: "yo", є: "ye", ж: "zh", з: "z", и: "i", і: "i",
  ї: "yi", й: "y", к: "k", л: "l", м: "m", н: "n", о: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f",
  х: "kh", ц: "ts", ч: "ch", ш: "sh", щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya", "'": "",
  ѓ: "gj", ѕ: "dz", ј: "j", љ: "lj", њ: "nj", ќ: "kj", џ: "dzh",
};
// Ukrainian spells г, и as h, y ("Olha", "Mykola").
const UKRAINIAN = { ...CYRILLIC, г: "h", и: "y" };
const GREEK_PAIRS = { ου: "ou", αι: "ai", ει: "ei", οι: "oi", αυ: "av", ευ: "ev", γγ: "ng", μπ: "b", ντ: "nt", γκ: "g" };
const GREEK = {
  α: "a", β: "v", γ: "g", δ: "d", ε: "e", ζ: "z", η: "i", θ: "th", ι: "i", κ: "k", λ: "l", μ: "m", ν: "n",
  ξ: "x", ο: "o", π: "p", ρ: "r", σ: "s", ς: "s", τ: "t", υ: "y", φ: "f", χ: "ch", ψ: "ps", ω: "o",
};

// The Latin spellings of a name in Cyrillic or Greek; the name itself if it is in Latin script.
function latin(word, locale) {
  if (/^[\p{Script=Latin}'’-]+$/u.test(word)) return [word];
  const lower = word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  let out = "";
  if (/^[\p{Script=Greek}]+$/u.test(lower)) {
    for (let i = 0; i < lower.length; i++) {
      const pair = GREEK_PAIRS[lower.slice(i, i + 2)];
      if (pair) {
        out += pair;
        i++;
      } else if (GREEK[lower[i]] !== undefined) out += GREEK[lower[i]];
      else return [];
    }
  } else if (/^[\p{Script=Cyrillic}']+$/u.test(lower)) {
    const table = locale === "uk" ? UKRAINIAN : CYRILLIC;
    for (const c of lower) {
      if (table[c] === undefined) return [];
      out += table[c];
    }
  } else {
    return [];
  }
  const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);
  const forms = new Set([cap(out)]);
  // "-iy" is also written "-y" and "-i" (Dmitriy, Dmitry, Dmitri); "kh" also "h".
  if (out.endsWith("iy")) ["y", "i"].forEach((e) => forms.add(cap(out.slice(0, -2) + e)));
  if (out.includes("kh")) forms.add(cap(out.replaceAll("kh", "h")));
  return [...forms];
}

function add(set, value, locale) {
  const all = Array.isArray(value) ? value : Object.values(value ?? {}).flat();
  for (const s of all) {
    if (typeof s !== "string") continue;
    for (const raw of s.split(/\s+/)) {
      for (const w of latin(raw, locale)) {
        if (/^\p{Lu}[\p{L}'’-]+$/u.test(w) && /^[\p{Script=Latin}'’-]+$/u.test(w)) set.add(w);
      }
    }
  }
}

for (const loc of locales) {
  const m = await import(join(dir, `${loc}.js`));
  const def = Object.values(m).find((x) => x && x.rawDefinitions)?.rawDefinitions;
  const person = def?.person;
  if (!person) continue;
  add(given, person.first_name, loc);
  add(surnames, person.last_name, loc);
}

const version = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(join(pkg, "package.json"), "utf8"))).version;
for (const [file, set, what] of [
  ["given-names.txt", given, "given names"],
  ["surnames.txt", surnames, "surnames"],
]) {
  const head = `# ${what} from @faker-js/faker ${version} (MIT), all locales; made by scripts/names-lexicon.mjs\n`;
  writeFileSync(new URL(`../core/data/${file}`, import.meta.url), head + [...set].sort().join("\n") + "\n");
  console.log(`${file}: ${set.size}`);
}
