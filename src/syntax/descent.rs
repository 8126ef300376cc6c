//! The hand-written reading of `grammar/accord.pest`: recursive descent straight from bytes to
//! the tree, about four times faster than building it from pest's pairs.
//!
//! The grammar stays the specification. Each function here is one of its rules and follows
//! its PEG meaning exactly: alternatives are tried in order, and a repetition or an optional
//! part that fails half-way gives back what it read ([`Descent::attempt`]). Spans are those
//! of the rule's first and last token. When this reading fails, pest reads the file again to
//! say what was expected (`parser::grammar_error`); [`super::by_grammar`] builds the tree from
//! pest's pairs, and the property and fuzz tests check that the two readings agree.

use super::ast::*;
use super::error::SyntaxError;
use super::scan::MAX_NESTING;
use crate::source::{FileId, Span};

/// What a rule read, or `None` where the text does not follow it.
type Read<T> = Option<T>;

/// A cursor over one file's text.
pub(super) struct Descent<'t> {
    text: &'t str,
    bytes: &'t [u8],
    file: FileId,
    /// Where reading continues.
    pos: usize,
    /// The end of the last token read: where a rule's span ends.
    last: usize,
    /// Problems with what was read (a number too large, a date that does not exist).
    errors: Vec<SyntaxError>,
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'t> Descent<'t> {
    pub(super) fn new(file: FileId, text: &'t str) -> Self {
        Descent { text, bytes: text.as_bytes(), file, pos: 0, last: 0, errors: Vec::new() }
    }

    /// `file`: the module and the problems in what it holds, or `None` if the text does not
    /// follow the grammar.
    pub(super) fn file(mut self) -> Read<(Module, Vec<SyntaxError>)> {
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.pos >= self.bytes.len() {
                return Some((Module { items }, self.errors));
            }
            items.push(self.item()?);
        }
    }

    // ── tokens ──

    /// Runs `rule`; where it fails, gives back everything it read.
    fn attempt<T>(&mut self, rule: impl FnOnce(&mut Self) -> Read<T>) -> Read<T> {
        let (pos, last, errors) = (self.pos, self.last, self.errors.len());
        let read = rule(self);
        if read.is_none() {
            self.pos = pos;
            self.last = last;
            self.errors.truncate(errors);
        }
        read
    }

    /// `rule` as many times as it matches.
    fn repeat<T>(&mut self, rule: impl FnMut(&mut Self) -> Read<T>) -> Vec<T> {
        let mut all = Vec::new();
        self.repeat_into(&mut all, rule);
        all
    }

    /// `rule` as many times as it matches, after what `all` holds.
    fn repeat_into<T>(&mut self, all: &mut Vec<T>, mut rule: impl FnMut(&mut Self) -> Read<T>) {
        while let Some(one) = self.attempt(&mut rule) {
            all.push(one);
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// `///` that is not `////`: a doc comment.
    fn doc_at(&self, at: usize) -> bool {
        self.bytes.get(at..at + 3) == Some(b"///") && self.byte(at + 3) != Some(b'/')
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.bytes.len(), |i| from + i)
    }

    /// The grammar's implicit `(WHITESPACE | COMMENT)*`.
    fn skip(&mut self) {
        while let Some(b) = self.byte(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.byte(self.pos + 1) == Some(b'/') && !self.doc_at(self.pos) => {
                    self.pos = self.line_end(self.pos);
                }
                _ => return,
            }
        }
    }

    /// Where the next token starts.
    fn start(&mut self) -> usize {
        self.skip();
        self.pos
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.last)
    }

    /// Consumes `len` bytes as one token.
    fn advance(&mut self, len: usize) -> usize {
        let start = self.pos;
        self.pos += len;
        self.last = self.pos;
        start
    }

    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The length of the word (`[A-Za-z_][A-Za-z0-9_]*`) at the cursor, or 0.
    fn word_len(&self) -> usize {
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        match rest.first() {
            Some(&b) if b.is_ascii_alphabetic() || b == b'_' => {
                rest.iter().position(|&c| !is_ident_char(c)).unwrap_or(rest.len())
            }
            _ => 0,
        }
    }

    /// The word at the next token, without reading it.
    fn peek_word(&mut self) -> &'t str {
        self.skip();
        let len = self.word_len();
        self.slice(self.pos, self.pos + len)
    }

    /// A literal token (`{`, `..`, `,`).
    fn punct(&mut self, token: &str) -> Read<()> {
        self.skip();
        if self.bytes.get(self.pos..)?.starts_with(token.as_bytes()) {
            self.advance(token.len());
            Some(())
        } else {
            None
        }
    }

    /// `kw_…`: the keyword as a whole word.
    fn kw(&mut self, keyword: &str) -> Read<Span> {
        if self.peek_word() == keyword {
            let start = self.advance(keyword.len());
            Some(self.span(start))
        } else {
            None
        }
    }

    /// `name`: any word, keywords included.
    fn name(&mut self) -> Read<Ident> {
        self.skip();
        let len = self.word_len();
        if len == 0 {
            return None;
        }
        let start = self.advance(len);
        Some(Ident { name: self.slice(start, self.pos).to_owned(), span: self.span(start) })
    }

    /// `ident`: a word that is not a keyword.
    fn ident(&mut self) -> Read<Ident> {
        if super::KEYWORDS.contains(&self.peek_word()) {
            return None;
        }
        self.name()
    }

    /// `string`, with its escapes read.
    fn string(&mut self) -> Read<StrLit> {
        self.skip();
        if self.byte(self.pos) != Some(b'"') {
            return None;
        }
        let mut end = self.pos + 1;
        loop {
            match self.byte(end)? {
                b'"' => break,
                b'\n' => return None,
                b'\\' => {
                    let escaped = self.text.get(end + 1..)?.chars().next()?;
                    if escaped == '\n' {
                        return None;
                    }
                    end += 1 + escaped.len_utf8();
                }
                _ => end += 1,
            }
        }
        let start = self.advance(end + 1 - self.pos);
        let inner = self.slice(start + 1, end);
        let value = super::unescape(inner);
        Some(StrLit { value, span: self.span(start) })
    }

    /// The number of ASCII digits from `at`.
    fn digits(&self, at: usize) -> usize {
        self.bytes.get(at..).map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_digit()).count())
    }

    /// `date`: `YYYY-MM-DD`, not followed by a word character.
    fn date(&mut self) -> Read<Literal> {
        self.skip();
        let p = self.pos;
        let shape = self.digits(p) >= 4
            && self.byte(p + 4) == Some(b'-')
            && self.digits(p + 5) >= 2
            && self.byte(p + 7) == Some(b'-')
            && self.digits(p + 8) >= 2
            && !self.byte(p + 10).is_some_and(is_ident_char);
        if !shape {
            return None;
        }
        let start = self.advance(10);
        let span = self.span(start);
        let text = self.slice(start, self.pos);
        Some(super::date(text, span, &mut self.errors))
    }

    /// `number`: digits and `_`, not followed by a letter.
    fn number(&mut self) -> Read<Literal> {
        self.skip();
        if !self.byte(self.pos).is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().position(|&b| !(b.is_ascii_digit() || b == b'_')).unwrap_or(rest.len());
        if rest.get(len).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        let start = self.advance(len);
        let span = self.span(start);
        Some(super::number(self.slice(start, self.pos), span, &mut self.errors))
    }

    /// `weight`: digits with an optional decimal part, not followed by a word character.
    fn weight(&mut self) -> Read<(String, Span)> {
        self.skip();
        let mut len = self.digits(self.pos);
        if len == 0 {
            return None;
        }
        if self.byte(self.pos + len) == Some(b'.') {
            let fraction = self.digits(self.pos + len + 1);
            if fraction > 0 {
                len += 1 + fraction;
            }
        }
        if self.byte(self.pos + len).is_some_and(is_ident_char) {
            return None;
        }
        let start = self.advance(len);
        Some((self.slice(start, self.pos).to_owned(), self.span(start)))
    }

    /// `doc*`: the lines of the doc comments at the cursor.
    fn docs(&mut self) -> Doc {
        let mut doc = Vec::new();
        while self.start() < self.bytes.len() && self.doc_at(self.pos) {
            let end = self.line_end(self.pos);
            let start = self.advance(end - self.pos);
            doc.push(super::doc_line(self.slice(start, end)));
        }
        doc
    }

    // ── declarations ──

    fn item(&mut self) -> Read<Item> {
        let doc = self.docs();
        Some(match self.peek_word() {
            "use" => Item::Use(self.use_decl()?),
            "enum" => Item::Enum(self.enum_decl(doc)?),
            "set" => Item::Set(self.set_decl(doc)?),
            "facts" => Item::Facts(self.facts_decl(doc)?),
            "let" => Item::Let(self.let_decl(doc)?),
            "regime" => Item::Regime(self.regime_decl(doc)?),
            "accord" => Item::Accord(self.accord_decl(doc)?),
            "establish" => Item::Establish(self.establish_decl(doc)?),
            "family" => Item::Family(self.family_decl(doc)?),
            "strength" => Item::Strength(self.strength_decl(doc)?),
            "weigh" => Item::Weigh(self.weigh_decl(doc)?),
            _ => return None,
        })
    }

    fn use_decl(&mut self) -> Read<Use> {
        let start = self.start();
        self.kw("use")?;
        let target = match self.attempt(Self::string) {
            Some(path) => UseTarget::Path(path),
            None => UseTarget::Stdlib(self.module_path()?),
        };
        Some(Use { target, span: self.span(start) })
    }

    /// `module_path`: words joined by `/`.
    fn module_path(&mut self) -> Read<Ident> {
        let start = self.start();
        let mut len = self.word_len();
        if len == 0 {
            return None;
        }
        loop {
            let slash = self.pos + len;
            let word_follows = self.byte(slash + 1).is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
            if self.byte(slash) != Some(b'/') || !word_follows {
                break;
            }
            let rest = self.bytes.get(slash + 1..)?;
            len += 1 + rest.iter().position(|&c| !is_ident_char(c)).unwrap_or(rest.len());
        }
        self.advance(len);
        Some(Ident { name: self.slice(start, self.pos).to_owned(), span: self.span(start) })
    }

    fn enum_decl(&mut self, doc: Doc) -> Read<EnumDecl> {
        let start = self.start();
        self.kw("enum")?;
        let name = self.ident()?;
        self.punct("{")?;
        let members = self.repeat(|p| {
            let doc = p.docs();
            let name = p.ident()?;
            let description = p.attempt(Self::string);
            let implies = p
                .attempt(|p| {
                    p.kw("implies")?;
                    p.names_or_list()
                })
                .unwrap_or_default();
            p.attempt(|p| p.punct(","));
            Some(EnumMember { doc, name, description, implies })
        });
        self.punct("}")?;
        Some(EnumDecl { doc, name, members, span: self.span(start) })
    }

    fn set_decl(&mut self, doc: Doc) -> Read<SetDecl> {
        let start = self.start();
        self.kw("set")?;
        let name = self.ident()?;
        self.punct(":")?;
        let element = self.ident()?;
        self.punct("=")?;
        self.punct("{")?;
        let members = self.repeat(|p| {
            let doc = p.docs();
            let name = p.ident()?;
            let effective = p.attempt(Self::effective_clause);
            p.attempt(|p| p.punct(","));
            Some(SetMember { doc, name, effective })
        });
        self.punct("}")?;
        Some(SetDecl { doc, name, element, members, span: self.span(start) })
    }

    fn facts_decl(&mut self, doc: Doc) -> Read<FactsDecl> {
        let start = self.start();
        self.kw("facts")?;
        self.punct("{")?;
        let facts = self.repeat(|p| {
            let doc = p.docs();
            let name = p.ident()?;
            p.punct(":")?;
            let ty = match p.attempt(|p| {
                let start = p.start();
                p.kw("set")?;
                p.punct("<")?;
                let element = p.ident()?;
                p.punct(">")?;
                Some(TypeExpr::Set { element, span: p.span(start) })
            }) {
                Some(set) => set,
                None => TypeExpr::Named(p.ident()?),
            };
            p.attempt(|p| p.punct(","));
            Some(FactDecl { doc, name, ty })
        });
        self.punct("}")?;
        Some(FactsDecl { doc, facts, span: self.span(start) })
    }

    fn let_decl(&mut self, doc: Doc) -> Read<LetDecl> {
        let start = self.start();
        self.kw("let")?;
        let name = self.ident()?;
        self.punct("=")?;
        let cond = self.cond(0)?;
        Some(LetDecl { doc, name, cond, span: self.span(start) })
    }

    fn regime_decl(&mut self, doc: Doc) -> Read<RegimeDecl> {
        let start = self.start();
        self.kw("regime")?;
        let name = self.name()?;
        let title = self.string()?;
        self.punct("{")?;
        let items = self.repeat(Self::regime_item);
        self.punct("}")?;
        Some(RegimeDecl { doc, name, title, items, span: self.span(start) })
    }

    fn regime_item(&mut self) -> Read<RegimeItem> {
        let doc = self.docs();
        let start = self.start();
        Some(match self.peek_word() {
            "home" => {
                self.kw("home")?;
                let value = match self.attempt(Self::value_list) {
                    Some(list) => Value::List(list),
                    None => Value::Literal(Literal::Name(self.ident()?)),
                };
                RegimeItem::Home(Home { value, span: self.span(start) })
            }
            "source" => {
                self.kw("source")?;
                let source = self.string()?;
                RegimeItem::Source(source, self.span(start))
            }
            "let" => RegimeItem::Let(self.let_decl(doc)?),
            "rule" => {
                self.kw("rule")?;
                let name = self.name()?;
                let title = self.string()?;
                let (cites, effective) = self.clauses();
                let yields = self.attempt(Self::yields_clause);
                self.kw("when")?;
                let when = self.cond(0)?;
                self.kw("then")?;
                let then = self.outcome()?;
                RegimeItem::Rule(RuleDecl {
                    doc,
                    name,
                    title,
                    cites,
                    effective,
                    yields,
                    when,
                    then,
                    span: self.span(start),
                })
            }
            "oblige" => {
                self.kw("oblige")?;
                let name = self.ident()?;
                let title = self.string()?;
                let (cites, effective) = self.clauses();
                let upon = self.attempt(|p| {
                    let start = p.start();
                    p.kw("upon")?;
                    let mechanisms = p.alternatives()?;
                    Some(Upon { mechanisms, span: p.span(start) })
                });
                self.kw("when")?;
                let when = self.cond(0)?;
                RegimeItem::Oblige(ObligeDecl {
                    doc,
                    name,
                    title,
                    cites,
                    effective,
                    upon,
                    when,
                    span: self.span(start),
                })
            }
            "default" => {
                self.kw("default")?;
                let outcome = self.outcome()?;
                RegimeItem::Default(outcome, self.span(start))
            }
            "example" => RegimeItem::Example(self.example(doc)?),
            "weigh" => RegimeItem::Weigh(self.weigh_decl(doc)?),
            _ => return None,
        })
    }

    /// `ident ~ (kw_or ~ ident)*`.
    fn alternatives(&mut self) -> Read<Vec<Ident>> {
        let mut names = vec![self.ident()?];
        self.repeat_into(&mut names, |p| {
            p.kw("or")?;
            p.ident()
        });
        Some(names)
    }

    /// Leading `cite` and `effective` clauses, in any order.
    fn clauses(&mut self) -> (Vec<CiteClause>, Vec<Range>) {
        let mut cites = Vec::new();
        let mut effective = Vec::new();
        loop {
            if let Some(cite) = self.attempt(Self::cite_clause) {
                cites.push(cite);
            } else if let Some(range) = self.attempt(Self::effective_clause) {
                effective.push(range);
            } else {
                return (cites, effective);
            }
        }
    }

    /// `kw_yields ~ kw_to ~ name ~ ("," ~ name)*`.
    fn yields_clause(&mut self) -> Read<Yields> {
        let start = self.start();
        self.kw("yields")?;
        self.kw("to")?;
        let mut rules = vec![self.name()?];
        self.repeat_into(&mut rules, |p| {
            p.punct(",")?;
            p.name()
        });
        Some(Yields { rules, span: self.span(start) })
    }

    fn cite_clause(&mut self) -> Read<CiteClause> {
        let start = self.start();
        self.kw("cite")?;
        let mut cites = vec![self.string()?];
        self.repeat_into(&mut cites, |p| {
            p.punct(",")?;
            p.string()
        });
        Some(CiteClause { cites, span: self.span(start) })
    }

    fn effective_clause(&mut self) -> Read<Range> {
        self.kw("effective")?;
        self.range()
    }

    /// `range`: `lo..hi` with either end left out; a decimal after `..` is a weight, not `hi`.
    fn range(&mut self) -> Read<Range> {
        let start = self.start();
        let lo = self.attempt(Self::bound);
        self.punct("..")?;
        let hi = self.attempt(|p| {
            p.skip();
            let digits = p.digits(p.pos);
            let decimal = digits > 0 && p.byte(p.pos + digits) == Some(b'.') && p.digits(p.pos + digits + 1) > 0;
            if decimal { None } else { p.bound() }
        });
        Some(Range { lo, hi, span: self.span(start) })
    }

    fn bound(&mut self) -> Read<Literal> {
        match self.attempt(Self::date) {
            Some(date) => Some(date),
            None => self.number(),
        }
    }

    fn outcome(&mut self) -> Read<Outcome> {
        let start = self.start();
        if self.kw("permit").is_some() {
            return Some(Outcome::Permit(self.span(start)));
        }
        if self.kw("prohibit").is_some() {
            return Some(Outcome::Prohibit(self.span(start)));
        }
        let mut groups = vec![self.require_group()?];
        self.repeat_into(&mut groups, |p| {
            p.kw("and")?;
            p.require_group()
        });
        Some(Outcome::Require(groups, self.span(start)))
    }

    /// `require a`, `require a or b …` or `require a, else b …`.
    fn require_group(&mut self) -> Read<RequireGroup> {
        let start = self.start();
        self.kw("require")?;
        let mut alternatives = vec![self.ident()?];
        let ors = self.repeat(|p| {
            p.kw("or")?;
            p.ident()
        });
        let ordered = if ors.is_empty() {
            let elses = self.repeat(|p| {
                p.punct(",")?;
                p.kw("else")?;
                p.ident()
            });
            let ordered = !elses.is_empty();
            alternatives.extend(elses);
            ordered
        } else {
            alternatives.extend(ors);
            false
        };
        Some(RequireGroup { alternatives, ordered, span: self.span(start) })
    }

    fn example(&mut self, doc: Doc) -> Read<ExampleDecl> {
        let start = self.start();
        self.kw("example")?;
        let name = self.string()?;
        self.punct("{")?;
        self.kw("given")?;
        let given_start = self.start();
        let given = self.listed(Self::field)?;
        let given_span = self.span(given_start);
        let expect_start = self.start();
        self.kw("expect")?;
        let outcome = match self.kw("out_of_scope") {
            Some(_) => None,
            None => Some(self.outcome()?),
        };
        let obligations = self.attempt(|p| {
            p.kw("with")?;
            p.value_list()
        });
        let upon = self.repeat(|p| {
            p.kw("upon")?;
            let mechanisms = p.alternatives()?;
            Some((mechanisms, p.value_list()?))
        });
        let expect = Expect { outcome, obligations, upon, span: self.span(expect_start) };
        self.punct("}")?;
        Some(ExampleDecl { doc, name, given, given_span, expect, span: self.span(start) })
    }

    fn field(&mut self) -> Read<Field> {
        let key = self.ident()?;
        self.punct(":")?;
        let value = match self.attempt(Self::value_list) {
            Some(list) => Value::List(list),
            None => Value::Literal(self.literal()?),
        };
        Some(Field { key, value })
    }

    fn accord_decl(&mut self, doc: Doc) -> Read<AccordDecl> {
        let start = self.start();
        self.kw("accord")?;
        let name = self.name()?;
        let title = self.string()?;
        self.punct("{")?;
        let (cites, effective) = self.clauses();
        let scope = self.attempt(|p| {
            p.kw("when")?;
            p.cond(0)
        });
        let accepts = self.repeat(|p| {
            let start = p.start();
            let regime = p.name()?;
            p.kw("accepts")?;
            let mechanisms = p.alternatives()?;
            p.kw("as")?;
            let as_mechanism = p.ident()?;
            Some(Accept { regime, mechanisms, as_mechanism, span: p.span(start) })
        });
        self.punct("}")?;
        Some(AccordDecl { doc, name, title, cites, effective, scope, accepts, span: self.span(start) })
    }

    fn establish_decl(&mut self, doc: Doc) -> Read<EstablishDecl> {
        let start = self.start();
        self.kw("establish")?;
        let mechanism = self.ident()?;
        let title = self.string()?;
        let cites = self.repeat(Self::cite_clause);
        self.kw("when")?;
        let when = self.cond(0)?;
        Some(EstablishDecl { doc, mechanism, title, cites, when, span: self.span(start) })
    }

    fn family_decl(&mut self, doc: Doc) -> Read<FamilyDecl> {
        let start = self.start();
        self.kw("family")?;
        let name = self.name()?;
        let title = self.string()?;
        let members = self.listed(Self::ident)?;
        Some(FamilyDecl { doc, name, title, members, span: self.span(start) })
    }

    fn strength_decl(&mut self, doc: Doc) -> Read<StrengthDecl> {
        let start = self.start();
        self.kw("strength")?;
        let name = self.name()?;
        let title = self.string()?;
        self.punct("{")?;
        let cites = self.repeat(Self::cite_clause);
        let chains = self.repeat(|p| {
            let mut sides = vec![p.names_or_list()?];
            let more = p.repeat(|p| {
                p.punct(">")?;
                p.names_or_list()
            });
            if more.is_empty() {
                return None;
            }
            sides.extend(more);
            Some(sides)
        });
        self.punct("}")?;
        Some(StrengthDecl { doc, name, title, cites, chains, span: self.span(start) })
    }

    fn weigh_decl(&mut self, doc: Doc) -> Read<WeighDecl> {
        let start = self.start();
        self.kw("weigh")?;
        let fact = self.ident()?;
        let title = self.string()?;
        self.punct("{")?;
        let cites = self.repeat(Self::cite_clause);
        let entries = self.repeat(|p| {
            let start = p.start();
            let key = if let Some(range) = p.attempt(Self::range) {
                WeightKey::Range(range)
            } else if let Some(span) = p.kw("true") {
                WeightKey::True(span)
            } else {
                WeightKey::Name(p.ident()?)
            };
            let (weight, weight_span) = p.weight()?;
            Some(WeightEntry { key, weight, weight_span, span: p.span(start) })
        });
        self.punct("}")?;
        Some(WeighDecl { doc, fact, title, cites, entries, span: self.span(start) })
    }

    /// `"{" ~ (item ~ ("," ~ item)* ~ ","?)? ~ "}"`: a braced list, a trailing comma allowed.
    fn listed<T>(&mut self, item: fn(&mut Self) -> Read<T>) -> Read<Vec<T>> {
        self.punct("{")?;
        let mut items = Vec::new();
        if let Some(first) = self.attempt(item) {
            items.push(first);
            self.repeat_into(&mut items, |p| {
                p.punct(",")?;
                item(p)
            });
            self.attempt(|p| p.punct(","));
        }
        self.punct("}")?;
        Some(items)
    }

    /// `value_list | ident`, as literals.
    fn names_or_list(&mut self) -> Read<Vec<Literal>> {
        match self.attempt(Self::value_list) {
            Some(list) => Some(list.items),
            None => Some(vec![Literal::Name(self.ident()?)]),
        }
    }

    // ── conditions ──

    /// `cond`: `or` of `conj`s. `depth` counts the brackets and `not`s around it, so that a
    /// long run of `not` cannot build a tree too deep to walk.
    fn cond(&mut self, depth: usize) -> Read<Cond> {
        self.chain("or", |p| p.conj(depth), Cond::Or)
    }

    fn conj(&mut self, depth: usize) -> Read<Cond> {
        self.chain("and", |p| p.unary(depth), Cond::And)
    }

    /// `part ~ (keyword ~ part)*`: one part as it is, more joined by `join`.
    fn chain(
        &mut self,
        keyword: &str,
        part: impl Fn(&mut Self) -> Read<Cond> + Copy,
        join: fn(Vec<Cond>, Span) -> Cond,
    ) -> Read<Cond> {
        let start = self.start();
        let next = |p: &mut Self| {
            p.kw(keyword)?;
            part(p)
        };
        let first = part(self)?;
        let Some(second) = self.attempt(next) else { return Some(first) };
        let mut parts = vec![first, second];
        self.repeat_into(&mut parts, next);
        Some(join(parts, self.span(start)))
    }

    fn unary(&mut self, depth: usize) -> Read<Cond> {
        let mut nots = Vec::new();
        while let Some(not) = self.kw("not") {
            nots.push(not);
        }
        let depth = depth + nots.len();
        // The error for the `not`s comes before any found inside what they negate.
        let errors_before = self.errors.len();
        let primary_start = self.start();
        let mut cond = self.primary(depth)?;
        let end = self.span(primary_start);
        if depth > MAX_NESTING {
            let span = match (nots.first(), nots.last()) {
                (Some(first), Some(last)) => first.to(*last),
                _ => end,
            };
            self.errors.insert(errors_before, SyntaxError::TooManyNots { span, limit: MAX_NESTING });
            nots.clear();
        }
        for not in nots.into_iter().rev() {
            cond = Cond::Not(Box::new(cond), not.to(end));
        }
        Some(cond)
    }

    fn primary(&mut self, depth: usize) -> Read<Cond> {
        self.skip();
        if self.byte(self.pos) == Some(b'(') {
            return self.attempt(|p| {
                p.punct("(")?;
                let cond = p.cond(depth + 1)?;
                p.punct(")")?;
                Some(cond)
            });
        }
        let start = self.pos;
        if self.kw("established").is_some() {
            let mechanism = self.ident()?;
            return Some(Cond::Established(mechanism, self.span(start)));
        }
        Some(Cond::Test(self.test()?))
    }

    fn test(&mut self) -> Read<Test> {
        let start = self.start();
        let lhs = self.operand()?;
        let op = match self.attempt(Self::cmp_test) {
            Some(op) => Some(op),
            None => match self.attempt(Self::in_test) {
                Some(op) => Some(op),
                None => self.attempt(Self::has_test),
            },
        };
        Some(Test { lhs, op, span: self.span(start) })
    }

    fn cmp_test(&mut self) -> Read<TestOp> {
        self.skip();
        let two = self.bytes.get(self.pos..self.pos + 2);
        let (op, len) = match (two, self.byte(self.pos)) {
            (Some(b"=="), _) => (CmpOp::Eq, 2),
            (Some(b"!="), _) => (CmpOp::Ne, 2),
            (Some(b"<="), _) => (CmpOp::Le, 2),
            (Some(b">="), _) => (CmpOp::Ge, 2),
            (_, Some(b'<')) => (CmpOp::Lt, 1),
            (_, Some(b'>')) => (CmpOp::Gt, 1),
            _ => return None,
        };
        let start = self.advance(len);
        let op_span = self.span(start);
        Some(TestOp::Cmp(op, op_span, self.operand()?))
    }

    fn in_test(&mut self) -> Read<TestOp> {
        let start = self.start();
        self.kw("in")?;
        let rhs = if let Some(range) = self.attempt(Self::range) {
            InRhs::Range(range)
        } else if let Some(list) = self.attempt(Self::value_list) {
            InRhs::List(list)
        } else {
            InRhs::Named(self.ident()?)
        };
        Some(TestOp::In(rhs, self.span(start)))
    }

    fn has_test(&mut self) -> Read<TestOp> {
        let start = self.start();
        self.kw("has")?;
        let quantified = self.attempt(|p| {
            let any = match p.kw("any") {
                Some(_) => true,
                None => {
                    p.kw("all")?;
                    false
                }
            };
            let set = match p.attempt(Self::value_list) {
                Some(list) => SetRef::List(list),
                None => SetRef::Named(p.ident()?),
            };
            Some(if any { HasRhs::Any(set) } else { HasRhs::All(set) })
        });
        let rhs = match quantified {
            Some(rhs) => rhs,
            None => HasRhs::One(self.ident()?),
        };
        Some(TestOp::Has(rhs, self.span(start)))
    }

    fn operand(&mut self) -> Read<Operand> {
        let start = self.start();
        if let Some(list) = self.attempt(Self::value_list) {
            return Some(Operand::List(list));
        }
        let arith = |p: &mut Self| {
            p.skip();
            if !matches!(p.byte(p.pos), Some(b'+' | b'-' | b'*' | b'/')) {
                return None;
            }
            p.advance(1);
            p.literal()
        };
        let first = self.literal()?;
        let Some(second) = self.attempt(arith) else { return Some(Operand::Literal(first)) };
        let mut literals = vec![first, second];
        self.repeat_into(&mut literals, arith);
        Some(Operand::Arith(literals, self.span(start)))
    }

    fn value_list(&mut self) -> Read<ValueList> {
        let start = self.start();
        let items = self.listed(Self::literal)?;
        Some(ValueList { items, span: self.span(start) })
    }

    /// `literal`: a date, a number, `true`, `false` or a name.
    fn literal(&mut self) -> Read<Literal> {
        self.skip();
        if self.byte(self.pos).is_some_and(|b| b.is_ascii_digit()) {
            return self.bound();
        }
        let start = self.pos;
        match self.peek_word() {
            "true" => {
                self.advance(4);
                Some(Literal::Bool(true, self.span(start)))
            }
            "false" => {
                self.advance(5);
                Some(Literal::Bool(false, self.span(start)))
            }
            _ => Some(Literal::Name(self.ident()?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{by_grammar, parse};
    use crate::source::FileId;

    /// Both readings of `text`, which must agree; whether it was read without errors.
    fn agree(text: &str) -> bool {
        let fast = parse(FileId(0), text).unwrap();
        assert_eq!(Ok(&fast), by_grammar(FileId(0), text).as_ref(), "{text}");
        fast.errors.is_empty()
    }

    #[test]
    fn a_part_that_fails_half_way_gives_back_what_it_read() {
        // `or` after the scope starts no condition, so it is a regime named `or`.
        assert!(agree("accord a \"t\" { when x or accepts m as n }"));
        // `cite` without a string is a regime named `cite`.
        assert!(agree("accord a \"t\" { cite accepts m as n }"));
        // A `,` after the citations that no string follows.
        assert!(!agree("regime r \"t\" { rule a \"t\" cite \"x\", when x then permit }"));
        // A cascade after alternatives is not read as part of the group.
        assert!(!agree("regime r \"t\" { rule a \"t\" when x then require a or b, else c }"));
        assert!(!agree("let a = x in 5"));
        assert!(!agree("let a = x has any"));
    }

    #[test]
    fn tokens_end_where_the_grammar_ends_them() {
        assert!(agree("let a = x // a comment at the very end"));
        assert!(agree("let a = x\n\n// a comment\n\n// and another\n"));
        assert!(agree("let a = b /// c\n d"));
        assert!(!agree("let a = b /// c\n + d"));
        assert!(agree("let a = b - 2024-01-01 + 2024-01 * 3"));
        assert!(agree("let a = x in 1_000 .. 5 and y in ..2024-01-01 or z in 7.."));
        assert!(agree("weigh x \"t\" { 1_000.. 0.5 ..10 0.25 true 1 others 0.125 }"));
        assert!(agree("use regimes/in\nuse \"a\\\"b\\\\\"\nuse transfer // x"));
        assert!(!agree("let a = 12abc"));
        assert!(!agree("let a = \"unterminated\n\""));
        assert!(agree("regime r \"é \\é \\n\" {}"));
    }

    #[test]
    fn the_reserved_words_are_the_grammars() {
        let words: Vec<&str> = super::super::KEYWORDS.to_vec();
        let others = ["ands", "iN", "weighs", "establishe", "x", "_", "cited"];
        for word in words.iter().chain(&others) {
            let reserved = words.contains(word);
            // The grammar refuses a reserved word as a name, and takes any other.
            assert_eq!(!agree(&format!("let {word} = x")), reserved, "{word}");
        }
    }

    #[test]
    fn problems_come_in_source_order() {
        let nots = "not ".repeat(70);
        assert!(!agree(&format!("let a = {nots} x in 99999999999999999999..2024-02-30")));
        assert!(!agree("let a = x in 2023-02-29..99999999999999999999"));
        assert!(agree("/// one\n///two\n////not a doc\nenum E { /// a\n a \"A\" implies {b}, b }"));
        assert!(!agree("/// a doc with nothing to document"));
        assert!(!agree("   // nothing but a comment"));
    }
}
