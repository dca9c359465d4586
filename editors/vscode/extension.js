// The VS Code side of mcfg: starts `mcfg lsp` on stdio for .mcfg files.
// Everything else (diagnostics, hover, definition, completion) is the server's.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("mcfg").get("server.path") || "mcfg";
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "mcfg" }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.mcfg"),
    },
  };
  client = new LanguageClient("mcfg", "mcfg language server", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
