//! Snapshot tests of diagnostics. A case is a file under `tests/ui/`: its snapshot shows the
//! source and, below it, what `accord check` prints for it. A new case is a new file; files
//! whose names start with `_` are not cases but modules that cases `use`.
//!
//! A case's first line says the codes it must give: `// expect: E0101 W0205`. The harness
//! checks them against what the case gives before it compares the snapshot, and takes the line
//! out first (so the snapshot and every line number are those of the case below it). A case
//! whose next line is `// accord-test: json` is rendered as JSON, as
//! `accord check --error-format json` prints it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::check::Checked;
use accord::diagnostics::{self, Code};
use accord::source::{Loaded, Loader};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Reads `use "…"` files from the case's directory, naming them as the case is named.
struct CaseLoader {
    root: PathBuf,
}

impl Loader for CaseLoader {
    fn load(&mut self, importer: &str, path: &str) -> Result<Loaded, String> {
        let name = accord::source::join_relative(importer, path);
        let bytes = std::fs::read(self.root.join(&name)).map_err(|_| "no such file".to_owned())?;
        Ok(Loaded { key: name.clone(), name, bytes })
    }
}

/// Checks a case exactly as `accord check` does (compiling and verifying its regimes).
fn run(root: &Path, name: &str, bytes: Vec<u8>) -> Checked {
    let roots = vec![Loaded { key: name.to_owned(), name: name.to_owned(), bytes }];
    accord::check_and_verify(roots, &mut CaseLoader { root: root.to_owned() }).expect("no internal error")
}

fn render(checked: &Checked, json: bool) -> String {
    if json {
        let all: Vec<_> = checked.diagnostics.iter().map(|d| diagnostics::to_json(d, &checked.sources)).collect();
        serde_json::to_string_pretty(&all).unwrap()
    } else {
        diagnostics::render_human(&checked.diagnostics, &checked.sources)
    }
}

/// Codes seen in any snapshot, for the coverage check below.
static SEEN: Mutex<BTreeSet<Code>> = Mutex::new(BTreeSet::new());

/// Cases that produced no diagnostic at all (each case must show one).
static SILENT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Cases whose codes are not those their header expects, or that have no header.
static UNEXPECTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The codes a case's header line expects, and the case without that line.
fn header(bytes: &[u8]) -> Option<(BTreeSet<String>, Vec<u8>)> {
    let rest = bytes.strip_prefix(b"// expect:")?;
    let end = rest.iter().position(|&b| b == b'\n')?;
    let codes = std::str::from_utf8(&rest[..end]).ok()?.split_whitespace().map(str::to_owned).collect();
    Some((codes, rest[end + 1..].to_vec()))
}

fn record(checked: &Checked) {
    SEEN.lock().unwrap().extend(checked.diagnostics.iter().map(|d| d.code));
}

fn spans_fit(checked: &Checked) {
    for d in &checked.diagnostics {
        for label in &d.labels {
            let file = checked.sources.get(label.span.file).expect("label in a known file");
            assert!(label.span.start <= label.span.end, "{d:?}");
            assert!(label.span.end as usize <= file.text.len(), "{d:?}");
        }
    }
}

