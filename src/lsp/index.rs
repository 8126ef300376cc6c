//! What the language server knows about names: every declaration in the files a check read
//! (the document, the files it `use`s and the embedded standard library), with what hover
//! shows of it, and where each name is written.

use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::*;

/// What a name declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A `let` (in a regime, or at the top level).
    Let,
    /// A fact of the transfer (`facts { … }`).
    Fact,
    /// A member of an enum: a jurisdiction, a data category, a mechanism, an obligation, …
    Member,
    /// A named set.
    Set,
    /// An enum.
    Enum,
    /// A regime.
    Regime,
    /// A rule, an obligation rule or an accord, by id.
    Rule,
    /// A family of mechanisms.
    Family,
}

/// One declaration.
#[derive(Debug, Clone)]
pub struct Definition {
    /// The name declared.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Where the name is written in its declaration.
    pub span: Span,
    /// For a regime's `let`: the regime's span, outside which the name means something else.
    pub scope: Option<Span>,
    /// One line: what it is (`fact data: set<DataCategory>`).
    pub detail: String,
    /// Markdown for hover: the declaration, its doc, and what more it says.
    pub hover: String,
    /// For a fact, the enum its values come from; for a member, its enum.
    pub enum_name: Option<String>,
}

/// The declarations of every file read.
#[derive(Debug, Default)]
pub struct Index {
    /// In file order, then source order.
    pub definitions: Vec<Definition>,
    /// Each `yields to` clause, with the regime it is in: there, a word names that regime's rule.
    yields: Vec<(Span, Span)>,
}

impl Index {
    /// Indexes every file in `sources`.
    pub fn new(sources: &SourceMap) -> Index {
        let mut index = Index::default();
        for (file, source) in sources.iter() {
            let Ok(parsed) = crate::syntax::parse(file, &source.text) else { continue };
            let mut reader = Reader { text: &source.text, out: &mut index.definitions, yields: &mut index.yields };
            for item in &parsed.module.items {
                reader.item(item);
            }
        }
        let lets: Vec<(String, String, Option<Span>)> = index
            .definitions
            .iter()
            .filter(|d| d.kind == Kind::Let)
            .map(|d| (d.name.clone(), d.detail.clone(), d.scope))
            .collect();
        for definition in index.definitions.iter_mut().filter(|d| d.kind == Kind::Let) {
            // A `let` sees its own regime's `let`s, and the top-level ones.
            let visible: Vec<(String, String)> = lets
                .iter()
                .filter(|(_, _, scope)| scope.is_none() || *scope == definition.scope)
                .map(|(name, detail, _)| (name.clone(), detail.clone()))
                .collect();
            definition.hover.push_str(&expansion(&definition.detail, &visible));
        }
        index
    }

    /// The declaration `name` means at `offset` in `file`: a regime's own `let` inside that
    /// regime, then a declaration of the same file, then any other.
    ///
    /// A rule's id is meant only where the rule declares it: elsewhere the same word names the
    /// fact, member or `let` it is named after (`rule explicit_consent … require explicit_consent`).
    pub fn resolve(&self, name: &str, file: FileId, offset: usize) -> Option<&Definition> {
        let inside = |span: &Span| span.file == file && (span.start as usize..=span.end as usize).contains(&offset);
        if let Some((_, regime)) = self.yields.iter().find(|(clause, _)| inside(clause)) {
            let within = |span: &Span| span.file == regime.file && span.start >= regime.start && span.end <= regime.end;
            return self
                .definitions
                .iter()
                .find(|d| d.name == name && d.kind == Kind::Rule && d.detail.starts_with("rule ") && within(&d.span));
        }
        let candidates = self.definitions.iter().filter(|d| d.name == name);
        candidates.min_by_key(|d| {
            let place = match &d.scope {
                Some(scope) if inside(scope) => 0,
                Some(_) => 3,
                None if d.span.file == file => 1,
                None => 2,
            };
            let elsewhere_a_rule = d.kind == Kind::Rule && !inside(&d.span);
            (elsewhere_a_rule, place)
        })
    }

    /// The declarations of one kind.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Definition> {
        self.definitions.iter().filter(move |d| d.kind == kind)
    }

    /// The members of an enum, in declaration order.
    pub fn members_of<'a>(&'a self, enum_name: &'a str) -> impl Iterator<Item = &'a Definition> {
        self.of_kind(Kind::Member).filter(move |d| d.enum_name.as_deref() == Some(enum_name))
    }
}

