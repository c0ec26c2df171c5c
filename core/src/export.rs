//! Transcript and statistics exports for managers and training: CSV (one row per line), JSON, and
//! self-contained HTML reports (no script, nothing fetched: a page a manager can mail on). Every
//! text is escaped for its format, and CSV cells cannot start a spreadsheet formula.

use crate::api::{ByMedium, Spread, Statistics};
use crate::notify::escape_markup as escape;
use crate::store::TranscriptRecord;

/// RFC 4180 CSV, one row per transcript line, with a header row. The columns added later come
/// last (`medium`, chat or web; the patron's own rating and comment), so sheets made before them
/// read the same columns.
pub fn csv(transcripts: &[TranscriptRecord]) -> String {
    let mut out = String::from(
        "transcript,account,patron,started_at,ended_at,reason,read_level,tags,at,speaker,text,medium,patron_rating,patron_comment\r\n",
    );
    for t in transcripts {
        for l in &t.lines {
            let cells = [
                t.id.to_string(),
                t.account.clone(),
                t.patron.clone(),
                t.started_at.to_rfc3339(),
                t.ended_at.to_rfc3339(),
                t.reason.clone(),
                t.read_level.map(|l| l.to_string()).unwrap_or_default(),
                t.tags.join(";"),
                l.at.to_rfc3339(),
                l.speaker.clone(),
                l.text.clone(),
                t.medium.as_str().to_owned(),
                t.patron_rating.map(|r| r.to_string()).unwrap_or_default(),
                t.patron_comment.clone(),
            ];
            let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// A cell quoted when it must be, and defused when a spreadsheet would read it as a formula.
fn csv_cell(value: &str) -> String {
    // A patron typing "=HYPERLINK(…)" must not become a live formula in the manager's spreadsheet.
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

pub fn json(transcripts: &[TranscriptRecord]) -> String {
    // Serializing plain structs of strings and times cannot fail.
    serde_json::to_string_pretty(transcripts).unwrap_or_else(|_| "[]".into())
}

/// A report that opens in any browser, needs nothing else, and runs nothing: all text is escaped,
/// and the page forbids scripts and outside resources itself.
/// The start of a report page: nothing may load or run (the CSP), only its own inline style.
fn page_start(title: &str, style: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{t}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}}\
         .meta{{color:#555}}{style}</style>\n</head><body>\n<h1>{t}</h1>\n",
        t = escape(title)
    )
}

pub fn html(transcripts: &[TranscriptRecord], title: &str) -> String {
    let mut out = page_start(
        title,
        "section{border-top:1px solid #ccc;padding:.5rem 0}\
         p{white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate}.patron b{color:#1e5aaa}",
    );
    out.push_str(&format!("<p class=\"meta\">{} transcripts</p>\n", transcripts.len()));
    for t in transcripts {
        out.push_str(&format!(
            "<section><h2>#{} · {}</h2><p class=\"meta\">{} · {} – {} · {} · {} · READ {} · {}</p>\n",
            t.id,
            escape(&t.patron),
            if t.medium == crate::api::Medium::Web { "web chat" } else { "IM chat" },
            t.started_at.format("%Y-%m-%d %H:%M"),
            t.ended_at.format("%H:%M"),
            escape(&t.account),
            escape(&t.reason),
            t.read_level.map_or_else(|| "unrated".to_owned(), |l| l.to_string()),
            escape(&t.tags.join(", "))
        ));
        if let Some(score) = t.patron_rating {
            out.push_str(&format!(
                "<p class=\"meta\" dir=\"auto\">The patron's rating: {score} of 5{}{}</p>\n",
                if t.patron_comment.is_empty() { "" } else { " · " },
                escape(&t.patron_comment)
            ));
        }
        for l in &t.lines {
            out.push_str(&format!(
                "<p class=\"{}\" dir=\"auto\"><b>{}</b> <span class=\"meta\">{}</span><br>{}</p>\n",
                escape(&l.speaker),
                escape(&l.speaker),
                l.at.format("%H:%M"),
                escape(&l.text)
            ));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// Statistics as CSV rows `section,key,chat,walkup,web`: one table a spreadsheet can pivot. `web`
/// (the website's chat box) came last, so sheets that read the first four columns still do; waits
/// and lengths of chats, IM and web together, are in `chat`.
pub fn stats_csv(s: &Statistics) -> String {
    let mut out = String::from("section,key,chat,walkup,web\r\n");
    let mut row = |section: &str, key: &str, [chat, walkup, web]: [String; 3]| {
        let cells = [section, key, &chat, &walkup, &web].map(csv_cell);
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    let each = |c: &ByMedium| [c.chat.to_string(), c.walkup.to_string(), c.web.to_string()];
    let one = |v: String| [v, String::new(), String::new()];
    row("period", "from", one(s.from.to_rfc3339()));
    row("period", "to", one(s.to.to_rfc3339()));
    row("questions", "all", each(&s.questions));
    row("questions", "abandoned", one(s.abandoned.to_string()));
    row("patrons", "different", one(s.patrons.to_string()));
    row("patrons", "returning", one(s.repeat_patrons.to_string()));
    for (h, c) in s.by_hour.iter().enumerate() {
        row("hour", &format!("{h:02}"), each(c));
    }
    for (d, c) in WEEKDAYS.iter().zip(&s.by_weekday) {
        row("weekday", d, each(c));
    }
    for (l, c) in s.read_levels.iter().enumerate() {
        row("read", &(l + 1).to_string(), each(c));
    }
    row("read", "unrated", each(&s.unrated));
    for (name, spread, walkup) in spreads(s) {
        for (key, v) in [("count", spread.count), ("p50", spread.p50), ("p90", spread.p90), ("max", spread.max)] {
            let cells = if walkup { [String::new(), v.to_string(), String::new()] } else { one(v.to_string()) };
            row(name, key, cells);
        }
    }
    for t in &s.tags {
        row("tag", &t.tag, each(&t.count));
    }
    // Only web chats are rated by their patrons.
    for (i, n) in s.patron_ratings.iter().enumerate() {
        row("patron rating", &(i + 1).to_string(), [String::new(), String::new(), n.to_string()]);
    }
    out
}

/// How many chats their patrons rated, and the mean of the ratings (none: no rating).
pub fn patron_rating_mean(s: &Statistics) -> (u32, Option<f64>) {
    let n: u32 = s.patron_ratings.iter().sum();
    let sum: u32 = s.patron_ratings.iter().enumerate().map(|(i, c)| (i as u32 + 1) * c).sum();
    (n, (n > 0).then(|| f64::from(sum) / f64::from(n)))
}

/// Statistics as a self-contained HTML page: each chart is a table with its numbers (what a screen
/// reader reads) and bars drawn by the stylesheet (chat and walk-up side by side).
pub fn stats_html(s: &Statistics, title: &str) -> String {
    let mut out = page_start(
        title,
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{padding:.15rem .6rem;text-align:right}\
         th:first-child,td:first-child{text-align:left}td.bars{width:24rem;text-align:left}\
         .bar{display:inline-block;height:.8rem;vertical-align:middle}.chat{background:#1e5aaa}\
         .web{background:#2a7d4f}.walkup{background:#c77800}.key span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem}\
         td.tag{overflow-wrap:anywhere;unicode-bidi:isolate}",
    );
    out.push_str(&format!(
        "<p class=\"meta\">{} to {} · <span class=\"key\"><span class=\"chat\"></span>IM chat \
         <span class=\"web\"></span>web chat <span class=\"walkup\"></span>walk-up</span></p>\n",
        s.from.format("%Y-%m-%d %H:%M"),
        s.to.format("%Y-%m-%d %H:%M")
    ));
    out.push_str(&format!(
        "<h2>Summary</h2>\n<table><tbody>\
         <tr><th scope=\"row\">Questions by IM chat</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Questions by web chat</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Questions at the desk (walk-up)</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Chats abandoned before an answer</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Different patrons (chat)</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Returning patrons (chat)</th><td>{}</td></tr>\
         <tr><th scope=\"row\">Patrons' own ratings (web chat, 1–5)</th><td>{}</td></tr></tbody></table>\n",
        s.questions.chat,
        s.questions.web,
        s.questions.walkup,
        s.abandoned,
        s.patrons,
        s.repeat_patrons,
        rating_text(s)
    ));
    let rows_of = |rows: Vec<(String, ByMedium)>| -> String {
        let most = rows.iter().map(|(_, c)| c.total()).max().unwrap_or(0).max(1);
        let mut t = String::from(
            "<table><thead><tr><th scope=\"col\"></th><th scope=\"col\">IM chat</th><th scope=\"col\">Web chat</th>\
             <th scope=\"col\">Walk-up</th>\
             <th scope=\"col\"><span class=\"meta\">(bars)</span></th></tr></thead><tbody>\n",
        );
        for (label, c) in rows {
            let width = |n: u32| f64::from(n) * 100.0 / f64::from(most);
            t.push_str(&format!(
                "<tr><td class=\"tag\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"bars\" aria-hidden=\"true\">\
                 <span class=\"bar chat\" style=\"width:{:.1}%\"></span><span class=\"bar web\" style=\"width:{:.1}%\"></span>\
                 <span class=\"bar walkup\" style=\"width:{:.1}%\"></span></td></tr>\n",
                escape(&label),
                c.chat,
                c.web,
                c.walkup,
                width(c.chat),
                width(c.web),
                width(c.walkup)
            ));
        }
        t.push_str("</tbody></table>\n");
        t
    };
    out.push_str("<h2>By hour of day</h2>\n");
    out.push_str(&rows_of(s.by_hour.iter().enumerate().map(|(h, c)| (format!("{h:02}:00"), *c)).collect()));
    out.push_str("<h2>By weekday</h2>\n");
    let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    out.push_str(&rows_of(days.iter().zip(&s.by_weekday).map(|(d, c)| ((*d).to_owned(), *c)).collect()));
    out.push_str("<h2>Effort (READ scale)</h2>\n");
    let mut levels: Vec<(String, ByMedium)> =
        s.read_levels.iter().enumerate().map(|(i, c)| (format!("READ {}", i + 1), *c)).collect();
    levels.push(("unrated".to_owned(), s.unrated));
    out.push_str(&rows_of(levels));
    let times = spreads(s);
    if !times.is_empty() {
        out.push_str(
            "<h2>Waits and lengths</h2>\n<table><thead><tr><th scope=\"col\"></th><th scope=\"col\">Questions</th>\
             <th scope=\"col\">Median</th><th scope=\"col\">90% within</th><th scope=\"col\">Longest</th></tr></thead><tbody>\n",
        );
        for (name, sp, _) in times {
            out.push_str(&format!(
                "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                sp.count,
                duration(sp.p50),
                duration(sp.p90),
                duration(sp.max)
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    if !s.tags.is_empty() {
        out.push_str("<h2>Topics</h2>\n");
        out.push_str(&rows_of(s.tags.iter().map(|t| (t.tag.clone(), t.count)).collect()));
    }
    out.push_str("</body></html>\n");
    out
}

/// "4.3 average of 12 (1: 0, 2: 1, 3: 1, 4: 3, 5: 7)", or "none".
fn rating_text(s: &Statistics) -> String {
    match patron_rating_mean(s) {
        (n, Some(mean)) => {
            let each: Vec<String> =
                s.patron_ratings.iter().enumerate().map(|(i, c)| format!("{}: {c}", i + 1)).collect();
            format!("{mean:.1} average of {n} ({})", each.join(", "))
        }
        _ => "none".to_owned(),
    }
}

/// Statistics as a short plain-text report for the terminal.
pub fn stats_text(s: &Statistics) -> String {
    let mut out = format!(
        "{} to {}\nquestions: {} IM chat, {} web chat, {} walk-up; {} chats abandoned\npatrons (chat): {} different, {} returning\n",
        s.from.format("%Y-%m-%d %H:%M"),
        s.to.format("%Y-%m-%d %H:%M"),
        s.questions.chat,
        s.questions.web,
        s.questions.walkup,
        s.abandoned,
        s.patrons,
        s.repeat_patrons
    );
    if s.patron_ratings.iter().any(|n| *n > 0) {
        out.push_str(&format!("patrons' own ratings (web chat, 1-5): {}\n", rating_text(s)));
    }
    for (name, sp, _) in spreads(s) {
        out.push_str(&format!(
            "{name}: median {}, 90% within {}, longest {} ({} questions)\n",
            duration(sp.p50),
            duration(sp.p90),
            duration(sp.max),
            sp.count
        ));
    }
    let levels: Vec<String> =
        s.read_levels.iter().enumerate().map(|(i, c)| format!("{}: {}", i + 1, c.total())).collect();
    out.push_str(&format!("READ scale: {}; unrated: {}\n", levels.join(", "), s.unrated.total()));
    let busiest = s.by_hour.iter().enumerate().max_by_key(|(h, c)| (c.total(), std::cmp::Reverse(*h)));
    if let Some((h, c)) = busiest.filter(|(_, c)| c.total() > 0) {
        out.push_str(&format!("busiest hour: {h:02}:00 ({} questions)\n", c.total()));
    }
    if !s.tags.is_empty() {
        let tags: Vec<String> = s.tags.iter().take(10).map(|t| format!("{} {}", t.tag, t.count.total())).collect();
        out.push_str(&format!("tags: {}\n", tags.join(", ")));
    }
    out
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn spreads(s: &Statistics) -> Vec<(&'static str, Spread, bool)> {
    [
        ("chat wait", s.chat_wait, false),
        ("chat length", s.chat_handling, false),
        ("walk-up length", s.walkup_handling, true),
    ]
    .into_iter()
    .filter_map(|(n, sp, w)| sp.map(|sp| (n, sp, w)))
    .collect()
}

/// Seconds as "45 s", "3 min 20 s" or "1 h 05 min".
fn duration(secs: u32) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {:02} s", secs / 60, secs % 60),
        _ => format!("{} h {:02} min", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TranscriptLine;
    use chrono::Utc;

    fn hostile() -> Vec<TranscriptRecord> {
        let now = Utc::now();
        let line = |speaker: &str, text: &str| TranscriptLine { at: now, speaker: speaker.into(), text: text.into() };
        vec![TranscriptRecord {
            id: 7,
            account: "ask@lib".into(),
            patron: "patron-00aa".into(),
            started_at: now,
            ended_at: now,
            reason: "byLibrarian".into(),
            librarian: "Maria".into(),
            medium: crate::api::Medium::Web,
            patron_rating: Some(5),
            patron_comment: "=so helpful <b>".into(),
            read_level: Some(3),
            tags: vec!["census".into(), "=cmd".into()],
            lines: vec![
                line("patron", "<script>alert(1)</script> <img src=x onerror=alert(2)>"),
                line("patron", "=HYPERLINK(\"http://evil.example\",\"click\")"),
                line("librarian", "Line one,\nline \"two\""),
            ],
        }]
    }

    #[test]
    fn csv_round_trips_and_formulas_stay_text() {
        let out = csv(&hostile());
        let mut reader = ::csv::Reader::from_reader(out.as_bytes());
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][10], "<script>alert(1)</script> <img src=x onerror=alert(2)>");
        assert_eq!(&rows[1][10], "'=HYPERLINK(\"http://evil.example\",\"click\")", "a formula is defused");
        assert_eq!(&rows[2][10], "Line one,\nline \"two\"");
        assert_eq!((&rows[0][0], &rows[0][2], &rows[0][9]), ("7", "patron-00aa", "patron"));
        assert_eq!((&rows[0][6], &rows[0][7]), ("3", "census;=cmd"), "READ level and tags");
        assert_eq!((&rows[0][11], &rows[0][12], &rows[0][13]), ("web", "5", "'=so helpful <b>"), "the patron's rating");
    }

    #[test]
    fn statistics_export_as_csv_that_parses_back_and_as_a_readable_report() {
        use crate::stats::{compute, Medium, Question};
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 14, 0, 0).unwrap();
        let q = |medium, minutes, tag: &str| Question {
            medium,
            started_at: t,
            ended_at: Some(t + chrono::Duration::minutes(minutes)),
            answered_at: Some(t + chrono::Duration::seconds(30)),
            patron: Some("patron-1".into()),
            read_level: Some(2),
            tags: vec![tag.into()],
            patron_rating: (medium == Medium::Web).then_some(4),
        };
        let s = compute(
            &[q(Medium::Chat, 5, "=census"), q(Medium::Walkup, 70, "maps, atlases"), q(Medium::Web, 5, "census")],
            t,
            t + chrono::Duration::days(1),
            &Utc,
        );
        let out = stats_csv(&s);
        let rows: Vec<::csv::StringRecord> =
            ::csv::Reader::from_reader(out.as_bytes()).records().map(Result::unwrap).collect();
        let find = |section: &str, key: &str| rows.iter().find(|r| &r[0] == section && &r[1] == key).unwrap().clone();
        assert!(out.starts_with("section,key,chat,walkup,web\r\n"), "{out}");
        let all = find("questions", "all");
        assert_eq!((&all[2], &all[3], &all[4]), ("1", "1", "1"));
        assert_eq!(&find("hour", "14")[2], "1");
        assert_eq!(&find("weekday", "mon")[3], "1");
        assert_eq!(&find("chat wait", "p50")[2], "30");
        assert_eq!(&find("chat wait", "count")[2], "2", "IM and web chats wait alike");
        assert_eq!(&find("walk-up length", "max")[3], "4200");
        assert_eq!(&find("tag", "'=census")[2], "1", "a tag cannot be a formula");
        assert_eq!(&find("tag", "maps, atlases")[3], "1");
        assert_eq!((&find("patron rating", "4")[4], &find("patron rating", "5")[4]), ("1", "0"));
        let text = stats_text(&s);
        assert!(text.contains("questions: 1 IM chat, 1 web chat, 1 walk-up; 0 chats abandoned"), "{text}");
        assert!(text.contains("walk-up length: median 1 h 10 min"), "{text}");
        assert!(
            text.contains("patrons' own ratings (web chat, 1-5): 4.0 average of 1 (1: 0, 2: 0, 3: 0, 4: 1, 5: 0)"),
            "{text}"
        );
        assert!(text.contains("chat wait: median 30 s"), "{text}");
        assert!(text.contains("busiest hour: 14:00 (3 questions)"), "{text}");

        let page = stats_html(&s, "Desk <stats>");
        assert!(page.contains("<title>Desk &lt;stats&gt;</title>") && page.contains("default-src 'none'"));
        assert!(page.contains("<tr><td class=\"tag\">14:00</td><td>1</td><td>1</td><td>1</td>"), "{page}");
        // All three questions came at 14:00: that hour's bar (IM, web and walk-up side by side)
        // is the full width, the others empty.
        assert!(page.contains("<span class=\"bar web\" style=\"width:33.3%\"></span>"), "{page}");
        assert!(page.contains("<span class=\"bar walkup\" style=\"width:33.3%\"></span>"), "{page}");
        assert!(page.contains("<td class=\"tag\">13:00</td><td>0</td><td>0</td><td>0</td>"));
        assert!(page.contains("<td>walk-up length</td><td>1</td><td>1 h 10 min</td>"), "{page}");
        assert!(page.contains("<td class=\"tag\">=census</td>"), "a tag is text");
    }

    #[test]
    fn the_statistics_page_shows_a_hostile_tag_as_text() {
        use crate::stats::{compute, Medium, Question};
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 9, 0, 0).unwrap();
        let q = Question {
            medium: Medium::Walkup,
            started_at: t,
            ended_at: Some(t + chrono::Duration::minutes(3)),
            answered_at: None,
            patron: None,
            read_level: None,
            tags: vec!["<script>alert(1)</script><img src=x onerror=alert(2)>".into()],
            patron_rating: None,
        };
        let page = stats_html(&compute(&[q], t, t + chrono::Duration::days(1), &Utc), "Stats");
        assert!(!page.contains("<script") && !page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"));
    }

    #[test]
    fn json_parses_back() {
        let v: serde_json::Value = serde_json::from_str(&json(&hostile())).unwrap();
        assert_eq!(v[0]["patron"], "patron-00aa");
        assert_eq!(v[0]["lines"][2]["text"], "Line one,\nline \"two\"");
    }

    #[test]
    fn the_html_report_shows_hostile_text_and_runs_none_of_it() {
        let out = html(&hostile(), "Desk <transcripts>");
        assert!(!out.contains("<script") && !out.contains("<img"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(out.contains("onerror=alert(2)&gt;"), "inert text inside an escaped tag");
        assert!(out.contains("<title>Desk &lt;transcripts&gt;</title>"));
        assert!(out.contains("default-src 'none'"));
        assert!(out.contains("The patron's rating: 5 of 5 · =so helpful &lt;b&gt;"), "{out}");
        assert!(out.contains("web chat · "), "{out}");
    }
}
