//! `accord fmt` on what ships: every standard file and example is in the canonical layout, and
//! the same files with their layout scrambled format to the same trees, with every comment,
//! and compile to tables with the same hashes. Then the command line: `--check`, standard
//! input, files that do not parse, JSON and the project's default files. (Random regimes are in
//! `tests/properties.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::check::ir::RegimeId;
use accord::source::{FileId, Loaded, MemoryLoader};
use accord::syntax;
use assert_cmd::Command;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.accord` file under `dir`, as (`dir/…` name, text).
fn accord_files(dir: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(root().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            accord_files(&name, out);
        } else if path.extension().is_some_and(|e| e == "accord") {
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn shipped() -> Vec<(String, String)> {
    let mut files = Vec::new();
    accord_files("stdlib", &mut files);
    accord_files("examples", &mut files);
    assert!(files.len() > 20, "{} files", files.len());
    files
}

fn format(text: &str) -> String {
    match syntax::format::format(FileId::default(), text).unwrap() {
        Ok(text) => text,
        Err(errors) => panic!("does not parse: {errors:?}\n{text}"),
    }
}

/// A file's tree, without where each node is written.
fn tree(text: &str) -> String {
    let module = syntax::parse(FileId::default(), text).unwrap().module;
    let mut out = format!("{module:?}");
    while let Some(at) = out.find("Span { file: ") {
        let end = out[at..].find(" }").map_or(out.len(), |n| at + n + 2);
        out.replace_range(at..end, "_");
    }
    out
}

/// The same file laid out otherwise: every run of white space outside strings and comments
/// becomes one space, or a line break and odd indentation, in turn (a comment still ends its
/// line). Empty lines go.
fn scrambled(text: &str) -> String {
    let mut out = String::new();
    let (mut in_string, mut in_comment, mut runs) = (false, false, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                out.push('\n');
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            } else {
                out.push(c);
            }
            continue;
        }
        if in_string {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                in_comment = true;
                out.push(c);
            }
            c if c.is_whitespace() => {
                let mut newline = c == '\n';
                while let Some(next) = chars.next_if(|c| c.is_whitespace()) {
                    newline |= next == '\n';
                }
                runs += 1;
                // A comment on a line of its own stays on one (after code, it would be read as
                // ending that line, which is a layout of its own).
                let own_line = newline && chars.peek() == Some(&'/');
                out.push_str(if own_line || runs % 5 == 0 { "\n       " } else { " " });
            }
            c => out.push(c),
        }
    }
    out
}

/// Each line's comment, from `//` outside a string to the end of the line.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut in_string = false;
        let mut previous = ' ';
        for (i, c) in line.char_indices() {
            if c == '"' && previous != '\\' {
                in_string = !in_string;
            }
            if c == '/' && previous == '/' && !in_string {
                out.push(line[i - 1..].trim_end().to_owned());
                break;
            }
            previous = c;
        }
    }
    out
}

/// Every regime's table hash, when `files` are checked together.
fn hashes(files: &[(String, String)]) -> Vec<(String, String)> {
    let mut loader = MemoryLoader::default();
    let mut roots = Vec::new();
    for (name, text) in files {
        loader.files.insert(name.clone(), text.clone());
        roots.push(Loaded { key: name.clone(), name: name.clone(), bytes: text.clone().into_bytes() });
    }
    let checked = accord::check_and_verify(roots, &mut loader).unwrap();
    assert!(!checked.has_errors(), "{}", accord::diagnostics::render_human(&checked.diagnostics, &checked.sources));
    let mut out = Vec::new();
    for (i, regime) in checked.program.regimes.iter().enumerate() {
        let id = RegimeId(u32::try_from(i).unwrap());
        let table = accord::compile::compile(&checked.program, id, &checked.sources).unwrap();
        out.push((regime.id.clone(), table.hash));
    }
    out
}

#[test]
fn every_shipped_file_is_formatted() {
    for (name, text) in shipped() {
        let formatted = format(&text);
        if formatted != text {
            let line = text.lines().zip(formatted.lines()).position(|(a, b)| a != b).map_or(0, |n| n + 1);
            panic!("{name} is not formatted (first difference at line {line}): run `accord fmt {name}`");
        }
    }
}

#[test]
fn scrambled_files_format_back_to_the_same_trees_comments_and_tables() {
    let files = shipped();
    let mut reformatted = Vec::new();
    for (name, text) in &files {
        let scrambled = scrambled(text);
        assert_ne!(&scrambled, text, "{name}: the scramble changed nothing");
        assert_eq!(tree(&scrambled), tree(text), "{name}: the scramble changed the tree");
        let once = format(&scrambled);
        assert!(tree(&once) == tree(text), "{name}: formatting changed the tree:\n{once}");
        assert_eq!(comments(&once), comments(text), "{name}: comments were lost or moved out of order");
        assert_eq!(format(&once), once, "{name}: formatting is not idempotent");
        reformatted.push((name.clone(), once));
    }
    let (before, after) = (hashes(&files), hashes(&reformatted));
    for id in accord::stdlib::REGIMES.iter().map(|m| m.name).chain(["tutorial_gdpr"]) {
        assert!(before.iter().any(|(regime, _)| regime == id), "{id} is not compared: {before:?}");
    }
    assert_eq!(before, after);
}

