//! `accord lsp`: a language server. [`Server`] takes each JSON-RPC message an editor sends and
//! returns the messages to send back; `cli::lsp` reads and writes them on standard input and
//! output. The server checks a document as `accord check` does (the same diagnostics, codes and
//! words, verification included) each time it opens or changes, and answers hover, go to
//! definition, find references, completion, code actions (the diagnostics' fixes) and
//! formatting (`accord fmt`) from that check.

mod complete;
mod index;
mod position;

use crate::check::Checked;
use crate::diagnostics::{self, Severity};
use crate::source::{FileId, Loaded, Loader, MemoryLoader};
use index::Index;
use lsp_types as lsp;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the server needs from the machine it runs on, which the command line provides.
pub trait Workspace {
    /// A loader for the `use`s of the document at `path`.
    fn loader(&self, path: &Path) -> Box<dyn Loader>;
    /// The identity the loaders give the file at `path` (its canonical path), if it exists.
    fn key(&self, path: &Path) -> Option<String>;
    /// Where the file a check names `name` can be opened (a path as read, or an embedded
    /// standard file written out for the editor to show), if anywhere.
    fn path(&self, name: &str) -> Option<PathBuf>;
}

/// JSON-RPC's error codes.
pub mod code {
    /// The message is not JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// The message is JSON, but not a request or a notification.
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The parameters do not fit the method.
    pub const INVALID_PARAMS: i64 = -32602;
    /// A bug in the server.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// A request before `initialize`.
    pub const NOT_INITIALIZED: i64 = -32002;
}

/// A JSON-RPC error response.
pub fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

struct Document {
    text: String,
    /// The name the check reads the document under (its path, or its URI).
    name: String,
    /// Its identity as a `use` reaches it (the canonical path, where there is one).
    key: String,
    /// The keys of the files its check read through `use`.
    uses: Vec<String>,
    checked: Option<Checked>,
    index: Index,
}

/// A loader that reads a `use`d file from the editor where it is open (with its unsaved
/// changes), and records what it read.
struct Overlay<'a> {
    inner: &'a mut dyn Loader,
    /// The open documents, and the one being checked (whose old text is not read).
    open: &'a BTreeMap<lsp::Url, Document>,
    checking: &'a lsp::Url,
    read: Vec<String>,
}

impl Loader for Overlay<'_> {
    fn load(&mut self, importer: &str, path: &str) -> Result<Loaded, String> {
        let mut loaded = self.inner.load(importer, path)?;
        if let Some((_, document)) = self.open.iter().find(|(u, d)| *u != self.checking && d.key == loaded.key) {
            loaded.bytes = document.text.clone().into_bytes();
        }
        self.read.push(loaded.key.clone());
        Ok(loaded)
    }
}

/// The server's state: the open documents and what their last check found.
pub struct Server {
    workspace: Box<dyn Workspace>,
    documents: BTreeMap<lsp::Url, Document>,
    initialized: bool,
    shutdown: bool,
    exited: bool,
}

impl Server {
    /// A server for `workspace`, waiting for `initialize`.
    pub fn new(workspace: Box<dyn Workspace>) -> Server {
        Server { workspace, documents: BTreeMap::new(), initialized: false, shutdown: false, exited: false }
    }

    /// Whether `exit` was received, and whether `shutdown` came before it (the exit code).
    pub fn exited(&self) -> Option<bool> {
        self.exited.then_some(self.shutdown)
    }

    /// Handles one message; returns what to send back (responses and notifications).
    pub fn handle(&mut self, message: Value) -> Vec<Value> {
        let Some(object) = message.as_object() else {
            return vec![error_response(Value::Null, code::INVALID_REQUEST, "a message is a JSON object")];
        };
        let id = object.get("id").cloned();
        let method = object.get("method").and_then(Value::as_str).map(str::to_owned);
        let params = object.get("params").cloned().unwrap_or(Value::Null);
        match (id, method) {
            (Some(id), Some(method)) => vec![self.request(id, &method, params)],
            (None, Some(method)) => self.notification(&method, params),
            // A response to a request of ours: the server sends none, so there is nothing to match.
            (Some(_), None) if object.contains_key("result") || object.contains_key("error") => Vec::new(),
            (id, None) => {
                vec![error_response(id.unwrap_or(Value::Null), code::INVALID_REQUEST, "a request needs a `method`")]
            }
        }
    }

