//! `nhi-own evidence`.

use super::Exit;
use crate::cli::{ColorArg, EvidenceArgs};

pub fn run(_args: &EvidenceArgs, _color: ColorArg) -> anyhow::Result<Exit> {
    anyhow::bail!("`evidence` is not built yet")
}
