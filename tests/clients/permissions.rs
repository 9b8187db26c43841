//! A file the user may not read is reported, located, with exit 2. It needs a
//! user whom permissions bind: root reads a mode-000 file, so under root the
//! binary runs as `nobody` (with `setpriv`), and without a way to do that the
//! check is ignored, with that reason.

use crate::Check;
use crate::common::Workspace;
use libtest_mimic::{Completion, Failed};

pub const CHECKS: &[(&str, Check)] = &[(
    "permissions::a_file_without_read_permission_is_reported",
    unreadable_file,
)];

#[cfg(unix)]
fn unreadable_file() -> Result<Completion, Failed> {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let path = ws.write("locked.yaml", "version: 1\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // The workspace itself must be reachable for the other user.
    std::fs::set_permissions(ws.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let binary = env!("CARGO_BIN_EXE_nhi-own");
    let mut command = if std::fs::read(&path).is_ok() {
        let setpriv = need!(
            crate::program("setpriv").map_err(|_| Completion::ignored_with(
                "needs a user without root's permissions, or `setpriv` to become one"
            ))
        );
        let mut c = std::process::Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        c
    } else {
        std::process::Command::new(binary)
    };
    let output = command
        .args(["audit", "locked.yaml"])
        .current_dir(ws.dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("locked.yaml: error: cannot read: permission denied"),
        "{stderr}"
    );
    Ok(Completion::Completed)
}

#[cfg(not(unix))]
fn unreadable_file() -> Result<Completion, Failed> {
    Ok(Completion::ignored_with("needs Unix permissions"))
}
