//! `accord fmt`: one canonical layout for rule files. The file is read into its tree and printed
//! again from the tree, so the layout depends only on what the file says, its comments and
//! where it leaves empty lines (at most one in a row is kept). Every comment, `///` docs
//! included, is kept: they are read from the text beside the tree and put back before the
//! first token that followed them, or at the end of the line they ended.
//!
//! The formatted file reads into the same tree: `tests/fmt.rs` checks that, and that it compiles
//! to a table with the same hash, on every standard file and on random regimes.

mod comments;
mod layout;

use super::ast::*;
use super::{Parsed, SyntaxError};
use crate::InternalError;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, SourceMap};
use comments::Comments;
use layout::{Doc, align, cat, group, nest, text};

/// Indentation of a block's contents and of a declaration's clauses.
const INDENT: usize = 2;

/// A file's text in the canonical layout, or the problems that stop it being read (the file is
/// then not formatted at all).
pub fn format(file: FileId, source: &str) -> Result<Result<String, Vec<SyntaxError>>, InternalError> {
    let Parsed { module, errors } = super::parse(file, source)?;
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    print(source, &module).map(Ok)
}

/// What formatting a file's bytes gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Formatted {
    /// The file in the canonical layout.
    Text(String),
    /// The file cannot be read (not UTF-8, too large, or not following the grammar): these
    /// say why, and it is not formatted.
    Unreadable(Vec<Diagnostic>),
}

/// Formats a file's bytes, adding them to `sources` so that problems can be shown.
pub fn format_bytes(sources: &mut SourceMap, name: String, bytes: Vec<u8>) -> Result<Formatted, InternalError> {
    let (file, parsed) = super::parse_bytes(sources, name, bytes)?;
    if !parsed.errors.is_empty() {
        return Ok(Formatted::Unreadable(parsed.errors.iter().map(SyntaxError::to_diagnostic).collect()));
    }
    let text = sources
        .get(file)
        .map(|f| f.text.as_str())
        .ok_or_else(|| InternalError("a file just added is missing".into()))?;
    print(text, &parsed.module).map(Formatted::Text)
}

/// `module`, read from `source`, in the canonical layout.
fn print(source: &str, module: &Module) -> Result<String, InternalError> {
    let comments =
        Comments::new(source).ok_or_else(|| InternalError("a comment does not start at a character".into()))?;
    let mut printer = Printer { source, comments, broken: false };
    let doc = printer.module(module);
    if printer.broken {
        return Err(InternalError("a token's span is not in the file it was read from".into()));
    }
    Ok(layout::render(&doc))
}

struct Printer<'a> {
    source: &'a str,
    comments: Comments,
    /// A span did not lie in the text (a bug): the result is not returned.
    broken: bool,
}

fn start(span: crate::source::Span) -> usize {
    span.start as usize
}

fn end(span: crate::source::Span) -> usize {
    span.end as usize
}

