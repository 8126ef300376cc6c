//! Mutation fuzzing, repeated on every change: seeded, bounded, and over real inputs.
//!
//! Rule files: every file of the standard library, the examples and the UI cases is mutated
//! (bytes deleted, inserted, repeated, swapped, cut; tokens of the language spliced in) a few
//! thousand times in all. Each mutant is checked as `accord check` checks it, compiled and
//! verified when it checks clean, and its diagnostics rendered. Nothing may panic or end as an
//! internal error, and every label must lie inside its file.
//!
//! Scenario streams: lines of real scenarios are mutated the same way and fed to
//! `accord eval --input`. Every stream must end with exit 0 or 1, and give exactly one output
//! record per input line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and run the binary

use accord::source::{Loaded, Loader};
use std::path::{Path, PathBuf};

/// xorshift64*: deterministic, so that a failure names the case that shows it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces worth splicing in: the language's tokens and the bytes that break readers.
const TOKENS: &[&str] = &[
    "regime",
    "rule",
    "oblige",
    "when",
    "then",
    "require",
    "permit",
    "prohibit",
    "default",
    "example",
    "given",
    "expect",
    "with",
    "upon",
    ", else",
    "or",
    "and",
    "not",
    "in",
    "has",
    "any",
    "all",
    "use",
    "let",
    "accord",
    "accepts",
    "as",
    "effective",
    "cite",
    "weigh",
    "establish",
    "family",
    "strength",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "..",
    "==",
    "<=",
    ">",
    ",",
    ":",
    "\n",
    "0",
    "99999999999999999999",
    "2024-02-30",
    "0.5",
    "\\",
    "\u{0}",
    "\u{1b}[2J",
    "\u{feff}",
    "é",
    "𝔘",
    "///",
    "//",
    "data",
    "destination",
    "origin",
    "personal",
    "eu_scc",
];

/// One mutation of `text`, at byte level (so that it may also break UTF-8).
fn mutate(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    for _ in 0..1 + rng.below(3) {
        let len = out.len();
        let at = rng.below(len + 1);
        let span = (1 + rng.below(24)).min(len - at.min(len));
        match rng.below(6) {
            0 => {
                out.drain(at..at + span);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            2 => {
                let piece: Vec<u8> = out[at..at + span].to_vec();
                out.splice(at..at, piece);
            }
            3 if len > 0 => {
                let other = rng.below(len);
                let (a, b) = (at.min(len - 1), other);
                out.swap(a, b);
            }
            4 => out.truncate(at),
            _ => {
                let byte = (rng.next() & 0xFF) as u8;
                out.insert(at, byte);
            }
        }
    }
    out
}

/// Files a mutant may `use`: those beside it, unmutated.
struct Beside {
    dir: PathBuf,
}

impl Loader for Beside {
    fn load(&mut self, importer: &str, path: &str) -> Result<Loaded, String> {
        let name = accord::source::join_relative(importer, path);
        let bytes = std::fs::read(self.dir.join(&name)).map_err(|_| "no such file".to_owned())?;
        Ok(Loaded { key: name.clone(), name, bytes })
    }
}

fn rule_files() -> Vec<(String, Vec<u8>, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, Vec<u8>, PathBuf)> = Vec::new();
    let stdlib = accord::stdlib::VOCABULARY.iter().chain(accord::stdlib::REGIMES).chain([&accord::stdlib::ACCORDS]);
    for module in stdlib {
        files.push((format!("{}.accord", module.name), module.text.as_bytes().to_vec(), root.join("stdlib")));
    }
    for dir in ["examples", "tests/ui/check", "tests/ui/parse"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "accord"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, std::fs::read(&path).unwrap(), root.join(dir)));
        }
    }
    files
}

/// How many mutants of rule files are checked (in all, by two threads).
const RULE_MUTANTS: usize = 1_600;

/// Checks the mutants `case` of which `case % 2 == worker`; counts those that checked clean
/// and those that were compiled and verified as well.
fn check_mutants(files: &[(String, Vec<u8>, PathBuf)], worker: usize) -> (usize, usize) {
    let mut rng = Rng(0xF0F0_1234_5678_9ABC ^ worker as u64);
    let (mut clean, mut compiled) = (0usize, 0usize);
    for case in (worker..RULE_MUTANTS).step_by(2) {
        let (name, text, dir) = &files[rng.below(files.len())];
        let mutant = mutate(&mut rng, text);
        let shown = String::from_utf8_lossy(&mutant).chars().take(400).collect::<String>();
        let roots = vec![Loaded { key: name.clone(), name: name.clone(), bytes: mutant.clone() }];
        let outcome = std::panic::catch_unwind(|| {
            let mut loader = Beside { dir: dir.clone() };
            // Verification is the slow part: one mutant in eight is compiled and verified.
            if case % 8 < 2 {
                accord::check_and_verify(roots, &mut loader).map(|c| (c, true))
            } else {
                accord::check::check(roots, &mut loader).map(|c| (c, false))
            }
        });
        let (checked, verified) = match outcome {
            Ok(Ok(done)) => done,
            Ok(Err(internal)) => panic!("case {case} ({name}): internal error {internal:?}\n{shown}"),
            Err(_) => panic!("case {case} ({name}): a panic\n{shown}"),
        };
        for d in &checked.diagnostics {
            for label in &d.labels {
                let file = checked.sources.get(label.span.file).expect("a label's file is known");
                assert!(
                    label.span.start <= label.span.end && label.span.end as usize <= file.text.len(),
                    "case {case} ({name}): a label outside its file: {d:?}"
                );
            }
        }
        let rendered =
            std::panic::catch_unwind(|| accord::diagnostics::render_human(&checked.diagnostics, &checked.sources));
        assert!(rendered.is_ok(), "case {case} ({name}): rendering panicked\n{shown}");
        clean += usize::from(!checked.has_errors());
        compiled += usize::from(verified && !checked.has_errors());
    }
    (clean, compiled)
}

