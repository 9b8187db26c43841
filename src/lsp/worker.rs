//! The analysis thread: which registry an edited file belongs to, reading
//! its other files, loading and auditing it, and publishing diagnostics. All
//! file-system work happens here, never on the thread that answers the editor.

use super::analysis::{Input, Settings, Snapshot, analyze};
use super::config::Config;
use super::text::{Encoding, Text};
use super::{file_path, file_uri};
use crate::registry::{LoadError, ParseCache, Sources};
use lsp_server::{Message, Notification};
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{Diagnostic, PublishDiagnosticsParams, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};

/// A file's text as the editor holds it, with its version.
#[derive(Clone)]
pub struct Open {
    pub uri: Uri,
    pub text: Arc<Text>,
    pub version: i32,
}

/// What to analyse: the registry a document belongs to, with every open
/// document's text.
pub struct Job {
    pub uri: Uri,
    pub generation: u64,
    pub open: Vec<Open>,
    /// Files may have appeared or gone: resolve registries again.
    pub rescan: bool,
    /// The document was closed.
    pub closed: bool,
}

/// What the main thread and the worker share.
#[derive(Default)]
pub struct Shared {
    /// The newest generation asked for, per document.
    pub latest: HashMap<String, u64>,
    /// The registry each file was last analysed in (its key).
    pub member_of: HashMap<String, Arc<str>>,
    /// The latest analysis of each registry.
    pub snapshots: HashMap<Arc<str>, Arc<Snapshot>>,
    /// The latest analysis of each registry that loaded, for completion.
    pub loaded: HashMap<Arc<str>, Arc<Snapshot>>,
    /// What was last published for each file: its version and diagnostics.
    shown: HashMap<String, (Option<i32>, Vec<Diagnostic>)>,
}

pub fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// Whether no newer change of the job's document has been asked for.
    fn is_newest(&self, job: &Job) -> bool {
        self.latest.get(job.uri.as_str()) == Some(&job.generation)
    }

    /// The latest analysis of the registry a file is in.
    pub fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.snapshots
            .get(self.member_of.get(uri.as_str())?)
            .cloned()
    }

    /// The latest analysis that loaded of the registry a file is in.
    pub fn loaded(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.loaded.get(self.member_of.get(uri.as_str())?).cloned()
    }
}

/// A file of a registry: its URI, and its path when it has one.
#[derive(Debug, Clone)]
struct Member {
    uri: Uri,
    path: Option<PathBuf>,
}

/// The files of one registry, in the order they are merged, the problems
/// met while listing them, and a key naming them.
#[derive(Debug, Clone)]
struct Group {
    key: Arc<str>,
    members: Arc<[Member]>,
    listing: Arc<[LoadError]>,
}

impl Group {
    fn new(members: Vec<Member>, listing: Vec<LoadError>) -> Self {
        let key: Vec<&str> = members.iter().map(|m| m.uri.as_str()).collect();
        Group {
            key: Arc::from(key.join("\n")),
            members: Arc::from(members),
            listing: Arc::from(listing),
        }
    }
}

pub struct Worker<'a> {
    pub shared: &'a Mutex<Shared>,
    pub sender: &'a crossbeam_channel::Sender<Message>,
    pub config: &'a Config,
    pub encoding: Encoding,
    /// The registry of each document, as last resolved (`None`: left alone).
    groups: HashMap<String, Option<Group>>,
    caches: HashMap<Arc<str>, ParseCache>,
}

impl<'a> Worker<'a> {
    pub fn new(
        shared: &'a Mutex<Shared>,
        sender: &'a crossbeam_channel::Sender<Message>,
        config: &'a Config,
        encoding: Encoding,
    ) -> Self {
        Worker {
            shared,
            sender,
            config,
            encoding,
            groups: HashMap::new(),
            caches: HashMap::new(),
        }
    }

    /// Runs the newest job of each document, until the channel closes.
    pub fn run(&mut self, receiver: &mpsc::Receiver<Job>) {
        while let Ok(first) = receiver.recv() {
            let mut jobs = vec![first];
            jobs.extend(receiver.try_iter());
            for job in jobs {
                if lock(self.shared).is_newest(&job) {
                    self.job(&job);
                }
            }
        }
    }