/// The `let`s a `let`'s condition uses, each with its own condition, to any depth (each once).
fn expansion(detail: &str, lets: &[(String, String)]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut queue = vec![detail];
    let mut out = String::new();
    while let Some(text) = queue.pop() {
        for word in words(text) {
            if seen.contains(&word) || detail.starts_with(&format!("let {word} ")) {
                continue;
            }
            if let Some((name, body)) = lets.iter().find(|(name, _)| name == word) {
                seen.push(name);
                out.push_str(&format!("\n    {body}"));
                queue.push(body);
            }
        }
    }
    if out.is_empty() { out } else { format!("\n\nwhere:\n```accord{out}\n```") }
}

/// The words of a text (identifier characters), outside strings.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut in_string = false;
    text.split(move |c: char| {
        if c == '"' {
            in_string = !in_string;
        }
        in_string || !(c.is_ascii_alphanumeric() || c == '_')
    })
    .filter(|w| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
}

struct Reader<'a> {
    text: &'a str,
    out: &'a mut Vec<Definition>,
    yields: &'a mut Vec<(Span, Span)>,
}

/// A declaration's doc lines as Markdown.
fn doc(lines: &[String]) -> String {
    if lines.is_empty() { String::new() } else { format!("\n\n{}", lines.join("\n")) }
}

fn cites(clauses: &[CiteClause]) -> Vec<String> {
    clauses.iter().flat_map(|c| c.cites.iter().map(|s| s.value.clone())).collect()
}

impl Reader<'_> {
    /// The text of a span on one line: comments out, white space runs made one space.
    fn flat(&self, span: Span) -> String {
        let Some(text) = self.text.get(span.range()) else { return String::new() };
        let code: Vec<&str> = text.lines().map(without_comment).collect();
        code.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn add(&mut self, name: &Ident, kind: Kind, detail: String, more: String, enum_name: Option<String>) {
        let hover = format!("```accord\n{detail}\n```{more}");
        self.out.push(Definition {
            name: name.name.clone(),
            kind,
            span: name.span,
            scope: None,
            detail,
            hover,
            enum_name,
        });
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Enum(e) => {
                self.add(&e.name, Kind::Enum, format!("enum {}", e.name.name), doc(&e.doc), None);
                for m in &e.members {
                    let description = m.description.as_ref().map(|d| format!(" {:?}", d.value)).unwrap_or_default();
                    let implies: Vec<String> = m.implies.iter().map(|l| self.flat(l.span())).collect();
                    let implies =
                        if implies.is_empty() { String::new() } else { format!(" implies {}", implies.join(", ")) };
                    let detail = format!("{}{description}{implies}  (a member of {})", m.name.name, e.name.name);
                    self.add(&m.name, Kind::Member, detail, doc(&m.doc), Some(e.name.name.clone()));
                }
            }
            Item::Set(s) => {
                let detail = format!(
                    "set {}: {} = {}",
                    s.name.name,
                    s.element.name,
                    self.flat(Span { start: s.element.span.end, ..s.span }).trim_start_matches([' ', '='])
                );
                self.add(&s.name, Kind::Set, detail, doc(&s.doc), Some(s.element.name.clone()));
            }
            Item::Facts(f) => {
                for fact in &f.facts {
                    let (ty, element) = match &fact.ty {
                        TypeExpr::Named(name) => (name.name.clone(), Some(name.name.clone())),
                        TypeExpr::Set { element, .. } => (format!("set<{}>", element.name), Some(element.name.clone())),
                    };
                    self.add(&fact.name, Kind::Fact, format!("fact {}: {ty}", fact.name.name), doc(&fact.doc), element);
                }
            }
            Item::Let(l) => self.let_decl(l, None),
            Item::Regime(r) => {
                let mut more = doc(&r.doc);
                for item in &r.items {
                    match item {
                        RegimeItem::Home(h) => more.push_str(&format!("\n\nhome: `{}`", self.flat(h.value.span()))),
                        RegimeItem::Source(s, _) => more.push_str(&format!("\n\nsource: <{}>", s.value)),
                        _ => {}
                    }
                }
                self.add(&r.name, Kind::Regime, format!("regime {} {:?}", r.name.name, r.title.value), more, None);
                for item in &r.items {
                    match item {
                        RegimeItem::Let(l) => self.let_decl(l, Some(r.span)),
                        RegimeItem::Rule(rule) => {
                            if let Some(yields) = &rule.yields {
                                self.yields.push((yields.span, r.span));
                            }
                            let more = self.rule_more(&rule.doc, &rule.cites, &rule.effective);
                            let detail =
                                format!("rule {} {:?}  (regime {})", rule.name.name, rule.title.value, r.name.name);
                            self.add(&rule.name, Kind::Rule, detail, more, None);
                        }
                        RegimeItem::Oblige(o) => {
                            let more = self.rule_more(&o.doc, &o.cites, &o.effective);
                            let detail =
                                format!("oblige {} {:?}  (regime {})", o.name.name, o.title.value, r.name.name);
                            self.add(&o.name, Kind::Rule, detail, more, None);
                        }
                        _ => {}
                    }
                }
            }
            Item::Accord(a) => {
                let more = self.rule_more(&a.doc, &a.cites, &a.effective);
                self.add(&a.name, Kind::Rule, format!("accord {} {:?}", a.name.name, a.title.value), more, None);
            }
            Item::Family(f) => {
                let members: Vec<&str> = f.members.iter().map(|m| m.name.as_str()).collect();
                let detail = format!("family {} {:?} {{ {} }}", f.name.name, f.title.value, members.join(", "));
                self.add(&f.name, Kind::Family, detail, doc(&f.doc), None);
            }
            Item::Use(_) | Item::Establish(_) | Item::Strength(_) | Item::Weigh(_) => {}
        }
    }

    fn let_decl(&mut self, l: &LetDecl, scope: Option<Span>) {
        let detail = format!("let {} = {}", l.name.name, self.flat(l.cond.span()));
        self.add(&l.name, Kind::Let, detail, doc(&l.doc), None);
        if let Some(definition) = self.out.last_mut() {
            definition.scope = scope;
        }
    }

    /// A rule's citations and effective range, then its doc.
    fn rule_more(&self, lines: &[String], clauses: &[CiteClause], effective: &[Range]) -> String {
        let mut more = String::new();
        for cite in cites(clauses) {
            more.push_str(&format!("\n\ncites: {cite}"));
        }
        for range in effective {
            more.push_str(&format!("\n\neffective: `{}`", self.flat(range.span)));
        }
        more.push_str(&doc(lines));
        more
    }
}

