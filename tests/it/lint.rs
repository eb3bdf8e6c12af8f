//! The spec lints clean with Redocly CLI under the committed `redocly.yaml` (every rule that is
//! relaxed there says why).

use std::process::Command;

use redis_enterprise_api_tests::{repo_root, tools};

#[test]
fn spec_lints_clean_with_redocly() {
    let redocly = tools::npm_tool(tools::REDOCLY);
    let root = repo_root();
    let output = Command::new(redocly)
        .current_dir(&root)
        .args([
            "lint",
            "--config",
            "redocly.yaml",
            "--format",
            "codeframe",
            codegen::SPEC_PATH,
        ])
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .output()
        .expect("redocly runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "redocly lint failed:\n{text}");
    assert!(
        !text.contains("warning "),
        "redocly reported warnings not explained in redocly.yaml:\n{text}"
    );
}
