//! The `jobgraph` binary as a new user runs it: no configuration, a bare working directory.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use migration::MigratorTrait;
use serde_json::json;

use crate::helpers::{Server, listening_port};

/// `jobgraph` started with no settings in an empty directory of its own, which goes (with the
/// process, if still running) when this is dropped.
struct BareStart {
    directory: PathBuf,
    child: Child,
    server: Server,
}

impl BareStart {
    fn new() -> BareStart {
        let directory = std::env::temp_dir().join(format!("jobgraph-cli-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&directory).unwrap();
        BareStart::in_directory(directory)
    }

    /// The bare binary started in `directory` (with whatever an earlier command left there).
    fn in_directory(directory: PathBuf) -> BareStart {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jobgraph"))
            .args(["--bind", "127.0.0.1:0", "--log-format", "json"])
            .current_dir(&directory)
            .env_remove("DATABASE_URL")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start jobgraph");

        let port = listening_port(&mut child);
        BareStart {
            directory,
            child,
            server: Server::on_port(port),
        }
    }
}

impl Drop for BareStart {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

#[tokio::test]
async fn an_embedded_database_made_empty_by_an_earlier_command_gets_the_sample_catalog() {
    let directory = std::env::temp_dir().join(format!("jobgraph-cli-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&directory).unwrap();
    let migrated = Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .args(["migrate", "up"])
        .current_dir(&directory)
        .env_remove("DATABASE_URL")
        .output()
        .expect("jobgraph migrate up");
    assert!(migrated.status.success(), "{migrated:?}");
    assert!(directory.join("jobgraph.db").exists());
    let started = BareStart::in_directory(directory);
    let data = started
        .server
        .request()
        .query("{ companies { totalCount } }")
        .send()
        .await
        .data();
    assert!(data["companies"]["totalCount"].as_u64() > Some(0), "{data}");
}

#[tokio::test]
async fn the_binary_serves_the_sample_catalog_from_an_embedded_database_it_makes() {
    let started = BareStart::new();
    let response = started
        .server
        .request()
        .query("{ postings(first: 1) { totalCount nodes { title } } }")
        .send()
        .await
        .json();
    assert!(
        response["data"]["postings"]["totalCount"].as_u64().unwrap() >= 20,
        "the sample catalog is there: {response}"
    );
    assert!(started.directory.join("jobgraph.db").exists());
}

/// The local development secret is made beside the database, and `jobgraph token` signs with
/// it tokens the running server accepts.
#[tokio::test]
async fn the_token_command_signs_tokens_the_bare_binary_accepts() {
    let started = BareStart::new();
    let server = &started.server;
    assert!(started.directory.join("jobgraph.dev-secret").exists());
    let output = Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .args([
            "token",
            "--company",
            "nordvind-energi",
            "--scope",
            "postings:write",
            "--ttl",
            "10m",
        ])
        .current_dir(&started.directory)
        .env_remove("DATABASE_URL")
        .env_remove("JOBGRAPH_JWT_SECRET")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let company = server
        .request()
        .query("{ company(slug: \"nordvind-energi\") { id } }")
        .send()
        .await
        .json()["data"]["company"]["id"]
        .clone();
    let created = server
        .request()
        .token(&token)
        .query("mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { status } } }")
        .variables(json!({ "input": { "companyId": company, "title": "Made with a CLI token" } }))
        .send()
        .await
        .json();
    assert_eq!(
        created["data"]["createPosting"]["posting"]["status"],
        json!("DRAFT"),
        "{created}"
    );
}

#[tokio::test]
async fn the_binary_stops_gracefully_on_sigterm() {
    let mut started = BareStart::new();
    // Answering a request first, so that it stops a server that has done some work.
    started
        .server
        .request()
        .query("{ postings(first: 1) { totalCount } }")
        .send()
        .await
        .data();
    let status = Command::new("kill")
        .args(["-TERM", &started.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let since = Instant::now();
    let exit = loop {
        if let Some(exit) = started.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            since.elapsed() < Duration::from_secs(15),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit status {exit:?}");
}

#[test]
fn migrate_status_lists_every_migration_as_applied_after_up() {
    let directory = std::env::temp_dir().join(format!("jobgraph-cli-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&directory).unwrap();
    let url = format!("sqlite://{}/cli.db?mode=rwc", directory.display());
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_jobgraph"))
            .args(["--database-url", &url])
            .args(args)
            .output()
            .expect("run jobgraph");
        assert!(output.status.success(), "{args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    run(&["migrate", "up"]);
    let status = run(&["migrate", "status"]);
    assert_eq!(
        status
            .lines()
            .filter(|line| line.starts_with("Applied"))
            .count(),
        migration::Migrator::migrations().len(),
        "{status}"
    );
    run(&["migrate", "down", "--steps", "2"]);
    let status = run(&["migrate", "status"]);
    assert_eq!(
        status
            .lines()
            .filter(|line| line.starts_with("Pending"))
            .count(),
        2,
        "{status}"
    );
    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn the_token_command_never_falls_back_to_a_development_secret_for_a_configured_database() {
    let directory = std::env::temp_dir().join(format!("jobgraph-cli-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&directory).unwrap();
    let url = format!("sqlite://{}/configured.db?mode=rwc", directory.display());
    let output = Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .args(["--database-url", &url, "token", "--scope", "admin"])
        .env_remove("JOBGRAPH_JWT_SECRET")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("JOBGRAPH_JWT_SECRET"),
        "{output:?}"
    );
    assert!(!directory.join("jobgraph.dev-secret").exists());
    let _ = std::fs::remove_dir_all(&directory);
}
