// Starts `accord lsp` for `.accord` files. The server does the work; this only launches it.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate() {
  const command = vscode.workspace.getConfiguration('accord').get('path') || 'accord';
  const server = { command, args: ['lsp'] };
  client = new LanguageClient('accord', 'Accord', { run: server, debug: server }, {
    documentSelector: [{ scheme: 'file', language: 'accord' }],
  });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