/// `yields to` records a reading, not a decision: every shipped regime without its clauses
/// compiles to the same table (the same hash).
#[test]
fn yields_clauses_do_not_change_the_tables() {
    let files = shipped();
    let mut stripped = Vec::new();
    let mut clauses = 0;
    for (name, text) in &files {
        let mut out = String::new();
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            if line.trim_start().starts_with("yields to ") {
                clauses += 1;
                // Its continuation lines are the ones indented further, up to `when`.
                while lines.peek().is_some_and(|l| !l.trim_start().starts_with("when ")) {
                    lines.next();
                }
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        stripped.push((name.clone(), out));
    }
    assert!(clauses > 40, "only {clauses} `yields to` clauses in the shipped files");
    assert_eq!(hashes(&files), hashes(&stripped));
}

/// Comments after keywords, between clauses written in either order, and inside arithmetic stay
/// where they were, or follow the code they were in, and never take code into them (checked by
/// hand).
#[test]
fn comments_stay_with_their_clauses() {
    let text = "regime demo \"x\" {\n  home SG\n  let l = // c\n    data has health\n  rule r \"R\" effective 2020-01-01.. // E1\n    cite \"A\" // CA\n    effective ..2030-01-01 // E2\n    cite \"B\" // CB\n    when individuals_ytd + 1 // c2\n  + 2 > 3\n    then permit\n}\n";
    let expected = "regime demo \"x\" {\n  home SG\n  let l = // c\n    data has health\n  rule r \"R\"\n    effective 2020-01-01.. // E1\n    cite \"A\" // CA\n    effective ..2030-01-01 // E2\n    cite \"B\" // CB\n    when individuals_ytd + 1 + 2 > 3 // c2\n    then permit\n}\n";
    assert_eq!(format(text), expected);
    assert!(tree(expected) == tree(text));
}

// ── the command line ──

fn accord() -> Command {
    let mut cmd = Command::cargo_bin("accord").unwrap();
    cmd.env("NO_COLOR", "1").timeout(std::time::Duration::from_secs(60));
    cmd
}

const MESSY: &str = "regime demo \"Demo\" {  home SG\n// why\n  rule a \"A\" cite \"Art. 1\" when data has health   then permit\n default prohibit }\n";
const TIDY: &str = "regime demo \"Demo\" {\n  home SG\n  // why\n  rule a \"A\"\n    cite \"Art. 1\"\n    when data has health\n    then permit\n  default prohibit\n}\n";

#[test]
fn fmt_rewrites_files_and_check_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (messy, tidy) = (dir.path().join("messy.accord"), dir.path().join("tidy.accord"));
    std::fs::write(&messy, MESSY).unwrap();
    std::fs::write(&tidy, TIDY).unwrap();

    let out = accord().arg("fmt").arg("--check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("would reformat") && stderr.contains("messy.accord"), "{stderr}");
    assert!(!stderr.contains("tidy.accord"), "{stderr}");
    assert!(stderr.contains("1 file would reformat, 1 file already formatted"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY, "--check wrote the file");

    let out = accord().arg("fmt").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
    let out = accord().arg("fmt").arg("--check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn fmt_reads_standard_input_for_editors() {
    let out = accord().args(["fmt", "-"]).write_stdin(MESSY).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), TIDY);

    let out = accord().args(["fmt", "--check", "-"]).write_stdin(MESSY).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let out = accord().args(["fmt", "--check", "-"]).write_stdin(TIDY).output().unwrap();
    assert_eq!(out.status.code(), Some(0));

    let out = accord().args(["fmt", "-", "x.accord"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_file_that_does_not_parse_is_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.accord");
    let text = "regime demo \"Demo\" {\n  home SG\n  rule a \"A\" cite \"x\" when then permit\n}\n";
    std::fs::write(&broken, text).unwrap();
    let messy = dir.path().join("messy.accord");
    std::fs::write(&messy, MESSY).unwrap();

    let out = accord().arg("fmt").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("error[E0001]") && stderr.contains("broken.accord:3"), "{stderr}");
    assert!(stderr.contains("1 file left as it is"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), text);
    // The other file is formatted all the same.
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);

    let out = accord().args(["fmt", "-"]).write_stdin(text).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing for an editor to replace its text with");

    let out = accord().args(["fmt", "-"]).write_stdin(vec![0xff, 0xfe, b'a']).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0002"));
}

#[test]
fn fmt_json_lists_the_changes_and_the_problems() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.accord"), MESSY).unwrap();
    std::fs::write(dir.path().join("b.accord"), TIDY).unwrap();
    std::fs::write(dir.path().join("c.accord"), "regime {").unwrap();
    let out = accord().args(["fmt", "--check", "--error-format", "json"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changed = json["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert!(changed[0].as_str().unwrap().ends_with("a.accord"));
    assert_eq!(json["unchanged"], 1);
    assert_eq!(json["diagnostics"][0]["code"], "E0001");
    assert!(json["diagnostics"][0]["span"]["file"].as_str().unwrap().ends_with("c.accord"));
}

#[test]
fn fmt_without_paths_formats_the_project() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Accord.toml"), "rules = [\"rules\"]\n").unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::create_dir(dir.path().join("other")).unwrap();
    std::fs::write(dir.path().join("rules/a.accord"), MESSY).unwrap();
    std::fs::write(dir.path().join("other/b.accord"), MESSY).unwrap();
    let out = accord().arg("fmt").current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("rules/a.accord")).unwrap(), TIDY);
    assert_eq!(std::fs::read_to_string(dir.path().join("other/b.accord")).unwrap(), MESSY, "not in the project");
}
