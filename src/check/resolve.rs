//! Names and types. Declarations are collected from every module first, so that order in a
//! file and between files does not matter. Sets that include sets, and `let`s that name
//! `let`s, record those references as graphs; one iterative walk of each graph then orders
//! the work, reports cycles and bounds how deep a chain of definitions may go (later stages
//! inline `let`s, so the bound protects them too).
//!
//! Conditions are reduced to tests on one fact each ([`ir::Test`]); a named set whose members
//! carry `effective` ranges becomes a disjunction that also tests the transfer date.

use super::error::{CheckError, NotSingle};
use super::graph;
use super::ir::{self, EnumId, FactId, Interval, LetId, MemberId, Pred, RegimeId, SetId, Type};
use super::modules::Graph;
use crate::date::Date;
use crate::diagnostics::closest;
use crate::source::Span;
use crate::syntax::ast::{self, CmpOp};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How deep a chain of definitions (a `let` using a `let` using …) may go.
pub const MAX_DEFINITION_DEPTH: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Symbol {
    Enum(EnumId),
    Set(SetId),
    Fact(FactId),
    Let(LetId),
    Regime(RegimeId),
    Accord,
    Family(usize),
    Strength,
}

impl Symbol {
    fn words(self) -> &'static str {
        match self {
            Symbol::Enum(_) => "an enum",
            Symbol::Set(_) => "a named set",
            Symbol::Fact(_) => "a fact",
            Symbol::Let(_) => "a `let`",
            Symbol::Regime(_) => "a regime",
            Symbol::Accord => "an accord",
            Symbol::Family(_) => "a family of mechanisms",
            Symbol::Strength => "a strength order",
        }
    }
}

struct ModuleScope {
    names: HashMap<String, (Symbol, Span)>,
    uses: Vec<Option<usize>>,
    prelude: bool,
    /// A module this one uses could not be read: unknown names are likely its.
    shaky: bool,
}

/// Where a `let` is checked: its module, and the regime whose locals it sees.
#[derive(Clone, Copy)]
struct LetHome<'a> {
    module: usize,
    regime: Option<usize>,
    decl: &'a ast::LetDecl,
}

/// What a condition is checked against.
#[derive(Clone, Copy)]
struct Cx {
    module: usize,
    regime: Option<usize>,
    date: Option<FactId>,
}

pub(crate) struct Checker<'g> {
    graph: &'g Graph,
    pub program: ir::Program,
    pub errors: Vec<CheckError>,
    scopes: Vec<ModuleScope>,
    used_uses: HashSet<(usize, usize)>,
    set_decls: Vec<(usize, &'g ast::SetDecl)>,
    let_homes: Vec<LetHome<'g>>,
    /// For each `let`, the `let`s its condition names.
    let_refs: Vec<Vec<(usize, Span)>>,
    /// The `let` whose condition is being checked, if any.
    current_let: Option<LetId>,
    used_lets: HashSet<LetId>,
    /// Regime-local `let`s, by regime.
    regime_lets: Vec<HashMap<String, LetId>>,
    /// Whether an `establish` condition is being checked (it may not use `established`).
    in_establishment: bool,
    /// Every `established m` written, to check that something establishes `m`.
    established_uses: Vec<(MemberId, ast::Ident)>,
}

impl<'g> Checker<'g> {
    pub fn new(graph: &'g Graph) -> Self {
        Checker {
            graph,
            program: ir::Program::default(),
            errors: Vec::new(),
            scopes: Vec::new(),
            used_uses: HashSet::new(),
            set_decls: Vec::new(),
            let_homes: Vec::new(),
            let_refs: Vec::new(),
            current_let: None,
            used_lets: HashSet::new(),
            regime_lets: Vec::new(),
            in_establishment: false,
            established_uses: Vec::new(),
        }
    }

