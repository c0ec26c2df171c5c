/// The command and event names core lists for the window and the shell (core/src/names.in).
#[allow(dead_code)]
mod names {
    include!("../core/src/names.in");
}

fn main() {
    println!("cargo:rerun-if-changed=../core/src/names.in");
    // Listing the app's commands makes each one need an explicit grant in capabilities/.
    let manifest = tauri_build::AppManifest::new().commands(names::COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
