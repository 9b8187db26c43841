//! `nhi-own diff`.

use super::Exit;
use crate::cli::{ColorArg, DiffArgs};

pub fn run(_args: &DiffArgs, _color: ColorArg) -> anyhow::Result<Exit> {
    anyhow::bail!("`diff` is not built yet")
}
