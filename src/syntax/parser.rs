//! The grammar's own reading, through pest: pest's errors rewritten into words a policy author
//! reads, and the tree built from pest's pairs by one small function per grammar rule (the
//! reference the hand-written reader in `descent` is checked against).
//!
//! A mismatch between the grammar and these functions is our bug, reported as an
//! [`InternalError`]; everything the user wrote wrong is a [`SyntaxError`].

use super::Parsed;
use super::ast::*;
use super::error::SyntaxError;
use super::scan::{self, MAX_NESTING};
use crate::InternalError;
use crate::source::{FileId, Span};
use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::set_error_detail;
use std::iter::Peekable;

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/accord.pest"]
    pub(super) struct AccordParser;
}
use grammar::{AccordParser, Rule};

type P<'i> = Pair<'i, Rule>;
type Built<T> = Result<T, InternalError>;

/// Reads one file's text by building the tree from pest's pairs: the direct reading of the
/// grammar, kept as the reference that [`super::parse`] (the hand-written reading) is checked
/// against. It gives the same [`Parsed`], only slower.
pub fn by_grammar(file: FileId, text: &str) -> Result<Parsed, InternalError> {
    if let Some(parsed) = super::too_deep(file, text) {
        return Ok(parsed);
    }
    let pairs = match AccordParser::parse(Rule::file, text) {
        Ok(pairs) => pairs,
        Err(_) => return Ok(Parsed { module: Module::default(), errors: vec![failure(file, text)?] }),
    };
    let mut builder = Builder { file, errors: Vec::new() };
    let mut module = Module::default();
    // Items are the `file` pair's direct children: no need to walk every token to find them.
    for file_pair in pairs {
        for pair in file_pair.into_inner().filter(|p| p.as_rule() == Rule::item) {
            module.items.push(builder.item(pair)?);
        }
    }
    Ok(super::finish(file, text, module, builder.errors))
}

/// The error in a file that does not follow the grammar, in words. pest reads it with its
/// detailed tracking, which names the literal tokens it expected; that costs time, so only a
/// failing file pays it. A file pest accepts is a bug in whoever said it fails.
pub(super) fn failure(file: FileId, text: &str) -> Result<SyntaxError, InternalError> {
    // pest's switch is one flag for the whole process, read as a parse begins: without the
    // lock, a thread done with its error could switch it off as another's parse begins, which
    // would then name fewer expected tokens.
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = DETAIL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    set_error_detail(true);
    let detailed = AccordParser::parse(Rule::file, text);
    set_error_detail(false);
    drop(guard);
    match detailed {
        Err(error) => Ok(grammar_error(file, text, &error)),
        Ok(_) => Err(InternalError("a file the grammar accepts was read as failing".into())),
    }
}

// ── pest errors in words ─────────────────────────────────────────────────────────────────────

fn grammar_error(file: FileId, text: &str, error: &pest::error::Error<Rule>) -> SyntaxError {
    let rule_offset = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // pest reports where the failing rule began; its attempt tracking knows how far the parse
    // got and which literal tokens would have continued it. Prefer the furthest point when
    // real structure (punctuation, keywords) was expected there, not just the inside of a
    // keyword's look-ahead.
    let attempts = error.parse_attempts();
    let structural: Vec<String> = attempts
        .as_ref()
        .map(|a| a.expected_tokens().iter().map(ToString::to_string).filter(|t| is_structural(t)).collect())
        .unwrap_or_default();
    let furthest = attempts.as_ref().map_or(rule_offset, |a| a.max_position);
    let (offset, mut expected) = if furthest > rule_offset && !structural.is_empty() {
        (furthest, token_words(&structural))
    } else {
        let mut words: Vec<String> = Vec::new();
        if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
            words.extend(positives.iter().filter_map(|r| describe(*r)).map(str::to_owned));
        }
        // Keywords here are named by the rules above; add only the punctuation.
        if furthest == rule_offset {
            words
                .extend(structural.iter().filter(|t| !super::KEYWORDS.contains(&t.as_str())).map(|t| format!("`{t}`")));
        }
        (rule_offset, words)
    };
    let (before, at) = scan::around(text, offset);
    let word = |t: scan::Token| text.get(t.start..t.end).unwrap_or("").to_owned();
    let found = at.map(word);
    let after = before.map(word);
    let span = match at {
        Some(t) => Span::new(file, t.start, t.end),
        None => Span::new(file, text.len(), text.len()),
    };
    if let Some(found) = &found {
        if found.starts_with('"') && (found.len() < 2 || !found.ends_with('"') || found.ends_with("\\\"")) {
            return SyntaxError::UnterminatedString { span };
        }
        if found.starts_with("///") {
            return SyntaxError::MisplacedDoc { span };
        }
    }
    // A doc comment followed by something it cannot document (a `}`, the end of the file).
    if let Some(doc) = before.filter(|t| text.get(t.start..t.end).is_some_and(|w| w.starts_with("///"))) {
        return SyntaxError::MisplacedDoc { span: Span::new(file, doc.start, doc.end) };
    }
    if matches!(after.as_deref(), Some("require" | "or" | "accepts" | "as")) {
        for e in &mut expected {
            if e == "a name" {
                *e = "a mechanism".to_owned();
            }
        }
    }
    // "`{`" says less than "a list (`{a, b}`)", and "`(`" less than "a condition".
    if expected.iter().any(|e| e.starts_with("a list")) {
        expected.retain(|e| e != "`{`");
    }
    if expected.iter().any(|e| e == "a condition") {
        expected.retain(|e| e != "`(`" && e != "`{`");
    }
    // Tokens (`` `then` ``) first, then kinds of thing ("a condition"), the end of the file last.
    let rank = |e: &String| (e.as_str() == describe(Rule::EOI).unwrap_or_default(), !e.starts_with('`'));
    expected.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    expected.dedup();
    if expected.is_empty() {
        expected.push(describe(Rule::item).unwrap_or_default().to_owned());
    }
    SyntaxError::Unexpected { span, expected, after, found }
}

