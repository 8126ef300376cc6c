//! The project file, `Accord.toml`: which rule files are the project's own. `accord check` and
//! `accord test` given no path read these, not every `.accord` file below the current
//! directory (a repository's deliberately broken test cases, say). Their `use`s may then reach
//! any rule file in the project (the project file's directory), and no further.
//!
//! ```toml
//! # The project's own rule files, relative to this file: files, or directories searched for
//! # `.accord` files.
//! rules = ["stdlib", "examples"]
//! ```

use miette::miette;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The project file's name.
pub(crate) const FILE: &str = "Accord.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    rules: Vec<PathBuf>,
}

/// What a command reads when given no path: the `rules` of the nearest `Accord.toml` in the
/// current directory or a directory above it (relative to that file), or else the current
/// directory. With them, the directory imports may reach: the project's (the project file's),
/// or the current directory.
pub(crate) fn default_paths() -> Result<(Vec<PathBuf>, PathBuf), miette::Report> {
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).map_err(|e| {
        miette!(
            help = "run it from a directory you can read, or name the files to read",
            "cannot read the current directory: {e}"
        )
    })?;
    // `up` reaches `at` from the current directory: `.`, then `..`, `../..`, …
    let (mut at, mut up) = (cwd.as_path(), PathBuf::from("."));
    loop {
        if at.join(FILE).is_file() {
            return Ok((rules(&up)?, up));
        }
        match at.parent() {
            Some(parent) => at = parent,
            None => return Ok((vec![PathBuf::from(".")], PathBuf::from("."))),
        }
        up = if up == Path::new(".") { PathBuf::from("..") } else { up.join("..") };
    }
}

/// The `rules` of the project file in `dir`, each relative to the current directory.
fn rules(dir: &Path) -> Result<Vec<PathBuf>, miette::Report> {
    let path = if dir == Path::new(".") { PathBuf::from(FILE) } else { dir.join(FILE) };
    let text = std::fs::read_to_string(&path).map_err(|e| miette!("cannot read `{}`: {e}", path.display()))?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e| {
        miette!(
            help = "the project file lists the project's rule files: `rules = [\"stdlib\", \"examples\"]`",
            "`{}` is not a project file Accord reads: {}",
            path.display(),
            e.to_string().trim_end()
        )
    })?;
    if manifest.rules.is_empty() {
        return Err(miette!(
            help = "list the files or directories of the project's rule files: `rules = [\"rules\"]`",
            "`{}` lists no rule files",
            path.display()
        ));
    }
    let rules: Vec<PathBuf> =
        manifest.rules.into_iter().map(|r| if dir == Path::new(".") { r } else { dir.join(r) }).collect();
    if let Some(missing) = rules.iter().find(|r| !r.exists()) {
        return Err(miette!(
            help = "list the files or directories of the project's rule files, relative to the project file",
            "`{}` lists `{}`, which does not exist",
            path.display(),
            missing.display()
        ));
    }
    Ok(rules)
}
