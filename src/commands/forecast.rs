//! `nhi-own forecast`: the deadlines ahead, and who must act on each.

use super::Exit;
use crate::cli::{ColorArg, ForecastArgs, ForecastFormat};
use crate::output::{terminal_width, write_stdout};
use crate::report::Format;

pub fn run(args: &ForecastArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let errors_as = match args.format {
        ForecastFormat::Table | ForecastFormat::Ics => Format::Table,
        ForecastFormat::Json => Format::Json,
    };
    let Some((registry, today)) = super::load(&args.registry, errors_as, color)? else {
        return Ok(Exit::Invalid);
    };
    let forecast = crate::forecast::forecast(&registry, today, &args.within);
    let text = match args.format {
        ForecastFormat::Table => crate::forecast::table(&forecast, terminal_width()),
        ForecastFormat::Json => crate::forecast::json(&forecast),
        ForecastFormat::Ics => crate::forecast::ics::render(&forecast),
    };
    write_stdout(text.as_bytes())?;
    Ok(Exit::Pass)
}