#[test]
fn mutated_rule_files_never_panic_nor_fail_inside() {
    let files = rule_files();
    assert!(files.len() > 150, "the corpus: {} files", files.len());
    let counts: Vec<(usize, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                scope.spawn({
                    let files = &files;
                    move || check_mutants(files, w)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let (clean, compiled) = counts.iter().fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
    // Most of the corpus are UI cases, broken on purpose; still, mutants must reach past the
    // checker, and some must compile and verify.
    assert!(clean > RULE_MUTANTS / 40 && compiled > 10, "{clean} mutants checked clean, {compiled} verified");
}

/// How many mutants each reader reads, in the test that the two agree.
const READER_MUTANTS: usize = 6_000;

/// The hand-written reader and the grammar's own (pest's pairs) give the same tree, spans and
/// errors for every file of the corpus and for mutants of them: most mutants fail, and the
/// rest exercise the optional parts and repetitions that must give back what they read.
#[test]
fn the_hand_written_reader_reads_as_the_grammar_does() {
    let files = rule_files();
    let mut rng = Rng(0x5EED_0FD1_5C0D_E5A1);
    let (mut read, mut failed) = (0usize, 0usize);
    for case in 0..files.len() + READER_MUTANTS {
        let text = match files.get(case) {
            Some((_, text, _)) => text.clone(),
            None => {
                let (_, text, _) = &files[rng.below(files.len())];
                mutate(&mut rng, text)
            }
        };
        let Ok(text) = String::from_utf8(text) else { continue };
        let file = accord::source::FileId(0);
        let fast = accord::syntax::parse(file, &text);
        let reference = accord::syntax::by_grammar(file, &text);
        let shown = text.chars().take(400).collect::<String>();
        if fast != reference {
            let (a, b) = (format!("{fast:?}"), format!("{reference:?}"));
            let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            let around = |s: &str| s.get(at.saturating_sub(300)..(at + 200).min(s.len())).unwrap_or("").to_owned();
            panic!(
                "case {case}: the readers disagree on\n{shown}\nhand-written: …{}\ngrammar:      …{}",
                around(&a),
                around(&b)
            );
        }
        match fast {
            Ok(parsed) if parsed.errors.is_empty() => read += 1,
            _ => failed += 1,
        }
    }
    assert!(read > 500 && failed > 2_000, "{read} files read clean, {failed} with errors");
}

/// How many mutated scenario streams are run through the binary.
const STREAMS: usize = 40;

#[test]
fn mutated_scenario_streams_keep_one_record_per_line() {
    let lines = [
        r#"{"origin": "CN", "destination": "DE", "data": ["personal", "health"], "individuals_ytd": 150000, "date": "2025-06-01"}"#,
        r#"{"destination": "US", "data": ["personal"], "recipient": ["processor"], "safeguards": ["cn_standard_contract"]}"#,
        r#"{"destination": "HK", "exporter": ["registered_in_gba"], "data": ["personal"], "date": "2024-01-01"}"#,
        r#"{"destination": "JP", "data": [], "purpose": ["hr_management"], "sensitive_individuals_ytd": 3}"#,
    ];
    let binary = assert_cmd::cargo::cargo_bin("accord");
    let mut rng = Rng(0x0DDB_A11C_AFE0_5EED);
    for stream in 0..STREAMS {
        let mut input: Vec<u8> = Vec::new();
        let count = 20 + rng.below(40);
        for _ in 0..count {
            let line = lines[rng.below(lines.len())].as_bytes();
            let mut mutant = if rng.below(3) == 0 { line.to_vec() } else { mutate(&mut rng, line) };
            // One line per line: a mutant's own line breaks would make two lines of one.
            mutant.retain(|&b| b != b'\n' && b != b'\r');
            input.extend(mutant);
            input.push(b'\n');
        }
        let out = assert_cmd::Command::new(&binary)
            .args(["eval", "cn", "--input", "-", "--today", "2026-01-01"])
            .write_stdin(input.clone())
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let code = out.status.code();
        let shown = String::from_utf8_lossy(&input).into_owned();
        assert!(matches!(code, Some(0 | 1)), "stream {stream}: exit {code:?}\n{shown}");
        let records = out.stdout.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(records, count, "stream {stream}: {count} lines in, {records} records out\n{shown}");
        for (n, record) in String::from_utf8_lossy(&out.stdout).lines().enumerate() {
            let value: serde_json::Value =
                serde_json::from_str(record).unwrap_or_else(|e| panic!("stream {stream}, record {n}: {e}: {record}"));
            let line = value.get("line").and_then(serde_json::Value::as_u64);
            assert!(value.get("verdict").is_some() || line == Some(n as u64 + 1), "stream {stream}: {record}");
        }
    }
}
