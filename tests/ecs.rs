//! ECS documents of the whole corpus, checked against ECS 9.4.0's own
//! field list and allowed values (`tests/data/ecs/`, vendored from
//! elastic/ecs v9.4.0 with its licence; see the README there).
//!
//! Every key of every document is an ECS field whose type fits the JSON
//! value, or is under `labels.` (strings) or `cilog.`; every
//! `event.kind`, `event.category`, `event.type` and `event.outcome` value is
//! one ECS allows, and each `event.type` is one its category expects.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use cilog::output::ecs::{EcsOptions, EcsWriter};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

#[path = "support/corpus_files.rs"]
mod corpus_files;

fn ecs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ecs")
}

/// Field name → (type, normalization), from `fields.csv`.
fn fields() -> BTreeMap<String, (String, String)> {
    let text = fs::read_to_string(ecs_dir().join("fields.csv"))
        .expect("tests/data/ecs/fields.csv (vendored ECS 9.4.0) must be there");
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "ECS_Version,Indexed,Field_Set,Field,Type,Level,Normalization,Example,Description"
    );
    for line in lines {
        // The first seven columns are plain words (no quotes, no commas);
        // only Example and Description are quoted CSV.
        let cols: Vec<&str> = line.splitn(8, ',').collect();
        assert!(
            cols.len() == 8 && cols[..7].iter().all(|c| !c.contains('"')),
            "{line}"
        );
        assert_eq!(cols[0], "9.4.0");
        out.insert(cols[3].to_owned(), (cols[4].to_owned(), cols[6].to_owned()));
    }
    assert!(out.len() > 2000, "{} fields", out.len());
    out
}

/// The allowed values of a categorization field, and for `event.category`
/// the event types each value expects.
fn allowed() -> (
    BTreeMap<String, BTreeSet<String>>,
    BTreeMap<String, BTreeSet<String>>,
) {
    let text = fs::read_to_string(ecs_dir().join("ecs_flat.yml"))
        .expect("tests/data/ecs/ecs_flat.yml (vendored ECS 9.4.0) must be there");
    let docs = YamlLoader::load_from_str(&text).unwrap();
    let flat = &docs[0];
    let mut values = BTreeMap::new();
    let mut expected = BTreeMap::new();
    for field in [
        "event.kind",
        "event.category",
        "event.type",
        "event.outcome",
    ] {
        let list = flat[field]["allowed_values"].as_vec().unwrap();
        let mut names = BTreeSet::new();
        for v in list {
            let name = v["name"].as_str().unwrap().to_owned();
            if field == "event.category"
                && let Yaml::Array(types) = &v["expected_event_types"]
            {
                expected.insert(
                    name.clone(),
                    types
                        .iter()
                        .map(|t| t.as_str().unwrap().to_owned())
                        .collect(),
                );
            }
            names.insert(name);
        }
        values.insert(field.to_owned(), names);
    }
    assert!(values["event.outcome"].contains("success"));
    (values, expected)
}

/// Whether a JSON value fits an ECS type (an array where the field is
/// normalised as one).
fn fits(ty: &str, norm: &str, v: &Value) -> bool {
    if let Value::Array(items) = v {
        return norm == "array" && items.iter().all(|x| fits(ty, "", x));
    }
    match ty {
        "keyword" | "constant_keyword" | "wildcard" | "match_only_text" | "text" | "ip"
        | "date" | "version" => v.is_string(),
        "long" | "integer" | "short" | "byte" | "unsigned_long" => v.is_i64() || v.is_u64(),
        "float" | "double" | "scaled_float" | "half_float" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => false,
    }
}

#[test]
fn vendored_files_match_the_shared_copy() {
    // The shared research copy is beside the repository in a worktree
    // (`../shared`), not in every clone: compare when it is there.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/third_party/ecs");
    for f in ["fields.csv", "ecs_flat.yml", "LICENSE.txt", "NOTICE.txt"] {
        let ours =
            fs::read(ecs_dir().join(f)).unwrap_or_else(|e| panic!("tests/data/ecs/{f}: {e}"));
        if let Ok(theirs) = fs::read(shared.join(f)) {
            assert!(ours == theirs, "tests/data/ecs/{f} differs from ../shared");
        }
    }
}

