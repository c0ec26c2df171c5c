//! Which links from a chat the desk will open, and how: only http, https and mailto, checked here
//! before anything reaches the system's opener.

use crate::error::{Error, Result};

/// The longest link we open; longer ones are more likely an attack than a catalogue record.
pub const MAX_LINK_CHARS: usize = 2048;

/// The link as it will be opened, or why it will not be.
pub fn safe_link(raw: &str) -> Result<String> {
    let raw = raw.trim();
    if raw.chars().count() > MAX_LINK_CHARS {
        return Err(Error::InvalidInput(format!("links longer than {MAX_LINK_CHARS} characters are not opened")));
    }
    let refuse = |why: &str| Err(Error::InvalidInput(format!("this link is not opened: {why}")));
    let url = match url::Url::parse(raw) {
        Ok(u) => u,
        Err(e) => return refuse(&format!("it is not a valid address ({e})")),
    };
    match url.scheme() {
        "http" | "https" => {
            if url.host_str().is_none_or(str::is_empty) {
                return refuse("it names no server");
            }
            // user:password@host hides the real host from a quick look ("bank.com@evil.example").
            if !url.username().is_empty() || url.password().is_some() {
                return refuse("it carries a user name or password");
            }
        }
        "mailto" => {}
        other => return refuse(&format!("{other}: links are not opened from a chat (only http, https and mailto)")),
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_and_mail_links_open_and_nothing_else_does() {
        assert_eq!(
            safe_link(" https://catalog.example.org/record/12?x=1 ").unwrap(),
            "https://catalog.example.org/record/12?x=1"
        );
        assert_eq!(safe_link("http://EXAMPLE.org").unwrap(), "http://example.org/");
        assert_eq!(safe_link("mailto:ask@library.example").unwrap(), "mailto:ask@library.example");
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:msgbox",
            "smb://server/share",
            "ftp://files.example.org/x",
            "https://bank.example@evil.example/",
            "https://user:pw@host.example/",
            "http://",
            "catalog.example.org",
            "",
        ] {
            assert!(safe_link(bad).is_err(), "{bad:?} must not open");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_LINK_CHARS));
        assert!(safe_link(&long).unwrap_err().to_string().contains("longer than"));
    }
}