/// The name written at `offset` in `text`, and its byte range: a word of identifier
/// characters, outside strings and comments.
pub fn word_at(text: &str, offset: usize) -> Option<(String, usize, usize)> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut start = offset.min(bytes.len());
    while start > 0 && bytes.get(start - 1).is_some_and(|&b| is_word(b)) {
        start -= 1;
    }
    let mut end = offset.min(bytes.len());
    while bytes.get(end).is_some_and(|&b| is_word(b)) {
        end += 1;
    }
    let word = text.get(start..end)?;
    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) || in_string_or_comment(text, start) {
        return None;
    }
    Some((word.to_owned(), start, end))
}

/// A line without its comment, if it has one.
fn without_comment(line: &str) -> &str {
    let starts = line.match_indices("//").map(|(i, _)| i).find(|&i| !in_string_or_comment(line, i));
    starts.and_then(|i| line.get(..i)).unwrap_or(line)
}

/// Whether byte `offset` lies in a string or a comment (both end with their line).
pub fn in_string_or_comment(text: &str, offset: usize) -> bool {
    let line_start = text.get(..offset).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
    let line = text.get(line_start..offset).unwrap_or("");
    let (mut in_string, mut previous) = (false, ' ');
    for c in line.chars() {
        if in_string {
            if c == '"' && previous != '\\' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && previous == '/' {
            return true;
        }
        previous = if previous == '\\' && c == '\\' { ' ' } else { c };
    }
    in_string
}

/// Every place `name` is written as a word in `text`, outside strings and comments.
pub fn occurrences(text: &str, name: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    text.match_indices(name)
        .map(|(at, _)| (at, at + name.len()))
        .filter(|&(start, end)| {
            let before = start.checked_sub(1).and_then(|i| bytes.get(i));
            !before.is_some_and(is_word) && !bytes.get(end).is_some_and(is_word)
        })
        .filter(|&(start, _)| !in_string_or_comment(text, start))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_outside_strings_and_comments() {
        let text = "when data has health // health\n  cite \"health\" then permit";
        assert_eq!(word_at(text, 16), Some(("health".to_owned(), 14, 20)));
        assert_eq!(word_at(text, 26), None, "in a comment");
        assert_eq!(word_at(text, 41), None, "in a string");
        assert_eq!(occurrences(text, "health"), vec![(14, 20)]);
        assert_eq!(occurrences("healthy health_x health", "health"), vec![(17, 23)]);
    }
}
