//! Scenarios: the facts of one transfer, read from JSON against a table's vocabulary.
//!
//! Omitted facts take their defaults (sets empty, counts 0, bools false, `date` the given
//! today, `origin` the regime's home); `destination` is required. Every problem names the key, the value and
//! the closest valid name, and all problems of a scenario are reported together.

use crate::date::Date;
use crate::diagnostics::closest;
use crate::table::{Column, ColumnType, Name, Table};
use std::fmt;

mod indexed;

/// One fact's value, aligned with the table's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Bool(bool),
    Count(i64),
    /// Day number.
    Date(i64),
    /// Index into the fact's domain.
    Member(u32),
    /// Members present, as a bit mask over the fact's domain.
    Set(Vec<u64>),
}

/// The facts of one transfer, ready to evaluate against the table it was read for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub(crate) values: Vec<Value>,
    /// Whether the scenario gives `safeguards` at all (an empty list counts).
    pub(crate) safeguards_given: bool,
    /// Members the vocabulary's implications added to set facts, as (vocabulary index, member
    /// added, a given member that implies it).
    pub(crate) implied: Vec<(usize, u32, u32)>,
}

impl Scenario {
    /// A scenario read for `table`, closed under the table's implications: a set holding a
    /// member holds every member it implies. What was added is kept for explanations.
    pub(crate) fn closed(table: &Table, mut values: Vec<Value>, safeguards_given: bool) -> Scenario {
        let implied = table.close(&mut values);
        Scenario { values, safeguards_given, implied }
    }
}

/// What is wrong with one key of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// The scenario is not a JSON object.
    NotAnObject {
        /// What it is instead.
        found: String,
    },
    /// The text is not JSON.
    InvalidJson {
        /// What the JSON reader said, without its position.
        reason: String,
        /// One-based column of the problem (within the line, for JSON Lines).
        column: usize,
    },
    /// The text is empty.
    Empty,
    /// A key that is not a fact.
    UnknownKey {
        /// The key.
        key: String,
        /// The closest fact name.
        suggestion: Option<String>,
    },
    /// A value of the wrong JSON type.
    WrongType {
        /// The key.
        key: String,
        /// What the fact takes.
        expected: String,
        /// What was given.
        found: String,
    },
    /// A value that is not in the fact's domain.
    OutsideDomain {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// The closest member.
        suggestion: Option<String>,
    },
    /// A required fact not given.
    Missing {
        /// The key.
        key: String,
    },
    /// A key given twice in one object (JSON would keep only the last value).
    Repeated {
        /// The key.
        key: String,
    },
    /// A count above the largest Accord holds.
    TooLarge {
        /// The key.
        key: String,
    },
}

impl ScenarioError {
    /// The key concerned (empty when the whole scenario is wrong).
    pub fn key(&self) -> &str {
        match self {
            ScenarioError::NotAnObject { .. } | ScenarioError::InvalidJson { .. } | ScenarioError::Empty => "",
            ScenarioError::UnknownKey { key, .. }
            | ScenarioError::WrongType { key, .. }
            | ScenarioError::OutsideDomain { key, .. }
            | ScenarioError::Missing { key }
            | ScenarioError::Repeated { key }
            | ScenarioError::TooLarge { key } => key,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::NotAnObject { found } => {
                write!(f, "a scenario is a JSON object of facts, not {found}")
            }
            ScenarioError::InvalidJson { reason, column } => write!(f, "not valid JSON: {reason} (column {column})"),
            ScenarioError::Empty => write!(f, "empty: a scenario is a JSON object of facts"),
            ScenarioError::UnknownKey { key, suggestion: Some(s) } => {
                write!(f, "unknown fact `{key}`; did you mean `{s}`?")
            }
            ScenarioError::UnknownKey { key, suggestion: None } => write!(f, "unknown fact `{key}`"),
            ScenarioError::WrongType { key, expected, found } => {
                write!(f, "`{key}` takes {expected}, not {found}")
            }
            ScenarioError::OutsideDomain { key, value, suggestion: Some(s) } => {
                write!(f, "`{value}` is not a valid value of `{key}`; did you mean `{s}`?")
            }
            ScenarioError::OutsideDomain { key, value, suggestion: None } => {
                write!(f, "`{value}` is not a valid value of `{key}`")
            }
            ScenarioError::Missing { key } => write!(f, "`{key}` is required"),
            ScenarioError::Repeated { key } => write!(f, "`{key}` is given twice: give each fact once"),
            ScenarioError::TooLarge { key } => {
                write!(f, "`{key}` is larger than any count: counts go up to {}", crate::syntax::write_number(i64::MAX))
            }
        }
    }
}

