//! SASL mechanisms behind one trait (RFC 4422): SCRAM-SHA-256 and SCRAM-SHA-1 (`scram`), and PLAIN
//! where the library's policy allows it; the strongest the server offers is chosen. No I/O: the
//! sign-in in `connect` carries the messages.

use super::scram::{new_nonce, Scram, ScramHash};

/// One client-side SASL exchange.
pub trait Mechanism: Send {
    /// The name the server offers and `<auth mechanism='…'>` carries.
    fn name(&self) -> &'static str;
    /// What goes with `<auth/>` (before base64).
    fn initial(&self) -> String;
    /// The answer to the server's challenge (decoded).
    fn challenge(&mut self, _data: &str) -> Result<String, String> {
        Err("the server sent a challenge this mechanism does not have".into())
    }
    /// Checks what came with `<success/>`: a mechanism with mutual authentication proves the
    /// server knows the password here.
    fn success(&self, _data: &str) -> Result<(), String> {
        Ok(())
    }
}

impl Mechanism for Scram {
    fn name(&self) -> &'static str {
        self.hash().mechanism()
    }
    fn initial(&self) -> String {
        self.client_first()
    }
    fn challenge(&mut self, data: &str) -> Result<String, String> {
        self.client_final(data).map_err(|e| e.to_string())
    }
    fn success(&self, data: &str) -> Result<(), String> {
        self.verify_server_final(data).map_err(|e| e.to_string())
    }
}

/// SASL PLAIN (RFC 4616): the password itself, so only inside TLS and only if allowed.
struct Plain {
    user: String,
    password: String,
}

impl Mechanism for Plain {
    fn name(&self) -> &'static str {
        "PLAIN"
    }
    fn initial(&self) -> String {
        format!("\0{}\0{}", self.user, self.password)
    }
}

/// The strongest mechanism of those `offered`: SCRAM-SHA-256, then SCRAM-SHA-1, then PLAIN if
/// `allow_plain`; `None` when none will do.
pub fn choose(offered: &[String], user: &str, password: &str, allow_plain: bool) -> Option<Box<dyn Mechanism>> {
    let has = |m: &str| offered.iter().any(|o| o == m);
    if has("SCRAM-SHA-256") {
        Some(Box::new(Scram::new(ScramHash::Sha256, user, password, new_nonce())))
    } else if has("SCRAM-SHA-1") {
        Some(Box::new(Scram::new(ScramHash::Sha1, user, password, new_nonce())))
    } else if allow_plain && has("PLAIN") {
        Some(Box::new(Plain { user: user.to_owned(), password: password.to_owned() }))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_strongest_offered_mechanism_is_chosen_and_plain_only_when_allowed() {
        let pick = |names: &[&str], plain| choose(&offered(names), "ask", "pw", plain).map(|m| m.name());
        assert_eq!(pick(&["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], true), Some("SCRAM-SHA-256"));
        assert_eq!(pick(&["PLAIN", "SCRAM-SHA-1"], true), Some("SCRAM-SHA-1"));
        assert_eq!(pick(&["PLAIN"], false), None, "no password in the clear unless the policy allows it");
        assert_eq!(pick(&["PLAIN"], true), Some("PLAIN"));
        assert_eq!(pick(&["DIGEST-MD5", "X-OAUTH2"], true), None);
    }

    #[test]
    fn plain_sends_the_name_and_password_and_refuses_a_challenge() {
        let mut m = choose(&offered(&["PLAIN"]), "ask", "pw", true).unwrap();
        assert_eq!(m.initial(), "\0ask\0pw");
        assert!(m.challenge("anything").is_err());
        assert!(m.success("").is_ok());
    }

    #[test]
    fn scram_starts_with_its_client_first_message_and_checks_the_server() {
        let m = choose(&offered(&["SCRAM-SHA-256"]), "ask", "pw", false).unwrap();
        assert!(m.initial().starts_with("n,,n=ask,r="), "{}", m.initial());
        // A success without the server's proof is refused (mutual authentication).
        assert!(m.success("v=bm90IHRoZSBzaWduYXR1cmU=").is_err());
    }
}
