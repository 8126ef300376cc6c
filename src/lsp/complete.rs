//! Completion in context: what may be written at the cursor, read off the tokens before it.
//! After `require`, `or` in an outcome, `upon` or `accepts`: mechanisms. After `fact has`,
//! `has any {`, `in {`, `==` or a scenario's `fact:`: the members of the fact's enum (and, after
//! `in`, its named sets). Elsewhere: facts and `let`s.

use super::index::{Index, Kind, in_string_or_comment};
use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

/// What fits at byte `offset` of `text`.
pub fn items(index: &Index, text: &str, offset: usize) -> Vec<CompletionItem> {
    if in_string_or_comment(text, offset) {
        return Vec::new();
    }
    let before = text.get(..offset).unwrap_or(text);
    let word_start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |n| n + 1);
    let tokens = tokens(before.get(..word_start).unwrap_or(""));
    let prefix = before.get(word_start..).unwrap_or("");
    let mut out: Vec<CompletionItem> = match context(&tokens) {
        Context::Mechanism => members(index, "Mechanism"),
        Context::Obligation => members(index, "Obligation"),
        Context::ValueOf(fact, with_sets) => values_of(index, &fact, with_sets),
        Context::Home => {
            let sets = index.of_kind(Kind::Set).filter(|d| d.enum_name.as_deref() == Some("Jurisdiction"));
            let sets = sets.map(|d| item(&d.name, CompletionItemKind::CONSTANT, &d.detail, &d.hover));
            members(index, "Jurisdiction").into_iter().chain(sets).collect()
        }
        Context::Fact => facts(index),
        Context::Condition => facts(index).into_iter().chain(lets(index)).collect(),
    };
    out.retain(|item| item.label.starts_with(prefix));
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out.dedup_by(|a, b| a.label == b.label);
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Context {
    Mechanism,
    Obligation,
    /// A value of this fact; `true` when a named set fits too (after `in`).
    ValueOf(String, bool),
    /// A fact's name: a scenario's key.
    Fact,
    /// What a regime's `home` names: jurisdictions and sets of them.
    Home,
    Condition,
}

/// The tokens of `text`: words, and punctuation one token per character (`==` as one),
/// without strings and comments. Only the last part of a long text is read.
fn tokens(text: &str) -> Vec<String> {
    let from = text.len().saturating_sub(2_000);
    let from = (from..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
    let text = text.get(from..).unwrap_or("");
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(next) = chars.next() {
                    match next {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        break;
                    }
                }
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut word = c.to_string();
                while let Some(next) = chars.next_if(|n| n.is_ascii_alphanumeric() || *n == '_') {
                    word.push(next);
                }
                out.push(word);
            }
            '=' | '!' if chars.peek() == Some(&'=') => {
                chars.next();
                out.push(format!("{c}="));
            }
            c if c.is_whitespace() => {}
            c => out.push(c.to_string()),
        }
    }
    out
}

/// What is being written after `tokens`.
fn context(tokens: &[String]) -> Context {
    let t = |i: usize| tokens.len().checked_sub(i + 1).and_then(|j| tokens.get(j)).map_or("", String::as_str);
    // A scenario's key: after `given {`, or after a `,` in it.
    if t(0) == "{" && t(1) == "given" || t(0) == "," && scenario_key(tokens) {
        return Context::Fact;
    }
    // Inside a list `{a, b, `: step back over its items to the bracket.
    let mut i = 0;
    while t(i) == "," && is_word(t(i + 1)) {
        i += 2;
    }
    let op = if t(i) == "{" { i + 1 } else { i };
    match t(op) {
        "has" => return Context::ValueOf(t(op + 1).to_owned(), false),
        "any" | "all" if t(op + 1) == "has" => return Context::ValueOf(t(op + 2).to_owned(), false),
        "in" => return Context::ValueOf(t(op + 1).to_owned(), true),
        "==" | "!=" => return Context::ValueOf(t(op + 1).to_owned(), false),
        ":" if is_word(t(op + 1)) => return Context::ValueOf(t(op + 1).to_owned(), false),
        "with" => return Context::Obligation,
        "home" => return Context::Home,
        _ => {}
    }
    // `upon m or n {`: the obligations that come with relying on them.
    if op > i {
        let mut j = op;
        while is_word(t(j)) && t(j) != "upon" || t(j) == "or" {
            j += 1;
        }
        if t(j) == "upon" {
            return Context::Obligation;
        }
    }
    // An outcome or a mechanism list: `require a or `, `upon a or `, `x accepts a or `.
    for word in tokens.iter().rev() {
        match word.as_str() {
            "require" | "upon" | "accepts" | "else" => return Context::Mechanism,
            "when" | "let" | "=" | "(" | "has" | "in" | "==" | "!=" | "given" | "{" | "}" | "rule" | "oblige" => break,
            _ => {}
        }
    }
    Context::Condition
}

