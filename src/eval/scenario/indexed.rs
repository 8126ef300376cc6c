//! Reading many scenarios for one table: fact and member names are looked up in hash maps
//! built once, and the JSON is scanned straight into the scenario's values, with no
//! `serde_json::Value` built first.
//!
//! Only a scenario without problems is read this way. Anything else (not JSON, not an object,
//! an unknown name, a wrong type, a repeated key, a missing fact) gives up at once, to be read
//! again by [`Scenario::from_json`], which finds every problem and words it.

use super::{Scenario, Value, default_value, required};
use crate::date::Date;
use crate::table::{ColumnType, Table};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Names to their indices. The names are the table's own, few and short, so a simple hash is
/// enough: SipHash's defence against chosen collisions would cost more than the look-ups it
/// guards.
type NameMap<'t> = HashMap<&'t [u8], u32, BuildHasherDefault<WordHash>>;

/// A multiplicative hash taking eight bytes at a time (as `FxHash` does).
#[derive(Default)]
struct WordHash(u64);

impl WordHash {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHash {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut whole = [0u8; 8];
            whole.copy_from_slice(word);
            self.add(u64::from_le_bytes(whole));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            self.add(tail.iter().rev().fold(0, |word, &b| (word << 8) | u64::from(b)));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Each name's index, the first one for a name given twice (as a linear search finds it).
fn name_map<'t>(names: impl Iterator<Item = &'t [u8]>) -> NameMap<'t> {
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
    /// Per vocabulary column: the value an omitted fact takes, worked out once (the date's
    /// stands in for the `today` each read is given).
    defaults: Vec<Value>,
    /// The vocabulary index of `safeguards`, if the table has that fact.
    safeguards: Option<usize>,
}

impl<'t> Indexed<'t> {
    pub(super) fn new(table: &'t Table) -> Self {
        let vocabulary = &table.vocabulary;
        let facts = name_map(vocabulary.iter().map(|c| c.fact.as_bytes()));
        Indexed {
            table,
            members: vocabulary.iter().map(|c| name_map(c.domain.iter().map(|m| m.as_bytes()))).collect(),
            required: vocabulary.iter().map(|c| required(table, c)).collect(),
            defaults: vocabulary.iter().map(|c| default_value(table, c, Date::from_days(0))).collect(),
            safeguards: facts.get(super::SAFEGUARDS.as_bytes()).map(|&i| i as usize),
            facts,
        }
    }

    /// The scenario [`Scenario::from_json`] reads from the text, or `None` if the text has
    /// any problem. The text need not be UTF-8: what is read is ASCII or one of the table's
    /// names, so a text that is not UTF-8 is never read.
    pub(super) fn read(&self, text: &[u8], today: Date) -> Option<Scenario> {
        // Escapes and control characters are left to from_json, so strings are found by their
        // closing quote alone. One pass without early exit, which the compiler vectorises.
        let unusual = text.iter().fold(false, |unusual, &b| unusual | (b < 0x20) | (b == b'\\'));
        if unusual {
            return None;
        }
        let given = self.facts_in(&mut Scan { text, at: 0 })?;
        let safeguards_given = self.safeguards.is_some_and(|s| given.get(s).is_some_and(Option::is_some));
        // Collected in place: `given`'s buffer becomes the scenario's.
        let values = given
            .into_iter()
            .enumerate()
            .map(|(i, value)| match value {
                Some(value) => Some(value),
                None if self.required.get(i).copied().unwrap_or(true) => None,
                None => self.defaults.get(i).map(|v| match v {
                    Value::Date(_) => Value::Date(today.days()),
                    other => other.clone(),
                }),
            })
            .collect::<Option<Vec<Value>>>()?;
        Some(Scenario::closed(self.table, values, safeguards_given))
    }

    /// The whole text as one object of facts: each vocabulary column's value, if given.
    fn facts_in(&self, scan: &mut Scan<'_>) -> Option<Vec<Option<Value>>> {
        let mut values: Vec<Option<Value>> = vec![None; self.table.vocabulary.len()];
        scan.expect(b'{')?;
        if !scan.next_is(b'}') {
            loop {
                let i = *self.facts.get(scan.string()?)? as usize;
                scan.expect(b':')?;
                let (column, members) = (self.table.vocabulary.get(i)?, self.members.get(i)?);
                let value = match column.ty {
                    ColumnType::Bool => Value::Bool(scan.bool()?),
                    ColumnType::Count => Value::Count(i64::try_from(scan.count()?).ok()?),
                    ColumnType::Date => Value::Date(Date::parse(std::str::from_utf8(scan.string()?).ok()?)?.days()),
                    ColumnType::Enum => Value::Member(*members.get(scan.string()?)?),
                    ColumnType::Set => Value::Set(scan.set(members, column.domain.len())?),
                };
                let slot = values.get_mut(i)?;
                // A repeated key: a JSON object keeps only the last value; leave it to from_json.
                if slot.is_some() {
                    return None;
                }
                *slot = Some(value);
                if scan.next_is(b'}') {
                    break;
                }
                scan.expect(b',')?;
            }
        }
        scan.end()?;
        Some(values)
    }
}

