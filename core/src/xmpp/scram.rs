//! SASL SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), client side, on ring's primitives.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ring::{digest, hmac, pbkdf2, rand::SecureRandom};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScramHash {
    Sha1,
    Sha256,
}

impl ScramHash {
    pub fn mechanism(self) -> &'static str {
        match self {
            ScramHash::Sha1 => "SCRAM-SHA-1",
            ScramHash::Sha256 => "SCRAM-SHA-256",
        }
    }

    fn hmac_alg(self) -> hmac::Algorithm {
        match self {
            ScramHash::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            ScramHash::Sha256 => hmac::HMAC_SHA256,
        }
    }

    fn pbkdf2_alg(self) -> pbkdf2::Algorithm {
        match self {
            ScramHash::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
            ScramHash::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        }
    }

    fn digest_alg(self) -> &'static digest::Algorithm {
        match self {
            ScramHash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            ScramHash::Sha256 => &digest::SHA256,
        }
    }

    fn len(self) -> usize {
        match self {
            ScramHash::Sha1 => 20,
            ScramHash::Sha256 => 32,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    #[error("the server's SCRAM message is malformed: {0}")]
    Malformed(&'static str),
    #[error("the server changed our nonce: not a genuine SCRAM exchange")]
    NonceMismatch,
    #[error("the server asked for {0} PBKDF2 rounds; we accept 1000 to 1000000")]
    Iterations(u32),
    #[error("the server could not prove it knows the password: possible impostor")]
    ServerSignature,
    #[error("the server refused: {0}")]
    Server(String),
}

/// One SCRAM exchange: client-first, then client-final for the server's challenge, then a check
/// of the server's signature (mutual authentication: a fake server is caught here).
pub struct Scram {
    hash: ScramHash,
    password: String,
    cnonce: String,
    client_first_bare: String,
    server_signature: Option<Vec<u8>>,
}

/// 24 random bytes, base64: the client nonce.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 24];
    // SystemRandom only fails if the OS has no entropy source at all; a fixed nonce would be worse.
    ring::rand::SystemRandom::new().fill(&mut bytes).expect("the OS random source is available");
    B64.encode(bytes)
}

impl Scram {
    pub fn new(hash: ScramHash, username: &str, password: &str, cnonce: String) -> Scram {
        let user = username.replace('=', "=3D").replace(',', "=2C");
        let client_first_bare = format!("n={user},r={cnonce}");
        Scram { hash, password: password.to_owned(), cnonce, client_first_bare, server_signature: None }
    }

    /// The initial response, "n,," (no channel binding) + client-first-bare.
    pub fn hash(&self) -> ScramHash {
        self.hash
    }

    pub fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    pub fn client_final(&mut self, server_first: &str) -> Result<String, ScramError> {
        let mut nonce = None;
        let mut salt = None;
        let mut iterations = None;
        for part in server_first.split(',') {
            match part.split_once('=') {
                Some(("r", v)) => nonce = Some(v),
                Some(("s", v)) => salt = Some(B64.decode(v).map_err(|_| ScramError::Malformed("salt"))?),
                Some(("i", v)) => iterations = Some(v.parse::<u32>().map_err(|_| ScramError::Malformed("iterations"))?),
                Some(("e", v)) => return Err(ScramError::Server(v.to_owned())),
                Some(("m", _)) => return Err(ScramError::Malformed("mandatory extension")),
                _ => {}
            }
        }
        let nonce = nonce.ok_or(ScramError::Malformed("no nonce"))?;
        let salt = salt.filter(|s| !s.is_empty()).ok_or(ScramError::Malformed("no salt"))?;
        let iterations = iterations.ok_or(ScramError::Malformed("no iteration count"))?;
        if !nonce.starts_with(&self.cnonce) || nonce.len() == self.cnonce.len() {
            return Err(ScramError::NonceMismatch);
        }
        // Bounds: too few rounds is weak, too many is a denial of service on the desk PC.
        if !(1000..=1_000_000).contains(&iterations) {
            return Err(ScramError::Iterations(iterations));
        }
        let h = self.hash;
        let mut salted = vec![0u8; h.len()];
        let rounds = std::num::NonZeroU32::new(iterations).ok_or(ScramError::Iterations(0))?;
        pbkdf2::derive(h.pbkdf2_alg(), rounds, &salt, self.password.as_bytes(), &mut salted);
        let salted_key = hmac::Key::new(h.hmac_alg(), &salted);
        let client_key = hmac::sign(&salted_key, b"Client Key");
        let stored_key = digest::digest(h.digest_alg(), client_key.as_ref());
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let signature = hmac::sign(&hmac::Key::new(h.hmac_alg(), stored_key.as_ref()), auth_message.as_bytes());
        let proof: Vec<u8> = client_key.as_ref().iter().zip(signature.as_ref()).map(|(a, b)| a ^ b).collect();
        let server_key = hmac::sign(&salted_key, b"Server Key");
        let server_sig = hmac::sign(&hmac::Key::new(h.hmac_alg(), server_key.as_ref()), auth_message.as_bytes());
        self.server_signature = Some(server_sig.as_ref().to_vec());
        Ok(format!("{without_proof},p={}", B64.encode(proof)))
    }

    pub fn verify_server_final(&self, server_final: &str) -> Result<(), ScramError> {
        if let Some(e) = server_final.strip_prefix("e=") {
            return Err(ScramError::Server(e.to_owned()));
        }
        let v = server_final.strip_prefix("v=").ok_or(ScramError::Malformed("no server signature"))?;
        let v = v.split(',').next().unwrap_or_default();
        let got = B64.decode(v).map_err(|_| ScramError::Malformed("server signature"))?;
        let want = self.server_signature.as_ref().ok_or(ScramError::Malformed("out of order"))?;
        // Compare in constant time: no early exit that would time the signature byte by byte.
        let same = got.len() == want.len() && got.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same {
            Ok(())
        } else {
            Err(ScramError::ServerSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5802_sha1_test_vector() {
        let mut s = Scram::new(ScramHash::Sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL".into());
        assert_eq!(s.client_first(), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
        let fin = s.client_final("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096").unwrap();
        assert_eq!(fin, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
        s.verify_server_final("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap();
        assert_eq!(s.verify_server_final("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="), Err(ScramError::ServerSignature));
    }

    #[test]
    fn rfc7677_sha256_test_vector() {
        let mut s = Scram::new(ScramHash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO".into());
        let fin = s
            .client_final("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap();
        assert_eq!(
            fin,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        s.verify_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").unwrap();
    }

    #[test]
    fn hostile_server_messages_are_refused() {
        let mut s = Scram::new(ScramHash::Sha1, "user", "pencil", "abc".into());
        assert_eq!(s.client_final("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096"), Err(ScramError::NonceMismatch));
        assert_eq!(s.client_final("r=abc,s=QSXCR+Q6sek8bf92,i=4096"), Err(ScramError::NonceMismatch));
        assert_eq!(s.client_final("r=abcd,s=QSXCR+Q6sek8bf92,i=4000000000"), Err(ScramError::Iterations(4000000000)));
        assert_eq!(s.client_final("r=abcd,s=QSXCR+Q6sek8bf92,i=1"), Err(ScramError::Iterations(1)));
        assert!(matches!(s.client_final("r=abcd,s=!!!,i=4096"), Err(ScramError::Malformed(_))));
        assert!(matches!(s.client_final("garbage"), Err(ScramError::Malformed(_))));
        assert_eq!(s.client_final("e=other-error"), Err(ScramError::Server("other-error".into())));
        assert!(s.verify_server_final("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").is_err(), "no signature before the challenge");
    }

    #[test]
    fn usernames_are_escaped_and_nonces_differ() {
        assert_eq!(Scram::new(ScramHash::Sha1, "a,b=c", "p", "n".into()).client_first(), "n,,n=a=2Cb=3Dc,r=n");
        assert_ne!(new_nonce(), new_nonce());
    }
}
