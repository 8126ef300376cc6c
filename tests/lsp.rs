//! `accord lsp` driven over standard input and output as an editor drives it: open a document,
//! receive its diagnostics, apply a code action, hover, jump to a definition in a used file and
//! in the standard library, find references, complete, format; and malformed messages, which
//! get error responses while the server keeps running.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests run the binary

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications read while waiting for a response.
    queue: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Client {
        Client::start_with(dir, &[])
    }

    fn start_with(dir: &Path, flags: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
            .arg("lsp")
            .args(flags)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = Some(n.parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; length.expect("every message has a Content-Length")];
                stdout.read_exact(&mut body).unwrap();
                if send.send(serde_json::from_slice::<Value>(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut client = Client { child, stdin, messages, queue: VecDeque::new(), next_id: 1 };
        let root = url(dir);
        let init = client.request("initialize", json!({ "processId": null, "rootUri": root, "capabilities": {} }));
        assert_eq!(init["result"]["capabilities"]["hoverProvider"], true, "{init}");
        client.notify("initialized", json!({}));
        client
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        self.raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.raw(&body);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next message that is not a notification.
    fn response(&mut self) -> Value {
        loop {
            let message = self.messages.recv_timeout(WAIT).expect("the server answers");
            if message.get("method").is_some() {
                self.queue.push_back(message);
            } else {
                return message;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.response();
        assert_eq!(response["id"], id, "{response}");
        response
    }

    fn notification(&mut self, method: &str) -> Value {
        if let Some(i) = self.queue.iter().position(|m| m["method"] == method) {
            return self.queue.remove(i).unwrap();
        }
        loop {
            let message = self.messages.recv_timeout(WAIT).expect("the server notifies");
            if message["method"] == method {
                return message;
            }
            self.queue.push_back(message);
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        let document = json!({ "uri": uri, "languageId": "accord", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
        self.notification("textDocument/publishDiagnostics")
    }

    fn at(&mut self, method: &str, uri: &str, (line, character): (usize, usize)) -> Value {
        let mut params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": line, "character": character },
        });
        if method == "textDocument/references" {
            params["context"] = json!({ "includeDeclaration": true });
        }
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    fn stop(mut self) -> Option<i32> {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        status.code()
    }
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The line and column (characters; the texts here are ASCII) of `needle`'s first occurrence,
/// plus `into` characters.
fn find(text: &str, needle: &str, into: usize) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("no `{needle}`")) + into;
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line, column)
}

const SHARED: &str = "/// Places this company trusts.\nset TRUSTED: Jurisdiction = { JP, NZ }\n";

const RULES: &str = r#"use "shared.accord"
use transfer

regime demo "Demo" {
  home SG
  let sensitive = data has health
  let flagged = sensitive and destination in TRUSTED
  rule care "Health data" cite "Demo s1" effective 2024-01-01..
    when flagged and destinaton == DE
    then require explicit_consent
  rule explicit_consent "Named after the mechanism it asks for" cite "Demo s2"
    when data has biometric
    then require explicit_consent
  oblige pipia "Assess first" cite "Demo s3"
    when sensitive
  default permit
  rule genetic "An exception the rule above takes precedence over" cite "Demo s4"
    yields to explicit_consent
    when data has genetic
    then permit
}
"#;

fn project() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(dir_path.join("shared.accord"), SHARED).unwrap();
    std::fs::write(dir_path.join("rules.accord"), RULES).unwrap();
    let uri = url(&dir_path.join("rules.accord"));
    (dir, uri)
}

#[test]
fn an_editor_session() {
    let (dir, uri) = project();
    let mut client = Client::start(&std::fs::canonicalize(dir.path()).unwrap());

    // Diagnostics as check gives them, at the misspelt fact.
    let published = client.open(&uri, RULES);
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap().clone();
    let typo = diagnostics.iter().find(|d| d["code"] == "E0101").unwrap_or_else(|| panic!("{published}"));
    let (line, column) = find(RULES, "destinaton", 0);
    assert_eq!(typo["range"]["start"], json!({ "line": line, "character": column }));
    assert_eq!(typo["range"]["end"], json!({ "line": line, "character": column + "destinaton".len() }));
    assert_eq!(typo["severity"], 1);
    let message = typo["message"].as_str().unwrap();
    assert!(message.starts_with("unknown fact `destinaton`") && message.contains("did you mean `destination`?"));

    // The fix as a code action, applied as an editor would.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": typo["range"], "context": { "diagnostics": [typo] } }),
    );
    let action = &actions["result"][0];
    assert_eq!(action["kind"], "quickfix", "{actions}");
    let edit = &action["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "destination");
    assert_eq!(edit["range"], typo["range"]);
    let fixed = RULES.replace("destinaton", "destination");
    let change = json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] });
    client.notify("textDocument/didChange", change);
    let published = client.notification("textDocument/publishDiagnostics");
    let codes: Vec<&Value> =
        published["params"]["diagnostics"].as_array().unwrap().iter().map(|d| &d["code"]).collect();
    assert!(!codes.contains(&&json!("E0101")), "{published}");

    // Hover: a fact's doc, a let's expansion, a rule's citations and effective range.
    let hover = client.at("textDocument/hover", &uri, find(&fixed, "data has", 1));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("fact data: set<DataCategory>") && text.contains("Categories of data"), "{text}");
    let hover = client.at("textDocument/hover", &uri, find(&fixed, "when flagged", 6));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("let flagged = sensitive and destination in TRUSTED"), "{text}");
    assert!(text.contains("where:") && text.contains("let sensitive = data has health"), "{text}");
    let hover = client.at("textDocument/hover", &uri, find(&fixed, "rule care", 6));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("cites: Demo s1") && text.contains("effective: `2024-01-01..`"), "{text}");

    // A rule named after a mechanism: the mechanism is meant where it is required.
    let hover = client.at("textDocument/hover", &uri, find(&fixed, "require explicit_consent\n  oblige", 9));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("explicit_consent") && text.contains("(a member of Mechanism)"), "{text}");
    let hover = client.at("textDocument/hover", &uri, find(&fixed, "rule explicit_consent", 6));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("cites: Demo s2"), "{hover}");
    let hover = client.at("textDocument/hover", &uri, find(&fixed, "oblige pipia", 8));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("cites: Demo s3"), "{hover}");

    // In `yields to`, the word names the rule: hover, definition and references agree.
    let hover = client.at("textDocument/hover", &uri, find(&fixed, "yields to explicit_consent", 12));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("cites: Demo s2"), "{hover}");
    let definition = client.at("textDocument/definition", &uri, find(&fixed, "yields to explicit_consent", 12));
    let (line, column) = find(&fixed, "rule explicit_consent", 5);
    assert_eq!(definition["range"]["start"], json!({ "line": line, "character": column }), "{definition}");
    let references = client.at("textDocument/references", &uri, find(&fixed, "rule explicit_consent", 6));
    let lines: Vec<u64> =
        references.as_array().unwrap().iter().map(|r| r["range"]["start"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![line as u64, find(&fixed, "yields to", 0).0 as u64], "{references}");

    // A `use` leads to the file it names.
    let definition = client.at("textDocument/definition", &uri, find(&fixed, "shared.accord", 2));
    assert!(definition["uri"].as_str().unwrap().ends_with("/shared.accord"), "{definition}");
    assert_eq!(definition["range"]["start"], json!({ "line": 0, "character": 0 }));
    let definition = client.at("textDocument/definition", &uri, find(&fixed, "use transfer", 5));
    let target = definition["uri"].as_str().unwrap().strip_prefix("file://").unwrap().to_owned();
    assert!(target.ends_with("/transfer.accord"), "{definition}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), accord::stdlib::module("transfer").unwrap().0.text);

    // Definition: in the used file, and in the standard library (written out to open).
    let definition = client.at("textDocument/definition", &uri, find(&fixed, "in TRUSTED", 4));
    assert!(definition["uri"].as_str().unwrap().ends_with("/shared.accord"), "{definition}");
    assert_eq!(definition["range"]["start"], json!({ "line": 1, "character": 4 }));
    let definition = client.at("textDocument/definition", &uri, find(&fixed, "has health", 5));
    let target = definition["uri"].as_str().unwrap().strip_prefix("file://").unwrap().to_owned();
    assert!(target.ends_with("/transfer.accord"), "{definition}");
    let stdlib = std::fs::read_to_string(&target).unwrap();
    let line = stdlib.lines().nth(definition["range"]["start"]["line"].as_u64().unwrap() as usize).unwrap();
    let column = definition["range"]["start"]["character"].as_u64().unwrap() as usize;
    assert!(line[column..].starts_with("health "), "{line}");

    // References: the let's declaration and its two uses.
    let references = client.at("textDocument/references", &uri, find(&fixed, "let sensitive", 5));
    let lines: Vec<u64> =
        references.as_array().unwrap().iter().map(|r| r["range"]["start"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![5, 6, 14], "{references}");

    // Completion: a fact name from its first letters, members after `has`, mechanisms after
    // `require`.
    let labels = |result: &Value| -> Vec<String> {
        result
            .as_array()
            .unwrap_or_else(|| panic!("{result}"))
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect()
    };
    let items = labels(&client.at("textDocument/completion", &uri, find(&fixed, "destination ==", 4)));
    assert!(items.contains(&"destination".to_owned()) && items.iter().all(|l| l.starts_with("dest")), "{items:?}");
    let items = labels(&client.at("textDocument/completion", &uri, find(&fixed, "has health", 4)));
    assert!(items.contains(&"health".to_owned()) && items.contains(&"biometric".to_owned()), "{items:?}");
    assert!(!items.contains(&"destination".to_owned()), "{items:?}");
    let items = labels(&client.at("textDocument/completion", &uri, find(&fixed, "require explicit", 8)));
    assert!(items.contains(&"explicit_consent".to_owned()) && items.contains(&"eu_scc".to_owned()), "{items:?}");
    assert!(!items.contains(&"health".to_owned()), "{items:?}");

    // Formatting: `accord fmt`'s layout, as one edit.
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = edits["result"][0]["newText"].as_str().unwrap();
    assert!(
        formatted.contains("  rule care \"Health data\"\n    cite \"Demo s1\"\n    effective 2024-01-01..\n"),
        "{formatted}"
    );

    // A used file open with unsaved changes is read from the editor, and its users are checked
    // again when it changes.
    let shared = uri.replace("rules.accord", "shared.accord");
    let published_for = |client: &mut Client, wanted: &str| loop {
        let published = client.notification("textDocument/publishDiagnostics");
        if published["params"]["uri"] == wanted {
            break published;
        }
    };
    client.open(&shared, SHARED);
    // Opening it checks its user again too, with the same result.
    let rules = published_for(&mut client, &uri);
    assert!(!rules.to_string().contains("`TRUSTED`"), "{rules}");
    let renamed = SHARED.replace("TRUSTED", "FRIENDS");
    let change = json!({ "textDocument": { "uri": shared, "version": 2 }, "contentChanges": [{ "text": renamed }] });
    client.notify("textDocument/didChange", change);
    let rules = published_for(&mut client, &uri);
    let messages: Vec<&str> =
        rules["params"]["diagnostics"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.contains("`TRUSTED`")), "{rules}");

    assert_eq!(client.stop(), Some(0));
}

#[test]
fn malformed_messages_get_errors_and_the_server_goes_on() {
    let (dir, uri) = project();
    let mut client = Client::start(&std::fs::canonicalize(dir.path()).unwrap());

    client.raw(b"Content-Length: 5\r\n\r\n{bad}");
    let response = client.response();
    assert_eq!(response["error"]["code"], -32700, "{response}");
    assert_eq!(response["id"], Value::Null);

    // Invalid UTF-8 in a document's text: the message is not JSON.
    let body = b"{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///x.accord\",\"languageId\":\"accord\",\"version\":1,\"text\":\"\xff\xfe\"}}}";
    client.raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    client.raw(body);
    let response = client.response();
    assert_eq!(response["error"]["code"], -32700, "{response}");

    client.raw(b"Something: else\r\n\r\n");
    let response = client.response();
    assert_eq!(response["error"]["code"], -32700, "{response}");
    assert!(response["error"]["message"].as_str().unwrap().contains("Content-Length"), "{response}");

    // A header block without a length, its body unread and the next message straight after it:
    // the reader finds the next `Content-Length` all the same. A length past the limit is not
    // read either.
    let next = br#"{"jsonrpc":"2.0","id":70,"method":"no/such"}"#;
    client.raw(b"Content-Type: x\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":69,\"method\":\"shutdown\"}");
    client.raw(format!("Content-Length: {}\r\n\r\n", next.len()).as_bytes());
    client.raw(next);
    assert_eq!(client.response()["error"]["code"], -32700);
    assert_eq!(client.response()["id"], 70);
    client.raw(b"Content-Length: 99999999999999\r\n\r\n");
    client.raw(format!("Content-Length: {}\r\n\r\n", next.len()).as_bytes());
    client.raw(next);
    assert_eq!(client.response()["error"]["code"], -32700);
    assert_eq!(client.response()["id"], 70);

    let response = client.request("no/such/method", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    let response = client.request("textDocument/hover", json!({ "textDocument": 5 }));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    client.send(&json!([1, 2, 3]));
    let response = client.response();
    assert_eq!(response["error"]["code"], -32600, "{response}");

    // Still running: a document opens and is checked.
    let published = client.open(&uri, RULES);
    assert!(published["params"]["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "E0101"));
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}

#[test]
fn after_shutdown_only_exit_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    assert_eq!(client.request("shutdown", Value::Null)["result"], Value::Null);
    let response = client.request("textDocument/hover", json!({}));
    assert_eq!(response["error"]["code"], -32600, "{response}");
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}

/// The VS Code extension's files are valid JSON, its grammar knows every keyword of the
/// language, and it starts the server with the `lsp` subcommand.
#[test]
fn the_vscode_extension_matches_the_language() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let read =
        |name: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap() };
    let package = read("package.json");
    assert_eq!(package["contributes"]["languages"][0]["extensions"][0], ".accord");
    read("language-configuration.json");
    let grammar = read("syntaxes/accord.tmLanguage.json");
    let keywords =
        grammar["repository"]["keywords"]["patterns"].to_string() + &grammar["repository"]["constant"].to_string();
    for keyword in accord::syntax::KEYWORDS {
        assert!(
            keywords.contains(&format!("|{keyword}|"))
                || keywords.contains(&format!("({keyword}|"))
                || keywords.contains(&format!("|{keyword})")),
            "the grammar misses `{keyword}`"
        );
    }
    let extension = std::fs::read_to_string(dir.join("extension.js")).unwrap();
    assert!(extension.contains("args: ['lsp']"));
}

/// `--stdio`, which some editors pass, is accepted and changes nothing.
#[test]
fn the_stdio_flag_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::start_with(dir.path(), &["--stdio"]);
    assert_eq!(client.stop(), Some(0));
}
