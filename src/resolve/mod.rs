//! Name resolution: environments, per-file scopes, schemas, aliases and configs.
//!
//! Builds the [`Program`]: arenas of object types ([`ObjTy`]) and types
//! ([`TyRef`]), the environment graph, and the configs with their parent
//! chains. Static errors found here (duplicates, unknown names, unknown
//! environments, inheritance cycles) are reported once, not per environment.

mod configs;
mod envs;
mod ids;
mod policy;
mod refs;
mod types;
mod unions;

pub use types::{compile_pattern, const_lit, pattern_source};

use indexmap::IndexMap;

use crate::ast::{self, Decl, Name, QualName};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::loader::Project;
use crate::source::{FileId, Span};
use crate::suggest;
use crate::types::{ObjId, ObjTy, Ty, TyId, TyRef};

pub use configs::{Config, MAX_CONFIG_DEPTH};
pub use envs::{Env, EnvTree};
pub use ids::{ConfigId, EnvId, Id, IdVec, TooMany, MAX_CONFIGS, MAX_ENVS};
pub use refs::referenced;
pub use unions::{lit_text, Tagged};

/// What a name declared in a file stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Schema(ObjId),
    /// A type alias (index into `Program::aliases`).
    Alias(u32),
    Config(ConfigId),
    /// An import alias naming another file.
    Module(FileId),
}

/// A `type Name = T` declaration, resolved lazily.
#[derive(Debug, Clone)]
pub struct TypeAlias<'a> {
    pub decl: &'a ast::TypeDecl,
    pub file: FileId,
    pub resolved: Option<TyId>,
    pub resolving: bool,
}

/// The resolved program: everything later phases need, by id.
#[derive(Debug)]
pub struct Program<'a> {
    pub project: &'a Project,
    /// Declared environments in declaration order; empty for a build without `environments`.
    pub envs: IdVec<EnvId, Env>,
    /// Names, depths and ancestry of `envs` (O(1) questions, no chain walks).
    pub env_tree: EnvTree,
    /// Per file: the names it declares or imports.
    pub scopes: Vec<crate::map::Map<Name, (Item, Span)>>,
    pub objs: Vec<ObjTy<'a>>,
    pub tys: Vec<TyRef>,
    pub aliases: Vec<TypeAlias<'a>>,
    pub configs: IdVec<ConfigId, Config<'a>>,
    /// The type `Object(schema)` for every schema, by `ObjId` of the schema.
    pub schema_tys: IndexMap<ObjId, TyId>,
    /// Object types that contain themselves through required fields (never complete).
    pub infinite_objs: indexmap::IndexSet<ObjId>,
    /// Unions of schemas and their tags (LANGUAGE.md §9.4), by union type.
    pub tags: IndexMap<TyId, Tagged>,
    /// The types of `path: TYPE` declarations in config bodies (outside
    /// `env` blocks), by the declaration's span.
    pub decl_tys: IndexMap<Span, TyId>,
}

impl<'a> Program<'a> {
    /// Resolves every loaded file of `project`.
    pub fn build(diags: &mut Diagnostics, project: &'a Project) -> Program<'a> {
        let mut prog = Program {
            project,
            envs: IdVec::new(),
            env_tree: EnvTree::default(),
            scopes: vec![crate::map::Map::default(); project.files.len()],
            objs: Vec::new(),
            tys: Vec::new(),
            aliases: Vec::new(),
            configs: IdVec::new(),
            schema_tys: IndexMap::new(),
            infinite_objs: indexmap::IndexSet::new(),
            tags: IndexMap::new(),
            decl_tys: IndexMap::new(),
        };
        envs::resolve_envs(diags, &mut prog);
        prog.declare_items(diags);
        types::lower_all(diags, &mut prog);
        unions::discriminate(diags, &mut prog);
        configs::resolve_configs(diags, &mut prog);
        policy::check_tests(diags, &prog);
        prog
    }

    /// The type with id `id`.
    pub fn ty(&self, id: TyId) -> &TyRef {
        &self.tys[id.0 as usize]
    }

    /// The object type with id `id`.
    pub fn obj(&self, id: ObjId) -> &ObjTy<'a> {
        &self.objs[id.0 as usize]
    }