/// After a `,` in a scenario: the next thing is a key.
fn scenario_key(tokens: &[String]) -> bool {
    let mut depth = 0;
    for (i, word) in tokens.iter().enumerate().rev() {
        match word.as_str() {
            "}" => depth += 1,
            "{" if depth > 0 => depth -= 1,
            "{" => return i > 0 && tokens.get(i - 1).is_some_and(|w| w == "given"),
            _ => {}
        }
    }
    false
}

fn is_word(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
}

fn item(label: &str, kind: CompletionItemKind, detail: &str, hover: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: Some(detail.to_owned()),
        documentation: Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: hover.to_owned(),
        })),
        ..CompletionItem::default()
    }
}

fn members(index: &Index, enum_name: &str) -> Vec<CompletionItem> {
    index.members_of(enum_name).map(|d| item(&d.name, CompletionItemKind::ENUM_MEMBER, &d.detail, &d.hover)).collect()
}

fn facts(index: &Index) -> Vec<CompletionItem> {
    index.of_kind(Kind::Fact).map(|d| item(&d.name, CompletionItemKind::FIELD, &d.detail, &d.hover)).collect()
}

fn lets(index: &Index) -> Vec<CompletionItem> {
    index.of_kind(Kind::Let).map(|d| item(&d.name, CompletionItemKind::VARIABLE, &d.detail, &d.hover)).collect()
}

/// The values of a fact: its enum's members (and named sets), or `true` and `false`.
fn values_of(index: &Index, fact: &str, with_sets: bool) -> Vec<CompletionItem> {
    let Some(enum_name) = index.of_kind(Kind::Fact).find(|d| d.name == fact).and_then(|d| d.enum_name.clone()) else {
        return Vec::new();
    };
    if enum_name == "bool" {
        return ["true", "false"].iter().map(|b| item(b, CompletionItemKind::VALUE, "bool", "")).collect();
    }
    let mut out = members(index, &enum_name);
    if with_sets {
        out.extend(
            index
                .of_kind(Kind::Set)
                .filter(|d| d.enum_name.as_deref() == Some(enum_name.as_str()))
                .map(|d| item(&d.name, CompletionItemKind::CONSTANT, &d.detail, &d.hover)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context_of(text: &str) -> Context {
        context(&tokens(text))
    }

    #[test]
    fn contexts_are_read_off_the_tokens_before() {
        let value = |fact: &str, sets| Context::ValueOf(fact.to_owned(), sets);
        assert_eq!(context_of("rule a \"A\" cite \"x\" when data has "), value("data", false));
        assert_eq!(context_of("when data has any {health, "), value("data", false));
        assert_eq!(context_of("when destination in {"), value("destination", true));
        assert_eq!(context_of("when destination in "), value("destination", true));
        assert_eq!(context_of("when origin == "), value("origin", false));
        assert_eq!(context_of("given { destination: "), value("destination", false));
        assert_eq!(context_of("given { destination: DE, "), Context::Fact);
        assert_eq!(context_of("given { "), Context::Fact);
        assert_eq!(context_of("when data has health then require "), Context::Mechanism);
        assert_eq!(context_of("then require eu_scc or "), Context::Mechanism);
        assert_eq!(context_of("expect permit with {"), Context::Obligation);
        assert_eq!(context_of("expect permit upon cn_standard_contract or x {"), Context::Obligation);
        assert_eq!(context_of("regime r \"R\" {\n  home "), Context::Home);
        assert_eq!(context_of("  home {CN, "), Context::Home);
        assert_eq!(context_of("when data has health or "), Context::Condition);
        assert_eq!(context_of("let x = "), Context::Condition);
        assert_eq!(context_of("when \"require\" // require\n and "), Context::Condition);
    }
}
