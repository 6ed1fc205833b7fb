//! Starting a real server on port 0 against a fresh database, and talking HTTP to it.

use std::path::PathBuf;
use std::time::Duration;

use api::config::{DatabaseSettings, Settings};
use api::db::StatementCounter;
use api::startup::{Application, ServerHandle};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

/// Set by `.ci/run`: a PostgreSQL URL whose server lets us create databases.
pub const POSTGRES_ENV: &str = "JOBGRAPH_TEST_POSTGRES_URL";

/// Set by `.ci/run`: the Redis the cache tests share (keys are namespaced per database).
pub const REDIS_ENV: &str = "JOBGRAPH_TEST_REDIS_URL";

/// The shared test Redis, or `None` (and a note) when not configured outside CI.
pub fn redis_url() -> Option<String> {
    match std::env::var(REDIS_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI must run the Redis tests: set {REDIS_ENV}")
        }
        _ => {
            eprintln!("skipped: set {REDIS_ENV} to run this test against Redis");
            None
        }
    }
}

/// Which database a test runs against.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

impl Backend {
    /// PostgreSQL when the suite is switched on, `None` (and a note saying so) otherwise.
    pub fn postgres() -> Option<Backend> {
        match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => Some(Backend::Postgres { admin_url }),
            _ if std::env::var_os("CI").is_some() => {
                panic!("CI must run the PostgreSQL suite: set {POSTGRES_ENV}")
            }
            _ => {
                eprintln!("skipped: set {POSTGRES_ENV} to run this test on PostgreSQL");
                None
            }
        }
    }
}

/// Runs each named `async fn(Backend)` as two tests, `name::sqlite` and `name::postgres`.
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(crate::helpers::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(backend) = crate::helpers::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            }
        )+
    };
}
pub(crate) use on_both_databases;

/// A database made for one test and removed after it.
pub enum TestDatabase {
    Sqlite { path: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    pub async fn create(backend: &Backend) -> (TestDatabase, String) {
        let id = Uuid::now_v7().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("jobgraph-test-{id}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                (TestDatabase::Sqlite { path }, url)
            }
            Backend::Postgres { admin_url } => {
                let name = format!("jobgraph_test_{id}");
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .unwrap_or_else(|error| {
                        panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {error}")
                    });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the test database");
                let _ = admin.close().await;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .expect("a PostgreSQL URL with a database name");
                let url = format!("{base}/{name}");
                (
                    TestDatabase::Postgres {
                        admin_url: admin_url.clone(),
                        name,
                    },
                    url,
                )
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            TestDatabase::Postgres { admin_url, name } => {
                let admin_url = admin_url.clone();
                let name = name.clone();
                // Drop runs inside the test's runtime: drop the database from a thread of its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime");
                    runtime.block_on(async move {
                        if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Starts the `jobgraph` binary with `args` (and `--bind 127.0.0.1:0`), returning it and the
/// port it logged.
pub fn spawn_binary(args: &[&str]) -> (std::process::Child, u16) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .args(["--bind", "127.0.0.1:0", "--log-format", "json"])
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start jobgraph");
    let stderr = child.stderr.take().expect("stderr");
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(event) = serde_json::from_str::<Value>(&line)
                && event["message"] == "listening"
            {
                let _ = port_tx.send(event["port"].as_u64());
            }
        }
    });
    let port = port_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server logs its port")
        .expect("a port number");
    (child, u16::try_from(port).expect("a port"))
}

/// A running server with its own database.
pub struct TestApp {
    pub address: String,
    /// The database URL, for a second server on the same database.
    pub database_url: String,
    pub client: reqwest::Client,
    /// The server's own pool: tests arrange data through it.
    pub db: DatabaseConnection,
    pub statements: StatementCounter,
    handle: ServerHandle,
    // Dropped last: the server stops before its database goes.
    _database: TestDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; nobody needs to wait for it.
        drop(self.handle.stop(false));
    }
}

/// Starts a server on port 0 against a fresh database of `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with settings adjusted by `adjust` first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (database, url) = TestDatabase::create(&backend).await;
    let mut settings = Settings::for_database(DatabaseSettings::new(url.clone()));
    settings.http.bind = "127.0.0.1:0".to_owned();
    settings.http.workers = Some(2);
    settings.database.max_connections = 5;
    settings.auth.hs256_secret = Some(crate::tokens::SECRET.to_owned().into());
    settings.auth.issuer = Some(crate::tokens::ISSUER.to_owned());
    settings.auth.audience = Some(crate::tokens::AUDIENCE.to_owned());
    adjust(&mut settings);
    let application = Application::build(settings)
        .await
        .expect("the application starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    let db = application.db().clone();
    let statements = application.statements();
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        database_url: url,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client"),
        db,
        statements,
        handle,
        _database: database,
    }
}

impl TestApp {
    /// The Prometheus text `GET /metrics` serves.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("a metrics body")
    }

    /// The value of one series of `/metrics` (`name{labels}` exactly as rendered), 0 when it
    /// is not there. The recorder is one per process: tests running at the same time add to
    /// the same series, so compare values before and after for "at least".
    pub async fn metric(&self, series: &str) -> f64 {
        self.metrics()
            .await
            .lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(0.0)
    }

    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.address)
    }

    /// POSTs a GraphQL request as `application/json` and returns the response.
    pub async fn post(&self, query: &str, variables: Value) -> reqwest::Response {
        self.client
            .post(self.graphql_url())
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the server answers")
    }

    /// POSTs `body` as JSON and returns the JSON answer, whatever the status.
    pub async fn post_json(&self, body: Value) -> Value {
        self.client
            .post(self.graphql_url())
            .json(&body)
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a JSON body")
    }

    /// POSTs a GraphQL request with a bearer token (none when `None`).
    pub async fn post_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.graphql_url())
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("the server answers")
    }

    /// POSTs with a token and returns the JSON body, whatever the status.
    pub async fn query_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.post_as(token, query, variables)
            .await
            .json()
            .await
            .expect("a JSON body")
    }

    /// POSTs with a token a request that must succeed, and returns its `data`.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self.post_as(Some(token), query, variables).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("a JSON body");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// POSTs a query and returns the JSON body, asserting the HTTP status is 200.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let response = self.post(query, variables).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("a JSON body")
    }

    /// POSTs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.query(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }
}

/// The `extensions.code` of a response's first error.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}
