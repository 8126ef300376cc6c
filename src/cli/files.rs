//! Finding and reading rule files.

use crate::source::{Loaded, Loader};
use crate::syntax::MAX_FILE_BYTES;
use miette::miette;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The paths a command was given, or for none the project's rule files
/// ([`super::project::default_paths`]); with the loader for their `use`s, which stay inside
/// the directories of the paths given, or the project's.
pub(crate) fn paths_or_project(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, FsLoader), miette::Report> {
    if paths.is_empty() {
        let (rules, project) = super::project::default_paths()?;
        Ok((rules, FsLoader::around(&[project])))
    } else {
        Ok((paths.to_vec(), FsLoader::around(paths)))
    }
}

/// Every `.accord` file named by `paths`: files as given, directories searched recursively
/// (hidden directories and `target` skipped), each directory's files in name order.
pub(crate) fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, miette::Report> {
    let mut found = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| {
            miette!(
                help = "check the path; directories are searched for `.accord` files",
                "cannot read `{}`: {e}",
                path.display()
            )
        })?;
        if metadata.is_dir() {
            let before = found.len();
            walk(path, &mut found)?;
            if found.len() == before {
                return Err(miette!(
                    help = "rule files end in `.accord`",
                    "no `.accord` files in `{}`",
                    path.display()
                ));
            }
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), miette::Report> {
    let entries = std::fs::read_dir(dir).map_err(|e| miette!("cannot read directory `{}`: {e}", dir.display()))?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Not following links to directories keeps the walk finite (a link to `..` is a cycle);
        // a link to a file is followed like the file.
        let Ok(own) = std::fs::symlink_metadata(&path) else { continue };
        if own.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, found)?;
            }
        } else if path.extension().is_some_and(|e| e == "accord") && path.metadata().is_ok_and(|m| m.is_file()) {
            // Only regular files: opening a FIFO or a device would block or never end.
            found.push(path);
        }
    }
    Ok(())
}

/// Reads a file, but never more than one byte past the size limit, so that a huge file costs
/// no more than the limit and is then reported as too large.
pub(crate) fn read(path: &Path) -> Result<Loaded, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    let key = std::fs::canonicalize(path).map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    Ok(Loaded { key, name: path.display().to_string(), bytes })
}

/// Whether `use "path"` may reach outside the directories of the files given
/// (`--allow-import-outside`); set once, from the command line.
pub(crate) static IMPORT_OUTSIDE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Finds `use "path"` files relative to the file that uses them, inside the directories of the
/// files given (after resolving links), unless `--allow-import-outside`. Only `.accord` files
/// are read: anything else is refused by name, never quoted.
#[derive(Clone)]
pub(crate) struct FsLoader {
    /// Where imports may lead, canonical.
    roots: Vec<PathBuf>,
}

impl FsLoader {
    /// A loader for the files or directories `paths` name (the current directory for none).
    pub(crate) fn around(paths: &[PathBuf]) -> FsLoader {
        let dir =
            |p: &Path| if p.is_dir() { p.to_path_buf() } else { p.parent().unwrap_or(Path::new("")).to_path_buf() };
        let roots = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.iter().map(|p| dir(p)).collect() };
        let roots = roots
            .iter()
            .map(|r| if r.as_os_str().is_empty() { Path::new(".") } else { r.as_path() })
            .filter_map(|r| std::fs::canonicalize(r).ok())
            .collect();
        FsLoader { roots }
    }
}

impl Loader for FsLoader {
    fn load(&mut self, importer: &str, path: &str) -> Result<Loaded, String> {
        let base = Path::new(importer).parent().unwrap_or(Path::new(""));
        let full = base.join(path);
        if full.extension().is_none_or(|e| e != "accord") {
            return Err(format!("`{path}` is not a rule file: rule files end in `.accord`"));
        }
        if !full.is_file() {
            return Err(format!("no file `{}`", full.display()));
        }
        let canonical = std::fs::canonicalize(&full).map_err(|e| e.to_string())?;
        let outside = !IMPORT_OUTSIDE.get().copied().unwrap_or(false)
            && !self.roots.iter().any(|root| canonical.starts_with(root));
        if outside {
            let roots: Vec<String> = self.roots.iter().map(|r| format!("`{}`", relative_to_cwd(r))).collect();
            return Err(format!(
                "`{path}` is outside {}, where the files given are: imports stay inside (pass \
                 `--allow-import-outside` to follow it)",
                roots.join(" and ")
            ));
        }
        let mut loaded = read(&full)?;
        loaded.name = relative_to_cwd(&full);
        Ok(loaded)
    }
}

fn relative_to_cwd(path: &Path) -> String {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let cwd = std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok());
    match cwd.as_deref().and_then(|cwd| canonical.strip_prefix(cwd).ok()) {
        Some(relative) => relative.display().to_string(),
        None => canonical.display().to_string(),
    }
}
