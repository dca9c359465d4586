//! Command-line overrides (LANGUAGE.md §9.7): `--set [ENV:]CONFIG.PATH=EXPR`,
//! `--set '~CONFIG.PATH'` and the points of a `--sweep`.
//!
//! Each argument becomes a pseudo-file of the build's [`SourceMap`] named
//! `--set[N]` (1-based, in command-line order), so every diagnostic about an
//! override — a malformed argument, an unknown path, a value that breaks a
//! refinement — points into the argument text. An override is then
//!
//! 1. parsed ([`parse`]): path by hand (identifiers, dots, quoted keys), the
//!    value by the real expression parser;
//! 2. planned against the resolved program ([`plan`]): which config (the
//!    first key, or the only emitted config when the first key names none),
//!    which environment;
//! 3. applied ([`apply`]) as the last layer of that config's layers (see
//!    `merge` for the resolution order), as a `Set` step with
//!    [`Origin::Override`], so it is typed and checked like any step and
//!    `explain` shows it with origin `--set`.
//!
//! An override must name a path the config has (Hydra's rule): a new map
//! entry is added with `+=` on the map, not by assigning it.

pub(crate) mod parse;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::ast::{Expr, Key, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::loader::{LoadedFile, Project};
use crate::merge::{Applier, Layers, Origin, Slot, ROOT};
use crate::resolve::{ConfigId, EnvId, Program};
use crate::source::{FileId, SourceFile, Span};
use crate::suggest;

pub use parse::Action;

/// Most `--set` arguments in one build.
pub const MAX_OVERRIDES: usize = 100_000;

/// One parsed override argument.
#[derive(Debug, Clone)]
pub struct Override {
    /// Position among the build's overrides (the `N - 1` of `--set[N]`).
    pub index: u32,
    /// The pseudo-file holding the argument text.
    pub file: FileId,
    /// The argument as given.
    pub text: String,
    /// `ENV:` when the override is for one environment (and those extending it).
    pub env: Option<Key>,
    /// Config name and path, or only the path (resolved by [`plan`]).
    pub keys: Vec<Key>,
    /// The span of the keys.
    pub path_span: Span,
    pub action: Action,
    /// The value (`None` for `~`).
    pub value: Option<Expr>,
    /// `+PATH=EXPR`: adds a key the config does not have yet.
    pub adds: bool,
    /// The value as the manifest records it, when it is not the text of
    /// `value`'s span (a sweep value from `range(...)`).
    pub value_text: Option<String>,
    /// `keys = value` over all keys, and over all but the first (the config name).
    stmts: Option<(Stmt, Stmt)>,
}

impl Override {
    #[allow(clippy::too_many_arguments)] // reason: the parser's one call; the fields of the struct
    pub(crate) fn new(
        index: u32,
        file: FileId,
        text: &str,
        env: Option<Key>,
        keys: Vec<Key>,
        path_span: Span,
        action: Action,
        value: Option<Expr>,
    ) -> Override {
        // `~PATH` is `unset PATH`, whose value is a `null` over the argument.
        let null = Expr {
            kind: crate::ast::ExprKind::Null,
            span: Span::new(file, 0, text.len()),
        };
        let stmts = value
            .as_ref()
            .or((action == Action::Unset).then_some(&null))
            .map(|v| {
                (
                    parse::stmt(&keys, action, v),
                    parse::stmt(keys.get(1..).unwrap_or(&[]), action, v),
                )
            });
        Override {
            index,
            file,
            text: text.to_owned(),
            env,
            keys,
            path_span,
            action,
            value,
            adds: false,
            value_text: None,
            stmts,
        }
    }

