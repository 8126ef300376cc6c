//! End-to-end tests of the `accord` binary: help and usage errors, exit codes, file discovery,
//! `use` across files, hostile input (binary, huge, deeply nested) and the JSON output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
// Tests write files and read the environment; the "IO only in src/cli" rule is for the library.
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

mod common;

use assert_cmd::Command;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Generous: the slowest case (a 10,000-rule regime in a debug build) takes a few seconds.
const TIMEOUT: Duration = Duration::from_secs(60);

const CLEAN: &str = r#"regime demo "A tiny regime" {
  home SG
  rule health "Health data needs consent" cite "Demo s1"
    when data has health then require explicit_consent
  default permit
}
"#;

const WARNING_ONLY: &str = r#"regime demo "A tiny regime" {
  home SG
  let unused = data has biometric
  rule health "Health data needs consent" cite "Demo s1"
    when data has health then require explicit_consent
  default permit
}
"#;

const UNKNOWN_FACT: &str = r#"regime demo "Demo" {
  home SG
  rule a "A" cite "Art. 1"
    when destinaton == DE
    then permit
  default permit
}
"#;

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    what: String,
}

impl Run {
    /// Asserts the exit code, saying clearly when the process crashed, was killed or timed out.
    fn code(&self, expected: i32) -> &Self {
        let crashed = matches!(self.code, Some(101 | 134 | 139)) || self.signal.is_some();
        assert!(
            !crashed,
            "`{}` crashed or hung (exit {:?}, signal {:?}, after {:?})\n--- stderr (start) ---\n{}",
            self.what,
            self.code,
            self.signal,
            self.elapsed,
            head(&self.stderr)
        );
        assert_eq!(
            self.code,
            Some(expected),
            "`{}`: wrong exit code\n--- stdout (start) ---\n{}\n--- stderr (start) ---\n{}",
            self.what,
            head(&self.stdout),
            head(&self.stderr)
        );
        self
    }

    fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "`{}`: stderr does not mention {needle:?}\n--- stderr (start) ---\n{}",
            self.what,
            head(&self.stderr)
        );
        self
    }

    /// Whether stdout holds `needle`, whatever the line wrapping (help text is wrapped to the
    /// terminal width).
    fn stdout_has(&self, needle: &str) -> &Self {
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(&self.stdout).contains(&words(needle)),
            "`{}`: stdout does not mention {needle:?}\n--- stdout (start) ---\n{}",
            self.what,
            head(&self.stdout)
        );
        self
    }

    fn stderr_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.stderr.contains(needle),
            "`{}`: stderr should not mention {needle:?}\n--- stderr (start) ---\n{}",
            self.what,
            head(&self.stderr)
        );
        self
    }

    /// The last line of stderr, which in human mode is the summary.
    fn summary(&self) -> &str {
        self.stderr.lines().last().unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`{}`: stdout is not JSON ({e})\n{}", self.what, head(&self.stdout)))
    }
}

/// The start of a (possibly huge) output, long lines cut, for assertion messages.
fn head(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().take(40) {
        let cut: String = line.chars().take(160).collect();
        out.push_str(&cut);
        if cut.len() < line.len() {
            out.push('…');
        }
        out.push('\n');
    }
    if text.lines().count() > 40 {
        out.push_str("…\n");
    }
    out.push_str(&format!("({} bytes in all)", text.len()));
    out
}

fn accord() -> Command {
    let mut cmd = Command::cargo_bin("accord").unwrap();
    cmd.timeout(TIMEOUT).env("NO_COLOR", "1").env_remove("RUST_BACKTRACE");
    cmd
}

fn run_in(dir: Option<&Path>, args: &[&str]) -> Run {
    let mut cmd = accord();
    cmd.args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let start = Instant::now();
    let output = cmd.output().expect("the binary runs");
    let elapsed = start.elapsed();
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&output.status);
    #[cfg(not(unix))]
    let signal = None;
    Run {
        code: output.status.code(),
        signal,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed,
        what: format!("accord {}", args.join(" ")),
    }
}

fn run(args: &[&str]) -> Run {
    run_in(None, args)
}

fn check_file(path: &Path) -> Run {
    run(&["check", path.to_str().unwrap()])
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, contents).unwrap();
    path
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// A regime around one condition, to embed hostile conditions in an otherwise valid file.
fn regime_with_condition(condition: &str) -> String {
    format!(
        "regime r \"Deep\" {{\n  home SG\n  rule a \"A\" cite \"Art. 1\"\n    when {condition}\n    then permit\n  default permit\n}}\n"
    )
}

// ── help and usage ──────────────────────────────────────────────────────────────────────────

#[test]
fn help_explains_the_tool() {
    let run = run(&["--help"]);
    run.code(0)
        .stdout_has("Usage: accord")
        .stdout_has("cross-border data transfers")
        .stdout_has("check")
        .stdout_has("Check rule files")
        .stdout_has("Exit codes: 0 ok")
        .stdout_has("2 bad command line")
        .stdout_has("3 internal error");
    let short = self::run(&["-h"]);
    short.code(0).stdout_has("Usage: accord");
}

#[test]
fn check_help_explains_the_command() {
    let run = run(&["check", "--help"]);
    run.code(0)
        .stdout_has("Check rule files")
        .stdout_has("Usage: accord check")
        .stdout_has("[PATHS]")
        .stdout_has("directories are searched for `.accord` files")
        .stdout_has("the `rules` listed in the nearest `Accord.toml`")
        .stdout_has("--error-format")
        .stdout_has("human")
        .stdout_has("json");
    let via_help = self::run(&["help", "check"]);
    via_help.code(0).stdout_has("Usage: accord check");
}

#[test]
fn version_is_printed() {
    run(&["--version"]).code(0).stdout_has(&format!("accord {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    run(&["--bogus"]).code(2).stderr_has("--bogus");
    run(&["check", "--bogus"]).code(2).stderr_has("--bogus");
    run(&["frobnicate"]).code(2).stderr_has("frobnicate");
    run(&["check", "--error-format", "xml", "x.accord"]).code(2).stderr_has("xml").stderr_has("human, json");
    run(&["--color", "sometimes", "check"]).code(2).stderr_has("sometimes");
    // No subcommand at all is a usage error too, and says how to use the tool.
    run(&[]).code(2).stderr_has("Usage: accord");
}

// ── exit codes and messages for ordinary files ──────────────────────────────────────────────

#[test]
fn clean_file_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "clean.accord", CLEAN);
    let run = check_file(&path);
    run.code(0).stderr_lacks("error").stderr_lacks("warning");
    assert_eq!(run.summary(), "checked 1 file: no problems");
    assert_eq!(run.stdout, "", "human output goes to stderr only");
}

#[test]
fn warning_only_exits_0_and_shows_the_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "warn.accord", WARNING_ONLY);
    let run = check_file(&path);
    run.code(0).stderr_has("warning[W0201]").stderr_has("`let unused` is never used").stderr_has("warn.accord:3:7");
    assert_eq!(run.summary(), "checked 1 file: 0 errors, 1 warning");
}

#[test]
fn errors_exit_1_with_the_place_and_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.accord", UNKNOWN_FACT);
    let run = check_file(&path);
    run.code(1)
        .stderr_has("error[E0101]")
        .stderr_has("`destinaton`")
        .stderr_has("bad.accord:4:10")
        .stderr_has("did you mean `destination`?");
    assert_eq!(run.summary(), "checked 1 file: 1 error, 0 warnings");
}

#[test]
fn missing_path_exits_1_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no_such_regime.accord");
    let run = check_file(&missing);
    run.code(1)
        .stderr_has(&format!("cannot read `{}`", missing.display()))
        .stderr_has("No such file")
        .stderr_lacks("internal error");
    // One missing path among good ones still fails, and names the missing one.
    let good = write(dir.path(), "good.accord", CLEAN);
    let run = run_in(None, &["check", good.to_str().unwrap(), missing.to_str().unwrap()]);
    run.code(1).stderr_has("no_such_regime.accord");
}

#[test]
fn several_paths_are_all_checked() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.accord", CLEAN);
    let b = write(dir.path(), "b.accord", UNKNOWN_FACT.replace("demo", "other"));
    let run = run(&["check", a.to_str().unwrap(), b.to_str().unwrap()]);
    run.code(1).stderr_has("b.accord:4:10");
    assert_eq!(run.summary(), "checked 2 files: 1 error, 0 warnings");
}

/// Every problem is reported at its own place, even when two problems read the same.
#[test]
fn the_same_mistake_twice_is_reported_twice() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"regime demo "Demo" {
  home SG
  rule a "A" cite "Art. 1" when destinaton == DE then permit
  rule b "B" cite "Art. 2" when destinaton == FR then permit
  default permit
}
"#;
    let path = write(dir.path(), "twice.accord", text);
    let run = check_file(&path);
    run.code(1).stderr_has("twice.accord:3:33").stderr_has("twice.accord:4:33");
    assert_eq!(count(&run.stderr, "error[E0101]"), 2, "{}", run.stderr);
    assert_eq!(run.summary(), "checked 1 file: 2 errors, 0 warnings");
}

#[test]
fn identical_problems_in_two_files_are_both_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "first.accord", "");
    write(dir.path(), "second.accord", "");
    let run = run_in(Some(dir.path()), &["check", "first.accord", "second.accord"]);
    run.code(1).stderr_has("first.accord:1:1").stderr_has("second.accord:1:1");
    assert_eq!(run.summary(), "checked 2 files: 2 errors, 0 warnings");
}

// ── directories ─────────────────────────────────────────────────────────────────────────────

#[test]
fn directories_are_searched_recursively() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "top.accord", CLEAN);
    write(root, "a/b/c/deep.accord", CLEAN.replace("demo", "deep"));
    write(root, "a/notes.txt", "not a rule file {{{");
    write(root, "a/README.md", "# not a rule file");
    // Hidden directories and `target` are skipped: these would be errors if read.
    write(root, ".git/junk.accord", "garbage garbage");
    write(root, "target/junk.accord", "garbage garbage");
    let run = run(&["check", root.to_str().unwrap()]);
    run.code(0);
    assert_eq!(run.summary(), "checked 2 files: no problems");

    // An error deep down is found and named.
    write(root, "a/b/c/d/broken.accord", UNKNOWN_FACT.replace("demo", "broken"));
    let run = self::run(&["check", root.to_str().unwrap()]);
    run.code(1).stderr_has("broken.accord:4:10").stderr_has("error[E0101]");
    assert_eq!(run.summary(), "checked 3 files: 1 error, 0 warnings");
}

#[test]
fn directory_without_rule_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", "nothing here");
    let run = check_file(dir.path());
    run.code(1).stderr_has("no `.accord` files in").stderr_has(&dir.path().display().to_string());
}

#[test]
fn no_paths_checks_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "one.accord", CLEAN);
    write(dir.path(), "sub/two.accord", WARNING_ONLY.replace("demo", "two"));
    let run = run_in(Some(dir.path()), &["check"]);
    run.code(0).stderr_has("warning[W0201]").stderr_has("two.accord");
    assert_eq!(run.summary(), "checked 2 files: 0 errors, 1 warning");

    write(dir.path(), "sub/three.accord", UNKNOWN_FACT.replace("demo", "three"));
    let run = run_in(Some(dir.path()), &["check"]);
    run.code(1).stderr_has("three.accord:4:10");
    assert_eq!(run.summary(), "checked 3 files: 1 error, 1 warning");
}

#[test]
fn empty_current_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    run_in(Some(dir.path()), &["check"]).code(1).stderr_has("no `.accord` files");
}

