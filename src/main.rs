use clap::Parser;
use nhi_own::cli::Cli;
use nhi_own::commands::{self, Exit};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color;
    match commands::run(cli) {
        Ok(exit) => exit.into(),
        Err(e) => {
            nhi_own::output::write_stderr(
                &format!("error: {}\n", nhi_own::escape::escape(&format!("{e:#}"))),
                color,
            );
            Exit::Invalid.into()
        }
    }
}
