//! Naming a regime on the command line (`cn`, `rules/eu.accord`, `rules/all.accord#eu`) and
//! turning it into a checked, compiled table.

use super::Failure;
use super::files::{self, FsLoader};
use crate::check::{self, Checked, ir::RegimeId};
use crate::compile;
use crate::diagnostics::closest;
use crate::source::Loaded;
use crate::stdlib;
use crate::table::Table;
use miette::miette;
use std::path::{Path, PathBuf};

/// Loads, checks and compiles the regime `spec` names, into its table. Problems in the rules are printed (in
/// `format`) and make this an input failure.
pub(crate) fn load(spec: &str, format: super::ErrorFormat, colour: bool) -> Result<Table, Failure> {
    let (path_part, id) = match spec.rsplit_once('#') {
        Some((path, id)) => (path, Some(id)),
        None => (spec, None),
    };
    let root = if Path::new(path_part).is_file() {
        files::read(Path::new(path_part)).map_err(|e| Failure::Input(miette!("cannot read `{path_part}`: {e}")))?
    } else if let Some(module) = stdlib::regime(path_part) {
        let name = stdlib::regime_display_name(module.name);
        Loaded { key: name.clone(), name, bytes: module.text.as_bytes().to_vec() }
    } else if path_part.contains(['/', '\\']) || path_part.ends_with(".accord") {
        return Err(Failure::Input(miette!("cannot read `{path_part}`: no such file")));
    } else {
        let ids: Vec<&str> = stdlib::REGIMES.iter().map(|m| m.name).collect();
        let known = if ids.is_empty() { "none yet".to_owned() } else { ids.join(", ") };
        let help = match closest(path_part, ids.iter().copied()) {
            Some(id) => format!("did you mean `{id}`?"),
            None => format!("name a rule file, or a standard regime ({known})"),
        };
        return Err(Failure::Input(miette!(help = help, "no file `{path_part}` and no standard regime `{path_part}`")));
    };
    let root_name = root.name.clone();
    let checked = check::check(vec![root], &mut FsLoader::around(&[PathBuf::from(path_part)]))?;
    if checked.has_errors() {
        super::check::print(&checked, 1, format, colour)?;
        return Err(Failure::Reported);
    }
    let in_root: Vec<RegimeId> = checked
        .program
        .regimes
        .iter()
        .enumerate()
        .filter(|(_, r)| checked.sources.get(r.span.file).is_some_and(|f| f.name == root_name))
        .map(|(i, _)| RegimeId(u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let name_of = |r: &RegimeId| checked.program.regimes.get(r.index()).map(|r| r.id.clone()).unwrap_or_default();
    let regime = match (id, in_root.as_slice()) {
        (None, [only]) => *only,
        (None, []) => return Err(Failure::Input(miette!("`{root_name}` declares no regime"))),
        (None, many) => {
            let ids: Vec<String> = many.iter().map(name_of).collect();
            return Err(Failure::Input(miette!(
                help = format!("name one: `{root_name}#{}`", ids.first().cloned().unwrap_or_default()),
                "`{root_name}` declares several regimes: {}",
                ids.join(", ")
            )));
        }
        (Some(id), all) => match all.iter().find(|r| name_of(r) == id) {
            Some(r) => *r,
            None => {
                let ids: Vec<String> = all.iter().map(name_of).collect();
                return Err(Failure::Input(miette!(
                    "`{root_name}` declares no regime `{id}` (it declares: {})",
                    ids.join(", ")
                )));
            }
        },
    };
    match compile::compile(&checked.program, regime, &checked.sources) {
        Ok(table) => Ok(table),
        Err(compile::Failed::Internal(bug)) => Err(Failure::Internal(bug)),
        Err(compile::Failed::Input(diagnostics)) => {
            let with_errors = Checked { diagnostics, ..checked };
            super::check::print(&with_errors, 1, format, colour)?;
            Err(Failure::Reported)
        }
    }
}

/// Loads a regime named with an optional date pin: `cn@2024-06-01` is `cn` read on that
/// transfer date only. (`@` followed by anything but a date is part of the name.)
pub(crate) fn load_pinned(
    spec: &str,
    format: super::ErrorFormat,
    colour: bool,
) -> Result<(Table, Option<crate::date::Date>), Failure> {
    let Some((name, after)) = spec.rsplit_once('@').filter(|_| !Path::new(spec).is_file()) else {
        return Ok((load(spec, format, colour)?, None));
    };
    match crate::date::Date::parse(after) {
        Some(date) => Ok((load(name, format, colour)?, Some(date))),
        None => Err(Failure::Input(miette!(
            help = "pin a regime to a transfer date written YYYY-MM-DD, a real day: `cn@2024-06-01`",
            "`{after}` in `{spec}` is not a date"
        ))),
    }
}

/// The accords a rule file declares (with those of the files it uses).
pub(crate) fn load_accords(
    path: &str,
    format: super::ErrorFormat,
    colour: bool,
) -> Result<Vec<crate::compile::accords::Accord>, Failure> {
    let root = files::read(Path::new(path)).map_err(|e| Failure::Input(miette!("cannot read `{path}`: {e}")))?;
    let checked = check::check(vec![root], &mut FsLoader::around(&[PathBuf::from(path)]))?;
    if checked.has_errors() {
        super::check::print(&checked, 1, format, colour)?;
        return Err(Failure::Reported);
    }
    crate::compile::accords::accords(&checked.program, &checked.sources).map_err(|e| match e {
        crate::compile::accords::AccordsFailed::TooLarge(what) => {
            Failure::Input(miette!(help = "narrow the accord's `when`", "{what}"))
        }
        crate::compile::accords::AccordsFailed::Internal(bug) => Failure::Internal(bug),
    })
}

/// Today in UTC, the default transfer date.
pub(crate) fn today() -> crate::date::Date {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    crate::date::Date::from_days(i64::try_from(seconds / 86_400).unwrap_or(0))
}