impl Printer<'_> {
    /// The comments before `pos` that are not yet printed.
    fn at(&mut self, pos: usize) -> Doc {
        self.comments.before(self.source, pos, true)
    }

    /// The comments before a closing bracket at `pos`: no empty line after them.
    fn at_close(&mut self, pos: usize) -> Doc {
        self.comments.before(self.source, pos, false)
    }

    /// The source text of a span, for tokens printed as written (strings, arithmetic).
    fn slice(&mut self, span: crate::source::Span) -> String {
        match self.source.get(span.range()) {
            Some(text) => text.to_owned(),
            None => {
                self.broken = true;
                String::new()
            }
        }
    }

    /// Declarations one to a line, with an empty line where the file had one (or more).
    fn lines<T>(
        &mut self,
        items: &[T],
        span: impl Fn(&T) -> (usize, usize),
        mut print: impl FnMut(&mut Self, &T) -> Doc,
    ) -> Doc {
        let mut parts = Vec::new();
        let mut previous_end = None;
        for item in items {
            let (from, to) = span(item);
            if let Some(previous) = previous_end {
                parts.push(if comments::blank_after(self.source, previous) { Doc::Blank } else { Doc::Hard });
            }
            parts.push(self.at(from));
            parts.push(print(self, item));
            previous_end = Some(to);
        }
        cat(parts)
    }

    /// `head {`, the lines, `}`: the closing bracket is the last byte of `span`.
    fn block(&mut self, head: Doc, close: usize, body: impl FnOnce(&mut Self) -> Doc) -> Doc {
        let inner = body(self);
        let last = self.at_close(close);
        if inner == cat(vec![]) && last == cat(vec![]) {
            return cat(vec![head, text(" {}")]);
        }
        cat(vec![head, text(" {"), nest(INDENT, cat(vec![Doc::Hard, inner, last])), Doc::Hard, text("}")])
    }

    fn module(&mut self, module: &Module) -> Doc {
        let items = self.lines(&module.items, item_span, Self::item);
        let rest = self.at_close(self.source.len());
        cat(vec![items, rest])
    }

    fn item(&mut self, item: &Item) -> Doc {
        match item {
            Item::Use(u) => match &u.target {
                UseTarget::Stdlib(name) => text(format!("use {}", name.name)),
                UseTarget::Path(path) => text(format!("use {}", self.slice(path.span))),
            },
            Item::Enum(e) => {
                let head = text(format!("enum {}", e.name.name));
                self.block(head, end(e.span) - 1, |p| {
                    p.lines(&e.members, member_span, |p, m| {
                        let mut parts = vec![text(m.name.name.clone())];
                        if let Some(description) = &m.description {
                            parts.push(text(format!(" {}", p.slice(description.span))));
                        }
                        match m.implies.as_slice() {
                            [] => {}
                            [one] => parts.push(text(format!(" implies {}", literal(one)))),
                            many => {
                                parts.push(text(" implies "));
                                parts.push(p.list(many));
                            }
                        }
                        cat(parts)
                    })
                })
            }
            Item::Set(s) => {
                let head = text(format!("set {}: {} =", s.name.name, s.element.name));
                let members: Vec<Doc> = s
                    .members
                    .iter()
                    .map(|m| {
                        let mut doc = vec![self.at(start(m.name.span)), text(m.name.name.clone())];
                        if let Some(range) = &m.effective {
                            doc.push(text(format!(" effective {}", self.range(range))));
                        }
                        cat(doc)
                    })
                    .collect();
                self.spaced_braces(head, members, end(s.span) - 1)
            }
            Item::Facts(f) => self.block(text("facts"), end(f.span) - 1, |p| {
                p.lines(
                    &f.facts,
                    |f| (start(f.name.span), end(type_span(&f.ty))),
                    |_, f| {
                        let ty = match &f.ty {
                            TypeExpr::Named(name) => name.name.clone(),
                            TypeExpr::Set { element, .. } => format!("set<{}>", element.name),
                        };
                        text(format!("{}: {ty}", f.name.name))
                    },
                )
            }),
            Item::Let(l) => self.let_decl(l),
            Item::Regime(r) => {
                let head = text(format!("regime {} {}", r.name.name, self.slice(r.title.span)));
                self.block(head, end(r.span) - 1, |p| p.lines(&r.items, regime_item_span, Self::regime_item))
            }
            Item::Accord(a) => {
                let head = text(format!("accord {} {}", a.name.name, self.slice(a.title.span)));
                self.block(head, end(a.span) - 1, |p| {
                    let mut clauses = p.clauses(&a.cites, &a.effective);
                    if let Some(scope) = &a.scope {
                        clauses.push(p.when("when", scope));
                    }
                    for accept in &a.accepts {
                        let at = p.at(start(accept.span));
                        let line = format!(
                            "{} accepts {} as {}",
                            accept.regime.name,
                            names(&accept.mechanisms, " or "),
                            accept.as_mechanism.name
                        );
                        clauses.push(cat(vec![at, text(line)]));
                    }
                    join_hard(clauses)
                })
            }
            Item::Establish(e) => {
                let head = text(format!("establish {} {}", e.mechanism.name, self.slice(e.title.span)));
                let mut clauses = self.clauses(&e.cites, &[]);
                clauses.push(self.when("when", &e.when));
                self.declaration(head, clauses)
            }
            Item::Family(f) => {
                let head = text(format!("family {} {}", f.name.name, self.slice(f.title.span)));
                let members: Vec<Doc> =
                    f.members.iter().map(|m| cat(vec![self.at(start(m.span)), text(m.name.clone())])).collect();
                self.spaced_braces(head, members, end(f.span) - 1)
            }
            Item::Strength(s) => {
                let head = text(format!("strength {} {}", s.name.name, self.slice(s.title.span)));
                self.block(head, end(s.span) - 1, |p| {
                    let mut lines = p.clauses(&s.cites, &[]);
                    for chain in &s.chains {
                        let first = chain.first().and_then(|side| side.first()).map(Literal::span);
                        let at = first.map(|span| p.at(start(span))).unwrap_or(cat(vec![]));
                        let mut parts = vec![at];
                        for (i, side) in chain.iter().enumerate() {
                            if i > 0 {
                                parts.push(text(" > "));
                            }
                            parts.push(match side.as_slice() {
                                [one] => text(literal(one)),
                                many => p.list(many),
                            });
                        }
                        lines.push(cat(parts));
                    }
                    join_hard(lines)
                })
            }
            Item::Weigh(w) => self.weigh(w),
        }
    }

    fn regime_item(&mut self, item: &RegimeItem) -> Doc {
        match item {
            RegimeItem::Home(home) => {
                let value = self.value(&home.value);
                cat(vec![text("home "), value])
            }
            RegimeItem::Source(source, _) => text(format!("source {}", self.slice(source.span))),
            RegimeItem::Let(l) => self.let_decl(l),
            RegimeItem::Rule(r) => {
                let head = text(format!("rule {} {}", r.name.name, self.slice(r.title.span)));
                let mut clauses = self.clauses(&r.cites, &r.effective);
                if let Some(yields) = &r.yields {
                    let at = self.at(start(yields.span));
                    let rules = yields.rules.iter().map(|i| cat(vec![self.at(start(i.span)), text(&i.name)])).collect();
                    clauses.push(cat(vec![at, text("yields to "), align(Doc::Fill(commas(rules)))]));
                }
                clauses.push(self.when("when", &r.when));
                let at = self.at(start(r.then.span()));
                let then = self.outcome(&r.then);
                clauses.push(cat(vec![at, text("then "), nest(INDENT, then)]));
                self.declaration(head, clauses)
            }
            RegimeItem::Oblige(o) => {
                let head = text(format!("oblige {} {}", o.name.name, self.slice(o.title.span)));
                let mut clauses = self.clauses(&o.cites, &o.effective);
                if let Some(upon) = &o.upon {
                    let at = self.at(start(upon.span));
                    clauses.push(cat(vec![at, text(format!("upon {}", names(&upon.mechanisms, " or ")))]));
                }
                clauses.push(self.when("when", &o.when));
                self.declaration(head, clauses)
            }
            RegimeItem::Default(outcome, _) => {
                let outcome = self.outcome(outcome);
                cat(vec![text("default "), nest(INDENT, outcome)])
            }
            RegimeItem::Example(e) => self.example(e),
            RegimeItem::Weigh(w) => self.weigh(w),
        }
    }

    /// A head line and its clauses, each on its own line, indented.
    fn declaration(&mut self, head: Doc, clauses: Vec<Doc>) -> Doc {
        let mut parts = vec![head];
        for clause in clauses {
            parts.push(nest(INDENT, cat(vec![Doc::Hard, clause])));
        }
        cat(parts)
    }

    /// `cite` and `effective` clauses, in the order written (so that each keeps its comments).
    fn clauses(&mut self, cites: &[CiteClause], effective: &[Range]) -> Vec<Doc> {
        let mut order: Vec<(u32, Result<&CiteClause, &Range>)> = cites
            .iter()
            .map(|c| (c.span.start, Ok(c)))
            .chain(effective.iter().map(|r| (r.span.start, Err(r))))
            .collect();
        order.sort_by_key(|(at, _)| *at);
        let mut out = Vec::new();
        for (_, clause) in order {
            match clause {
                Ok(cite) => {
                    let at = self.at(start(cite.span));
                    let mut items = Vec::new();
                    for (i, s) in cite.cites.iter().enumerate() {
                        let comma = if i + 1 < cite.cites.len() { "," } else { "" };
                        let at = if i == 0 { cat(vec![]) } else { self.at(start(s.span)) };
                        items.push(cat(vec![at, text(format!("{}{comma}", self.slice(s.span)))]));
                    }
                    out.push(cat(vec![at, text("cite "), nest("cite ".len(), Doc::Fill(items))]));
                }
                Err(range) => {
                    let at = self.at(start(range.span));
                    out.push(cat(vec![at, text(format!("effective {}", self.range(range)))]));
                }
            }
        }
        out
    }

    /// `keyword condition`, the condition breaking at its `or`s, then its `and`s, indented.
    fn when(&mut self, keyword: &str, cond: &Cond) -> Doc {
        let at = self.at(start(cond.span()));
        let cond = self.cond(cond, Context::Top);
        cat(vec![at, text(format!("{keyword} ")), nest(INDENT, cond)])
    }

    fn let_decl(&mut self, l: &LetDecl) -> Doc {
        let cond = self.cond(&l.cond, Context::Top);
        cat(vec![text(format!("let {} = ", l.name.name)), nest(INDENT, cond)])
    }

    fn cond(&mut self, cond: &Cond, context: Context) -> Doc {
        let at = self.at(start(cond.span()));
        let (doc, needs_brackets) = match cond {
            Cond::Or(parts, _) => (self.chain(parts, "or", Context::InOr), context != Context::Top),
            // Brackets an `and` inside an `or` need not have are kept for people: `a or (b and c)`.
            Cond::And(parts, _) => (self.chain(parts, "and", Context::InAnd), context != Context::Top),
            Cond::Not(inner, _) => {
                let inner = self.cond(inner, Context::InNot);
                (cat(vec![text("not "), inner]), false)
            }
            Cond::Established(m, _) => (text(format!("established {}", m.name)), false),
            Cond::Test(test) => (self.test(test), context == Context::InNot && test.op.is_some()),
        };
        if needs_brackets { cat(vec![at, text("("), align(doc), text(")")]) } else { cat(vec![at, doc]) }
    }

    /// `a or b or c`, filled: a line breaks only before a part that would not fit on it.
    fn chain(&mut self, parts: &[Cond], keyword: &str, context: Context) -> Doc {
        let mut items = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let part = self.cond(part, context);
            items.push(if i == 0 { part } else { cat(vec![text(format!("{keyword} ")), align(part)]) });
        }
        Doc::Fill(items)
    }

    fn test(&mut self, test: &Test) -> Doc {
        let lhs = self.operand(&test.lhs);
        let Some(op) = &test.op else { return lhs };
        let rhs = match op {
            TestOp::Cmp(op, _, rhs) => cat(vec![text(format!(" {} ", op.as_str())), self.operand(rhs)]),
            TestOp::In(rhs, _) => {
                let rhs = match rhs {
                    InRhs::Range(range) => text(self.range(range)),
                    InRhs::List(list) => self.value_list(list),
                    InRhs::Named(name) => text(name.name.clone()),
                };
                cat(vec![text(" in "), rhs])
            }
            TestOp::Has(rhs, _) => match rhs {
                HasRhs::One(name) => text(format!(" has {}", name.name)),
                HasRhs::Any(set) => cat(vec![text(" has any "), self.set_ref(set)]),
                HasRhs::All(set) => cat(vec![text(" has all "), self.set_ref(set)]),
            },
        };
        cat(vec![lhs, rhs])
    }

    fn set_ref(&mut self, set: &SetRef) -> Doc {
        match set {
            SetRef::List(list) => self.value_list(list),
            SetRef::Named(name) => text(name.name.clone()),
        }
    }

    fn operand(&mut self, operand: &Operand) -> Doc {
        match operand {
            Operand::Literal(l) => text(literal(l)),
            // Arithmetic (which the checker refuses) keeps no operators in the tree: printed as
            // written, on one line, without the comments inside it (they follow it instead).
            Operand::Arith(_, span) => {
                let written = self.slice(*span);
                let code: Vec<&str> = written.lines().map(|line| line.split("//").next().unwrap_or(line)).collect();
                text(code.join(" ").split_whitespace().collect::<Vec<_>>().join(" "))
            }
            Operand::List(list) => self.value_list(list),
        }
    }

    fn outcome(&mut self, outcome: &Outcome) -> Doc {
        match outcome {
            Outcome::Permit(_) => text("permit"),
            Outcome::Prohibit(_) => text("prohibit"),
            Outcome::Require(groups, _) => {
                let mut items = Vec::new();
                for (g, require) in groups.iter().enumerate() {
                    let mut at = Some(self.at(start(require.span)));
                    let last = require.alternatives.len().saturating_sub(1);
                    for (i, m) in require.alternatives.iter().enumerate() {
                        let word = match (g, i, require.ordered) {
                            (0, 0, _) => format!("require {}", m.name),
                            (_, 0, _) => format!("and require {}", m.name),
                            (_, _, false) => format!("or {}", m.name),
                            (_, _, true) => format!("else {}", m.name),
                        };
                        let comma = if require.ordered && i < last { "," } else { "" };
                        let at = match at.take() {
                            Some(first) => first,
                            None => self.at(start(m.span)),
                        };
                        items.push(cat(vec![at, text(format!("{word}{comma}"))]));
                    }
                }
                Doc::Fill(items)
            }
        }
    }

    fn example(&mut self, e: &ExampleDecl) -> Doc {
        let head = text(format!("example {}", self.slice(e.name.span)));
        self.block(head, end(e.span) - 1, |p| {
            let at = p.at(e.given_span.start as usize);
            let fields: Vec<Doc> = e
                .given
                .iter()
                .map(|field| {
                    let at = p.at(start(field.key.span));
                    let value = p.value(&field.value);
                    cat(vec![at, text(format!("{}: ", field.key.name)), value])
                })
                .collect();
            let given = p.spaced_braces(text("given"), fields, end(e.given_span) - 1);
            let expect = p.expect(&e.expect);
            cat(vec![at, given, Doc::Hard, expect])
        })
    }

    fn expect(&mut self, expect: &Expect) -> Doc {
        let at = self.at(start(expect.span));
        let outcome = match &expect.outcome {
            None => text("out_of_scope"),
            Some(outcome) => self.outcome(outcome),
        };
        let mut tail = Vec::new();
        if let Some(with) = &expect.obligations {
            tail.push(Doc::Line);
            tail.push(text("with "));
            tail.push(self.value_list(with));
        }
        for (mechanisms, list) in &expect.upon {
            let at = mechanisms.first().map(|m| self.at(start(m.span))).unwrap_or(cat(vec![]));
            tail.push(Doc::Line);
            tail.push(at);
            tail.push(text(format!("upon {} ", names(mechanisms, " or "))));
            tail.push(self.value_list(list));
        }
        group(cat(vec![at, text("expect "), nest(INDENT, cat(vec![outcome, nest(0, cat(tail))]))]))
    }

    fn weigh(&mut self, w: &WeighDecl) -> Doc {
        let head = text(format!("weigh {} {}", w.fact.name, self.slice(w.title.span)));
        self.block(head, end(w.span) - 1, |p| {
            let mut lines = p.clauses(&w.cites, &[]);
            for entry in &w.entries {
                let at = p.at(start(entry.span));
                let key = match &entry.key {
                    WeightKey::Name(name) => name.name.clone(),
                    WeightKey::True(_) => "true".to_owned(),
                    WeightKey::Range(range) => p.range(range),
                };
                lines.push(cat(vec![at, text(format!("{key} {}", entry.weight))]));
            }
            join_hard(lines)
        })
    }

    /// `head { a, b }` on one line if it fits, else the items filled on indented lines.
    fn spaced_braces(&mut self, head: Doc, items: Vec<Doc>, close: usize) -> Doc {
        let last = self.at_close(close);
        if items.is_empty() && last == cat(vec![]) {
            return cat(vec![head, text(" {}")]);
        }
        group(cat(vec![
            head,
            text(" {"),
            nest(INDENT, cat(vec![Doc::Line, Doc::Fill(commas(items)), last])),
            Doc::Line,
            text("}"),
        ]))
    }

    /// `{a, b}` as values are written in conditions and scenarios.
    fn value_list(&mut self, list: &ValueList) -> Doc {
        let items: Vec<Doc> =
            list.items.iter().map(|l| cat(vec![self.at(start(l.span())), text(literal(l))])).collect();
        let last = self.at_close(end(list.span) - 1);
        braced(items, last)
    }

    fn list(&mut self, literals: &[Literal]) -> Doc {
        let items = literals.iter().map(|l| cat(vec![self.at(start(l.span())), text(literal(l))])).collect();
        braced(items, cat(vec![]))
    }

    fn value(&mut self, value: &Value) -> Doc {
        match value {
            Value::Literal(l) => text(literal(l)),
            Value::List(list) => self.value_list(list),
        }
    }

    fn range(&self, range: &Range) -> String {
        let lo = range.lo.as_ref().map(literal).unwrap_or_default();
        let hi = range.hi.as_ref().map(literal).unwrap_or_default();
        format!("{lo}..{hi}")
    }
}

