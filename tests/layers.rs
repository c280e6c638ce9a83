//! The layers of `src/lib.rs`'s docs, checked on the source: each module
//! refers only to the layers at or above its own, and the parsing layers
//! (everything down to the families and the replay reader) make no system
//! call: no `nix`, `libc`, `std::fs`, `std::thread`, `std::process`,
//! `std::env`, `std::os`, clocks, or the transport.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, top (no dependencies) to bottom, by module: the first part
/// of a path under `src/` (`inet/attr.rs` is `inet`).
const LAYERS: &[(&str, &[&str])] = &[
    ("raw overlays and parse errors", &["raw", "parse_error"]),
    ("netlink framing", &["netlink"]),
    ("requests", &["request"]),
    ("pieces every family shares", &["common"]),
    (
        "families",
        &[
            "inet",
            "unix",
            "netlink_diag",
            "packet",
            "vsock",
            "xdp",
            "smc",
            "tipc",
        ],
    ),
    ("replay", &["replay"]),
    ("the serde form of the owned types", &["serde_impl"]),
    ("text files", &["files"]),
    ("the library's error", &["error"]),
    // ---- everything above parses bytes; everything below may use the OS.
    ("transport", &["transport"]),
    ("host", &["host"]),
    ("engine", &["poll"]),
    ("compat", &["compat"]),
];

/// The last layer that must not touch the OS.
const LAST_PARSING_LAYER: usize = 8;