impl ScenarioError {
    /// The closest name to a misspelt fact or member, where there is one.
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            ScenarioError::UnknownKey { suggestion, .. } | ScenarioError::OutsideDomain { suggestion, .. } => {
                suggestion.as_deref()
            }
            _ => None,
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The keys an object's text gives more than once, each once, in order: a JSON object keeps
/// only the last value, so the others would be lost without a word. Any other text has none.
fn repeated_keys(text: &str) -> Vec<ScenarioError> {
    struct Keys(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Keys, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Keys;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Keys, M::Error> {
                    let (mut seen, mut twice) = (std::collections::BTreeSet::new(), Vec::new());
                    while let Some(key) = map.next_key::<String>()? {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        if !seen.insert(key.clone()) && !twice.contains(&key) {
                            twice.push(key);
                        }
                    }
                    Ok(Keys(twice))
                }
            }
            deserializer.deserialize_map(Visit)
        }
    }
    match serde_json::from_str::<Keys>(text) {
        Ok(Keys(twice)) => twice.into_iter().map(|key| ScenarioError::Repeated { key }).collect(),
        Err(_) => Vec::new(),
    }
}

fn json_kind(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "`null`".into(),
        serde_json::Value::Bool(b) => format!("`{b}`"),
        serde_json::Value::Number(n) => format!("the number `{n}`"),
        serde_json::Value::String(s) => format!("the string \"{s}\""),
        serde_json::Value::Array(_) => "a list".into(),
        serde_json::Value::Object(_) => "an object".into(),
    }
}

impl Scenario {
    /// The same transfer made from the regime's home: its `origin` is the home, as when a
    /// scenario omits it (how a diff reads each regime from its own home).
    pub fn from_home(mut self, table: &Table) -> Scenario {
        let origin = table.vocabulary.iter().position(|c| c.fact == table.scope.origin);
        if let Some(i) = origin
            && let (Some(column), Some(slot)) = (table.vocabulary.get(i), self.values.get_mut(i))
            && let Some(home) = home_member(table, column)
        {
            *slot = Value::Member(home);
        }
        self
    }

    /// The same transfer dated `date`.
    pub fn on(mut self, table: &Table, date: Date) -> Scenario {
        for (column, slot) in table.vocabulary.iter().zip(self.values.iter_mut()) {
            if column.ty == ColumnType::Date && column.fact == "date" {
                *slot = Value::Date(date.days());
            }
        }
        self
    }

    /// The transfer's date (day number), if the table has a `date` fact.
    pub fn date(&self, table: &Table) -> Option<i64> {
        table.vocabulary.iter().zip(&self.values).find_map(|(c, v)| match v {
            Value::Date(d) if c.fact == "date" => Some(*d),
            _ => None,
        })
    }

    /// Reads a scenario from JSON text.
    pub fn from_json(table: &Table, text: &str, today: Date) -> Result<Scenario, Vec<ScenarioError>> {
        if text.trim().is_empty() {
            return Err(vec![ScenarioError::Empty]);
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| vec![invalid_json(&e)])?;
        let repeated = repeated_keys(text);
        match Scenario::from_value(table, &value, today) {
            Ok(_) if !repeated.is_empty() => Err(repeated),
            Ok(scenario) => Ok(scenario),
            Err(mut errors) => {
                errors.splice(0..0, repeated);
                Err(errors)
            }
        }
    }