#[test]
fn every_corpus_document_uses_ecs_fields_and_allowed_values() {
    let fields = fields();
    let (values, expected) = allowed();
    let inputs = corpus_files::corpus_events();
    assert!(inputs.len() >= 80);
    let mut w = EcsWriter::new(EcsOptions::new(
        UNIX_EPOCH + Duration::from_secs(1_768_435_200),
    ));
    let mut problems = BTreeSet::new();
    let mut docs = 0;
    let mut keys_seen = BTreeSet::new();
    for (name, events) in &inputs {
        let mut out = String::new();
        for e in events {
            w.push(e, name, &mut out);
        }
        assert_eq!(out.lines().count(), events.len(), "{name}");
        for line in out.lines() {
            docs += 1;
            let doc: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            for required in ["@timestamp", "message", "ecs.version"] {
                if !doc.contains_key(required) {
                    problems.insert(format!("{name}: no {required}: {line}"));
                }
            }
            for (k, v) in &doc {
                keys_seen.insert(k.clone());
                if let Some(label) = k.strip_prefix("labels.") {
                    if !v.is_string() || label.contains('.') {
                        problems.insert(format!("{name}: {k} = {v}: a label is a string, no dots"));
                    }
                    continue;
                }
                if k.starts_with("cilog.") {
                    continue;
                }
                match fields.get(k) {
                    None => {
                        problems.insert(format!("{name}: {k} is not an ECS field"));
                    }
                    Some((ty, norm)) if !fits(ty, norm, v) => {
                        problems.insert(format!("{name}: {k} = {v} does not fit {ty} {norm}"));
                    }
                    Some(_) => {}
                }
                if let Some(allowed) = values.get(k) {
                    let vals: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        v => vec![v],
                    };
                    for x in vals {
                        if !x.as_str().is_some_and(|s| allowed.contains(s)) {
                            problems.insert(format!("{name}: {k} = {x} not allowed"));
                        }
                    }
                }
            }
            if let (Some(Value::Array(cats)), Some(Value::Array(types))) =
                (doc.get("event.category"), doc.get("event.type"))
            {
                for c in cats {
                    let want = &expected[c.as_str().unwrap()];
                    for t in types {
                        if !want.contains(t.as_str().unwrap()) {
                            problems.insert(format!("{name}: event.type {t} not expected for {c}"));
                        }
                    }
                }
            }
        }
    }
    assert!(docs > 500, "{docs} documents");
    // The mapping's fields all occur somewhere in the corpus.
    for k in [
        "event.outcome",
        "event.duration",
        "event.category",
        "process.pid",
        "process.exit_code",
        "host.name",
        "labels.job",
        "labels.time_assumed",
        "cilog.notes",
    ] {
        assert!(keys_seen.contains(k), "no document has {k}");
    }
    assert!(
        problems.is_empty(),
        "{}",
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// Every failing run's class from the summary is the `error.type` of the
/// failing status documents of its step: each `class-*` case of the corpus
/// names its class, and the ECS documents of that input say it too.
#[test]
fn failing_status_documents_carry_the_summary_class() {
    let mut w = EcsWriter::new(EcsOptions::new(UNIX_EPOCH));
    let mut checked = 0;
    for (name, events) in corpus_files::corpus_events() {
        let mut s = cilog::summary::Summarizer::new(&name);
        for e in &events {
            s.push_owned(e);
        }
        let mut out = String::new();
        for e in &events {
            w.push(e, &name, &mut out);
        }
        let types: BTreeSet<String> = out
            .lines()
            .filter_map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                v.get("error.type").map(|t| t.as_str().unwrap().to_owned())
            })
            .collect();
        for run in s.finish() {
            let v: Value = serde_json::from_str(&run.to_json()).unwrap();
            for step in v["failing"].as_array().unwrap() {
                let class = step["error_type"].as_str().unwrap();
                if class == "cancelled" {
                    continue;
                }
                assert!(types.contains(class), "{name}: {class} not in {types:?}");
                checked += 1;
            }
        }
        if let Some(class) = name
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_prefix("class-"))
            .and_then(|f| f.strip_suffix(".log"))
            .filter(|c| *c != "cancelled" && *c != "other")
        {
            assert!(
                types.contains(&class.replace('-', "_")),
                "{name}: {types:?}"
            );
        }
    }
    assert!(checked > 40, "{checked} failing steps checked");
}