/// What a parsing module must not name.
const OS: &[&str] = &[
    "nix::",
    "libc::",
    "std::fs",
    "std::thread",
    "std::process",
    "std::env",
    "std::os",
    "std::net::TcpStream",
    "std::net::UdpSocket",
    "std::net::TcpListener",
    "Instant::now",
    "SystemTime",
    "DiagSocket",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The source without comments, string and char literals (their text
/// becomes spaces), so that only code is searched.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(src.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(src.len(), |n| i + n + 2);
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let open = rest.find('"').unwrap();
            let hashes = &rest[1..open];
            let close = format!("\"{hashes}");
            let end = rest[open + 1..]
                .find(&close)
                .map_or(src.len(), |n| i + open + 1 + n + close.len());
            out.push(' ');
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push(' ');
            i = j + 1;
        } else if b[i] == b'\''
            && rest.len() > 2
            && (rest.as_bytes()[2] == b'\'' || rest.starts_with("'\\"))
        {
            // A char literal ('x', '\n', '\''), not a lifetime.
            let j = rest[2..].find('\'').map_or(src.len(), |n| i + 2 + n + 1);
            out.push(' ');
            i = j;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `code` without the items marked `#[cfg(test)]` (a `mod x;` line or a
/// braced item).
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at + "#[cfg(test)]".len()..];
        let semi = item.find(';');
        let brace = item.find('{');
        let end = match (semi, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => {
                let mut depth = 0usize;
                let mut end = item.len();
                for (k, c) in item[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The modules of the crate's root names (`DiagSocket` is `transport`),
/// from `pub use` lines of `lib.rs`.
fn root_names(lib: &str) -> BTreeMap<String, String> {
    let code = code_only(lib);
    let mut names = BTreeMap::new();
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let module = path.split("::").next().unwrap().trim().to_owned();
        let items = match path.find('{') {
            Some(open) => path[open + 1..path.rfind('}').unwrap()].to_owned(),
            None => path.rsplit("::").next().unwrap().to_owned(),
        };
        for item in items.split(',') {
            let name = item.split_whitespace().last().unwrap_or("");
            if !name.is_empty() {
                names.insert(name.to_owned(), module.clone());
            }
        }
    }
    names
}

/// Every module that `code` refers to through `crate::` (or `$crate::`).
fn referenced(code: &str, roots: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        rest = after;
        if after.starts_with('{') {
            let close = after.find('}').unwrap_or(after.len());
            for item in after[1..close].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                out.push(first.to_owned());
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out.into_iter()
        .filter(|n| !n.is_empty() && n != "self")
        .map(|n| roots.get(&n).cloned().unwrap_or(n))
        .collect()
}

/// Whether `code` names the path `what` (not as the tail of a longer
/// name: `unix::` is not `nix::`). `std::os::unix::ffi` (bytes as
/// `OsStr`) makes no system call and is allowed.
fn names(code: &str, what: &str) -> bool {
    code.match_indices(what).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let whole = !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        whole && !(what == "std::os" && code[at..].starts_with("std::os::unix::ffi"))
    })
}

/// The problems of one source file at `path` (relative to `src/`).
fn check_file(path: &str, src: &str, roots: &BTreeMap<String, String>) -> Vec<String> {
    let module = path
        .split('/')
        .next()
        .unwrap()
        .trim_end_matches(".rs")
        .to_owned();
    let Some(layer) = layer_of(&module) else {
        return vec![format!(
            "{path}: module `{module}` is in no layer of LAYERS"
        )];
    };
    let code = without_tests(&code_only(src));
    let mut problems = Vec::new();
    for used in referenced(&code, roots) {
        match layer_of(&used) {
            Some(l) if l <= layer => {}
            Some(l) => problems.push(format!(
                "{path} ({}) uses `{used}` ({}), a layer below it",
                LAYERS[layer].0, LAYERS[l].0
            )),
            None => problems.push(format!("{path} uses `crate::{used}`, which is in no layer")),
        }
    }
    if layer <= LAST_PARSING_LAYER {
        for os in OS {
            if names(&code, os) {
                problems.push(format!(
                    "{path} ({}) names `{os}`: parsing layers make no system call",
                    LAYERS[layer].0
                ));
            }
        }
    }
    problems
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "bin") {
                sources(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Files that hold only unit tests (declared `#[cfg(test)] mod ...;`).
fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap();
    name == "tests.rs" || name.ends_with("_tests.rs")
}

#[test]
fn every_module_keeps_to_its_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let roots = root_names(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || is_test_file(&rel) {
            continue;
        }
        checked += 1;
        problems.extend(check_file(
            &rel,
            &std::fs::read_to_string(f).unwrap(),
            &roots,
        ));
    }
    assert!(checked > 30, "{checked} files");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_violation_is_found() {
    let roots = root_names("pub use transport::{DiagSocket, Dump};\npub use error::Error;");
    // An OS call in a family, in code (not in a comment or a string).
    let bad = "use std::fs;\n// std::thread in a comment\nfn f() { let _ = \"std::process\"; }";
    let p = check_file("inet/msg.rs", bad, &roots);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("names `std::fs`"), "{p:?}");
    // A family that reaches down to the transport, by a root name.
    let p = check_file("unix.rs", "use crate::{DiagSocket, Error};", &roots);
    assert!(p.iter().any(|m| m.contains("uses `transport`")), "{p:?}");
    assert!(p.iter().any(|m| m.contains("names `DiagSocket`")), "{p:?}");
    // Framing that uses a family.
    let p = check_file(
        "netlink/attr.rs",
        "fn f() -> crate::inet::InetMsg<'static> { todo!() }",
        &roots,
    );
    assert!(
        p[0].contains("uses `inet` (families), a layer below it"),
        "{p:?}"
    );
    // Test modules are not code of the layer.
    let ok =
        "fn f() {}\n#[cfg(test)]\nmod tests { use std::fs; fn g() { if true { } } }\nfn h() {}";
    assert!(check_file("inet/msg.rs", ok, &roots).is_empty());
    // The host may use the OS and everything above it.
    assert!(check_file(
        "host/netns.rs",
        "use nix::sched; use crate::DiagSocket;",
        &roots
    )
    .is_empty());
    // Names are whole: `unix::` is not `nix::`; bytes as OsStr are fine.
    let p = check_file(
        "replay.rs",
        "use crate::unix::UnixMsg; use std::os::unix::ffi::OsStrExt;",
        &roots,
    );
    assert!(p.is_empty(), "{p:?}");
    // A module nobody placed.
    assert!(check_file("shiny.rs", "", &roots)[0].contains("in no layer"));
}
