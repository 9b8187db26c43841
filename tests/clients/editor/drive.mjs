// Drives yaml-language-server as an editor does, over LSP on stdio: opens one
// YAML document (its modeline names the schema), waits for the diagnostics
// the server publishes, asks for completion at one position, and prints
//
//   { "diagnostics": [LSP Diagnostic…], "completion": ["label", …] }
//
// on stdout. Plain Node: no package beyond the server itself.
//
//   node drive.mjs SERVER DOCUMENT LINE CHARACTER
//
// SERVER is the server's `bin/yaml-language-server` script, DOCUMENT the YAML
// file, LINE and CHARACTER the 0-based completion position. Exits non-zero,
// with what the server said, if the exchange fails or takes over 20 seconds.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const TIMEOUT_MS = 20_000;

const [serverPath, documentPath, lineArg, characterArg] = process.argv.slice(2);
if (!serverPath || !documentPath || lineArg === undefined || characterArg === undefined) {
  process.stderr.write("usage: node drive.mjs SERVER DOCUMENT LINE CHARACTER\n");
  process.exit(64);
}
const position = { line: Number(lineArg), character: Number(characterArg) };
const uri = pathToFileURL(resolve(documentPath)).href;
const text = readFileSync(documentPath, "utf8");

const settings = {
  yaml: {
    validate: true,
    completion: true,
    hover: false,
    format: { enable: false },
    // No download: the schema is the one the modeline names.
    schemaStore: { enable: false },
    kubernetesCRDStore: { enable: false },
    schemas: {},
  },
  http: { proxy: "", proxyStrictSSL: false },
  "[yaml]": {},
  editor: { tabSize: 2, insertSpaces: true },
};

const server = spawn(process.execPath, [serverPath, "--stdio"], {
  stdio: ["pipe", "pipe", "pipe"],
});
let serverLog = "";
server.stderr.on("data", (chunk) => {
  serverLog += chunk.toString("utf8");
});
server.on("exit", (code, signal) => {
  if (!finished) {
    fail(`the server exited early (code ${code}, signal ${signal})`);
  }
});

let finished = false;
// What the client waits for, for the timeout's message.
let waitingFor = "the answer to `initialize`";
const timer = setTimeout(
  () => fail(`no answer within ${TIMEOUT_MS / 1000} s: waited for ${waitingFor}`),
  TIMEOUT_MS,
);

function fail(reason) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  process.stderr.write(`drive.mjs: ${reason}\n`);
  if (serverLog) process.stderr.write(`server log:\n${serverLog}\n`);
  server.kill("SIGKILL");
  process.exit(1);
}

// ------------------------------------------------------------- framing

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}

let buffered = Buffer.alloc(0);
server.stdout.on("data", (chunk) => {
  buffered = Buffer.concat([buffered, chunk]);
  for (;;) {
    const end = buffered.indexOf("\r\n\r\n");
    if (end < 0) return;
    const header = buffered.subarray(0, end).toString("ascii");
    const length = /Content-Length:\s*(\d+)/i.exec(header);
    if (!length) {
      fail(`a message without Content-Length: ${JSON.stringify(header)}`);
      return;
    }
    const start = end + 4;
    const stop = start + Number(length[1]);
    if (buffered.length < stop) return;
    const body = buffered.subarray(start, stop).toString("utf8");
    buffered = buffered.subarray(stop);
    let message;
    try {
      message = JSON.parse(body);
    } catch (error) {
      fail(`a message that is not JSON (${error.message}): ${body}`);
      return;
    }
    receive(message);
  }
});

// ------------------------------------------------------------- the exchange

let nextId = 1;
const pending = new Map();

function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolvePromise, rejectPromise) => {
    pending.set(id, { method, resolvePromise, rejectPromise });
  });
}

function notify(method, params) {
  send({ method, params });
}

let configured;
const configuredOnce = new Promise((resolvePromise) => {
  configured = resolvePromise;
});
let diagnostics;
let published;
const publishedOnce = new Promise((resolvePromise) => {
  published = resolvePromise;
});

function receive(message) {
  if (message.id !== undefined && message.method === undefined) {
    // A response to one of our requests.
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.error) {
      waiting.rejectPromise(
        new Error(`${waiting.method} failed: ${JSON.stringify(message.error)}`),
      );
    } else {
      waiting.resolvePromise(message.result);
    }
    return;
  }
  if (message.id !== undefined) {
    // A request from the server.
    if (message.method === "workspace/configuration") {
      const result = message.params.items.map((item) =>
        item.section in settings ? settings[item.section] : null,
      );
      send({ id: message.id, result });
      configured();
    } else {
      // client/registerCapability, window/workDoneProgress/create, …
      send({ id: message.id, result: null });
    }
    return;
  }
  if (message.method === "textDocument/publishDiagnostics" && message.params.uri === uri) {
    diagnostics = message.params.diagnostics;
    published();
  } else if (message.method === "window/logMessage" || message.method === "window/showMessage") {
    serverLog += `${message.params.message}\n`;
  }
}

async function main() {
  await request("initialize", {
    processId: process.pid,
    clientInfo: { name: "nhi-own-clients-drive" },
    rootUri: null,
    workspaceFolders: null,
    capabilities: {
      workspace: {
        configuration: true,
        didChangeConfiguration: { dynamicRegistration: true },
      },
      textDocument: {
        synchronization: { dynamicRegistration: false },
        publishDiagnostics: { relatedInformation: true },
        completion: {
          completionItem: { snippetSupport: true, documentationFormat: ["plaintext"] },
        },
      },
    },
    initializationOptions: settings,
  });
  notify("initialized", {});
  // The server pulls its settings after `initialized`; validation waits for them.
  waitingFor = "a `workspace/configuration` request";
  await configuredOnce;
  notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "yaml", version: 1, text },
  });
  waitingFor = "`textDocument/publishDiagnostics` for the document";
  await publishedOnce;
  waitingFor = "the answer to `textDocument/completion`";
  const completion = await request("textDocument/completion", {
    textDocument: { uri },
    position,
  });
  const items = Array.isArray(completion) ? completion : (completion?.items ?? []);
  finished = true;
  clearTimeout(timer);
  process.stdout.write(
    `${JSON.stringify({ diagnostics, completion: items.map((item) => item.label) })}\n`,
  );
  try {
    await Promise.race([
      request("shutdown", null),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
    notify("exit", null);
  } finally {
    server.kill();
    process.exit(0);
  }
}

main().catch((error) => fail(error.stack ?? String(error)));