    pub fn run(mut self) -> (ir::Program, Vec<CheckError>) {
        self.declare();
        self.resolve_types();
        for i in 0..self.let_homes.len() {
            self.type_let(let_id(i));
        }
        let mut regime_index = 0;
        let graph = self.graph;
        for (m, module) in graph.modules.iter().enumerate() {
            for item in &module.ast.items {
                match item {
                    ast::Item::Regime(decl) => {
                        self.regime(m, regime_index, decl);
                        regime_index += 1;
                    }
                    ast::Item::Accord(decl) => self.accord(m, decl),
                    ast::Item::Establish(decl) => self.establish(m, decl),
                    ast::Item::Weigh(decl) => {
                        // The same weights read twice (the embedded vocabulary and its file, in
                        // `accord check stdlib`) are one declaration; different ones conflict.
                        if let Some(w) = self.weigh(m, None, decl, &[]) {
                            match self.program.weights.iter().find(|p| p.fact == w.fact) {
                                Some(p) if p.distribution == w.distribution => {}
                                Some(p) => {
                                    let first = p.span;
                                    let error = CheckError::BadWeights {
                                        span: decl.fact.span,
                                        message: format!("`{}` is weighed already, differently", decl.fact.name),
                                        label: "weighed again here".into(),
                                        help: "weights at the top level hold for every regime: to weigh a fact \
                                               otherwise for one regime, write `weigh` inside it; for one \
                                               comparison, pass `--weights FILE`"
                                            .into(),
                                        other: None,
                                    };
                                    self.errors.push(error.with_other(first, "first weighed here"));
                                }
                                None => self.program.weights.push(w),
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut family = 0;
        for (m, module) in graph.modules.iter().enumerate() {
            for item in &module.ast.items {
                if let ast::Item::Family(decl) = item {
                    self.family(m, family, decl);
                    family += 1;
                }
            }
        }
        for (m, module) in graph.modules.iter().enumerate() {
            for item in &module.ast.items {
                if let ast::Item::Strength(decl) = item {
                    self.strength(m, decl);
                }
            }
        }
        self.strength_cycles();
        for (m, name) in std::mem::take(&mut self.established_uses) {
            if !self.program.establishments.iter().any(|e| e.mechanism == m) {
                self.errors.push(CheckError::NeverEstablished { span: name.span, mechanism: name.name });
            }
        }
        // `established` written in an establishing condition is reported where it stands; one
        // reached through a `let` is reported at the declaration.
        for e in &self.program.establishments {
            if reaches_established(&self.program, &e.when) {
                self.errors.push(CheckError::EstablishedInEstablish { span: e.span, through_let: true });
            }
        }
        self.inert_accords();
        self.inert_upons();
        self.unused_uses();
        self.let_cycles();
        (self.program, self.errors)
    }

    // ── declarations ────────────────────────────────────────────────────────────────────────

    fn declare(&mut self) {
        let graph = self.graph;
        for module in &graph.modules {
            let uses = module.uses.iter().map(|u| u.target).collect::<Vec<_>>();
            let shaky = uses.iter().any(|u| u.is_none_or(|t| graph.modules.get(t).is_some_and(|m| m.broken)));
            self.scopes.push(ModuleScope { names: HashMap::new(), uses, prelude: module.prelude, shaky });
        }
        for (m, module) in graph.modules.iter().enumerate() {
            for item in &module.ast.items {
                match item {
                    ast::Item::Use(_) => {}
                    ast::Item::Enum(decl) => {
                        let id = EnumId(index_u32(self.program.enums.len()));
                        let mut members: Vec<ir::MemberDef> = Vec::new();
                        let mut seen: HashMap<&str, Span> = HashMap::new();
                        for member in &decl.members {
                            if let Some(previous) = seen.insert(&member.name.name, member.name.span) {
                                self.errors.push(CheckError::DuplicateEntry {
                                    span: member.name.span,
                                    what: format!("member `{}`", member.name.name),
                                    previous,
                                });
                                continue;
                            }
                            members.push(ir::MemberDef {
                                name: member.name.name.clone(),
                                description: member.description.as_ref().map(|d| d.value.clone()),
                                doc: member.doc.clone(),
                                implies: Vec::new(),
                                span: member.name.span,
                            });
                        }
                        self.program.enums.push(ir::EnumDef {
                            name: decl.name.name.clone(),
                            doc: decl.doc.clone(),
                            members,
                            span: decl.span,
                        });
                        self.define(m, &decl.name, Symbol::Enum(id));
                        self.implications(id, decl);
                    }
                    ast::Item::Set(decl) => {
                        let id = SetId(index_u32(self.program.sets.len()));
                        self.program.sets.push(ir::SetDef {
                            name: decl.name.name.clone(),
                            doc: decl.doc.clone(),
                            element: EnumId(u32::MAX),
                            members: Vec::new(),
                            span: decl.span,
                        });
                        self.set_decls.push((m, decl));
                        self.define(m, &decl.name, Symbol::Set(id));
                    }
                    ast::Item::Facts(decl) => {
                        for fact in &decl.facts {
                            let id = FactId(index_u32(self.program.facts.len()));
                            self.program.facts.push(ir::FactDef {
                                name: fact.name.name.clone(),
                                doc: fact.doc.clone(),
                                ty: Type::Bool,
                                span: fact.name.span,
                            });
                            self.define(m, &fact.name, Symbol::Fact(id));
                        }
                    }
                    ast::Item::Let(decl) => {
                        let id = self.new_let(LetHome { module: m, regime: None, decl });
                        self.define(m, &decl.name, Symbol::Let(id));
                    }
                    ast::Item::Regime(decl) => {
                        let id = RegimeId(index_u32(self.program.regimes.len()));
                        self.program.regimes.push(placeholder_regime(decl));
                        self.regime_lets.push(HashMap::new());
                        self.define(m, &decl.name, Symbol::Regime(id));
                    }
                    ast::Item::Accord(decl) => self.define(m, &decl.name, Symbol::Accord),
                    ast::Item::Family(decl) => {
                        let index = self.program.families.len();
                        self.program.families.push(ir::Family {
                            id: decl.name.name.clone(),
                            title: decl.title.value.clone(),
                            members: Vec::new(),
                            span: decl.span,
                        });
                        self.define(m, &decl.name, Symbol::Family(index));
                    }
                    ast::Item::Strength(decl) => self.define(m, &decl.name, Symbol::Strength),
                    ast::Item::Establish(_) | ast::Item::Weigh(_) => {}
                }
            }
        }
    }

    fn new_let(&mut self, home: LetHome<'g>) -> LetId {
        let id = let_id(self.program.lets.len());
        self.program.lets.push(ir::LetDef {
            name: home.decl.name.name.clone(),
            cond: ir::Cond::Const(false),
            span: home.decl.span,
        });
        self.let_homes.push(home);
        self.let_refs.push(Vec::new());
        id
    }

    fn define(&mut self, module: usize, name: &ast::Ident, symbol: Symbol) {
        let Some(scope) = self.scopes.get_mut(module) else { return };
        if let Some((_, previous)) = scope.names.get(&name.name) {
            let previous = *previous;
            self.errors.push(CheckError::DuplicateDefinition { span: name.span, name: name.name.clone(), previous });
        } else {
            scope.names.insert(name.name.clone(), (symbol, name.span));
        }
    }

    fn resolve_types(&mut self) {
        let graph = self.graph;
        let mut fact_index = 0;
        for (m, module) in graph.modules.iter().enumerate() {
            for item in &module.ast.items {
                if let ast::Item::Facts(decl) = item {
                    for fact in &decl.facts {
                        let ty = self.type_expr(m, &fact.ty);
                        if let (Some(ty), Some(def)) = (ty, self.program.facts.get_mut(fact_index)) {
                            def.ty = ty;
                        }
                        fact_index += 1;
                    }
                }
            }
        }
        self.resolve_sets();
    }

    fn type_expr(&mut self, module: usize, ty: &ast::TypeExpr) -> Option<Type> {
        match ty {
            ast::TypeExpr::Named(name) => match name.name.as_str() {
                "bool" => Some(Type::Bool),
                "count" => Some(Type::Count),
                "date" => Some(Type::Date),
                _ => self.enum_named(module, name).map(Type::Enum),
            },
            ast::TypeExpr::Set { element, .. } => self.enum_named(module, element).map(Type::Set),
        }
    }

    fn enum_named(&mut self, module: usize, name: &ast::Ident) -> Option<EnumId> {
        match self.lookup(module, None, name) {
            Some(Symbol::Enum(id)) => Some(id),
            Some(other) => {
                self.errors.push(CheckError::WrongKind {
                    span: name.span,
                    name: name.name.clone(),
                    expected: "a type".into(),
                    found: other.words().into(),
                    help: "types are `bool`, `count`, `date`, an enum, or `set<Enum>`".into(),
                });
                None
            }
            None => {
                let alias = match name.name.as_str() {
                    "int" | "integer" | "number" | "u64" | "i64" | "usize" | "uint" | "natural" => Some("count"),
                    "boolean" => Some("bool"),
                    "datetime" | "timestamp" | "day" => Some("date"),
                    _ => None,
                };
                let mut candidates = vec!["bool".to_owned(), "count".to_owned(), "date".to_owned()];
                candidates.extend(self.visible(module, None, |s| matches!(s, Symbol::Enum(_))));
                let suggestion = alias
                    .map(str::to_owned)
                    .or_else(|| closest(&name.name, candidates.iter().map(String::as_str)).map(str::to_owned));
                self.report_unknown(module, name, "type", suggestion, None);
                None
            }
        }
    }

    /// Resolves every named set: its enum, its members, and the members of the sets it
    /// includes (flattened, each member's date range narrowed by the inclusion's).
    fn resolve_sets(&mut self) {
        let decls = self.set_decls.clone();
        for (i, &(module, decl)) in decls.iter().enumerate() {
            let element = self.enum_named(module, &decl.element);
            if let (Some(element), Some(def)) = (element, self.program.sets.get_mut(i)) {
                def.element = element;
            }
        }
        let mut includes: Vec<Vec<(usize, Span)>> = Vec::with_capacity(decls.len());
        let mut include_ranges: Vec<Vec<Option<Interval>>> = Vec::with_capacity(decls.len());
        for (i, &(module, decl)) in decls.iter().enumerate() {
            let (mut edges, mut ranges) = (Vec::new(), Vec::new());
            let element = self.program.sets.get(i).map(|s| s.element).filter(|e| e.0 != u32::MAX);
            if let Some(element) = element {
                let mut members = Vec::new();
                let mut seen: HashMap<String, Span> = HashMap::new();
                for member in &decl.members {
                    if let Some(previous) = seen.insert(member.name.name.clone(), member.name.span) {
                        let what = format!("member `{}`", member.name.name);
                        self.errors.push(CheckError::DuplicateEntry { span: member.name.span, what, previous });
                        continue;
                    }
                    let range = member.effective.as_ref().and_then(|r| self.date_range(r));
                    if let Some(m) = self.member(element, &member.name.name) {
                        members.push((m, range));
                        continue;
                    }
                    match self.lookup(module, None, &member.name) {
                        Some(Symbol::Set(inner)) => {
                            let inner_element = self.program.sets.get(inner.index()).map(|s| s.element);
                            if inner_element.is_some_and(|e| e != element && e.0 != u32::MAX) {
                                let message = format!(
                                    "set `{}` holds members of another enum than `{}`, which holds `{}` members",
                                    member.name.name,
                                    decl.name.name,
                                    self.enum_name(element)
                                );
                                let help = "a set can include only sets of the same enum".to_owned();
                                self.errors.push(CheckError::OperatorType { span: member.name.span, message, help });
                                continue;
                            }
                            edges.push((inner.index(), member.name.span));
                            ranges.push(range);
                        }
                        _ => self.outside_domain(&member.name, None, element),
                    }
                }
                if let Some(def) = self.program.sets.get_mut(i) {
                    def.members = members;
                }
            }
            includes.push(edges);
            include_ranges.push(ranges);
        }
        let walk = graph::walk(&includes);
        for cycle in &walk.cycles {
            let name = cycle.path.first().and_then(|&s| self.program.sets.get(s)).map(|s| s.name.clone());
            self.errors.push(CheckError::DefinitionCycle { span: cycle.closing, name: name.unwrap_or_default() });
        }
        let mut done = vec![false; decls.len()];
        for &set in &walk.postorder {
            let included_by_deep = includes.iter().enumerate().any(|(outer, edges)| {
                walk.depth.get(outer).is_some_and(|&d| d > MAX_DEFINITION_DEPTH) && edges.iter().any(|&(t, _)| t == set)
            });
            if walk.depth.get(set).is_some_and(|&d| d > MAX_DEFINITION_DEPTH) && !included_by_deep {
                if let Some(&(_, decl)) = decls.get(set) {
                    let name = decl.name.clone();
                    self.errors.push(CheckError::DefinitionTooDeep { span: name.span, name: name.name });
                }
            }
            let mut added = Vec::new();
            let edges = includes.get(set).map(Vec::as_slice).unwrap_or_default();
            let ranges = include_ranges.get(set).map(Vec::as_slice).unwrap_or_default();
            for (&(inner, _), &range) in edges.iter().zip(ranges) {
                // An inner set not yet done is on a cycle, which is reported above.
                if done.get(inner) == Some(&true) {
                    if let Some(inner_def) = self.program.sets.get(inner) {
                        // A member whose dates do not overlap the inclusion's never belongs.
                        added.extend(
                            inner_def
                                .members
                                .iter()
                                .map(|&(m, r)| (m, intersect(r, range)))
                                .filter(|(_, r)| r.is_none_or(|r| !r.is_empty())),
                        );
                    }
                }
            }
            if let Some(def) = self.program.sets.get_mut(set) {
                def.members.extend(added);
            }
            if let Some(slot) = done.get_mut(set) {
                *slot = true;
            }
        }
    }

    /// Types one `let`'s condition; the `let`s it names are recorded, not followed.
    fn type_let(&mut self, id: LetId) {
        let Some(&home) = self.let_homes.get(id.index()) else { return };
        let date = self.well_known_fact(home.module, "date");
        let cx = Cx { module: home.module, regime: home.regime, date };
        self.current_let = Some(id);
        let cond = self.cond(cx, &home.decl.cond);
        self.current_let = None;
        if let Some(def) = self.program.lets.get_mut(id.index()) {
            def.cond = cond;
        }
    }

    /// Reports `let`s defined in terms of themselves, and chains too deep to inline.
    fn let_cycles(&mut self) {
        let walk = graph::walk(&self.let_refs);
        for cycle in &walk.cycles {
            let name = cycle.path.first().and_then(|&l| self.program.lets.get(l)).map(|l| l.name.clone());
            self.errors.push(CheckError::DefinitionCycle { span: cycle.closing, name: name.unwrap_or_default() });
        }
        // Report each over-deep chain once, at its head: a `let` that no other over-deep
        // `let` names.
        let mut named_by_deep = vec![false; walk.depth.len()];
        for (id, refs) in self.let_refs.iter().enumerate() {
            if walk.depth.get(id).is_some_and(|&d| d > MAX_DEFINITION_DEPTH) {
                for &(target, _) in refs {
                    if let Some(slot) = named_by_deep.get_mut(target) {
                        *slot = true;
                    }
                }
            }
        }
        for (id, &depth) in walk.depth.iter().enumerate() {
            if depth > MAX_DEFINITION_DEPTH && named_by_deep.get(id) == Some(&false) {
                if let Some(home) = self.let_homes.get(id) {
                    let name = home.decl.name.clone();
                    self.errors.push(CheckError::DefinitionTooDeep { span: name.span, name: name.name });
                }
            }
        }
    }

    // ── lookup ──────────────────────────────────────────────────────────────────────────────

    /// Finds a name: regime-local `let`s, then the module's own declarations, then what its
    /// `use`s bring, then the standard vocabulary. Records which `use`s were needed, and
    /// reports a name that two used modules declare differently.
    fn lookup(&mut self, module: usize, regime: Option<usize>, name: &ast::Ident) -> Option<Symbol> {
        let found = self.find(module, regime, &name.name);
        for &u in &found.uses {
            self.used_uses.insert((module, u));
        }
        if found.ambiguous.len() > 1 {
            let modules = found
                .ambiguous
                .iter()
                .filter_map(|t| self.graph.modules.get(*t).map(|m| format!("`{}`", m.name)))
                .collect();
            self.errors.push(CheckError::AmbiguousName { span: name.span, name: name.name.clone(), modules });
        }
        found.symbol
    }

    /// [`Self::lookup`] without recording anything.
    fn find(&self, module: usize, regime: Option<usize>, name: &str) -> Found {
        let mut found = Found { symbol: None, uses: Vec::new(), ambiguous: Vec::new() };
        if let Some(&id) = regime.and_then(|r| self.regime_lets.get(r)).and_then(|lets| lets.get(name)) {
            found.symbol = Some(Symbol::Let(id));
            return found;
        }
        let Some(scope) = self.scopes.get(module) else { return found };
        if let Some((symbol, _)) = scope.names.get(name) {
            found.symbol = Some(*symbol);
            return found;
        }
        let mut from_uses: Vec<(usize, Symbol)> = Vec::new();
        for (u, target) in scope.uses.iter().enumerate() {
            let Some(target) = *target else { continue };
            if let Some((symbol, _)) = self.scopes.get(target).and_then(|s| s.names.get(name)) {
                found.uses.push(u);
                if !from_uses.iter().any(|(t, _)| *t == target) {
                    from_uses.push((target, *symbol));
                }
            }
        }
        if let Some(&(_, symbol)) = from_uses.first() {
            if from_uses.iter().any(|(_, s)| *s != symbol) {
                found.ambiguous = from_uses.iter().map(|(t, _)| *t).collect();
            }
            found.symbol = Some(symbol);
            return found;
        }
        if scope.prelude {
            for &p in &self.graph.prelude {
                if let Some((symbol, _)) = self.scopes.get(p).and_then(|s| s.names.get(name)) {
                    found.symbol = Some(*symbol);
                    return found;
                }
            }
        }
        found
    }

    /// Names visible from a module (and regime) whose symbol passes `keep`, for suggestions.
    fn visible(&self, module: usize, regime: Option<usize>, keep: impl Fn(Symbol) -> bool) -> Vec<String> {
        let mut names = Vec::new();
        if let Some(lets) = regime.and_then(|r| self.regime_lets.get(r)) {
            if keep(Symbol::Let(LetId(0))) {
                names.extend(lets.keys().cloned());
            }
        }
        let Some(scope) = self.scopes.get(module) else { return names };
        let mut scopes = vec![module];
        scopes.extend(scope.uses.iter().flatten());
        if scope.prelude {
            scopes.extend(&self.graph.prelude);
        }
        for s in scopes {
            if let Some(scope) = self.scopes.get(s) {
                names.extend(scope.names.iter().filter(|(_, (sym, _))| keep(*sym)).map(|(n, _)| n.clone()));
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Reports an unknown name, suggesting the closest of `candidates`; the suggestion.
    fn unknown(&mut self, module: usize, name: &ast::Ident, kind: &str, candidates: Vec<String>) -> Option<String> {
        let suggestion = closest(&name.name, candidates.iter().map(String::as_str)).map(str::to_owned);
        let note = self
            .regime_lets
            .iter()
            .any(|lets| lets.contains_key(&name.name))
            .then(|| format!("another regime has a `let {}`, but a regime's `let`s are its own: declare it at the top level to share it", name.name));
        self.report_unknown(module, name, kind, suggestion.clone(), note);
        suggestion
    }

    fn report_unknown(
        &mut self,
        module: usize,
        name: &ast::Ident,
        kind: &str,
        suggestion: Option<String>,
        note: Option<String>,
    ) {
        // A module whose imports could not be read would see names it cannot; say nothing.
        if self.scopes.get(module).is_some_and(|s| s.shaky) {
            return;
        }
        self.errors.push(CheckError::UnknownName {
            span: name.span,
            name: name.name.clone(),
            kind: kind.into(),
            suggestion,
            note,
        });
    }

    /// Reports a member of one well-known enum used where the other belongs.
    fn wrong_kind_member(&mut self, name: &ast::Ident, expected: &str, found: &str, help: &str) {
        self.errors.push(CheckError::WrongKind {
            span: name.span,
            name: name.name.clone(),
            expected: format!("a member of `{expected}`"),
            found: format!("a member of `{found}`"),
            help: help.to_owned(),
        });
    }

    /// Reports a name of the wrong kind, with how that kind of name is used.
    fn wrong_kind(&mut self, name: &ast::Ident, expected: String, found: Symbol) {
        let n = &name.name;
        let help = match found {
            Symbol::Let(id) => {
                // The author meant to use it: do not also call it unused.
                self.used_lets.insert(id);
                format!("a `let` names a condition: write it on its own, e.g. `when {n}`")
            }
            Symbol::Set(_) => format!("a named set is tested with `in` or `has any`, e.g. `destination in {n}`"),
            Symbol::Enum(_) => format!("`{n}` is a type: name one of its members, or a fact of that type"),
            Symbol::Fact(_) => format!("a fact is tested in a condition, e.g. `{n} == …`"),
            Symbol::Regime(_) | Symbol::Accord => format!("`{n}` can be named only in an accord"),
            Symbol::Family(_) => format!("a family can be named only in a `strength` order, e.g. `{n} > …`"),
            Symbol::Strength => format!("`{n}` is a strength order and cannot be named"),
        };
        self.errors.push(CheckError::WrongKind {
            span: name.span,
            name: n.clone(),
            expected,
            found: found.words().into(),
            help,
        });
    }

    /// A fact the language's meaning depends on (`date`, `origin`, …), as visible here.
    fn well_known_fact(&self, module: usize, name: &str) -> Option<FactId> {
        match self.find(module, None, name).symbol {
            Some(Symbol::Fact(id)) => Some(id),
            _ => None,
        }
    }

    /// An enum the language's meaning depends on (`Mechanism`, `Obligation`), as visible here.
    fn well_known_enum(&self, module: usize, name: &str) -> Option<EnumId> {
        match self.find(module, None, name).symbol {
            Some(Symbol::Enum(id)) => Some(id),
            _ => None,
        }
    }

    fn member(&self, element: EnumId, name: &str) -> Option<MemberId> {
        let def = self.program.enum_def(element)?;
        def.members.iter().position(|m| m.name == name).map(|i| MemberId(index_u32(i)))
    }

    fn enum_name(&self, id: EnumId) -> String {
        self.program.enum_def(id).map(|e| e.name.clone()).unwrap_or_default()
    }

    fn fact_ty(&self, id: FactId) -> Type {
        self.program.fact(id).map_or(Type::Bool, |f| f.ty)
    }

    fn fact_name(&self, id: FactId) -> String {
        self.program.fact(id).map(|f| f.name.clone()).unwrap_or_default()
    }

    /// Reports a value that is not a member of `element`; `fact` names the fact it was given
    /// for, if any.
    fn outside_domain(&mut self, value: &ast::Ident, fact: Option<&str>, element: EnumId) {
        let enum_name = self.enum_name(element);
        let is_member = |m: &str| self.member(element, m).is_some();
        // Codes that people write for a country but ISO 3166-1 does not assign to it.
        let (alias, note) = match value.name.as_str() {
            "UK" if is_member("GB") => (Some("GB"), Some("the United Kingdom's ISO 3166-1 code is GB; UK is reserved")),
            "EL" if is_member("GR") => (Some("GR"), Some("Greece's ISO 3166-1 code is GR; the EU writes EL")),
            _ => (None, None),
        };
        // An alpha-3 code (`SGP`) usually begins with its alpha-2 code (`SG`).
        let alpha3 = (value.name.len() == 3 && value.name.chars().all(|c| c.is_ascii_uppercase()))
            .then(|| value.name.get(..2).filter(|two| is_member(two)).map(str::to_owned))
            .flatten();
        let suggestion = alias.map(str::to_owned).or(alpha3).or_else(|| {
            self.program
                .enum_def(element)
                .and_then(|e| closest(&value.name, e.members.iter().map(|m| m.name.as_str())).map(str::to_owned))
        });
        self.errors.push(CheckError::OutsideDomain {
            span: value.span,
            value: value.name.clone(),
            fact: fact.map(str::to_owned),
            enum_name,
            suggestion,
            note: note.map(str::to_owned),
        });
    }

    /// A type as written in a `facts` declaration.
    fn type_name(&self, ty: Type) -> String {
        match ty {
            Type::Bool => "`bool`".into(),
            Type::Count => "`count`".into(),
            Type::Date => "`date`".into(),
            Type::Enum(e) => format!("`{}`", self.enum_name(e)),
            Type::Set(e) => format!("`set<{}>`", self.enum_name(e)),
        }
    }

    fn type_words(&self, ty: Type) -> String {
        match ty {
            Type::Bool => "a bool (`true` or `false`)".into(),
            Type::Count => "a count".into(),
            Type::Date => "a date".into(),
            Type::Enum(e) => format!("a `{}`", self.enum_name(e)),
            Type::Set(e) => format!("a set of `{}`", self.enum_name(e)),
        }
    }

    // ── ranges ──────────────────────────────────────────────────────────────────────────────

    /// An `effective` range as day numbers.
    fn date_range(&mut self, range: &ast::Range) -> Option<Interval> {
        self.range(range, Type::Date, "`effective` takes dates")
    }

    /// A range over counts or dates, checked for its bounds' type and for being non-empty.
    fn range(&mut self, range: &ast::Range, ty: Type, wrong: &str) -> Option<Interval> {
        let bound = |this: &mut Self, literal: &Option<ast::Literal>| -> Result<Option<i64>, ()> {
            match (literal, ty) {
                (None, _) => Ok(None),
                (Some(ast::Literal::Number(n, _)), Type::Count) => Ok(Some(i64::try_from(*n).unwrap_or(i64::MAX))),
                (Some(ast::Literal::Date(d, _)), Type::Date) => Ok(Some(d.days())),
                (Some(other), _) => {
                    let message = format!("{wrong}, not {}", literal_words(other));
                    let example =
                        if ty == Type::Date { "a date such as `2024-03-22`" } else { "a number such as `100_000`" };
                    let help = format!("write {example} here");
                    this.errors.push(CheckError::OperatorType { span: other.span(), message, help });
                    Err(())
                }
            }
        };
        let lo = bound(self, &range.lo);
        let hi = bound(self, &range.hi);
        let (Ok(lo), Ok(hi)) = (lo, hi) else { return None };
        let floor = if ty == Type::Date { i64::MIN } else { 0 };
        let interval = Interval { lo: lo.unwrap_or(floor), hi };
        if interval.is_empty() {
            let show = |l: &Option<ast::Literal>| l.as_ref().map(literal_text).unwrap_or_default();
            self.errors.push(CheckError::BadRange { span: range.span, lo: show(&range.lo), hi: show(&range.hi) });
            return None;
        }
        Some(interval)
    }

    // ── conditions ──────────────────────────────────────────────────────────────────────────

    fn cond(&mut self, cx: Cx, cond: &ast::Cond) -> ir::Cond {
        match cond {
            ast::Cond::And(parts, _) => ir::Cond::And(parts.iter().map(|p| self.cond(cx, p)).collect()),
            ast::Cond::Or(parts, _) => ir::Cond::Or(parts.iter().map(|p| self.cond(cx, p)).collect()),
            ast::Cond::Not(inner, _) => ir::Cond::Not(Box::new(self.cond(cx, inner))),
            ast::Cond::Test(test) => self.test(cx, test).unwrap_or(ir::Cond::Const(false)),
            ast::Cond::Established(name, span) => {
                if self.in_establishment {
                    self.errors.push(CheckError::EstablishedInEstablish { span: *span, through_let: false });
                    return ir::Cond::Const(false);
                }
                let mechanism = self.mechanism_enum(cx.module, name.span);
                match self.vocabulary_member(cx, mechanism, "Mechanism", name) {
                    Some(m) => {
                        self.established_uses.push((m, name.clone()));
                        ir::Cond::Established(m)
                    }
                    None => ir::Cond::Const(false),
                }
            }
        }
    }

    /// `None` once an error has been reported.
    fn test(&mut self, cx: Cx, test: &ast::Test) -> Option<ir::Cond> {
        let Some(op) = &test.op else { return self.bare(cx, &test.lhs) };
        match op {
            ast::TestOp::Cmp(op, _, rhs) => {
                let (fact, op, value) = match (self.side(cx, &test.lhs), self.side(cx, rhs)) {
                    (Side::Arith, _) | (_, Side::Arith) => {
                        return self.not_single(test.span, NotSingle::Arithmetic);
                    }
                    (Side::Fact(f), Side::List) | (Side::List, Side::Fact(f)) => {
                        return self.compare_list(f, *op, test.span);
                    }
                    (Side::List, _) | (_, Side::List) => return self.not_single(test.span, NotSingle::NoFact),
                    (Side::Fact(a), Side::Fact(b)) => {
                        let why = NotSingle::TwoFacts(self.fact_name(a), self.fact_name(b));
                        return self.not_single(test.span, why);
                    }
                    (Side::Fact(f), Side::Value(v)) => (f, *op, v),
                    (Side::Value(v), Side::Fact(f)) => (f, op.flip(), v),
                    (Side::Value(a), Side::Value(b)) => {
                        for literal in [a, b] {
                            if let ast::Literal::Name(name) = literal {
                                if self.lookup(cx.module, cx.regime, name).is_none() {
                                    let facts = self.visible(cx.module, cx.regime, |s| matches!(s, Symbol::Fact(_)));
                                    self.unknown(cx.module, name, "fact", facts);
                                    return None;
                                }
                            }
                        }
                        return self.not_single(test.span, NotSingle::NoFact);
                    }
                };
                self.compare(cx, fact, op, value, test.span)
            }
            ast::TestOp::In(rhs, _) => {
                let fact = self.subject(cx, &test.lhs, "in", test.span)?;
                self.in_test(cx, fact, rhs, test.span)
            }
            ast::TestOp::Has(rhs, _) => {
                let fact = self.subject(cx, &test.lhs, "has", test.span)?;
                self.has_test(cx, fact, rhs, test.span)
            }
        }
    }

    fn not_single(&mut self, span: Span, why: NotSingle) -> Option<ir::Cond> {
        self.errors.push(CheckError::NotSingleFact { span, why });
        None
    }

    fn side<'a>(&mut self, cx: Cx, operand: &'a ast::Operand) -> Side<'a> {
        match operand {
            ast::Operand::Arith(..) => Side::Arith,
            ast::Operand::List(_) => Side::List,
            ast::Operand::Literal(ast::Literal::Name(name)) => match self.lookup(cx.module, cx.regime, name) {
                Some(Symbol::Fact(id)) => Side::Fact(id),
                _ => Side::Value(match operand {
                    ast::Operand::Literal(l) => l,
                    ast::Operand::Arith(..) | ast::Operand::List(_) => return Side::Arith,
                }),
            },
            ast::Operand::Literal(literal) => Side::Value(literal),
        }
    }

    /// The fact on the left of `in` or `has`.
    fn subject(&mut self, cx: Cx, lhs: &ast::Operand, op: &str, span: Span) -> Option<FactId> {
        match lhs {
            ast::Operand::Arith(..) => {
                self.not_single(span, NotSingle::Arithmetic);
                None
            }
            ast::Operand::Literal(ast::Literal::Name(name)) => match self.lookup(cx.module, cx.regime, name) {
                Some(Symbol::Fact(id)) => Some(id),
                None => {
                    let facts = self.visible(cx.module, cx.regime, |s| matches!(s, Symbol::Fact(_)));
                    self.unknown(cx.module, name, "fact", facts);
                    None
                }
                Some(other) => {
                    self.wrong_kind(name, format!("a fact (the left of `{op}`)"), other);
                    None
                }
            },
            ast::Operand::Literal(_) | ast::Operand::List(_) => {
                self.not_single(span, NotSingle::NoFact);
                None
            }
        }
    }

    /// A fact compared with a list: say which operator takes a list.
    fn compare_list(&mut self, fact: FactId, op: CmpOp, span: Span) -> Option<ir::Cond> {
        let ty = self.fact_ty(fact);
        let name = self.fact_name(fact);
        let (message, help) = match ty {
            Type::Set(element) => (
                format!("`{}` does not apply to sets; `{name}` is a set of `{}`", op.as_str(), self.enum_name(element)),
                format!("test members with `{name} has …`, `{name} has any {{…}}` or `{name} has all {{…}}`"),
            ),
            _ => (
                format!("`{}` compares `{name}` with one value, not a list", op.as_str()),
                format!("test several values with `{name} in {{…}}`"),
            ),
        };
        self.errors.push(CheckError::OperatorType { span, message, help });
        None
    }

    /// A test with no operator: a bool fact, a `let`, `true` or `false`.
    fn bare(&mut self, cx: Cx, operand: &ast::Operand) -> Option<ir::Cond> {
        let literal = match operand {
            ast::Operand::Arith(_, span) => return self.not_single(*span, NotSingle::Arithmetic),
            ast::Operand::List(list) => return self.not_single(list.span, NotSingle::NoFact),
            ast::Operand::Literal(literal) => literal,
        };
        let (name, what, help) = match literal {
            ast::Literal::Bool(b, _) => return Some(ir::Cond::Const(*b)),
            ast::Literal::Number(n, span) => {
                let name = ast::Ident { name: n.to_string(), span: *span };
                (
                    name,
                    "a number".to_owned(),
                    "compare a count fact with it, e.g. `individuals_ytd >= 100_000`".to_owned(),
                )
            }
            ast::Literal::Date(d, span) => {
                let name = ast::Ident { name: d.to_string(), span: *span };
                (name, "a date".to_owned(), "compare the transfer date with it, e.g. `date >= 2024-03-22`".to_owned())
            }
            ast::Literal::Name(name) => match self.lookup(cx.module, cx.regime, name) {
                Some(Symbol::Let(id)) => {
                    self.used_lets.insert(id);
                    if let Some(refs) = self.current_let.and_then(|current| self.let_refs.get_mut(current.index())) {
                        refs.push((id.index(), name.span));
                    }
                    return Some(ir::Cond::Let(id));
                }
                Some(Symbol::Fact(id)) => {
                    let ty = self.fact_ty(id);
                    if ty == Type::Bool {
                        return Some(ir::Cond::Test(ir::Test { fact: id, pred: Pred::Bool(true), span: name.span }));
                    }
                    let help = match ty {
                        Type::Count => format!("compare it: `{} > 0`", name.name),
                        Type::Date => format!("compare it: `{} >= 2024-03-22`", name.name),
                        Type::Enum(_) => format!("test its value: `{} == …` or `{} in {{…}}`", name.name, name.name),
                        Type::Set(_) => {
                            format!("test its members: `{} has …` or `{} has any {{…}}`", name.name, name.name)
                        }
                        Type::Bool => String::new(),
                    };
                    (name.clone(), format!("a fact of type {}", self.type_name(ty)), help)
                }
                Some(Symbol::Set(_)) => (
                    name.clone(),
                    "a named set".to_owned(),
                    format!("test a fact against it: `destination in {}` or `data has any {}`", name.name, name.name),
                ),
                Some(other) => (name.clone(), other.words().to_owned(), "write a test on a fact here".to_owned()),
                None => {
                    let candidates =
                        self.visible(cx.module, cx.regime, |s| matches!(s, Symbol::Fact(_) | Symbol::Let(_)));
                    if let Some(suggestion) = self.unknown(cx.module, name, "name", candidates) {
                        // A misspelt `let` is not an unused one.
                        if let Some(Symbol::Let(id)) = self.find(cx.module, cx.regime, &suggestion).symbol {
                            self.used_lets.insert(id);
                        }
                    }
                    return None;
                }
            },
        };
        self.errors.push(CheckError::NotACondition { span: name.span, name: name.name, what, help });
        None
    }

    fn compare(&mut self, cx: Cx, fact: FactId, op: CmpOp, value: &ast::Literal, span: Span) -> Option<ir::Cond> {
        let ty = self.fact_ty(fact);
        let name = self.fact_name(fact);
        let wrong_value = |this: &mut Self, help: String| {
            let message = format!("`{name}` is {}, but is compared with {}", this.type_words(ty), literal_words(value));
            this.errors.push(CheckError::OperatorType { span, message, help });
            None
        };
        let pred = match ty {
            Type::Bool => {
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    return self.unordered(span, op, &name, ty);
                }
                let ast::Literal::Bool(b, _) = value else {
                    return wrong_value(self, format!("compare it with `true` or `false`, or write just `{name}`"));
                };
                Pred::Bool(*b == (op == CmpOp::Eq))
            }
            Type::Count | Type::Date => {
                let n = match (value, ty) {
                    (ast::Literal::Number(n, _), Type::Count) => i64::try_from(*n).unwrap_or(i64::MAX),
                    (ast::Literal::Date(d, _), Type::Date) => d.days(),
                    _ => {
                        let example = if ty == Type::Count {
                            "a number such as `100_000`"
                        } else {
                            "a date such as `2024-03-22`"
                        };
                        return wrong_value(self, format!("compare `{name}` with {example}"));
                    }
                };
                let floor = if ty == Type::Date { i64::MIN } else { 0 };
                Pred::InRanges(compare_intervals(op, n, floor))
            }
            Type::Enum(element) => {
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    return self.unordered(span, op, &name, ty);
                }
                let ast::Literal::Name(member_name) = value else {
                    return wrong_value(self, format!("compare it with a member of `{}`", self.enum_name(element)));
                };
                let Some(member) = self.member(element, &member_name.name) else {
                    if let Some(Symbol::Set(_)) = self.lookup(cx.module, cx.regime, member_name) {
                        let message = format!(
                            "`{}` is a named set, not a member of `{}`",
                            member_name.name,
                            self.enum_name(element)
                        );
                        let help = format!("test membership with `{name} in {}`", member_name.name);
                        self.errors.push(CheckError::OperatorType { span, message, help });
                        return None;
                    }
                    self.outside_domain(member_name, Some(&name), element);
                    return None;
                };
                let members = if op == CmpOp::Eq { vec![member] } else { self.all_but(element, &[member]) };
                Pred::OneOf(members)
            }
            Type::Set(element) => {
                let message = format!(
                    "`{}` does not apply to sets; `{name}` is a set of `{}`",
                    op.as_str(),
                    self.enum_name(element)
                );
                let help =
                    format!("test members with `{name} has …`, `{name} has any {{…}}` or `{name} has all {{…}}`");
                self.errors.push(CheckError::OperatorType { span, message, help });
                return None;
            }
        };
        Some(ir::Cond::Test(ir::Test { fact, pred, span }))
    }

    fn unordered(&mut self, span: Span, op: CmpOp, name: &str, ty: Type) -> Option<ir::Cond> {
        let message = format!("`{}` orders counts and dates, but `{name}` is {}", op.as_str(), self.type_words(ty));
        let help = match ty {
            Type::Enum(_) => {
                format!("members of an enum have no order: test `{name} == …`, `{name} != …` or `{name} in {{…}}`")
            }
            _ => format!("write `{name}` or `not {name}`"),
        };
        self.errors.push(CheckError::OperatorType { span, message, help });
        None
    }

    fn all_but(&self, element: EnumId, excluded: &[MemberId]) -> Vec<MemberId> {
        let count = self.program.enum_def(element).map_or(0, |e| e.members.len());
        (0..count).map(|i| MemberId(index_u32(i))).filter(|m| !excluded.contains(m)).collect()
    }

    fn in_test(&mut self, cx: Cx, fact: FactId, rhs: &ast::InRhs, span: Span) -> Option<ir::Cond> {
        let ty = self.fact_ty(fact);
        let name = self.fact_name(fact);
        let test = |pred| Some(ir::Cond::Test(ir::Test { fact, pred, span }));
        match (rhs, ty) {
            (ast::InRhs::Range(range), Type::Count | Type::Date) => {
                let wrong = format!("`{name}` is {}", self.type_words(ty));
                let interval = self.range(range, ty, &wrong)?;
                test(Pred::InRanges(vec![interval]))
            }
            (ast::InRhs::List(list), Type::Count | Type::Date) => {
                let mut intervals = Vec::new();
                for item in &list.items {
                    let n = match (item, ty) {
                        (ast::Literal::Number(n, _), Type::Count) => i64::try_from(*n).unwrap_or(i64::MAX),
                        (ast::Literal::Date(d, _), Type::Date) => d.days(),
                        (other, _) => {
                            let message = format!(
                                "`{name}` is {}, but the list holds {}",
                                self.type_words(ty),
                                literal_words(other)
                            );
                            let help = format!("list only {}s", if ty == Type::Count { "number" } else { "date" });
                            self.errors.push(CheckError::OperatorType { span: other.span(), message, help });
                            return None;
                        }
                    };
                    intervals.push(Interval { lo: n, hi: n.checked_add(1) });
                }
                test(Pred::InRanges(normalise(intervals)))
            }
            (ast::InRhs::List(list), Type::Enum(element)) => {
                let members = self.members_of(&list.items, element, &name)?;
                test(Pred::OneOf(members))
            }
            (ast::InRhs::Named(set_name), Type::Enum(element)) => {
                let set = self.named_set(cx, set_name, element, &name)?;
                self.set_test(cx, fact, set, SetMode::In, span)
            }
            (_, Type::Set(element)) => {
                let message = format!("`in` tests one value, but `{name}` is a set of `{}`", self.enum_name(element));
                let help = format!("test members with `{name} has any {{…}}` or `{name} has all {{…}}`");
                self.errors.push(CheckError::OperatorType { span, message, help });
                None
            }
            (ast::InRhs::Range(_), _) => {
                let message = format!("ranges apply to counts and dates, but `{name}` is {}", self.type_words(ty));
                let help = if ty == Type::Bool {
                    format!("test `{name}` or `not {name}`")
                } else {
                    format!("list the members: `{name} in {{…}}`, or use a named set")
                };
                self.errors.push(CheckError::OperatorType { span, message, help });
                None
            }
            (_, Type::Bool) => {
                let message = format!("`in` does not apply to `{name}`, a bool");
                self.errors.push(CheckError::OperatorType {
                    span,
                    message,
                    help: format!("test `{name}` or `not {name}`"),
                });
                None
            }
            (ast::InRhs::Named(set_name), _) => {
                let message = format!("named sets hold enum members, but `{name}` is {}", self.type_words(ty));
                let help = "use a range `lo..hi` or a list `{…}`".to_owned();
                self.errors.push(CheckError::OperatorType { span: set_name.span, message, help });
                None
            }
        }
    }

    fn has_test(&mut self, cx: Cx, fact: FactId, rhs: &ast::HasRhs, span: Span) -> Option<ir::Cond> {
        let ty = self.fact_ty(fact);
        let name = self.fact_name(fact);
        let Type::Set(element) = ty else {
            let message = format!("`has` tests a set, but `{name}` is {}", self.type_words(ty));
            let help = match ty {
                Type::Enum(_) => format!("test its value with `{name} == …` or `{name} in {{…}}`"),
                Type::Bool => format!("test `{name}` or `not {name}`"),
                _ => format!("compare `{name}` with `==`, `<`, `>=` or `in lo..hi`"),
            };
            self.errors.push(CheckError::OperatorType { span, message, help });
            return None;
        };
        let test = |pred| Some(ir::Cond::Test(ir::Test { fact, pred, span }));
        match rhs {
            ast::HasRhs::One(member) => match self.member(element, &member.name) {
                Some(m) => test(Pred::HasAll(vec![m])),
                None => {
                    if let Some(Symbol::Set(_)) = self.lookup(cx.module, cx.regime, member) {
                        let message =
                            format!("`{}` is a named set, not a member of `{}`", member.name, self.enum_name(element));
                        let help =
                            format!("write `{name} has any {}` or `{name} has all {}`", member.name, member.name);
                        self.errors.push(CheckError::OperatorType { span, message, help });
                        return None;
                    }
                    self.outside_domain(member, Some(&name), element);
                    None
                }
            },
            ast::HasRhs::Any(set) | ast::HasRhs::All(set) => {
                let any = matches!(rhs, ast::HasRhs::Any(_));
                match set {
                    ast::SetRef::List(list) => {
                        let members = self.members_of(&list.items, element, &name)?;
                        test(if any { Pred::HasAny(members) } else { Pred::HasAll(members) })
                    }
                    ast::SetRef::Named(set_name) => {
                        let set = self.named_set(cx, set_name, element, &name)?;
                        self.set_test(cx, fact, set, if any { SetMode::Any } else { SetMode::All }, span)
                    }
                }
            }
        }
    }

    fn members_of(&mut self, items: &[ast::Literal], element: EnumId, fact: &str) -> Option<Vec<MemberId>> {
        let mut members = Vec::new();
        let mut ok = true;
        for item in items {
            match item {
                ast::Literal::Name(member) => match self.member(element, &member.name) {
                    Some(m) => members.push(m),
                    None => {
                        self.outside_domain(member, Some(fact), element);
                        ok = false;
                    }
                },
                other => {
                    let message =
                        format!("`{fact}` holds `{}` members, not {}", self.enum_name(element), literal_words(other));
                    self.errors.push(CheckError::OperatorType {
                        span: other.span(),
                        message,
                        help: format!("list members of `{}`", self.enum_name(element)),
                    });
                    ok = false;
                }
            }
        }
        members.sort();
        members.dedup();
        ok.then_some(members)
    }

    fn named_set(&mut self, cx: Cx, set_name: &ast::Ident, element: EnumId, fact: &str) -> Option<SetId> {
        match self.lookup(cx.module, cx.regime, set_name) {
            Some(Symbol::Set(id)) => {
                let set_element = self.program.sets.get(id.index()).map(|s| s.element)?;
                if set_element != element {
                    let message = format!(
                        "`{}` is a set of `{}`, but `{fact}` holds `{}` values",
                        set_name.name,
                        self.enum_name(set_element),
                        self.enum_name(element)
                    );
                    let help = format!("use a set of `{}`", self.enum_name(element));
                    self.errors.push(CheckError::OperatorType { span: set_name.span, message, help });
                    return None;
                }
                Some(id)
            }
            Some(other) => {
                self.wrong_kind(set_name, "a named set".into(), other);
                None
            }
            None => {
                let sets = self.visible(cx.module, cx.regime, |s| matches!(s, Symbol::Set(_)));
                self.unknown(cx.module, set_name, "set", sets);
                None
            }
        }
    }

    /// A test against a named set. Members with `effective` ranges also test the date.
    fn set_test(&mut self, cx: Cx, fact: FactId, set: SetId, mode: SetMode, span: Span) -> Option<ir::Cond> {
        let members = self.program.sets.get(set.index()).map(|s| s.members.clone())?;
        let mut always: Vec<MemberId> = Vec::new();
        let mut timed: BTreeMap<Interval, Vec<MemberId>> = BTreeMap::new();
        for (m, range) in members {
            match range {
                None => always.push(m),
                Some(range) => timed.entry(range).or_default().push(m),
            }
        }
        always.sort();
        always.dedup();
        // Member lists in predicates are sorted and free of repeats; a nested set's members
        // arrive in its own order.
        let make = |mut members: Vec<MemberId>| {
            members.sort();
            members.dedup();
            let pred = match mode {
                SetMode::In => Pred::OneOf(members),
                SetMode::Any => Pred::HasAny(members),
                SetMode::All => Pred::HasAll(members),
            };
            ir::Cond::Test(ir::Test { fact, pred, span })
        };
        if timed.is_empty() {
            return Some(make(always));
        }
        let Some(date) = cx.date else {
            let name = ast::Ident { name: "date".into(), span };
            let facts = self.visible(cx.module, cx.regime, |s| matches!(s, Symbol::Fact(_)));
            self.unknown(cx.module, &name, "fact", facts);
            return None;
        };
        let during = |range: Interval| ir::Cond::Test(ir::Test { fact: date, pred: Pred::InRanges(vec![range]), span });
        let mut parts = Vec::new();
        match mode {
            SetMode::In | SetMode::Any => {
                if !always.is_empty() {
                    parts.push(make(always));
                }
                for (range, members) in timed {
                    parts.push(ir::Cond::And(vec![make(members), during(range)]));
                }
                Some(ir::Cond::Or(parts))
            }
            SetMode::All => {
                parts.push(make(always));
                for (range, members) in timed {
                    parts.push(ir::Cond::Or(vec![ir::Cond::Not(Box::new(during(range))), make(members)]));
                }
                Some(ir::Cond::And(parts))
            }
        }
    }

    // ── regimes ─────────────────────────────────────────────────────────────────────────────

    fn regime(&mut self, module: usize, index: usize, decl: &'g ast::RegimeDecl) {
        let vocabulary = ir::Vocabulary {
            date: self.well_known_fact(module, "date"),
            origin: self.well_known_fact(module, "origin"),
            destination: self.well_known_fact(module, "destination"),
            safeguards: self.well_known_fact(module, "safeguards"),
            jurisdiction: None,
            mechanism: self.well_known_enum(module, "Mechanism"),
            obligation: self.well_known_enum(module, "Obligation"),
        };
        let jurisdiction = vocabulary.origin.and_then(|f| match self.fact_ty(f) {
            Type::Enum(e) => Some(e),
            _ => None,
        });
        let vocabulary = ir::Vocabulary { jurisdiction, ..vocabulary };
        let mut regime = placeholder_regime(decl);
        regime.vocabulary = vocabulary;
        for name in self.visible(module, None, |s| matches!(s, Symbol::Fact(_))) {
            if let Some(Symbol::Fact(id)) = self.find(module, None, &name).symbol {
                regime.facts.push(id);
            }
        }
        regime.facts.sort();

        // Local lets first, so rules may use them wherever they are written.
        let mut local_lets = Vec::new();
        for item in &decl.items {
            if let ast::RegimeItem::Let(let_decl) = item {
                let existing = self.regime_lets.get(index).and_then(|l| l.get(&let_decl.name.name).copied());
                if let Some(previous) = existing {
                    let previous = self.program.lets.get(previous.index()).map(|l| l.span).unwrap_or_default();
                    self.errors.push(CheckError::DuplicateDefinition {
                        span: let_decl.name.span,
                        name: let_decl.name.name.clone(),
                        previous,
                    });
                    continue;
                }
                let id = self.new_let(LetHome { module, regime: Some(index), decl: let_decl });
                if let Some(lets) = self.regime_lets.get_mut(index) {
                    lets.insert(let_decl.name.name.clone(), id);
                }
                local_lets.push(id);
            }
        }
        for &id in &local_lets {
            self.type_let(id);
        }

        let cx = Cx { module, regime: Some(index), date: vocabulary.date };
        let mut home_span: Option<Span> = None;
        let mut source_span: Option<Span> = None;
        let mut default_span: Option<Span> = None;
        let mut rule_names: HashMap<String, Span> = HashMap::new();
        let mut obligation_names: HashMap<String, Span> = HashMap::new();
        let mut example_names: HashMap<String, Span> = HashMap::new();
        // The rules' ids in order, and the rules that yield with what they yield to: checked
        // once every rule is known, so that a later rule is told from an unknown one.
        let mut rule_order: Vec<String> = Vec::new();
        let mut yielding: Vec<(String, &ast::Yields)> = Vec::new();
        for item in &decl.items {
            match item {
                ast::RegimeItem::Home(home) => {
                    if self.once(&mut home_span, home.span, "`home`") {
                        regime.home = self.home(cx, &home.value, jurisdiction);
                    }
                }
                ast::RegimeItem::Source(source, span) => {
                    if self.once(&mut source_span, *span, "`source`") {
                        regime.source = Some(source.value.clone());
                    }
                }
                ast::RegimeItem::Default(outcome, span) => {
                    if self.once(&mut default_span, *span, "`default`") {
                        regime.default = self.outcome(cx, outcome, vocabulary.mechanism);
                        regime.default_span = Some(*span);
                    }
                }
                ast::RegimeItem::Let(_) => {}
                ast::RegimeItem::Rule(rule) => {
                    if let Some(previous) = rule_names.insert(rule.name.name.clone(), rule.name.span) {
                        let name = rule.name.name.clone();
                        self.errors.push(CheckError::DuplicateRule {
                            span: rule.name.span,
                            name,
                            previous,
                            obligation: false,
                        });
                    }
                    let cites = self.cites(&rule.cites, "rule", &rule.name);
                    let effective = self.effective(&rule.effective);
                    let when = self.cond(cx, &rule.when);
                    let then = self.outcome(cx, &rule.then, vocabulary.mechanism);
                    rule_order.push(rule.name.name.clone());
                    if let Some(yields) = &rule.yields {
                        yielding.push((rule.name.name.clone(), yields));
                    }
                    if let Some(then) = then {
                        regime.rules.push(ir::Rule {
                            id: rule.name.name.clone(),
                            title: rule.title.value.clone(),
                            doc: rule.doc.clone(),
                            cites,
                            effective,
                            yields: Vec::new(),
                            yields_span: rule.yields.as_ref().map(|y| y.span),
                            when,
                            then,
                            span: rule.span,
                            name_span: rule.name.span,
                        });
                    }
                }
                ast::RegimeItem::Oblige(oblige) => {
                    if let Some(previous) = obligation_names.insert(oblige.name.name.clone(), oblige.name.span) {
                        let name = oblige.name.name.clone();
                        self.errors.push(CheckError::DuplicateRule {
                            span: oblige.name.span,
                            name,
                            previous,
                            obligation: true,
                        });
                    }
                    let cites = self.cites(&oblige.cites, "obligation", &oblige.name);
                    let effective = self.effective(&oblige.effective);
                    let mut upon = Vec::new();
                    for mechanism in oblige.upon.iter().flat_map(|u| &u.mechanisms) {
                        if let Some(m) = self.vocabulary_member(cx, vocabulary.mechanism, "Mechanism", mechanism) {
                            if !upon.contains(&m) {
                                upon.push(m);
                            }
                        }
                    }
                    let when = self.cond(cx, &oblige.when);
                    if let Some(obligation) =
                        self.vocabulary_member(cx, vocabulary.obligation, "Obligation", &oblige.name)
                    {
                        regime.obligations.push(ir::ObligationRule {
                            obligation,
                            id: oblige.name.name.clone(),
                            title: oblige.title.value.clone(),
                            cites,
                            effective,
                            upon,
                            upon_span: oblige.upon.as_ref().map(|u| u.span),
                            when,
                            span: oblige.span,
                            name_span: oblige.name.span,
                        });
                    }
                }
                ast::RegimeItem::Weigh(weigh) => {
                    let previous: Vec<(FactId, Span)> = regime.weights.iter().map(|w| (w.fact, w.span)).collect();
                    if let Some(w) = self.weigh(module, Some(index), weigh, &previous) {
                        regime.weights.push(w);
                    }
                }
                ast::RegimeItem::Example(example) => {
                    if let Some(previous) = example_names.insert(example.name.value.clone(), example.name.span) {
                        let name = example.name.value.clone();
                        self.errors.push(CheckError::DuplicateExample { span: example.name.span, name, previous });
                    }
                    if let Some(checked) = self.example(cx, example, vocabulary) {
                        regime.examples.push(checked);
                    }
                }
            }
        }
        for (rule, yields) in yielding {
            let to = self.yields(module, &rule, yields, &rule_order);
            if let Some(r) = regime.rules.iter_mut().find(|r| r.id == rule) {
                r.yields = to;
            }
        }
        if home_span.is_none() {
            self.errors.push(CheckError::MissingHome { span: decl.name.span, regime: decl.name.name.clone() });
        }
        for id in local_lets {
            if !self.used_lets.contains(&id) {
                if let Some(def) = self.program.lets.get(id.index()) {
                    let span = self.let_homes.get(id.index()).map_or(def.span, |h| h.decl.name.span);
                    self.errors.push(CheckError::UnusedLet { span, name: def.name.clone() });
                }
            }
        }
        if let Some(slot) = self.program.regimes.get_mut(index) {
            *slot = regime;
        }
    }

    /// The earlier rules that `rule` yields to, each once; `order` is every rule's id in the
    /// regime, in order. A name that is not an earlier rule is an error.
    fn yields(&mut self, module: usize, rule: &str, yields: &ast::Yields, order: &[String]) -> Vec<ir::YieldsTo> {
        let here = order.iter().position(|r| r == rule).unwrap_or(order.len());
        let mut to: Vec<ir::YieldsTo> = Vec::new();
        for name in &yields.rules {
            if let Some(previous) = to.iter().find(|t| t.rule == name.name) {
                let what = format!("rule `{}` in `yields to`", name.name);
                self.errors.push(CheckError::DuplicateEntry { span: name.span, what, previous: previous.span });
                continue;
            }
            match order.iter().position(|r| *r == name.name) {
                Some(at) if at < here => to.push(ir::YieldsTo { rule: name.name.clone(), span: name.span }),
                Some(_) => self.errors.push(CheckError::YieldsToLater {
                    span: name.span,
                    rule: rule.to_owned(),
                    to: name.name.clone(),
                }),
                None => {
                    let earlier = order.get(..here).unwrap_or_default().to_vec();
                    self.unknown(module, name, "rule", earlier);
                }
            }
        }
        to
    }

    /// Records that a once-only item was given; `false` (with an error) the second time.
    fn once(&mut self, seen: &mut Option<Span>, span: Span, what: &str) -> bool {
        match seen {
            Some(previous) => {
                self.errors.push(CheckError::DuplicateEntry { span, what: what.to_owned(), previous: *previous });
                false
            }
            None => {
                *seen = Some(span);
                true
            }
        }
    }

    fn home(&mut self, cx: Cx, value: &ast::Value, jurisdiction: Option<EnumId>) -> Vec<MemberId> {
        let Some(jurisdiction) = jurisdiction else {
            let name = ast::Ident { name: "origin".into(), span: value.span() };
            self.unknown(cx.module, &name, "fact", Vec::new());
            return Vec::new();
        };
        let items: Vec<&ast::Literal> = match value {
            ast::Value::Literal(l) => vec![l],
            ast::Value::List(list) => list.items.iter().collect(),
        };
        let mut home = Vec::new();
        for item in items {
            let ast::Literal::Name(name) = item else {
                let message = format!("`home` takes jurisdictions, not {}", literal_words(item));
                let help = "write a jurisdiction code such as `CN`, or a named set such as `EEA`".to_owned();
                self.errors.push(CheckError::OperatorType { span: item.span(), message, help });
                continue;
            };
            if let Some(m) = self.member(jurisdiction, &name.name) {
                home.push(m);
            } else if let Some(Symbol::Set(set)) = self.lookup(cx.module, cx.regime, name) {
                if let Some(set) = self.named_set(cx, name, jurisdiction, "origin") {
                    let members = self.program.sets.get(set.index()).map(|s| s.members.clone()).unwrap_or_default();
                    home.extend(members.into_iter().map(|(m, _)| m));
                }
                let _ = set;
            } else {
                self.outside_domain(name, None, jurisdiction);
            }
        }
        home.sort();
        home.dedup();
        home
    }

    fn cites(&mut self, clauses: &[ast::CiteClause], what: &'static str, name: &ast::Ident) -> Vec<ir::Cite> {
        let cites: Vec<ir::Cite> = clauses
            .iter()
            .flat_map(|c| c.cites.iter())
            .map(|c| ir::Cite { text: c.value.clone(), span: c.span })
            .collect();
        if cites.is_empty() {
            self.errors.push(CheckError::MissingCite { span: name.span, what, name: name.name.clone(), empty: false });
        }
        for cite in &cites {
            if cite.text.trim().is_empty() {
                self.errors.push(CheckError::MissingCite {
                    span: cite.span,
                    what,
                    name: name.name.clone(),
                    empty: true,
                });
            }
        }
        cites
    }

    fn effective(&mut self, ranges: &[ast::Range]) -> Option<Interval> {
        let first = ranges.first()?;
        if let Some(second) = ranges.get(1) {
            let what = "`effective`".to_owned();
            self.errors.push(CheckError::DuplicateEntry { span: second.span, what, previous: first.span });
        }
        self.date_range(first)
    }

    fn outcome(&mut self, cx: Cx, outcome: &ast::Outcome, mechanism: Option<EnumId>) -> Option<ir::Outcome> {
        Some(match outcome {
            ast::Outcome::Permit(_) => ir::Outcome::Permit,
            ast::Outcome::Prohibit(_) => ir::Outcome::Prohibit,
            ast::Outcome::Require(groups, _) => {
                let mut checked = Vec::new();
                for group in groups {
                    let mut alternatives = Vec::new();
                    let mut seen: HashMap<&str, Span> = HashMap::new();
                    for alternative in &group.alternatives {
                        if let Some(previous) = seen.insert(&alternative.name, alternative.span) {
                            let what = format!("mechanism `{}`", alternative.name);
                            self.errors.push(CheckError::DuplicateEntry { span: alternative.span, what, previous });
                            continue;
                        }
                        if let Some(m) = self.vocabulary_member(cx, mechanism, "Mechanism", alternative) {
                            alternatives.push(m);
                        }
                    }
                    // A cascade of one (the rest were repeats) is no cascade.
                    let ordered = group.ordered && alternatives.len() > 1;
                    checked.push(ir::Group { alternatives, ordered });
                }
                ir::Outcome::Require(checked)
            }
        })
    }

    /// The `Mechanism` enum as a relation sees it, recording the `use` that brings it (a
    /// relation names mechanisms by member alone, so nothing else would).
    fn mechanism_enum(&mut self, module: usize, span: Span) -> Option<EnumId> {
        let name = ast::Ident { name: "Mechanism".to_owned(), span };
        match self.lookup(module, None, &name) {
            Some(Symbol::Enum(id)) => Some(id),
            _ => None,
        }
    }

    /// A member of a well-known enum (`Mechanism`, `Obligation`) named in a regime.
    fn vocabulary_member(
        &mut self,
        cx: Cx,
        enum_id: Option<EnumId>,
        enum_name: &str,
        name: &ast::Ident,
    ) -> Option<MemberId> {
        let Some(enum_id) = enum_id else {
            let type_name = ast::Ident { name: enum_name.to_owned(), span: name.span };
            self.unknown(cx.module, &type_name, "type", Vec::new());
            return None;
        };
        let found = self.member(enum_id, &name.name);
        if found.is_none() {
            // A mechanism where an obligation belongs, or the other way round.
            let (other, hint) = match enum_name {
                "Obligation" => {
                    ("Mechanism", "mechanisms belong in `require …`; `with {…}` and `oblige` name obligations")
                }
                _ => ("Obligation", "obligations are imposed with `oblige`, and listed in an example's `with {…}`"),
            };
            let in_other = self.well_known_enum(cx.module, other).and_then(|e| self.member(e, &name.name)).is_some();
            if in_other {
                self.wrong_kind_member(name, enum_name, other, hint);
                return None;
            }
            let names = self
                .program
                .enum_def(enum_id)
                .map(|e| e.members.iter().map(|m| m.name.clone()).collect())
                .unwrap_or_default();
            let kind = enum_name.to_lowercase();
            self.unknown(cx.module, name, &kind, names);
        }
        found
    }

    fn example(&mut self, cx: Cx, example: &ast::ExampleDecl, vocabulary: ir::Vocabulary) -> Option<ir::Example> {
        let mut given = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut ok = true;
        for field in &example.given {
            if let Some(previous) = seen.insert(&field.key.name, field.key.span) {
                let what = format!("fact `{}`", field.key.name);
                self.errors.push(CheckError::DuplicateEntry { span: field.key.span, what, previous });
                ok = false;
                continue;
            }
            let fact = match self.lookup(cx.module, None, &field.key) {
                Some(Symbol::Fact(id)) => id,
                _ => {
                    let facts = self.visible(cx.module, None, |s| matches!(s, Symbol::Fact(_)));
                    let suggestion = closest(&field.key.name, facts.iter().map(String::as_str)).map(str::to_owned);
                    self.errors.push(CheckError::ExampleUnknownFact {
                        span: field.key.span,
                        name: field.key.name.clone(),
                        suggestion,
                    });
                    ok = false;
                    continue;
                }
            };
            match self.scenario_value(fact, &field.value) {
                Some(value) => given.push((fact, value)),
                None => ok = false,
            }
        }
        let expect = match &example.expect.outcome {
            Some(outcome) => Some(self.outcome(cx, outcome, vocabulary.mechanism)?),
            None => None,
        };
        let obligations = match &example.expect.obligations {
            Some(list) => {
                let listed = self.obligation_list(cx, list, vocabulary.obligation, "with");
                ok &= listed.is_some();
                listed
            }
            None => None,
        };
        let mut upon: Vec<(MemberId, Vec<MemberId>)> = Vec::new();
        let mut named: HashMap<&str, Span> = HashMap::new();
        for (mechanisms, list) in &example.expect.upon {
            let listed = self.obligation_list(cx, list, vocabulary.obligation, "upon");
            ok &= listed.is_some();
            for mechanism in mechanisms {
                if let Some(previous) = named.insert(&mechanism.name, mechanism.span) {
                    let what = format!("mechanism `{}`", mechanism.name);
                    self.errors.push(CheckError::DuplicateEntry { span: mechanism.span, what, previous });
                    ok = false;
                    continue;
                }
                let m = self.vocabulary_member(cx, vocabulary.mechanism, "Mechanism", mechanism);
                ok &= m.is_some();
                if let (Some(m), Some(listed)) = (m, &listed) {
                    upon.push((m, listed.clone()));
                }
            }
        }
        ok.then(|| ir::Example {
            name: example.name.value.clone(),
            given,
            expect,
            obligations,
            upon,
            span: example.span,
        })
    }

    /// The obligations a `with {…}` or `upon m {…}` of an example lists, sorted; `None` if one
    /// is not an obligation (reported).
    fn obligation_list(
        &mut self,
        cx: Cx,
        list: &ast::ValueList,
        obligation: Option<EnumId>,
        clause: &str,
    ) -> Option<Vec<MemberId>> {
        let mut members = Vec::new();
        let mut ok = true;
        for item in &list.items {
            let ast::Literal::Name(name) = item else {
                let message = format!("`{clause}` lists obligations, not {}", literal_words(item));
                let help = "list members of `Obligation`, e.g. `with {pipia}`".to_owned();
                self.errors.push(CheckError::OperatorType { span: item.span(), message, help });
                ok = false;
                continue;
            };
            match self.vocabulary_member(cx, obligation, "Obligation", name) {
                Some(m) => members.push(m),
                None => ok = false,
            }
        }
        members.sort();
        members.dedup();
        ok.then_some(members)
    }

    fn scenario_value(&mut self, fact: FactId, value: &ast::Value) -> Option<ir::ScenarioValue> {
        let ty = self.fact_ty(fact);
        let name = self.fact_name(fact);
        let found = match (ty, value) {
            (Type::Bool, ast::Value::Literal(ast::Literal::Bool(b, _))) => return Some(ir::ScenarioValue::Bool(*b)),
            (Type::Count, ast::Value::Literal(ast::Literal::Number(n, _))) => {
                return Some(ir::ScenarioValue::Count(i64::try_from(*n).unwrap_or(i64::MAX)));
            }
            (Type::Date, ast::Value::Literal(ast::Literal::Date(d, _))) => return Some(ir::ScenarioValue::Date(*d)),
            (Type::Enum(element), ast::Value::Literal(ast::Literal::Name(member))) => {
                return match self.member(element, &member.name) {
                    Some(m) => Some(ir::ScenarioValue::Member(m)),
                    None => {
                        self.outside_domain(member, Some(&name), element);
                        None
                    }
                };
            }
            (Type::Set(element), ast::Value::List(list)) => {
                return self.members_of(&list.items, element, &name).map(ir::ScenarioValue::Set);
            }
            (_, ast::Value::List(_)) => "a list".to_owned(),
            (_, ast::Value::Literal(l)) => literal_words(l),
        };
        let example = match ty {
            Type::Bool => "true".to_owned(),
            Type::Count => "100_000".to_owned(),
            Type::Date => "2024-03-22".to_owned(),
            Type::Enum(e) => self.program.member_name(e, MemberId(0)).to_owned(),
            Type::Set(e) => format!("{{{}}}", self.program.member_name(e, MemberId(0))),
        };
        let expected = self.type_words(ty);
        self.errors.push(CheckError::ExampleType { span: value.span(), fact: name, expected, found, example });
        None
    }

    // ── accords ─────────────────────────────────────────────────────────────────────────────

    fn accord(&mut self, module: usize, decl: &ast::AccordDecl) {
        let cites = self.cites(&decl.cites, "accord", &decl.name);
        // An arrangement may lapse and return (a framework struck down, then replaced): each
        // `effective` clause is one range, and together they are its dates.
        let ranges: Vec<Interval> = decl.effective.iter().filter_map(|r| self.date_range(r)).collect();
        let effective = if ranges.is_empty() { Vec::new() } else { crate::check::normalise_intervals(ranges) };
        let mechanism = self.well_known_enum(module, "Mechanism");
        let cx = Cx { module, regime: None, date: None };
        let date = self.well_known_fact(module, "date");
        let scope = decl.scope.as_ref().map(|when| self.cond(Cx { date, ..cx }, when));
        let mut accepts = Vec::new();
        for clause in &decl.accepts {
            let regime = match self.lookup(module, None, &clause.regime) {
                Some(Symbol::Regime(id)) => Some(id),
                Some(other) => {
                    self.wrong_kind(&clause.regime, "a regime".into(), other);
                    None
                }
                None => {
                    let regimes = self.visible(module, None, |s| matches!(s, Symbol::Regime(_)));
                    self.unknown(module, &clause.regime, "regime", regimes);
                    None
                }
            };
            let mechanisms: Vec<MemberId> = clause
                .mechanisms
                .iter()
                .filter_map(|m| self.vocabulary_member(cx, mechanism, "Mechanism", m))
                .collect();
            let as_mechanism = self.vocabulary_member(cx, mechanism, "Mechanism", &clause.as_mechanism);
            if let (Some(regime), Some(as_mechanism)) = (regime, as_mechanism) {
                accepts.push(ir::Acceptance { regime, mechanisms, as_mechanism, span: clause.span });
            }
        }
        self.program.accords.push(ir::Accord {
            id: decl.name.name.clone(),
            title: decl.title.value.clone(),
            cites,
            effective,
            scope,
            accepts,
            span: decl.span,
        });
    }

    // ── relations ───────────────────────────────────────────────────────────────────────────

    /// Resolves the `implies` clauses of an enum's members: each names members of the same enum.
    fn implications(&mut self, id: EnumId, decl: &ast::EnumDecl) {
        let mut seen: HashSet<&str> = HashSet::new();
        for member in &decl.members {
            // A repeated member is an error already; its clause is not read.
            if !seen.insert(&member.name.name) {
                continue;
            }
            let mut implied = Vec::new();
            for literal in &member.implies {
                let name = literal_name(literal);
                match self.member(id, &name.name) {
                    Some(target) => implied.push(target),
                    None => self.outside_domain(&name, None, id),
                }
            }
            let Some(position) = self.member(id, &member.name.name) else { continue };
            if let Some(def) = self.program.enums.get_mut(id.index()).and_then(|e| e.members.get_mut(position.index()))
            {
                def.implies = implied;
            }
        }
    }

    fn establish(&mut self, module: usize, decl: &ast::EstablishDecl) {
        let cites = self.cites(&decl.cites, "establishment of", &decl.mechanism);
        let mechanism = self.mechanism_enum(module, decl.span);
        let date = self.well_known_fact(module, "date");
        let cx = Cx { module, regime: None, date };
        let target = self.vocabulary_member(cx, mechanism, "Mechanism", &decl.mechanism);
        self.in_establishment = true;
        let when = self.cond(cx, &decl.when);
        self.in_establishment = false;
        if let Some(mechanism) = target {
            self.program.establishments.push(ir::Establishment {
                mechanism,
                title: decl.title.value.clone(),
                cites,
                when,
                span: decl.span,
            });
        }
    }

    /// Acceptances that can never act: the regime requires the mechanism they stand for in no
    /// rule and no default, so no comparison can use them.
    fn inert_accords(&mut self) {
        let mut found = Vec::new();
        for accord in &self.program.accords {
            for acceptance in &accord.accepts {
                let Some(regime) = self.program.regimes.get(acceptance.regime.index()) else { continue };
                if requires(regime, acceptance.as_mechanism) {
                    continue;
                }
                let mechanism = regime
                    .vocabulary
                    .mechanism
                    .map(|e| self.program.member_name(e, acceptance.as_mechanism).to_owned())
                    .unwrap_or_default();
                found.push(CheckError::InertAccord {
                    span: acceptance.span,
                    accord: accord.id.clone(),
                    regime: regime.id.clone(),
                    mechanism,
                });
            }
        }
        self.errors.extend(found);
    }

    /// Obligations `upon` mechanisms that no rule or default of their regime requires: they
    /// can never come.
    fn inert_upons(&mut self) {
        let mut found = Vec::new();
        for regime in &self.program.regimes {
            for obligation in &regime.obligations {
                // An `upon` none of whose names resolved is reported as unknown already.
                let Some(span) = obligation.upon_span.filter(|_| !obligation.upon.is_empty()) else { continue };
                if obligation.upon.iter().any(|&m| requires(regime, m)) {
                    continue;
                }
                let names = obligation
                    .upon
                    .iter()
                    .filter_map(|&m| {
                        regime.vocabulary.mechanism.map(|e| format!("`{}`", self.program.member_name(e, m)))
                    })
                    .collect();
                found.push(CheckError::InertUpon {
                    span,
                    obligation: obligation.id.clone(),
                    regime: regime.id.clone(),
                    mechanisms: names,
                });
            }
        }
        self.errors.extend(found);
    }

    /// A `weigh` declaration, checked to be a distribution over the fact's values; `previous`
    /// are the facts already weighed in the same place.
    fn weigh(
        &mut self,
        module: usize,
        regime: Option<usize>,
        decl: &ast::WeighDecl,
        previous: &[(FactId, Span)],
    ) -> Option<ir::Weighting> {
        let cites = self.cites(&decl.cites, "the weighing of", &decl.fact);
        let fact = match self.lookup(module, regime, &decl.fact) {
            Some(Symbol::Fact(id)) => id,
            Some(other) => {
                self.errors.push(CheckError::WrongKind {
                    span: decl.fact.span,
                    name: decl.fact.name.clone(),
                    expected: "a fact".into(),
                    found: other.words().into(),
                    help: "`weigh` names the fact whose values it weighs, such as `data` or `destination`".into(),
                });
                return None;
            }
            None => {
                let facts = self.visible(module, regime, |s| matches!(s, Symbol::Fact(_)));
                self.unknown(module, &decl.fact, "fact", facts);
                return None;
            }
        };
        if let Some(&(_, earlier)) = previous.iter().find(|(f, _)| *f == fact) {
            let what = format!("`weigh {}`", decl.fact.name);
            self.errors.push(CheckError::DuplicateEntry { span: decl.fact.span, what, previous: earlier });
            return None;
        }
        let ty = self.fact_ty(fact);
        let name = decl.fact.name.as_str();
        let bad = |span: Span, message: String, label: &str, help: String| CheckError::BadWeights {
            span,
            message,
            label: label.to_owned(),
            help,
            other: None,
        };
        let mut weights: Vec<(Option<u64>, &ast::WeightEntry)> = Vec::with_capacity(decl.entries.len());
        for entry in &decl.entries {
            let w = parse_weight(&entry.weight);
            if w.is_none() {
                self.errors.push(bad(
                    entry.weight_span,
                    format!("weight `{}` is not a share between 0 and 1", entry.weight),
                    "not a share",
                    "write a decimal from 0 to 1 with at most nine decimal places, such as `0.25`".into(),
                ));
            }
            weights.push((w, entry));
        }
        let mut errors: Vec<CheckError> = Vec::new();
        let wrong_key = |entry: &ast::WeightEntry, expected: &str| {
            bad(
                entry.span,
                format!("`{name}` is {}, so its weights are {expected}", type_words(ty)),
                "not a value of this fact",
                format!("write {expected}"),
            )
        };
        let distribution = match ty {
            Type::Enum(element) | Type::Set(element) => {
                let mut members: Vec<(MemberId, u64)> = Vec::new();
                let mut others: Option<u64> = None;
                let mut seen: HashMap<&str, Span> = HashMap::new();
                let expected = "members with their shares (`member 0.25`), and `others` for the rest";
                for &(w, entry) in &weights {
                    let ast::WeightKey::Name(member) = &entry.key else {
                        errors.push(wrong_key(entry, expected));
                        continue;
                    };
                    if let Some(earlier) = seen.insert(&member.name, member.span) {
                        let what = format!("weight for `{}`", member.name);
                        errors.push(CheckError::DuplicateEntry { span: member.span, what, previous: earlier });
                        continue;
                    }
                    let Some(w) = w else { continue };
                    if member.name == "others" {
                        others = Some(w);
                    } else if let Some(m) = self.member(element, &member.name) {
                        members.push((m, w));
                    } else {
                        self.outside_domain(member, Some(name), element);
                    }
                }
                let size = self.program.enum_def(element).map_or(0, |e| e.members.len());
                let unlisted = size - members.len().min(size);
                if matches!(ty, Type::Enum(_)) {
                    let total: u64 = members.iter().map(|(_, w)| w).chain(others.iter()).sum();
                    if weights.iter().all(|(w, _)| w.is_some()) && errors.is_empty() && total != ir::WEIGHT_ONE {
                        errors.push(bad(
                            decl.fact.span,
                            format!("the weights of `{name}` add up to {}, not 1", write_weight(total)),
                            "not a distribution",
                            "each transfer has one value of an enum fact: its members' shares, with `others`, must add up to exactly 1".into(),
                        ));
                    }
                    if unlisted == 0 && others.is_some_and(|o| o > 0) {
                        errors.push(bad(
                            decl.fact.span,
                            format!("`others` weighs no member of `{name}`: every member is listed"),
                            "`others` left over",
                            "remove `others`, or give its share to the listed members".into(),
                        ));
                    }
                    Some(ir::Distribution::Members { members, others })
                } else {
                    if unlisted > 0 && others.is_none() {
                        let missing: Vec<String> = self
                            .program
                            .enum_def(element)
                            .map(|e| {
                                e.members
                                    .iter()
                                    .enumerate()
                                    .filter(|(i, _)| !members.iter().any(|(m, _)| m.index() == *i))
                                    .map(|(_, m)| format!("`{}`", m.name))
                                    .take(4)
                                    .collect()
                            })
                            .unwrap_or_default();
                        let more = if unlisted > missing.len() { ", …" } else { "" };
                        errors.push(bad(
                            decl.fact.span,
                            format!("no weight for {unlisted} members of `{name}` ({}{more})", missing.join(", ")),
                            "members left unweighed",
                            "give each member how often it is present, or `others 0.01` for every member not listed"
                                .into(),
                        ));
                    }
                    Some(ir::Distribution::Presence { members, others })
                }
            }
            Type::Bool => {
                let mut share = None;
                for &(w, entry) in &weights {
                    match &entry.key {
                        ast::WeightKey::True(_) if share.is_none() => share = w,
                        ast::WeightKey::True(span) => {
                            let what = "weight for `true`".to_owned();
                            errors.push(CheckError::DuplicateEntry { span: *span, what, previous: entry.span });
                        }
                        _ => errors.push(wrong_key(entry, "how often it is true (`true 0.1`)")),
                    }
                }
                match share {
                    Some(true_share) => Some(ir::Distribution::Bool { true_share }),
                    None if errors.is_empty() && weights.iter().all(|(w, _)| w.is_some()) => {
                        errors.push(bad(
                            decl.fact.span,
                            format!("no weight for `{name}`"),
                            "how often is it true?",
                            "write `true 0.1`: the share of transfers where it holds".into(),
                        ));
                        None
                    }
                    None => None,
                }
            }
            Type::Count | Type::Date => {
                let mut bands: Vec<(i64, i64, u64, Span)> = Vec::new();
                let expected = if ty == Type::Date {
                    "bands of dates with their shares (`2025-01-01..2026-01-01 0.5`)"
                } else {
                    "bands of counts with their shares (`0..1_000 0.5`)"
                };
                for &(w, entry) in &weights {
                    let ast::WeightKey::Range(range) = &entry.key else {
                        errors.push(wrong_key(entry, expected));
                        continue;
                    };
                    let Some(interval) = self.range(range, ty, "a band of weights") else { continue };
                    let (Some(hi), true) = (interval.hi, range.lo.is_some()) else {
                        errors.push(bad(
                            range.span,
                            "a band of weights needs both ends".into(),
                            "open band",
                            "a share spread over an endless band would give each value nothing: write `lo..hi`".into(),
                        ));
                        continue;
                    };
                    if let Some(w) = w {
                        bands.push((interval.lo, hi, w, range.span));
                    }
                }
                bands.sort_by_key(|b| (b.0, b.1));
                for pair in bands.windows(2) {
                    if let [(_, hi, _, first), (lo, _, _, second)] = pair
                        && lo < hi
                    {
                        errors.push(
                            bad(
                                *second,
                                format!("two bands of `{name}` overlap"),
                                "overlaps an earlier band",
                                "bands are disjoint: end one where the next begins".into(),
                            )
                            .with_other(*first, "this band"),
                        );
                    }
                }
                let total: u64 = bands.iter().map(|b| b.2).sum();
                if weights.iter().all(|(w, _)| w.is_some()) && errors.is_empty() && total != ir::WEIGHT_ONE {
                    errors.push(bad(
                        decl.fact.span,
                        format!("the weights of `{name}` add up to {}, not 1", write_weight(total)),
                        "not a distribution",
                        "each transfer has one value: the bands' shares must add up to exactly 1".into(),
                    ));
                }
                Some(ir::Distribution::Bands { bands: bands.into_iter().map(|(lo, hi, w, _)| (lo, hi, w)).collect() })
            }
        };
        let failed = !errors.is_empty() || weights.iter().any(|(w, _)| w.is_none());
        self.errors.extend(errors);
        let distribution = distribution.filter(|_| !failed)?;
        Some(ir::Weighting { fact, title: decl.title.value.clone(), cites, distribution, span: decl.span })
    }

    fn family(&mut self, module: usize, index: usize, decl: &ast::FamilyDecl) {
        let mechanism = self.mechanism_enum(module, decl.span);
        let cx = Cx { module, regime: None, date: None };
        let mut members: Vec<MemberId> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for name in &decl.members {
            if let Some(previous) = seen.insert(&name.name, name.span) {
                let what = format!("mechanism `{}`", name.name);
                self.errors.push(CheckError::DuplicateEntry { span: name.span, what, previous });
                continue;
            }
            members.extend(self.vocabulary_member(cx, mechanism, "Mechanism", name));
        }
        if let Some(family) = self.program.families.get_mut(index) {
            family.members = members;
        }
    }

    /// One side of `a > b`: mechanisms and families, as mechanisms.
    fn strength_side(&mut self, module: usize, side: &[ast::Literal]) -> Vec<MemberId> {
        let mechanism = side.first().and_then(|l| self.mechanism_enum(module, l.span()));
        let mut members = Vec::new();
        for literal in side {
            let name = literal_name(literal);
            if let Some(m) = mechanism.and_then(|e| self.member(e, &name.name)) {
                members.push(m);
                continue;
            }
            match self.lookup(module, None, &name) {
                Some(Symbol::Family(index)) => {
                    members.extend(self.program.families.get(index).map(|f| f.members.clone()).unwrap_or_default());
                }
                Some(other) => self.wrong_kind(&name, "a mechanism or a family".into(), other),
                None => {
                    let mut names = self.visible(module, None, |s| matches!(s, Symbol::Family(_)));
                    names.extend(
                        mechanism
                            .and_then(|e| self.program.enum_def(e))
                            .map(|e| e.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>())
                            .unwrap_or_default(),
                    );
                    self.unknown(module, &name, "mechanism or family", names);
                }
            }
        }
        members
    }

    fn strength(&mut self, module: usize, decl: &ast::StrengthDecl) {
        let cites = self.cites(&decl.cites, "strength order", &decl.name);
        let mut pairs = Vec::new();
        for chain in &decl.chains {
            let sides: Vec<(Vec<MemberId>, Span)> = chain
                .iter()
                .map(|side| {
                    let span = match (side.first(), side.last()) {
                        (Some(a), Some(b)) => Span { end: b.span().end, ..a.span() },
                        _ => decl.span,
                    };
                    (self.strength_side(module, side), span)
                })
                .collect();
            for pair in sides.windows(2) {
                let [(stronger, left), (weaker, right)] = pair else { continue };
                let span = Span { end: right.end, ..*left };
                for &a in stronger {
                    for &b in weaker {
                        pairs.push((a, b, span));
                    }
                }
            }
        }
        self.program.strengths.push(ir::Strength {
            id: decl.name.name.clone(),
            title: decl.title.value.clone(),
            cites,
            pairs,
            span: decl.span,
        });
    }

    /// Reports an order that contradicts itself: a mechanism above itself, directly or through
    /// a chain of declared pairs. Each cycle is reported once, at its pair declared last.
    fn strength_cycles(&mut self) {
        let Some(mechanism) = self.program.enums.iter().position(|e| e.name == "Mechanism") else { return };
        let members = self.program.enums.get(mechanism).map_or(0, |e| e.members.len());
        // Each pair once, at its first declaration; its place in declaration order.
        let mut first: BTreeMap<(usize, usize), (usize, Span)> = BTreeMap::new();
        let pairs = self.program.strengths.iter().flat_map(|s| s.pairs.iter());
        for (order, &(a, b, span)) in pairs.enumerate() {
            first.entry((a.index(), b.index())).or_insert((order, span));
        }
        let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); members];
        for (&(a, b), &(_, span)) in &first {
            if let Some(out) = edges.get_mut(a) {
                out.push((b, span));
            }
        }
        let name = |m: usize| {
            self.program.enums.get(mechanism).and_then(|e| e.members.get(m)).map_or(String::new(), |d| d.name.clone())
        };
        for cycle in graph::walk(&edges).cycles {
            // The cycle's pairs in order, closing pair included, rotated to start at the one
            // declared last.
            let around: Vec<(usize, usize)> =
                cycle.path.iter().zip(cycle.path.iter().cycle().skip(1)).map(|(&a, &b)| (a, b)).collect();
            let latest = (0..around.len())
                .max_by_key(|&i| around.get(i).and_then(|p| first.get(p)).map(|(order, _)| *order))
                .unwrap_or(0);
            let rotated: Vec<(usize, usize)> = around.iter().cycle().skip(latest).take(around.len()).copied().collect();
            let Some((top, rest)) = rotated.split_first() else { continue };
            let span = first.get(top).map_or(cycle.closing, |(_, s)| *s);
            let back =
                rest.iter().filter_map(|p| first.get(p).map(|(_, place)| (*place, name(p.0), name(p.1)))).collect();
            let cycle = rotated.iter().map(|&(a, _)| name(a)).collect();
            self.errors.push(CheckError::StrengthCycle { span, cycle, back });
        }
    }

    fn unused_uses(&mut self) {
        let graph = self.graph;
        for (m, module) in graph.modules.iter().enumerate() {
            let uses = module.ast.items.iter().filter_map(|item| match item {
                ast::Item::Use(u) => Some(u),
                _ => None,
            });
            for (u, decl) in uses.enumerate() {
                let found = module.uses.get(u).and_then(|e| e.target).is_some();
                if found && !self.used_uses.contains(&(m, u)) {
                    let name = match &decl.target {
                        ast::UseTarget::Stdlib(name) => name.name.clone(),
                        ast::UseTarget::Path(path) => path.value.clone(),
                    };
                    self.errors.push(CheckError::UnusedUse { span: decl.span, module: name });
                }
            }
        }
    }
}

/// What [`Checker::find`] found: the symbol, the `use`s that provide it, and, when used
/// modules disagree, which ones.
struct Found {
    symbol: Option<Symbol>,
    uses: Vec<usize>,
    ambiguous: Vec<usize>,
}

enum Side<'a> {
    Fact(FactId),
    Value(&'a ast::Literal),
    List,
    Arith,
}

#[derive(Clone, Copy)]
enum SetMode {
    In,
    Any,
    All,
}

fn placeholder_regime(decl: &ast::RegimeDecl) -> ir::Regime {
    ir::Regime {
        id: decl.name.name.clone(),
        title: decl.title.value.clone(),
        doc: decl.doc.clone(),
        home: Vec::new(),
        source: None,
        rules: Vec::new(),
        obligations: Vec::new(),
        default: None,
        default_span: None,
        examples: Vec::new(),
        vocabulary: ir::Vocabulary {
            date: None,
            origin: None,
            destination: None,
            safeguards: None,
            jurisdiction: None,
            mechanism: None,
            obligation: None,
        },
        facts: Vec::new(),
        weights: Vec::new(),
        span: decl.span,
        name_span: decl.name.span,
    }
}

fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn let_id(i: usize) -> LetId {
    LetId(index_u32(i))
}

/// The intervals where `fact op n` holds, above `floor` (0 for counts).
fn compare_intervals(op: CmpOp, n: i64, floor: i64) -> Vec<Interval> {
    let next = n.checked_add(1);
    let intervals = match op {
        CmpOp::Eq => vec![Interval { lo: n, hi: next }],
        CmpOp::Ne => {
            let mut v = vec![Interval { lo: floor, hi: Some(n) }];
            if let Some(next) = next {
                v.push(Interval { lo: next, hi: None });
            }
            v
        }
        CmpOp::Lt => vec![Interval { lo: floor, hi: Some(n) }],
        CmpOp::Le => vec![Interval { lo: floor, hi: next }],
        CmpOp::Gt => match next {
            Some(next) => vec![Interval { lo: next, hi: None }],
            None => vec![],
        },
        CmpOp::Ge => vec![Interval { lo: n, hi: None }],
    };
    normalise(intervals)
}

/// Sorts intervals, drops empty ones and merges those that overlap or touch.
pub fn normalise(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.retain(|i| !i.is_empty());
    intervals.sort();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for interval in intervals {
        if let Some(last) = merged.last_mut() {
            if last.hi.is_none_or(|hi| interval.lo <= hi) {
                last.hi = match (last.hi, interval.hi) {
                    (None, _) | (_, None) => None,
                    (Some(a), Some(b)) => Some(a.max(b)),
                };
                continue;
            }
        }
        merged.push(interval);
    }
    merged
}

fn intersect(a: Option<Interval>, b: Option<Interval>) -> Option<Interval> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(Interval {
            lo: a.lo.max(b.lo),
            hi: match (a.hi, b.hi) {
                (None, x) | (x, None) => x,
                (Some(x), Some(y)) => Some(x.min(y)),
            },
        }),
    }
}

fn literal_words(literal: &ast::Literal) -> String {
    match literal {
        ast::Literal::Number(n, _) => format!("the number `{n}`"),
        ast::Literal::Date(d, _) => format!("the date `{d}`"),
        ast::Literal::Bool(b, _) => format!("`{b}`"),
        ast::Literal::Name(name) => format!("the name `{}`", name.name),
    }
}

/// Whether a rule or the default of `regime` requires mechanism `m` (as any alternative).
fn requires(regime: &ir::Regime, m: MemberId) -> bool {
    let outcomes = regime.rules.iter().map(|r| &r.then).chain(regime.default.iter());
    outcomes
        .into_iter()
        .any(|o| matches!(o, ir::Outcome::Require(groups) if groups.iter().any(|g| g.alternatives.contains(&m))))
}

/// Whether a condition tests `established`, directly or through the `let`s it names (each
/// followed once, so a `let` cycle, reported elsewhere, ends the walk).
fn reaches_established(program: &ir::Program, cond: &ir::Cond) -> bool {
    let mut seen: HashSet<LetId> = HashSet::new();
    let mut stack = vec![cond];
    while let Some(cond) = stack.pop() {
        match cond {
            ir::Cond::Established(_) => return true,
            ir::Cond::And(parts) | ir::Cond::Or(parts) => stack.extend(parts),
            ir::Cond::Not(inner) => stack.push(inner),
            ir::Cond::Let(id) => {
                if seen.insert(*id) {
                    stack.extend(program.lets.get(id.index()).map(|l| &l.cond));
                }
            }
            ir::Cond::Const(_) | ir::Cond::Test(_) => {}
        }
    }
    false
}

/// A literal where a name belongs, as a name (a number or a date then fails to resolve, and is
/// reported as the name it is written as).
fn literal_name(literal: &ast::Literal) -> ast::Ident {
    match literal {
        ast::Literal::Name(name) => name.clone(),
        other => ast::Ident { name: literal_text(other), span: other.span() },
    }
}

fn literal_text(literal: &ast::Literal) -> String {
    match literal {
        ast::Literal::Number(n, _) => crate::syntax::write_number(i64::try_from(*n).unwrap_or(i64::MAX)),
        ast::Literal::Date(d, _) => Date::to_string(d),
        ast::Literal::Bool(b, _) => b.to_string(),
        ast::Literal::Name(name) => name.name.clone(),
    }
}

/// A weight as written (`0.25`, `1`), in billionths; `None` above one or past nine decimals.
fn parse_weight(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 9 || whole.is_empty() || whole.len() > 2 {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let padded = format!("{fraction:0<9}");
    let fraction: u64 = padded.parse().ok()?;
    let value = whole.checked_mul(ir::WEIGHT_ONE)?.checked_add(fraction)?;
    (value <= ir::WEIGHT_ONE).then_some(value)
}

/// Billionths as a decimal, without trailing zeros (`0.25`, `1.1`).
fn write_weight(value: u64) -> String {
    let whole = value / ir::WEIGHT_ONE;
    let fraction = format!("{:09}", value % ir::WEIGHT_ONE);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") }
}

/// A type in words, for weights: "an enum fact", "a set fact", ….
fn type_words(ty: Type) -> &'static str {
    match ty {
        Type::Enum(_) => "an enum fact",
        Type::Set(_) => "a set fact",
        Type::Bool => "a bool fact",
        Type::Count => "a count fact",
        Type::Date => "a date fact",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_become_intervals() {
        let iv = |lo, hi| Interval { lo, hi };
        assert_eq!(compare_intervals(CmpOp::Ge, 10, 0), [iv(10, None)]);
        assert_eq!(compare_intervals(CmpOp::Gt, 10, 0), [iv(11, None)]);
        assert_eq!(compare_intervals(CmpOp::Lt, 10, 0), [iv(0, Some(10))]);
        assert_eq!(compare_intervals(CmpOp::Le, 10, 0), [iv(0, Some(11))]);
        assert_eq!(compare_intervals(CmpOp::Eq, 10, 0), [iv(10, Some(11))]);
        assert_eq!(compare_intervals(CmpOp::Ne, 0, 0), [iv(1, None)]);
        assert_eq!(compare_intervals(CmpOp::Gt, i64::MAX, 0), []);
    }

    #[test]
    fn normalise_merges_touching_intervals() {
        let iv = |lo, hi| Interval { lo, hi };
        assert_eq!(
            normalise(vec![iv(5, Some(6)), iv(0, Some(5)), iv(9, None), iv(7, Some(7))]),
            [iv(0, Some(6)), iv(9, None)]
        );
    }
}
