//! Certificate pinning per account: besides the usual checks (trusted CA, name, dates), the server
//! must present a certificate whose SHA-256 fingerprint the library wrote down, so a certificate
//! from any other CA, however trusted, is refused. Pinning an intermediate the server sends
//! survives the server's certificate renewals; pinning the server's own certificate does not.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

/// A SHA-256 certificate fingerprint.
pub type Pin = [u8; 32];

/// Reads a fingerprint as `openssl x509 -noout -fingerprint -sha256` prints it
/// (`sha256 Fingerprint=AB:CD:…`), or as bare hex with or without colons or spaces.
pub fn parse_pin(text: &str) -> Result<Pin, String> {
    let value = text.rsplit_once('=').map_or(text, |(_, v)| v);
    let hex: String = value.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "{text:?} is not a SHA-256 fingerprint (64 hexadecimal digits, as `openssl x509 -noout -fingerprint -sha256` prints)"
        ));
    }
    let mut pin = [0u8; 32];
    for (i, byte) in pin.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(pin)
}

/// The fingerprint of a DER certificate, as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// The server presented no pinned certificate; carries what it did present, for IT to compare.
#[derive(Debug)]
pub struct PinMismatch {
    pub presented: String,
}

impl fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no pinned certificate among those presented (server certificate {})", self.presented)
    }
}

impl std::error::Error for PinMismatch {}

/// The usual verification, and then the pin.
#[derive(Debug)]
pub struct PinnedVerifier {
    inner: Arc<WebPkiServerVerifier>,
    pins: Vec<Pin>,
}

impl PinnedVerifier {
    pub fn new(inner: Arc<WebPkiServerVerifier>, pins: Vec<Pin>) -> PinnedVerifier {
        PinnedVerifier { inner, pins }
    }
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)?;
        let pinned = std::iter::once(end_entity).chain(intermediates).any(|c| {
            let digest = ring::digest::digest(&ring::digest::SHA256, c.as_ref());
            self.pins.iter().any(|p| p.as_slice() == digest.as_ref())
        });
        if pinned {
            Ok(verified)
        } else {
            let mismatch = PinMismatch { presented: fingerprint(end_entity.as_ref()) };
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(mismatch)))))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_reads_as_openssl_prints_it_or_as_bare_hex() {
        let hex = "AB".repeat(32);
        let colons = vec!["ab"; 32].join(":");
        assert_eq!(parse_pin(&hex).unwrap(), [0xAB; 32]);
        assert_eq!(parse_pin(&colons).unwrap(), [0xAB; 32]);
        assert_eq!(parse_pin(&format!("sha256 Fingerprint={}", colons.to_uppercase())).unwrap(), [0xAB; 32]);
    }

    #[test]
    fn anything_else_is_refused_with_what_was_expected() {
        for bad in ["", "AB:CD", &"AB".repeat(31), &"ZZ".repeat(32), &"AB".repeat(33), "sha1 Fingerprint=AB:CD"] {
            let e = parse_pin(bad).unwrap_err();
            assert!(e.contains("64 hexadecimal digits"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_fingerprint_is_printed_the_way_it_is_read() {
        let printed = fingerprint(b"certificate");
        assert_eq!(printed.len(), 32 * 3 - 1);
        assert_eq!(
            parse_pin(&printed).unwrap().as_slice(),
            ring::digest::digest(&ring::digest::SHA256, b"certificate").as_ref()
        );
    }
}
