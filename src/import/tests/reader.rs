//! A small, independent reader for the mcfg subset the importer writes:
//! `environments`, structural `config NAME [extends P] { }`, `path = expr`,
//! `path := expr`, `unset path`, `path { }`, `env NAME { }`, literals,
//! lists, object literals, `"""`.
//! It resolves a config (and an environment) to a JSON value, so tests can
//! compare the import with the source. Panics on anything unexpected.

use serde_json::{Map as JsonMap, Value as Json};

#[derive(Debug)]
enum Stmt {
    Set(Vec<String>, Json),
    Unset(Vec<String>),
    Block(Vec<String>, Vec<Stmt>),
    Env(String, Vec<Stmt>),
}

#[derive(Debug)]
struct Config {
    name: String,
    extends: Option<String>,
    body: Vec<Stmt>,
}

/// A parsed file: environments (name, parent) and configs.
#[derive(Debug)]
pub(super) struct Program {
    envs: Vec<(String, Option<String>)>,
    configs: Vec<Config>,
}

impl Program {
    /// The names of the configs, in order.
    pub(super) fn config_names(&self) -> Vec<&str> {
        self.configs.iter().map(|c| c.name.as_str()).collect()
    }

    /// The environments with their parents, in order.
    pub(super) fn env_names(&self) -> Vec<(&str, Option<&str>)> {
        self.envs
            .iter()
            .map(|(n, p)| (n.as_str(), p.as_deref()))
            .collect()
    }

    /// The resolved value of config `name` in environment `env`.
    pub(super) fn resolve(&self, name: &str, env: Option<&str>) -> Json {
        let config = self
            .configs
            .iter()
            .find(|c| c.name == name)
            .expect("config exists");
        let mut root = match &config.extends {
            Some(parent) => self.resolve(parent, env),
            None => Json::Object(JsonMap::new()),
        };
        apply(&mut root, &config.body, None);
        for e in self.env_chain(env) {
            apply(&mut root, &config.body, Some(e));
        }
        root
    }

    fn env_chain<'a>(&'a self, env: Option<&'a str>) -> Vec<&'a str> {
        let mut chain = Vec::new();
        let mut current = env;
        while let Some(name) = current {
            chain.push(name);
            let (_, parent) = self
                .envs
                .iter()
                .find(|(n, _)| n == name)
                .expect("declared env");
            current = parent.as_deref();
        }
        chain.reverse();
        chain
    }
}

fn apply(target: &mut Json, body: &[Stmt], env: Option<&str>) {
    for stmt in body {
        match (stmt, env) {
            (Stmt::Set(path, value), None) => *slot(target, path) = value.clone(),
            (Stmt::Unset(path), None) => {
                let (last, init) = path.split_last().expect("a path");
                if let Some(map) = slot(target, init).as_object_mut() {
                    map.shift_remove(last);
                }
            }
            (Stmt::Block(path, inner), None) => {
                let obj = slot(target, path);
                if obj.is_null() {
                    *obj = Json::Object(JsonMap::new());
                }
                assert!(obj.is_object(), "block on a non-object at {path:?}");
                apply(obj, inner, None);
            }
            (Stmt::Env(name, inner), Some(e)) if name == e => apply(target, inner, None),
            _ => {}
        }
    }
}

fn slot<'a>(target: &'a mut Json, path: &[String]) -> &'a mut Json {
    let mut current = target;
    for key in path {
        let map = current.as_object_mut().expect("path through objects");
        current = map.entry(key.clone()).or_insert(Json::Null);
    }
    current
}

