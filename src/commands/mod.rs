//! One module per subcommand. Each returns the process exit status.

pub mod audit;
pub mod explain;
pub mod rules;

use crate::cli::{ColorArg, Command};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// The three outcomes of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No unsuppressed finding at or above `--fail-on`.
    Pass = 0,
    /// There is one.
    Fail = 1,
    /// The registry could not be read or is invalid, or the command line is wrong.
    Invalid = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

pub fn run(command: Command) -> anyhow::Result<Exit> {
    match command {
        Command::Audit(args) => audit::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain { rule } => explain::run(&rule),
        Command::Completions { shell } => {
            let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut cmd, "nhi-own", &mut buffer);
            write_stdout(&buffer)?;
            Ok(Exit::Pass)
        }
    }
}

/// Whether to colour a stream, honouring `--color`, NO_COLOR, CLICOLOR_FORCE and TTYs.
pub fn use_color<S: anstream::stream::RawStream>(choice: ColorArg, stream: &S) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => !matches!(
            anstream::AutoStream::choice(stream),
            anstream::ColorChoice::Never
        ),
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes diagnostics to standard error, coloured when it is a terminal.
pub fn write_stderr(text: &str, color: ColorArg) {
    let colored = use_color(color, &io::stderr());
    let mut stderr = io::stderr().lock();
    let text = if colored {
        let error = crate::report::paint("error", crate::rules::Severity::Error, true);
        text.replace(": error: ", &format!(": {error}: "))
    } else {
        text.to_owned()
    };
    let _ = stderr.write_all(text.as_bytes());
}

/// Terminal width for tables, when standard output is a terminal.
pub fn terminal_width() -> Option<u16> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| w.0)
}
