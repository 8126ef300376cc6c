//! The checked program: every name resolved to an id, every condition typed and reduced to
//! tests on single facts. This is what the compiler consumes.

use crate::date::Date;
use crate::source::Span;

macro_rules! id {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the program's list.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

id! {
    /// An enum in [`Program::enums`].
    EnumId;
    /// A member, by its position in its enum.
    MemberId;
    /// A named set in [`Program::sets`].
    SetId;
    /// A fact in [`Program::facts`].
    FactId;
    /// A `let` in [`Program::lets`].
    LetId;
    /// A regime in [`Program::regimes`].
    RegimeId;
    /// An accord in [`Program::accords`].
    AccordId;
}

/// Everything declared by the checked files and the standard library they use.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// Enums.
    pub enums: Vec<EnumDef>,
    /// Named sets, with nested sets flattened.
    pub sets: Vec<SetDef>,
    /// Facts.
    pub facts: Vec<FactDef>,
    /// Every `let`, top-level and regime-local.
    pub lets: Vec<LetDef>,
    /// Regimes.
    pub regimes: Vec<Regime>,
    /// Recognition accords.
    pub accords: Vec<Accord>,
    /// Mechanisms established by facts.
    pub establishments: Vec<Establishment>,
    /// Families of mechanisms.
    pub families: Vec<Family>,
    /// Strength orders between mechanisms.
    pub strengths: Vec<Strength>,
    /// Default weights of facts' values (top-level `weigh`), each fact at most once.
    pub weights: Vec<Weighting>,
}

impl Program {
    /// The enum with this id.
    pub fn enum_def(&self, id: EnumId) -> Option<&EnumDef> {
        self.enums.get(id.index())
    }

    /// The fact with this id.
    pub fn fact(&self, id: FactId) -> Option<&FactDef> {
        self.facts.get(id.index())
    }

    /// The name of a member of an enum (`"?"` for an id that is not there).
    pub fn member_name(&self, enum_id: EnumId, member: MemberId) -> &str {
        self.enum_def(enum_id).and_then(|e| e.members.get(member.index())).map_or("?", |m| m.name.as_str())
    }
}

/// An enum.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Its name.
    pub name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Members, in declaration order; [`MemberId`] indexes this.
    pub members: Vec<MemberDef>,
    /// Where declared.
    pub span: Span,
}

/// A member of an enum.
#[derive(Debug, Clone)]
pub struct MemberDef {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// The members it implies directly (`implies …`).
    pub implies: Vec<MemberId>,
    /// Where declared.
    pub span: Span,
}

/// A named set of members of one enum.
#[derive(Debug, Clone)]
pub struct SetDef {
    /// Its name.
    pub name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// The enum of its members.
    pub element: EnumId,
    /// Members, each with the transfer dates for which it belongs (`None`: always).
    pub members: Vec<(MemberId, Option<Interval>)>,
    /// Where declared.
    pub span: Span,
}

/// A fact's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// `true` or `false`.
    Bool,
    /// A non-negative integer.
    Count,
    /// A calendar date.
    Date,
    /// One member of an enum.
    Enum(EnumId),
    /// Any subset of an enum's members.
    Set(EnumId),
}

/// A fact of the scenario.
#[derive(Debug, Clone)]
pub struct FactDef {
    /// Its name (the scenario key).
    pub name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Its type.
    pub ty: Type,
    /// Where declared.
    pub span: Span,
}

/// A named condition.
#[derive(Debug, Clone)]
pub struct LetDef {
    /// Its name.
    pub name: String,
    /// Its condition.
    pub cond: Cond,
    /// Where declared.
    pub span: Span,
}

/// A half-open interval `[lo, hi)` over counts or day numbers; `hi: None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    /// Inclusive lower bound.
    pub lo: i64,
    /// Exclusive upper bound.
    pub hi: Option<i64>,
}

impl Interval {
    /// Every value.
    pub const ALL: Interval = Interval { lo: 0, hi: None };

    /// Whether `value` lies inside.
    pub fn contains(self, value: i64) -> bool {
        value >= self.lo && self.hi.is_none_or(|hi| value < hi)
    }

    /// Whether no value lies inside.
    pub fn is_empty(self) -> bool {
        self.hi.is_some_and(|hi| hi <= self.lo)
    }
}

/// A typed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// Always or never.
    Const(bool),
    /// All hold.
    And(Vec<Cond>),
    /// One holds.
    Or(Vec<Cond>),
    /// Does not hold.
    Not(Box<Cond>),
    /// A named condition (kept by reference; the compiler inlines it).
    Let(LetId),
    /// A test on one fact.
    Test(Test),
    /// The facts establish this mechanism: its `establish` declarations' conditions, joined
    /// with `or` (kept by reference; the compiler expands it).
    Established(MemberId),
}

