//! Transcript exports for managers and training: CSV (one row per line), JSON, and a self-contained
//! HTML report. Every text is escaped for its format, and CSV cells cannot start a spreadsheet formula.

use crate::notify::escape_markup as escape;
use crate::store::TranscriptRecord;

/// RFC 4180 CSV, one row per transcript line, with a header row.
pub fn csv(transcripts: &[TranscriptRecord]) -> String {
    let mut out = String::from("transcript,account,patron,started_at,ended_at,reason,at,speaker,text\r\n");
    for t in transcripts {
        for l in &t.lines {
            let cells = [
                t.id.to_string(),
                t.account.clone(),
                t.patron.clone(),
                t.started_at.to_rfc3339(),
                t.ended_at.to_rfc3339(),
                t.reason.clone(),
                l.at.to_rfc3339(),
                l.speaker.clone(),
                l.text.clone(),
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
pub fn html(transcripts: &[TranscriptRecord], title: &str) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    out.push_str(
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}\
         section{border-top:1px solid #ccc;padding:.5rem 0}.meta{color:#555}\
         p{white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate}.patron b{color:#1e5aaa}</style>\n",
    );
    out.push_str(&format!(
        "</head><body>\n<h1>{}</h1>\n<p class=\"meta\">{} transcripts</p>\n",
        escape(title),
        transcripts.len()
    ));
    for t in transcripts {
        out.push_str(&format!(
            "<section><h2>#{} · {}</h2><p class=\"meta\">{} – {} · {} · {}</p>\n",
            t.id,
            escape(&t.patron),
            t.started_at.format("%Y-%m-%d %H:%M"),
            t.ended_at.format("%H:%M"),
            escape(&t.account),
            escape(&t.reason)
        ));
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
        assert_eq!(&rows[0][8], "<script>alert(1)</script> <img src=x onerror=alert(2)>");
        assert_eq!(&rows[1][8], "'=HYPERLINK(\"http://evil.example\",\"click\")", "a formula is defused");
        assert_eq!(&rows[2][8], "Line one,\nline \"two\"");
        assert_eq!((&rows[0][0], &rows[0][2], &rows[0][7]), ("7", "patron-00aa", "patron"));
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
    }
}