/// With no path, `check` and `test` read the project's rule files as the nearest `Accord.toml`
/// lists them (in the current directory or above), not every rule file below: here a broken
/// file outside the list would fail the check.
#[test]
fn no_paths_reads_the_rule_files_the_project_file_lists() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Accord.toml", "# the project's rules\nrules = [\"rules\", \"extra.accord\"]\n");
    write(root, "rules/one.accord", CLEAN);
    write(root, "rules/deep/down/two.accord", CLEAN.replace("demo", "two"));
    write(root, "extra.accord", CLEAN.replace("demo", "extra"));
    write(root, "broken/bad.accord", UNKNOWN_FACT);
    let run = run_in(Some(root), &["check"]);
    run.code(0).stderr_lacks("bad.accord");
    assert_eq!(run.summary(), "checked 3 files: no problems");
    // From a directory below, the same files, named from there.
    let run = run_in(Some(&root.join("rules/deep")), &["check"]);
    run.code(0);
    assert_eq!(run.summary(), "checked 3 files: no problems");
    run_in(Some(root), &["test"]).code(0).stderr_lacks("bad.accord");
    // A path given is read as given, project file or not.
    run_in(Some(root), &["check", "broken"]).code(1).stderr_has("bad.accord:4:10");
    // Without a project file, every rule file below is read.
    std::fs::remove_file(root.join("Accord.toml")).unwrap();
    run_in(Some(root), &["check"]).code(1).stderr_has("bad.accord:4:10");
}

/// `--error-format json` gives each certain fix as an edit; `check --fix` applies them all,
/// in rounds (the default is found unreachable only once the names are right), rewrites the
/// file, and checks it again. A second run finds nothing to fix.
#[test]
fn check_fix_applies_the_certain_fixes() {
    let broken = "regime demo \"Demo\" {\n  home SG\n  let unused = data has biometric\n  rule a \"A\" cite \"Art. 1\"\n    when destinaton == DE and data has helth\n    then permit\n  rule b \"B\" cite \"Art. 2\"\n    when destination in {JP, KRR}\n    then permit\n  rule c \"C\" cite \"Art. 3\"\n    when true\n    then prohibit\n  default permit\n\n  example \"x\" {\n    given { destinaion: DE }\n    expect permit\n  }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "r.accord", broken);
    let json = run_in(Some(dir.path()), &["check", "r.accord", "--error-format", "json"]).json();
    let fixes: Vec<(String, Value)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["fix"].clone()))
        .collect();
    let replacements: Vec<Option<&str>> = fixes.iter().map(|(_, f)| f["replacement"].as_str()).collect();
    // The unused `let` has no certain fix (its doc comment, if any, would pass to the next rule).
    assert_eq!(replacements, [None, Some("destination"), Some("health"), Some("KR"), Some("destination")], "{fixes:?}");
    let first = &fixes[1].1["span"];
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(5), Some(10)));
    assert_eq!(
        &broken[first["start"].as_u64().unwrap() as usize..first["end"].as_u64().unwrap() as usize],
        "destinaton"
    );

    let run = run_in(Some(dir.path()), &["check", "--fix", "r.accord"]);
    run.code(0).stderr_has("fixed 5 problems in 1 file").stderr_has("warning[W0201]");
    let fixed = std::fs::read_to_string(&path).unwrap();
    let expected = broken
        .replace("destinaton ==", "destination ==")
        .replace("helth", "health")
        .replace("KRR", "KR")
        .replace("destinaion:", "destination:")
        .replace("  default permit\n", "");
    assert_eq!(fixed, expected);
    let again = run_in(Some(dir.path()), &["check", "--fix", "r.accord"]);
    again.code(0).stderr_lacks("fixed").stderr_has("warning[W0201]");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
}

/// Read from the project file, rule files may `use` any rule file of the project (below the
/// project file), listed or not, and none outside it.
#[test]
fn project_files_use_what_is_inside_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    write(&project, "Accord.toml", "rules = [\"rules\"]\n");
    write(&project, "lib/common.accord", "let sensitive = data has health\n");
    write(
        &project,
        "rules/main.accord",
        CLEAN
            .replace("regime demo", "use \"../lib/common.accord\"\nregime demo")
            .replace("data has health", "sensitive"),
    );
    let run = run_in(Some(&project), &["check"]);
    run.code(0);
    assert_eq!(run.summary(), "checked 1 file: no problems");
    // Given as a path, the same file may not reach the project's `lib` (outside `rules`).
    run_in(Some(&project), &["check", "rules"]).code(1).stderr_has("is outside");
    write(dir.path(), "outside.accord", "let sensitive = data has health\n");
    write(
        &project,
        "rules/main.accord",
        CLEAN
            .replace("regime demo", "use \"../../outside.accord\"\nregime demo")
            .replace("data has health", "sensitive"),
    );
    run_in(Some(&project), &["check"]).code(1).stderr_has("is outside").stderr_has("--allow-import-outside");
}

/// `test --coverage` says which parts no example reaches and proposes an example for each;
/// `--threshold N` fails below N per cent; `--format json` gives the same figures to tools.
/// Here one example reaches the first rule's one row, of three parts (two rules, the default).
#[test]
fn test_coverage_reports_proposes_and_gates() {
    let text = "regime demo \"Demo\" {\n  home SG\n  rule health \"Health\" cite \"s1\" when data has health then prohibit\n  \
                rule bio \"Bio\" cite \"s2\" when data has biometric then permit\n  default prohibit\n  \
                example \"health\" {\n    given { destination: US, data: {personal, health} }\n    expect prohibit with {}\n  }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "demo.accord", text);
    let run = run_in(Some(dir.path()), &["test", "demo.accord", "--coverage"]);
    run.code(0)
        .stdout_has("demo: 33.3% covered (1 of 3 reachable parts")
        .stdout_has("rule `bio` (row 1, demo.accord:4:3): no example reaches it")
        .stdout_has("the default: no example reaches it")
        .stdout_has("example \"Reaches rule bio (row 1)\"")
        .stdout_has("expect permit with {}")
        .stdout_has("1 passed, 0 failed");
    run_in(Some(dir.path()), &["test", "demo.accord", "--coverage", "--threshold", "33"]).code(0);
    run_in(Some(dir.path()), &["test", "demo.accord", "--coverage", "--threshold", "34"])
        .code(1)
        .stderr_has("coverage of `demo` is 33.3%, below the threshold of 34%");
    run_in(Some(dir.path()), &["test", "demo.accord", "--threshold", "34"]).code(2).stderr_has("--coverage");
    run_in(Some(dir.path()), &["test", "demo.accord", "--coverage", "--threshold", "101"]).code(2);
    // Files that do not check give tools the check's document.
    write(dir.path(), "bad.accord", UNKNOWN_FACT);
    let bad = run_in(Some(dir.path()), &["test", "bad.accord", "--format", "json"]);
    let bad = bad.code(1).json();
    assert_eq!((bad["diagnostics"][0]["code"].as_str(), bad["summary"]["errors"].as_u64()), (Some("E0101"), Some(1)));
    let json = run_in(Some(dir.path()), &["test", "demo.accord", "--coverage", "--format", "json"]).json();
    assert_eq!((json["passed"].as_u64(), json["failed"].as_u64()), (Some(1), Some(0)));
    let example = &json["examples"][0];
    assert_eq!(example["example"], "health");
    assert_eq!(
        (example["expected"].as_str(), example["actual"].as_str()),
        (Some("prohibit with {}"), Some("prohibit with {}"))
    );
    assert_eq!(example["location"], json!({ "file": "demo.accord", "line": 6, "column": 3 }));
    assert_eq!(example["decision"]["verdict"], "prohibit");
    assert_eq!(example["decision"]["rule"], "health");
    // A failing example says what it expected and what it got.
    write(dir.path(), "wrong.accord", text.replace("expect prohibit with {}", "expect permit"));
    let wrong = run_in(Some(dir.path()), &["test", "wrong.accord", "--format", "json"]).code(1).json();
    let example = &wrong["examples"][0];
    assert_eq!((example["passed"].as_bool(), example["expected"].as_str()), (Some(false), Some("permit")));
    assert_eq!(example["actual"], "prohibit with {}");
    let c = &json["coverage"][0];
    assert_eq!((c["covered"].as_u64(), c["reachable"].as_u64(), c["exact"].as_bool()), (Some(1), Some(3), Some(true)));
    let parts: Vec<(&str, usize, bool)> = c["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["examples"].as_array().unwrap().len(), p.get("witness").is_some()))
        .collect();
    assert_eq!(parts, [("health", 1, false), ("bio", 0, true), ("default", 0, true)]);
    // Each proposal, pasted in, passes and covers the regime whole.
    let proposals: String = run
        .stdout
        .split("first):\n\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.ends_with("passed, 0 failed"))
        .map(|l| format!("{l}\n"))
        .collect();
    let end = text.rfind('}').unwrap();
    write(dir.path(), "demo.accord", format!("{}{proposals}{}", &text[..end], &text[end..]));
    run_in(Some(dir.path()), &["test", "demo.accord", "--coverage", "--threshold", "100"])
        .code(0)
        .stdout_has("demo: 100.0% covered (3 of 3")
        .stdout_has("3 passed, 0 failed");
}

/// A `default` with a doc comment above it gets no fix: deleting it would leave the doc to the
/// next item (here the closing brace, an error).
#[test]
fn a_documented_default_is_not_deleted() {
    let text = "regime demo \"Demo\" {\n  home SG\n  rule all \"All\" cite \"1\" when true then permit\n  /// Why it is here.\n  default prohibit\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "d.accord", text);
    let json = run_in(Some(dir.path()), &["check", "d.accord", "--error-format", "json"]).json();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "W0306");
    assert!(d.get("fix").is_none(), "{d:#}");
    run_in(Some(dir.path()), &["check", "--fix", "d.accord"]).code(0).stderr_lacks("fixed");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // Without the doc, it goes.
    write(dir.path(), "d.accord", text.replace("  /// Why it is here.\n", ""));
    run_in(Some(dir.path()), &["check", "--fix", "d.accord"]).code(0).stderr_has("fixed 1 problem in 1 file");
    assert!(!std::fs::read_to_string(&path).unwrap().contains("default"));
}

/// A project file Accord cannot use is an error naming it and what to write instead.
#[test]
fn a_bad_project_file_is_an_error_naming_it() {
    let cases = [
        ("rule = [\"rules\"]\n", "unknown field `rule`"),
        ("rules = [\"rules\"\n", "unclosed array"),
        ("rules = []\n", "lists no rule files"),
        ("rules = [\"rules\", \"missing\"]\n", "lists `missing`, which does not exist"),
        ("rules = \"rules\"\n", "invalid type"),
    ];
    for (text, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "Accord.toml", text);
        write(dir.path(), "rules/one.accord", CLEAN);
        for command in ["check", "test"] {
            let run = run_in(Some(dir.path()), &[command]);
            run.code(1).stderr_has(says).stderr_has("Accord.toml");
        }
    }
}

/// At the top of this repository, `accord check` with no path checks the project's own rule
/// files, the stdlib and the examples, and finds nothing wrong: not the broken files under
/// `tests/ui`.
#[test]
fn check_at_the_repository_root_checks_the_projects_rule_files() {
    let run = run_in(Some(Path::new(env!("CARGO_MANIFEST_DIR"))), &["check"]);
    run.code(0).stderr_lacks("tests/ui");
    assert!(run.summary().ends_with("files: no problems"), "{}", run.summary());
}

