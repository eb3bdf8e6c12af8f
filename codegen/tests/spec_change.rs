//! A change to one object of the spec shows in that object's files only: a copy of the project
//! spec with one property of `Bdb` changed generates differently in `types/bdbs.rs` (where `Bdb`
//! and its impls live) and `openapi.rs` (which holds the spec itself), and nowhere else.

use std::path::Path;

fn generate(spec: &serde_json::Value) -> codegen::Output {
    let bytes = serde_json::to_vec(spec).expect("the spec serialises");
    codegen::generate_from_bytes(codegen::SPEC_PATH, &bytes).expect("the spec generates")
}

#[test]
fn changing_one_bdb_property_changes_only_the_bdb_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen is inside the repository");
    let bytes = std::fs::read(root.join(codegen::SPEC_PATH)).expect("the spec is readable");
    let spec = codegen::load::load_spec(codegen::SPEC_PATH, &bytes)
        .expect("the spec loads")
        .raw;
    let mut changed = spec.clone();
    let property = changed
        .pointer_mut("/components/schemas/Bdb/properties/backup_history")
        .expect("Bdb has the property backup_history");
    assert_eq!(property["type"], "integer", "the test changes an integer");
    property["type"] = "number".into();
    property
        .as_object_mut()
        .expect("a property is an object")
        .remove("format");

    let before = generate(&spec);
    let after = generate(&changed);
    assert_eq!(
        before.files.keys().collect::<Vec<_>>(),
        after.files.keys().collect::<Vec<_>>(),
        "the same files are generated"
    );
    let differ: Vec<&str> = before
        .files
        .iter()
        .filter(|(path, text)| after.files.get(*path) != Some(*text))
        .map(|(path, _)| path.as_str())
        .collect();
    println!("files changed by Bdb.backup_history integer → number:");
    for path in &differ {
        println!("  {path}");
    }
    assert_eq!(
        differ,
        [
            "generated/src/generated/openapi.rs",
            "generated/src/generated/types/bdbs.rs",
        ]
    );
    let bdbs = &after.files["generated/src/generated/types/bdbs.rs"];
    assert!(
        bdbs.contains("pub backup_history: ::std::option::Option<f64>"),
        "the changed field is in types/bdbs.rs"
    );
}
