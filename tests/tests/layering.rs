//! The layering rules the code keeps, checked from its source on every test run.
//!
//! - **No circles of modules.** No two modules of a crate import from each other, directly or
//!   around a circle; the one exception is GraphQL object types that refer to each other as the
//!   schema does (an account lists its engagements, an engagement names its account), so a
//!   circle is allowed only among `api/src/graphql` modules and only where every import along it
//!   names a type. A helper function, a constant or a whole module in a circle means it lives in
//!   the wrong room: shared helpers belong in `graphql/common`, loaders in `graphql/loaders`.
//! - **Small rooms.** No source file passes [`MAX_LINES`] lines, outside tests and demo data.
//!
//! How it reads the code: every `use` and every inline path that starts with `crate::`,
//! `super::` or `self::` is resolved to the longest module it names (a file, or a folder's
//! `mod.rs`), outside `#[cfg(test)]` modules and comments. Paths into other crates are not
//! edges: crates are layered by Cargo (`api → persistence → domain`), which refuses a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines a source file may have (tests and demo data aside).
const MAX_LINES: usize = 700;

/// The crates whose modules are checked, by folder.
const CRATES: &[&str] = &["api", "domain", "persistence", "migrations"];

/// Folders whose files are data rather than code, exempt from the size rule.
const DATA_FOLDERS: &[&str] = &["api/src/demo/"];

/// The folder whose modules may refer to each other's object types.
const GRAPHQL: &str = "api/src/graphql/";

/// One module file of a crate.
#[derive(Debug, Clone)]
struct Module {
    /// Relative to the workspace root, with `/` separators.
    file: String,
    /// Its path inside the crate (`["graphql", "common", "paging"]`; empty for `lib.rs`).
    path: Vec<String>,
    /// Its source.
    source: String,
}

/// An import of one module by another: the names taken (`*` for a glob, `self` for the module
/// itself).
type Edges = BTreeMap<(String, String), BTreeSet<String>>;