#[test]
fn ui_cases() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    insta::glob!("ui/**/*.accord", |path| {
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('_')) {
            return;
        }
        let name = path.strip_prefix(&ui).unwrap().to_string_lossy().replace('\\', "/");
        let Some((expected, bytes)) = header(&std::fs::read(path).unwrap()) else {
            UNEXPECTED.lock().unwrap().push(format!("{name}: no `// expect: CODES` first line"));
            return;
        };
        let source = String::from_utf8_lossy(&bytes).into_owned();
        let json = source.starts_with("// accord-test: json");
        let checked = run(&ui, &name, bytes);
        let given: BTreeSet<String> = checked.diagnostics.iter().map(|d| d.code.as_str().to_owned()).collect();
        if given != expected {
            UNEXPECTED.lock().unwrap().push(format!("{name}: expects {expected:?}, gives {given:?}"));
        }
        if checked.diagnostics.is_empty() {
            // Recorded, not asserted here: a panic inside the glob would skip the cases after it.
            SILENT.lock().unwrap().push(name.clone());
        }
        spans_fit(&checked);
        record(&checked);
        insta::assert_snapshot!(format!("{source}\n─── accord check {name} ───\n{}", render(&checked, json)));
    });
    let unexpected = UNEXPECTED.lock().unwrap();
    assert!(unexpected.is_empty(), "cases whose codes are not their header's:\n{}", unexpected.join("\n"));
    let silent = SILENT.lock().unwrap();
    assert!(silent.is_empty(), "cases that produce no diagnostic: {silent:?}");
    let seen = SEEN.lock().unwrap();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !seen.contains(c) && !matches!(c, Code::TooLarge | Code::TooIntricate))
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "codes without a case under tests/ui: {missing:?}");
}

/// Every fix a case's diagnostics carry does what it says: applied to the case, the
/// diagnostic it fixes is gone (no diagnostic of its code and message is left), and no new
/// error comes in. Some cases must have fixes, of more than one code.
#[test]
fn fixes_remove_what_they_fix_and_add_no_error() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut fixed_codes: BTreeSet<Code> = BTreeSet::new();
    let mut cases = 0;
    insta::glob!("ui/**/*.accord", |path| {
        let name = path.strip_prefix(&ui).unwrap().to_string_lossy().replace('\\', "/");
        let Some((_, bytes)) = header(&std::fs::read(path).unwrap()) else { return };
        let before = run(&ui, &name, bytes);
        let Some((id, _)) = before.sources.iter().find(|(_, f)| f.name == name) else { return };
        let fixing: Vec<&diagnostics::Diagnostic> =
            before.diagnostics.iter().filter(|d| d.fix.as_ref().is_some_and(|f| f.span.file == id)).collect();
        if fixing.is_empty() {
            return;
        }
        cases += 1;
        let text = &before.sources.get(id).unwrap().text;
        let fixes: Vec<&diagnostics::Fix> = fixing.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (fixed, applied) = diagnostics::apply_fixes(text, &fixes);
        assert!(applied > 0, "{name}: no fix applied");
        let after = run(&ui, &name, fixed.into_bytes());
        // No error comes in: of each error (by code and words), no more than there were.
        let errors = |c: &Checked| {
            let mut n: std::collections::BTreeMap<(Code, String), usize> = std::collections::BTreeMap::new();
            for d in c.diagnostics.iter().filter(|d| d.severity == diagnostics::Severity::Error) {
                *n.entry((d.code, d.message.clone())).or_default() += 1;
            }
            n
        };
        let (was, now) = (errors(&before), errors(&after));
        for (error, count) in &now {
            assert!(was.get(error).is_some_and(|w| w >= count), "{name}: the fixes brought in `{}`", error.1);
        }
        for d in &fixing {
            fixed_codes.insert(d.code);
            assert!(
                !after.diagnostics.iter().any(|e| e.code == d.code && e.message == d.message),
                "{name}: `{}` is still there after its fix",
                d.message
            );
        }
    });
    assert!(cases >= 3 && fixed_codes.len() >= 3, "{cases} cases with fixes, of codes {fixed_codes:?}");
}

/// The one case too big to keep as a file: more than the size limit.
#[test]
fn too_large_file() {
    let bytes = vec![b' '; accord::syntax::MAX_FILE_BYTES + 1];
    let checked = run(Path::new("."), "huge.accord", bytes);
    let rendered = render(&checked, false);
    assert_eq!(checked.diagnostics.len(), 1);
    assert_eq!(checked.diagnostics[0].code, Code::TooLarge);
    insta::assert_snapshot!(rendered);
}