/// A test on one fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    /// The fact tested.
    pub fact: FactId,
    /// What must hold of it.
    pub pred: Pred,
    /// Where written.
    pub span: Span,
}

/// What a test asks of its fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pred {
    /// A bool fact equals this.
    Bool(bool),
    /// An enum fact is one of these members (sorted, no repeats).
    OneOf(Vec<MemberId>),
    /// A count or date fact lies in one of these intervals (sorted, disjoint).
    InRanges(Vec<Interval>),
    /// A set fact holds at least one of these members.
    HasAny(Vec<MemberId>),
    /// A set fact holds all of these members.
    HasAll(Vec<MemberId>),
}

/// What a rule decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No mechanism needed.
    Permit,
    /// Not allowed.
    Prohibit,
    /// Allowed once each group has one of its mechanisms (members of `Mechanism`) in place.
    Require(Vec<Group>),
}

/// One `require` group: alternatives, any one of which meets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The alternatives, as written.
    pub alternatives: Vec<MemberId>,
    /// A cascade (`a, else b`): each alternative only where those before it cannot be used.
    pub ordered: bool,
}

/// A citation as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    /// The text.
    pub text: String,
    /// Where written.
    pub span: Span,
}

/// A checked regime.
#[derive(Debug, Clone)]
pub struct Regime {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Jurisdictions whose outbound transfers it governs (members of the `origin` fact's enum).
    pub home: Vec<MemberId>,
    /// Official source.
    pub source: Option<String>,
    /// Verdict rules in priority order.
    pub rules: Vec<Rule>,
    /// Obligation rules.
    pub obligations: Vec<ObligationRule>,
    /// What applies when no rule matches.
    pub default: Option<Outcome>,
    /// Where the `default` is written.
    pub default_span: Option<Span>,
    /// Inline tests.
    pub examples: Vec<Example>,
    /// The facts and enums the regime's vocabulary resolved to.
    pub vocabulary: Vocabulary,
    /// Every fact visible where the regime is declared: what its scenarios may give.
    pub facts: Vec<FactId>,
    /// Its own weights (`weigh` inside the regime), in place of the defaults for those facts.
    pub weights: Vec<Weighting>,
    /// Where declared.
    pub span: Span,
    /// Where its id is written.
    pub name_span: Span,
}

/// The well-known facts and enums a regime's meaning depends on, as resolved in its scope.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// The transfer date.
    pub date: Option<FactId>,
    /// Where the exporter sends from.
    pub origin: Option<FactId>,
    /// Where the recipient is.
    pub destination: Option<FactId>,
    /// Mechanisms in place.
    pub safeguards: Option<FactId>,
    /// The `Jurisdiction` enum (the type of `origin`).
    pub jurisdiction: Option<EnumId>,
    /// The `Mechanism` enum.
    pub mechanism: Option<EnumId>,
    /// The `Obligation` enum.
    pub obligation: Option<EnumId>,
}

/// A verdict rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Citations (at least one in a checked program).
    pub cites: Vec<Cite>,
    /// Transfer dates it applies to, as day numbers.
    pub effective: Option<Interval>,
    /// The earlier rules it yields to (`yields to a, b`): where they decide its transfers
    /// otherwise, as its author means them to, `accord check` notes nothing.
    pub yields: Vec<YieldsTo>,
    /// Where its `yields to` clause is written, if it has one.
    pub yields_span: Option<Span>,
    /// When it applies.
    pub when: Cond,
    /// What it decides.
    pub then: Outcome,
    /// Where declared.
    pub span: Span,
    /// Where its id is written.
    pub name_span: Span,
}

/// One rule named in a `yields to` clause.
#[derive(Debug, Clone)]
pub struct YieldsTo {
    /// The earlier rule's id.
    pub rule: String,
    /// Where it is named.
    pub span: Span,
}

/// An obligation rule.
#[derive(Debug, Clone)]
pub struct ObligationRule {
    /// The obligation imposed (a member of `Obligation`).
    pub obligation: MemberId,
    /// Its name.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Citations.
    pub cites: Vec<Cite>,
    /// Transfer dates it applies to.
    pub effective: Option<Interval>,
    /// `upon`: the mechanisms relying on which brings it; empty when it comes whatever the
    /// transfer relies on.
    pub upon: Vec<MemberId>,
    /// Where `upon` is written.
    pub upon_span: Option<Span>,
    /// When it applies.
    pub when: Cond,
    /// Where declared.
    pub span: Span,
    /// Where its id is written.
    pub name_span: Span,
}