/// A symbolic link back up the tree must not send the search round in circles: each file is
/// checked once, and the search ends quickly (two such links make the naive walk exponential).
#[cfg(unix)]
#[test]
fn directory_symlink_cycles_are_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "rules.accord", CLEAN);
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up_again")).unwrap();
    let mut cmd = accord();
    cmd.arg("check").arg(root).timeout(Duration::from_secs(10));
    let start = Instant::now();
    let output = cmd.output().unwrap();
    let elapsed = start.elapsed();
    assert!(
        output.status.code().is_some(),
        "`accord check DIR` with two symlinks to `..` did not finish in 10s (killed after {elapsed:?})"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().last(), Some("checked 1 file: no problems"), "{stderr}");
}

/// A named pipe that happens to end in `.accord` must not block the search forever (nothing
/// will ever write to it). Skipping it or reporting it are both fine; waiting is not.
#[cfg(target_os = "linux")]
#[test]
fn directory_with_a_fifo_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules.accord", CLEAN);
    let fifo = dir.path().join("pipe.accord");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut cmd = accord();
    cmd.arg("check").arg(dir.path()).timeout(Duration::from_secs(10));
    let start = Instant::now();
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "`accord check DIR` with a FIFO `pipe.accord` in DIR did not finish (status {:?} after {:?}): {stderr}",
        output.status,
        start.elapsed()
    );
    assert!(stderr.contains("checked "), "{stderr}");
}

// ── modules ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn use_brings_names_from_other_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lib/common.accord",
        "/// Sensitive categories.\nlet sensitive = data has any {health, biometric}\nset PARTNERS: Jurisdiction = { DE, FR }\n",
    );
    let main = write(
        dir.path(),
        "main.accord",
        r#"use "lib/common.accord"
regime m "M" {
  home SG
  rule r "R" cite "Art. 1" when sensitive and destination in PARTNERS then require explicit_consent
  default permit
}
"#,
    );
    let run = check_file(&main);
    run.code(0);
    assert_eq!(run.summary(), "checked 1 file: no problems");

    // Without the `use`, the same names are unknown.
    let alone = write(
        dir.path(),
        "alone.accord",
        std::fs::read_to_string(&main).unwrap().replace("use \"lib/common.accord\"\n", ""),
    );
    check_file(&alone).code(1).stderr_has("error[E0101]").stderr_has("`sensitive`");
}

#[test]
fn problems_in_used_files_are_reported_against_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lib/broken.accord", "let oops = data has nosuch\n");
    let main = write(
        dir.path(),
        "main.accord",
        "use \"lib/broken.accord\"\nregime m \"M\" {\n  home SG\n  rule r \"R\" cite \"Art. 1\" when oops then permit\n}\n",
    );
    check_file(&main).code(1).stderr_has("broken.accord:1:21").stderr_has("`nosuch`");
}

#[test]
fn use_of_a_missing_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(dir.path(), "main.accord", format!("use \"nowhere.accord\"\n{CLEAN}"));
    check_file(&main).code(1).stderr_has("error[E0102]").stderr_has("cannot find module `nowhere.accord`");
}

#[test]
fn use_cycle_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.accord", "use \"b.accord\"\nlet from_a = data has health\n");
    write(dir.path(), "b.accord", "use \"a.accord\"\nlet from_b = data has health\n");
    // From one root, from a directory (both are roots), and with both named.
    for args in [&["check", "a.accord"][..], &["check"], &["check", "."], &["check", "b.accord", "a.accord"]] {
        let run = run_in(Some(dir.path()), args);
        run.code(1).stderr_has("modules use each other in a cycle").stderr_has("the cycle: ");
        assert_eq!(
            count(&run.stderr, "error[E0103]"),
            1,
            "`{}`: the cycle is reported exactly once:\n{}",
            run.what,
            run.stderr
        );
    }
    let run = run_in(Some(dir.path()), &["check", "a.accord"]);
    run.stderr_has("the cycle: a.accord → b.accord → a.accord");
    // A file that uses itself is the smallest cycle.
    let own = write(dir.path(), "self/own.accord", "use \"own.accord\"\nlet x = data has health\n");
    let run = check_file(&own);
    run.code(1).stderr_has("error[E0103]");
    assert_eq!(count(&run.stderr, "error[E0103]"), 1, "{}", run.stderr);
}

// ── hostile input: a clear diagnostic and exit 1, never a crash or a hang ──────────────────

#[test]
fn empty_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in
        [("empty.accord", ""), ("blank.accord", "\n\n   \t\n"), ("comments.accord", "// nothing\n// here\n")]
    {
        let path = write(dir.path(), name, text);
        let run = check_file(&path);
        run.code(1).stderr_has("error[E0005]").stderr_has("file holds no declarations").stderr_has(name);
        assert_eq!(run.summary(), "checked 1 file: 1 error, 0 warnings");
    }
}

/// An ELF header and a block of pseudo-random bytes.
fn binary_garbage() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00".to_vec();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..65_536 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.push(state.to_le_bytes()[0]);
    }
    bytes
}

#[test]
fn binary_garbage_is_reported_as_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = binary_garbage();
    let offset = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
    let path = write(dir.path(), "program.accord", bytes);
    let run = check_file(&path);
    run.code(1)
        .stderr_has("error[E0002]")
        .stderr_has(&format!("file is not valid UTF-8 (first bad byte at offset {offset})"))
        .stderr_has("program.accord");
    assert_eq!(run.summary(), "checked 1 file: 1 error, 0 warnings");
}

/// Diagnostics quote the offending line. For binary input that line is raw bytes: control
/// characters (NUL, ESC, …) written to a terminal can garble or reprogram it, so they must not
/// be echoed as they are.
#[test]
fn binary_garbage_does_not_echo_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    // NULs, an escape sequence that would clear a terminal and set its title, then a bad byte.
    let mut bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00 \x1b[2J\x1b]0;pwned\x07 \x08\x08 \xff".to_vec();
    bytes.extend(binary_garbage());
    let path = write(dir.path(), "program.accord", bytes);
    let run = check_file(&path);
    run.code(1).stderr_has("error[E0002]");
    let bad: Vec<char> = run.stderr.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(
        bad.is_empty(),
        "stderr echoes {} control characters from the input, e.g. {:?}",
        bad.len(),
        &bad[..bad.len().min(8)]
    );
}

#[test]
fn invalid_utf8_is_reported_at_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = CLEAN.as_bytes().to_vec();
    let at = CLEAN.find("A tiny").unwrap();
    bytes.splice(at..at, [0xC3, 0x28]); // a lead byte followed by a non-continuation byte
    let path = write(dir.path(), "latin1.accord", bytes);
    let run = check_file(&path);
    run.code(1)
        .stderr_has("error[E0002]")
        .stderr_has(&format!("first bad byte at offset {at}"))
        .stderr_has("latin1.accord:1:14")
        .stderr_has("re-save the file as UTF-8");
    // A file cut in the middle of a multi-byte character.
    let path = write(dir.path(), "cut.accord", [CLEAN.as_bytes(), &[0xE2, 0x82]].concat());
    check_file(&path).code(1).stderr_has(&format!("first bad byte at offset {}", CLEAN.len()));
}

#[test]
fn parentheses_nested_20000_deep() {
    let dir = tempfile::tempdir().unwrap();
    let condition = format!("{}data has health{}", "(".repeat(20_000), ")".repeat(20_000));
    let path = write(dir.path(), "parens.accord", regime_with_condition(&condition));
    let run = check_file(&path);
    run.code(1).stderr_has("error[E0003]").stderr_has("more than 64 levels deep").stderr_has("parens.accord:4:73");
    assert_eq!(run.summary(), "checked 1 file: 1 error, 0 warnings");
}

#[test]
fn twenty_thousand_nots() {
    let dir = tempfile::tempdir().unwrap();
    let condition = format!("{}data has health", "not ".repeat(20_000));
    let path = write(dir.path(), "nots.accord", regime_with_condition(&condition));
    let run = check_file(&path);
    run.code(1).stderr_has("error[E0003]").stderr_has("nots.accord:4:10");
    assert_eq!(run.summary(), "checked 1 file: 1 error, 0 warnings");
    // There is not one bracket in the condition: the message must say what is too deep.
    run.stderr_has("`not`").stderr_lacks("brackets nest");
}

#[test]
fn braces_nested_20000_deep() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "braces.accord", "{".repeat(20_000));
    let run = check_file(&path);
    run.code(1).stderr_has("error[E0003]").stderr_has("more than 64 levels deep").stderr_has("braces.accord:1:65");
    // Inside a regime, mixed with parentheses, and closed again.
    let mixed = format!("regime r \"R\" {{ home SG {}{} }}", "{(".repeat(10_000), ")}".repeat(10_000));
    let path = write(dir.path(), "mixed.accord", mixed);
    check_file(&path).code(1).stderr_has("error[E0003]");
}

/// 50 MB of valid rules: over the 16 MiB limit, so rejected without being read in full.
#[test]
fn fifty_megabyte_file_is_rejected_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.accord");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        file.write_all(b"regime huge \"Huge\" {\n  home SG\n").unwrap();
        let mut written = 0usize;
        let mut i = 0usize;
        while written < 50 * 1000 * 1000 {
            let rule = format!(
                "  rule r{i} \"Rule {i}\" cite \"Act s{i}\" when individuals_ytd >= {i} then require explicit_consent\n"
            );
            file.write_all(rule.as_bytes()).unwrap();
            written += rule.len();
            i += 1;
        }
        file.write_all(b"  default permit\n}\n").unwrap();
    }
    assert!(std::fs::metadata(&path).unwrap().len() > 50_000_000);
    let run = check_file(&path);
    run.code(1)
        .stderr_has("error[E0004]")
        .stderr_has("file is larger than 16 MiB, the most Accord reads")
        .stderr_has("huge.accord");
    assert_eq!(run.summary(), "checked 1 file: 1 error, 0 warnings");
    assert!(run.elapsed < Duration::from_secs(10), "rejecting a huge file took {:?}", run.elapsed);
}

/// The same, with the address space capped: a regression that reads or parses the whole file
/// would need far more than this.
#[cfg(target_os = "linux")]
#[test]
fn fifty_megabyte_file_is_rejected_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.accord");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let rule = b"rule r \"R\" cite \"C\" when individuals_ytd >= 1 then permit\n";
        for _ in 0..(50 * 1000 * 1000 / rule.len() + 1) {
            file.write_all(rule).unwrap();
        }
    }
    let binary = assert_cmd::cargo::cargo_bin!("accord");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 400000 && exec \"$0\" check \"$1\"")
        .arg(binary)
        .arg(&path)
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT);
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "with 400 MB of address space: {}", head(&stderr));
    assert!(stderr.contains("error[E0004]"), "{}", head(&stderr));
}

/// 10,000 rules on disjoint bands of a count: valid, nothing shadowed, so no problems at all.
/// Their diagrams outgrow verification's first budget, so overlaps are not searched for, and a
/// note says so.
#[test]
fn ten_thousand_rules_check_clean() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("/// A large regime.\nregime big \"Ten thousand rules\" {\n  home SG\n");
    let mechanisms = ["explicit_consent", "sg_contract", "sg_bcr", "apec_cbpr"];
    for i in 0..10_000 {
        let mechanism = mechanisms[i % mechanisms.len()];
        let (lo, hi) = (i * 10, i * 10 + 10);
        text.push_str(&format!(
            "  /// Rule {i}.\n  rule r{i} \"Rule {i}\" cite \"Act s{i}\"\n    when individuals_ytd in {lo}..{hi} and (data has health or destination in {{DE, FR}})\n    then require {mechanism}\n",
        ));
    }
    text.push_str("  default permit\n}\n");
    let path = write(dir.path(), "big.accord", text);
    let run = check_file(&path);
    run.code(0);
    assert_eq!(run.summary(), "checked 1 file: no problems, 1 note");
    assert!(run.stderr.contains("note[I0307]: overlaps between the rules of regime `big` were not checked"));
}

