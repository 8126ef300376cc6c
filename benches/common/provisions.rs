//! A generator of large regimes shaped like the standard ones, for the diff bench.
//!
//! The standard regimes test a short list of categories, traits and thresholds each (5 to 30
//! set members; `cn`, the largest, 30) and most of their provisions are about particular
//! destinations. A regime of 1,000 such provisions is what the diff is built for: where two
//! versions differ, only the provisions about the same destinations, and the few general ones,
//! can overlap the change. (`regimes::generate_regime` draws every test from the whole
//! vocabulary instead, so hundreds of unrelated rules overlap any one; see the bench.)

use crate::common::Rng;
use crate::regimes::{list, subset};
use std::fmt::Write as _;

/// Destinations provisions are written about: sixty of the vocabulary's countries.
const DESTINATIONS: &[&str] = &[
    "US", "GB", "JP", "KR", "SG", "DE", "FR", "IN", "BR", "AU", "VN", "HK", "MO", "RU", "NL", "IT", "ES", "CA", "MX",
    "TH", "MY", "ID", "PH", "IE", "SE", "NZ", "CH", "AE", "SA", "TR", "ZA", "NG", "EG", "KE", "AR", "CL", "CO", "PE",
    "PL", "AT", "BE", "DK", "FI", "NO", "PT", "GR", "CZ", "HU", "RO", "IL", "PK", "BD", "LK", "KZ", "UA", "QA", "KW",
    "MA", "TW", "LU",
];
const BLOCS: &[&str] = &["EU", "EEA", "APEC", "ASEAN", "US_COUNTRIES_OF_CONCERN"];
const CATEGORIES: &[&str] = &["personal", "health", "biometric", "genetic", "financial_account", "important", "core"];
const TRAITS: &[&str] = &[
    "exporter has ciio",
    "exporter has data_broker",
    "recipient has covered_person",
    "recipient has same_group",
    "purpose has contract_with_individual",
    "consent has separate",
    "data_collected_abroad",
];
const VOLUMES: &[&str] = &["1_000", "10_000", "100_000", "1_000_000", "10_000_000"];
const DATES: &[&str] = &["2022-09-01", "2024-03-22", "2025-01-01"];
const OUTCOMES: &[&str] = &[
    "permit",
    "permit",
    "prohibit",
    "require cn_standard_contract or cn_certification",
    "require cn_standard_contract or cn_certification",
    "require cn_security_assessment",
    "require explicit_consent or bcr",
];

/// One test of kind `kind` (of six) from the regime's short list.
fn factor(rng: &mut Rng, kind: usize) -> String {
    match kind {
        0 => format!("data has {}", rng.pick(CATEGORIES)),
        1 => format!("data has any {}", list(&subset(rng, &CATEGORIES[1..5], 3))),
        2 => {
            let band = rng.below(VOLUMES.len() - 1);
            format!("individuals_ytd in {}..{}", VOLUMES[band], VOLUMES[band + 1])
        }
        3 => format!("sensitive_individuals_ytd >= {}", rng.pick(&VOLUMES[..3])),
        4 => rng.pick(TRAITS).to_owned(),
        _ => format!("date >= {}", rng.pick(DATES)),
    }
}

/// Where a provision applies: most name one to three destinations, some a bloc, a few apply
/// to every destination.
fn destination(rng: &mut Rng) -> Option<String> {
    match rng.below(20) {
        0..=11 => Some(format!("destination == {}", rng.pick(DESTINATIONS))),
        12..=15 => Some(format!("destination in {}", list(&subset(rng, DESTINATIONS, 3)))),
        16..=17 => Some(format!("destination in {}", rng.pick(BLOCS))),
        _ => None,
    }
}

/// A regime of `rules` provisions over ten facts, with a default.
pub fn generate_provisions(rules: usize) -> String {
    generate_provisions_from(rules, 0xD1B5_4A32_D192_ED03)
}

/// [`generate_provisions`] drawn from another seed: an unrelated regime of the same shape.
pub fn generate_provisions_from(rules: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut text = String::with_capacity(rules * 160);
    text.push_str("/// A generated regime of provisions, for benchmarking the diff.\n");
    text.push_str("regime provisions \"Generated provisions\" {\n");
    text.push_str("  home CN\n  source \"https://example.org/provisions\"\n\n");
    for i in 0..rules {
        let mut factors: Vec<String> = destination(&mut rng).into_iter().collect();
        let more = if factors.is_empty() { 3 + rng.below(2) } else { 2 + rng.below(2) };
        let mut kinds: Vec<usize> = (0..6).collect();
        for _ in 0..more {
            let kind = kinds.swap_remove(rng.below(kinds.len()));
            factors.push(factor(&mut rng, kind));
        }
        let _ = write!(
            text,
            "  rule p{i:04} \"Provision {i}\" cite \"Art. {i}\"\n    when {}\n    then {}\n",
            factors.join(" and "),
            rng.pick(OUTCOMES)
        );
    }
    text.push_str("\n  default require cn_standard_contract or cn_certification\n}\n");
    text
}