/// Parses the whole file.
pub(super) fn parse(text: &str) -> Program {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    let mut program = Program {
        envs: Vec::new(),
        configs: Vec::new(),
    };
    loop {
        p.skip_separators();
        if p.pos >= p.chars.len() {
            return program;
        }
        match p.word().as_str() {
            "environments" => program.envs = p.environments(),
            "config" => {
                let name = p.word();
                p.skip_space();
                let extends = if p.peek() == Some('e') {
                    assert_eq!(p.word(), "extends");
                    Some(p.word())
                } else {
                    None
                };
                let body = p.body(true);
                program.configs.push(Config {
                    name,
                    extends,
                    body,
                });
            }
            other => panic!("unexpected declaration `{other}`"),
        }
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> char {
        let c = self.chars[self.pos];
        self.pos += 1;
        c
    }

    fn expect(&mut self, c: char) {
        self.skip_space();
        assert_eq!(self.peek(), Some(c), "expected `{c}` at char {}", self.pos);
        self.pos += 1;
    }

    /// Spaces and comments, not line breaks.
    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' {
                self.pos += 1;
            } else if c == '/' && self.chars.get(self.pos + 1) == Some(&'/') {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
            } else {
                return;
            }
        }
    }

    fn skip_separators(&mut self) {
        loop {
            self.skip_space();
            match self.peek() {
                Some('\n' | ',' | ';') => self.pos += 1,
                _ => return,
            }
        }
    }

    fn word(&mut self) -> String {
        self.skip_space();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        assert!(self.pos > start, "expected a word at char {start}");
        self.chars[start..self.pos].iter().collect()
    }

    fn environments(&mut self) -> Vec<(String, Option<String>)> {
        self.expect('{');
        let mut envs = Vec::new();
        loop {
            self.skip_separators();
            if self.peek() == Some('}') {
                self.pos += 1;
                return envs;
            }
            let name = self.word();
            self.skip_space();
            let parent = if self.peek() == Some('e') {
                assert_eq!(self.word(), "extends");
                Some(self.word())
            } else {
                None
            };
            envs.push((name, parent));
        }
    }

    fn body(&mut self, top: bool) -> Vec<Stmt> {
        self.expect('{');
        let mut stmts = Vec::new();
        loop {
            self.skip_separators();
            if self.peek() == Some('}') {
                self.pos += 1;
                return stmts;
            }
            if top && self.at_env_block() {
                self.word();
                let name = self.word();
                stmts.push(Stmt::Env(name, self.body(false)));
                continue;
            }
            let rest: String = self.chars[self.pos..].iter().take(6).collect();
            if rest == "unset " {
                self.word();
                self.skip_space();
                stmts.push(Stmt::Unset(self.path()));
                continue;
            }
            let path = self.path();
            self.skip_space();
            if self.peek() == Some('{') {
                stmts.push(Stmt::Block(path, self.body(false)));
            } else {
                // `:=` replaces; so does `=` of a literal in this reader.
                if self.peek() == Some(':') {
                    self.pos += 1;
                }
                self.expect('=');
                stmts.push(Stmt::Set(path, self.expr()));
            }
        }
    }

    fn at_env_block(&self) -> bool {
        let rest: String = self.chars[self.pos..].iter().take(4).collect();
        rest == "env "
    }

    fn path(&mut self) -> Vec<String> {
        let mut keys = vec![self.key()];
        while self.peek() == Some('.') {
            self.pos += 1;
            keys.push(self.key());
        }
        keys
    }

    fn key(&mut self) -> String {
        self.skip_space();
        if self.peek() == Some('"') {
            return self.string();
        }
        let word = self.word();
        assert!(
            !["env", "check", "true", "false", "null"].contains(&word.as_str()),
            "bare `{word}`"
        );
        word
    }

    fn expr(&mut self) -> Json {
        self.skip_space();
        match self.peek().expect("an expression") {
            '"' => Json::String(self.string()),
            '[' => self.list(),
            '{' => {
                let mut obj = Json::Object(JsonMap::new());
                let body = self.body(false);
                apply(&mut obj, &body, None);
                obj
            }
            c if c == '-' || c.is_ascii_digit() => self.number(),
            _ => match self.word().as_str() {
                "true" => Json::Bool(true),
                "false" => Json::Bool(false),
                "null" => Json::Null,
                other => panic!("unexpected word `{other}` in an expression"),
            },
        }
    }

    fn list(&mut self) -> Json {
        self.expect('[');
        let mut items = Vec::new();
        loop {
            self.skip_separators();
            if self.peek() == Some(']') {
                self.pos += 1;
                return Json::Array(items);
            }
            items.push(self.expr());
        }
    }

    fn number(&mut self) -> Json {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if text.contains(['.', 'e', 'E']) {
            let f: f64 = text.parse().expect("float literal");
            Json::from(f)
        } else {
            Json::from(text.parse::<i64>().expect("int literal"))
        }
    }

    fn string(&mut self) -> String {
        self.expect('"');
        if self.peek() == Some('"') && self.chars.get(self.pos + 1) == Some(&'"') {
            self.pos += 2;
            return self.block_string();
        }
        let mut out = String::new();
        loop {
            match self.bump() {
                '"' => return out,
                '\\' => out.push(self.escape()),
                '$' => panic!("unescaped `$`"),
                '\n' => panic!("line break in a one-line string"),
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> char {
        match self.bump() {
            '"' => '"',
            '\\' => '\\',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '$' => '$',
            'u' => {
                assert_eq!(self.bump(), '{');
                let mut hex = String::new();
                while self.peek() != Some('}') {
                    hex.push(self.bump());
                }
                self.pos += 1;
                char::from_u32(u32::from_str_radix(&hex, 16).expect("hex")).expect("char")
            }
            c => panic!("unknown escape `\\{c}`"),
        }
    }

    /// After the opening `"""`: the lines up to the closing `"""`, dedented.
    fn block_string(&mut self) -> String {
        assert_eq!(self.bump(), '\n', "line break after the opening \"\"\"");
        let mut lines: Vec<String> = Vec::new();
        loop {
            let start = self.pos;
            while self.peek().is_some_and(|c| c != '\n') {
                self.pos += 1;
            }
            assert!(self.peek().is_some(), "unterminated \"\"\"");
            let line: String = self.chars[start..self.pos].iter().collect();
            let indent = line.len() - line.trim_start_matches(' ').len();
            if line[indent..].starts_with("\"\"\"") {
                self.pos = start + indent + 3;
                return dedent(&lines, indent);
            }
            self.pos += 1;
            lines.push(line);
        }
    }
}

fn dedent(lines: &[String], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let decoded: Vec<String> = lines
        .iter()
        .map(|line| {
            if line.is_empty() {
                return String::new();
            }
            let body = line
                .strip_prefix(&pad)
                .expect("line indented like the closing \"\"\"");
            let mut p = Parser {
                chars: body.chars().collect(),
                pos: 0,
            };
            let mut out = String::new();
            while p.pos < p.chars.len() {
                match p.bump() {
                    '\\' => out.push(p.escape()),
                    '$' => panic!("unescaped `$` in a block string"),
                    c => out.push(c),
                }
            }
            out
        })
        .collect();
    decoded.join("\n")
}