    /// Parses one argument held by pseudo-file `file` (the `index`-th override).
    #[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
    pub fn parse(file: FileId, text: &str, index: u32) -> Result<Override, Diagnostic> {
        parse::parse(file, text, index)
    }
}

/// Adds `text` to `project` as the pseudo-file `name`.
pub fn add_pseudo_file(project: &mut Project, name: String, text: &str) -> FileId {
    let id = project.sources.add(SourceFile::new(name.clone(), text));
    project.files.push(LoadedFile {
        id,
        canonical: PathBuf::from(&name),
        path: PathBuf::from(name),
        ast: None,
        imports: IndexMap::new(),
        // Not a source of the build: left out of the manifest's `sources`.
        is_std: true,
    });
    id
}

/// Adds each `--set` argument to `project` as a pseudo-file `--set[N]` and
/// parses it. Arguments that are not UTF-8 or do not parse are reported.
pub fn register(project: &mut Project, args: &[OsString]) -> (Vec<Override>, Vec<Diagnostic>) {
    let mut out = Vec::with_capacity(args.len());
    let mut diags = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let (text, bad_at) = match arg.to_str() {
            Some(s) => (s.to_owned(), None),
            None => {
                let bytes = arg.as_encoded_bytes();
                let at = std::str::from_utf8(bytes)
                    .err()
                    .map_or(0, |e| e.valid_up_to());
                (String::from_utf8_lossy(bytes).into_owned(), Some(at))
            }
        };
        let file = add_pseudo_file(project, format!("--set[{}]", i + 1), &text);
        if let Some(at) = bad_at {
            let len = text[at..].chars().next().map_or(0, char::len_utf8);
            diags.push(
                Diagnostic::error(
                    Code::Override,
                    Span::new(file, at, at + len),
                    "this override is not valid UTF-8",
                )
                .with_help("overrides are mcfg text; check the shell's locale and quoting"),
            );
            continue;
        }
        if i == MAX_OVERRIDES {
            diags.push(
                Diagnostic::error(
                    Code::Limit,
                    Span::new(file, 0, text.len()),
                    format!("more than {MAX_OVERRIDES} overrides"),
                )
                .with_help("put the values in a source file instead"),
            );
            break;
        }
        match Override::parse(file, &text, i as u32) {
            Ok(o) => out.push(o),
            Err(d) => diags.push(d),
        }
    }
    (out, diags)
}

/// One override placed on a config.
#[derive(Debug, Clone, Copy)]
struct Planned<'a> {
    ov: &'a Override,
    env: Option<EnvId>,
    /// The path below the config root.
    path: &'a [Key],
    stmt: Option<&'a Stmt>,
}

type ByConfig<'a> = IndexMap<ConfigId, Vec<Planned<'a>>>;

/// The overrides of a build by config, ready to apply.
#[derive(Debug, Default, Clone)]
pub struct OverrideTable<'a> {
    by_config: Arc<ByConfig<'a>>,
    /// Applied after `by_config`: a sweep point's values after the `--set` ones.
    then: Option<Arc<ByConfig<'a>>>,
}

/// Overrides planned one by one (the values of `--sweep` axes), to be
/// combined into one table per sweep point ([`OverrideTable::with_point`]).
#[derive(Debug, Default)]
pub struct PlannedSet<'a> {
    items: Vec<Option<(ConfigId, Planned<'a>)>>,
    /// The manifest entry of each override that could be placed.
    pub entries: Vec<Option<OverrideEntry>>,
}

/// An override as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideEntry {
    /// The argument as given (`prod:ranker.serving.batch_size=32`).
    pub arg: String,
    pub config: String,
    /// The one environment it applies in (and those extending it), or `None` for all.
    pub env: Option<String>,
    /// Dotted path below the config (quoted keys as written).
    pub path: String,
    /// `set`, `add`, `append`, `replace` or `unset`.
    pub op: String,
    /// The value's expression text (`None` for `unset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl<'a> OverrideTable<'a> {
    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.by_config.is_empty() && self.then.as_ref().is_none_or(|t| t.is_empty())
    }

    /// This table followed by the overrides `chosen` (indexes into `set`).
    pub fn with_point(
        &self,
        set: &PlannedSet<'a>,
        chosen: impl IntoIterator<Item = usize>,
    ) -> OverrideTable<'a> {
        let mut then = ByConfig::default();
        for i in chosen {
            if let Some(Some((cid, p))) = set.items.get(i) {
                then.entry(*cid).or_default().push(*p);
            }
        }
        OverrideTable {
            by_config: self.by_config.clone(),
            then: Some(Arc::new(then)),
        }
    }

    fn for_config(&self, cid: ConfigId) -> impl Iterator<Item = &Planned<'a>> {
        let first = self.by_config.get(&cid).into_iter().flatten();
        let then = self.then.as_ref().and_then(|t| t.get(&cid));
        first.chain(then.into_iter().flatten())
    }
}

