//! Embeds every `stdlib/regimes/*.accord` file in the binary, so that adding a standard regime
//! is adding a file.

// A build script reads the source tree and writes into OUT_DIR: that is its job.
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=stdlib/regimes");
    let mut names: Vec<String> = std::fs::read_dir("stdlib/regimes")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter_map(|n| n.strip_suffix(".accord").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from("&[\n");
    for name in &names {
        println!("cargo:rerun-if-changed=stdlib/regimes/{name}.accord");
        let _ = writeln!(
            code,
            "    StdModule {{ name: {name:?}, text: include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/stdlib/regimes/{name}.accord\")) }},"
        );
    }
    code.push(']');
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(format!("{out}/regimes.rs"), code) {
        println!("cargo:warning=cannot write the embedded regime list: {e}");
    }
}
