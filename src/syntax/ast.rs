//! The tree a rule file parses into. Every node carries the [`Span`] it came from, and spans
//! compare by place: two trees are equal only where their nodes are written at the same offsets.

use crate::date::Date;
use crate::source::Span;

/// A name as written, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// The text between the quotes, with escapes resolved.
    pub value: String,
    /// Where the literal (quotes included) is written.
    pub span: Span,
}

/// `///` lines directly above a declaration, each without the leading `///`.
pub type Doc = Vec<String>;

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    /// Top-level declarations in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `use name` or `use "path"`.
    Use(Use),
    /// `enum Name { … }`.
    Enum(EnumDecl),
    /// `set NAME: Enum = { … }`.
    Set(SetDecl),
    /// `facts { … }`.
    Facts(FactsDecl),
    /// `let name = condition`.
    Let(LetDecl),
    /// `regime id "title" { … }`.
    Regime(RegimeDecl),
    /// `accord id "title" { … }`.
    Accord(AccordDecl),
    /// `establish mechanism "title" cite … when …`.
    Establish(EstablishDecl),
    /// `family id "title" { … }`.
    Family(FamilyDecl),
    /// `strength id "title" { cite … a > b … }`.
    Strength(StrengthDecl),
    /// `weigh fact "title" { cite … entries }`: the default weight of a fact's values.
    Weigh(WeighDecl),
}

/// What a `use` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseTarget {
    /// A standard library module, by bare name.
    Stdlib(Ident),
    /// A file, relative to the importing file.
    Path(StrLit),
}

/// `use …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// What it names.
    pub target: UseTarget,
    /// The whole declaration.
    pub span: Span,
}

/// `enum Name { member "description" … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The type's name.
    pub name: Ident,
    /// Members in source order.
    pub members: Vec<EnumMember>,
    /// The whole declaration.
    pub span: Span,
}

/// One member of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumMember {
    /// Doc comment.
    pub doc: Doc,
    /// Its name.
    pub name: Ident,
    /// Its description, for people.
    pub description: Option<StrLit>,
    /// The members it implies (`implies personal`, `implies {a, b}`), as written.
    pub implies: Vec<Literal>,
}

/// `set NAME: Enum = { member [effective range] … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The set's name.
    pub name: Ident,
    /// The enum its members come from.
    pub element: Ident,
    /// Members (enum members or other sets of the same enum).
    pub members: Vec<SetMember>,
    /// The whole declaration.
    pub span: Span,
}

/// One member of a named set, optionally only for a range of transfer dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMember {
    /// Doc comment.
    pub doc: Doc,
    /// An enum member, or another named set.
    pub name: Ident,
    /// When the member belongs to the set.
    pub effective: Option<Range>,
}

/// `facts { name: type … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactsDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The facts declared.
    pub facts: Vec<FactDecl>,
    /// The whole declaration.
    pub span: Span,
}

/// `name: type` inside `facts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The fact's name, which is also its key in scenarios.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// `bool`, `count`, `date` or an enum name.
    Named(Ident),
    /// `set<Enum>`.
    Set {
        /// The element enum.
        element: Ident,
        /// The whole type.
        span: Span,
    },
}

/// `let name = condition`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetDecl {
    /// Doc comment.
    pub doc: Doc,
    /// Its name.
    pub name: Ident,
    /// The condition it names.
    pub cond: Cond,
    /// The whole declaration.
    pub span: Span,
}

/// `regime id "title" { … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegimeDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The regime's id.
    pub name: Ident,
    /// Its title.
    pub title: StrLit,
    /// Its contents in source order.
    pub items: Vec<RegimeItem>,
    /// The whole declaration.
    pub span: Span,
}

/// Something inside a regime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegimeItem {
    /// `home CN` or `home EEA` or `home {CN, HK}`.
    Home(Home),
    /// `source "url"`.
    Source(StrLit, Span),
    /// `let name = condition`.
    Let(LetDecl),
    /// `rule …`.
    Rule(RuleDecl),
    /// `oblige …`.
    Oblige(ObligeDecl),
    /// `default outcome`.
    Default(Outcome, Span),
    /// `example "name" { given … expect … }`.
    Example(ExampleDecl),
    /// `weigh fact "title" { … }`: the weight of a fact's values in this regime's table.
    Weigh(WeighDecl),
}

/// The jurisdictions whose outbound transfers a regime governs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// A member, a named set, or a list of either.
    pub value: Value,
    /// The whole item.
    pub span: Span,
}

