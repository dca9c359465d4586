//! `mcfg build`: compile, then write every artifact (all or nothing).

use std::path::PathBuf;

use clap::Args;

use super::{Output, Sources};

/// Arguments of `mcfg build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    sources: Sources,
    /// Output folder.
    #[arg(short = 'o', long = "out", default_value = "build")]
    out: PathBuf,
    /// Only write these environments (every environment is still checked).
    #[arg(long = "env")]
    envs: Vec<String>,
}

/// Runs `mcfg build`.
pub fn run(out: &Output, args: &BuildArgs) -> u8 {
    let Some(comp) = out.compile(&args.sources) else { return 2 };
    out.diagnostics(&comp.project.sources, &comp.diags);
    if comp.has_errors() {
        return 1;
    }
    for e in &args.envs {
        if !comp.envs.contains(e) {
            out.error(&format!("unknown environment `{e}` in --env (declared: {})", comp.envs.join(", ")));
            return 2;
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for a in &comp.artifacts {
        if let Some(env) = &a.env {
            if !args.envs.is_empty() && !args.envs.contains(env) {
                continue;
            }
        }
        let dir = a.env.as_ref().map(|e| format!("{e}/")).unwrap_or_default();
        files.push((format!("{dir}{}.json", a.config), json_bytes(&a.value)));
        if let Some(rt) = &a.runtime {
            files.push((format!("{dir}{}.runtime.json", a.config), json_bytes(rt)));
        }
    }
    match write_all(&args.out, &files) {
        Ok(()) => 0,
        Err(e) => {
            out.error(&format!("cannot write {}: {e}", args.out.display()));
            2
        }
    }
}

fn json_bytes(v: &crate::eval::Value) -> Vec<u8> {
    let mut buf = Vec::with_capacity(1024);
    // Invariant: `Value` serializes infallibly (finite floats are guaranteed by eval).
    serde_json::to_writer_pretty(&mut buf, v).expect("value serializes");
    buf.push(b'\n');
    buf
}

fn write_all(dir: &std::path::Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "build".into());
    let tmp = parent.join(format!(".mcfg-tmp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let res = (|| {
        for (rel, bytes) in files {
            let path = tmp.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::write(&path, bytes)?;
        }
        std::fs::create_dir_all(&tmp)?;
        let old = parent.join(format!(".mcfg-old-{name}-{}", std::process::id()));
        if dir.exists() {
            std::fs::rename(dir, &old)?;
        }
        std::fs::rename(&tmp, dir)?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    })();
    if res.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    res
}
