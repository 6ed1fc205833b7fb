//! The server's modules import each other in one direction: no module imports another that
//! imports it back, except GraphQL object types, which refer to each other as the schema does.
//! Read from the sources (`use crate::…` and `use super::…`), outside unit tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Pairs allowed to import each other: object types of the schema that refer to each other.
const MUTUAL_ALLOWED_UNDER: &str = "graphql::types";

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source folder reads") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// `api/src/graphql/types/posting.rs` → `graphql::types::posting`; `mod.rs` and `lib.rs`
/// name their folder.
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).expect("under the root");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The paths a `use` tree names: `a::{b, c::d}` → `a::b`, `a::c::d`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut current) = (0usize, String::new());
    for character in inner.chars() {
        match character {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    parts.push(current);
    parts
        .iter()
        .filter(|part| !part.is_empty())
        .flat_map(|part| expand(part))
        .map(|path| format!("{prefix}{path}"))
        .collect()
}

/// The modules `source` (module `module`) imports, among `modules`.
fn imports(module: &str, source: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    // Unit tests may import whatever they test.
    let source = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut found = BTreeSet::new();
    // `use` statements start their line (maybe after `pub`); "use " inside a string does not.
    for (at, _) in source.match_indices("use ") {
        let line_start = source[..at].rfind('\n').map_or(0, |newline| newline + 1);
        if !matches!(source[line_start..at].trim(), "" | "pub" | "pub(crate)") {
            continue;
        }
        let statement = &source[at + 4..];
        let Some(end) = statement.find(';') else {
            continue;
        };
        for path in expand(&statement[..end]) {
            let mut parts: Vec<&str> = path.split("::").filter(|part| *part != "self").collect();
            let mut base: Vec<&str> = if module.is_empty() {
                vec![]
            } else {
                module.split("::").collect()
            };
            match parts.first() {
                Some(&"crate") => {
                    parts.remove(0);
                    base.clear();
                }
                Some(&"super") => {
                    while parts.first() == Some(&"super") {
                        parts.remove(0);
                        base.pop();
                    }
                }
                _ => continue,
            }
            base.extend(parts);
            // The longest prefix that is a module of its own file.
            let target = (1..=base.len())
                .rev()
                .map(|length| base[..length].join("::"))
                .find(|candidate| modules.contains(candidate));
            if let Some(target) = target
                && target != module
                && !module.starts_with(&format!("{target}::"))
            {
                found.insert(target);
            }
        }
    }
    found
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("api/src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|file| (module_of(&root, file), file.clone()))
        .collect();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let graph: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(module, file)| {
            let source = std::fs::read_to_string(file).expect("a source file reads");
            (module.as_str(), imports(module, &source, &names))
        })
        .collect();
    assert!(
        graph
            .get("graphql::executor")
            .is_some_and(|imported| imported.contains("graphql::pushdown")),
        "the reader of imports found nothing: {graph:?}"
    );
    let mut cycles = Vec::new();
    for (module, imported) in &graph {
        for other in imported {
            let back = graph
                .get(other.as_str())
                .is_some_and(|theirs| theirs.contains(*module));
            let allowed =
                module.starts_with(MUTUAL_ALLOWED_UNDER) && other.starts_with(MUTUAL_ALLOWED_UNDER);
            if back && !allowed && *module < other.as_str() {
                cycles.push(format!("{module} <-> {other}"));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules importing each other:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn use_trees_are_expanded_into_paths() {
    assert_eq!(
        expand("crate::a::{b, c::{d, e}}"),
        ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]
    );
}
