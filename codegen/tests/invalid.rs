//! The broken-spec corpus: every file under `tests/invalid/` must be refused (never panic) with
//! exactly the located messages in `tests/invalid/<name>.expected`. Accept an intended wording
//! change with `EXPECTORATE=overwrite cargo test -p redis-enterprise-api-codegen`.

use std::path::Path;

#[test]
fn every_broken_spec_is_refused_with_located_messages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus folder exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 10,
        "the corpus should hold at least 10 broken specs, has {}",
        names.len()
    );
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).expect("corpus file is readable");
        let spec_name = format!("tests/invalid/{name}");
        let result = std::panic::catch_unwind(|| codegen::generate_from_bytes(&spec_name, &bytes));
        let result = result.unwrap_or_else(|_| panic!("{name}: generation panicked"));
        let err = match result {
            Ok(_) => panic!("{name}: a broken spec generated without error"),
            Err(e) => e,
        };
        assert!(
            matches!(err, codegen::Error::Invalid { .. }),
            "{name}: expected a validation error, got {err}"
        );
        let expected = format!("tests/invalid/{}", name.replace(".yaml", ".expected"));
        expectorate::assert_contents(expected, &format!("{err}\n"));
    }
}