/// 1,000 rules where each is covered by the rules before it: valid (exit 0), one warning per
/// shadowed rule, and output and time that grow with the number of rules, not its square.
#[test]
fn a_thousand_shadowed_rules_finish_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("regime big \"Shadowed rules\" {\n  home SG\n");
    for i in 0..1_000 {
        text.push_str(&format!(
            "  rule r{i} \"Rule {i}\" cite \"Act s{i}\" when individuals_ytd >= {i} and data has health then permit\n"
        ));
    }
    text.push_str("  default permit\n}\n");
    let path = write(dir.path(), "shadowed.accord", text);
    let run = check_file(&path);
    run.code(0);
    assert_eq!(run.summary(), "checked 1 file: 0 errors, 999 warnings");
    assert!(
        run.stderr.len() < 2_000_000,
        "{} bytes of diagnostics for 999 warnings on a 100 KB file",
        run.stderr.len()
    );
}

#[test]
fn one_megabyte_identifier_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "long.accord", "a".repeat(1 << 20));
    let run = check_file(&path);
    run.code(1).stderr_has("error[E0001]").stderr_has("long.accord:1:1");
    assert_eq!(run.summary(), "checked 1 file: 1 error, 0 warnings");
    // The message must say what was expected instead of a bare name.
    run.stderr_has("expected a declaration").stderr_lacks("expected something else");
}

#[test]
fn lone_identifier_says_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "word.accord", "hello\n");
    check_file(&path)
        .code(1)
        .stderr_has("error[E0001]")
        .stderr_has("expected a declaration")
        .stderr_lacks("something else");
}

#[test]
fn one_megabyte_identifier_inside_a_rule() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x".repeat(1 << 20);
    let path = write(dir.path(), "long.accord", regime_with_condition(&name));
    check_file(&path).code(1).stderr_has("error[E0101]").stderr_has("long.accord:4:10");
}

// ── JSON ────────────────────────────────────────────────────────────────────────────────────

fn assert_summary(json: &Value, files: u64, errors: u64, warnings: u64) {
    let summary = &json["summary"];
    assert_eq!(summary["files"], files, "{json:#}");
    assert_eq!(summary["errors"], errors, "{json:#}");
    assert_eq!(summary["warnings"], warnings, "{json:#}");
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["diagnostics", "format", "summary"], "top-level keys");
    assert_eq!(json["format"], "accord.diagnostics/1");
}

#[test]
fn json_clean_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "clean.accord", CLEAN);
    let run = run(&["check", path.to_str().unwrap(), "--error-format", "json"]);
    run.code(0);
    let json = run.json();
    assert_eq!(json["diagnostics"], Value::Array(Vec::new()));
    assert_summary(&json, 1, 0, 0);
    assert_eq!(run.stderr, "", "JSON mode prints nothing to stderr");
}

#[test]
fn json_errors_and_warnings_have_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let text = UNKNOWN_FACT.replace("  home SG\n", "  home SG\n  let unused = data has health\n");
    let path = write(dir.path(), "bad.accord", &text);
    let run = run(&["check", "--error-format", "json", path.to_str().unwrap()]);
    run.code(1);
    let json = run.json();
    assert_summary(&json, 1, 1, 1);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 2, "{json:#}");

    let warning = &diagnostics[0];
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["code"], "W0201");

    let error = &diagnostics[1];
    assert_eq!(error["severity"], "error");
    assert_eq!(error["code"], "E0101");
    assert_eq!(error["message"], "unknown fact `destinaton`");
    assert_eq!(error["help"], "did you mean `destination`?");
    assert!(error["notes"].is_array());
    let span = &error["span"];
    assert_eq!(span["file"], path.to_str().unwrap());
    assert_eq!(span["line"], 5);
    assert_eq!(span["column"], 10);
    let (start, end) = (span["start"].as_u64().unwrap() as usize, span["end"].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "destinaton", "span offsets are byte offsets into the file");
    let labels = error["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0]["start"], span["start"]);
    assert_eq!(labels[0]["end"], span["end"]);
    assert_eq!(labels[0]["file"], span["file"]);
    assert_eq!(labels[0]["message"], "not declared");
    for d in diagnostics {
        for key in ["severity", "code", "message", "span", "labels", "help", "notes"] {
            assert!(d.get(key).is_some(), "diagnostic without `{key}`: {d:#}");
        }
    }
}

#[test]
fn json_warning_only_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "warn.accord", WARNING_ONLY);
    let run = run(&["check", path.to_str().unwrap(), "--error-format=json"]);
    run.code(0);
    let json = run.json();
    assert_summary(&json, 1, 0, 1);
    assert_eq!(json["diagnostics"][0]["code"], "W0201");
}

#[test]
fn json_for_hostile_input_is_still_one_document() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "binary.accord", binary_garbage());
    write(dir.path(), "empty.accord", "");
    write(dir.path(), "deep.accord", "(".repeat(20_000));
    write(dir.path(), "syntax.accord", "regime r \"R\" { home SG rule a \"A\" cite \"C\" when then permit }");
    let run = run(&["check", "--error-format", "json", dir.path().to_str().unwrap()]);
    run.code(1);
    let json = run.json();
    assert_summary(&json, 4, 4, 0);
    let mut codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["E0001", "E0002", "E0003", "E0005"]);
}

/// Input problems that are not diagnostics (a missing path) still give tools one JSON
/// document on stdout, with the same exit code.
#[test]
fn json_missing_path_still_prints_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.accord");
    let run = run(&["check", "--error-format", "json", missing.to_str().unwrap()]);
    run.code(1).stderr_has("missing.accord");
    let json = run.json();
    assert!(json["diagnostics"].is_array() && json["summary"].is_object(), "{json:#}");
}

#[test]
fn json_cycle_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.accord", "use \"b.accord\"\nlet from_a = data has health\n");
    write(dir.path(), "b.accord", "use \"a.accord\"\nlet from_b = data has health\n");
    let run = run(&["check", "--error-format", "json", dir.path().to_str().unwrap()]);
    run.code(1);
    let json = run.json();
    let cycles = json["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "E0103").count();
    assert_eq!(cycles, 1, "{json:#}");
}

// ── weights ─────────────────────────────────────────────────────────────────────────────────

/// Two regimes that differ only on health data (`left` prohibits it), and a third with the
/// other home, for corridors.
const HEALTH_PAIR: &str = r#"regime left "Left" {
  home SG
  rule h "Health" cite "s1" when data has health then prohibit
  default permit
}
regime right "Right" {
  home SG
  default permit
}
regime far "Far" {
  home MY
  default permit
}
"#;

/// Weights under which health data is in half of all transfers and every transfer carries
/// personal data (so every point is consistent): the pair then agrees on exactly half.
const HALF_HEALTH: &str = r#"[{"fact": "data", "title": "Half health", "cite": ["[interp] a test"],
  "shares": {"kind": "presence", "members": {"health": 0.5, "personal": 1}, "others": 0}}]"#;

/// How many destinations a report's `destination` column has (each weighs alike under the
/// standard weights).
fn destinations(report: &Value) -> f64 {
    let columns = report["columns"].as_array().unwrap();
    let column = columns.iter().find(|c| c["fact"] == "destination").unwrap();
    column["domain"].as_array().unwrap().len() as f64
}

fn weights_fixture() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "pair.accord", HEALTH_PAIR);
    let weights = write(dir.path(), "half.json", HALF_HEALTH);
    (dir, rules.to_str().unwrap().to_owned(), weights.to_str().unwrap().to_owned())
}

/// `--weights` replaces the standard weights in diff, matrix and corridor. By hand: half of
/// the transfers carry health data, and destinations weigh alike (n of them, the home among
/// them, where both sides are out of scope), so the pair differs on 1/2 (n - 1)/n; the
/// corridor runs only to MY, so its flow there is blocked on exactly half. Without the flag
/// the standard weights give other figures.
#[test]
fn weights_file_sets_the_measure_of_every_comparison() {
    let (_dir, rules, weights) = weights_fixture();
    let (left, right, far) = (format!("{rules}#left"), format!("{rules}#right"), format!("{rules}#far"));
    let with = run(&["diff", &left, &right, "--format", "json", "--weights", &weights]);
    let with = with.code(0).json();
    let n = destinations(&with);
    let expected = 1.0 - 0.5 * (n - 1.0) / n;
    let close = |v: &Value| (v.as_f64().unwrap() - expected).abs() < 1e-12;
    assert!(close(&with["totals"]["agreement"]), "{:#} against {expected}", with["totals"]);
    let listed: Vec<&str> = with["weights"].as_array().unwrap().iter().map(|w| w["title"].as_str().unwrap()).collect();
    assert!(listed.contains(&"Half health"), "{listed:?}");
    let without = run(&["diff", &left, &right, "--format", "json"]).code(0).json();
    let standard = without["totals"]["agreement"].as_f64().unwrap();
    assert!(standard > 0.9 && standard < 1.0, "standard weights give {standard}");

    let matrix = run(&["matrix", &left, &right, "--format", "json", "--weights", &weights]).code(0).json();
    assert!(close(&matrix["agreement"][0][1]), "{matrix:#}");
    let corridor = run(&["corridor", &left, &far, "--format", "json", "--weights", &weights]).code(0).json();
    assert_eq!(corridor["totals"]["blocked"], 0.5, "{:#}", corridor["totals"]);
    assert_eq!(corridor["totals"]["nothing_needed"], 0.5, "{:#}", corridor["totals"]);
    let text = run(&["diff", &left, &right, "--weights", &weights]).code(0).stdout.clone();
    assert!(text.contains("50.2% agreement") && text.contains("data: Half health"), "{text}");
}

/// Two regimes that weigh a fact differently cannot be compared until `--weights` settles it.
#[test]
fn regimes_with_their_own_weights_need_one_measure() {
    let dir = tempfile::tempdir().unwrap();
    let own = HEALTH_PAIR.replacen(
        "  default permit\n}\nregime right",
        "  weigh data \"Health everywhere\" { cite \"[interp] a test\" health 1 others 0.5 }\n  default permit\n}\nregime right",
        1,
    );
    let rules = write(dir.path(), "own.accord", own);
    let weights = write(dir.path(), "half.json", HALF_HEALTH);
    let rules = rules.to_str().unwrap();
    let table = run(&["compile", &format!("{rules}#left"), "--format", "json"]).code(0).json();
    let data = table["weights"].as_array().unwrap().iter().find(|w| w["fact"] == "data").unwrap();
    assert_eq!(data["title"], "Health everywhere");
    let (left, right) = (format!("{rules}#left"), format!("{rules}#right"));
    run(&["diff", &left, &right]).code(1).stderr_has("weigh `data` differently").stderr_has("--weights");
    let settled = run(&["diff", &left, &right, "--format", "json", "--weights", weights.to_str().unwrap()]);
    let settled = settled.code(0).json();
    let listed = settled["weights"].as_array().unwrap().iter().find(|w| w["fact"] == "data").unwrap().clone();
    assert_eq!(listed["title"], "Half health");
}