/// Places each of `overrides` on its config, like [`plan`], keeping them apart.
pub fn plan_each<'a>(
    prog: &mut Program<'a>,
    overrides: &'a [Override],
    diags: &mut Vec<Diagnostic>,
) -> PlannedSet<'a> {
    let mut set = PlannedSet::default();
    let by_name: IndexMap<&str, ConfigId> = prog
        .configs
        .iter_ids()
        .map(|(i, c)| (&*c.name, i))
        .collect();
    let emitted: Vec<ConfigId> = prog
        .configs
        .ids()
        .filter(|&c| prog.configs[c].is_emitted())
        .collect();
    let mut scoped: IndexMap<FileId, ConfigId> = IndexMap::new();
    for ov in overrides {
        match place(prog, &by_name, &emitted, ov) {
            Ok((cid, p)) => {
                // One copy of the scope per pseudo-file (a sweep axis holds many values).
                // Names in the value are looked up as in the config's own file.
                if scoped.insert(ov.file, cid) != Some(cid) {
                    let own = prog.configs[cid].file;
                    if let Some(scope) = prog.scopes.get(own.0 as usize).cloned() {
                        if let Some(slot) = prog.scopes.get_mut(ov.file.0 as usize) {
                            *slot = scope;
                        }
                    }
                }
                set.entries.push(Some(entry(prog, cid, &p)));
                set.items.push(Some((cid, p)));
            }
            Err(d) => {
                diags.push(d);
                set.entries.push(None);
                set.items.push(None);
            }
        }
    }
    set
}

/// Places `overrides` on the configs of `prog`; problems (unknown configs or
/// environments) are pushed to `diags`. Returns the table and the manifest
/// entries of the overrides that were placed.
pub fn plan<'a>(
    prog: &mut Program<'a>,
    overrides: &'a [Override],
    diags: &mut Vec<Diagnostic>,
) -> (OverrideTable<'a>, Vec<OverrideEntry>) {
    let set = plan_each(prog, overrides, diags);
    let mut by_config = ByConfig::default();
    for (cid, p) in set.items.into_iter().flatten() {
        by_config.entry(cid).or_default().push(p);
    }
    let table = OverrideTable {
        by_config: Arc::new(by_config),
        then: None,
    };
    (table, set.entries.into_iter().flatten().collect())
}

