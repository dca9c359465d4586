// The VS Code side of mcfg: starts `mcfg lsp` on stdio for .mcfg files, and
// serves the JSON Schema of the workspace's artifacts to VS Code's JSON
// validation (`contributes.jsonValidation` points at `mcfg-schema:/…`).
// Everything else (diagnostics, hover, definition, completion, formatting)
// is the server's.
"use strict";

const vscode = require("vscode");
const { execFile } = require("child_process");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function binary() {
  return vscode.workspace.getConfiguration("mcfg").get("server.path") || "mcfg";
}

// `mcfg schema` in the first workspace folder: one document whose `anyOf`
// accepts the artifact of any emitted config. An empty schema (accepting
// everything) when validation is off or the sources do not compile, so a
// broken source never paints every artifact red.
function artifactSchema() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const enabled = vscode.workspace.getConfiguration("mcfg").get("schema.enable");
  if (!folder || !enabled) {
    return Promise.resolve("{}");
  }
  return new Promise((resolve) => {
    execFile(binary(), ["schema", "-q", "."], { cwd: folder.uri.fsPath, maxBuffer: 64 << 20 }, (err, stdout) => {
      resolve(err ? "{}" : stdout);
    });
  });
}

function activate(context) {
  const changed = new vscode.EventEmitter();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider("mcfg-schema", {
      onDidChange: changed.event,
      provideTextDocumentContent: () => artifactSchema(),
    })
  );
  const watcher = vscode.workspace.createFileSystemWatcher("**/*.mcfg");
  const refresh = () => changed.fire(vscode.Uri.parse("mcfg-schema:/artifacts.schema.json"));
  watcher.onDidChange(refresh);
  watcher.onDidCreate(refresh);
  watcher.onDidDelete(refresh);
  context.subscriptions.push(watcher, changed);

  const serverOptions = { command: binary(), args: ["lsp"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "mcfg" }],
    synchronize: { fileEvents: watcher },
  };
  client = new LanguageClient("mcfg", "mcfg language server", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