/// A weights file that is not a distribution over the regimes' facts is refused, naming the
/// entry and the problem.
#[test]
fn bad_weights_files_are_refused_with_the_entry() {
    let (dir, rules, _) = weights_fixture();
    let (left, right) = (format!("{rules}#left"), format!("{rules}#right"));
    let cases = [
        ("not json", "{", "not JSON"),
        (
            "unknown fact",
            r#"[{"fact": "dat", "title": "t", "cite": ["c"], "shares": {"kind": "bool", "true_share": 0.5}}]"#,
            "no fact `dat`",
        ),
        (
            "unknown member",
            r#"[{"fact": "data", "title": "t", "cite": ["c"], "shares": {"kind": "presence", "members": {"helth": 0.5}, "others": 0.1}}]"#,
            "`helth` is not a value",
        ),
        (
            "not one",
            r#"[{"fact": "individuals_ytd", "title": "t", "cite": ["c"], "shares": {"kind": "counts", "bands": [{"from": 0, "until": 10, "share": 0.5}]}}]"#,
            "add up to 0.5, not 1",
        ),
        (
            "wrong kind",
            r#"[{"fact": "data", "title": "t", "cite": ["c"], "shares": {"kind": "bool", "true_share": 0.5}}]"#,
            "`presence`",
        ),
        (
            "twice",
            &format!(
                "[{0}, {0}]",
                r#"{"fact": "flag", "title": "t", "cite": ["c"], "shares": {"kind": "bool", "true_share": 0.5}}"#
                    .replace("flag", "data_collected_abroad")
            ),
            "weight 2: `data_collected_abroad`",
        ),
    ];
    for (name, text, expected) in cases {
        let file = write(dir.path(), &format!("{}.json", name.replace(' ', "_")), text);
        run(&["diff", &left, &right, "--weights", file.to_str().unwrap()]).code(1).stderr_has(expected);
    }
    let missing = dir.path().join("missing.json");
    run(&["diff", &left, &right, "--weights", missing.to_str().unwrap()]).code(1).stderr_has("cannot read");
}

// ── --fail-on ───────────────────────────────────────────────────────────────────────────────

/// `--fail-on` exits 4 exactly when the report shows what it names, and prints the report
/// all the same. In the health pair, `left` prohibits health data that `right` permits: left
/// is stricter, never right; `far` permits everything from another home.
#[test]
fn fail_on_exits_4_exactly_when_the_comparison_finds_it() {
    let (_dir, rules, _) = weights_fixture();
    let side = |id: &str| format!("{rules}#{id}");
    let (left, right, far) = (side("left"), side("right"), side("far"));
    let diff = |a: &str, b: &str, what: &str| run(&["diff", a, b, "--fail-on", what]);
    diff(&left, &right, "any").code(4).stdout_has("agreement").stderr_has("--fail-on");
    diff(&left, &right, "stricter").code(0);
    diff(&right, &left, "stricter").code(4).stderr_has("is stricter than");
    diff(&left, &left, "any").code(0).stdout_has("100% agreement");
    run(&["matrix", &left, &right, "--fail-on", "any"]).code(4).stderr_has("regimes disagree in 1 pair");
    run(&["matrix", &left, &left, "--fail-on", "any"]).code(0);
    run(&["corridor", &left, &far, "--fail-on", "blocked"]).code(4).stderr_has("blocked one way");
    run(&["corridor", &left, &far, "--fail-on", "gap"]).code(4);
    run(&["corridor", &right, &far, "--fail-on", "gap"]).code(0);
    run(&["corridor", &right, &far, "--fail-on", "blocked"]).code(0);
    run(&["diff", &left, &right, "--fail-on", "some"]).code(2);
}

/// Two regimes that differ only in the clauses they require for health data: `a` the ASEAN
/// clauses, `b` a Singapore contract.
const BRIDGE_PAIR: &str = r#"regime a "A" {
  home SG
  rule r "Health" cite "s1" when data has health then require asean_mcc
  default permit
}
regime b "B" {
  home SG
  rule r "Health" cite "s1" when data has health then require sg_contract
  default permit
}
"#;

/// `--accord FILE#ID` applies an accord from a file: here `b` accepts the ASEAN clauses that
/// `a` requires, so where both require something (health data) one mechanism meets both. By
/// hand, under the half-health weights that is half of the transfers outside the home,
/// 1/2 (n - 1)/n, and the outcomes stay different (nothing is resolved).
#[test]
fn an_accord_bridges_where_one_mechanism_meets_both() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "bridge.accord",
        format!(
            "{BRIDGE_PAIR}{}",
            r#"accord bridge "B takes the ASEAN clauses" {
  cite "a test"
  b accepts asean_mcc as sg_contract
}
"#
        ),
    );
    let weights = write(dir.path(), "half.json", HALF_HEALTH);
    let rules = rules.to_str().unwrap();
    let (a, b) = (format!("{rules}#a"), format!("{rules}#b"));
    let args = |extra: &[&str]| {
        let mut v = vec!["diff", a.as_str(), b.as_str(), "--format", "json", "--weights", weights.to_str().unwrap()];
        v.extend_from_slice(extra);
        run(&v).code(0).json()
    };
    let plain = args(&[]);
    assert_eq!(plain["totals"]["bridged"], 0.0, "{:#}", plain["totals"]);
    let accord = format!("{rules}#bridge");
    let bridged = args(&["--accord", &accord]);
    let n = destinations(&bridged);
    let expected = 0.5 * (n - 1.0) / n;
    let got = bridged["totals"]["bridged"].as_f64().unwrap();
    assert!((got - expected).abs() < 1e-12, "bridged {got}, by hand {expected}");
    assert_eq!(bridged["totals"]["resolved"], 0.0);
    assert_eq!(bridged["groups"][0]["bridged_by"], json!(["asean_mcc"]));
    let text = run(&["diff", &a, &b, "--accord", &accord]).code(0).stdout.clone();
    assert!(text.contains("(bridged)") && text.contains("`asean_mcc` alone meets both"), "{text}");
}

/// `matrix --accords` applies the standard accords to every pair: its bridged cell is the
/// bridged share `diff --accords` reports for the pair, and without the flag the accord that
/// bridges EU and Japan (Japan's reading of SCCs and BCRs) is not applied.
#[test]
fn matrix_accords_bridge_as_the_diff_does() {
    let without = run(&["matrix", "eu", "jp", "--format", "json"]).code(0).json();
    let with = run(&["matrix", "eu", "jp", "--accords", "--format", "json"]).code(0).json();
    let diff = run(&["diff", "eu", "jp", "--accords", "--format", "json", "--by-rules"]).code(0).json();
    let plain = run(&["diff", "eu", "jp", "--format", "json", "--by-rules"]).code(0).json();
    assert_eq!(with["bridged"][0][1], diff["totals"]["bridged"]);
    assert_eq!(without["bridged"][0][1], plain["totals"]["bridged"]);
    assert!(with["bridged"][0][1].as_f64().unwrap() > without["bridged"][0][1].as_f64().unwrap(), "{with:#}");
    assert!(with["accords"].as_array().unwrap().iter().any(|a| a == "jp_contract_or_internal_rules"));
}

// ── --inventory ─────────────────────────────────────────────────────────────────────────────

/// `diff --inventory` counts real transfers: in the health pair only health data is decided
/// differently, so of the five transfers decided, the two with health data differ (left
/// stricter); a line with a typo, one that is not JSON and one that is not an object are
/// refused by number, blank lines skipped, and the exit is 1 with the report printed.
#[test]
fn inventory_counts_transfers_and_lists_the_lines_it_refuses() {
    let (dir, rules, _) = weights_fixture();
    let (left, right) = (format!("{rules}#left"), format!("{rules}#right"));
    let lines = [
        r#"{"destination": "US", "data": ["personal"]}"#,
        r#"{"destination": "US", "data": ["personal", "health"]}"#,
        "",
        r#"{"destination": "US", "dat": ["personal"]}"#,
        r#"{"destination": "JP", "data": ["health"]}"#,
        "{not json",
        r#"{"destination": "CN"}"#,
        "[1, 2]",
        r#"{"destination": "DE", "data": ["personal"], "date": "2024-01-01"}"#,
    ];
    let file = write(dir.path(), "inventory.jsonl", lines.join("\n") + "\n");
    let run = run(&["diff", &left, &right, "--inventory", file.to_str().unwrap(), "--format", "json"]);
    run.code(1).stderr_has("3 of 8 lines").stderr_has("line 4");
    let inv = run.json();
    assert_eq!(inv["format"], "accord.inventory/1");
    assert_eq!((inv["lines"].as_u64(), inv["transfers"].as_u64()), (Some(8), Some(5)));
    assert_eq!(inv["agreement"], 0.6);
    assert_eq!(inv["a_stricter"], 0.4);
    assert_eq!(inv["groups"][0]["lines"], json!([2, 5]));
    let refused: Vec<u64> = inv["refused"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(refused, [4, 6, 8]);
    assert!(inv["refused"][0]["problem"].as_str().unwrap().contains("dat"), "{:#}", inv["refused"]);
}

/// An independent oracle: every line of a generated inventory decided by `accord eval` on
/// each standard regime (from its own home, so without `origin`); the inventory diff's groups
/// hold exactly the lines where the two verdicts or requirements differ, each in the group of
/// its two outcomes.
#[test]
fn inventory_agrees_with_eval_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let destinations = ["US", "DE", "JP", "SG", "CN", "IN", "BR", "KR"];
    let data =
        [&["personal"][..], &["personal", "health"], &[], &["personal", "important"], &["personal", "biometric"]];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    };
    let mut lines = Vec::new();
    for _ in 0..600 {
        let counts = [0, 5_000, 120_000, 1_500_000];
        let date = ["2023-06-01", "2025-06-01"][next(2)];
        lines.push(json!({
            "destination": destinations[next(destinations.len())],
            "data": data[next(data.len())],
            "individuals_ytd": counts[next(counts.len())],
            "sensitive_individuals_ytd": counts[next(counts.len())],
            "date": date,
        }));
    }
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let file = write(dir.path(), "generated.jsonl", &text);
    let inv = run(&["diff", "cn", "eu", "--inventory", file.to_str().unwrap(), "--format", "json"]).code(0).json();
    let decide = |regime: &str| -> Vec<(Value, Vec<Vec<String>>)> {
        let out = accord().args(["eval", regime, "--input", file.to_str().unwrap()]).output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let d: Value = serde_json::from_str(l).unwrap();
                let groups: Vec<Vec<String>> = serde_json::from_value(d["require"].clone()).unwrap_or_default();
                (d["verdict"].clone(), common::canonical(&groups))
            })
            .collect()
    };
    let (cn, eu) = (decide("cn"), decide("eu"));
    assert_eq!((cn.len(), eu.len()), (600, 600));
    let expected: Vec<u64> = (0..600).filter(|&i| cn[i] != eu[i]).map(|i| i as u64 + 1).collect();
    let mut listed: Vec<u64> = inv["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["lines"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()))
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, expected);
    for g in inv["groups"].as_array().unwrap() {
        for l in g["lines"].as_array().unwrap() {
            let i = l.as_u64().unwrap() as usize - 1;
            assert_eq!((&g["a"]["verdict"], &g["b"]["verdict"]), (&cn[i].0, &eu[i].0), "line {}", i + 1);
            let groups =
                |o: &Value| -> Vec<Vec<String>> { serde_json::from_value(o["require"].clone()).unwrap_or_default() };
            assert_eq!((groups(&g["a"]), groups(&g["b"])), (cn[i].1.clone(), eu[i].1.clone()), "line {}", i + 1);
        }
    }
    assert!(!expected.is_empty() && expected.len() < 600, "{} lines differ", expected.len());
}