/// Where a condition stands, which decides whether it needs brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// A whole `when` or `let`.
    Top,
    /// A part of an `or`.
    InOr,
    /// A part of an `and`.
    InAnd,
    /// Under a `not`.
    InNot,
}

/// `{a, b}`, its items filled on lines aligned after the bracket when too long.
fn braced(items: Vec<Doc>, last: Doc) -> Doc {
    cat(vec![text("{"), align(cat(vec![Doc::Fill(commas(items)), last])), text("}")])
}

/// Each item but the last followed by a comma.
fn commas(items: Vec<Doc>) -> Vec<Doc> {
    let count = items.len();
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| if i + 1 < count { cat(vec![item, text(",")]) } else { item })
        .collect()
}

fn join_hard(lines: Vec<Doc>) -> Doc {
    let mut parts = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            parts.push(Doc::Hard);
        }
        parts.push(line);
    }
    cat(parts)
}

fn names(idents: &[Ident], separator: &str) -> String {
    idents.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(separator)
}

/// A literal in its canonical spelling: numbers from 1_000 with `_` between thousands, dates
/// as `YYYY-MM-DD`.
fn literal(literal: &Literal) -> String {
    match literal {
        Literal::Number(n, _) => super::group_thousands(&n.to_string(), 4),
        Literal::Date(date, _) => date.to_string(),
        Literal::Bool(b, _) => b.to_string(),
        Literal::Name(name) => name.name.clone(),
    }
}

