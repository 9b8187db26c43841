//! `nhi-own lsp`: a language server over standard input and output.
//!
//! The main thread reads the editor's messages, keeps the open documents and
//! answers requests from the latest analysis; one worker thread loads and
//! audits the registry an edited file belongs to, and publishes its
//! diagnostics. A change that arrives while an analysis runs makes that
//! analysis stop at its next step and its results be dropped, so the
//! editor never waits and never sees stale diagnostics.

pub mod actions;
pub mod analysis;
pub mod complete;
pub mod config;
pub mod navigate;
pub mod text;
pub mod worker;

use analysis::Snapshot;
use config::Config;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _,
};
use lsp_types::request::{
    CodeActionRequest, Completion, GotoDefinition, HoverRequest, References, RegisterCapability,
    Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DidChangeWatchedFilesRegistrationOptions,
    FileSystemWatcher, GlobPattern, HoverProviderCapability, InitializeParams, OneOf,
    PositionEncodingKind, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use text::{Encoding, Text};
use worker::{Job, Open, Shared, Worker, lock};

/// Runs the server on standard input and output until the editor exits it;
/// whether it was shut down first (LSP: exit code 0, else 1).
pub fn run() -> anyhow::Result<bool> {
    let (connection, io_threads) = Connection::stdio();
    let shut_down = serve(connection)?;
    io_threads.join()?;
    Ok(shut_down)
}

/// Runs the server on a connection: the initialisation, then every message
/// until `exit`. Whether `shutdown` came before it.
pub fn serve(connection: Connection) -> anyhow::Result<bool> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(e) => {
            let message = format!("invalid initialize parameters: {e}");
            refuse(&connection, id, message)?;
            return Ok(false);
        }
    };
    let root = root(&params);
    let config = match Config::from_options(params.initialization_options.as_ref(), root.as_deref())
    {
        Ok(config) => config,
        Err(message) => {
            refuse(&connection, id, message)?;
            return Ok(false);
        }
    };
    let encoding = negotiate(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo {
            name: "nhi-own".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server::new(connection.sender.clone(), config, encoding);
    if watches_files(&params) {
        server.watch_files();
    }
    let mut shut_down = false;
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    shut_down = true;
                    break;
                }
                server.request(request);
            }
            // `exit` before `shutdown`: stop all the same (exit code 1).
            Message::Notification(notification) if notification.method == "exit" => break,
            Message::Notification(notification) => server.notification(notification),
            Message::Response(_) => {}
        }
    }
    server.stop();
    Ok(shut_down)
}