    /// Adds a type to the arena.
    pub fn add_ty(&mut self, ty: TyRef) -> TyId {
        self.tys.push(ty);
        TyId((self.tys.len() - 1) as u32)
    }

    /// Whether the build declares environments.
    pub fn has_envs(&self) -> bool {
        !self.envs.is_empty()
    }

    /// Environment indices to evaluate: every declared one, or the single unnamed `None`.
    pub fn env_slots(&self) -> Vec<Option<EnvId>> {
        if self.envs.is_empty() {
            vec![None]
        } else {
            self.envs.ids().map(Some).collect()
        }
    }

    /// The name of environment `env` (`None` for the unnamed one).
    pub fn env_name(&self, env: Option<EnvId>) -> Option<&str> {
        env.map(|e| &*self.envs[e].name)
    }

    /// Config `cid`'s ancestors then itself (root first), built on demand
    /// (O(depth)).
    pub fn config_chain(&self, cid: ConfigId) -> Vec<ConfigId> {
        let mut chain = Vec::with_capacity(self.configs[cid].depth as usize + 1);
        let mut cur = Some(cid);
        // Bounded: `resolve` reports inheritance cycles and leaves them without parent.
        while let Some(c) = cur {
            if chain.len() > self.configs.len() {
                break;
            }
            chain.push(c);
            cur = self.configs[c].parent;
        }
        chain.reverse();
        chain
    }

    /// Whether environment `env` is `anc` or extends it, directly or not (O(1)).
    pub fn env_extends(&self, env: EnvId, anc: EnvId) -> bool {
        self.env_tree.extends(env, anc)
    }

    /// Environment `env`'s ancestors then itself (root first), built on
    /// demand: O(depth), so callers that ask per environment should prefer
    /// [`Program::env_extends`].
    pub fn env_chain(&self, env: EnvId) -> Vec<EnvId> {
        let mut chain = Vec::with_capacity(self.env_tree.depth(env) as usize + 1);
        let mut cur = Some(env);
        // Bounded: `resolve` cut every `extends` cycle.
        while let Some(e) = cur {
            if chain.len() > self.envs.len() {
                break;
            }
            chain.push(e);
            cur = self.envs[e].parent;
        }
        chain.reverse();
        chain
    }

    /// Whether `obj` is `base` or extends it (directly or not).
    pub fn obj_extends(&self, mut obj: ObjId, base: ObjId) -> bool {
        for _ in 0..=self.objs.len() {
            if obj == base {
                return true;
            }
            match self.obj(obj).parent {
                Some(p) => obj = p,
                None => return false,
            }
        }
        false
    }