    fn request(&mut self, id: Value, method: &str, params: Value) -> Value {
        if !self.initialized && method != "initialize" {
            return error_response(id, code::NOT_INITIALIZED, "the server has not been initialized");
        }
        if self.shutdown {
            return error_response(id, code::INVALID_REQUEST, "the server has been shut down: only `exit` is left");
        }
        let result = match method {
            "initialize" => {
                self.initialized = true;
                Ok(capabilities())
            }
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/hover" => {
                self.with(params, |s, p: lsp::HoverParams| Ok(s.hover(p.text_document_position_params)))
            }
            "textDocument/definition" => {
                self.with(params, |s, p: lsp::GotoDefinitionParams| Ok(s.definition(p.text_document_position_params)))
            }
            "textDocument/references" => self.with(params, |s, p: lsp::ReferenceParams| Ok(s.references(p))),
            "textDocument/completion" => self.with(params, |s, p: lsp::CompletionParams| Ok(s.completion(p))),
            "textDocument/codeAction" => self.with(params, |s, p: lsp::CodeActionParams| Ok(s.code_actions(p))),
            "textDocument/formatting" => self.with(params, |s, p: lsp::DocumentFormattingParams| s.formatting(p)),
            _ => Err((code::METHOD_NOT_FOUND, format!("no method `{method}`"))),
        };
        match result {
            Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
            Err((code, message)) => error_response(id, code, &message),
        }
    }

    /// Reads the parameters and answers with `answer`'s result as JSON.
    fn with<P: DeserializeOwned, R: serde::Serialize>(
        &mut self,
        params: Value,
        answer: impl FnOnce(&mut Self, P) -> Result<R, (i64, String)>,
    ) -> Result<Value, (i64, String)> {
        let params: P = serde_json::from_value(params).map_err(|e| (code::INVALID_PARAMS, e.to_string()))?;
        serde_json::to_value(answer(self, params)?).map_err(|e| (code::INTERNAL_ERROR, e.to_string()))
    }

    fn notification(&mut self, method: &str, params: Value) -> Vec<Value> {
        // Before `initialize`, notifications other than `exit` are dropped, as the protocol says.
        if !self.initialized && method != "exit" {
            return Vec::new();
        }
        match method {
            "exit" => {
                self.exited = true;
                Vec::new()
            }
            "textDocument/didOpen" => match serde_json::from_value::<lsp::DidOpenTextDocumentParams>(params) {
                Ok(p) => self.update(p.text_document.uri, p.text_document.text),
                Err(_) => Vec::new(),
            },
            "textDocument/didChange" => match serde_json::from_value::<lsp::DidChangeTextDocumentParams>(params) {
                // Full sync: the last change is the whole text.
                Ok(p) => match p.content_changes.into_iter().last() {
                    Some(change) => self.update(p.text_document.uri, change.text),
                    None => Vec::new(),
                },
                Err(_) => Vec::new(),
            },
            "textDocument/didClose" => match serde_json::from_value::<lsp::DidCloseTextDocumentParams>(params) {
                Ok(p) => {
                    self.documents.remove(&p.text_document.uri);
                    vec![publish(&p.text_document.uri, Vec::new())]
                }
                Err(_) => Vec::new(),
            },
            // `initialized`, `$/cancelRequest`, settings and the rest: nothing to do.
            _ => Vec::new(),
        }
    }

    /// Checks a document's new text and publishes what the check found in it.
    /// Checks a document's new text, then every open document that uses it, and publishes
    /// what each check found in its document.
    fn update(&mut self, uri: lsp::Url, text: String) -> Vec<Value> {
        let mut out = self.check(uri.clone(), text);
        let key = self.documents.get(&uri).map(|d| d.key.clone());
        let users: Vec<(lsp::Url, String)> = self
            .documents
            .iter()
            .filter(|(other, d)| **other != uri && key.as_ref().is_some_and(|k| d.uses.contains(k)))
            .map(|(other, d)| (other.clone(), d.text.clone()))
            .collect();
        for (other, text) in users {
            out.extend(self.check(other, text));
        }
        out
    }

    fn check(&mut self, uri: lsp::Url, text: String) -> Vec<Value> {
        let path = uri.to_file_path().ok();
        let name = path.as_ref().map_or_else(|| uri.to_string(), |p| p.display().to_string());
        let key = path.as_ref().and_then(|p| self.workspace.key(p)).unwrap_or_else(|| name.clone());
        let root = Loaded { key: key.clone(), name: name.clone(), bytes: text.clone().into_bytes() };
        let mut inner = match &path {
            Some(path) => self.workspace.loader(path),
            None => Box::new(MemoryLoader::default()),
        };
        let mut loader = Overlay { inner: inner.as_mut(), open: &self.documents, checking: &uri, read: Vec::new() };
        let checked = crate::check_and_verify(vec![root], &mut loader);
        let uses = loader.read;
        match checked {
            Ok(checked) => {
                let index = Index::new(&checked.sources);
                let diagnostics = lsp_diagnostics(&checked, &name, &text, self);
                let document = Document { text, name, key, uses, checked: Some(checked), index };
                self.documents.insert(uri.clone(), document);
                vec![publish(&uri, diagnostics)]
            }
            Err(error) => {
                // A bug: said as `accord check` says it, and the document is kept unchecked.
                let document = Document { text, name, key, uses, checked: None, index: Index::default() };
                self.documents.insert(uri, document);
                let message = format!("internal error: {error}; this is a bug in Accord, please report it");
                let params = lsp::ShowMessageParams { typ: lsp::MessageType::ERROR, message };
                vec![json!({ "jsonrpc": "2.0", "method": "window/showMessage", "params": params })]
            }
        }
    }

    fn document(&self, uri: &lsp::Url) -> Option<&Document> {
        self.documents.get(uri)
    }

    /// The URI of the file a check names `name`.
    fn uri(&self, name: &str) -> Option<lsp::Url> {
        self.workspace.path(name).and_then(|p| lsp::Url::from_file_path(p).ok())
    }

    /// The definition the name under the cursor means, with the document and where the name is.
    fn at(&self, at: &lsp::TextDocumentPositionParams) -> Option<(&Document, (usize, usize), &index::Definition)> {
        let document = self.document(&at.text_document.uri)?;
        let offset = position::offset(&document.text, at.position);
        let (word, start, end) = index::word_at(&document.text, offset)?;
        let checked = document.checked.as_ref()?;
        let file = checked.sources.iter().find(|(_, f)| f.name == document.name).map(|(id, _)| id)?;
        Some((document, (start, end), document.index.resolve(&word, file, offset)?))
    }

    fn hover(&self, at: lsp::TextDocumentPositionParams) -> Option<lsp::Hover> {
        let (document, (start, end), definition) = self.at(&at)?;
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: definition.hover.clone(),
            }),
            range: Some(position::range(&document.text, start, end)),
        })
    }

    /// Where a span of some file read is, for the editor.
    fn location(&self, checked: &Checked, span: crate::source::Span) -> Option<lsp::Location> {
        let file = checked.sources.get(span.file)?;
        let uri = match self.documents.iter().find(|(_, d)| d.name == file.name) {
            Some((uri, _)) => uri.clone(),
            None => self.uri(&file.name)?,
        };
        Some(lsp::Location { uri, range: position::range(&file.text, span.start as usize, span.end as usize) })
    }

    fn definition(&self, at: lsp::TextDocumentPositionParams) -> Option<lsp::GotoDefinitionResponse> {
        if let Some(file) = self.used_file(&at) {
            let start = lsp::Position { line: 0, character: 0 };
            return Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location {
                uri: file,
                range: lsp::Range { start, end: start },
            }));
        }
        let (document, _, definition) = self.at(&at)?;
        let location = self.location(document.checked.as_ref()?, definition.span)?;
        Some(lsp::GotoDefinitionResponse::Scalar(location))
    }

    /// The file a `use` under the cursor names: `use "other.accord"` beside the document, or a
    /// standard module (`use transfer`, `use regimes/eu`).
    fn used_file(&self, at: &lsp::TextDocumentPositionParams) -> Option<lsp::Url> {
        let document = self.document(&at.text_document.uri)?;
        let offset = position::offset(&document.text, at.position);
        let parsed = crate::syntax::parse(FileId::default(), &document.text).ok()?;
        let target = parsed.module.items.iter().find_map(|item| match item {
            crate::syntax::ast::Item::Use(u) if (u.span.start as usize..=u.span.end as usize).contains(&offset) => {
                Some(&u.target)
            }
            _ => None,
        })?;
        match target {
            crate::syntax::ast::UseTarget::Path(path) => {
                let beside = at.text_document.uri.to_file_path().ok()?.parent()?.join(&path.value);
                lsp::Url::from_file_path(beside).ok()
            }
            crate::syntax::ast::UseTarget::Stdlib(name) => self.uri(&crate::stdlib::module(&name.name)?.1),
        }
    }

    /// Every place the name under the cursor is written, in the files the check read.
    fn references(&self, p: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
        let (document, _, definition) = self.at(&p.text_document_position)?;
        let checked = document.checked.as_ref()?;
        let mut out = Vec::new();
        for (file, source) in checked.sources.iter() {
            for (start, end) in index::occurrences(&source.text, &definition.name) {
                let span = crate::source::Span::new(file, start, end);
                // A regime's own `let` is meant only inside that regime.
                let means = document.index.resolve(&definition.name, file, start);
                let same = means.is_some_and(|m| m.span == definition.span);
                let is_declaration = span == definition.span;
                if same && (p.context.include_declaration || !is_declaration) {
                    out.extend(self.location(checked, span));
                }
            }
        }
        Some(out)
    }

    fn completion(&self, p: lsp::CompletionParams) -> Option<lsp::CompletionResponse> {
        let document = self.document(&p.text_document_position.text_document.uri)?;
        let offset = position::offset(&document.text, p.text_document_position.position);
        let items = complete::items(&document.index, &document.text, offset);
        Some(lsp::CompletionResponse::Array(items))
    }

    /// A quick fix for each diagnostic with a fix whose place meets the range asked about.
    fn code_actions(&self, p: lsp::CodeActionParams) -> Option<Vec<lsp::CodeActionOrCommand>> {
        let uri = p.text_document.uri;
        let document = self.document(&uri)?;
        let checked = document.checked.as_ref()?;
        let wanted = (position::offset(&document.text, p.range.start), position::offset(&document.text, p.range.end));
        let mut actions = Vec::new();
        for d in &checked.diagnostics {
            let (Some(fix), Some(span)) = (&d.fix, d.span()) else { continue };
            let in_document = checked.sources.get(fix.span.file).is_some_and(|f| f.name == document.name);
            let meets = (span.start as usize) <= wanted.1 && wanted.0 <= span.end as usize;
            if !in_document || !meets {
                continue;
            }
            let edit = lsp::TextEdit {
                range: position::range(&document.text, fix.span.start as usize, fix.span.end as usize),
                new_text: fix.replacement.clone(),
            };
            let title = match (&d.help, fix.replacement.is_empty()) {
                (Some(help), _) => format!("{}: {help}", d.code.as_str()),
                (None, true) => format!("{}: remove it", d.code.as_str()),
                (None, false) => format!("{}: write `{}`", d.code.as_str(), fix.replacement),
            };
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic(d, span, checked, &document.text, self)]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(std::collections::HashMap::from([(uri.clone(), vec![edit])])),
                    ..lsp::WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..lsp::CodeAction::default()
            }));
        }
        Some(actions)
    }

    /// The document in `accord fmt`'s layout: one edit of the whole text, none if it is laid out
    /// so already or does not parse (its errors are among the diagnostics).
    fn formatting(&self, p: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>, (i64, String)> {
        let Some(document) = self.document(&p.text_document.uri) else { return Ok(None) };
        let formatted = crate::syntax::format::format(FileId::default(), &document.text)
            .map_err(|e| (code::INTERNAL_ERROR, format!("internal error: {e}; please report it")))?;
        let Ok(formatted) = formatted else { return Ok(None) };
        if formatted == document.text {
            return Ok(Some(Vec::new()));
        }
        let range = position::range(&document.text, 0, document.text.len());
        Ok(Some(vec![lsp::TextEdit { range, new_text: formatted }]))
    }
}

