//! No import cycles between the top-level modules of core and of the app shell: each module is
//! read as its source says (`crate::module` paths and the crate root's re-exports), tests and
//! comments aside, and the graph must have no cycle. A cycle makes each of its modules need all the
//! others, which is how a facade grows back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Names the crate root re-exports, by the module they come from.
const ROOT_EXPORTS: &[(&str, &str)] = &[
    ("Desk", "facade"),
    ("HISTORY_AFTER_MINUTES", "facade"),
    ("MAX_PAGE", "facade"),
    ("MAX_TOPIC_CHARS", "facade"),
    ("next_revision", "facade"),
    ("ARCHIVE_KEY", "facade"),
    ("STAFF_ID", "facade"),
    ("Error", "error"),
    ("Result", "error"),
    ("StoreError", "error"),
];

/// Each top-level module of the crate at `src`, and the others it uses.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
            if matches!(top.as_str(), "lib" | "main" | "bin") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Tests may reach anywhere; only the code that ships counts.
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            let uses = graph.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (i, _) in line.match_indices("crate::") {
                    let rest = &line[i + "crate::".len()..];
                    let names: Vec<&str> = match rest.strip_prefix('{') {
                        Some(list) => list.split('}').next().unwrap_or_default().split(',').collect(),
                        None => vec![rest],
                    };
                    for name in names {
                        let name: String =
                            name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        let module = ROOT_EXPORTS.iter().find(|(n, _)| *n == name).map_or(name.as_str(), |(_, m)| m);
                        if !module.is_empty() && module != top {
                            uses.insert(module.to_owned());
                        }
                    }
                }
            }
        }
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|m| known.contains(m));
    }
    graph
}

/// A cycle through `graph`, as the modules in it, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut c = path[at..].to_vec();
            c.push(node.to_owned());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in &graph[node] {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

fn assert_acyclic(src: &Path) {
    let g = graph(src);
    assert!(g.len() > 5, "{}: modules not found", src.display());
    if let Some(c) = cycle(&g) {
        panic!("{}: modules import each other in a cycle: {}", src.display(), c.join(" -> "));
    }
}

#[test]
fn the_cores_modules_import_each_other_without_cycles() {
    assert_acyclic(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
}

#[test]
fn the_check_finds_a_cycle_when_there_is_one() {
    let g: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
            .into_iter()
            .map(|(m, uses)| (m.to_owned(), uses.into_iter().map(str::to_owned).collect()))
            .collect();
    assert_eq!(cycle(&g).map(|c| c.len()), Some(4), "a -> b -> c -> a");
}

#[test]
fn the_app_shells_modules_import_each_other_without_cycles() {
    assert_acyclic(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/src"));
}
