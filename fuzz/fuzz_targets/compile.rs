//! Fuzz target: structure-aware projects. `arbitrary` builds a small project
//! (environments with inheritance, schemas with refinements and checks,
//! configs with inheritance, `env` blocks, `+=` and expressions), it is
//! rendered to mcfg text, split over one to three files that import each
//! other, and compiled from a `MemoryFs` and emitted as JSON and YAML. Any
//! panic is a bug: bad input must become a diagnostic.
#![no_main]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mcfg::diagnostics::Diagnostics;
use mcfg::loader::{self, MemoryFs};

const FIELDS: [&str; 6] = ["a", "b", "c", "xs", "name", "sub"];
const ENVS: [&str; 4] = ["dev", "staging", "prod", "prod_eu"];

#[derive(Arbitrary, Debug)]
enum Ty {
    Int(Option<i8>, Option<i8>),
    Float(Option<i8>),
    Str(Option<u8>, bool),
    Bool,
    ListInt(bool),
    Union,
    Sub,
    Map,
    Optional(Box<Ty>),
    Any,
}

#[derive(Arbitrary, Debug)]
enum Lit {
    Int(i64),
    SmallInt(i8),
    Float(f32),
    Str(u8),
    Bool(bool),
    Null,
    Dur(u16),
}

#[derive(Arbitrary, Debug)]
enum Expr {
    Lit(Lit),
    Ref(u8),
    SelfRef(u8, u8),
    Env,
    Other(u8, u8),
    Bin(Box<Expr>, u8, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Obj(Vec<(u8, Expr)>),
    Call(u8, Vec<Expr>),
    Interp(Box<Expr>, Box<Expr>),
    In(Box<Expr>, Box<Expr>),
    Secret,
}

#[derive(Arbitrary, Debug)]
struct Field {
    name: u8,
    ty: Ty,
    default: Option<Expr>,
    marker: u8,
}

#[derive(Arbitrary, Debug)]
struct Schema {
    fields: Vec<Field>,
    check: Option<Expr>,
    extends: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct Stmt {
    path: Vec<u8>,
    op: u8,
    value: Expr,
}

#[derive(Arbitrary, Debug)]
struct Config {
    is_abstract: bool,
    schema: Option<u8>,
    parent: Option<u8>,
    body: Vec<Stmt>,
    envs: Vec<(Vec<u8>, Vec<Stmt>)>,
}

#[derive(Arbitrary, Debug)]
struct Project {
    envs: Option<Vec<(u8, Option<u8>)>>,
    schemas: Vec<Schema>,
    configs: Vec<Config>,
    files: u8,
    yaml: bool,
}

fn lit(l: &Lit, o: &mut String) {
    let _ = match l {
        Lit::Int(v) => write!(o, "{v}"),
        Lit::SmallInt(v) => write!(o, "{v}"),
        Lit::Float(v) if v.is_finite() => write!(o, "{v:?}"),
        Lit::Float(_) => write!(o, "1e308"),
        Lit::Str(v) => write!(o, "\"s{}\"", v % 5),
        Lit::Bool(b) => write!(o, "{b}"),
        Lit::Null => write!(o, "null"),
        Lit::Dur(v) => write!(o, "{v}ms"),
    };
}

const OPS: [&str; 14] = [
    "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or", "+",
];
const CALLS: [&str; 17] = [
    "len", "min", "max", "sum", "abs", "round", "floor", "ceil", "keys", "values", "contains",
    "lower", "upper", "join", "secret", "nope", "len",
];

fn expr(e: &Expr, depth: u32, o: &mut String) {
    if depth > 5 {
        o.push('1');
        return;
    }
    let d = depth + 1;
    match e {
        Expr::Lit(l) => lit(l, o),
        Expr::Ref(f) => o.push_str(FIELDS[*f as usize % FIELDS.len()]),
        Expr::SelfRef(f, g) => {
            let _ = write!(o, "self.{}", FIELDS[*f as usize % FIELDS.len()]);
            if g % 3 == 0 {
                let _ = write!(o, ".{}", FIELDS[*g as usize % FIELDS.len()]);
            }
        }
        Expr::Env => o.push_str("env"),
        Expr::Other(c, f) => {
            let _ = write!(o, "c{}.{}", c % 6, FIELDS[*f as usize % FIELDS.len()]);
        }
        Expr::Bin(a, op, b) => {
            o.push('(');
            expr(a, d, o);
            let _ = write!(o, " {} ", OPS[*op as usize % OPS.len()]);
            expr(b, d, o);
            o.push(')');
        }
        Expr::Not(a) => {
            o.push_str("not ");
            expr(a, d, o);
        }
        Expr::Neg(a) => {
            o.push_str("-");
            expr(a, d, o);
        }
        Expr::If(c, a, b) => {
            o.push_str("(if ");
            expr(c, d, o);
            o.push_str(" then ");
            expr(a, d, o);
            o.push_str(" else ");
            expr(b, d, o);
            o.push(')');
        }
        Expr::List(xs) => {
            o.push('[');
            for (i, x) in xs.iter().take(6).enumerate() {
                if i > 0 {
                    o.push_str(", ");
                }
                expr(x, d, o);
            }
            o.push(']');
        }
        Expr::Obj(kv) => {
            o.push('{');
            for (i, (k, v)) in kv.iter().take(5).enumerate() {
                if i > 0 {
                    o.push_str(", ");
                }
                let _ = write!(o, "{} = ", FIELDS[*k as usize % FIELDS.len()]);
                expr(v, d, o);
            }
            o.push('}');
        }
        Expr::Call(f, args) => {
            let _ = write!(o, "{}(", CALLS[*f as usize % CALLS.len()]);
            for (i, x) in args.iter().take(3).enumerate() {
                if i > 0 {
                    o.push_str(", ");
                }
                expr(x, d, o);
            }
            o.push(')');
        }
        Expr::Interp(a, b) => {
            o.push_str("\"x${");
            expr(a, d, o);
            o.push_str("}-${");
            expr(b, d, o);
            o.push_str("}\"");
        }
        Expr::In(a, b) => {
            o.push('(');
            expr(a, d, o);
            o.push_str(" in ");
            expr(b, d, o);
            o.push(')');
        }
        Expr::Secret => o.push_str("secret(\"vault://k\")"),
    }
}

fn ty(t: &Ty, nschemas: usize, depth: u32, o: &mut String) {
    match t {
        Ty::Int(lo, hi) => {
            o.push_str("int");
            match (lo, hi) {
                (Some(l), Some(h)) => {
                    let _ = write!(o, "(>= {l}, <= {h})");
                }
                (Some(l), None) => {
                    let _ = write!(o, "(> {l})");
                }
                (None, Some(h)) => {
                    let _ = write!(o, "(!= {h})");
                }
                (None, None) => {}
            }
        }
        Ty::Float(lo) => {
            o.push_str("float");
            if let Some(l) = lo {
                let _ = write!(o, "(>= {l}, < 100.5)");
            }
        }
        Ty::Str(len, re) => {
            o.push_str("string");
            match (len, re) {
                (Some(n), true) => {
                    let _ = write!(o, "(len <= {n}, matches \"^s[0-9]$\")");
                }
                (Some(n), false) => {
                    let _ = write!(o, "(len >= {})", n % 4);
                }
                (None, true) => o.push_str("(matches \"(a+)+$\")"),
                (None, false) => {}
            }
        }
        Ty::Bool => o.push_str("bool"),
        Ty::ListInt(unique) => {
            o.push_str("list[int]");
            if *unique {
                o.push_str("(unique, len <= 4)");
            }
        }
        Ty::Union => o.push_str("\"s0\" | \"s1\" | 3"),
        Ty::Sub if nschemas > 0 => {
            let _ = write!(o, "S{}", depth as usize % nschemas);
        }
        Ty::Sub => o.push_str("{ a: int = 1, b: string? }"),
        Ty::Map => o.push_str("map[float(>= 0)]"),
        Ty::Optional(inner) if depth < 2 => {
            ty(inner, nschemas, depth + 1, o);
            o.push('?');
        }
        Ty::Optional(_) => o.push_str("int?"),
        Ty::Any => o.push_str("any"),
    }
}

fn path(p: &[u8], o: &mut String) {
    if p.is_empty() {
        o.push('a');
    }
    for (i, k) in p.iter().take(3).enumerate() {
        if i > 0 {
            o.push('.');
        }
        o.push_str(FIELDS[*k as usize % FIELDS.len()]);
    }
}

fn stmt(s: &Stmt, o: &mut String) {
    o.push_str("  ");
    path(&s.path, o);
    o.push_str(if s.op % 4 == 0 { " += " } else { " = " });
    expr(&s.value, 0, o);
    o.push('\n');
}

fn render(p: &Project) -> Vec<String> {
    let nfiles = 1 + (p.files % 3) as usize;
    let mut files = vec![String::new(); nfiles];
    for (i, f) in files.iter_mut().enumerate().skip(1) {
        let _ = writeln!(f, "import \"./f{}.mcfg\" as m{}", i - 1, i - 1);
    }
    if let Some(envs) = &p.envs {
        let o = &mut files[0];
        o.push_str("environments {\n");
        let mut seen: Vec<usize> = Vec::new();
        for (e, parent) in envs.iter().take(4) {
            let e = *e as usize % ENVS.len();
            if seen.contains(&e) && e % 2 == 0 {
                continue;
            }
            let _ = write!(o, "  {}", ENVS[e]);
            if let Some(par) = parent {
                let _ = write!(o, " extends {}", ENVS[*par as usize % ENVS.len()]);
            }
            o.push('\n');
            seen.push(e);
        }
        o.push_str("}\n");
    }
    let nschemas = p.schemas.len().min(4);
    for (i, s) in p.schemas.iter().take(4).enumerate() {
        let o = &mut files[i % nfiles];
        let _ = write!(o, "schema S{i}");
        if let Some(e) = s.extends {
            let _ = write!(o, " extends S{}", e as usize % nschemas.max(1));
        }
        o.push_str(" {\n");
        for f in s.fields.iter().take(6) {
            match f.marker % 8 {
                1 => o.push_str("  @runtime\n"),
                2 => o.push_str("  @invariant\n"),
                3 => o.push_str("  @distinct\n"),
                4 => o.push_str("  @deprecated(\"old\")\n"),
                _ => {}
            }
            let _ = write!(o, "  {}: ", FIELDS[f.name as usize % FIELDS.len()]);
            ty(&f.ty, nschemas, i as u32 + 1, o);
            if let Some(d) = &f.default {
                o.push_str(" = ");
                expr(d, 2, o);
            }
            o.push('\n');
        }
        if let Some(c) = &s.check {
            o.push_str("  check ");
            expr(c, 2, o);
            o.push_str(" : \"check failed\"\n");
        }
        o.push_str("}\n");
    }
    for (i, c) in p.configs.iter().take(6).enumerate() {
        let o = &mut files[i % nfiles];
        if c.is_abstract {
            o.push_str("abstract ");
        }
        let _ = write!(o, "config c{i}");
        if let Some(s) = c.schema {
            let _ = write!(o, ": S{}", s as usize % nschemas.max(1));
        }
        if let Some(par) = c.parent {
            let _ = write!(o, " extends c{}", par % 6);
        }
        o.push_str(" {\n");
        for s in c.body.iter().take(8) {
            stmt(s, o);
        }
        for (names, body) in c.envs.iter().take(3) {
            o.push_str("  env ");
            for (j, e) in names.iter().take(2).enumerate() {
                if j > 0 {
                    o.push_str(", ");
                }
                o.push_str(ENVS[*e as usize % ENVS.len()]);
            }
            if names.is_empty() {
                o.push_str("dev");
            }
            o.push_str(" {\n");
            for s in body.iter().take(4) {
                stmt(s, o);
            }
            o.push_str("  }\n");
        }
        o.push_str("}\n");
    }
    files
}

fn compile(p: &Project) {
    let files = render(p);
    if std::env::var_os("MCFG_FUZZ_PRINT").is_some() {
        for (i, text) in files.iter().enumerate() {
            eprintln!("===== p/f{i}.mcfg\n{text}");
        }
    }
    let mut fs = MemoryFs::new();
    let mut inputs: Vec<PathBuf> = Vec::new();
    for (i, text) in files.into_iter().enumerate() {
        let name = PathBuf::from(format!("p/f{i}.mcfg"));
        fs.insert(&name, text.into_bytes());
        inputs.push(name);
    }
    let mut diags = Diagnostics::new();
    let project = loader::load(&mut diags, &fs, &inputs, Path::new("p"));
    let c = mcfg::compile::compile_project(project, diags);
    for d in &c.diags {
        let _ = mcfg::diagnostics::json::render(&c.project.sources, d);
        let _ = mcfg::diagnostics::human::render(&c.project.sources, d, false, 100);
    }
    for a in &c.artifacts {
        let v = a.value.to_json();
        let format = if p.yaml {
            mcfg::emit::Format::Yaml
        } else {
            mcfg::emit::Format::Json
        };
        let _ = mcfg::emit::render(&v, format, a.env.is_some());
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let Ok(p) = Project::arbitrary(&mut u) {
        compile(&p);
    }
});