#[test]
fn no_modules_import_each_other_except_graphql_object_types() {
    let mut problems = Vec::new();
    for krate in CRATES {
        let modules = read_crate(&workspace().join(krate), krate);
        problems.extend(circle_problems(&modules));
    }
    assert!(
        problems.is_empty(),
        "modules that import each other:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_source_file_passes_the_size_limit() {
    let mut big = Vec::new();
    for krate in CRATES {
        for m in read_crate(&workspace().join(krate), krate) {
            if DATA_FOLDERS.iter().any(|d| m.file.starts_with(d)) {
                continue;
            }
            let lines = m.source.lines().count();
            if lines > MAX_LINES {
                big.push(format!("{} has {lines} lines", m.file));
            }
        }
    }
    assert!(
        big.is_empty(),
        "files over {MAX_LINES} lines (split them by action or concept, not into utils):\n{}",
        big.join("\n")
    );
}

/// The checker finds a circle of helper imports, and lets object types refer to each other.
#[test]
fn the_checker_tells_a_circle_of_helpers_from_object_types() {
    let module = |file: &str, path: &[&str], source: &str| Module {
        file: file.into(),
        path: path.iter().map(|s| (*s).to_owned()).collect(),
        source: source.into(),
    };
    let lib = module("api/src/lib.rs", &[], "pub mod graphql;");
    let graphql = module(
        "api/src/graphql/mod.rs",
        &["graphql"],
        "pub mod a; pub mod b;",
    );
    let types_only = [
        lib.clone(),
        graphql.clone(),
        module(
            "api/src/graphql/a.rs",
            &["graphql", "a"],
            "use super::b::BNode;",
        ),
        module(
            "api/src/graphql/b.rs",
            &["graphql", "b"],
            "// use super::a::helper; (a comment)\nfn f() -> crate::graphql::a::ANode { todo!() }",
        ),
    ];
    assert_eq!(circle_problems(&types_only), Vec::<String>::new());

    let helper = [
        lib.clone(),
        graphql.clone(),
        module(
            "api/src/graphql/a.rs",
            &["graphql", "a"],
            "use super::b::{BNode, helper};",
        ),
        module(
            "api/src/graphql/b.rs",
            &["graphql", "b"],
            "use super::a::ANode;",
        ),
    ];
    let found = circle_problems(&helper);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("helper"), "{found:?}");

    let outside_graphql = [
        module("domain/src/lib.rs", &[], "pub mod a; pub mod b;"),
        module("domain/src/a.rs", &["a"], "use crate::b::Hours;"),
        module(
            "domain/src/b.rs",
            &["b"],
            "use crate::a::{Phase};\n#[cfg(test)]\nmod tests { use super::*; }",
        ),
    ];
    assert_eq!(circle_problems(&outside_graphql).len(), 1);

    let parent_and_child = [
        lib,
        graphql,
        module(
            "api/src/graphql/loaders/mod.rs",
            &["graphql", "loaders"],
            "pub mod account;\nuse account::AccountLoader;\npub(crate) fn shared() {}",
        ),
        module(
            "api/src/graphql/loaders/account.rs",
            &["graphql", "loaders", "account"],
            "use super::shared;",
        ),
    ];
    assert_eq!(circle_problems(&parent_and_child).len(), 1);
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

/// Every module file of the crate in `dir` (binary roots such as `main.rs` and `bin/` aside:
/// they reach the library only through its public paths).
fn read_crate(dir: &Path, krate: &str) -> Vec<Module> {
    let src = dir.join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    files.sort();
    let mut modules = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("below src");
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if parts == ["main.rs"] || parts.first().map(String::as_str) == Some("bin") {
            continue;
        }
        let mut path: Vec<String> = parts.clone();
        let last = path.pop().expect("a file name");
        match last.as_str() {
            "lib.rs" | "mod.rs" => {}
            name => path.push(name.trim_end_matches(".rs").to_owned()),
        }
        let source = std::fs::read_to_string(&file).expect("readable source");
        modules.push(Module {
            file: format!("{krate}/src/{}", parts.join("/")),
            path,
            source,
        });
    }
    modules
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The circles among `modules` that the rules do not allow, one line each.
fn circle_problems(modules: &[Module]) -> Vec<String> {
    let edges = edges(modules);
    let mut problems = Vec::new();
    for circle in circles(modules, &edges) {
        let inside: BTreeSet<&String> = circle.iter().collect();
        let allowed_room = circle.iter().all(|f| f.starts_with(GRAPHQL));
        let mut bad = Vec::new();
        let mut ties = Vec::new();
        for ((from, to), names) in &edges {
            if !(inside.contains(from) && inside.contains(to)) {
                continue;
            }
            let names_list = names.iter().cloned().collect::<Vec<_>>().join(", ");
            ties.push(format!("{from} -> {to}: {names_list}"));
            let not_types: Vec<&String> = names.iter().filter(|n| !is_type_name(n)).collect();
            if !allowed_room || !not_types.is_empty() {
                bad.push(if allowed_room {
                    format!(
                        "{from} -> {to} takes {}",
                        not_types
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    format!("{from} -> {to}: {names_list}")
                });
            }
        }
        if !bad.is_empty() {
            problems.push(format!(
                "a circle of {} files{}:\n  {}",
                circle.len(),
                if allowed_room {
                    " in which not only object types are imported"
                } else {
                    ""
                },
                bad.join("\n  ")
            ));
        }
    }
    problems
}

/// A GraphQL type's name: UpperCamelCase, not a CONSTANT.
fn is_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase())
}

