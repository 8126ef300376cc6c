//! `accord lsp`: the language server's input and output. Messages are framed as the protocol
//! says (`Content-Length: N`, an empty line, N bytes of JSON) on standard input and output; the
//! server itself ([`crate::lsp::Server`]) does no IO.

use super::Failure;
use super::files::FsLoader;
use crate::lsp::{Server, Workspace, code, error_response};
use crate::source::Loader;
use serde_json::Value;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Run a language server on standard input and output, for editors.
///
/// It checks each open document as `accord check` does, as it is typed, and offers hover, go to
/// definition and find references (across `use`d files and the standard library, which is
/// written out to the user's cache directory for the editor to open), completion, the diagnostics'
/// fixes as code actions, and formatting. A malformed message gets an error response, and the
/// server goes on. See `editors/README.md` for VS Code, Neovim and Helix.
#[derive(Debug, clap::Args)]
pub(crate) struct LspArgs {
    /// Accepted for editors that pass it; standard input and output are the only transport
    #[arg(long)]
    stdio: bool,
}

/// The largest message read; a larger one is skipped with an error response.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

pub(crate) fn run(_args: &LspArgs) -> Result<ExitCode, Failure> {
    let stdlib = write_stdlib();
    let mut server = Server::new(Box::new(Disk { stdlib }));
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    loop {
        let frame = match read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            // The editor has gone: end as if told to exit.
            Ok(None) => return Ok(exit_code(server.exited().unwrap_or(false))),
            Err(e) => {
                super::say(&format!("accord lsp: cannot read standard input: {e}\n"));
                return Ok(ExitCode::from(1));
            }
        };
        let replies = match frame {
            Frame::Malformed(why) => vec![error_response(Value::Null, code::PARSE_ERROR, &why)],
            Frame::Body(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Err(e) => vec![error_response(Value::Null, code::PARSE_ERROR, &format!("not JSON: {e}"))],
                Ok(message) => handle(&mut server, message),
            },
        };
        for reply in replies {
            write(&reply)?;
        }
        if let Some(shutdown) = server.exited() {
            return Ok(exit_code(shutdown));
        }
    }
}

/// One message, with a bug in the server answered as an internal error rather than ending it.
fn handle(server: &mut Server, message: Value) -> Vec<Value> {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.handle(message))) {
        Ok(replies) => replies,
        Err(_) => {
            vec![error_response(id, code::INTERNAL_ERROR, "internal error: this is a bug in Accord, please report it")]
        }
    }
}

fn exit_code(shutdown: bool) -> ExitCode {
    if shutdown { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

enum Frame {
    Body(Vec<u8>),
    /// Headers that do not say how long the body is, or a body too large.
    Malformed(String),
}

/// The longest header line read; the rest of a longer one is skipped.
const MAX_LINE: u64 = 64 * 1024;

/// The next message; `None` at the end of the input. After a malformed message the reader
/// finds its footing again at the next line that holds a `Content-Length` header (a body
/// that was never read runs into the next header's line, so the header is looked for
/// anywhere in a line).
fn read_frame(input: &mut impl BufRead) -> std::io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut bad_header = None;
    let mut saw_any = false;
    loop {
        let mut line = Vec::new();
        if input.by_ref().take(MAX_LINE).read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_any {
                continue;
            }
            break;
        }
        saw_any = true;
        let lower = text.to_ascii_lowercase();
        match lower.find("content-length:") {
            Some(at) => match text.get(at + "content-length:".len()..).map(str::trim).map(str::parse::<usize>) {
                Some(Ok(n)) => length = Some(n),
                _ => bad_header = Some("`Content-Length` is not a number".to_owned()),
            },
            None if !text.contains(':') => {
                bad_header = Some(format!("not a header line: `{}`", text.chars().take(80).collect::<String>()));
            }
            None => {}
        }
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Malformed(
            bad_header.unwrap_or_else(|| "a message needs a `Content-Length` header".to_owned()),
        )));
    };
    if length > MAX_MESSAGE {
        // Not read: what follows is skipped up to the next header.
        return Ok(Some(Frame::Malformed(format!("a message of {length} bytes is over the {MAX_MESSAGE}-byte limit"))));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Ok(()) => Ok(Some(Frame::Body(body))),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

fn write(message: &Value) -> Result<(), Failure> {
    let body = serde_json::to_string(message).map_err(|e| crate::InternalError(e.to_string()))?;
    let mut stdout = std::io::stdout().lock();
    let written = write!(stdout, "Content-Length: {}\r\n\r\n{body}", body.len()).and_then(|()| stdout.flush());
    written.map_err(|e| Failure::Input(miette::miette!("cannot write to the editor: {e}")))
}

/// Files on disk, and the standard library where [`write_stdlib`] put it.
struct Disk {
    stdlib: Option<PathBuf>,
}

impl Workspace for Disk {
    fn loader(&self, path: &Path) -> Box<dyn Loader> {
        Box::new(FsLoader::around(&[path.to_path_buf()]))
    }

    fn key(&self, path: &Path) -> Option<String> {
        // As `files::read` keys the files it reads.
        std::fs::canonicalize(path).ok().map(|p| p.display().to_string())
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        if let Some(relative) = name.strip_prefix("<stdlib>/") {
            return self.stdlib.as_ref().map(|dir| dir.join(relative));
        }
        let path = Path::new(name);
        if path.is_absolute() { Some(path.to_path_buf()) } else { std::env::current_dir().ok().map(|d| d.join(path)) }
    }
}

/// Writes the embedded standard library to a directory of this version's own in the user's
/// cache directory, so that an editor can open what a definition in it points to. `None`
/// (said on standard error) if it cannot be written: definitions there are then not offered.
fn write_stdlib() -> Option<PathBuf> {
    // The user's cache directory, where there is one: a fixed name in a shared temporary
    // directory could be another user's.
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let dir = cache.join("accord").join(format!("stdlib-{}", env!("CARGO_PKG_VERSION")));
    let modules = crate::stdlib::VOCABULARY
        .iter()
        .map(|m| (format!("{}.accord", m.name), m.text))
        .chain(crate::stdlib::REGIMES.iter().map(|m| (format!("regimes/{}.accord", m.name), m.text)))
        .chain([("accords.accord".to_owned(), crate::stdlib::ACCORDS.text)]);
    for (relative, text) in modules {
        let path = dir.join(relative);
        if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            continue;
        }
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            super::say(&format!("accord lsp: cannot write the standard library to `{}`: {e}\n", dir.display()));
            return None;
        }
    }
    Some(dir)
}
