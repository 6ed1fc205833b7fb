//! Starting a real server on port 0 against a fresh database, and talking HTTP to it.

use std::path::PathBuf;
use std::time::Duration;

use api::config::{DatabaseSettings, Settings};
use api::db::StatementCounter;
use api::startup::{Application, ServerHandle};
use reqwest::Method;
use reqwest::header::AUTHORIZATION;
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
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .args(["--bind", "127.0.0.1:0", "--log-format", "json"])
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start jobgraph");
    let port = listening_port(&mut child);
    (child, port)
}

/// The port a `jobgraph` started with `--log-format json` and a piped stderr logs that it
/// listens on.
pub fn listening_port(child: &mut std::process::Child) -> u16 {
    use std::io::{BufRead, BufReader};
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
    u16::try_from(port).expect("a port")
}

/// A running server with its own database.
pub struct TestApp {
    pub address: String,
    /// The database URL, for a second server on the same database.
    pub database_url: String,
    client: reqwest::Client,
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

/// Like [`spawn_app_with`], its database holding the sample catalog the embedded default
/// starts with.
pub async fn spawn_app_with_sample(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let app = spawn_app_with(backend, adjust).await;
    api::seed::seed_sample(&app.db)
        .await
        .expect("the sample catalog loads");
    app
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
    // Tests send many requests from one address: the rate-limit tests turn limits on.
    settings.rate_limits.enabled = false;
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
    /// A request to this server: `POST /graphql` unless told otherwise (see [`Request`]).
    pub fn request(&self) -> Request {
        Request::new(self.client.clone(), &self.address)
    }

    /// The Prometheus text `GET /metrics` serves.
    pub async fn metrics(&self) -> String {
        self.request().get().path("/metrics").send().await.text
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
}

/// One request to a server under test: [`TestApp::request`] (or [`Server::request`] for a
/// server the test started itself) makes it, its methods describe it, and [`Request::send`] sends it.
///
/// By default it is a `POST /graphql` whose JSON body holds the GraphQL parameters given
/// (`query`, `variables`, `operationName`, `extensions`); after [`Request::get`] they go into
/// the URL instead, as the GraphQL-over-HTTP spec says. [`Request::body`] sends raw bytes in
/// place of that JSON.
#[must_use = "a request does nothing until it is sent"]
pub struct Request {
    client: reqwest::Client,
    url: String,
    method: Method,
    graphql: serde_json::Map<String, Value>,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

/// A server that is not a [`TestApp`], such as a spawned binary, and one client (one pool of
/// connections) for every request to it.
#[derive(Clone)]
pub struct Server {
    client: reqwest::Client,
    address: String,
}

impl Server {
    /// The server listening on `port` of 127.0.0.1.
    pub fn on_port(port: u16) -> Server {
        Server {
            client: reqwest::Client::new(),
            address: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn request(&self) -> Request {
        Request::new(self.client.clone(), &self.address)
    }
}

impl Request {
    fn new(client: reqwest::Client, address: &str) -> Request {
        Request {
            client,
            url: format!("{address}/graphql"),
            method: Method::POST,
            graphql: serde_json::Map::new(),
            params: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// The GraphQL document.
    pub fn query(mut self, query: impl Into<String>) -> Request {
        self.graphql
            .insert("query".into(), Value::String(query.into()));
        self
    }

    /// The operation's variables.
    pub fn variables(mut self, variables: Value) -> Request {
        self.graphql.insert("variables".into(), variables);
        self
    }

    /// Which operation of the document to run.
    pub fn operation_name(mut self, name: &str) -> Request {
        self.graphql.insert("operationName".into(), json!(name));
        self
    }

    /// The request's `extensions`, such as a persisted query's hash.
    pub fn extensions(mut self, extensions: Value) -> Request {
        self.graphql.insert("extensions".into(), extensions);
        self
    }

    /// Sends `Authorization: Bearer <token>`.
    pub fn token(self, token: impl AsRef<str>) -> Request {
        let value = format!("Bearer {}", token.as_ref());
        self.header(AUTHORIZATION.as_str(), &value)
    }

    /// Sends the token when there is one, as anonymous otherwise.
    pub fn maybe_token(self, token: Option<&str>) -> Request {
        match token {
            Some(token) => self.token(token),
            None => self,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A `GET`: the GraphQL parameters go into the URL, objects as JSON text.
    pub fn get(self) -> Request {
        self.method(Method::GET)
    }

    /// Another method than `POST` or `GET`.
    pub fn method(mut self, method: Method) -> Request {
        self.method = method;
        self
    }

    /// Another path of the server than `/graphql`, such as `/livez`.
    pub fn path(mut self, path: &str) -> Request {
        let base = self.url.strip_suffix("/graphql").unwrap_or(&self.url);
        self.url = format!("{base}{path}");
        self
    }

    /// A URL parameter exactly as given, such as variables that are not JSON.
    pub fn param(mut self, name: &str, value: &str) -> Request {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A raw body instead of the JSON of the GraphQL parameters; give its `Content-Type`
    /// with [`Request::header`].
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = Some(body.into());
        self
    }

    /// Sends the request and reads the whole answer, whatever its status.
    pub async fn send(self) -> Response {
        let mut params = self.params;
        let mut request = if self.method == Method::GET {
            for (name, value) in &self.graphql {
                let value = match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                params.push((name.clone(), value));
            }
            self.client.get(&self.url)
        } else {
            let request = self.client.request(self.method, &self.url);
            match self.body {
                Some(body) => request.body(body),
                None if self.graphql.is_empty() => request,
                None => request.json(&self.graphql),
            }
        };
        if !params.is_empty() {
            request = request.query(&params);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a readable body");
        Response {
            status,
            headers,
            text,
        }
    }
}

/// A server's whole answer.
pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// The body as sent, for tests where the order of keys or bytes matters.
    pub text: String,
}

impl Response {
    /// The body as JSON, whatever the status.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("a JSON body ({error}): {}", self.text))
    }

    /// The body as JSON, asserting the status is 200.
    pub fn ok_json(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.text);
        self.json()
    }

    /// The `data` of a request that must succeed: status 200 and no errors.
    pub fn data(&self) -> Value {
        let body = self.ok_json();
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// One header's value as text; panics when it is missing.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .expect("a text header")
    }
}

/// The `extensions.code` of a response's first error.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

/// The directory of the real posting pages (`../shared/corpus` beside the repository):
/// `JOBGRAPH_CORPUS`, else `shared/corpus` in the nearest directory above the repository that
/// has one, else the workplace's `/work/shared/corpus`. Tests that need it fail, never skip,
/// without it: CI has it.
pub fn corpus_dir() -> PathBuf {
    if let Ok(directory) = std::env::var("JOBGRAPH_CORPUS") {
        return PathBuf::from(directory);
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<PathBuf> = manifest
        .ancestors()
        .map(|ancestor| ancestor.join("shared/corpus"))
        .chain([PathBuf::from("/work/shared/corpus")])
        .collect();
    candidates
        .iter()
        .find(|candidate| candidate.join("README.md").exists())
        .cloned()
        .unwrap_or_else(|| {
            panic!("the posting corpus is missing; looked in {candidates:?} (set JOBGRAPH_CORPUS)")
        })
}
