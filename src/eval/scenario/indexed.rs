//! Reading many scenarios for one table: fact and member names are looked up in hash maps
//! built once, and the JSON is read straight into the scenario's values, with no
//! `serde_json::Value` built first.
//!
//! Only a scenario without problems is read this way. Anything else (not JSON, not an object,
//! an unknown name, a wrong type, a repeated key, a missing fact) gives up at once, to be read
//! again by [`Scenario::from_json`], which finds every problem and words it.

use super::{Scenario, Value, default_value, required};
use crate::date::Date;
use crate::table::{ColumnType, Table};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// Names to their indices. The names are the table's own, few and short, so FNV-1a is enough:
/// SipHash's defence against chosen collisions would cost more than the look-ups it guards.
type NameMap<'t> = HashMap<&'t str, u32, BuildHasherDefault<Fnv>>;

/// The FNV-1a hash, 64-bit.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Each name's index, the first one for a name given twice (as a linear search finds it).
fn name_map<'t>(names: impl Iterator<Item = &'t str>) -> NameMap<'t> {
    let mut map = NameMap::default();
    for (i, name) in names.enumerate() {
        map.entry(name).or_insert_with(|| u32::try_from(i).unwrap_or(u32::MAX));
    }
    map
}

/// A table's names, indexed for reading scenarios.
pub(super) struct Indexed<'t> {
    table: &'t Table,
    /// Fact name to vocabulary index.
    facts: NameMap<'t>,
    /// Per vocabulary column: member name to its index in the domain.
    members: Vec<NameMap<'t>>,
    /// Per vocabulary column: whether leaving the fact out is an error.
    required: Vec<bool>,
    /// The vocabulary index of `safeguards`, if the table has that fact.
    safeguards: Option<usize>,
}

impl<'t> Indexed<'t> {
    pub(super) fn new(table: &'t Table) -> Self {
        let vocabulary = &table.vocabulary;
        let facts = name_map(vocabulary.iter().map(|c| c.fact.as_str()));
        Indexed {
            table,
            members: vocabulary.iter().map(|c| name_map(c.domain.iter().map(String::as_str))).collect(),
            required: vocabulary.iter().map(|c| required(table, c)).collect(),
            safeguards: facts.get(super::SAFEGUARDS).map(|&i| i as usize),
            facts,
        }
    }

    /// The scenario [`Scenario::from_json`] reads from the text, or `None` if the text has
    /// any problem.
    pub(super) fn read(&self, text: &str, today: Date) -> Option<Scenario> {
        let mut json = serde_json::Deserializer::from_str(text);
        let given = json.deserialize_map(Facts(self)).ok()?;
        json.end().ok()?;
        let safeguards_given = self.safeguards.is_some_and(|s| given.get(s).is_some_and(Option::is_some));
        let mut values = Vec::with_capacity(given.len());
        for ((column, value), required) in self.table.vocabulary.iter().zip(given).zip(&self.required) {
            values.push(match value {
                Some(value) => value,
                None if *required => return None,
                None => default_value(column.ty, column.domain.len(), today),
            });
        }
        Some(Scenario { values, safeguards_given })
    }
}

/// The error that makes the quick reading give up; its words are never shown.
fn give_up<E: de::Error>() -> E {
    E::custom("not read quickly")
}

/// Reads a scenario object into values per vocabulary column.
struct Facts<'r, 't>(&'r Indexed<'t>);

impl<'de> Visitor<'de> for Facts<'_, '_> {
    type Value = Vec<Option<Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of facts")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let indexed = self.0;
        let mut values: Vec<Option<Value>> = vec![None; indexed.table.vocabulary.len()];
        while let Some(i) = map.next_key_seed(Name(&indexed.facts))? {
            let i = i as usize;
            let (Some(column), Some(members)) = (indexed.table.vocabulary.get(i), indexed.members.get(i)) else {
                return Err(give_up());
            };
            let value = match column.ty {
                ColumnType::Bool => Value::Bool(map.next_value()?),
                ColumnType::Count => Value::Count(i64::try_from(map.next_value::<u64>()?).map_err(|_| give_up())?),
                ColumnType::Date => Value::Date(map.next_value_seed(Day)?),
                ColumnType::Enum => Value::Member(map.next_value_seed(Name(members))?),
                ColumnType::Set => Value::Set(map.next_value_seed(Members(members, column.domain.len()))?),
            };
            match values.get_mut(i) {
                Some(slot @ None) => *slot = Some(value),
                // A repeated key: a JSON object keeps only the last value, so leave it to the
                // slow reading.
                _ => return Err(give_up()),
            }
        }
        Ok(values)
    }
}

/// A string that must be one of the names in the map: its index.
struct Name<'m, 't>(&'m NameMap<'t>);