/// Which module imports which, and the names it takes.
fn edges(modules: &[Module]) -> Edges {
    let by_path: BTreeMap<&[String], &str> = modules
        .iter()
        .map(|m| (m.path.as_slice(), m.file.as_str()))
        .collect();
    let resolve = |at: &[String], path: &[String]| -> Option<(&str, String)> {
        let absolute = absolute(at, path, |p| by_path.contains_key(p))?;
        // The longest prefix of the path that is a module file.
        let end = (0..=absolute.len())
            .rev()
            .find(|&end| by_path.contains_key(&absolute[..end]))?;
        let name = absolute
            .get(end)
            .cloned()
            .unwrap_or_else(|| "self".to_owned());
        Some((by_path[&absolute[..end]], name))
    };
    let code_of: Vec<String> = modules
        .iter()
        .map(|m| strip_tests(&strip_comments(&m.source)))
        .collect();
    // (module, name it re-exports) -> (module that defines it, its name there).
    let mut reexports: BTreeMap<(String, String), (&str, String)> = BTreeMap::new();
    for (m, code) in modules.iter().zip(&code_of) {
        for path in public_uses(code) {
            if let Some((file, name)) = resolve(&m.path, &path)
                && file != m.file
                && let Some(last) = path.last()
            {
                reexports.insert((m.file.clone(), last.clone()), (file, name));
            }
        }
    }
    let mut edges = Edges::new();
    for (m, code) in modules.iter().zip(&code_of) {
        for path in referenced_paths(code) {
            let Some((target, name)) = resolve(&m.path, &path) else {
                continue;
            };
            let (mut target, mut name) = (target, name);
            // A name a module only re-exports (`pub use error::DomainError;` in `lib.rs`) is an
            // import of the module that defines it.
            while let Some((file, defined)) = reexports.get(&(target.to_owned(), name.clone())) {
                target = file;
                name = defined.clone();
            }
            if target == m.file {
                continue;
            }
            edges
                .entry((m.file.clone(), target.to_owned()))
                .or_default()
                .insert(name);
        }
    }
    edges
}

/// `path` (as written in module `at`) from the crate root, or `None` for another crate's path
/// (or a local name). A path may start at a child module of `at` without `self::`.
fn absolute(
    at: &[String],
    path: &[String],
    is_module: impl Fn(&[String]) -> bool,
) -> Option<Vec<String>> {
    let mut segments = path.iter();
    let first = segments.next()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => at.to_vec(),
        "super" => at[..at.len().checked_sub(1)?].to_vec(),
        child => {
            let mut child_path = at.to_vec();
            child_path.push(child.to_owned());
            if !is_module(&child_path) {
                return None;
            }
            child_path
        }
    };
    for s in segments {
        if s == "super" {
            base.pop()?;
        } else {
            base.push(s.clone());
        }
    }
    Some(base)
}

/// Every path the code names: from `use` trees (expanded) and inline paths
/// (`crate::graphql::ids::encode(…)`), wherever they start; [`absolute`] keeps this crate's.
fn referenced_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let tokens = tokenize(code);
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "use" {
            let end = tokens[i..]
                .iter()
                .position(|t| t == ";")
                .map_or(tokens.len(), |p| i + p);
            let mut pos = i + 1;
            expand_use(&tokens[..end], &mut pos, &[], &mut paths);
            i = end;
            continue;
        }
        if is_ident(&tokens[i])
            && tokens.get(i + 1).is_some_and(|t| t == "::")
            && (i == 0 || tokens[i - 1] != "::")
        {
            let mut path = vec![tokens[i].clone()];
            let mut j = i + 1;
            while tokens.get(j).is_some_and(|t| t == "::")
                && tokens.get(j + 1).is_some_and(|t| is_ident(t))
            {
                path.push(tokens[j + 1].clone());
                j += 2;
            }
            paths.push(path);
            i = j;
            continue;
        }
        i += 1;
    }
    paths
}

/// The paths of the `pub use` (and `pub(crate) use`) declarations of `code`: what it re-exports.
fn public_uses(code: &str) -> Vec<Vec<String>> {
    let tokens = tokenize(code);
    let mut paths = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t != "use" {
            continue;
        }
        let public = match i {
            0 => false,
            _ if tokens[i - 1] == "pub" => true,
            _ => i >= 4 && tokens[i - 1] == ")" && tokens[i - 4] == "pub",
        };
        if public {
            let end = tokens[i..]
                .iter()
                .position(|t| t == ";")
                .map_or(tokens.len(), |p| i + p);
            let mut pos = i + 1;
            expand_use(&tokens[..end], &mut pos, &[], &mut paths);
        }
    }
    paths
}

