//! Refdesk's executable: hands over to the shell library at once.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    refdesk_app::run()
}
