//! Problems the checker finds, as data. [`CheckError::to_diagnostic`] is the one place they are
//! put into words.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// Why a condition is not a test on a single fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSingle {
    /// Arithmetic over facts or values.
    Arithmetic,
    /// Two facts compared with each other.
    TwoFacts(String, String),
    /// No fact at all.
    NoFact,
}

/// A problem found by the checker.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // Fields are named for what they hold; the variants say the rest.
pub enum CheckError {
    /// A name that resolves to nothing.
    UnknownName { span: Span, name: String, kind: String, suggestion: Option<String>, note: Option<String> },
    /// `use` of a module that cannot be found.
    UnknownModule { span: Span, name: String, reason: String, suggestion: Option<String> },
    /// Modules that use each other.
    ModuleCycle { span: Span, cycle: Vec<String> },
    /// A name declared twice in one module.
    DuplicateDefinition { span: Span, name: String, previous: Span },
    /// A rule or obligation id used twice in a regime.
    DuplicateRule { span: Span, name: String, previous: Span, obligation: bool },
    /// An example name used twice in a regime.
    DuplicateExample { span: Span, name: String, previous: Span },
    /// A rule, obligation or accord without a citation (or with an empty one).
    MissingCite { span: Span, what: &'static str, name: String, empty: bool },
    /// A range with nothing in it.
    BadRange { span: Span, lo: String, hi: String },
    /// An operator that does not apply to the fact's type.
    OperatorType { span: Span, message: String, help: String },
    /// A value that is not a member of the fact's enum.
    OutsideDomain {
        span: Span,
        value: String,
        fact: Option<String>,
        enum_name: String,
        suggestion: Option<String>,
        note: Option<String>,
    },
    /// A condition that a decision table cannot hold in one column.
    NotSingleFact { span: Span, why: NotSingle },
    /// An example gives a fact that does not exist.
    ExampleUnknownFact { span: Span, name: String, suggestion: Option<String> },
    /// An example gives a fact a value of the wrong type.
    ExampleType { span: Span, fact: String, expected: String, found: String, example: String },
    /// The same member, key or clause twice.
    DuplicateEntry { span: Span, what: String, previous: Span },
    /// A regime without `home`.
    MissingHome { span: Span, regime: String },
    /// `yields to` naming the rule itself or a rule after it.
    YieldsToLater { span: Span, rule: String, to: String },
    /// A non-bool fact or a value where a condition is needed.
    NotACondition { span: Span, name: String, what: String, help: String },
    /// A `let` or set defined in terms of itself.
    DefinitionCycle { span: Span, name: String },
    /// A chain of definitions deeper than the checker follows.
    DefinitionTooDeep { span: Span, name: String },
    /// A name of the wrong kind (a set where a fact is needed, …).
    WrongKind { span: Span, name: String, expected: String, found: String, help: String },
    /// A name two used modules both declare.
    AmbiguousName { span: Span, name: String, modules: Vec<String> },
    /// A regime `let` no rule uses.
    UnusedLet { span: Span, name: String },
    /// A `use` whose module gives nothing used.
    UnusedUse { span: Span, module: String },
    /// `established` inside an `establish` condition (written there, or in a `let` it names).
    EstablishedInEstablish { span: Span, through_let: bool },
    /// `established m` where no declaration establishes `m`.
    NeverEstablished { span: Span, mechanism: String },
    /// An accord's acceptance of substitutes for a mechanism its regime never requires.
    InertAccord { span: Span, accord: String, regime: String, mechanism: String },
    /// An obligation `upon` mechanisms its regime never requires.
    InertUpon { span: Span, obligation: String, regime: String, mechanisms: Vec<String> },
    /// Weights that are not a distribution over a fact's values.
    BadWeights { span: Span, message: String, label: String, help: String, other: Option<(Span, String)> },
    /// A strength order that puts a mechanism above itself.
    StrengthCycle { span: Span, cycle: Vec<String>, back: Vec<(Span, String, String)> },
}

fn did_you_mean(suggestion: &Option<String>) -> Option<String> {
    suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))
}

