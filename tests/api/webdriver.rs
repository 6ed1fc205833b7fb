//! A headless Chromium driven over the W3C WebDriver protocol (Debian's `chromium` and
//! `chromium-driver`), with the network cut off from everything but loopback: what a user's
//! browser does with jobgraph's pages, checked as they would see it.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long any one step (starting, loading a page, waiting for text) may take.
const STEP: Duration = Duration::from_secs(30);

/// One browser session; the driver and the browser end with it.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: TempDir,
}

/// A directory removed when dropped: the browser's profile.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    /// Starts Chromium. Panics, never skips, when it is not installed: `.ci/run` installs it.
    pub async fn start() -> Browser {
        for program in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(program).exists(),
                "{program} is missing: apt-get install chromium chromium-driver"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = TempDir(std::env::temp_dir().join(format!(
            "jobgraph-chromium-{}",
            uuid::Uuid::new_v4().simple()
        )));
        let http = reqwest::Client::builder()
            .timeout(STEP)
            .build()
            .expect("an HTTP client");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{base}/status")).send().await;
            if let Ok(response) = ready {
                let status: Value = response.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    break;
                }
            }
            assert!(started.elapsed() < STEP, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:loggingPrefs": { "browser": "ALL" },
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--disable-extensions",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        format!("--user-data-dir={}", profile.0.display()),
                        // Nothing but loopback: names resolve nowhere, and every other
                        // address goes to a proxy that is not there.
                        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                        "--proxy-server=http://127.0.0.1:9",
                        "--proxy-bypass-list=<-loopback>;127.0.0.1;localhost",
                    ],
                },
            }}
        });
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            http,
            _profile: profile,
        };
        let created = browser.call("POST", "/session", capabilities).await;
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        let timeouts =
            json!({ "script": STEP.as_millis() as u64, "pageLoad": STEP.as_millis() as u64 });
        browser.command("POST", "/timeouts", timeouts).await;
        browser
    }

    /// One WebDriver call; panics on a WebDriver error, showing it.
    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let response = request.send().await.expect("chromedriver answers");
        let answer: Value = response.json().await.expect("chromedriver answers JSON");
        assert!(
            answer["value"].get("error").is_none(),
            "WebDriver {method} {path}: {answer}"
        );
        answer["value"].clone()
    }

    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body).await
    }

    /// Loads `url` and waits for it to finish loading.
    pub async fn open(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url })).await;
    }

    /// Runs `script` (a function body: `return …`) in the page.
    pub async fn run(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
        .await
    }

    /// Runs `script`, an async function body, in the page and returns what it returns.
    pub async fn run_async(&self, script: &str) -> Value {
        let wrapped = format!(
            "const done = arguments[arguments.length - 1];\
             (async () => {{ {script} }})().then(done, (error) => done({{ thrown: String(error) }}));"
        );
        self.command(
            "POST",
            "/execute/async",
            json!({ "script": wrapped, "args": [] }),
        )
        .await
    }

    /// Clicks the first element matching `selector`, as a user would.
    pub async fn click(&self, selector: &str) {
        let found = self
            .command(
                "POST",
                "/element",
                json!({ "using": "css selector", "value": selector }),
            )
            .await;
        let id = found
            .as_object()
            .and_then(|object| object.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {selector}: {found}"))
            .to_owned();
        self.command("POST", &format!("/element/{id}/click"), json!({}))
            .await;
    }

    /// Waits until `script` returns something other than null or false, and returns it.
    pub async fn wait_for(&self, what: &str, script: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.run(script).await;
            if !(value.is_null() || value == false) {
                return value;
            }
            assert!(started.elapsed() < STEP, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the page wrote to the console (and the browser reported, such as a refused
    /// request or a Content-Security-Policy violation) since the last call.
    pub async fn console(&self) -> Vec<String> {
        let entries = self
            .command("POST", "/se/log", json!({ "type": "browser" }))
            .await;
        entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Browser {
    /// Ends the session, closing the browser, then the driver.
    pub async fn close(self) {
        let path = format!("/session/{}", self.session);
        let _ = self
            .http
            .delete(format!("{}{path}", self.base))
            .send()
            .await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The session's browser goes with its driver.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