/// An accord may carry several effective ranges (an arrangement that lapsed and returned): it
/// acts on transfers dated in any of them. Pinned to a date, the bridge is there or not; over
/// every date, the bridged share is the pinned one times the weight of the dates in range
/// (the standard weight is even over 2020-2026, so only the second range counts).
#[test]
fn an_accord_with_two_ranges_acts_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "ranges.accord",
        format!(
            "{BRIDGE_PAIR}{}",
            r#"accord twice "In force, lapsed, in force again" {
  cite "a test"
  effective 2019-01-01..2020-01-01
  effective 2022-01-01..
  b accepts asean_mcc as sg_contract
}
"#
        ),
    );
    let weights = write(dir.path(), "half.json", HALF_HEALTH);
    let rules = rules.to_str().unwrap();
    let accord = format!("{rules}#twice");
    let bridged = |on: &str| {
        let (a, b) = (format!("{rules}#a{on}"), format!("{rules}#b{on}"));
        let args = ["diff", &a, &b, "--accord", &accord, "--format", "json", "--weights", weights.to_str().unwrap()];
        run(&args).code(0).json()["totals"]["bridged"].as_f64().unwrap()
    };
    let pinned = bridged("@2019-06-01");
    assert!(pinned > 0.4, "{pinned}");
    assert_eq!(bridged("@2021-06-01"), 0.0);
    assert_eq!(bridged("@2023-06-01"), pinned);
    let day = |d: &str| accord::date::Date::parse(d).unwrap().days() as f64;
    let in_range = (day("2027-01-01") - day("2022-01-01")) / (day("2027-01-01") - day("2020-01-01"));
    let every = bridged("");
    assert!((every - pinned * in_range).abs() < 1e-12, "{every} against {}", pinned * in_range);
    let text = run(&["diff", &format!("{rules}#a"), &format!("{rules}#b"), "--accord", &accord]).code(0).stdout.clone();
    assert!(text.contains("from 2019-01-01 until 2020-01-01, and from 2022-01-01"), "{text}");
}

/// `when …` limits an accord to the transfers it describes. Under the half-health weights,
/// with destinations alike, the unscoped bridge covers 1/2 (n - 1)/n (every destination but
/// the home); limited to transfers to the US it covers 1/2 · 1/n; limited by `origin` it acts
/// where the side's home is that origin (each regime is read from its own home), so `origin ==
/// SG` changes nothing here and `origin == MY` leaves no bridge.
#[test]
fn a_scoped_accord_acts_only_inside_its_scope() {
    let dir = tempfile::tempdir().unwrap();
    let accord = |id: &str, when: &str| {
        format!("accord {id} \"A test\" {{\n  cite \"a test\"\n  {when}\n  b accepts asean_mcc as sg_contract\n}}\n")
    };
    let text = format!(
        "{BRIDGE_PAIR}{}{}{}",
        accord("to_us", "when destination == US"),
        accord("from_sg", "when origin == SG"),
        accord("from_my", "when origin == MY and data has health")
    );
    let rules = write(dir.path(), "scoped.accord", text);
    let weights = write(dir.path(), "half.json", HALF_HEALTH);
    let rules = rules.to_str().unwrap();
    let (a, b) = (format!("{rules}#a"), format!("{rules}#b"));
    let bridged = |id: &str| {
        let accord = format!("{rules}#{id}");
        let args = ["diff", &a, &b, "--accord", &accord, "--format", "json", "--weights", weights.to_str().unwrap()];
        let d = run(&args).code(0).json();
        let n = destinations(&d);
        (d["totals"]["bridged"].as_f64().unwrap(), n, d)
    };
    let (to_us, n, report) = bridged("to_us");
    assert!((to_us - 0.5 / n).abs() < 1e-12, "{to_us} against {}", 0.5 / n);
    assert!(report["accords"][0]["scope"].is_array(), "{:#}", report["accords"]);
    let (from_sg, n, _) = bridged("from_sg");
    assert!((from_sg - 0.5 * (n - 1.0) / n).abs() < 1e-12, "{from_sg}");
    assert_eq!(bridged("from_my").0, 0.0);
    let inventory = write(dir.path(), "one.jsonl", "{\"destination\": \"US\"}\n");
    run(&["diff", &a, &b, "--accord", &format!("{rules}#to_us"), "--inventory", inventory.to_str().unwrap()])
        .code(1)
        .stderr_has("limited by `when`");
}

/// `--inventory -` reads standard input; a line longer than the 1 MiB a line may hold is
/// refused by number (and the lines after it still read); Markdown and HTML give the groups'
/// counts as the text does.
#[test]
fn inventory_reads_stdin_refuses_long_lines_and_renders_every_format() {
    let (_dir, rules, _) = weights_fixture();
    let (left, right) = (format!("{rules}#left"), format!("{rules}#right"));
    let long = format!("{{\"destination\": \"US\", \"note\": \"{}\"}}", "x".repeat(1 << 21));
    let input = format!(
        "{}\n{long}\n{}\n",
        r#"{"destination": "US", "data": ["personal", "health"]}"#, r#"{"destination": "US", "data": ["personal"]}"#
    );
    let out = accord()
        .args(["diff", &left, &right, "--inventory", "-", "--format", "json"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((inv["lines"].as_u64(), inv["transfers"].as_u64()), (Some(3), Some(2)));
    assert_eq!(inv["source"], "<stdin>");
    assert_eq!(inv["refused"][0]["line"], 2);
    assert!(inv["refused"][0]["problem"].as_str().unwrap().contains("longer than 1 MiB"), "{inv:#}");
    assert_eq!(inv["groups"][0]["lines"], json!([1]));
    for (format, needle) in [("markdown", "| 1 | 50% |"), ("html", "<td class=\"num\">1</td>")] {
        let out = accord()
            .args(["diff", &left, &right, "--inventory", "-", "--format", format])
            .write_stdin(input.clone())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(needle) && text.contains("line 2"), "{format}:\n{text}");
    }
}

/// Indonesia's cascade, reversed or read as plain alternatives, is a difference the report
/// names; the same cascade is none.
#[test]
fn the_same_alternatives_in_another_order_differ() {
    let dir = tempfile::tempdir().unwrap();
    let regime = |id: &str, then: &str| {
        format!(
            "regime {id} \"Cascade\" {{\n  home ID\n  rule r \"Art. 56\" cite \"Art. 56\" when data has personal then {then}\n  default permit\n}}\n"
        )
    };
    let text = [
        regime("statute", "require id_equal_protection, else id_binding_safeguards, else id_consent"),
        regime("same", "require id_equal_protection, else id_binding_safeguards, else id_consent"),
        regime("reversed", "require id_consent, else id_binding_safeguards, else id_equal_protection"),
        regime("plain", "require id_consent or id_binding_safeguards or id_equal_protection"),
    ]
    .concat();
    let rules = write(dir.path(), "cascade.accord", text);
    let side = |id: &str| format!("{}#{id}", rules.to_str().unwrap());
    let json = |b: &str| run(&["diff", &side("statute"), &side(b), "--format", "json"]).code(0).json();
    assert_eq!(json("same")["totals"]["agreement"], 1.0);
    for (other, class) in [("reversed", "incomparable"), ("plain", "a_stricter")] {
        let report = json(other);
        let groups = report["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{other}: {report:#}");
        assert_eq!((&groups[0]["class"], &groups[0]["order_only"]), (&json!(class), &json!(true)), "{other}");
        assert!(report["totals"]["agreement"].as_f64().unwrap() < 1.0);
        let text = run(&["diff", &side("statute"), &side(other)]).code(0).stdout.clone();
        assert!(text.contains("same alternatives, different order"), "{other}:\n{text}");
        assert!(text.contains("id_equal_protection, else id_binding_safeguards, else id_consent"), "{text}");
    }
    // The bundled regime, once its rule is in force, is the statute's order.
    let statute = format!("{}@2026-01-01", side("statute"));
    let bundled = run(&["diff", "id@2026-01-01", &statute, "--format", "json"]).code(0).json();
    assert_eq!(bundled["totals"]["agreement"], 1.0, "{bundled:#}");
}

/// With `--obligations`, a duty that comes with one alternative is compared as such: the
/// standard contract's filing, in any case on one side and upon the contract on the other.
#[test]
fn obligations_upon_an_alternative_are_compared() {
    let dir = tempfile::tempdir().unwrap();
    let regime = |id: &str, upon: &str| {
        format!(
            "regime {id} \"Filing\" {{\n  home CN\n  rule r \"Contract\" cite \"s1\" when data has personal then require cn_standard_contract or cn_certification\n  default permit\n  oblige file_standard_contract \"File\" cite \"s2\"{upon} when data has personal\n}}\n"
        )
    };
    let text = [regime("upon", " upon cn_standard_contract"), regime("always", "")].concat();
    let rules = write(dir.path(), "filing.accord", text);
    let side = |id: &str| format!("{}#{id}", rules.to_str().unwrap());
    let plain = run(&["diff", &side("upon"), &side("always"), "--format", "json"]).code(0).json();
    assert_eq!(plain["totals"]["agreement"], 1.0, "obligations are not compared without the flag");
    let args = ["diff", &side("upon"), &side("always"), "--obligations", "--format", "json"];
    let report = run(&args).code(0).json();
    let groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{report:#}");
    assert_eq!(groups[0]["a"]["if_chosen"], json!({"cn_standard_contract": ["file_standard_contract"]}));
    assert_eq!(groups[0]["b"]["obligations"], json!(["file_standard_contract"]));
    assert_eq!(groups[0]["class"], "b_stricter");
}

/// A CSV inventory is the same transfers as its JSON Lines twin: the same figures, groups and
/// refused records, at the same line numbers (the JSON Lines twin starts with a blank line
/// where the CSV has its header). Read from standard input with `--inventory-format csv`.
#[test]
fn a_csv_inventory_counts_as_its_json_lines_twin() {
    let (dir, rules, _) = weights_fixture();
    let (left, right) = (format!("{rules}#left"), format!("{rules}#right"));
    let csv = "destination,data,date\nUS,personal,\nUS,personal;health,\nJP,health,2025-01-01\nCN,,\nUS,personnal,\nDE,personal,2024-01-01\n";
    let jsonl = [
        "",
        r#"{"destination": "US", "data": ["personal"]}"#,
        r#"{"destination": "US", "data": ["personal", "health"]}"#,
        r#"{"destination": "JP", "data": ["health"], "date": "2025-01-01"}"#,
        r#"{"destination": "CN"}"#,
        r#"{"destination": "US", "data": ["personnal"]}"#,
        r#"{"destination": "DE", "data": ["personal"], "date": "2024-01-01"}"#,
    ]
    .join("\n")
        + "\n";
    let (csv_file, jsonl_file) = (write(dir.path(), "inventory.csv", csv), write(dir.path(), "twin.jsonl", jsonl));
    let report = |path: &Path| {
        let r = run(&["diff", &left, &right, "--inventory", path.to_str().unwrap(), "--format", "json"]);
        r.code(1).stderr_has("line 6");
        let mut json = r.json();
        json["source"] = Value::Null;
        json
    };
    let (from_csv, from_jsonl) = (report(&csv_file), report(&jsonl_file));
    assert_eq!(from_csv, from_jsonl);
    assert_eq!(from_csv["transfers"], 5);
    // From standard input the extension says nothing: the flag does.
    let piped = accord()
        .args(["diff", &left, &right, "--inventory", "-", "--inventory-format", "csv", "--format", "json"])
        .write_stdin(csv)
        .output()
        .unwrap();
    let mut piped: Value = serde_json::from_slice(&piped.stdout).unwrap();
    piped["source"] = Value::Null;
    assert_eq!(piped, from_csv);
    // A header naming no fact is refused before anything is counted.
    let bad = write(dir.path(), "bad.csv", "destinaton,data\nUS,personal\n");
    run(&["diff", &left, &right, "--inventory", bad.to_str().unwrap()])
        .code(1)
        .stderr_has("did you mean `destination`?");
}

/// A standard regime's table, as the binary compiles it.
fn standard(id: &str) -> accord::table::Table {
    accord::table::Table::from_json(&run(&["compile", id, "--format", "json"]).code(0).stdout).unwrap()
}

/// Where two JSON documents first differ, if they do (a report is too long to print whole).
fn first_difference(x: &Value, y: &Value, path: &str) -> Option<String> {
    match (x, y) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| match (a.get(k), b.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q, &format!("{path}.{k}")),
                _ => Some(format!("{path}.{k}: only on one side")),
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]")))
        }
        // A float read back from the printed text may differ in its last bit.
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            ((a - b).abs() > 1e-12 * a.abs().max(1.0)).then(|| format!("{path}: {a} against {b}"))
        }
        _ if x == y => None,
        _ => Some(format!("{path}: {} against {}", head(&x.to_string()), head(&y.to_string()))),
    }
}