/// Literal tokens worth naming in an error: punctuation that structures a file, and keywords.
fn is_structural(token: &str) -> bool {
    matches!(token, "{" | "}" | "(" | ")" | ":" | "=" | "," | "..") || super::KEYWORDS.contains(&token)
}

/// Expected literal tokens in words; the keywords that start every declaration (or every
/// regime item) are named as a group.
fn token_words(tokens: &[String]) -> Vec<String> {
    const DECLARATIONS: &[&str] = &["use", "enum", "set", "facts", "let", "regime", "accord"];
    const REGIME_ITEMS: &[&str] = &["home", "source", "let", "rule", "oblige", "default", "example", "weigh"];
    let has_all = |group: &[&str]| group.iter().all(|k| tokens.iter().any(|t| t == k));
    let mut words = Vec::new();
    let mut grouped: Vec<&str> = Vec::new();
    if has_all(DECLARATIONS) {
        words.push(describe(Rule::item).unwrap_or_default().to_owned());
        grouped.extend(DECLARATIONS);
    }
    if has_all(REGIME_ITEMS) {
        words.push(describe(Rule::regime_item).unwrap_or_default().to_owned());
        grouped.extend(REGIME_ITEMS);
    }
    words.extend(tokens.iter().filter(|t| !grouped.contains(&t.as_str())).map(|t| format!("`{t}`")));
    words
}

/// The words for a grammar rule in "expected …"; `None` for rules never worth naming.
/// What may start a top-level declaration.
const DECLARATION: &str = "a declaration (`use`, `enum`, `set`, `facts`, `let`, `regime`, `accord`, `establish`, `family`, `strength` or `weigh`)";

fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::file => DECLARATION,
        Rule::item => DECLARATION,
        Rule::regime_item => {
            "a regime item (`home`, `source`, `let`, `rule`, `oblige`, `default`, `example` or `weigh`)"
        }
        Rule::ident | Rule::name => "a name",
        Rule::module_path => "a module (`transfer`, `regimes/eu` or a quoted file path)",
        Rule::string => "a quoted string",
        Rule::number => "a number",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::cond | Rule::conj | Rule::unary | Rule::primary | Rule::test => "a condition",
        Rule::operand | Rule::literal | Rule::value => "a value",
        Rule::cmp_test | Rule::cmp_op => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_test => "`in`",
        Rule::has_test => "`has`",
        Rule::range => "a range (`lo..hi`)",
        Rule::bound => "a number or a date",
        Rule::value_list => "a list (`{a, b}`)",
        Rule::outcome => "an outcome (`permit`, `prohibit` or `require …`)",
        Rule::require_group => "`require`",
        Rule::enum_member => "an enum member",
        Rule::set_member => "a set member",
        Rule::fact_entry => "a fact (`name: type`)",
        Rule::type_expr | Rule::set_type => "a type (`bool`, `count`, `date`, an enum or `set<Enum>`)",
        Rule::field => "a fact (`name: value`)",
        Rule::scenario => "a scenario (`{ fact: value, … }`)",
        Rule::given_clause => "`given`",
        Rule::expect_clause => "`expect`",
        Rule::when_clause => "`when`",
        Rule::then_clause => "`then`",
        Rule::cite_clause => "`cite`",
        Rule::effective_clause => "`effective`",
        Rule::accept_clause => "a recognition (`regime accepts mechanism as mechanism`)",
        Rule::use_decl => "`use`",
        Rule::enum_decl => "`enum`",
        Rule::set_decl => "`set`",
        Rule::facts_decl => "`facts`",
        Rule::let_decl => "`let`",
        Rule::regime_decl => "`regime`",
        Rule::accord_decl => "`accord`",
        Rule::establish_decl => "`establish`",
        Rule::family_decl => "`family`",
        Rule::strength_decl => "`strength`",
        Rule::implies_clause => "`implies`",
        Rule::strength_chain => "a strength order (`a > b`)",
        Rule::strength_side => "a mechanism, a family or a list",
        Rule::kw_implies => "`implies`",
        Rule::kw_establish => "`establish`",
        Rule::kw_established => "`established`",
        Rule::established_test => "`established`",
        Rule::kw_family => "`family`",
        Rule::kw_strength => "`strength`",
        Rule::weigh_decl | Rule::kw_weigh => "`weigh`",
        Rule::weight_entry => "a weight (`member 0.25`, `others 0.1`, `true 0.5` or `lo..hi 0.25`)",
        Rule::weight => "a weight (a decimal number such as `0.25`)",
        Rule::home_item => "`home`",
        Rule::source_item => "`source`",
        Rule::rule_decl => "`rule`",
        Rule::oblige_decl => "`oblige`",
        Rule::default_item => "`default`",
        Rule::example_decl => "`example`",
        Rule::kw_regime => "`regime`",
        Rule::kw_home => "`home`",
        Rule::kw_source => "`source`",
        Rule::kw_let => "`let`",
        Rule::kw_rule => "`rule`",
        Rule::kw_oblige => "`oblige`",
        Rule::kw_cite => "`cite`",
        Rule::kw_effective => "`effective`",
        Rule::kw_when => "`when`",
        Rule::kw_then => "`then`",
        Rule::kw_default => "`default`",
        Rule::kw_example => "`example`",
        Rule::kw_given => "`given`",
        Rule::kw_expect => "`expect`",
        Rule::kw_use => "`use`",
        Rule::kw_enum => "`enum`",
        Rule::kw_set => "`set`",
        Rule::kw_facts => "`facts`",
        Rule::kw_accord => "`accord`",
        Rule::kw_accepts => "`accepts`",
        Rule::kw_as => "`as`",
        Rule::kw_with => "`with`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_else => "`else`",
        Rule::kw_upon | Rule::upon_clause | Rule::expect_upon => "`upon`",
        Rule::kw_yields | Rule::yields_clause => "`yields to`",
        Rule::kw_to => "`to`",
        Rule::kw_not => "`not`",
        Rule::kw_in => "`in`",
        Rule::kw_has => "`has`",
        Rule::kw_any => "`any`",
        Rule::kw_all => "`all`",
        Rule::kw_permit => "`permit`",
        Rule::kw_prohibit => "`prohibit`",
        Rule::kw_require => "`require`",
        Rule::kw_true => "`true`",
        Rule::kw_false => "`false`",
        Rule::kw_out_of_scope => "`out_of_scope`",
        Rule::arith_op | Rule::doc | Rule::doc_text | Rule::keyword | Rule::string_text => return None,
        Rule::WHITESPACE | Rule::COMMENT | Rule::doc_start | Rule::ident_char | Rule::string_char => return None,
        Rule::decimal_ahead => return None,
    })
}

