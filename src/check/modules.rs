//! Loading the module graph: the files given, the files their `use`s name, and the embedded
//! standard library; then finding `use` cycles (iteratively, so no chain of files can
//! exhaust the stack).

use super::error::CheckError;
use crate::InternalError;
use crate::diagnostics::{Diagnostic, closest};
use crate::source::{Loaded, Loader, SourceMap, Span};
use crate::stdlib;
use crate::syntax::{self, ast};
use std::collections::HashMap;

/// One module of the graph.
pub(crate) struct ModuleNode {
    pub key: String,
    /// As shown to people.
    pub name: String,
    pub ast: ast::Module,
    /// Targets of this module's `use`s, in the order written (`None` where nothing was found).
    pub uses: Vec<UseEdge>,
    /// Whether the standard vocabulary is in scope without a `use` (every module but the
    /// vocabulary itself).
    pub prelude: bool,
    /// Whether the module could not be read; names it would declare are unknown, and errors
    /// caused by that are not worth reporting.
    pub broken: bool,
}

pub(crate) struct UseEdge {
    pub target: Option<usize>,
    pub span: Span,
}

pub(crate) struct Graph {
    pub modules: Vec<ModuleNode>,
    /// The vocabulary modules, in scope in every other module.
    pub prelude: Vec<usize>,
}

pub(crate) fn load(
    roots: Vec<Loaded>,
    loader: &mut dyn Loader,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Graph, InternalError> {
    let mut state = Loading {
        graph: Graph { modules: Vec::new(), prelude: Vec::new() },
        by_key: HashMap::new(),
        sources,
        diagnostics,
    };
    for module in stdlib::VOCABULARY {
        let index = state.add(embedded(module, format!("<stdlib>/{}.accord", module.name)), false)?;
        state.graph.prelude.push(index);
    }
    for root in roots {
        state.add(root, true)?;
    }
    let mut next = 0;
    while let Some(module) = state.graph.modules.get(next) {
        let importer = module.key.clone();
        let targets: Vec<(ast::UseTarget, Span)> = module
            .ast
            .items
            .iter()
            .filter_map(|item| match item {
                ast::Item::Use(u) => Some((u.target.clone(), u.span)),
                _ => None,
            })
            .collect();
        let mut edges = Vec::new();
        for (target, span) in targets {
            let found = match target {
                ast::UseTarget::Stdlib(name) => match stdlib::module(&name.name) {
                    // A standard regime is a module like a user's file: the vocabulary is in
                    // scope in it. The vocabulary modules themselves get no prelude.
                    Some((module, display)) => {
                        let is_regime = name.name.starts_with("regimes/");
                        Some(state.add(embedded(module, display), is_regime)?)
                    }
                    None => {
                        let names = stdlib::module_names();
                        let error = CheckError::UnknownModule {
                            span: name.span,
                            name: name.name.clone(),
                            reason: "not a standard module".into(),
                            suggestion: closest(&name.name, names.iter().map(String::as_str)).map(str::to_owned),
                        };
                        state.diagnostics.push(error.to_diagnostic());
                        None
                    }
                },
                ast::UseTarget::Path(path) => match loader.load(&importer, &path.value) {
                    Ok(loaded) => Some(state.add(loaded, true)?),
                    Err(reason) => {
                        let error = CheckError::UnknownModule {
                            span: path.span,
                            name: path.value.clone(),
                            reason,
                            suggestion: None,
                        };
                        state.diagnostics.push(error.to_diagnostic());
                        None
                    }
                },
            };
            edges.push(UseEdge { target: found, span });
        }
        if let Some(module) = state.graph.modules.get_mut(next) {
            module.uses = edges;
        }
        next += 1;
    }
    report_cycles(&state.graph, state.diagnostics);
    Ok(state.graph)
}

struct Loading<'a> {
    graph: Graph,
    by_key: HashMap<String, usize>,
    sources: &'a mut SourceMap,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Loading<'_> {
    /// Parses a module unless a module with the same key is loaded already; its index.
    fn add(&mut self, loaded: Loaded, prelude: bool) -> Result<usize, InternalError> {
        if let Some(&index) = self.by_key.get(&loaded.key) {
            return Ok(index);
        }
        let (_, parsed) = syntax::parse_bytes(self.sources, loaded.name.clone(), loaded.bytes)?;
        let broken = !parsed.errors.is_empty();
        self.diagnostics.extend(parsed.errors.iter().map(|e| e.to_diagnostic()));
        let index = self.graph.modules.len();
        self.by_key.insert(loaded.key.clone(), index);
        self.graph.modules.push(ModuleNode {
            key: loaded.key,
            name: loaded.name,
            ast: parsed.module,
            uses: Vec::new(),
            prelude,
            broken,
        });
        Ok(index)
    }
}

fn embedded(module: &stdlib::StdModule, name: String) -> Loaded {
    Loaded { key: name.clone(), name, bytes: module.text.as_bytes().to_vec() }
}

/// Reports each `use` that closes a cycle, with the modules around it.
fn report_cycles(graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    let edges: Vec<Vec<(usize, Span)>> =
        graph.modules.iter().map(|m| m.uses.iter().filter_map(|u| u.target.map(|t| (t, u.span))).collect()).collect();
    let name = |i: usize| graph.modules.get(i).map_or_else(String::new, |m| m.name.clone());
    for cycle in super::graph::walk(&edges).cycles {
        let mut names: Vec<String> = cycle.path.iter().map(|&m| name(m)).collect();
        names.extend(cycle.path.first().map(|&m| name(m)));
        diagnostics.push(CheckError::ModuleCycle { span: cycle.closing, cycle: names }.to_diagnostic());
    }
}
