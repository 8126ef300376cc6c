//! Accord: a policy-as-code language and compiler for the law of cross-border data transfers.
//!
//! The pipeline is a chain of types, one module per stage: [`syntax`] parses rule files into
//! spanned trees; [`check`] resolves modules, names and types into a typed program; [`compile`]
//! turns a regime into a [`table::Table`]; [`eval`] decides scenarios with a table; [`analysis`]
//! verifies tables exactly; [`render`] puts tables and decisions into words. Every user-facing
//! problem is a [`diagnostics::Diagnostic`]. The library does no IO: only [`cli`] (the `accord`
//! binary) touches files and the terminal.
//!
//! Embedding Accord: compile a rule file, read a scenario, decide it.
//!
//! ```
//! use accord::{compile, date::Date, eval::Scenario};
//!
//! let tables = compile::compile_text("demo.accord", r#"
//!   regime demo "Demo" {
//!     home SG
//!     rule health "Health data needs consent" cite "Demo s1" when data has health then require explicit_consent
//!     default permit
//!   }"#)?;
//! let today = Date::parse("2026-11-22").unwrap_or(Date::from_days(0));
//! let scenario = Scenario::from_json(&tables[0], r#"{"origin": "SG", "destination": "US", "data": ["health"]}"#, today)
//!     .expect("a valid scenario");
//! let decision = tables[0].evaluate(&scenario);
//! assert_eq!(decision.verdict.as_str(), "require");
//! assert_eq!(decision.require, [["explicit_consent"]]);
//! # Ok::<(), compile::Problems>(())
//! ```

// Standard error may be closed or full: print through `cli::say` (and `cli::emit`), which
// cannot abort as the print macros do.
#![deny(clippy::print_stderr, clippy::print_stdout)]

// pest is built without its `std` feature (see `Cargo.toml`), and the parser it derives then
// names `alloc` from the crate root.
extern crate alloc;

pub mod analysis;
pub mod check;
#[allow(clippy::disallowed_methods, clippy::disallowed_macros)]
pub mod cli;
pub mod compile;
pub mod date;
pub mod diagnostics;
pub mod eval;
pub mod lsp;
pub mod render;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod table;

/// A bug in Accord itself, never the user's fault: the binary reports it with exit code 3 and
/// asks for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalError(pub String);

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InternalError {}

/// Checks files as `accord check` does: names and types first; then, if there are no errors,
/// every regime declared in `roots` is compiled and verified (gaps, rules that can never
/// decide, obligations that never apply), and what that finds is added to the diagnostics.
pub fn check_and_verify(
    roots: Vec<source::Loaded>,
    loader: &mut dyn source::Loader,
) -> Result<check::Checked, InternalError> {
    let names: Vec<String> = roots.iter().map(|r| r.name.clone()).collect();
    let mut checked = check::check(roots, loader)?;
    if checked.has_errors() {
        return Ok(checked);
    }
    let mut found = Vec::new();
    for (i, regime) in checked.program.regimes.iter().enumerate() {
        if !checked.sources.get(regime.span.file).is_some_and(|f| names.contains(&f.name)) {
            continue;
        }
        let id = check::ir::RegimeId(u32::try_from(i).map_err(|_| InternalError("too many regimes".into()))?);
        match compile::compile(&checked.program, id, &checked.sources) {
            Ok(table) => found.extend(analysis::diagnostics(&analysis::verify_regime(&table, regime)?, regime)),
            Err(compile::Failed::Input(diagnostics)) => found.extend(diagnostics),
            Err(compile::Failed::Internal(bug)) => return Err(bug),
        }
    }
    // An accord whose scope no transfer meets can never act.
    for accord in &checked.program.accords {
        if !checked.sources.get(accord.span.file).is_some_and(|f| names.contains(&f.name)) {
            continue;
        }
        let (Some(scope), Some(first)) = (&accord.scope, accord.accepts.first()) else { continue };
        if compile::condition_cells(&checked.program, first.regime, scope, &checked.sources)?
            .is_some_and(|b| b.is_empty())
        {
            found.push(
                diagnostics::Diagnostic::warning(
                    diagnostics::Code::EmptyAccordScope,
                    format!("accord `{}` can never act: no transfer meets its `when`", accord.id),
                    accord.span,
                    "its scope is empty",
                )
                .with_help("the condition contradicts itself: correct it, or remove the accord"),
            );
        }
    }
    checked.diagnostics.extend(found);
    diagnostics::drop_uncertain_deletions(&mut checked.diagnostics, &checked.sources);
    diagnostics::sort(&mut checked.diagnostics);
    Ok(checked)
}