/// A value in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioValue {
    /// For a bool fact.
    Bool(bool),
    /// For a count fact.
    Count(i64),
    /// For a date fact.
    Date(Date),
    /// For an enum fact.
    Member(MemberId),
    /// For a set fact.
    Set(Vec<MemberId>),
}

/// An inline test.
#[derive(Debug, Clone)]
pub struct Example {
    /// Its name.
    pub name: String,
    /// The facts given (the rest take their defaults).
    pub given: Vec<(FactId, ScenarioValue)>,
    /// The expected verdict; `None` for `out_of_scope`.
    pub expect: Option<Outcome>,
    /// The exact obligations expected, if stated.
    pub obligations: Option<Vec<MemberId>>,
    /// The exact obligations expected to come with relying on a mechanism (`upon m {…}`), by
    /// the mechanism; with `with`, a mechanism not named here is expected to bring none.
    pub upon: Vec<(MemberId, Vec<MemberId>)>,
    /// Where declared.
    pub span: Span,
}

/// A recognition accord.
#[derive(Debug, Clone)]
pub struct Accord {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Citations.
    pub cites: Vec<Cite>,
    /// Transfer dates it applies to: disjoint ranges in order, every date when empty.
    pub effective: Vec<Interval>,
    /// The transfers it is limited to (`when …`); every transfer when `None`.
    pub scope: Option<Cond>,
    /// What each side recognises.
    pub accepts: Vec<Acceptance>,
    /// Where declared.
    pub span: Span,
}

/// One regime treating other mechanisms as meeting one of its own.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// The recognising regime.
    pub regime: RegimeId,
    /// Mechanisms it recognises.
    pub mechanisms: Vec<MemberId>,
    /// Its own mechanism they stand for.
    pub as_mechanism: MemberId,
    /// The clause.
    pub span: Span,
}

/// `establish`: a condition on the facts that puts a mechanism in place.
#[derive(Debug, Clone)]
pub struct Establishment {
    /// The mechanism (a member of `Mechanism`).
    pub mechanism: MemberId,
    /// Its title.
    pub title: String,
    /// Citations.
    pub cites: Vec<Cite>,
    /// The facts that establish it.
    pub when: Cond,
    /// Where declared.
    pub span: Span,
}

/// `family`: mechanisms of one kind (never an equivalence).
#[derive(Debug, Clone)]
pub struct Family {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its mechanisms.
    pub members: Vec<MemberId>,
    /// Where declared.
    pub span: Span,
}

/// `strength`: pairs of mechanisms where requiring the first is the heavier burden.
#[derive(Debug, Clone)]
pub struct Strength {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Citations.
    pub cites: Vec<Cite>,
    /// `(stronger, weaker, where the `>` is written)`, families expanded.
    pub pairs: Vec<(MemberId, MemberId, Span)>,
    /// Where declared.
    pub span: Span,
}

/// `weigh fact …`: how common each value of a fact is among transfers, checked to be a
/// distribution.
#[derive(Debug, Clone)]
pub struct Weighting {
    /// The fact.
    pub fact: FactId,
    /// Its title.
    pub title: String,
    /// Citations (a source, or `[interp]` with the reason).
    pub cites: Vec<Cite>,
    /// The weights.
    pub distribution: Distribution,
    /// Where declared.
    pub span: Span,
}

/// A fact's weights, by the fact's type. Every weight is in billionths, as written (the
/// checker adds them exactly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distribution {
    /// An enum: each member's share of transfers; `others` is the share of every member not
    /// listed, together, spread evenly over them. The shares add up to one.
    Members {
        /// Listed members.
        members: Vec<(MemberId, u64)>,
        /// The unlisted members' share together.
        others: Option<u64>,
    },
    /// A set: how often each member is present, independently; `others` for each member not
    /// listed.
    Presence {
        /// Listed members.
        members: Vec<(MemberId, u64)>,
        /// Each unlisted member's.
        others: Option<u64>,
    },
    /// A bool: how often it is true.
    Bool {
        /// The share of transfers where it holds.
        true_share: u64,
    },
    /// A count or a date: disjoint bands `[from, until)` with their shares, adding up to one;
    /// values inside a band are alike, values in no band weigh nothing.
    Bands {
        /// `(from, until, share)`, in order.
        bands: Vec<(i64, i64, u64)>,
    },
}

/// One, in the billionths weights are written in.
pub const WEIGHT_ONE: u64 = 1_000_000_000;