// ── building the tree ────────────────────────────────────────────────────────────────────────

/// The children of one pair, taken in order by the shape the grammar promises.
struct Kids<'i> {
    pairs: Peekable<Pairs<'i, Rule>>,
    parent: Rule,
}

impl<'i> Kids<'i> {
    fn of(pair: P<'i>) -> Self {
        let parent = pair.as_rule();
        Kids { pairs: pair.into_inner().peekable(), parent }
    }

    fn peek(&mut self) -> Option<Rule> {
        self.pairs.peek().map(Pair::as_rule)
    }

    fn next(&mut self) -> Built<P<'i>> {
        self.pairs.next().ok_or_else(|| InternalError(format!("`{:?}` ended early", self.parent)))
    }

    fn take(&mut self, rule: Rule) -> Built<P<'i>> {
        let pair = self.next()?;
        if pair.as_rule() == rule {
            Ok(pair)
        } else {
            Err(InternalError(format!("`{:?}` held `{:?}` where `{rule:?}` belongs", self.parent, pair.as_rule())))
        }
    }

    fn maybe(&mut self, rule: Rule) -> Option<P<'i>> {
        if self.peek() == Some(rule) { self.pairs.next() } else { None }
    }

    fn docs(&mut self) -> Doc {
        let mut doc = Vec::new();
        while let Some(pair) = self.maybe(Rule::doc) {
            doc.push(super::doc_line(pair.as_str()));
        }
        doc
    }
}

fn unexpected(pair: &P<'_>, context: &str) -> InternalError {
    InternalError(format!("`{:?}` where {context} belongs", pair.as_rule()))
}

struct Builder {
    file: FileId,
    errors: Vec<SyntaxError>,
}

impl Builder {
    /// A pair's span without the white space and comments after its last token, which pest
    /// keeps in a rule whose optional last part did not match. They are cut a line at a time:
    /// a line may end in a comment, or hold nothing else.
    fn span(&self, pair: &P<'_>) -> Span {
        let start = pair.as_span().start();
        let mut text = pair.as_str();
        loop {
            let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n']);
            let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
            let last_line = trimmed.get(line_start..).unwrap_or("");
            if !last_line.contains("//") {
                return Span::new(self.file, start, start + trimmed.len());
            }
            match scan::tokens(last_line).last() {
                Some(token) => return Span::new(self.file, start, start + line_start + token.end),
                None => text = trimmed.get(..line_start).unwrap_or(""),
            }
        }
    }

    fn ident(&self, pair: P<'_>) -> Ident {
        Ident { name: pair.as_str().to_owned(), span: self.span(&pair) }
    }

    fn string(&self, pair: P<'_>) -> StrLit {
        let raw = pair.as_str();
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        StrLit { value: super::unescape(inner), span: self.span(&pair) }
    }

    fn item(&mut self, pair: P<'_>) -> Built<Item> {
        let mut kids = Kids::of(pair);
        let doc = kids.docs();
        let decl = kids.next()?;
        Ok(match decl.as_rule() {
            Rule::use_decl => Item::Use(self.use_decl(decl)?),
            Rule::enum_decl => Item::Enum(self.enum_decl(decl, doc)?),
            Rule::set_decl => Item::Set(self.set_decl(decl, doc)?),
            Rule::facts_decl => Item::Facts(self.facts_decl(decl, doc)?),
            Rule::let_decl => Item::Let(self.let_decl(decl, doc)?),
            Rule::regime_decl => Item::Regime(self.regime_decl(decl, doc)?),
            Rule::accord_decl => Item::Accord(self.accord_decl(decl, doc)?),
            Rule::establish_decl => Item::Establish(self.establish_decl(decl, doc)?),
            Rule::family_decl => Item::Family(self.family_decl(decl, doc)?),
            Rule::strength_decl => Item::Strength(self.strength_decl(decl, doc)?),
            Rule::weigh_decl => Item::Weigh(self.weigh_decl(decl, doc)?),
            _ => return Err(unexpected(&decl, "a declaration")),
        })
    }

