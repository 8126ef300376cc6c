//! Checking: load the module graph, resolve names, check types, and produce the typed
//! [`ir::Program`] — with every problem of the run reported, not just the first.

pub mod error;
mod graph;
pub mod ir;
mod modules;
mod resolve;

pub use resolve::normalise as normalise_intervals;

use crate::InternalError;
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::source::{Loaded, Loader, SourceMap};

/// The result of checking: every file read, the program, and every problem found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Every file read, the standard library included.
    pub sources: SourceMap,
    /// What was declared; complete only when there are no errors.
    pub program: ir::Program,
    /// Problems, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any problem is an error (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// How many notes (severity info).
    pub fn note_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Info).count()
    }
}

/// Checks the given files and everything they `use`. `loader` finds the files named by
/// `use "path"`; the standard library is built in.
pub fn check(roots: Vec<Loaded>, loader: &mut dyn Loader) -> Result<Checked, InternalError> {
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let graph = modules::load(roots, loader, &mut sources, &mut diagnostics)?;
    let (program, errors) = resolve::Checker::new(&graph).run();
    diagnostics.extend(errors.iter().map(error::CheckError::to_diagnostic));
    diagnostics::sort(&mut diagnostics);
    // The same problem found twice at the same place (spans compare by place) is reported once.
    diagnostics.dedup();
    Ok(Checked { sources, program, diagnostics })
}

/// Checks files given as `(name, text)` pairs; the name is also how `use` finds them.
pub fn check_sources(files: Vec<(String, String)>, loader: &mut dyn Loader) -> Result<Checked, InternalError> {
    let roots =
        files.into_iter().map(|(name, text)| Loaded { key: name.clone(), name, bytes: text.into_bytes() }).collect();
    check(roots, loader)
}
