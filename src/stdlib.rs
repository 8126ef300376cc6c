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
pub const VOCABULARY: &[StdModule] = embed!["jurisdiction", "mechanism", "obligation", "transfer"];

/// The standard regimes (`stdlib/regimes/*.accord`), by id (the file's stem), in id order.
pub const REGIMES: &[StdModule] = include!(concat!(env!("OUT_DIR"), "/regimes.rs"));

/// The standard regime with this id.
pub fn regime(id: &str) -> Option<&'static StdModule> {
    REGIMES.iter().find(|m| m.name == id)
}

/// How an embedded regime file is named in diagnostics and tables.
pub fn regime_display_name(id: &str) -> String {
    format!("<stdlib>/regimes/{id}.accord")
}

/// The embedded module `use name` refers to.
pub fn module(name: &str) -> Option<&'static StdModule> {
    VOCABULARY.iter().find(|m| m.name == name)
}

/// How an embedded module is named in diagnostics.
pub fn display_name(name: &str) -> String {
    format!("<stdlib>/{name}.accord")
}
