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

use analysis::{Input, Settings, Snapshot, analyze};
use config::Config;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, GotoDefinition, HoverRequest, References, RegisterCapability,
    Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DidChangeWatchedFilesRegistrationOptions,
    FileSystemWatcher, GlobPattern, HoverProviderCapability, InitializeParams, OneOf,
    PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use text::{Encoding, Text};

/// Runs the server on standard input and output until the editor exits it.
pub fn run() -> anyhow::Result<()> {
    let (connection, io_threads) = Connection::stdio();
    serve(connection)?;
    io_threads.join()?;
    Ok(())
}

/// Runs the server on a connection: the initialisation, then every message
/// until `exit`.
pub fn serve(connection: Connection) -> anyhow::Result<()> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(e) => {
            let message = format!("invalid initialize parameters: {e}");
            refuse(&connection, id, message)?;
            return Ok(());
        }
    };
    let root = root(&params);
    let config = match Config::from_options(params.initialization_options.as_ref(), root.as_deref())
    {
        Ok(config) => config,
        Err(message) => {
            refuse(&connection, id, message)?;
            return Ok(());
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
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    break;
                }
                server.request(request);
            }
            Message::Notification(notification) => server.notification(notification),
            Message::Response(_) => {}
        }
    }
    server.stop();
    Ok(())
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

/// A file of a registry: its URI, and its path when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Member {
    uri: Uri,
    path: Option<PathBuf>,
}

/// The files of one registry, in the order they are merged, and a key
/// naming them.
#[derive(Debug, Clone)]
struct Group {
    key: Arc<str>,
    members: Arc<[Member]>,
}

impl Group {
    fn new(members: Vec<Member>) -> Self {
        let key: Vec<&str> = members.iter().map(|m| m.uri.as_str()).collect();
        Group {
            key: Arc::from(key.join("\n")),
            members: Arc::from(members),
        }
    }
}

/// A file's text as the editor holds it, with its version.
type Open = Option<(Arc<Text>, i32)>;

/// An analysis to run: a registry's files, with the editor's texts.
struct Job {
    group: Group,
    generation: u64,
    inputs: Vec<(Member, Open)>,
}

/// What the main thread and the worker share.
#[derive(Default)]
struct Shared {
    /// The newest generation asked for, per registry.
    latest: HashMap<Arc<str>, u64>,
    /// The latest analysis of each registry.
    snapshots: HashMap<Arc<str>, Arc<Snapshot>>,
    /// The latest analysis of each registry that loaded, for completion.
    loaded: HashMap<Arc<str>, Arc<Snapshot>>,
    /// The files each registry's last analysis published diagnostics for.
    published: HashMap<Arc<str>, Vec<Uri>>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Server {
    sender: crossbeam_channel::Sender<Message>,
    config: Config,
    encoding: Encoding,
    documents: HashMap<Uri, Document>,
    /// The registry each open document belongs to, as last resolved.
    groups: HashMap<Uri, Group>,
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
            let config = config.clone();
            std::thread::Builder::new()
                .name("nhi-own-analysis".to_owned())
                .spawn(move || work(&receiver, &shared, &sender, &config, encoding))
                .ok()
        };
        Server {
            sender,
            config,
            encoding,
            documents: HashMap::new(),
            groups: HashMap::new(),
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
                self.groups.remove(&document.uri);
                self.analyze(&document.uri);
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
                self.analyze(&uri);
            }
            DidSaveTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                else {
                    return;
                };
                // A save may add a file to a registry: resolve them again.
                self.groups.clear();
                self.analyze(&params.text_document.uri);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                self.documents.remove(&uri);
                // Its registry, as saved.
                self.analyze(&uri);
                self.groups.remove(&uri);
            }
            DidChangeWatchedFiles::METHOD => {
                self.groups.clear();
                let open: Vec<Uri> = self.documents.keys().cloned().collect();
                let mut done = HashSet::new();
                for uri in open {
                    let group = self.group(&uri);
                    if done.insert(group.key) {
                        self.analyze(&uri);
                    }
                }
            }
            _ => {}
        }
    }

    /// The registry a document belongs to: the configured paths when they
    /// hold it, else its directory walked as `audit` walks it when that
    /// holds it, else the file alone.
    fn group(&mut self, uri: &Uri) -> Group {
        if let Some(group) = self.groups.get(uri) {
            return group.clone();
        }
        let group = self.resolve(uri);
        self.groups.insert(uri.clone(), group.clone());
        group
    }

    fn resolve(&self, uri: &Uri) -> Group {
        let alone = || {
            Group::new(vec![Member {
                uri: uri.clone(),
                path: file_path(uri),
            }])
        };
        let Some(path) = file_path(uri) else {
            return alone();
        };
        let mut candidates = Vec::new();
        if !self.config.registry.is_empty() {
            candidates.push((self.config.registry.clone(), true));
        }
        if let Some(dir) = path.parent() {
            candidates.push((vec![dir.to_path_buf()], false));
        }
        for (paths, configured) in candidates {
            let sources = crate::registry::Sources::resolve(&paths);
            let holds = |f: &PathBuf| f == &path || same_file(f, &path);
            if !sources.files.iter().any(holds) {
                continue;
            }
            // A directory is a registry when its other YAML files are
            // registry files; one beside CI files or manifests is not.
            if !configured
                && !sources
                    .files
                    .iter()
                    .all(|f| holds(f) || self.is_registry_file(f))
            {
                continue;
            }
            {
                let members = sources.files.iter().map(|file| {
                    // A file open in the editor keeps the URI the editor gave it.
                    let uri = if file == &path || same_file(file, &path) {
                        uri.clone()
                    } else {
                        self.open_uri(file)
                            .or_else(|| file_uri(file))
                            .unwrap_or_else(|| uri.clone())
                    };
                    Member {
                        uri,
                        path: Some(file.clone()),
                    }
                });
                return Group::new(members.collect());
            }
        }
        alone()
    }

    /// Whether a file declares itself a registry file: a top-level
    /// `version` key (SPEC §1 requires it in every file).
    fn is_registry_file(&self, path: &Path) -> bool {
        let declares = |text: &str| {
            text.lines().any(|line| {
                line.strip_prefix("version")
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
        };
        if let Some(uri) = self.open_uri(path) {
            return self
                .documents
                .get(&uri)
                .is_some_and(|d| declares(&d.text.text));
        }
        std::fs::read_to_string(path).is_ok_and(|text| declares(&text))
    }

    /// The URI of an open document with this path.
    fn open_uri(&self, path: &Path) -> Option<Uri> {
        self.documents
            .keys()
            .find(|uri| file_path(uri).is_some_and(|p| p == path || same_file(&p, path)))
            .cloned()
    }

    /// Queues an analysis of the registry a document belongs to.
    fn analyze(&mut self, uri: &Uri) {
        let group = self.group(uri);
        self.generation += 1;
        let inputs = group
            .members
            .iter()
            .map(|member| {
                let open = self
                    .documents
                    .get(&member.uri)
                    .map(|d| (Arc::clone(&d.text), d.version));
                (member.clone(), open)
            })
            .collect();
        lock(&self.shared)
            .latest
            .insert(Arc::clone(&group.key), self.generation);
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job {
                group,
                generation: self.generation,
                inputs,
            });
        }
    }

    /// The latest analysis of the registry a document belongs to, and the
    /// document's index in it.
    fn snapshot(&mut self, uri: &Uri) -> Option<(Arc<Snapshot>, usize)> {
        let group = self.group(uri);
        let snapshot = Arc::clone(lock(&self.shared).snapshots.get(&group.key)?);
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
                format!("nhi-own does not handle `{method}`"),
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
        let group = self.group(&uri);
        let loaded = lock(&self.shared).loaded.get(&group.key).cloned();
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

/// Whether two paths name one file.
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
}