    fn job(&mut self, job: &Job) {
        if job.rescan {
            self.groups.clear();
        }
        // A closed document with no file leaves nothing to audit.
        if job.closed && file_path(&job.uri).is_none() {
            let mut state = lock(self.shared);
            state.member_of.remove(job.uri.as_str());
            self.show(&mut state, &job.uri, None, Vec::new());
            return;
        }
        let group = match self.groups.get(job.uri.as_str()) {
            Some(group) => group.clone(),
            None => {
                let group = self.resolve(&job.uri, &job.open);
                self.groups
                    .insert(job.uri.as_str().to_owned(), group.clone());
                group
            }
        };
        let Some(group) = group else {
            return;
        };
        let settings = Settings {
            today: self.config.today(),
            fail_on: self.config.fail_on,
            encoding: self.encoding,
        };
        let inputs = group
            .members
            .iter()
            .map(|member| self.read(member, &job.open))
            .collect();
        let cache = self.caches.entry(Arc::clone(&group.key)).or_default();
        let listing = group.listing.to_vec();
        let shared = self.shared;
        let cancelled = || !lock(shared).is_newest(job);
        let Some(snapshot) = analyze(inputs, listing, settings, cache, &cancelled) else {
            return;
        };
        let snapshot = Arc::new(snapshot);
        let mut state = lock(self.shared);
        if !state.is_newest(job) {
            return;
        }
        // Files that a registry held before and no longer holds (deleted,
        // moved out) lose their diagnostics.
        let gone: Vec<String> = state
            .member_of
            .iter()
            .filter(|(uri, key)| {
                **key != group.key
                    && snapshot
                        .files
                        .iter()
                        .any(|f| key.split('\n').any(|k| k == f.uri.as_str()))
                    && snapshot.file_by_str(uri).is_none()
            })
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in gone {
            state.member_of.remove(&uri);
            if let Ok(uri) = uri.parse::<Uri>() {
                self.show(&mut state, &uri, None, Vec::new());
            }
        }
        for file in &snapshot.files {
            state
                .member_of
                .insert(file.uri.as_str().to_owned(), Arc::clone(&group.key));
        }
        state
            .snapshots
            .insert(Arc::clone(&group.key), Arc::clone(&snapshot));
        if snapshot.registry.is_some() {
            state
                .loaded
                .insert(Arc::clone(&group.key), Arc::clone(&snapshot));
        }
        // Published while holding the lock, so that a newer analysis cannot
        // publish before this one.
        for (file, diags) in snapshot.files.iter().zip(&snapshot.diagnostics) {
            let diagnostics = diags.iter().map(|d| d.diagnostic.clone()).collect();
            self.show(&mut state, &file.uri, file.version, diagnostics);
        }
    }

    /// Publishes a file's diagnostics, unless they and its version are those
    /// already shown.
    fn show(
        &self,
        state: &mut Shared,
        uri: &Uri,
        version: Option<i32>,
        diagnostics: Vec<Diagnostic>,
    ) {
        let shown = (version, diagnostics);
        if state.shown.get(uri.as_str()) == Some(&shown) {
            return;
        }
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: shown.1.clone(),
            version,
        };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
        let _ = self.sender.send(notification.into());
        state.shown.insert(uri.as_str().to_owned(), shown);
    }

    /// The registry a document belongs to: the configured paths when they
    /// hold it (`None` when they do not: with paths set, nothing else is
    /// audited), else its directory walked as `audit` walks it, else the
    /// file alone.
    fn resolve(&self, uri: &Uri, open: &[Open]) -> Option<Group> {
        let configured = !self.config.registry.is_empty();
        let alone = || {
            let member = Member {
                uri: uri.clone(),
                path: file_path(uri),
            };
            Group::new(vec![member], Vec::new())
        };
        let Some(path) = file_path(uri) else {
            return (!configured).then(alone);
        };
        let paths = if configured {
            self.config.registry.clone()
        } else {
            match path.parent() {
                Some(dir) => vec![dir.to_path_buf()],
                None => return Some(alone()),
            }
        };
        let sources = Sources::resolve(&paths);
        let holds = |f: &Path| f == path || same_file(f, &path);
        if !sources.files.iter().any(|f| holds(f)) {
            return (!configured).then(alone);
        }
        let members = sources
            .files
            .iter()
            .map(|file| {
                // A file open in the editor keeps the URI the editor gave it.
                let uri = if holds(file) {
                    uri.clone()
                } else {
                    open.iter()
                        .find(|o| {
                            file_path(&o.uri).is_some_and(|p| p == *file || same_file(&p, file))
                        })
                        .map(|o| o.uri.clone())
                        .or_else(|| file_uri(file))
                        .unwrap_or_else(|| uri.clone())
                };
                Member {
                    uri,
                    path: Some(file.clone()),
                }
            })
            .collect();
        Some(Group::new(members, sources.errors().to_vec()))
    }

    /// A file's text: the editor's, else the file's on disk.
    fn read(&self, member: &Member, open: &[Open]) -> Input {
        let name = member.path.as_ref().map_or_else(
            || member.uri.as_str().to_owned(),
            |p| p.to_string_lossy().into_owned(),
        );
        let editor = open.iter().find(|o| o.uri == member.uri);
        let (text, version) = match (editor, &member.path) {
            (Some(open), _) => (Ok(Arc::clone(&open.text)), Some(open.version)),
            (None, Some(path)) => {
                let display = crate::registry::display_path(path);
                let text = crate::registry::read_file(path, &display, self.config.max_file_size)
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
}

/// Whether two paths name one file.
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
}
