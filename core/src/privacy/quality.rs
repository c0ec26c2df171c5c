//! How well the redactor does on a marked corpus (`core/tests/data/redaction/`): recall and
//! precision per kind of personal detail, and how much reference content and ordinary text stays.
//!
//! A detail counts as found when every letter and digit of it is covered by findings, whatever
//! their kind (a name redacted as an address is still gone); a finding counts as right when it
//! overlaps a detail of its own kind. A reference (KEEP) is kept when no finding touches it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::redact::{Finding, Kind, Redactor};

/// One marked line: its text as a patron typed it, and the marked spans (byte ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub lang: String,
    pub text: String,
    /// (kind, start, end); `None` is reference content that must stay.
    pub spans: Vec<(Option<Kind>, usize, usize)>,
}

/// The corpus's name for each kind.
fn kind_named(name: &str) -> Result<Option<Kind>, String> {
    Ok(Some(match name {
        "KEEP" => return Ok(None),
        "URL" => Kind::UrlPrivate,
        other => *Kind::ALL.iter().find(|k| k.label() == other).ok_or_else(|| format!("unknown kind {other}"))?,
    }))
}

/// Reads a corpus: `lang<TAB>text` lines with `⟦KIND|value⟧` marks; `#` lines are comments.
pub fn parse(corpus: &str) -> Result<Vec<Marked>, String> {
    let mut out = Vec::new();
    for (n, line) in corpus.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()) {
        let at = |m: String| format!("line {}: {m}", n + 1);
        let (lang, marked) = line.split_once('\t').ok_or_else(|| at("no tab".into()))?;
        let mut text = String::with_capacity(marked.len());
        let mut spans = Vec::new();
        let mut rest = marked;
        while let Some(open) = rest.find('⟦') {
            text.push_str(&rest[..open]);
            let inner = &rest[open + '⟦'.len_utf8()..];
            let close = inner.find('⟧').ok_or_else(|| at("a mark is not closed".into()))?;
            let (kind, value) = inner[..close].split_once('|').ok_or_else(|| at("a mark has no kind".into()))?;
            let start = text.len();
            text.push_str(value);
            spans.push((kind_named(kind).map_err(at)?, start, text.len()));
            rest = &inner[close + '⟧'.len_utf8()..];
        }
        text.push_str(rest);
        out.push(Marked { lang: lang.to_owned(), text, spans });
    }
    Ok(out)
}

/// Counts for one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Details of this kind in the corpus, and how many were found.
    pub details: usize,
    pub found: usize,
    /// Findings of this kind, and how many were on a detail of this kind.
    pub findings: usize,
    pub right: usize,
}

impl Counts {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.details)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.right, self.findings)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// The figures for a corpus.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub lines: usize,
    pub by_kind: BTreeMap<Kind, Counts>,
    /// Reference content (KEEP) in the corpus, and how much was kept.
    pub references: usize,
    pub references_kept: usize,
    /// Words outside any mark, and how many were kept.
    pub words: usize,
    pub words_kept: usize,
    /// Per language: (details, found).
    pub by_lang: BTreeMap<String, (usize, usize)>,
    /// What went wrong, line by line, for reading (not for tuning on a held-out set).
    pub misses: Vec<String>,
}

impl Report {
    pub fn overall(&self) -> Counts {
        self.by_kind.values().fold(Counts::default(), |a, c| Counts {
            details: a.details + c.details,
            found: a.found + c.found,
            findings: a.findings + c.findings,
            right: a.right + c.right,
        })
    }

    pub fn kept(&self) -> f64 {
        ratio(self.references_kept, self.references)
    }

    pub fn words_kept(&self) -> f64 {
        ratio(self.words_kept, self.words)
    }

    /// The figures as the bench prints them.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{} lines", self.lines);
        let _ = writeln!(s, "  {:12} {:>7} {:>7} {:>9} {:>9}", "kind", "recall", "prec.", "details", "findings");
        for (kind, c) in &self.by_kind {
            let _ = writeln!(
                s,
                "  {:12} {:>7.3} {:>7.3} {:>9} {:>9}",
                kind.label(),
                c.recall(),
                c.precision(),
                c.details,
                c.findings
            );
        }
        let o = self.overall();
        let _ =
            writeln!(s, "  {:12} {:>7.3} {:>7.3} {:>9} {:>9}", "ALL", o.recall(), o.precision(), o.details, o.findings);
        let _ = writeln!(
            s,
            "  references kept {:.3} ({} of {}); ordinary words kept {:.3} ({} of {})",
            self.kept(),
            self.references_kept,
            self.references,
            self.words_kept(),
            self.words_kept,
            self.words
        );
        let langs: Vec<String> =
            self.by_lang.iter().map(|(l, (d, f))| format!("{l} {:.3} ({d})", ratio(*f, *d))).collect();
        let _ = writeln!(s, "  recall by language: {}", langs.join(", "));
        s
    }
}

