//! `schema.graphql` is what the code serves; regenerate it rather than edit it.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    let current = api::graphql::sdl();
    assert!(
        on_disk == current,
        "schema.graphql is stale; regenerate it with:\n\n    cargo run -- schema > schema.graphql\n"
    );
}

#[test]
fn the_schema_subcommand_prints_the_sdl() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .arg("schema")
        .output()
        .expect("run jobgraph schema");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        api::graphql::sdl()
    );
}
