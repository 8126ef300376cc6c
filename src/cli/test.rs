//! `accord test`.

use super::files;
use super::{ErrorFormat, Failure, regime};
use crate::check::{self, ir::RegimeId};
use crate::compile;
use crate::render;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run every `example` in rule files as a test.
///
/// Each example's scenario is evaluated against its regime's compiled table and compared with
/// what it expects. A failure shows expected and actual, and the rule that decided, with its
/// place. The last line is `N passed, M failed`; any failure exits with code 1.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// Files or directories [default: the `rules` listed in the nearest `Accord.toml`, in this
    /// directory or above; else this directory]
    paths: Vec<PathBuf>,

    /// The date that stands in for "today" in examples that give no `date`
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<crate::date::Date>,

    /// Also report, per regime, which rules' rows, obligations and default no example reaches,
    /// found exactly on its table, and for each an `example` block that would reach it (its
    /// outcome is the regime's own: confirm it against the law before keeping it)
    #[arg(long)]
    coverage: bool,

    /// With `--coverage`: fail (exit 1) when some regime's examples reach less than N per cent
    /// of its reachable parts
    #[arg(long, value_name = "N", requires = "coverage", value_parser = clap::value_parser!(u8).range(0..=100))]
    threshold: Option<u8>,

    /// How to print: `text` for people, `json` for tools (each example's place, result, expected
    /// and actual outcome and decision, the counts,
    /// and with `--coverage` each regime's coverage; files that do not check give `accord check
    /// --error-format json`'s document instead)
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,

    /// How to print problems in the rules that stop the tests [default: `json` with `--format
    /// json`, else `human`]
    #[arg(long, value_enum)]
    error_format: Option<ErrorFormat>,
}