/// Expands one use tree starting at `tokens[*pos]`, under `prefix`: `a::b::{c, d::{self, E}}`
/// gives `a::b::c`, `a::b::d` and `a::b::d::E`.
fn expand_use(tokens: &[String], pos: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    while let Some(t) = tokens.get(*pos).map(String::as_str) {
        match t {
            "::" => *pos += 1,
            "{" => {
                *pos += 1;
                while let Some(t) = tokens.get(*pos) {
                    if t == "}" {
                        *pos += 1;
                        break;
                    }
                    let before = *pos;
                    expand_use(tokens, pos, &path, out);
                    if tokens.get(*pos).is_some_and(|t| t == ",") || *pos == before {
                        *pos += 1;
                    }
                }
                return;
            }
            "," | "}" => break,
            "as" => *pos += 2,
            "*" => {
                path.push("*".into());
                *pos += 1;
            }
            "self" if !path.is_empty() => *pos += 1,
            _ if is_ident(t) => {
                path.push(t.to_owned());
                *pos += 1;
            }
            _ => *pos += 1,
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Identifiers, `::` and single punctuation; string literals are kept as text to scan (a guard
/// named in an attribute string is a real import), so their contents are tokenized too.
fn tokenize(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".into());
            i += 2;
        } else if c.is_whitespace() || c == '"' {
            i += 1;
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

/// `source` without comments (string and char literals kept).
fn strip_comments(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && is_raw_start(&chars, i) {
            // A raw string: copied as it is, up to its closing quote and hashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            j += 1; // the opening quote
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars[j..].iter().collect();
            let len = rest.find(&close).map_or(rest.len(), |p| p + close.len());
            out.extend(chars[i..j].iter());
            out.push_str(&rest[..len]);
            i = j + rest[..len].chars().count();
        } else if c == '"' {
            out.push(c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(chars[i]);
                    i += 1;
                }
                if let Some(ch) = chars.get(i) {
                    out.push(*ch);
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A char literal ('"', '\n'); a lifetime has no closing quote here.
            let end = (i + 1..chars.len())
                .skip(1)
                .find(|&k| chars[k] == '\'')
                .unwrap_or(chars.len() - 1);
            i = end + 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_raw_start(chars: &[char], i: usize) -> bool {
    let before_ok = i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '_');
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    before_ok && chars.get(j) == Some(&'"')
}

/// `code` without its `#[cfg(test)]` items (test modules and test-only helpers).
fn strip_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // The item runs to its closing brace (or to its `;` when it has no body).
        let mut depth = 0usize;
        let mut end = after.len();
        for (k, ch) in after.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The strongly connected groups of more than one module (Tarjan's algorithm), each sorted.
fn circles(modules: &[Module], edges: &Edges) -> Vec<Vec<String>> {
    let files: Vec<&str> = modules.iter().map(|m| m.file.as_str()).collect();
    let index: BTreeMap<&str, usize> = files.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    for (from, to) in edges.keys() {
        next[index[from.as_str()]].push(index[to.as_str()]);
    }
    struct State {
        counter: usize,
        order: Vec<Option<usize>>,
        low: Vec<usize>,
        stack: Vec<usize>,
        on_stack: Vec<bool>,
        groups: Vec<Vec<usize>>,
    }
    fn visit(v: usize, next: &[Vec<usize>], s: &mut State) {
        s.order[v] = Some(s.counter);
        s.low[v] = s.counter;
        s.counter += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &next[v] {
            match s.order[w] {
                None => {
                    visit(w, next, s);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(o) if s.on_stack[w] => s.low[v] = s.low[v].min(o),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.order[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                group.push(w);
                if w == v {
                    break;
                }
            }
            s.groups.push(group);
        }
    }
    let n = files.len();
    let mut state = State {
        counter: 0,
        order: vec![None; n],
        low: vec![0; n],
        stack: Vec::new(),
        on_stack: vec![false; n],
        groups: Vec::new(),
    };
    for v in 0..n {
        if state.order[v].is_none() {
            visit(v, &next, &mut state);
        }
    }
    state
        .groups
        .into_iter()
        .filter(|g| g.len() > 1)
        .map(|g| {
            let mut names: Vec<String> = g.into_iter().map(|i| files[i].to_owned()).collect();
            names.sort();
            names
        })
        .collect()
}
