//! Whether the Python module an engine test runs is installed.

use std::process::Command;

/// Whether Python has `module`; if not, fails unless `skip` is set to 1 (then says it skipped).
pub fn have(module: &str, skip: &str, install: &str) -> bool {
    let ok = Command::new("python3").args(["-c", &format!("import {module}")]).status().is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var(skip).as_deref() == Ok("1"),
            "no Python module `{module}`: install it with `{install}`, or set {skip}=1 to skip these tests"
        );
        eprintln!("skipped: no Python module `{module}` ({skip}=1)");
    }
    ok
}