    /// A short human name for a type: `int`, `list[string]`, `Serving`, `"cpu" | "gpu"`.
    pub fn ty_name(&self, id: TyId) -> String {
        let t = self.ty(id);
        let base = match &t.ty {
            Ty::Any => "any".to_owned(),
            Ty::Bool => "bool".to_owned(),
            Ty::Int => "int".to_owned(),
            Ty::Float => "float".to_owned(),
            Ty::Str => "string".to_owned(),
            Ty::Duration => "duration".to_owned(),
            Ty::Secret => "secret".to_owned(),
            Ty::List(e) => format!("list[{}]", self.ty_name(*e)),
            Ty::Map(e) => format!("map[{}]", self.ty_name(*e)),
            Ty::Union(lits) => lits
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" | "),
            Ty::AnyOf(members) => members
                .iter()
                .map(|m| self.ty_name(*m))
                .collect::<Vec<_>>()
                .join(" | "),
            Ty::Object(o) => match &self.obj(*o).name {
                Some(n) => n.to_string(),
                None => "object".to_owned(),
            },
            Ty::Error => "?".to_owned(),
        };
        if t.optional {
            format!("{base}?")
        } else {
            base
        }
    }

    fn declare_items(&mut self, diags: &mut Diagnostics) {
        let project = self.project;
        for file in &project.files {
            for (alias, target) in &file.imports {
                if let Some(t) = target {
                    let span = import_alias_span(file.ast.as_ref(), alias);
                    self.scopes[file.id.0 as usize].insert(alias.clone(), (Item::Module(*t), span));
                }
            }
            let Some(ast) = &file.ast else { continue };
            for decl in &ast.decls {
                let (name, item) = match decl {
                    Decl::Schema(s) => {
                        let id = ObjId(self.objs.len() as u32);
                        self.objs.push(ObjTy {
                            name: Some(s.name.name.clone()),
                            parent: None,
                            fields: IndexMap::new(),
                            checks: Vec::new(),
                            doc: s.doc.clone(),
                            span: s.name.span,
                            complete: false,
                        });
                        (&s.name, Item::Schema(id))
                    }
                    Decl::Type(t) => {
                        let idx = self.aliases.len() as u32;
                        self.aliases.push(TypeAlias {
                            decl: t,
                            file: file.id,
                            resolved: None,
                            resolving: false,
                        });
                        (&t.name, Item::Alias(idx))
                    }
                    Decl::Config(c) => match configs::declare(self, c, file.id) {
                        Ok(id) => (&c.name, Item::Config(id)),
                        Err(d) => {
                            diags.push(d);
                            continue;
                        }
                    },
                    Decl::Import(_) | Decl::Environments(_) | Decl::Test(_) => continue,
                };
                self.declare(diags, file.id, name, item);
            }
        }
    }

    fn declare(&mut self, diags: &mut Diagnostics, file: FileId, name: &ast::Ident, item: Item) {
        let scope = &mut self.scopes[file.0 as usize];
        if let Some((_, prev)) = scope.get(&name.name) {
            diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    name.span,
                    format!("`{}` is declared twice in this file", name.name),
                )
                .with_label(*prev, "first declared here")
                .with_help("rename one of the declarations"),
            );
            return;
        }
        scope.insert(name.name.clone(), (item, name.span));
    }

    /// Whether a failed lookup of `parts` from `file` was caused by an error
    /// already reported: a failed import on the way, or a file that did not
    /// parse (its declarations are unknown). Such a lookup is no new mistake.
    pub fn lookup_is_follow_on<'n>(
        &self,
        file: FileId,
        parts: impl IntoIterator<Item = &'n str>,
    ) -> bool {
        // A command-line override (`--set[N]`, `--sweep[N]`) has no AST but
        // is not a broken file: a name missing there is the user's mistake.
        let broken = |f: &crate::loader::LoadedFile| {
            f.ast.is_none() && !f.path.to_string_lossy().starts_with("--")
        };
        let mut scope_file = file;
        for part in parts {
            let loaded = self.project.file(scope_file);
            if broken(loaded) {
                return true;
            }
            if let Some(None) = loaded.imports.get(part) {
                return true;
            }
            match self.scopes[scope_file.0 as usize].get(part) {
                Some((Item::Module(next), _)) => scope_file = *next,
                _ => return false,
            }
        }
        broken(self.project.file(scope_file))
    }

    /// Looks up a possibly qualified name (`Serving`, `serving.Serving`) from `file`.
    pub fn lookup(&self, file: FileId, name: &QualName) -> Result<Item, Diagnostic> {
        let mut scope_file = file;
        let mut item = None;
        for (i, part) in name.parts.iter().enumerate() {
            let scope = &self.scopes[scope_file.0 as usize];
            let Some((found, _)) = scope.get(&part.name) else {
                let mut diag = Diagnostic::error(
                    Code::UnresolvedName,
                    part.span,
                    format!(
                        "cannot find `{}` in {}",
                        part.name,
                        if i == 0 {
                            "this file".to_owned()
                        } else {
                            format!("`{}`", name.parts[i - 1].name)
                        }
                    ),
                );
                if let Some(s) = suggest::closest(&part.name, scope.keys().map(|k| &**k)) {
                    diag = diag.with_help(format!("did you mean `{s}`?"));
                }
                return Err(diag);
            };
            if i + 1 < name.parts.len() {
                let Item::Module(next) = found else {
                    return Err(Diagnostic::error(
                        Code::UnresolvedName,
                        part.span,
                        format!("`{}` is not an import alias", part.name),
                    ));
                };
                scope_file = *next;
            }
            item = Some(*found);
        }
        item.ok_or_else(|| Diagnostic::error(Code::UnresolvedName, name.span, "empty name"))
    }
}

fn import_alias_span(ast: Option<&ast::File>, alias: &Name) -> Span {
    ast.and_then(|a| {
        a.decls.iter().find_map(|d| match d {
            Decl::Import(i) if &i.alias.name == alias => Some(i.alias.span),
            _ => None,
        })
    })
    .unwrap_or_default()
}