impl<'de> DeserializeSeed<'de> for Name<'_, '_> {
    type Value = u32;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name<'_, '_> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a known name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<u32, E> {
        self.0.get(name).copied().ok_or_else(give_up)
    }
}

/// A date string: its day number.
struct Day;

impl<'de> DeserializeSeed<'de> for Day {
    type Value = i64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<i64, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Day {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<i64, E> {
        Date::parse(text).map(Date::days).ok_or_else(give_up)
    }
}

/// A list of member names (of a domain of the given size): its bit mask.
struct Members<'m, 't>(&'m NameMap<'t>, usize);

impl<'de> DeserializeSeed<'de> for Members<'_, '_> {
    type Value = Vec<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<u64>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Members<'_, '_> {
    type Value = Vec<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of members")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
        let mut bits = vec![0u64; self.1.div_ceil(64)];
        while let Some(m) = seq.next_element_seed(Name(self.0))? {
            let word = bits.get_mut(m as usize / 64).ok_or_else(give_up)?;
            *word |= 1u64 << (m % 64);
        }
        Ok(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cn() -> Table {
        let module = crate::stdlib::REGIMES.iter().find(|m| m.name == "cn").unwrap();
        crate::compile::compile_text(&crate::stdlib::regime_display_name(module.name), module.text).unwrap().remove(0)
    }

    /// Whatever the quick reading accepts, `from_json` reads the same.
    fn agrees(indexed: &Indexed<'_>, table: &Table, text: &str, today: Date) -> bool {
        match indexed.read(text, today) {
            Some(scenario) => Scenario::from_json(table, text, today) == Ok(scenario),
            None => true,
        }
    }

    const FULL: &str = r#"{"origin":"CN","destination":"DE","data":["personal","health"],"date":"2025-06-01","individuals_ytd":150000,"on_ftz_negative_list":false,"safeguards":[]}"#;

    #[test]
    fn reads_scenarios_without_problems_as_from_json_does() {
        let table = cn();
        let indexed = Indexed::new(&table);
        let today = Date::parse("2026-01-01").unwrap();
        for text in [
            FULL,
            r#"{"origin": "CN", "destination": "DE"}"#,
            " {\t\"origin\" : \"CN\" ,\r\n\"destination\":\"US\", \"data\": [ ] }  ",
            r#"{"orig\u0069n": "CN", "destination": "D\u0045", "data": ["personal", "personal"]}"#,
            r#"{"origin": "CN", "destination": "DE", "individuals_ytd": 0, "consent": ["separate"]}"#,
        ] {
            let quick = indexed.read(text, today);
            assert!(quick.is_some(), "not read quickly: {text}");
            assert_eq!(Scenario::from_json(&table, text, today).ok(), quick, "{text}");
        }
    }

    #[test]
    fn gives_up_on_anything_else() {
        let table = cn();
        let indexed = Indexed::new(&table);
        let today = Date::parse("2026-01-01").unwrap();
        for text in [
            "",
            "[]",
            "null",
            r#"{"origin": "CN"}"#,
            r#"{"origin": "XX", "origin": "CN", "destination": "DE"}"#,
            r#"{"origin": "CN", "destination": "DE", "dat": []}"#,
            r#"{"origin": "CN", "destination": "DE"} x"#,
            r#"{"origin": "CN", "destination": "DE",}"#,
            r#"{"origin": "CN", "destination": "DE", "data": [["personal"]]}"#,
            r#"{"origin": "CN", "destination": "DE", "data": "personal"}"#,
            r#"{"origin": "CN", "destination": "DE", "date": "2025-02-30"}"#,
            r#"{"origin": "CN", "destination": "DE", "on_ftz_negative_list": 1}"#,
        ] {
            assert!(indexed.read(text, today).is_none(), "read quickly: {text}");
        }
        for count in ["-0", "-5", "1.0", "1e3", "9223372036854775808", "18446744073709551616", "\"5\"", "null"] {
            let text = format!(r#"{{"origin": "CN", "destination": "DE", "individuals_ytd": {count}}}"#);
            assert!(indexed.read(&text, today).is_none(), "read quickly: {text}");
        }
    }

    #[test]
    fn never_reads_a_damaged_scenario_otherwise_than_from_json() {
        let table = cn();
        let indexed = Indexed::new(&table);
        let today = Date::parse("2026-01-01").unwrap();
        for i in 0..=FULL.len() {
            let (before, after) = FULL.split_at(i);
            for edit in ["", " ", "\"", "{", "}", "[", "]", ",", ":", "0", "-", ".", "e", "\\", "n", "CN"] {
                let inserted = format!("{before}{edit}{after}");
                assert!(agrees(&indexed, &table, &inserted, today), "{inserted}");
                let replaced = format!("{before}{edit}{}", after.get(1..).unwrap_or_default());
                assert!(agrees(&indexed, &table, &replaced, today), "{replaced}");
            }
        }
    }
}
