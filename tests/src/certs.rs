//! A private certificate authority and a server certificate for it, made with the openssl CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::prosody::Error;

/// Files of a test CA: clients trust `ca_cert`; the server uses `server_cert` and `server_key`.
#[derive(Debug, Clone)]
pub struct TestCa {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

/// Makes (or reuses, if all files exist) a CA and a certificate for `domain`, `localhost` and 127.0.0.1.
pub fn ensure_test_ca(dir: &Path, domain: &str) -> Result<TestCa, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let ca = TestCa {
        ca_cert: dir.join("ca.crt"),
        server_cert: dir.join(format!("{domain}.crt")),
        server_key: dir.join(format!("{domain}.key")),
    };
    if ca.ca_cert.exists() && ca.server_cert.exists() && ca.server_key.exists() {
        return Ok(ca);
    }
    let ca_key = dir.join("ca.key");
    let csr = dir.join(format!("{domain}.csr"));
    let ext = dir.join("server.ext");
    std::fs::write(
        &ext,
        format!(
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n\
             subjectAltName=DNS:{domain},DNS:localhost,IP:127.0.0.1\n"
        ),
    )
    .map_err(|e| Error::io(&ext, e))?;
    let s = |p: &Path| p.to_string_lossy().into_owned();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        "/CN=Refdesk Test CA",
        "-keyout",
        &s(&ca_key),
        "-out",
        &s(&ca.ca_cert),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ])?;
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        &format!("/CN={domain}"),
        "-keyout",
        &s(&ca.server_key),
        "-out",
        &s(&csr),
    ])?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        &s(&csr),
        "-CA",
        &s(&ca.ca_cert),
        "-CAkey",
        &s(&ca_key),
        "-CAcreateserial",
        "-days",
        "3650",
        "-extfile",
        &s(&ext),
        "-out",
        &s(&ca.server_cert),
    ])?;
    Ok(ca)
}

fn openssl(args: &[&str]) -> Result<(), Error> {
    let out =
        Command::new("openssl").args(args).output().map_err(|e| Error::Spawn { program: "openssl", source: e })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Command {
            what: format!("openssl {}", args[0]),
            output: String::from_utf8_lossy(&out.stderr).into(),
        })
    }
}