/// The suggestion as an edit, where the span is the name as written (as long as it): a name
/// reached through a module, or a value written otherwise, gets the help line only.
fn suggested(d: Diagnostic, span: Span, written: &str, suggestion: &Option<String>) -> Diagnostic {
    match suggestion {
        Some(s) if span.end.checked_sub(span.start).map(|n| n as usize) == Some(written.len()) => {
            d.with_fix(span, s.clone())
        }
        _ => d,
    }
}

impl CheckError {
    /// The same error, also pointing at `span` with `words` (for weights: the band it
    /// overlaps, the declaration it conflicts with).
    pub(crate) fn with_other(self, span: Span, words: &str) -> CheckError {
        match self {
            CheckError::BadWeights { span: at, message, label, help, .. } => {
                CheckError::BadWeights { span: at, message, label, help, other: Some((span, words.to_owned())) }
            }
            other => other,
        }
    }

    /// Words the problem for people and tools.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            CheckError::UnknownName { span, name, kind, suggestion, note } => {
                let d = Diagnostic::error(Code::UnknownName, format!("unknown {kind} `{name}`"), *span, "not declared");
                let d = match note {
                    Some(note) => d.with_note(note.clone()),
                    None => d,
                };
                let fallback = if kind == "type" {
                    "types are `bool`, `count`, `date`, an enum, or `set<Enum>`"
                } else {
                    "declare it, or `use` the module that declares it"
                };
                let d = d.with_help(did_you_mean(suggestion).unwrap_or_else(|| fallback.to_owned()));
                suggested(d, *span, name, suggestion)
            }
            CheckError::UnknownModule { span, name, reason, suggestion } => {
                let d = Diagnostic::error(Code::UnknownModule, format!("cannot find module `{name}`"), *span, reason.clone());
                d.with_help(did_you_mean(suggestion).unwrap_or_else(|| {
                    "name a standard module (`use transfer`) or a file relative to this one (`use \"common.accord\"`)"
                        .to_owned()
                }))
            }
            CheckError::ModuleCycle { span, cycle } => Diagnostic::error(
                Code::ModuleCycle,
                "modules use each other in a cycle",
                *span,
                "this `use` closes the cycle",
            )
            .with_note(format!("the cycle: {}", cycle.join(" → ")))
            .with_help("move what both modules need into a third module that both use"),
            CheckError::DuplicateDefinition { span, name, previous } => {
                Diagnostic::error(Code::DuplicateDefinition, format!("`{name}` is declared twice"), *span, "declared again here")
                    .with_label(*previous, "first declared here")
                    .with_help("rename one of them")
            }
            CheckError::DuplicateRule { span, name, previous, obligation } => {
                let (message, help) = if *obligation {
                    (
                        format!("obligation `{name}` is imposed twice in this regime"),
                        "join the conditions with `or` in one `oblige`, and cite both provisions",
                    )
                } else {
                    (format!("rule `{name}` is declared twice in this regime"), "give each rule its own name")
                };
                Diagnostic::error(Code::DuplicateRule, message, *span, "declared again here")
                    .with_label(*previous, "first declared here")
                    .with_help(help)
            }
            CheckError::DuplicateExample { span, name, previous } => Diagnostic::error(
                Code::DuplicateExample,
                format!("example \"{name}\" is declared twice in this regime"),
                *span,
                "declared again here",
            )
            .with_label(*previous, "first declared here")
            .with_help("give each example its own name, so a failure names one example"),
            CheckError::MissingCite { span, what, name, empty } => {
                let message = if *empty {
                    format!("{what} `{name}` has an empty citation")
                } else {
                    format!("{what} `{name}` has no citation")
                };
                Diagnostic::error(Code::MissingCite, message, *span, "cite the provision it encodes")
                    .with_help("add `cite \"…\"` naming the article, section or regulation, e.g. `cite \"PIPL Art. 38\"`")
            }
            CheckError::BadRange { span, lo, hi } => Diagnostic::error(
                Code::BadRange,
                format!("range `{lo}..{hi}` is empty"),
                *span,
                "nothing lies in this range",
            )
            .with_help("ranges are half-open, `from..until`: the start is included, the end is not, and the start must come first"),
            CheckError::OperatorType { span, message, help } => {
                Diagnostic::error(Code::OperatorType, message.clone(), *span, "wrong type").with_help(help.clone())
            }
            CheckError::OutsideDomain { span, value, fact, enum_name, suggestion, note } => {
                let message = match fact {
                    Some(fact) => format!("`{value}` is not a `{enum_name}`, the type of `{fact}`"),
                    None => format!("`{value}` is not a `{enum_name}`"),
                };
                let d = Diagnostic::error(Code::OutsideDomain, message, *span, format!("not a member of `{enum_name}`"));
                let d = match note {
                    Some(note) => d.with_note(note.clone()),
                    None => d,
                };
                let d = d.with_help(
                    did_you_mean(suggestion).unwrap_or_else(|| format!("use one of the members of `{enum_name}`")),
                );
                suggested(d, *span, value, suggestion)
            }
            CheckError::NotSingleFact { span, why } => {
                let message = match why {
                    NotSingle::Arithmetic => "arithmetic in a condition".to_owned(),
                    NotSingle::TwoFacts(a, b) => format!("condition compares two facts, `{a}` and `{b}`"),
                    NotSingle::NoFact => "condition tests no fact".to_owned(),
                };
                let help = match why {
                    NotSingle::NoFact => "compare a fact with a value, e.g. `individuals_ytd >= 100_000`",
                    _ => "declare a fact that holds the combined value (e.g. `total_individuals`) and test it, or test each fact on its own and join the tests with `and`/`or` (a `let` can name the result)",
                };
                Diagnostic::error(Code::NotSingleFact, message, *span, "not a test on a single fact")
                    .with_note("decision tables test one fact per column, so every condition compares one fact with values")
                    .with_help(help)
            }
            CheckError::ExampleUnknownFact { span, name, suggestion } => {
                let d = Diagnostic::error(Code::ExampleUnknownFact, format!("example gives unknown fact `{name}`"), *span, "no such fact")
                    .with_help(did_you_mean(suggestion).unwrap_or_else(|| "scenarios give values to declared facts only".to_owned()));
                suggested(d, *span, name, suggestion)
            }
            CheckError::ExampleType { span, fact, expected, found, example } => Diagnostic::error(
                Code::ExampleType,
                format!("example gives `{fact}` {found}, but `{fact}` is {expected}"),
                *span,
                "wrong type",
            )
            .with_help(format!("write it like `{fact}: {example}`")),
            CheckError::DuplicateEntry { span, what, previous } => {
                Diagnostic::error(Code::DuplicateEntry, format!("{what} is given twice"), *span, "given again here")
                    .with_label(*previous, "first given here")
                    .with_help("remove one of them")
            }
            CheckError::YieldsToLater { span, rule, to } if rule == to => Diagnostic::error(
                Code::YieldsToLater,
                format!("rule `{rule}` yields to itself"),
                *span,
                "this rule",
            )
            .with_help("a rule yields to earlier rules, which decide some of its transfers first: remove it from the list"),
            CheckError::YieldsToLater { span, rule, to } => Diagnostic::error(
                Code::YieldsToLater,
                format!("rule `{rule}` yields to `{to}`, which comes after it"),
                *span,
                "a later rule",
            )
            .with_help(format!("rules are tried in order, so `{to}` never decides before `{rule}`: move `{to}` above `{rule}`, or remove it from the list")),
            CheckError::MissingHome { span, regime } => Diagnostic::error(
                Code::MissingHome,
                format!("regime `{regime}` has no `home`"),
                *span,
                "whose outbound transfers does it govern?",
            )
            .with_help("add `home XX` with the jurisdiction (or a named set such as `EEA`) the rules protect"),
            CheckError::NotACondition { span, name, what, help } => Diagnostic::error(
                Code::NotACondition,
                format!("`{name}` is {what}, not a condition"),
                *span,
                "a condition is needed here",
            )
            .with_help(help.clone()),
            CheckError::DefinitionCycle { span, name } => Diagnostic::error(
                Code::LetCycle,
                format!("`{name}` is defined in terms of itself"),
                *span,
                "this refers back to the definition",
            )
            .with_help("break the cycle: a definition can use only names defined without it"),
            CheckError::DefinitionTooDeep { span, name } => Diagnostic::error(
                Code::TooDeep,
                format!("`{name}` is defined through too long a chain of other definitions"),
                *span,
                "too deep",
            )
            .with_help("define it more directly; chains of `let`s or sets may be at most 128 deep"),
            CheckError::WrongKind { span, name, expected, found, help } => Diagnostic::error(
                Code::WrongKind,
                format!("`{name}` is {found}, but {expected} is needed here"),
                *span,
                format!("expected {expected}"),
            )
            .with_help(help.clone()),
            CheckError::AmbiguousName { span, name, modules } => Diagnostic::error(
                Code::AmbiguousName,
                format!("`{name}` is declared by more than one used module"),
                *span,
                "ambiguous",
            )
            .with_note(format!("declared in {}", modules.join(" and ")))
            .with_help("rename it in one of those modules, or declare it in this file: a file's own declarations come before what it uses"),
            CheckError::UnusedLet { span, name } => {
                Diagnostic::warning(Code::UnusedLet, format!("`let {name}` is never used"), *span, "unused")
                    .with_help("use it in a rule, or remove it")
            }
            CheckError::InertAccord { span, accord, regime, mechanism } => Diagnostic::warning(
                Code::InertAccord,
                format!("accord `{accord}` can never act for `{regime}`: no rule of `{regime}` requires `{mechanism}`"),
                *span,
                "accepts substitutes for a mechanism never required",
            )
            .with_help(format!(
                "name a mechanism that `{regime}` requires, or write the rule that requires `{mechanism}`; as it is, \
                 no comparison changes with this clause"
            )),
            CheckError::InertUpon { span, obligation, regime, mechanisms } => Diagnostic::warning(
                Code::InertUpon,
                format!(
                    "obligation `{obligation}` can never apply: no rule of `{regime}` requires {}",
                    mechanisms.join(" or ")
                ),
                *span,
                "upon a mechanism never required",
            )
            .with_help(
                "name a mechanism a rule of the regime requires, or remove `upon` if the obligation comes whatever \
                 the transfer relies on",
            ),
            CheckError::BadWeights { span, message, label, help, other } => {
                let d = Diagnostic::error(Code::BadWeights, message.clone(), *span, label.clone());
                let d = match other {
                    Some((other, words)) => d.with_label(*other, words.clone()),
                    None => d,
                };
                d.with_help(help.clone())
            }
            CheckError::StrengthCycle { span, cycle, back } => {
                let first = cycle.first().cloned().unwrap_or_default();
                let second = cycle.get(1).cloned().unwrap_or_else(|| first.clone());
                let mut shown = cycle.clone();
                shown.push(first.clone());
                let mut d = Diagnostic::error(
                    Code::StrengthCycle,
                    format!("the strength order puts `{first}` above itself"),
                    *span,
                    format!("`{first}` above `{second}` here"),
                )
                .with_note(format!("the cycle: {}", shown.join(" > ")));
                for (place, upper, lower) in back {
                    d = d.with_label(*place, format!("and `{upper}` above `{lower}` here"));
                }
                d.with_help("an order says which requirement is the heavier burden; remove or reverse one of these declarations")
            }
            CheckError::EstablishedInEstablish { span, through_let } => Diagnostic::error(
                Code::WrongKind,
                "an `establish` condition cannot use `established`",
                *span,
                if *through_let { "names a `let` that uses `established`" } else { "facts only here" },
            )
            .with_help("write the facts that establish the mechanism: establishments that named each other could go round in a cycle"),
            CheckError::NeverEstablished { span, mechanism } => Diagnostic::error(
                Code::WrongKind,
                format!("no `establish` declaration says which facts establish `{mechanism}`"),
                *span,
                "never established by facts",
            )
            .with_help(format!(
                "declare `establish {mechanism} \"…\" cite \"…\" when …`, or test the facts themselves"
            )),
            CheckError::UnusedUse { span, module } => {
                Diagnostic::warning(Code::UnusedUse, format!("nothing from `{module}` is used"), *span, "unused")
                    .with_help("remove this `use`")
            }
        }
    }
}