    fn use_decl(&mut self, pair: P<'_>) -> Built<Use> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_use)?;
        let target = kids.next()?;
        let target = match target.as_rule() {
            Rule::string => UseTarget::Path(self.string(target)),
            Rule::module_path => UseTarget::Stdlib(self.ident(target)),
            _ => return Err(unexpected(&target, "a module")),
        };
        Ok(Use { target, span })
    }

    fn enum_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<EnumDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_enum)?;
        let name = self.ident(kids.take(Rule::ident)?);
        let mut members = Vec::new();
        while let Some(member) = kids.maybe(Rule::enum_member) {
            let mut kids = Kids::of(member);
            let doc = kids.docs();
            let name = self.ident(kids.take(Rule::ident)?);
            let description = kids.maybe(Rule::string).map(|s| self.string(s));
            let implies = match kids.maybe(Rule::implies_clause) {
                Some(clause) => {
                    let mut kids = Kids::of(clause);
                    kids.take(Rule::kw_implies)?;
                    self.names_or_list(kids.next()?)?
                }
                None => Vec::new(),
            };
            members.push(EnumMember { doc, name, description, implies });
        }
        Ok(EnumDecl { doc, name, members, span })
    }

    fn set_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<SetDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_set)?;
        let name = self.ident(kids.take(Rule::ident)?);
        let element = self.ident(kids.take(Rule::ident)?);
        let mut members = Vec::new();
        while let Some(member) = kids.maybe(Rule::set_member) {
            let mut kids = Kids::of(member);
            let doc = kids.docs();
            let name = self.ident(kids.take(Rule::ident)?);
            let effective = match kids.maybe(Rule::effective_clause) {
                Some(clause) => Some(self.effective_clause(clause)?),
                None => None,
            };
            members.push(SetMember { doc, name, effective });
        }
        Ok(SetDecl { doc, name, element, members, span })
    }

    fn facts_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<FactsDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_facts)?;
        let mut facts = Vec::new();
        while let Some(entry) = kids.maybe(Rule::fact_entry) {
            let mut kids = Kids::of(entry);
            let doc = kids.docs();
            let name = self.ident(kids.take(Rule::ident)?);
            let ty = kids.take(Rule::type_expr)?;
            let ty_span = self.span(&ty);
            let inner = Kids::of(ty).next()?;
            let ty = match inner.as_rule() {
                Rule::ident => TypeExpr::Named(self.ident(inner)),
                Rule::set_type => {
                    let mut kids = Kids::of(inner);
                    kids.take(Rule::kw_set)?;
                    TypeExpr::Set { element: self.ident(kids.take(Rule::ident)?), span: ty_span }
                }
                _ => return Err(unexpected(&inner, "a type")),
            };
            facts.push(FactDecl { doc, name, ty });
        }
        Ok(FactsDecl { doc, facts, span })
    }

    fn let_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<LetDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_let)?;
        let name = self.ident(kids.take(Rule::ident)?);
        let cond = self.cond(kids.take(Rule::cond)?, 0)?;
        Ok(LetDecl { doc, name, cond, span })
    }

    fn regime_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<RegimeDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_regime)?;
        let name = self.ident(kids.take(Rule::name)?);
        let title = self.string(kids.take(Rule::string)?);
        let mut items = Vec::new();
        while let Some(item) = kids.maybe(Rule::regime_item) {
            items.push(self.regime_item(item)?);
        }
        Ok(RegimeDecl { doc, name, title, items, span })
    }

    fn regime_item(&mut self, pair: P<'_>) -> Built<RegimeItem> {
        let mut kids = Kids::of(pair);
        let doc = kids.docs();
        let item = kids.next()?;
        let span = self.span(&item);
        Ok(match item.as_rule() {
            Rule::home_item => {
                let mut kids = Kids::of(item);
                kids.take(Rule::kw_home)?;
                let value = kids.next()?;
                let value = match value.as_rule() {
                    Rule::value_list => Value::List(self.value_list(value)?),
                    Rule::ident => Value::Literal(Literal::Name(self.ident(value))),
                    _ => return Err(unexpected(&value, "a home")),
                };
                RegimeItem::Home(Home { value, span })
            }
            Rule::source_item => {
                let mut kids = Kids::of(item);
                kids.take(Rule::kw_source)?;
                RegimeItem::Source(self.string(kids.take(Rule::string)?), span)
            }
            Rule::let_decl => RegimeItem::Let(self.let_decl(item, doc)?),
            Rule::rule_decl => {
                let mut kids = Kids::of(item);
                kids.take(Rule::kw_rule)?;
                let name = self.ident(kids.take(Rule::name)?);
                let title = self.string(kids.take(Rule::string)?);
                let (cites, effective) = self.clauses(&mut kids)?;
                let yields = match kids.maybe(Rule::yields_clause) {
                    Some(clause) => Some(self.yields_clause(clause)?),
                    None => None,
                };
                let when = self.when_clause(kids.take(Rule::when_clause)?)?;
                let mut then_kids = Kids::of(kids.take(Rule::then_clause)?);
                then_kids.take(Rule::kw_then)?;
                let then = self.outcome(then_kids.take(Rule::outcome)?)?;
                RegimeItem::Rule(RuleDecl { doc, name, title, cites, effective, yields, when, then, span })
            }
            Rule::oblige_decl => {
                let mut kids = Kids::of(item);
                kids.take(Rule::kw_oblige)?;
                let name = self.ident(kids.take(Rule::ident)?);
                let title = self.string(kids.take(Rule::string)?);
                let (cites, effective) = self.clauses(&mut kids)?;
                let upon = match kids.maybe(Rule::upon_clause) {
                    Some(clause) => Some(self.upon_clause(clause)?),
                    None => None,
                };
                let when = self.when_clause(kids.take(Rule::when_clause)?)?;
                RegimeItem::Oblige(ObligeDecl { doc, name, title, cites, effective, upon, when, span })
            }
            Rule::default_item => {
                let mut kids = Kids::of(item);
                kids.take(Rule::kw_default)?;
                RegimeItem::Default(self.outcome(kids.take(Rule::outcome)?)?, span)
            }
            Rule::example_decl => RegimeItem::Example(self.example(item, doc)?),
            Rule::weigh_decl => RegimeItem::Weigh(self.weigh_decl(item, doc)?),
            _ => return Err(unexpected(&item, "a regime item")),
        })
    }

    /// Leading `cite` and `effective` clauses, in any order.
    fn clauses(&mut self, kids: &mut Kids<'_>) -> Built<(Vec<CiteClause>, Vec<Range>)> {
        let mut cites = Vec::new();
        let mut effective = Vec::new();
        loop {
            if let Some(clause) = kids.maybe(Rule::cite_clause) {
                let span = self.span(&clause);
                let mut kids = Kids::of(clause);
                kids.take(Rule::kw_cite)?;
                let mut list = Vec::new();
                while let Some(s) = kids.maybe(Rule::string) {
                    list.push(self.string(s));
                }
                cites.push(CiteClause { cites: list, span });
            } else if let Some(clause) = kids.maybe(Rule::effective_clause) {
                effective.push(self.effective_clause(clause)?);
            } else {
                return Ok((cites, effective));
            }
        }
    }

    fn effective_clause(&mut self, pair: P<'_>) -> Built<Range> {
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_effective)?;
        self.range(kids.take(Rule::range)?)
    }

    fn range(&mut self, pair: P<'_>) -> Built<Range> {
        let span = self.span(&pair);
        let dots = pair.as_span().start() + pair.as_str().find("..").unwrap_or(0);
        let (mut lo, mut hi) = (None, None);
        for bound in pair.into_inner() {
            let before_dots = bound.as_span().end() <= dots;
            let literal = self.literal(Kids::of(bound).next()?)?;
            if before_dots {
                lo = Some(literal);
            } else {
                hi = Some(literal);
            }
        }
        Ok(Range { lo, hi, span })
    }

    fn when_clause(&mut self, pair: P<'_>) -> Built<Cond> {
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_when)?;
        self.cond(kids.take(Rule::cond)?, 0)
    }

    fn outcome(&mut self, pair: P<'_>) -> Built<Outcome> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        let first = kids.next()?;
        Ok(match first.as_rule() {
            Rule::kw_permit => Outcome::Permit(span),
            Rule::kw_prohibit => Outcome::Prohibit(span),
            Rule::require_group => {
                let mut groups = vec![self.require_group(first)?];
                while kids.maybe(Rule::kw_and).is_some() {
                    groups.push(self.require_group(kids.take(Rule::require_group)?)?);
                }
                Outcome::Require(groups, span)
            }
            _ => return Err(unexpected(&first, "an outcome")),
        })
    }

    fn require_group(&mut self, pair: P<'_>) -> Built<RequireGroup> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_require)?;
        let mut alternatives = vec![self.ident(kids.take(Rule::ident)?)];
        let mut ordered = false;
        loop {
            if kids.maybe(Rule::kw_else).is_some() {
                ordered = true;
            } else if kids.maybe(Rule::kw_or).is_none() {
                break;
            }
            alternatives.push(self.ident(kids.take(Rule::ident)?));
        }
        Ok(RequireGroup { alternatives, ordered, span })
    }

    fn yields_clause(&mut self, pair: P<'_>) -> Built<Yields> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_yields)?;
        kids.take(Rule::kw_to)?;
        let mut rules = Vec::new();
        while let Some(name) = kids.maybe(Rule::name) {
            rules.push(self.ident(name));
        }
        Ok(Yields { rules, span })
    }

    fn upon_clause(&mut self, pair: P<'_>) -> Built<Upon> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_upon)?;
        let mut mechanisms = vec![self.ident(kids.take(Rule::ident)?)];
        while kids.maybe(Rule::kw_or).is_some() {
            mechanisms.push(self.ident(kids.take(Rule::ident)?));
        }
        Ok(Upon { mechanisms, span })
    }

    fn example(&mut self, pair: P<'_>, doc: Doc) -> Built<ExampleDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_example)?;
        let name = self.string(kids.take(Rule::string)?);
        let mut given_kids = Kids::of(kids.take(Rule::given_clause)?);
        given_kids.take(Rule::kw_given)?;
        let scenario = given_kids.take(Rule::scenario)?;
        let given_span = self.span(&scenario);
        let mut given = Vec::new();
        for field in scenario.into_inner() {
            let mut kids = Kids::of(field);
            let key = self.ident(kids.take(Rule::ident)?);
            let value = self.value(kids.take(Rule::value)?)?;
            given.push(Field { key, value });
        }
        let expect_pair = kids.take(Rule::expect_clause)?;
        let expect_span = self.span(&expect_pair);
        let mut kids = Kids::of(expect_pair);
        kids.take(Rule::kw_expect)?;
        let outcome = match kids.maybe(Rule::kw_out_of_scope) {
            Some(_) => None,
            None => Some(self.outcome(kids.take(Rule::outcome)?)?),
        };
        let obligations = match kids.maybe(Rule::kw_with) {
            Some(_) => Some(self.value_list(kids.take(Rule::value_list)?)?),
            None => None,
        };
        let mut upon = Vec::new();
        while let Some(clause) = kids.maybe(Rule::expect_upon) {
            let mut kids = Kids::of(clause);
            kids.take(Rule::kw_upon)?;
            let mut mechanisms = vec![self.ident(kids.take(Rule::ident)?)];
            while kids.maybe(Rule::kw_or).is_some() {
                mechanisms.push(self.ident(kids.take(Rule::ident)?));
            }
            upon.push((mechanisms, self.value_list(kids.take(Rule::value_list)?)?));
        }
        Ok(ExampleDecl {
            doc,
            name,
            given,
            given_span,
            expect: Expect { outcome, obligations, upon, span: expect_span },
            span,
        })
    }

    fn accord_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<AccordDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_accord)?;
        let name = self.ident(kids.take(Rule::name)?);
        let title = self.string(kids.take(Rule::string)?);
        let (cites, effective) = self.clauses(&mut kids)?;
        let scope = match kids.maybe(Rule::when_clause) {
            Some(when) => Some(self.when_clause(when)?),
            None => None,
        };
        let mut accepts = Vec::new();
        while let Some(clause) = kids.maybe(Rule::accept_clause) {
            let span = self.span(&clause);
            let mut kids = Kids::of(clause);
            let regime = self.ident(kids.take(Rule::name)?);
            kids.take(Rule::kw_accepts)?;
            let mut mechanisms = vec![self.ident(kids.take(Rule::ident)?)];
            while kids.maybe(Rule::kw_or).is_some() {
                mechanisms.push(self.ident(kids.take(Rule::ident)?));
            }
            kids.take(Rule::kw_as)?;
            let as_mechanism = self.ident(kids.take(Rule::ident)?);
            accepts.push(Accept { regime, mechanisms, as_mechanism, span });
        }
        Ok(AccordDecl { doc, name, title, cites, effective, scope, accepts, span })
    }

    fn establish_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<EstablishDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_establish)?;
        let mechanism = self.ident(kids.take(Rule::ident)?);
        let title = self.string(kids.take(Rule::string)?);
        let (cites, _) = self.clauses(&mut kids)?;
        let when = self.when_clause(kids.take(Rule::when_clause)?)?;
        Ok(EstablishDecl { doc, mechanism, title, cites, when, span })
    }

    fn family_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<FamilyDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_family)?;
        let name = self.ident(kids.take(Rule::name)?);
        let title = self.string(kids.take(Rule::string)?);
        let mut members = Vec::new();
        while let Some(member) = kids.maybe(Rule::ident) {
            members.push(self.ident(member));
        }
        Ok(FamilyDecl { doc, name, title, members, span })
    }

    fn strength_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<StrengthDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_strength)?;
        let name = self.ident(kids.take(Rule::name)?);
        let title = self.string(kids.take(Rule::string)?);
        let (cites, _) = self.clauses(&mut kids)?;
        let mut chains = Vec::new();
        while let Some(chain) = kids.maybe(Rule::strength_chain) {
            let mut sides = Vec::new();
            for side in chain.into_inner() {
                let inner = Kids::of(side).next()?;
                sides.push(self.names_or_list(inner)?);
            }
            chains.push(sides);
        }
        Ok(StrengthDecl { doc, name, title, cites, chains, span })
    }

    fn weigh_decl(&mut self, pair: P<'_>, doc: Doc) -> Built<WeighDecl> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        kids.take(Rule::kw_weigh)?;
        let fact = self.ident(kids.take(Rule::ident)?);
        let title = self.string(kids.take(Rule::string)?);
        let (cites, _) = self.clauses(&mut kids)?;
        let mut entries = Vec::new();
        while let Some(entry) = kids.maybe(Rule::weight_entry) {
            let span = self.span(&entry);
            let mut parts = Kids::of(entry);
            let key = parts.next()?;
            let key = match key.as_rule() {
                Rule::range => WeightKey::Range(self.range(key)?),
                Rule::kw_true => WeightKey::True(self.span(&key)),
                Rule::ident => WeightKey::Name(self.ident(key)),
                _ => return Err(unexpected(&key, "a member, `true` or a range")),
            };
            let weight = parts.take(Rule::weight)?;
            let weight_span = self.span(&weight);
            entries.push(WeightEntry { key, weight: weight.as_str().to_owned(), weight_span, span });
        }
        Ok(WeighDecl { doc, fact, title, cites, entries, span })
    }

    /// A bare name or a `{…}` list, as literals.
    fn names_or_list(&mut self, pair: P<'_>) -> Built<Vec<Literal>> {
        Ok(match pair.as_rule() {
            Rule::value_list => self.value_list(pair)?.items,
            Rule::ident => vec![Literal::Name(self.ident(pair))],
            _ => return Err(unexpected(&pair, "a name or a list")),
        })
    }

    // ── conditions ──

    /// `depth` counts the brackets and `not`s around this condition, so that a long run of
    /// `not` cannot build a tree too deep to walk.
    fn cond(&mut self, pair: P<'_>, depth: usize) -> Built<Cond> {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for conj in pair.into_inner().filter(|p| p.as_rule() == Rule::conj) {
            parts.push(self.conj(conj, depth)?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Cond::Or(parts, span) })
    }

    fn conj(&mut self, pair: P<'_>, depth: usize) -> Built<Cond> {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for unary in pair.into_inner().filter(|p| p.as_rule() == Rule::unary) {
            parts.push(self.unary(unary, depth)?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Cond::And(parts, span) })
    }

    fn unary(&mut self, pair: P<'_>, depth: usize) -> Built<Cond> {
        let mut nots = Vec::new();
        let mut primary = None;
        for kid in pair.into_inner() {
            match kid.as_rule() {
                Rule::kw_not => nots.push(self.span(&kid)),
                Rule::primary => primary = Some(kid),
                _ => return Err(unexpected(&kid, "`not` or a condition")),
            }
        }
        let primary = primary.ok_or_else(|| InternalError("`not` without a condition".into()))?;
        let depth = depth + nots.len();
        if depth > MAX_NESTING {
            let span = match (nots.first(), nots.last()) {
                (Some(first), Some(last)) => first.to(*last),
                _ => self.span(&primary),
            };
            self.errors.push(SyntaxError::TooManyNots { span, limit: MAX_NESTING });
            nots.clear();
        }
        let end = self.span(&primary);
        let mut cond = self.primary(primary, depth)?;
        for not in nots.into_iter().rev() {
            cond = Cond::Not(Box::new(cond), not.to(end));
        }
        Ok(cond)
    }

    fn primary(&mut self, pair: P<'_>, depth: usize) -> Built<Cond> {
        let inner = Kids::of(pair).next()?;
        match inner.as_rule() {
            Rule::cond => self.cond(inner, depth + 1),
            Rule::test => Ok(Cond::Test(self.test(inner)?)),
            Rule::established_test => {
                let span = self.span(&inner);
                let mut kids = Kids::of(inner);
                kids.take(Rule::kw_established)?;
                Ok(Cond::Established(self.ident(kids.take(Rule::ident)?), span))
            }
            _ => Err(unexpected(&inner, "a condition")),
        }
    }

    fn test(&mut self, pair: P<'_>) -> Built<Test> {
        let span = self.span(&pair);
        let mut kids = Kids::of(pair);
        let lhs = self.operand(kids.take(Rule::operand)?)?;
        let op = match kids.pairs.next() {
            None => None,
            Some(tail) => {
                let tail_span = self.span(&tail);
                let rule = tail.as_rule();
                let mut kids = Kids::of(tail);
                Some(match rule {
                    Rule::cmp_test => {
                        let op_pair = kids.take(Rule::cmp_op)?;
                        let op_span = self.span(&op_pair);
                        let op = match op_pair.as_str() {
                            "==" => CmpOp::Eq,
                            "!=" => CmpOp::Ne,
                            "<" => CmpOp::Lt,
                            "<=" => CmpOp::Le,
                            ">" => CmpOp::Gt,
                            ">=" => CmpOp::Ge,
                            _ => return Err(unexpected(&op_pair, "a comparison")),
                        };
                        TestOp::Cmp(op, op_span, self.operand(kids.take(Rule::operand)?)?)
                    }
                    Rule::in_test => {
                        kids.take(Rule::kw_in)?;
                        let rhs = kids.next()?;
                        let rhs = match rhs.as_rule() {
                            Rule::range => InRhs::Range(self.range(rhs)?),
                            Rule::value_list => InRhs::List(self.value_list(rhs)?),
                            Rule::ident => InRhs::Named(self.ident(rhs)),
                            _ => return Err(unexpected(&rhs, "what follows `in`")),
                        };
                        TestOp::In(rhs, tail_span)
                    }
                    Rule::has_test => {
                        kids.take(Rule::kw_has)?;
                        let first = kids.next()?;
                        let rhs = match first.as_rule() {
                            Rule::ident => HasRhs::One(self.ident(first)),
                            Rule::kw_any | Rule::kw_all => {
                                let target = kids.next()?;
                                let set = match target.as_rule() {
                                    Rule::value_list => SetRef::List(self.value_list(target)?),
                                    Rule::ident => SetRef::Named(self.ident(target)),
                                    _ => return Err(unexpected(&target, "a set")),
                                };
                                if first.as_rule() == Rule::kw_any { HasRhs::Any(set) } else { HasRhs::All(set) }
                            }
                            _ => return Err(unexpected(&first, "what follows `has`")),
                        };
                        TestOp::Has(rhs, tail_span)
                    }
                    _ => return Err(InternalError(format!("`{rule:?}` in a test"))),
                })
            }
        };
        Ok(Test { lhs, op, span })
    }

    fn operand(&mut self, pair: P<'_>) -> Built<Operand> {
        let span = self.span(&pair);
        if let Some(list) = pair.clone().into_inner().find(|p| p.as_rule() == Rule::value_list) {
            return Ok(Operand::List(self.value_list(list)?));
        }
        let mut literals = Vec::new();
        for kid in pair.into_inner().filter(|p| p.as_rule() == Rule::literal) {
            literals.push(self.literal(Kids::of(kid).next()?)?);
        }
        if literals.len() == 1 {
            let only = literals.remove(0);
            Ok(Operand::Literal(only))
        } else {
            Ok(Operand::Arith(literals, span))
        }
    }

    fn value(&mut self, pair: P<'_>) -> Built<Value> {
        let inner = Kids::of(pair).next()?;
        Ok(match inner.as_rule() {
            Rule::value_list => Value::List(self.value_list(inner)?),
            Rule::literal => Value::Literal(self.literal(Kids::of(inner).next()?)?),
            _ => return Err(unexpected(&inner, "a value")),
        })
    }

    fn value_list(&mut self, pair: P<'_>) -> Built<ValueList> {
        let span = self.span(&pair);
        let mut items = Vec::new();
        for kid in pair.into_inner() {
            items.push(self.literal(Kids::of(kid).next()?)?);
        }
        Ok(ValueList { items, span })
    }

    /// A literal from the pair *inside* `literal` or `bound`.
    fn literal(&mut self, pair: P<'_>) -> Built<Literal> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::number => super::number(pair.as_str(), span, &mut self.errors),
            Rule::date => super::date(pair.as_str(), span, &mut self.errors),
            Rule::kw_true => Literal::Bool(true, span),
            Rule::kw_false => Literal::Bool(false, span),
            Rule::ident => Literal::Name(self.ident(pair)),
            _ => return Err(unexpected(&pair, "a value")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    const SAMPLE: &str = r#"
regime cn "China" {
  home CN
  source "https://example.org"
  let sensitive = data has any {health, biometric}
  rule middle_band "Middle band"
    cite "Provisions Art. 8", "PIPL Art. 38"
    effective 2024-03-22..
    when not (exporter has ciio)
     and (individuals_ytd in 100_000..1_000_000 or sensitive_individuals_ytd in 1..10_000)
    then require cn_standard_contract or cn_certification and require pipia_done
  oblige pipia "Impact assessment" cite "PIPL Art. 55(4)" when sensitive
  default permit
  example "150k customers" {
    given { destination: DE, data: {personal}, individuals_ytd: 150_000, date: 2025-06-01 }
    expect require cn_standard_contract or cn_certification with {pipia}
  }
}
"#;

    fn parse_ok(text: &str) -> Module {
        let parsed = crate::syntax::parse(FileId(0), text).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed.module
    }

    fn message(text: &str) -> String {
        let parsed = crate::syntax::parse(FileId(0), text).unwrap();
        parsed.errors.first().map(|e| e.to_diagnostic().message).unwrap_or_default()
    }

    #[test]
    fn parses_the_design_sample() {
        let module = parse_ok(SAMPLE);
        let Some(Item::Regime(regime)) = module.items.first() else { panic!("no regime") };
        assert_eq!(regime.name.name, "cn");
        assert_eq!(regime.items.len(), 7);
        let Some(RegimeItem::Rule(rule)) = regime.items.get(3) else { panic!("no rule") };
        assert_eq!(rule.cites.first().map(|c| c.cites.len()), Some(2));
        let range = rule.effective.first().unwrap();
        assert!(range.lo.is_some() && range.hi.is_none());
        let Outcome::Require(groups, _) = &rule.then else { panic!("not require") };
        assert_eq!(groups.len(), 2);
        let Cond::And(parts, _) = &rule.when else { panic!("not and") };
        assert!(matches!(parts.first(), Some(Cond::Not(..))));
        assert!(matches!(parts.get(1), Some(Cond::Or(..))));
    }

    #[test]
    fn errors_read_alike_on_many_threads() {
        let text = "regime sg \"t\" {\n  hom\n}";
        let alone = crate::syntax::parse(FileId(0), text).unwrap();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..300 {
                        assert_eq!(crate::syntax::parse(FileId(0), text).unwrap(), alone);
                    }
                });
            }
        });
    }

    #[test]
    fn large_numbers_are_written_grouped() {
        assert_eq!(crate::syntax::write_number(1000), "1000");
        assert_eq!(crate::syntax::write_number(10_000), "10_000");
        assert_eq!(crate::syntax::write_number(1_000_000), "1_000_000");
        assert_eq!(crate::syntax::write_number(-12_345), "-12_345");
    }

    #[test]
    fn ranges_know_which_end_is_given() {
        let module = parse_ok("let a = x in ..5");
        let Some(Item::Let(decl)) = module.items.first() else { panic!() };
        let Cond::Test(Test { op: Some(TestOp::In(InRhs::Range(r), _)), .. }) = &decl.cond else { panic!() };
        assert!(r.lo.is_none() && matches!(r.hi, Some(Literal::Number(5, _))));
    }

    #[test]
    fn errors_say_what_was_expected_after_what() {
        assert_eq!(
            message("regime r \"t\" { rule a \"t\" cite \"x\" when then permit }"),
            "expected a condition after `when`"
        );
        assert_eq!(message("regime r { }"), "expected a quoted string after `r`");
        assert_eq!(
            message("let x = a &&& b"),
            "expected `and`, `has`, `in`, `or`, a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`), a declaration (`use`, `enum`, `set`, `facts`, `let`, `regime`, `accord`, `establish`, `family`, `strength` or `weigh`) or the end of the file after `a`"
        );
    }
}
