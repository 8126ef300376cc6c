//! Source files, spans into them, and how `use "file.accord"` finds another file.
//!
//! The library never touches the file system: whoever drives it (the `accord` binary, a test,
//! an embedding tool) supplies a [`Loader`].

use std::collections::BTreeMap;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range lies in.
    pub file: FileId,
    /// Byte offset of the first character.
    pub start: u32,
    /// Byte offset one past the last character.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self { file, start: clamp(start), end: clamp(end) }
    }

    /// The smallest span covering both `self` and `other` (which must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// Byte range, for slicing source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

fn clamp(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// One source file: its display name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// How the file is named in diagnostics (a path as the user gave it, or `<stdlib>/…`).
    pub name: String,
    /// The file's text (valid UTF-8; invalid input is rejected before it gets here).
    pub text: String,
    /// Byte offset of each line's start, so that a position's line is a binary search (a
    /// table of 10,000 rows asks for 10,000 positions in one file).
    line_starts: Vec<usize>,
    /// How many characters precede each [`CHAR_BLOCK`]-byte block, so that a column on a long
    /// line is counted over one block, not the whole line (200,000 rules on one line ask for
    /// 200,000 columns).
    char_marks: Vec<usize>,
}

/// The bytes between two [`SourceFile::char_marks`].
const CHAR_BLOCK: usize = 4096;

/// How many characters start in `bytes` (any slice of UTF-8: continuation bytes are skipped).
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl SourceFile {
    /// How many characters precede byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let from = block * CHAR_BLOCK;
        let counted = self.char_marks.get(block).copied().unwrap_or(0);
        counted + self.text.as_bytes().get(from..offset).map_or(0, chars_in)
    }
}

/// Every file read during a run, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: String, text: String) -> FileId {
        let id = FileId(clamp(self.files.len()));
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let mut char_marks = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
        let mut counted = 0;
        for block in text.as_bytes().chunks(CHAR_BLOCK) {
            char_marks.push(counted);
            counted += chars_in(block);
        }
        self.files.push(SourceFile { name, text, line_starts, char_marks });
        id
    }

    /// The file with this id, if there is one.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(clamp(i)), f))
    }

    /// The text a span covers, or `""` if the span does not fit the file.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file).and_then(|f| f.text.get(span.range())).unwrap_or("")
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, file: FileId, offset: u32) -> (usize, usize) {
        let Some(file) = self.get(file) else { return (1, 1) };
        let offset = (offset as usize).min(file.text.len());
        let line = file.line_starts.partition_point(|&start| start <= offset).max(1);
        let line_start = file.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = file.chars_before(offset) - file.chars_before(line_start) + 1;
        (line, column)
    }
}

/// A file found by a [`Loader`].
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Identity of the file: two `use`s that reach the same key load one module.
    pub key: String,
    /// How to name it in diagnostics.
    pub name: String,
    /// Its contents, not yet known to be UTF-8.
    pub bytes: Vec<u8>,
}

/// Finds the file a `use "path"` names.
pub trait Loader {
    /// Reads `path`, relative to the directory of the module whose key is `importer`.
    ///
    /// The error is a short reason in words ("no such file"), shown next to the `use`.
    fn load(&mut self, importer: &str, path: &str) -> Result<Loaded, String>;
}

/// A loader over files held in memory, keyed by normalised relative path; for tests and tools.
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    /// File contents by path (`dir/file.accord`).
    pub files: BTreeMap<String, String>,
}

impl Loader for MemoryLoader {
    fn load(&mut self, importer: &str, path: &str) -> Result<Loaded, String> {
        let key = join_relative(importer, path);
        match self.files.get(&key) {
            Some(text) => Ok(Loaded { key: key.clone(), name: key, bytes: text.clone().into_bytes() }),
            None => Err("no such file".to_owned()),
        }
    }
}

/// Joins `path` to the directory of `importer` and folds `.` and `..` components.
pub fn join_relative(importer: &str, path: &str) -> String {
    let mut parts: Vec<&str> = importer.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), None | Some(&"..")) {
                    parts.push("..");
                } else {
                    parts.pop();
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_fold_dots() {
        assert_eq!(join_relative("a/b.accord", "c.accord"), "a/c.accord");
        assert_eq!(join_relative("a/b.accord", "../c.accord"), "c.accord");
        assert_eq!(join_relative("b.accord", "../c.accord"), "../c.accord");
        assert_eq!(join_relative("b.accord", "./x/./c.accord"), "x/c.accord");
    }

    #[test]
    fn line_and_column_count_characters() {
        let mut map = SourceMap::default();
        let id = map.add("f".into(), "ab\nçd e".into());
        assert_eq!(map.line_column(id, 0), (1, 1));
        assert_eq!(map.line_column(id, 3), (2, 1));
        assert_eq!(map.line_column(id, 6), (2, 3));
    }
}