/// A reading of JSON text (without escapes or control characters) that knows only what
/// scenarios are usually written with: strings, whole numbers without sign, fraction or exponent, `true` and `false`, and
/// lists of strings. It gives up (`None`) on anything else, valid JSON or not; what it does
/// read, it reads as any JSON reader would.
struct Scan<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    /// The next byte after any JSON whitespace.
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.text;
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.at) {
            self.at += 1;
        }
        bytes.get(self.at).copied()
    }

    /// Whether the next byte is `byte`, taking it if so.
    fn next_is(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.next_is(byte).then_some(())
    }

    /// Nothing but whitespace is left.
    fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// A string, in a text without escapes or control characters.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        let length = memchr::memchr(b'"', self.text.get(start..)?)?;
        self.at = start + length + 1;
        self.text.get(start..start + length)
    }

    /// A whole number, 0 or more, as JSON writes it: no leading zeros, and no fraction or
    /// exponent after it.
    fn count(&mut self) -> Option<u64> {
        let bytes = self.text;
        self.peek()?;
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = bytes.get(self.at) {
            n = n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && bytes.get(start) == Some(&b'0');
        (digits > 0 && !leading_zero && !matches!(bytes.get(self.at), Some(b'.' | b'e' | b'E'))).then_some(n)
    }

    fn bool(&mut self) -> Option<bool> {
        self.peek()?;
        let rest = self.text.get(self.at..)?;
        let (value, word) = if rest.starts_with(b"true") { (true, 4) } else { (false, 5) };
        if !value && !rest.starts_with(b"false") {
            return None;
        }
        self.at += word;
        Some(value)
    }

    /// A list of member names: its bit mask over a domain of `size` members.
    fn set(&mut self, members: &NameMap<'_>, size: usize) -> Option<Vec<u64>> {
        let mut bits = vec![0u64; size.div_ceil(64)];
        self.expect(b'[')?;
        if self.next_is(b']') {
            return Some(bits);
        }
        loop {
            let m = *members.get(self.string()?)?;
            *bits.get_mut(m as usize / 64)? |= 1u64 << (m % 64);
            if self.next_is(b']') {
                return Some(bits);
            }
            self.expect(b',')?;
        }
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
        match indexed.read(text.as_bytes(), today) {
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
            " { \"origin\" : \"CN\" , \"destination\":\"US\", \"data\": [ ] }  ",
            r#"{"origin": "CN", "destination": "DE", "data": ["personal", "personal"]}"#,
            r#"{"origin": "CN", "destination": "DE", "individuals_ytd": 0, "consent": ["separate"]}"#,
            r#"{"destination": "DE", "data": ["personal"]}"#,
        ] {
            let quick = indexed.read(text.as_bytes(), today);
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
            r#"{"origin": "CN", "destination": "DE", "on_ftz_negative_list": fals}"#,
            r#"{"orig\u0069n": "CN", "destination": "DE"}"#,
            "{\"origin\": \"CN\", \"destination\": \"DE\"\u{1}}",
            "{\t\"origin\": \"CN\",\r\n\"destination\": \"DE\"}",
        ] {
            assert!(indexed.read(text.as_bytes(), today).is_none(), "read quickly: {text}");
        }
        let not_utf8 = b"{\"origin\": \"CN\", \"destination\": \"DE\", \"data\": [\"\xff\"]}";
        assert!(indexed.read(not_utf8, today).is_none());
        for count in
            ["-0", "-5", "01", "1.0", "1e3", "1E3", "9223372036854775808", "18446744073709551616", "\"5\"", "null"]
        {
            let text = format!(r#"{{"origin": "CN", "destination": "DE", "individuals_ytd": {count}}}"#);
            assert!(indexed.read(text.as_bytes(), today).is_none(), "read quickly: {text}");
        }
    }

    #[test]
    fn never_reads_a_damaged_scenario_otherwise_than_from_json() {
        let table = cn();
        let indexed = Indexed::new(&table);
        let today = Date::parse("2026-01-01").unwrap();
        for i in 0..=FULL.len() {
            let (before, after) = FULL.split_at(i);
            for edit in
                ["", " ", "\t", "\"", "{", "}", "[", "]", ",", ":", "0", "1", "-", ".", "e", "\\", "n", "true", "CN"]
            {
                let inserted = format!("{before}{edit}{after}");
                assert!(agrees(&indexed, &table, &inserted, today), "{inserted}");
                let replaced = format!("{before}{edit}{}", after.get(1..).unwrap_or_default());
                assert!(agrees(&indexed, &table, &replaced, today), "{replaced}");
            }
        }
    }
}
