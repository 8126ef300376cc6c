//! The standard library, embedded in the binary so that `accord` works from any directory.

/// One embedded module.
#[derive(Debug, Clone, Copy)]
pub struct StdModule {
    /// The name `use` gives it (`use jurisdiction`).
    pub name: &'static str,
    /// Its source text.
    pub text: &'static str,
}

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(StdModule { name: $name, text: include_str!(concat!("../stdlib/", $name, ".accord")) }),*]
    };
}

/// The vocabulary every rule file speaks: these modules are in scope in every file without a
/// `use` (the prelude), and may also be named with `use`.
pub const VOCABULARY: &[StdModule] =
    embed!["jurisdiction", "mechanism", "obligation", "transfer", "relations", "weights"];

/// The standard regimes (`stdlib/regimes/*.accord`), by id (the file's stem), in id order.
pub const REGIMES: &[StdModule] = include!(concat!(env!("OUT_DIR"), "/regimes.rs"));

/// The recognition accords between the standard regimes (`stdlib/accords.accord`).
pub const ACCORDS: StdModule = StdModule { name: "accords", text: include_str!("../stdlib/accords.accord") };

/// How the accords file is named in diagnostics.
pub const ACCORDS_NAME: &str = "<stdlib>/accords.accord";

/// The standard regime with this id.
pub fn regime(id: &str) -> Option<&'static StdModule> {
    REGIMES.iter().find(|m| m.name == id)
}

/// How an embedded regime file is named in diagnostics and tables.
pub fn regime_display_name(id: &str) -> String {
    format!("<stdlib>/regimes/{id}.accord")
}

/// The embedded module `use name` refers to, and its name in diagnostics: a vocabulary
/// module (`transfer`) or a standard regime (`regimes/eu`).
pub fn module(name: &str) -> Option<(&'static StdModule, String)> {
    if let Some(id) = name.strip_prefix("regimes/") {
        return regime(id).map(|m| (m, regime_display_name(id)));
    }
    VOCABULARY.iter().find(|m| m.name == name).map(|m| (m, format!("<stdlib>/{name}.accord")))
}

/// Every name `use` accepts for an embedded module.
pub fn module_names() -> Vec<String> {
    VOCABULARY.iter().map(|m| m.name.to_owned()).chain(REGIMES.iter().map(|m| format!("regimes/{}", m.name))).collect()
}