fn capabilities() -> Value {
    let capabilities = lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(lsp::TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["{".into(), " ".into(), ":".into()]),
            ..lsp::CompletionOptions::default()
        }),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Simple(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..lsp::ServerCapabilities::default()
    };
    json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "accord", "version": env!("CARGO_PKG_VERSION") },
    })
}

fn publish(uri: &lsp::Url, diagnostics: Vec<lsp::Diagnostic>) -> Value {
    let params = lsp::PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version: None };
    json!({ "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params })
}

/// The diagnostics of a check that lie in the document named `name` (a problem in a file it
/// uses is shown there by the check's own message at the `use`).
fn lsp_diagnostics(checked: &Checked, name: &str, text: &str, server: &Server) -> Vec<lsp::Diagnostic> {
    let in_document = |span: &crate::source::Span| checked.sources.get(span.file).is_some_and(|f| f.name == name);
    checked
        .diagnostics
        .iter()
        .filter_map(|d| d.span().filter(in_document).map(|span| lsp_diagnostic(d, span, checked, text, server)))
        .collect()
}

/// A diagnostic in the protocol's terms, with the words `accord check` prints: the message,
/// then its help and notes; secondary labels become related information.
fn lsp_diagnostic(
    d: &diagnostics::Diagnostic,
    span: crate::source::Span,
    checked: &Checked,
    text: &str,
    server: &Server,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .filter_map(|label| {
            let location = server.location(checked, label.span)?;
            Some(lsp::DiagnosticRelatedInformation { location, message: label.message.clone() })
        })
        .collect();
    lsp::Diagnostic {
        range: position::range(text, span.start as usize, span.end as usize),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_owned())),
        source: Some("accord".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}
