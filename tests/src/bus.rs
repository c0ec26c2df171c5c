//! A private D-Bus daemon: nothing on it but what a test puts there (no keyring, no notification
//! server, no logind), standing in for a session or system bus. Stopped when dropped.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use crate::prosody::Error;

pub struct PrivateBus {
    child: Child,
    /// The address to give clients (`DBUS_SESSION_BUS_ADDRESS`, `DBUS_SYSTEM_BUS_ADDRESS`).
    pub address: String,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    pub fn start() -> Result<PrivateBus, Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(std::path::Path::new("/tmp"), e))?;
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\" \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig><type>session</type>\
                 <listen>unix:dir={}</listen><auth>EXTERNAL</auth><servicedir>{}</servicedir>\
                 <policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>\
                 <allow own=\"*\"/></policy></busconfig>\n",
                dir.path().display(),
                dir.path().display()
            ),
        )
        .map_err(|e| Error::io(&config, e))?;
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Spawn { program: "dbus-daemon", source })?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or_else(|| Error::Command {
            what: "dbus-daemon".into(),
            output: "no output to read its address from".into(),
        })?;
        std::io::BufReader::new(stdout).read_line(&mut line).map_err(|e| Error::io(&config, e))?;
        if line.trim().is_empty() {
            let _ = child.kill();
            return Err(Error::Command { what: "dbus-daemon".into(), output: "it printed no address".into() });
        }
        Ok(PrivateBus { child, address: line.trim().to_owned(), _dir: dir })
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