/// Each comparison flag reaches the engine as its option: the report the command prints is the
/// one the library (checked against brute force in `tests/diff_oracle.rs`) gives with that
/// option, and differs from the report without it.
#[test]
fn comparison_flags_are_the_options_the_oracle_checks() {
    use accord::analysis::diff::{Options, Reading, Side, given_cells};
    let same = |printed: &Value, computed: &dyn erased::Json, what: &str| {
        if let Some(difference) = first_difference(printed, &computed.json(), "") {
            panic!("{what}: the printed report differs from the library's at {difference}");
        }
    };
    let (jp, kr, sg) = (standard("jp"), standard("kr"), standard("sg"));
    let given = json!({"destination": "US", "data": ["personal", "health"]});
    let plain = Options::default();
    let cases: Vec<(Vec<&str>, Options)> = vec![
        (vec![], plain.clone()),
        (vec!["--obligations"], Options { obligations: true, ..plain.clone() }),
        (vec!["--same-origin"], Options { reading: Reading::SameOrigin, ..plain.clone() }),
        (
            vec!["--given", r#"{"destination": "US", "data": ["personal", "health"]}"#],
            Options { given: given_cells(&[&jp, &kr], &given).unwrap(), ..plain.clone() },
        ),
        (
            vec!["--facts", "data,recipient"],
            Options { facts: Some(vec!["data".into(), "recipient".into()]), ..plain.clone() },
        ),
    ];
    let mut seen: Vec<Value> = Vec::new();
    for (flags, options) in &cases {
        let mut args = vec!["diff", "jp", "kr", "--format", "json"];
        args.extend(flags);
        let printed = run(&args).code(0).json();
        let computed = accord::analysis::diff::diff(Side::new(&jp), Side::new(&kr), options).unwrap();
        same(&printed, &computed, &format!("diff {flags:?}"));
        assert!(!seen.contains(&printed), "diff {flags:?} changes nothing");
        seen.push(printed);
    }
    // The corridor and the matrix read `--obligations` (and the matrix `--same-origin`) alike.
    for obligations in [false, true] {
        let options = Options { obligations, ..plain.clone() };
        let mut args = vec!["corridor", "jp", "kr", "--format", "json"];
        args.extend(obligations.then_some("--obligations"));
        let computed = accord::analysis::corridor::corridor(Side::new(&jp), Side::new(&kr), &options).unwrap();
        same(&run(&args).code(0).json(), &computed, &format!("corridor {args:?}"));
    }
    for (flag, options) in [
        (None, plain.clone()),
        (Some("--obligations"), Options { obligations: true, ..plain.clone() }),
        (Some("--same-origin"), Options { reading: Reading::SameOrigin, ..plain.clone() }),
    ] {
        let mut args = vec!["matrix", "jp", "kr", "sg", "--format", "json"];
        args.extend(flag);
        let sides = [Side::new(&jp), Side::new(&kr), Side::new(&sg)];
        let computed = accord::analysis::matrix::matrix(&sides, &options).unwrap();
        same(&run(&args).code(0).json(), &computed, &format!("matrix {flag:?}"));
    }
}

/// Reports as the JSON the commands print.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}

/// With standard error (or output) closed or full, every command ends with its own exit code:
/// never an abort (134), as `eprintln!` gives when it cannot write.
#[test]
fn a_closed_or_full_stderr_never_aborts() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.json", r#"{"destination": "US", "dat": []}"#);
    let warning = write(dir.path(), "warning.accord", WARNING_ONLY);
    let binary = assert_cmd::cargo::cargo_bin("accord");
    let commands: [(&[&str], i32); 5] = [
        (&["check", "tests/ui"], 1),
        (&["check", warning.to_str().unwrap()], 0),
        (&["test", "tests/ui"], 1),
        (&["eval", "cn", "--scenario", bad.to_str().unwrap()], 1),
        (&["diff", "cn", "eu", "--fail-on", "any", "--format", "json", "--facts", "destination"], 4),
    ];
    let full = || Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
    for (args, code) in commands {
        // A reader that has gone before the first line is written.
        let mut child = std::process::Command::new(&binary)
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        assert_eq!(child.wait().unwrap().code(), Some(code), "{args:?} with standard error closed");
        let status =
            std::process::Command::new(&binary).args(args).stdout(Stdio::null()).stderr(full()).status().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?} with standard error full");
    }
    // A full standard output is a write error, said on standard error: exit 1.
    let out = std::process::Command::new(&binary).args(["compile", "cn"]).stdout(full()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the output"));
}

/// Control characters in a rule file's strings (an escape, a bell, a lone carriage return)
/// never reach the terminal raw: text output, diagnostics and Markdown show them as `\u{1b}`.
#[test]
fn control_characters_in_titles_are_shown_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let title = "Rules \u{1b}[31mred\u{7} and \rback";
    let text = format!(
        "regime demo \"{title}\" {{\n  home SG\n  source \"https://example.org/\u{1b}]8;;x\"\n  \
         rule r \"{title}\" cite \"s1\u{1b}[2J\" when data has health then prohibit\n  default permit\n  \
         example \"{title}\" {{ given {{ destination: US, data: {{health}} }} expect permit }}\n}}\n"
    );
    let twice = format!(
        "regime demo \"Demo\" {{\n  home SG\n  default permit\n  \
         example \"{title}\" {{ given {{ destination: US }} expect permit }}\n  \
         example \"{title}\" {{ given {{ destination: US }} expect permit }}\n}}\n"
    );
    let rules = write(dir.path(), "control.accord", text);
    let twice = write(dir.path(), "twice.accord", twice);
    let rules = rules.to_str().unwrap();
    let runs = [
        run(&["check", twice.to_str().unwrap()]),
        run(&["compile", rules, "--format", "text"]),
        run(&["compile", rules, "--format", "markdown"]),
        run(&["test", rules]),
        run(&["diff", rules, "sg"]),
    ];
    for (i, r) in runs.iter().enumerate() {
        for (stream, out) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            let raw: Vec<char> = out.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\t')).collect();
            assert!(raw.is_empty(), "run {i} writes {raw:?} raw on {stream}:\n{out}");
        }
    }
    // The duplicate example name is in a diagnostic; the title in the table; the failed example
    // in the test report.
    assert!(runs[0].stderr.contains("\\u{1b}[31mred\\u{7}"), "{}", runs[0].stderr);
    assert!(runs[1].stdout.contains("\\u{1b}[31mred\\u{7} and \\u{d}back"), "{}", runs[1].stdout);
    assert!(runs[2].stdout.contains("example.org/\\u{1b}"), "{}", runs[2].stdout);
    assert!(runs[3].stdout.contains("\\u{1b}"), "{}", runs[3].stdout);
}

/// `use "path"` stays inside the directories of the files given, links resolved, unless
/// `--allow-import-outside`; a file that is not a rule file is refused by name, never quoted.
#[test]
fn imports_stay_inside_the_files_given() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "other/shared.accord", "enum Shade { light dark }\n");
    let user = |name: &str, target: &str| {
        write(
            dir.path(),
            &format!("root/{name}"),
            format!("use \"{target}\"\nregime demo \"D\" {{ home SG default permit }}\n"),
        )
    };
    let up = user("up.accord", "../other/shared.accord");
    let absolute = user("absolute.accord", dir.path().join("other/shared.accord").to_str().unwrap());
    write(dir.path(), "root/notes.txt", "TOPSECRET first line\n");
    let text = user("text.accord", "notes.txt");
    std::os::unix::fs::symlink(dir.path().join("other/shared.accord"), dir.path().join("root/link.accord")).unwrap();
    let link = user("via_link.accord", "link.accord");
    for file in [&up, &absolute, &link] {
        run(&["check", file.to_str().unwrap()]).code(1).stderr_has("is outside").stderr_has("--allow-import-outside");
        // Let out, the import is read (and, unused, warned about).
        run(&["check", "--allow-import-outside", file.to_str().unwrap()]).code(0).stderr_has("W0202");
    }
    // The same for the commands that read a regime from a file.
    let regime = format!("{}#demo", up.to_str().unwrap());
    run(&["compile", &regime]).code(1).stderr_has("is outside");
    run(&["compile", &regime, "--allow-import-outside"]).code(0);
    // Inside the root a file is read as before.
    let inside = user("inside.accord", "sub/near.accord");
    write(dir.path(), "root/sub/near.accord", "enum Near { here }\n");
    run(&["check", inside.to_str().unwrap()]).code(0);
    let r = run(&["check", text.to_str().unwrap()]);
    r.code(1).stderr_has("`notes.txt` is not a rule file").stderr_lacks("TOPSECRET");
}

