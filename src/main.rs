//! The `jobgraph` binary: everything it does lives in the `api` crate.

fn main() -> std::process::ExitCode {
    api::cli::main()
}