impl TestArgs {
    /// How problems are printed: as asked, else as JSON when the results are.
    pub(super) fn error_format(&self) -> ErrorFormat {
        match (self.error_format, self.format) {
            (Some(format), _) => format,
            (None, TestFormat::Json) => ErrorFormat::Json,
            (None, TestFormat::Text | TestFormat::Junit) => ErrorFormat::Human,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TestFormat {
    /// A line per example, failures with expected and actual (and the coverage, with
    /// `--coverage`)
    Text,
    /// The `accord.test/1` document (`schema/accord.test.schema.json`)
    Json,
    /// JUnit XML, which CI systems read: a test suite per regime, a test case per example
    Junit,
}

pub(crate) fn run(args: &TestArgs, colour: bool) -> Result<ExitCode, Failure> {
    let (paths, mut loader) = files::paths_or_project(&args.paths).map_err(Failure::Input)?;
    let found = files::discover(&paths).map_err(Failure::Input)?;
    let mut roots = Vec::new();
    for path in &found {
        roots.push(
            files::read(path).map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?,
        );
    }
    let names: Vec<String> = roots.iter().map(|r| r.name.clone()).collect();
    let checked = check::check(roots, &mut loader)?;
    // Problems that stop the tests are printed as `check` prints them, as JSON for tools.
    let problems = args.error_format();
    if checked.has_errors() {
        super::check::print(&checked, found.len(), problems, colour)?;
        return Err(Failure::Reported);
    }
    let today = args.today.unwrap_or_else(regime::today);
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut out = String::new();
    let (mut coverages, mut records, mut cases) = (Vec::new(), Vec::new(), Vec::new());
    for (i, regime) in checked.program.regimes.iter().enumerate() {
        let Some(file) = checked.sources.get(regime.span.file) else { continue };
        if !names.contains(&file.name) || (regime.examples.is_empty() && !args.coverage) {
            continue;
        }
        let id = RegimeId(u32::try_from(i).unwrap_or(u32::MAX));
        let table = match compile::compile(&checked.program, id, &checked.sources) {
            Ok(table) => table,
            Err(compile::Failed::Internal(bug)) => return Err(Failure::Internal(bug)),
            Err(compile::Failed::Input(diagnostics)) => {
                let shown = check::Checked { diagnostics, ..checked.clone() };
                super::check::print(&shown, found.len(), problems, colour)?;
                return Err(Failure::Reported);
            }
        };
        let _ = writeln!(out, "{} ({})", regime.id, file.name);
        let results = crate::eval::run_examples(&checked.program, regime, &table, today);
        if args.coverage {
            let decided: Vec<(String, &crate::eval::Decision)> =
                // A failing example reaches what it reaches, but covers nothing: it is wrong.
                results.iter().filter(|r| r.passed).filter_map(|r| r.actual.as_ref().map(|d| (r.name.clone(), d))).collect();
            coverages.push(crate::analysis::coverage::coverage(&table, &decided, today)?);
        }
        for result in &results {
            let (line, column) = checked.sources.line_column(result.span.file, result.span.start);
            let mut record = serde_json::Map::new();
            record.insert("regime".into(), regime.id.clone().into());
            record.insert("example".into(), result.name.clone().into());
            record.insert("passed".into(), result.passed.into());
            record.insert("location".into(), serde_json::json!({ "file": file.name, "line": line, "column": column }));
            record.insert("expected".into(), result.expected.clone().into());
            // What the regime decided (in rule-file words, and the decision document), or why the
            // scenario could not be read: never both, never neither.
            match (&result.actual, &result.problem) {
                (Some(decision), _) => {
                    record.insert("actual".into(), crate::eval::expect_of(decision).into());
                    let decision = serde_json::to_value(decision).map_err(|e| crate::InternalError(e.to_string()))?;
                    record.insert("decision".into(), decision);
                }
                (None, Some(problem)) => {
                    record.insert("problem".into(), problem.clone().into());
                }
                (None, None) => {
                    return Err(Failure::Internal(crate::InternalError(format!(
                        "example `{}` has neither a decision nor a reason it has none",
                        result.name
                    ))));
                }
            }
            records.push(serde_json::Value::Object(record));
            let mut case = Case {
                regime: regime.id.clone(),
                name: result.name.clone(),
                file: file.name.clone(),
                line,
                failure: None,
            };
            if result.passed {
                passed += 1;
                let _ = writeln!(out, "  ok      {}", result.name);
                cases.push(case);
                continue;
            }
            failed += 1;
            let _ = writeln!(out, "  FAILED  {}  ({}:{line}:{column})", result.name, file.name);
            let mut detail = String::new();
            let _ = writeln!(detail, "          expected: {}", result.expected);
            match (&result.actual, &result.problem) {
                (Some(decision), _) => {
                    let _ = writeln!(detail, "          actual:   {}", crate::eval::expect_of(decision));
                    let decided = match decision.row.and_then(|r| table.rows.get(r)) {
                        None if decision.verdict == crate::eval::Verdict::OutOfScope => {
                            "the regime's scope: the transfer does not both start in its home and leave it".to_owned()
                        }
                        None if decision.verdict == crate::eval::Verdict::Undecided => {
                            "nothing: no rule matches and there is no `default`".to_owned()
                        }
                        Some(row) => format!(
                            "rule `{}` at {}:{}:{} [{}]",
                            row.rule,
                            row.location.file,
                            row.location.line,
                            row.location.column,
                            row.cite.join("; ")
                        ),
                        None => format!("the default ({})", render::outcome(table.default.as_ref())),
                    };
                    let _ = writeln!(detail, "          decided by {decided}");
                }
                (None, Some(problem)) => {
                    let _ = writeln!(detail, "          the scenario cannot be read: {problem}");
                }
                (None, None) => {}
            }
            out.push_str(&detail);
            case.failure = Some((format!("expected {}", result.expected), detail));
            cases.push(case);
        }
    }
    let below: Vec<&crate::analysis::coverage::Coverage> = match args.threshold {
        Some(n) => coverages.iter().filter(|c| c.percent() < f64::from(n)).collect(),
        None => Vec::new(),
    };
    match args.format {
        TestFormat::Text => {
            if args.coverage {
                out.push_str(&render::coverage::text(&coverages));
            }
            let _ = writeln!(out, "{passed} passed, {failed} failed");
            super::emit(&out)?;
        }
        TestFormat::Json => {
            let mut document = serde_json::Map::new();
            document.insert("format".into(), "accord.test/1".into());
            document.insert("examples".into(), records.into());
            document.insert("passed".into(), passed.into());
            document.insert("failed".into(), failed.into());
            if args.coverage {
                let coverage = serde_json::to_value(&coverages)
                    .map_err(|e| crate::InternalError(format!("writing coverage as JSON: {e}")))?;
                document.insert("coverage".into(), coverage);
            }
            let document = serde_json::Value::Object(document);
            super::emit(&format!("{document:#}\n"))?;
        }
        TestFormat::Junit => super::emit(&junit(&cases, &coverages, args.threshold))?,
    }
    if let Some(n) = args.threshold {
        for c in &below {
            let shown = render::coverage::percent(c.percent());
            super::say(&format!("coverage of `{}` is {shown}, below the threshold of {n}%\n", c.regime));
        }
    }
    Ok(if failed > 0 || !below.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// One example's result, for JUnit.
struct Case {
    regime: String,
    name: String,
    file: String,
    line: usize,
    /// For a failed example, a line saying what it expected, and what `text` prints under it:
    /// expected, actual and what decided.
    failure: Option<(String, String)>,
}

/// The results as JUnit XML: one `testsuite` per regime, one `testcase` per example (its
/// `classname` the regime, its `file` and `line` the example's place), a failed example with a
/// `failure` holding what `text` prints under it. With `--threshold`, each regime's coverage is
/// one more test case, failed when it is below the threshold.
fn junit(cases: &[Case], coverages: &[crate::analysis::coverage::Coverage], threshold: Option<u8>) -> String {
    let mut regimes: Vec<&str> = Vec::new();
    for case in cases {
        if !regimes.contains(&case.regime.as_str()) {
            regimes.push(&case.regime);
        }
    }
    for coverage in coverages.iter().filter(|_| threshold.is_some()) {
        if !regimes.contains(&coverage.regime.as_str()) {
            regimes.push(&coverage.regime);
        }
    }
    let below = |c: &crate::analysis::coverage::Coverage| threshold.is_some_and(|n| c.percent() < f64::from(n));
    let total = cases.len() + coverages.len() * usize::from(threshold.is_some());
    let failures = cases.iter().filter(|c| c.failure.is_some()).count() + coverages.iter().filter(|c| below(c)).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, "<testsuites name=\"accord test\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\">");
    for regime in regimes {
        let mine: Vec<&Case> = cases.iter().filter(|c| c.regime == regime).collect();
        let coverage = coverages.iter().find(|c| c.regime == regime).filter(|_| threshold.is_some());
        let tests = mine.len() + usize::from(coverage.is_some());
        let failed = mine.iter().filter(|c| c.failure.is_some()).count() + usize::from(coverage.is_some_and(below));
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\">",
            render::xml_attribute(regime)
        );
        for case in mine {
            let open = format!(
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"",
                render::xml_attribute(&case.regime),
                render::xml_attribute(&case.name),
                render::xml_attribute(&case.file),
                case.line
            );
            match &case.failure {
                None => {
                    let _ = writeln!(xml, "{open}/>");
                }
                Some((message, detail)) => {
                    let _ = writeln!(xml, "{open}>");
                    let _ = writeln!(
                        xml,
                        "      <failure message=\"{}\">{}</failure>",
                        render::xml_attribute(message),
                        render::xml_text(detail)
                    );
                    let _ = writeln!(xml, "    </testcase>");
                }
            }
        }
        if let (Some(coverage), Some(n)) = (coverage, threshold) {
            let shown = render::coverage::percent(coverage.percent());
            let open = format!("    <testcase classname=\"{}\" name=\"coverage\"", render::xml_attribute(regime));
            if below(coverage) {
                let message = format!("coverage is {shown}, below the threshold of {n}%");
                let _ = writeln!(xml, "{open}>");
                let _ = writeln!(
                    xml,
                    "      <failure message=\"{}\">{}</failure>",
                    render::xml_attribute(&message),
                    render::xml_text(&message)
                );
                let _ = writeln!(xml, "    </testcase>");
            } else {
                let _ = writeln!(xml, "{open}/>");
            }
        }
        let _ = writeln!(xml, "  </testsuite>");
    }
    xml.push_str("</testsuites>\n");
    xml
}
