//! Refdesk's executable: hands over to the shell library at once.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // Answered before any window or log: for IT's scripts and the installer tests.
    match std::env::args().nth(1).as_deref() {
        Some("--version" | "-V") => {
            println!("refdesk {}", env!("CARGO_PKG_VERSION"));
            return std::process::ExitCode::SUCCESS;
        }
        Some("--help" | "-h") => {
            println!(
                "refdesk {}: the library reference desk (IM and walk-up patrons)\n\
                 usage: refdesk [--hidden | --version | --help]   (--hidden: start in the tray, no window)\n\
                 settings: the library's policy file (/etc/refdesk/policy.toml, or REFDESK_POLICY); admin tasks: refdeskctl",
                env!("CARGO_PKG_VERSION")
            );
            return std::process::ExitCode::SUCCESS;
        }
        _ => {}
    }
    refdesk_app::run()
}
