//! Records the commit the binary is built from, for `mcfg --version`
//! (`mcfg 0.1.0 (commit 1a2b3c4d5e6f)`): `MCFG_COMMIT` from the environment
//! when set (packagers building from a tarball), else `git rev-parse HEAD`,
//! else `unknown` (no git, or not a git checkout). Uses no crates.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=MCFG_COMMIT");
    let commit = std::env::var("MCFG_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    // Rebuild when HEAD moves: HEAD itself (a branch switch), the branch's
    // ref and packed-refs (a commit), wherever this checkout keeps them
    // (worktrees have their own HEAD and a shared ref store).
    // (A path that does not exist would rerun this script on every build.)
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for path in &watched {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            if std::path::Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=MCFG_COMMIT={commit}");
}