fn covered(findings: &[Finding], text: &str, start: usize, end: usize) -> bool {
    text[start..end].char_indices().filter(|(_, c)| c.is_alphanumeric()).all(|(i, _)| {
        let at = start + i;
        findings.iter().any(|f| f.start <= at && at < f.end)
    })
}

fn overlaps(f: &Finding, start: usize, end: usize) -> bool {
    f.start < end && start < f.end
}

/// Scores `redactor` on `corpus`.
pub fn score(redactor: &Redactor, corpus: &[Marked]) -> Report {
    let mut r = Report { lines: corpus.len(), ..Report::default() };
    for kind in Kind::ALL {
        r.by_kind.insert(kind, Counts::default());
    }
    for line in corpus {
        let findings = redactor.find(&line.text);
        let mut wrong = Vec::new();
        for &(kind, start, end) in &line.spans {
            let value = &line.text[start..end];
            match kind {
                Some(kind) => {
                    let found = covered(&findings, &line.text, start, end);
                    let c = r.by_kind.entry(kind).or_default();
                    c.details += 1;
                    c.found += usize::from(found);
                    let l = r.by_lang.entry(line.lang.clone()).or_default();
                    l.0 += 1;
                    l.1 += usize::from(found);
                    if !found {
                        wrong.push(format!("missed {} {value:?}", kind.label()));
                    }
                }
                None => {
                    r.references += 1;
                    let touched = findings.iter().find(|f| overlaps(f, start, end));
                    match touched {
                        None => r.references_kept += 1,
                        Some(f) => wrong.push(format!("cut reference {value:?} as {}", f.kind.label())),
                    }
                }
            }
        }
        for f in &findings {
            let c = r.by_kind.entry(f.kind).or_default();
            c.findings += 1;
            let right = line.spans.iter().any(|&(k, s, e)| k == Some(f.kind) && overlaps(f, s, e));
            c.right += usize::from(right);
            let on_detail = line.spans.iter().any(|&(k, s, e)| k.is_some() && overlaps(f, s, e));
            if !on_detail {
                wrong.push(format!("false {} {:?}", f.kind.label(), &line.text[f.start..f.end]));
            }
        }
        // Ordinary words: outside every mark.
        let mut at = 0;
        for word in line.text.split(|c: char| !c.is_alphanumeric()) {
            let (start, end) = (at, at + word.len());
            at = end + line.text[end..].chars().next().map_or(0, char::len_utf8);
            if word.is_empty() || line.spans.iter().any(|&(_, s, e)| start < e && s < end) {
                continue;
            }
            r.words += 1;
            r.words_kept += usize::from(!findings.iter().any(|f| overlaps(f, start, end)));
        }
        if !wrong.is_empty() {
            r.misses.push(format!("{}: {}\n    {}", line.lang, line.text, wrong.join("; ")));
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_spans_of_the_plain_text() {
        let c = parse("# c\nen\tmy name is ⟦NAME|Anna Ek⟧, see ⟦KEEP|QA76.73⟧\n").unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, "my name is Anna Ek, see QA76.73");
        assert_eq!(c[0].spans, [(Some(Kind::Name), 11, 18), (None, 24, 31)]);
        assert!(parse("en\t⟦NAME|x").is_err());
        assert!(parse("en\t⟦WHAT|x⟧").unwrap_err().contains("unknown kind WHAT"));
    }

    #[test]
    fn a_detail_is_found_when_covered_and_a_reference_kept_when_untouched() {
        let c = parse("en\tmy name is ⟦NAME|Anna Ek⟧ and email ⟦EMAIL|a@b.org⟧ on ⟦KEEP|978-0-306-40615-7⟧").unwrap();
        let r = score(&Redactor::new(), &c);
        assert_eq!(r.by_kind[&Kind::Email], Counts { details: 1, found: 1, findings: 1, right: 1 });
        assert_eq!((r.by_kind[&Kind::Name].details, r.references, r.references_kept), (1, 1, 1));
        assert!(r.words > 3 && r.words_kept == r.words, "{r:?}");
        assert!(r.render().contains("EMAIL"), "{}", r.render());
    }
}