/// Answers `initialize` with an error (bad options), and waits for `exit`.
fn refuse(connection: &Connection, id: RequestId, message: String) -> anyhow::Result<()> {
    let response = Response::new_err(id, ErrorCode::InvalidParams as i32, message);
    connection.sender.send(response.into())?;
    for message in &connection.receiver {
        match message {
            Message::Notification(n) if n.method == "exit" => break,
            Message::Request(request) => {
                let response = Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server refused its initialization options".to_owned(),
                );
                connection.sender.send(response.into())?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The workspace's root directory: its first folder, else the root URI.
#[allow(deprecated)]
fn root(params: &InitializeParams) -> Option<PathBuf> {
    let uri = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri)
        .or(params.root_uri.as_ref())?;
    file_path(uri)
}

/// UTF-32 when the client offers it (our columns count characters), else
/// UTF-16, which every client supports.
fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF32) => Encoding::Utf32,
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn watches_files(params: &InitializeParams) -> bool {
    params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".to_owned(), " ".to_owned(), ",".to_owned()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The path of a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of a path.
pub fn file_uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

/// An open document.
struct Document {
    text: Arc<Text>,
    version: i32,
}

struct Server {
    sender: crossbeam_channel::Sender<Message>,
    encoding: Encoding,
    documents: HashMap<Uri, Document>,
    shared: Arc<Mutex<Shared>>,
    jobs: Option<mpsc::Sender<Job>>,
    worker: Option<std::thread::JoinHandle<()>>,
    generation: u64,
    next_request: i32,
}

impl Server {
    fn new(sender: crossbeam_channel::Sender<Message>, config: Config, encoding: Encoding) -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (jobs, receiver) = mpsc::channel();
        let worker = {
            let shared = Arc::clone(&shared);
            let sender = sender.clone();
            std::thread::Builder::new()
                .name("nhi-own-analysis".to_owned())
                .spawn(move || Worker::new(&shared, &sender, &config, encoding).run(&receiver))
                .ok()
        };
        Server {
            sender,
            encoding,
            documents: HashMap::new(),
            shared,
            jobs: Some(jobs),
            worker,
            generation: 0,
            next_request: 0,
        }
    }

    fn stop(&mut self) {
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }

    fn send(&self, message: impl Into<Message>) {
        let _ = self.sender.send(message.into());
    }

    /// Asks the client to tell us of changes to registry files on disk.
    fn watch_files(&mut self) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.{yaml,yml,YAML,YML}".to_owned()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "nhi-own-registry-files".to_owned(),
            method: DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.next_request += 1;
        self.send(Request::new(
            RequestId::from(self.next_request),
            RegisterCapability::METHOD.to_owned(),
            RegistrationParams {
                registrations: vec![registration],
            },
        ));
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return;
                };
                let document = params.text_document;
                self.documents.insert(
                    document.uri.clone(),
                    Document {
                        text: Arc::new(Text::new(document.text)),
                        version: document.version,
                    },
                );
                self.analyze(&document.uri, false, false);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) else {
                    return;
                };
                let uri = params.text_document.uri;
                let Some(document) = self.documents.get_mut(&uri) else {
                    return;
                };
                for change in params.content_changes {
                    let text = match change.range {
                        Some(range) => {
                            text::apply_change(&document.text, range, &change.text, self.encoding)
                        }
                        None => Text::new(change.text),
                    };
                    document.text = Arc::new(text);
                }
                document.version = params.text_document.version;
                self.analyze(&uri, false, false);
            }
            DidSaveTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                else {
                    return;
                };
                // A save may add a file to a registry: resolve them again.
                self.analyze(&params.text_document.uri, true, false);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                // Its registry, as saved.
                if self.documents.remove(&uri).is_some() {
                    self.analyze(&uri, false, true);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let open: Vec<Uri> = self.documents.keys().cloned().collect();
                for (i, uri) in open.iter().enumerate() {
                    self.analyze(uri, i == 0, false);
                }
            }
            _ => {}
        }
    }

    /// Queues an analysis of the registry a document belongs to.
    fn analyze(&mut self, uri: &Uri, rescan: bool, closed: bool) {
        self.generation += 1;
        let open = self
            .documents
            .iter()
            .map(|(uri, d)| Open {
                uri: uri.clone(),
                text: Arc::clone(&d.text),
                version: d.version,
            })
            .collect();
        lock(&self.shared)
            .latest
            .insert(uri.as_str().to_owned(), self.generation);
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job {
                uri: uri.clone(),
                generation: self.generation,
                open,
                rescan,
                closed,
            });
        }
    }

    /// The latest analysis of the registry a document belongs to, and the
    /// document's index in it.
    fn snapshot(&self, uri: &Uri) -> Option<(Arc<Snapshot>, usize)> {
        let snapshot = lock(&self.shared).snapshot(uri)?;
        let file = snapshot.file(uri)?;
        Some((snapshot, file))
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => self.handle::<HoverRequest>(request, Self::hover),
            GotoDefinition::METHOD => self.handle::<GotoDefinition>(request, Self::definition),
            References::METHOD => self.handle::<References>(request, Self::references),
            Completion::METHOD => self.handle::<Completion>(request, Self::completion),
            CodeActionRequest::METHOD => {
                self.handle::<CodeActionRequest>(request, Self::code_action)
            }
            method => Err((
                ErrorCode::MethodNotFound,
                format!(
                    "nhi-own does not handle `{}`",
                    crate::escape::escape(method)
                ),
            )),
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response);
    }

    fn handle<R: lsp_types::request::Request>(
        &mut self,
        request: Request,
        handler: fn(&mut Self, R::Params) -> R::Result,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: R::Params = serde_json::from_value(request.params)
            .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))?;
        serde_json::to_value(handler(self, params))
            .map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    fn hover(&mut self, params: lsp_types::HoverParams) -> Option<lsp_types::Hover> {
        let at = params.text_document_position_params;
        let (snapshot, file) = self.snapshot(&at.text_document.uri)?;
        let found = navigate::symbol_at(&snapshot, file, at.position, self.encoding)?;
        navigate::hover(&snapshot, &found)
    }

    fn definition(
        &mut self,
        params: lsp_types::GotoDefinitionParams,
    ) -> Option<lsp_types::GotoDefinitionResponse> {
        let at = params.text_document_position_params;
        let (snapshot, file) = self.snapshot(&at.text_document.uri)?;
        let found = navigate::symbol_at(&snapshot, file, at.position, self.encoding)?;
        navigate::definition(&snapshot, &found.symbol, self.encoding)
            .map(lsp_types::GotoDefinitionResponse::Scalar)
    }

    fn references(
        &mut self,
        params: lsp_types::ReferenceParams,
    ) -> Option<Vec<lsp_types::Location>> {
        let at = params.text_document_position;
        let (snapshot, file) = self.snapshot(&at.text_document.uri)?;
        let found = navigate::symbol_at(&snapshot, file, at.position, self.encoding)?;
        let declaration = params.context.include_declaration;
        Some(navigate::references(
            &snapshot,
            &found.symbol,
            declaration,
            self.encoding,
        ))
    }

    fn completion(
        &mut self,
        params: lsp_types::CompletionParams,
    ) -> Option<lsp_types::CompletionResponse> {
        let at = params.text_document_position;
        let uri = at.text_document.uri;
        let text = Arc::clone(&self.documents.get(&uri)?.text);
        let loaded = lock(&self.shared).loaded(&uri);
        let registry = loaded.as_ref().and_then(|s| s.registry.as_ref());
        complete::complete(&text, at.position, self.encoding, registry)
            .map(lsp_types::CompletionResponse::List)
    }

    fn code_action(
        &mut self,
        params: lsp_types::CodeActionParams,
    ) -> Option<lsp_types::CodeActionResponse> {
        let (snapshot, file) = self.snapshot(&params.text_document.uri)?;
        // Only while the analysis is of the text the editor shows.
        let open = self.documents.get(&params.text_document.uri)?;
        if !Arc::ptr_eq(&open.text, &snapshot.files[file].text) {
            return None;
        }
        Some(actions::code_actions(
            &snapshot,
            file,
            params.range,
            self.encoding,
        ))
    }
}