/// A verdict rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDecl {
    /// Doc comment.
    pub doc: Doc,
    /// Its id.
    pub name: Ident,
    /// Its title.
    pub title: StrLit,
    /// `cite` clauses, in order (normally one).
    pub cites: Vec<CiteClause>,
    /// `effective` clauses (normally at most one).
    pub effective: Vec<Range>,
    /// The earlier rules it yields to, if it says.
    pub yields: Option<Yields>,
    /// When it applies.
    pub when: Cond,
    /// What it decides.
    pub then: Outcome,
    /// The whole rule.
    pub span: Span,
}

/// An obligation rule: `oblige obligation "title" cite … when …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligeDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The obligation it imposes (a member of `Obligation`), also its id.
    pub name: Ident,
    /// Its title.
    pub title: StrLit,
    /// `cite` clauses.
    pub cites: Vec<CiteClause>,
    /// `effective` clauses.
    pub effective: Vec<Range>,
    /// `upon m or n`: the mechanisms relying on which brings the obligation.
    pub upon: Option<Upon>,
    /// When it applies.
    pub when: Cond,
    /// The whole declaration.
    pub span: Span,
}

/// `upon m or n` in an `oblige`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upon {
    /// The mechanisms (or families of them).
    pub mechanisms: Vec<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// `yields to a, b`: earlier rules meant to decide some of a rule's transfers otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Yields {
    /// The rules, as written.
    pub rules: Vec<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// `cite "…", "…"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteClause {
    /// The citations.
    pub cites: Vec<StrLit>,
    /// The whole clause.
    pub span: Span,
}

/// `lo..hi`, either end optional; half-open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// Inclusive lower bound.
    pub lo: Option<Literal>,
    /// Exclusive upper bound.
    pub hi: Option<Literal>,
    /// The whole range.
    pub span: Span,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// A non-negative integer.
    Number(u64, Span),
    /// A date.
    Date(Date, Span),
    /// `true` or `false`.
    Bool(bool, Span),
    /// A name: a fact, an enum member, a set, a `let`.
    Name(Ident),
}

impl Literal {
    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            Literal::Number(_, s) | Literal::Date(_, s) | Literal::Bool(_, s) => *s,
            Literal::Name(i) => i.span,
        }
    }
}

/// `{a, b, c}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueList {
    /// The items.
    pub items: Vec<Literal>,
    /// The whole list, braces included.
    pub span: Span,
}

/// A value in a scenario or a `home`: a literal or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// One value.
    Literal(Literal),
    /// A list of values.
    List(ValueList),
}

impl Value {
    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            Value::Literal(l) => l.span(),
            Value::List(l) => l.span,
        }
    }
}

/// A condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// All must hold.
    And(Vec<Cond>, Span),
    /// One must hold.
    Or(Vec<Cond>, Span),
    /// Must not hold.
    Not(Box<Cond>, Span),
    /// A test (or a bare name or literal).
    Test(Test),
    /// `established m`: the facts establish mechanism `m`.
    Established(Ident, Span),
}

impl Cond {
    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            Cond::And(_, s) | Cond::Or(_, s) | Cond::Not(_, s) | Cond::Established(_, s) => *s,
            Cond::Test(t) => t.span,
        }
    }
}

/// `operand [op …]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    /// The left side.
    pub lhs: Operand,
    /// The operator and right side, if any (a bare name is a boolean fact or a `let`).
    pub op: Option<TestOp>,
    /// The whole test.
    pub span: Span,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A single literal or name.
    Literal(Literal),
    /// Arithmetic, which decision tables cannot test; kept to explain why.
    Arith(Vec<Literal>, Span),
    /// A list, which only `in` and `has` take; kept to explain why.
    List(ValueList),
}

impl Operand {
    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            Operand::Literal(l) => l.span(),
            Operand::Arith(_, s) => *s,
            Operand::List(l) => l.span,
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator with its sides swapped (`a < b` is `b > a`).
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }
}

/// The operator part of a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestOp {
    /// `op operand`.
    Cmp(CmpOp, Span, Operand),
    /// `in …`.
    In(InRhs, Span),
    /// `has …`.
    Has(HasRhs, Span),
}

/// What follows `in`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InRhs {
    /// `lo..hi`.
    Range(Range),
    /// `{a, b}`.
    List(ValueList),
    /// A named set.
    Named(Ident),
}

/// A list or a named set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetRef {
    /// `{a, b}`.
    List(ValueList),
    /// A named set.
    Named(Ident),
}

/// What follows `has`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HasRhs {
    /// `has x`.
    One(Ident),
    /// `has any …`.
    Any(SetRef),
    /// `has all …`.
    All(SetRef),
}

/// What a rule or default decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No mechanism needed.
    Permit(Span),
    /// Not allowed.
    Prohibit(Span),
    /// Allowed once every group has one of its mechanisms in place.
    Require(Vec<RequireGroup>, Span),
}

