// Makes the redactor's name lexicon (core/data/given-names.txt, surnames.txt) from the person
// data of every locale of @faker-js/faker (MIT licence; see core/data/NOTICE). Run by hand when
// updating it; the lists are committed, so neither the app nor its build needs npm for them:
//
//   npm pack @faker-js/faker@10.6.0 && tar xzf faker-js-faker-10.6.0.tgz
//   node scripts/names-lexicon.mjs package
//
// Kept: words in Latin script, capitalised, two letters or more (one name per line, sorted);
// a multi-word name gives each of its capitalised words.
import { readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const pkg = resolve(process.argv[2] ?? "package");
const dir = join(pkg, "dist", "locale");
const locales = readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3));
const given = new Set();
const surnames = new Set();

function add(set, value) {
  const all = Array.isArray(value) ? value : Object.values(value ?? {}).flat();
  for (const s of all) {
    if (typeof s !== "string") continue;
    for (const w of s.split(/\s+/)) {
      if (/^\p{Lu}[\p{L}'’-]+$/u.test(w) && /^[\p{Script=Latin}'’-]+$/u.test(w)) set.add(w);
    }
  }
}

for (const loc of locales) {
  const m = await import(join(dir, `${loc}.js`));
  const def = Object.values(m).find((x) => x && x.rawDefinitions)?.rawDefinitions;
  const person = def?.person;
  if (!person) continue;
  add(given, person.first_name);
  add(surnames, person.last_name);
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