fn type_span(ty: &TypeExpr) -> crate::source::Span {
    match ty {
        TypeExpr::Named(name) => name.span,
        TypeExpr::Set { span, .. } => *span,
    }
}

fn member_span(m: &EnumMember) -> (usize, usize) {
    let mut to = end(m.name.span);
    if let Some(description) = &m.description {
        to = to.max(end(description.span));
    }
    for implied in &m.implies {
        to = to.max(end(implied.span()));
    }
    (start(m.name.span), to)
}

fn item_span(item: &Item) -> (usize, usize) {
    let span = match item {
        Item::Use(d) => d.span,
        Item::Enum(d) => d.span,
        Item::Set(d) => d.span,
        Item::Facts(d) => d.span,
        Item::Let(d) => d.span,
        Item::Regime(d) => d.span,
        Item::Accord(d) => d.span,
        Item::Establish(d) => d.span,
        Item::Family(d) => d.span,
        Item::Strength(d) => d.span,
        Item::Weigh(d) => d.span,
    };
    (start(span), end(span))
}

fn regime_item_span(item: &RegimeItem) -> (usize, usize) {
    let span = match item {
        RegimeItem::Home(h) => h.span,
        RegimeItem::Source(_, span) | RegimeItem::Default(_, span) => *span,
        RegimeItem::Let(d) => d.span,
        RegimeItem::Rule(d) => d.span,
        RegimeItem::Oblige(d) => d.span,
        RegimeItem::Example(d) => d.span,
        RegimeItem::Weigh(d) => d.span,
    };
    (start(span), end(span))
}