#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
fn place<'a>(
    prog: &Program<'_>,
    by_name: &IndexMap<&str, ConfigId>,
    emitted: &[ConfigId],
    ov: &'a Override,
) -> Result<(ConfigId, Planned<'a>), Diagnostic> {
    let env = match &ov.env {
        None => None,
        Some(k) => Some(find_env(prog, k)?),
    };
    let first = &ov.keys[0];
    let (cid, path, stmt) = match by_name.get(&*first.name) {
        Some(&cid) if !first.quoted => (cid, &ov.keys[1..], ov.stmts.as_ref().map(|s| &s.1)),
        _ if emitted.len() == 1 => (emitted[0], &ov.keys[..], ov.stmts.as_ref().map(|s| &s.0)),
        _ => {
            let names = emitted.iter().map(|&c| &*prog.configs[c].name);
            let mut d = Diagnostic::error(
                Code::Override,
                first.span,
                format!("no config named `{}`", first.name),
            )
            .with_primary_message("the first name of an override is the config");
            d = match suggest::closest(&first.name, names) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!(
                    "emitted configs: {}",
                    emitted
                        .iter()
                        .take(12)
                        .map(|&c| &*prog.configs[c].name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            return Err(d);
        }
    };
    let config = &prog.configs[cid];
    if !config.is_emitted() {
        return Err(Diagnostic::error(
            Code::Override,
            first.span,
            format!("config `{}` is abstract: it is never emitted", config.name),
        )
        .with_label(config.decl.name.span, "declared abstract here")
        .with_help("override a config that extends it; an override changes one artifact"));
    }
    if path.is_empty() {
        return Err(Diagnostic::error(
            Code::Override,
            ov.path_span,
            format!("`{}` names a config, not a field", config.name),
        )
        .with_help(format!("write `--set {}.FIELD=VALUE`", config.name)));
    }
    Ok((
        cid,
        Planned {
            ov,
            env,
            path,
            stmt,
        },
    ))
}

#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
fn find_env(prog: &Program<'_>, k: &Key) -> Result<EnvId, Diagnostic> {
    if let Some(i) = prog.envs.position(|e| e.name == k.name) {
        return Ok(i);
    }
    let mut d = Diagnostic::error(
        Code::Override,
        k.span,
        format!("unknown environment `{}`", k.name),
    );
    d = if prog.envs.is_empty() {
        d.with_help("the sources declare no environments; drop the `ENV:` prefix")
    } else {
        match suggest::closest(&k.name, prog.envs.iter().map(|e| &*e.name)) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!(
                "declared environments: {}",
                prog.envs
                    .iter()
                    .map(|e| &*e.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    };
    Err(d)
}

fn dotted(keys: &[Key]) -> String {
    keys.iter()
        .map(|k| match k.quoted {
            true => format!("{:?}", &*k.name),
            false => k.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn entry(prog: &Program<'_>, cid: ConfigId, p: &Planned<'_>) -> OverrideEntry {
    OverrideEntry {
        arg: p.ov.text.clone(),
        config: prog.configs[cid].name.to_string(),
        env: p.env.map(|e| prog.envs[e].name.to_string()),
        path: dotted(p.path),
        op: match p.ov.action {
            Action::Set if p.ov.adds => "add",
            Action::Set => "set",
            Action::Append => "append",
            Action::Replace => "replace",
            Action::Unset => "unset",
        }
        .to_owned(),
        value: p.ov.value_text.clone().or_else(|| {
            p.ov.value
                .as_ref()
                .map(|v| prog.project.sources.slice(v.span).to_owned())
        }),
    }
}

/// Applies the overrides of config `cid` that hold in `env` to its layers,
/// after every source step.
pub fn apply<'a>(
    prog: &Program<'a>,
    table: &OverrideTable<'a>,
    layers: &mut Layers<'a>,
    cid: ConfigId,
    env: Option<EnvId>,
    diags: &mut Vec<Diagnostic>,
) {
    if !table.by_config.contains_key(&cid)
        && !table.then.as_ref().is_some_and(|t| t.contains_key(&cid))
    {
        return;
    }
    let mut ap = Applier::new(prog, prog.configs[cid].schema.is_none());
    ap.config = Some(cid);
    for p in table.for_config(cid) {
        if let Some(only) = p.env {
            let holds = env.is_some_and(|e| prog.env_extends(e, only));
            if !holds {
                continue;
            }
        }
        let ok = match p.ov.adds {
            true => new_path(prog, &mut ap, layers, cid, p),
            false => existing_path(prog, &mut ap, layers, cid, p),
        };
        if !ok {
            continue;
        }
        if let Some(stmt) = p.stmt {
            ap.root_stmt(layers, stmt, Origin::Override(p.ov.index));
        }
    }
    let name = &*prog.configs[cid].name;
    for mut d in ap.diags {
        let in_override = prog
            .project
            .files
            .get(d.primary.span.file.0 as usize)
            .is_some_and(|f| f.ast.is_none() && f.path.to_string_lossy().starts_with("--"));
        if in_override && d.code == Code::UnknownField {
            d.code = Code::Override;
        }
        diags.push(d.with_config(name));
    }
}

/// Whether the path of `p` exists in `layers` (up to a leaf, below which the
/// applier decides); reports it with a did-you-mean otherwise.
fn existing_path<'a>(
    prog: &Program<'a>,
    ap: &mut Applier<'_, 'a>,
    layers: &Layers<'a>,
    cid: ConfigId,
    p: &Planned<'a>,
) -> bool {
    let mut cur = ROOT;
    for (i, key) in p.path.iter().enumerate() {
        let Slot::Obj(children) = &layers.node(cur).slot else {
            return true;
        };
        if let Some(&c) = children.get(&key.name) {
            cur = c;
            continue;
        }
        let config = &prog.configs[cid].name;
        let at = dotted(&p.path[..i]);
        let is_map = layers
            .node(cur)
            .ty
            .is_some_and(|t| matches!(prog.ty(t).ty, crate::types::Ty::Map(_)));
        let what = match (at.is_empty(), is_map) {
            (true, _) => format!("config `{config}` has no field `{}`", key.name),
            (false, true) => format!("`{config}.{at}` has no key `{}`", key.name),
            (false, false) => format!("`{config}.{at}` has no field `{}`", key.name),
        };
        let mut d = Diagnostic::error(Code::Override, key.span, what);
        if let Some(s) = suggest::closest(&key.name, children.keys().map(|k| &**k)) {
            d = d.with_help(format!("did you mean `{s}`?"));
        } else if is_map {
            d = d.with_help(format!(
                "an override may not add a map key; add it with `--set '{config}.{at}+={{ {} = VALUE }}'`",
                key.name
            ));
        } else {
            let names: Vec<&str> = children.keys().map(|k| &**k).take(12).collect();
            d = d.with_help(format!("fields here: {}", names.join(", ")));
        }
        ap.diags.push(d);
        return false;
    }
    true
}

/// Whether the path of `+PATH=EXPR` is new (some key of it is missing);
/// reports it otherwise, as Hydra does.
fn new_path<'a>(
    prog: &Program<'a>,
    ap: &mut Applier<'_, 'a>,
    layers: &Layers<'a>,
    cid: ConfigId,
    p: &Planned<'a>,
) -> bool {
    let mut cur = ROOT;
    for key in p.path {
        let Slot::Obj(children) = &layers.node(cur).slot else {
            return true;
        };
        match children.get(&key.name) {
            Some(&c) => cur = c,
            None => return true,
        }
    }
    if layers.is_absent(cur) {
        return true;
    }
    let config = &prog.configs[cid].name;
    let path = dotted(p.path);
    ap.diags.push(
        Diagnostic::error(
            Code::Override,
            p.ov.path_span,
            format!("`{config}.{path}` already exists: `+` only adds a new key"),
        )
        .with_help(format!(
            "write `--set '{config}.{path}=VALUE'` to change it"
        )),
    );
    false
}

/// Turns a bare word in an override's value that names nothing
/// (`--set svc.device=gpu`, the shell having eaten the quotes) into an
/// `mcfg::override` error that shows the quoted form.
pub fn explain_bare_words(project: &Project, diags: &mut [Diagnostic]) {
    for d in diags.iter_mut() {
        if d.code != Code::UnresolvedName {
            continue;
        }
        let span = d.primary.span;
        let Some(file) = project.files.get(span.file.0 as usize) else {
            continue;
        };
        let name = file.path.to_string_lossy();
        if file.ast.is_some() || !name.starts_with("--") {
            continue;
        }
        let text = &project.sources.get(span.file).text;
        let (a, b) = (span.start as usize, span.end as usize);
        let word = text.get(a..b).unwrap_or("");
        if word.is_empty() || !word.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            continue;
        }
        let quoted = format!("{}\"{word}\"{}", &text[..a], &text[b..]);
        let flag = if name.starts_with("--sweep") {
            "--sweep"
        } else {
            "--set"
        };
        d.code = Code::Override;
        d.message = format!("{} (a bare word is a name, not a string)", d.message);
        d.help = Some(format!(
            "to give the string, quote it for mcfg and the shell: {flag} '{quoted}'"
        ));
    }
}
