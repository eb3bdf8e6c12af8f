//! Golden tests: each small spec under `tests/specs/` exercises one feature; its whole output is
//! compared with `tests/output/<name>.out`. Accept an intended change with
//! `EXPECTORATE=overwrite cargo test -p redis-enterprise-api-codegen`.

use std::path::Path;

fn render(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs")
        .join(name);
    let bytes = std::fs::read(&path).expect("spec fixture is readable");
    let output = codegen::generate_from_bytes(&format!("tests/specs/{name}"), &bytes)
        .unwrap_or_else(|e| panic!("{name} should generate: {e}"));
    let mut text = String::new();
    for (file, contents) in &output.files {
        text.push_str(&format!("===== {file}\n{contents}"));
    }
    text
}

fn golden(name: &str) {
    let out = name.replace(".yaml", ".out");
    expectorate::assert_contents(format!("tests/output/{out}"), &render(name));
}

#[test]
fn enum_open() {
    golden("enum_open.yaml");
}

#[test]
fn lenient_fields() {
    golden("lenient_fields.yaml");
}

#[test]
fn downloads_and_handwritten() {
    golden("downloads_and_handwritten.yaml");
}

#[test]
fn generation_is_byte_identical_run_to_run() {
    for name in [
        "enum_open.yaml",
        "lenient_fields.yaml",
        "downloads_and_handwritten.yaml",
    ] {
        assert_eq!(
            render(name),
            render(name),
            "{name} generated differently twice"
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen is inside the repository");
    let first = codegen::generate_repo(root).expect("the project spec generates");
    let second = codegen::generate_repo(root).expect("the project spec generates");
    assert_eq!(
        first, second,
        "the project spec generated differently twice"
    );
}

#[test]
fn json_and_yaml_input_give_the_same_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/enum_open.yaml");
    let yaml = std::fs::read(&path).expect("spec fixture is readable");
    let value: serde_json::Value = serde_yaml::from_slice(&yaml).expect("fixture is YAML");
    let json = serde_json::to_vec_pretty(&value).expect("value serialises");
    let a = codegen::generate_from_bytes("spec", &yaml).expect("yaml generates");
    let b = codegen::generate_from_bytes("spec", &json).expect("json generates");
    // The files differ only by the spec digest in `openapi.rs`; compare the rest.
    assert_eq!(a.files.len(), b.files.len());
    for ((fa, ca), (fb, cb)) in a.files.iter().zip(b.files.iter()) {
        assert_eq!(fa, fb);
        let body = |c: &str| {
            c.lines()
                .filter(|l| !l.starts_with("pub const SPEC_SHA256"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            body(ca),
            body(cb),
            "{fa} differs between YAML and JSON input"
        );
    }
}