    /// A reader of many JSON scenarios for `table`, for a stream. It indexes the table's fact
    /// and member names once, and reads a scenario straight from the bytes of its text, with no
    /// `serde_json::Value` built first. It gives the scenario [`Scenario::from_json`] would, but
    /// only for a scenario without problems: any other text (not UTF-8, for one) gives `None`,
    /// and `from_json` finds and words its problems.
    pub fn quick_reader(table: &Table) -> impl Fn(&[u8], Date) -> Option<Scenario> + Sync + '_ {
        let indexed = indexed::Indexed::new(table);
        move |text, today| indexed.read(text, today)
    }

    /// Reads a scenario from a parsed JSON value.
    pub fn from_value(table: &Table, value: &serde_json::Value, today: Date) -> Result<Scenario, Vec<ScenarioError>> {
        let Some(object) = value.as_object() else {
            return Err(vec![ScenarioError::NotAnObject { found: json_kind(value) }]);
        };
        let mut errors = Vec::new();
        let mut values: Vec<Option<Value>> = vec![None; table.vocabulary.len()];
        // Given, even if wrongly: such a fact is reported for its value, not as missing.
        let mut given_keys = vec![false; table.vocabulary.len()];
        for (key, given) in object {
            let Some(index) = table.vocabulary.iter().position(|c| &c.fact == key) else {
                let suggestion = closest(key, table.vocabulary.iter().map(|c| c.fact.as_str())).map(str::to_owned);
                errors.push(ScenarioError::UnknownKey { key: key.clone(), suggestion });
                continue;
            };
            if let Some(slot) = given_keys.get_mut(index) {
                *slot = true;
            }
            let Some(column) = table.vocabulary.get(index) else { continue };
            match read_value(key, column.ty, &column.domain, given) {
                Ok(value) => {
                    if let Some(slot) = values.get_mut(index) {
                        *slot = Some(value);
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        let mut complete = Vec::with_capacity(values.len());
        let safeguards_given =
            table.vocabulary.iter().zip(&given_keys).any(|(c, given)| *given && c.fact == SAFEGUARDS);
        for ((column, value), given) in table.vocabulary.iter().zip(values).zip(given_keys) {
            let value = match value {
                Some(value) => value,
                None if given => continue,
                None if required(table, column) => {
                    errors.push(ScenarioError::Missing { key: column.fact.clone() });
                    continue;
                }
                None => default_value(table, column, today),
            };
            complete.push(value);
        }
        if errors.is_empty() { Ok(Scenario::closed(table, complete, safeguards_given)) } else { Err(errors) }
    }
}

/// The fact whose presence (even as an empty list) asks whether requirements are met.
const SAFEGUARDS: &str = "safeguards";

/// Whether an omitted fact is an error. Enums have no default: `origin` and `destination`
/// always need a value, and any other enum fact does when the table tests it.
fn required(table: &Table, column: &Column) -> bool {
    (column.fact == table.scope.origin && home_member(table, column).is_none())
        || column.fact == table.scope.destination
        || (column.fact != table.scope.origin
            && column.ty == ColumnType::Enum
            && table.columns.iter().any(|c| c.fact == column.fact))
}

/// The regime's home (its first member) as a member of `column`'s domain.
fn home_member(table: &Table, column: &Column) -> Option<u32> {
    let home = table.home.first()?;
    column.domain.iter().position(|m| **m == **home).and_then(|i| u32::try_from(i).ok())
}

/// A JSON syntax error, with its column but not serde's "line 1" (which, in a stream, is not
/// the input's line).
fn invalid_json(error: &serde_json::Error) -> ScenarioError {
    let text = error.to_string();
    let reason = text.split(" at line ").next().unwrap_or(&text).to_owned();
    ScenarioError::InvalidJson { reason, column: error.column() }
}

/// The value an omitted fact takes when it is not [`required`]: an omitted origin is the
/// regime's home (its first member), as in examples: a transfer "leaving this regime's home",
/// which is how diffs give witnesses. An enum fact no rule tests takes its first member (it is
/// never read).
fn default_value(table: &Table, column: &Column, today: Date) -> Value {
    match column.ty {
        ColumnType::Bool => Value::Bool(false),
        ColumnType::Count => Value::Count(0),
        ColumnType::Date => Value::Date(today.days()),
        ColumnType::Enum if column.fact == table.scope.origin => Value::Member(home_member(table, column).unwrap_or(0)),
        ColumnType::Enum => Value::Member(0),
        ColumnType::Set => Value::Set(vec![0; column.domain.len().div_ceil(64)]),
    }
}

fn read_value(key: &str, ty: ColumnType, domain: &[Name], given: &serde_json::Value) -> Result<Value, ScenarioError> {
    let wrong = |expected: &str| ScenarioError::WrongType {
        key: key.to_owned(),
        expected: expected.to_owned(),
        found: json_kind(given),
    };
    let member = |name: &str| -> Result<u32, ScenarioError> {
        domain.iter().position(|m| **m == *name).map(|i| u32::try_from(i).unwrap_or(u32::MAX)).ok_or_else(|| {
            ScenarioError::OutsideDomain {
                key: key.to_owned(),
                value: name.to_owned(),
                suggestion: closest(name, domain.iter().map(|m| &**m)).map(str::to_owned),
            }
        })
    };
    match ty {
        ColumnType::Bool => given.as_bool().map(Value::Bool).ok_or_else(|| wrong("`true` or `false`")),
        ColumnType::Count => match given.as_u64().map(i64::try_from) {
            Some(Ok(n)) => Ok(Value::Count(n)),
            Some(Err(_)) => Err(ScenarioError::TooLarge { key: key.to_owned() }),
            // A whole number past u64 is read as a float (`1e20`): too large, not a fraction.
            None if given.as_f64().is_some_and(|f| f >= 9.2e18 && f.fract() == 0.0) => {
                Err(ScenarioError::TooLarge { key: key.to_owned() })
            }
            None => Err(wrong("a whole number, 0 or more")),
        },
        ColumnType::Date => {
            let text = given.as_str().ok_or_else(|| wrong("a date string \"YYYY-MM-DD\""))?;
            let shaped = text.len() == 10
                && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
            let expected = if shaped { "a day that exists in the calendar" } else { "a date written \"YYYY-MM-DD\"" };
            Date::parse(text).map(|d| Value::Date(d.days())).ok_or_else(|| wrong(expected))
        }
        ColumnType::Enum => {
            let text = given.as_str().ok_or_else(|| wrong("a string naming one member"))?;
            member(text).map(Value::Member)
        }
        ColumnType::Set => {
            let example = domain.first().map_or_else(String::new, |m| format!(", e.g. [\"{m}\"]"));
            let items = given.as_array().ok_or_else(|| wrong(&format!("a list of members{example}")))?;
            let mut bits = vec![0u64; domain.len().div_ceil(64)];
            for item in items {
                let text = item.as_str().ok_or_else(|| ScenarioError::WrongType {
                    key: key.to_owned(),
                    expected: "a list of member names".to_owned(),
                    found: format!("a list holding {}", json_kind(item)),
                })?;
                let m = member(text)?;
                if let Some(word) = bits.get_mut(m as usize / 64) {
                    *word |= 1u64 << (m % 64);
                }
            }
            Ok(Value::Set(bits))
        }
    }
}