impl Outcome {
    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            Outcome::Permit(s) | Outcome::Prohibit(s) | Outcome::Require(_, s) => *s,
        }
    }
}

/// `require a or b`, or `require a, else b` (in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequireGroup {
    /// Alternative mechanisms.
    pub alternatives: Vec<Ident>,
    /// Written with `, else`: each alternative only where those before it cannot be used.
    pub ordered: bool,
    /// The whole group.
    pub span: Span,
}

/// `example "name" { given {…} expect … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleDecl {
    /// Doc comment.
    pub doc: Doc,
    /// Its name.
    pub name: StrLit,
    /// The scenario's facts.
    pub given: Vec<Field>,
    /// The scenario literal, braces included.
    pub given_span: Span,
    /// The expected decision.
    pub expect: Expect,
    /// The whole example.
    pub span: Span,
}

/// `key: value` in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The fact.
    pub key: Ident,
    /// Its value.
    pub value: Value,
}

/// What an example expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The verdict; `None` means `out_of_scope`.
    pub outcome: Option<Outcome>,
    /// The exact obligations expected, when given with `with {…}`.
    pub obligations: Option<ValueList>,
    /// `upon m or n {…}`: the exact obligations expected to come with relying on each of the
    /// mechanisms.
    pub upon: Vec<(Vec<Ident>, ValueList)>,
    /// The whole clause.
    pub span: Span,
}

/// `accord id "title" { cite … regime accepts m as n … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccordDecl {
    /// Doc comment.
    pub doc: Doc,
    /// Its id.
    pub name: Ident,
    /// Its title.
    pub title: StrLit,
    /// `cite` clauses.
    pub cites: Vec<CiteClause>,
    /// `effective` clauses.
    pub effective: Vec<Range>,
    /// `when …`: the transfers it is limited to, if any.
    pub scope: Option<Cond>,
    /// What each side recognises.
    pub accepts: Vec<Accept>,
    /// The whole declaration.
    pub span: Span,
}

/// `regime accepts m1 or m2 as n`: the regime treats any of the mechanisms as meeting its own
/// requirement for `n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    /// The recognising regime.
    pub regime: Ident,
    /// The mechanisms it recognises.
    pub mechanisms: Vec<Ident>,
    /// Its own mechanism they stand for.
    pub as_mechanism: Ident,
    /// The whole clause.
    pub span: Span,
}

/// `establish mechanism "title" cite … when condition`: the facts in the condition put the
/// mechanism in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The mechanism established.
    pub mechanism: Ident,
    /// Its title.
    pub title: StrLit,
    /// `cite` clauses.
    pub cites: Vec<CiteClause>,
    /// The facts that establish it.
    pub when: Cond,
    /// The whole declaration.
    pub span: Span,
}

/// `family id "title" { m1, m2 }`: mechanisms of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyDecl {
    /// Doc comment.
    pub doc: Doc,
    /// Its id.
    pub name: Ident,
    /// Its title.
    pub title: StrLit,
    /// Its mechanisms, as written.
    pub members: Vec<Ident>,
    /// The whole declaration.
    pub span: Span,
}

/// `strength id "title" { cite … a > {b, c} … }`: requiring the left side is a heavier burden
/// than requiring the right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrengthDecl {
    /// Doc comment.
    pub doc: Doc,
    /// Its id.
    pub name: Ident,
    /// Its title.
    pub title: StrLit,
    /// `cite` clauses.
    pub cites: Vec<CiteClause>,
    /// Chains `a > b > c`, each side a list of mechanisms or family ids.
    pub chains: Vec<Vec<Vec<Literal>>>,
    /// The whole declaration.
    pub span: Span,
}

/// `weigh fact "title" { cite … entries }`: how common each value of a fact is among
/// transfers, for the shares comparisons report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeighDecl {
    /// Doc comment.
    pub doc: Doc,
    /// The fact weighed.
    pub fact: Ident,
    /// Its title.
    pub title: StrLit,
    /// `cite` clauses.
    pub cites: Vec<CiteClause>,
    /// The entries, as written.
    pub entries: Vec<WeightEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// One entry of a `weigh`: what is weighed, and its weight as written (`0.25`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightEntry {
    /// What is weighed.
    pub key: WeightKey,
    /// The weight's digits as written.
    pub weight: String,
    /// Where the weight is written.
    pub weight_span: Span,
    /// The whole entry.
    pub span: Span,
}

/// What a `weigh` entry weighs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightKey {
    /// A member, or `others` for every member not listed.
    Name(Ident),
    /// `true`, for a bool fact.
    True(Span),
    /// A band of counts or dates.
    Range(Range),
}
