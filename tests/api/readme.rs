//! The README's shell examples, pasted as a new user pastes them: in order, into POSIX `sh`
//! (dash here), against a fresh server on the embedded default started from the built binary
//! in an empty directory. Each example is followed in the README by `<!-- expect: TEXT -->`
//! lines (invisible when rendered) naming what its output must contain.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::helpers::listening_port;

const README: &str = include_str!("../../README.md");

/// One ```sh block and what its output must contain.
struct Example {
    script: String,
    expected: Vec<String>,
}

/// The examples of the sections users paste from: partner sites through internal tools.
fn examples() -> Vec<Example> {
    let start = README
        .find("## For partner sites")
        .expect("the partner section");
    let end = README.find("## Running it").expect("the running section");
    let mut lines = README[start..end].lines().peekable();
    let mut examples = Vec::new();
    while let Some(line) = lines.next() {
        if line != "```sh" {
            continue;
        }
        let script: Vec<&str> = lines.by_ref().take_while(|line| *line != "```").collect();
        let mut expected = Vec::new();
        while let Some(text) = lines
            .peek()
            .and_then(|line| line.strip_prefix("<!-- expect: "))
            .and_then(|line| line.strip_suffix(" -->"))
        {
            expected.push(text.to_owned());
            lines.next();
        }
        examples.push(Example {
            script: script.join("\n"),
            expected,
        });
    }
    examples
}

/// An empty directory for the embedded database, removed afterwards.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_readme_example_does_what_the_readme_says() {
    let examples = examples();
    assert!(examples.len() >= 10, "found {} examples", examples.len());
    for example in &examples {
        assert!(
            !example.script.contains("curl") || !example.expected.is_empty(),
            "an example without `<!-- expect: ... -->`:\n{}",
            example.script
        );
    }

    let scratch = Scratch(
        std::env::temp_dir().join(format!("jobgraph-readme-{}", uuid::Uuid::new_v4().simple())),
    );
    std::fs::create_dir_all(&scratch.0).expect("a scratch directory");
    let binary = env!("CARGO_BIN_EXE_jobgraph");
    let mut server = Command::new(binary)
        .args(["--bind", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(&scratch.0)
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start jobgraph");
    let address = format!("http://127.0.0.1:{}", listening_port(&mut server));

    let mut script = String::new();
    for (index, example) in examples.iter().enumerate() {
        let pasted = example
            .script
            .replace("http://127.0.0.1:8080", &address)
            .replace("cargo run --release -q --", binary);
        script.push_str(&format!("printf '\\n@@example {index}\\n'\n{pasted}\n"));
    }
    // `-e`: an example whose extraction fails stops the run there, as it should.
    let run = Command::new("timeout")
        .args(["120", "sh", "-e", "-c", &script])
        .current_dir(&scratch.0)
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        // The import example reads the sample pages from beside the repository.
        .env("JOBGRAPH_CORPUS", crate::helpers::corpus_dir())
        .output()
        .expect("run sh (and curl)");
    let _ = server.kill();
    let _ = server.wait();

    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let outputs: Vec<&str> = stdout.split("\n@@example ").skip(1).collect();
    for (index, example) in examples.iter().enumerate() {
        let output = outputs
            .get(index)
            .map(|output| output.split_once('\n').map_or("", |(_, rest)| rest))
            .unwrap_or_else(|| {
                panic!(
                    "example {index} did not run:\n{}\nstderr:\n{stderr}",
                    example.script
                )
            });
        for expected in &example.expected {
            assert!(
                output.contains(expected.as_str()),
                "example {index} printed no {expected:?}:\n{}\noutput:\n{output}\nstderr:\n{stderr}",
                example.script
            );
        }
    }
    assert!(run.status.success(), "sh failed: {stderr}");
}