/// The worker: runs the newest job of each registry, publishes its
/// diagnostics unless a newer one was asked for meanwhile.
fn work(
    receiver: &mpsc::Receiver<Job>,
    shared: &Mutex<Shared>,
    sender: &crossbeam_channel::Sender<Message>,
    config: &Config,
    encoding: Encoding,
) {
    let current = |job: &Job| lock(shared).latest.get(&job.group.key) == Some(&job.generation);
    while let Ok(first) = receiver.recv() {
        let mut jobs = vec![first];
        jobs.extend(receiver.try_iter());
        for job in jobs {
            if !current(&job) {
                continue;
            }
            let settings = Settings {
                today: config.today(),
                fail_on: config.fail_on,
                encoding,
            };
            let inputs = job
                .inputs
                .iter()
                .map(|(member, open)| read(member, open.clone(), config))
                .collect();
            let Some(snapshot) = analyze(inputs, settings, &|| !current(&job)) else {
                continue;
            };
            let snapshot = Arc::new(snapshot);
            let mut state = lock(shared);
            if state.latest.get(&job.group.key) != Some(&job.generation) {
                continue;
            }
            let before = state
                .published
                .insert(
                    Arc::clone(&job.group.key),
                    snapshot.files.iter().map(|f| f.uri.clone()).collect(),
                )
                .unwrap_or_default();
            state
                .snapshots
                .insert(Arc::clone(&job.group.key), Arc::clone(&snapshot));
            if snapshot.registry.is_some() {
                state
                    .loaded
                    .insert(Arc::clone(&job.group.key), Arc::clone(&snapshot));
            }
            // Published while holding the lock, so that a newer analysis
            // cannot publish before this one.
            for (file, diags) in snapshot.files.iter().zip(&snapshot.diagnostics) {
                publish(
                    sender,
                    &file.uri,
                    file.version,
                    diags.iter().map(|d| d.diagnostic.clone()).collect(),
                );
            }
            for gone in before.iter().filter(|u| snapshot.file(u).is_none()) {
                publish(sender, gone, None, Vec::new());
            }
        }
    }
}

fn publish(
    sender: &crossbeam_channel::Sender<Message>,
    uri: &Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp_types::Diagnostic>,
) {
    let params = PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics,
        version,
    };
    let _ = sender.send(Notification::new(PublishDiagnostics::METHOD.to_owned(), params).into());
}

/// A file's text: the editor's, else the file's on disk.
fn read(member: &Member, open: Option<(Arc<Text>, i32)>, config: &Config) -> Input {
    let name = member.path.as_ref().map_or_else(
        || member.uri.as_str().to_owned(),
        |p| p.to_string_lossy().into_owned(),
    );
    let (text, version) = match (open, &member.path) {
        (Some((text, version)), _) => (Ok(text), Some(version)),
        (None, Some(path)) => {
            let display = crate::registry::display_path(path);
            let text = crate::registry::read_file(path, &display, config.max_file_size)
                .map(|t| Arc::new(Text::new(t)));
            (text, None)
        }
        (None, None) => (Ok(Arc::new(Text::default())), None),
    };
    Input {
        uri: member.uri.clone(),
        name,
        text,
        version,
    }
}