/// The edges a user reaches first: each gets the message and exit code its kind deserves.
#[test]
fn input_edges_get_clear_answers() {
    let dir = tempfile::tempdir().unwrap();
    // A key given twice is named, for one scenario and in a stream (JSON keeps only the last).
    let twice = write(dir.path(), "twice.json", r#"{"destination": "US", "destination": "DE"}"#);
    run(&["eval", "cn", "--scenario", twice.to_str().unwrap()]).code(1).stderr_has("`destination` is given twice");
    let stream =
        write(dir.path(), "twice.jsonl", "{\"destination\": \"US\", \"data\": [], \"data\": [\"personal\"]}\n");
    let out = run(&["eval", "cn", "--input", stream.to_str().unwrap()]);
    out.code(1);
    assert!(out.stdout.contains(r#""line":1,"error":"`data` is given twice"#), "{}", out.stdout);
    // A byte-order mark opens a JSON Lines file or a scenario as it opens a CSV file.
    let marked = write(dir.path(), "bom.jsonl", b"\xEF\xBB\xBF{\"destination\": \"US\"}\n");
    let out = run(&["eval", "cn", "--input", marked.to_str().unwrap()]);
    out.code(0);
    assert!(out.stdout.starts_with(r#"{"regime":"cn","verdict":"permit""#), "{}", out.stdout);
    let marked = write(dir.path(), "bom.json", b"\xEF\xBB\xBF{\"destination\": \"US\"}");
    run(&["eval", "cn", "--scenario", marked.to_str().unwrap()]).code(0);
    // A count past the largest is too large, whatever JSON made of it.
    for count in ["9223372036854775808", "99999999999999999999"] {
        let big = write(dir.path(), "big.json", format!("{{\"destination\": \"US\", \"individuals_ytd\": {count}}}"));
        run(&["eval", "cn", "--scenario", big.to_str().unwrap()])
            .code(1)
            .stderr_has("`individuals_ytd` is larger than any count");
    }
    let fraction = write(dir.path(), "fraction.json", r#"{"destination": "US", "individuals_ytd": 2.5}"#);
    run(&["eval", "cn", "--scenario", fraction.to_str().unwrap()]).code(1).stderr_has("takes a whole number");
    // `compile` reads `REGIME@DATE` as every other command does: a table of that day, hashed
    // as what it says.
    let whole: Value = serde_json::from_str(&run(&["compile", "cn"]).code(0).stdout).unwrap();
    let pinned: Value = serde_json::from_str(&run(&["compile", "cn@2024-06-01"]).code(0).stdout).unwrap();
    let rows = |t: &Value| t["rows"].as_array().unwrap().len();
    assert!(rows(&pinned) < rows(&whole), "{} rows pinned, {} in all", rows(&pinned), rows(&whole));
    assert!(pinned["rows"].as_array().unwrap().iter().all(|r| r["cells"].get("date").is_none()));
    assert!(pinned["columns"].as_array().unwrap().iter().all(|c| c["fact"] != "date"));
    assert_ne!(pinned["hash"], whole["hash"]);
    // A wrong name is said to be wrong, even alone.
    run(&["matrix", "nosuch"]).code(1).stderr_has("no standard regime `nosuch`");
    // A bad `--given` is a bad command line, as a bad `--today` is.
    run(&["diff", "cn", "eu", "--given", "{bad"]).code(2).stderr_has("`--given` is not JSON");
    run(&["diff", "cn", "eu", "--given", r#"{"destinaton": "US"}"#]).code(2).stderr_has("did you mean `destination`?");
    run(&["eval", "cn", "--scenario", "x.json", "--today", "2026-13-01"]).code(2);
}

/// A regime written on one line, with a warning per rule: each diagnostic shows a window of
/// the line around its labels (with `…`), at the real line and column, and a file shows at most
/// ten warnings of one code, then says how many more there are; `--all-warnings` shows them.
#[test]
fn long_lines_are_windowed_and_repeated_warnings_capped() {
    let dir = tempfile::tempdir().unwrap();
    let rules: Vec<String> =
        (0..300).map(|i| format!("rule r{i} \"Rule {i}\" cite \"s{i}\" when data has health then prohibit")).collect();
    let text = format!("regime demo \"Demo\" {{ home SG {} default permit }}\n", rules.join(" "));
    let file = write(dir.path(), "one_line.accord", &text);
    let r = run(&["check", file.to_str().unwrap()]);
    r.code(0).stderr_has("… and 289 more W0304 warnings in").stderr_has("`--all-warnings` shows them");
    assert_eq!(r.stderr.matches("warning[W0304]").count(), 10, "{}", head(&r.stderr));
    let widest = r.stderr.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 300, "a line of {widest} characters:\n{}", head(&r.stderr));
    assert!(r.stderr.contains("…when data has health"), "{}", head(&r.stderr));
    assert_eq!(r.summary(), "checked 1 file: 0 errors, 299 warnings");
    let all = run(&["check", file.to_str().unwrap(), "--all-warnings"]);
    assert_eq!(all.stderr.matches("warning[W0304]").count(), 299);
    // The last rule's warning names its real column, far along the line.
    let column = text.find("rule r299 ").unwrap() + "rule ".len() + 1;
    all.stderr_has(&format!("one_line.accord:1:{column}\n"));
    // JSON has every warning, as tools want.
    let json = run(&["check", file.to_str().unwrap(), "--error-format", "json"]).json();
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 299);
}

// ── Problems as JSON, on every command ──────────────────────────────────────────────────────

/// The one `accord.diagnostics/1` document a failed command printed on stdout, and its codes.
fn problems_document(run: &Run) -> (Value, Vec<String>) {
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("`{}`: stdout is not one JSON document ({e}):\n{}", run.what, run.stdout));
    assert_eq!(json["format"], "accord.diagnostics/1", "{json:#}");
    let codes =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(json["summary"]["errors"], json["diagnostics"].as_array().unwrap().len(), "{json:#}");
    (json, codes)
}

#[test]
fn every_command_reports_input_it_cannot_use_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.accord");
    let missing = missing.to_str().unwrap();
    let scenario = write(dir.path(), "s.json", r#"{"destination":"US"}"#);
    let scenario = scenario.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", missing],
        vec!["compile", "nosuch"],
        vec!["eval", "nosuch", "--scenario", scenario],
        vec!["test", missing],
        vec!["diff", "cn", "nosuch"],
        vec!["corridor", "nosuch", "sg"],
        vec!["matrix", "cn", "nosuch"],
        vec!["fmt", missing],
    ];
    for args in commands {
        // Without the flag, stdout is empty and people read the problem on stderr.
        let human = run(&args);
        human.code(1);
        assert_eq!(human.stdout, "", "`{}` printed on stdout", human.what);
        assert!(human.stderr.contains("nosuch") || human.stderr.contains("missing.accord"), "{}", human.stderr);
        let mut json_args = args.clone();
        json_args.extend(["--error-format", "json"]);
        let run = run(&json_args);
        run.code(1);
        let (json, codes) = problems_document(&run);
        assert_eq!(codes, ["C0001"], "`{}`: {json:#}", run.what);
        let message = json["diagnostics"][0]["message"].as_str().unwrap();
        assert!(message.contains("nosuch") || message.contains("missing.accord"), "{json:#}");
        assert_eq!(json["diagnostics"][0]["span"], Value::Null, "a command's problem has no place in a rule file");
    }
}

#[test]
fn a_bad_command_line_with_json_errors_is_a_usage_document() {
    let run = run(&["matrix", "--no-such-flag", "--error-format", "json"]);
    run.code(2);
    let (json, codes) = problems_document(&run);
    assert_eq!(codes, ["C0003"]);
    let message = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("--no-such-flag") && !message.contains('\n'), "one line: {json:#}");
    assert!(json["diagnostics"][0]["help"].as_str().unwrap().contains("Usage: accord matrix"), "{json:#}");
    // `=json` is the same flag; without it clap's own message goes to stderr.
    let run2 = self::run(&["diff", "--no-such-flag", "--error-format=json"]);
    run2.code(2);
    assert_eq!(problems_document(&run2).1, ["C0003"]);
    let human = self::run(&["diff", "--no-such-flag"]);
    human.code(2).stderr_has("--no-such-flag");
    assert_eq!(human.stdout, "");
}

#[test]
fn a_scenario_with_typos_lists_each_problem_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "typo.json", r#"{"destinaton":"US","data":["personal"]}"#);
    let run = run(&["eval", "cn", "--scenario", scenario.to_str().unwrap(), "--error-format", "json"]);
    run.code(1).stderr_has("did you mean `destination`");
    let (json, codes) = problems_document(&run);
    // The misspelt key, and the required `destination` it leaves missing.
    assert_eq!(codes, ["C0002", "C0002"], "{json:#}");
    assert!(json["diagnostics"][0]["message"].as_str().unwrap().contains("`destinaton`"), "{json:#}");
    assert!(json["diagnostics"][1]["message"].as_str().unwrap().contains("`destination` is required"), "{json:#}");
    assert_eq!(json["diagnostics"][0]["help"], "did you mean `destination`?");
    assert_eq!(json["diagnostics"][1]["help"], Value::Null);
    assert!(json["summary"].get("files").is_none(), "no rule files were checked: {json:#}");
}

#[test]
fn after_a_stream_of_json_lines_the_problem_is_one_more_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.jsonl");
    let run = run(&["eval", "cn", "--input", missing.to_str().unwrap(), "--error-format", "json"]);
    run.code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one line, as every line of the stream: {}", run.stdout);
    let (_, codes) = problems_document(&run);
    assert_eq!(codes, ["C0001"]);
}

#[test]
fn test_prints_problems_in_the_rules_as_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.accord", UNKNOWN_FACT);
    let path = path.to_str().unwrap();
    let human = run(&["test", path]);
    human.code(1).stderr_has("error[E0101]");
    assert_eq!(human.stdout, "");
    for args in [vec!["test", path, "--error-format", "json"], vec!["test", path, "--format", "json"]] {
        let run = run(&args);
        run.code(1);
        let (json, codes) = problems_document(&run);
        assert_eq!(codes, ["E0101"], "{json:#}");
        assert_eq!(json["summary"]["files"], 1);
    }
    // Asked for people, problems go to stderr even with JSON results.
    let run = run(&["test", path, "--format", "json", "--error-format", "human"]);
    run.code(1).stderr_has("error[E0101]");
    assert_eq!(run.stdout, "");
}

/// A regime with two passing examples, one failing and one whose scenario cannot be read.
const EXAMPLES: &str = r#"regime demo "Demo & <friends>" {
  home SG
  rule health "Health data needs consent" cite "Demo s1"
    when data has health then require explicit_consent
  default permit

  example "Health data to \"Japan\"" {
    given { destination: JP, date: 2025-06-01, data: {health} }
    expect require explicit_consent
  }
  example "Other data" {
    given { destination: JP, date: 2025-06-01, data: {personal} }
    expect permit
  }
  example "Wrongly expected" {
    given { destination: JP, date: 2025-06-01, data: {personal} }
    expect prohibit
  }
}
"#;

#[test]
fn test_junit_has_a_case_per_example_and_agrees_with_the_json_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "demo.accord", EXAMPLES);
    let path = path.to_str().unwrap();
    let json = run(&["test", path, "--format", "json"]);
    json.code(1);
    let results: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(results["format"], "accord.test/1");
    let junit = run(&["test", path, "--format", "junit"]);
    junit.code(1);
    let xml = roxmltree::Document::parse(&junit.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", junit.stdout));
    let root = xml.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("3"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].attribute("name"), Some("demo"));
    let cases: Vec<_> = suites[0].children().filter(|n| n.has_tag_name("testcase")).collect();
    let examples = results["examples"].as_array().unwrap();
    assert_eq!(cases.len(), examples.len());
    for (case, example) in cases.iter().zip(examples) {
        // The names survive the escaping of quotes, ampersands and angle brackets.
        assert_eq!(case.attribute("name"), example["example"].as_str());
        assert_eq!(case.attribute("classname"), Some("demo"));
        assert_eq!(case.attribute("line").map(str::to_owned), Some(example["location"]["line"].to_string()));
        let failure = case.children().find(|n| n.has_tag_name("failure"));
        assert_eq!(failure.is_none(), example["passed"].as_bool().unwrap(), "{}", junit.stdout);
        if let Some(failure) = failure {
            assert_eq!(failure.attribute("message"), Some("expected prohibit"));
            let text = failure.text().unwrap();
            assert!(text.contains("actual:   permit"), "{text}");
        }
    }
}

#[test]
fn test_junit_with_a_threshold_adds_a_coverage_case_per_regime() {
    let dir = tempfile::tempdir().unwrap();
    // Without "Other data", no passing example reaches the default.
    let other = "  example \"Other data\" {\n    given { destination: JP, date: 2025-06-01, data: {personal} }\n    expect permit\n  }\n";
    assert!(EXAMPLES.contains(other));
    let path = write(dir.path(), "demo.accord", EXAMPLES.replace(other, ""));
    let path = path.to_str().unwrap();
    let xml_of = |threshold: &str| {
        let run = run(&["test", path, "--format", "junit", "--coverage", "--threshold", threshold]);
        run.code(1);
        run.stdout.clone()
    };
    for (threshold, fails) in [("0", false), ("100", true)] {
        let text = xml_of(threshold);
        let xml = roxmltree::Document::parse(&text).unwrap();
        let coverage: Vec<_> = xml
            .descendants()
            .filter(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("coverage"))
            .collect();
        assert_eq!(coverage.len(), 1, "{text}");
        assert_eq!(coverage[0].children().any(|n| n.has_tag_name("failure")), fails, "{text}");
        // Two examples and the coverage case; the wrong example fails either way.
        assert_eq!(xml.root_element().attribute("tests"), Some("3"));
        assert_eq!(xml.root_element().attribute("failures"), Some(if fails { "2" } else { "1" }));
    }
}
