//! Typed settings: defaults, then an optional `.env`, then environment variables, then command
//! line flags (the last three are read by clap in `cli`). Tests build [`Settings`] directly.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// The embedded default database: a SQLite file in the working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://jobgraph.db?mode=rwc";

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    pub limits: Limits,
    pub auth: AuthSettings,
    pub cache: CacheSettings,
    pub graphql: GraphqlSettings,
    pub rate_limits: RateLimitSettings,
    /// Signs pagination cursors. Replicas behind one load balancer must share it; when unset a
    /// random one is made at start, so cursors do not survive a restart.
    pub cursor_secret: Option<SecretString>,
}

#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    /// May hold a password: printed only through [`DatabaseSettings::redacted_url`].
    pub url: SecretString,
    /// `true` when no database was configured and the embedded SQLite default is in use; only
    /// then is a brand-new database given the sample catalog.
    pub is_embedded_default: bool,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// PostgreSQL's `statement_timeout` on every connection: no statement outlives the request
    /// that sent it by long (the CLI sets it to the request timeout).
    pub statement_timeout: Duration,
    /// PostgreSQL's `idle_in_transaction_session_timeout`: a transaction left open by a
    /// stuck client is ended, with its locks.
    pub idle_in_transaction_timeout: Duration,
    /// On PostgreSQL, reads run on connections the process keeps itself
    /// ([`crate::db::read_pool`]); off, they go through the SeaORM pool like writes.
    pub read_pool: bool,
    /// PostgreSQL's `max_parallel_workers_per_gather` on every connection. Zero by default:
    /// a request runs on one backend, so under load a large count or search cannot take the
    /// cores the other requests need (with workers it spends their CPU too, and throughput
    /// halves); an idle database answers such a request faster with workers.
    pub parallel_workers: u32,
}

impl DatabaseSettings {
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseSettings {
            url: SecretString::from(url.into()),
            is_embedded_default: false,
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
            idle_in_transaction_timeout: Duration::from_secs(10),
            read_pool: true,
            parallel_workers: 0,
        }
    }

    pub fn embedded_default() -> Self {
        DatabaseSettings {
            is_embedded_default: true,
            ..DatabaseSettings::new(DEFAULT_DATABASE_URL)
        }
    }

    /// The file of a SQLite database, if this is one.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.url.expose_secret().strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next()?;
        (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
    }

    /// Whether this is an in-memory SQLite database, which every new connection would open
    /// afresh (empty).
    pub fn is_in_memory(&self) -> bool {
        let url = self.url.expose_secret();
        url.contains(":memory:") || url.contains("mode=memory")
    }

    /// The URL with any password replaced, for logs.
    pub fn redacted_url(&self) -> String {
        redact_password(self.url.expose_secret())
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// `host:port`; port 0 picks a free port (tests).
    pub bind: String,
    /// Worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// Largest accepted request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// Largest accepted `multipart/form-data` body (a request with file uploads, which
    /// needs a bearer token); larger ones get 413.
    pub max_upload_bytes: usize,
    /// Longest a GraphQL request may run before it is answered with `TIMEOUT`.
    pub request_timeout: Duration,
    /// How long in-flight requests may finish after SIGTERM/SIGINT.
    pub shutdown_timeout: Duration,
    /// Most `/graphql` requests one replica works on at once; beyond it, 503 with
    /// `Retry-After` (a replica that queued them would answer everyone late).
    pub max_in_flight: usize,
    /// Longest a client may take to send a request's headers; the connection is closed after.
    pub header_timeout: Duration,
    /// How long the answer to a document refused for breaking a document limit is held
    /// before it is sent (no permit held meanwhile): a client sending such documents back to
    /// back on one connection gets at most one answer per hold.
    pub refusal_hold: Duration,
    /// Browser origins (`https://tools.example.com`) whose pages may send a token to
    /// `/graphql`; anonymous requests are let in from any origin.
    pub cors_token_origins: Vec<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            bind: "127.0.0.1:8080".to_owned(),
            workers: None,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
            max_in_flight: 512,
            header_timeout: Duration::from_secs(5),
            refusal_hold: Duration::from_millis(10),
            cors_token_origins: Vec::new(),
        }
    }
}

/// Limits on what one GraphQL request may ask for.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// What a document may hold, checked before parsing (depth included).
    pub document: DocumentLimits,
    /// async-graphql's complexity: each field 1, list fields times their page size.
    pub max_complexity: usize,
    /// Largest `first`/`last` a connection accepts.
    pub max_page_size: u64,
    /// Page size when neither `first` nor `last` is given.
    pub default_page_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            document: DocumentLimits::default(),
            max_complexity: 20_000,
            max_page_size: 100,
            default_page_size: 20,
        }
    }
}

/// Limits on a GraphQL document, checked before it is parsed
/// ([`crate::graphql::document_limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentLimits {
    /// Bytes of document text.
    pub max_bytes: usize,
    /// Tokens (names, punctuators, values), not counting whitespace, commas and comments.
    pub max_tokens: usize,
    /// How deeply fields nest, fragments expanded, outside introspection.
    pub max_depth: usize,
    /// How deeply introspection fields nest, from `__schema` or `__type` down.
    pub max_introspection_depth: usize,
    /// Fields of an operation, fragments expanded.
    pub max_fields: u64,
    /// Root fields of an operation, fragments expanded.
    pub max_root_fields: u64,
    /// Aliases of an operation, fragments expanded.
    pub max_aliases: u64,
    /// Fragment spreads of an operation, each spread of a fragment counted again wherever
    /// that fragment is spread.
    pub max_spreads: u64,
    /// Directives written in the document.
    pub max_directives: usize,
    /// How deeply list and object values nest in arguments and default values.
    pub max_value_depth: usize,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        DocumentLimits {
            max_bytes: 32 * 1024,
            max_tokens: 5_000,
            max_depth: 12,
            max_introspection_depth: 16,
            max_fields: 2_000,
            max_root_fields: 20,
            max_aliases: 30,
            max_spreads: 500,
            max_directives: 50,
            max_value_depth: 16,
        }
    }
}

/// How bearer tokens are verified. With no key configured, every token is refused (and the
/// embedded default makes a local development secret instead; see `auth::dev_secret`).
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// HS256 shared secret (`JOBGRAPH_JWT_SECRET`).
    pub hs256_secret: Option<SecretString>,
    /// PEM public key for RS256, ES256 or EdDSA (`JOBGRAPH_JWT_PUBLIC_KEY`).
    pub public_key_file: Option<PathBuf>,
    /// JWKS file whose keys are chosen by `kid` (`JOBGRAPH_JWKS_FILE`).
    pub jwks_file: Option<PathBuf>,
    /// Required `iss`, when set.
    pub issuer: Option<String>,
    /// Required `aud`, when set.
    pub audience: Option<String>,
    /// Clock skew allowed on `exp` and `nbf`.
    pub leeway: Duration,
    /// How often the JWKS file is checked for changes.
    pub jwks_reload_interval: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            hs256_secret: None,
            public_key_file: None,
            jwks_file: None,
            issuer: None,
            audience: None,
            leeway: Duration::from_secs(30),
            jwks_reload_interval: Duration::from_secs(30),
        }
    }
}

impl AuthSettings {
    pub fn has_key(&self) -> bool {
        self.hs256_secret.is_some() || self.public_key_file.is_some() || self.jwks_file.is_some()
    }
}

/// The response cache and HTTP caching.
#[derive(Clone, Debug)]
pub struct CacheSettings {
    /// Whether anonymous responses are cached at all (off for benchmarks of the uncached path).
    pub enabled: bool,
    /// Redis, shared by every replica; without it an in-process cache stands in.
    pub redis_url: Option<SecretString>,
    /// How long an entry may live at most (invalidation does not wait for it).
    pub ttl: Duration,
    /// The longest a cache call may take before the request goes to the database instead.
    pub timeout: Duration,
    /// How long a replica may use a generation it read from Redis without reading it again
    /// (`cache::generation`); every write waits as long after moving the generation before
    /// it is answered, so whatever a client sees after a write's answer is newer than it.
    pub generation_lease: Duration,
    /// Bytes the in-process cache may hold.
    pub memory_max_bytes: u64,
    /// `Cache-Control: max-age` of anonymous GET responses.
    pub http_max_age: Duration,
    /// Separates deployments sharing one Redis; defaults to a hash of the database URL.
    pub namespace: Option<String>,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            enabled: true,
            redis_url: None,
            ttl: Duration::from_secs(300),
            timeout: Duration::from_millis(50),
            generation_lease: Duration::from_millis(10),
            memory_max_bytes: 64 * 1024 * 1024,
            http_max_age: Duration::from_secs(30),
            namespace: None,
        }
    }
}

impl Settings {
    /// Settings for the given database with every other value at its default.
    pub fn for_database(database: DatabaseSettings) -> Self {
        Settings {
            database,
            http: HttpSettings::default(),
            limits: Limits::default(),
            auth: AuthSettings::default(),
            cache: CacheSettings::default(),
            graphql: GraphqlSettings::default(),
            rate_limits: RateLimitSettings::default(),
            cursor_secret: None,
        }
    }
}

/// What the GraphQL endpoint reveals about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphqlSettings {
    /// Introspection (`__schema`, `__type`) and field suggestions ("Did you mean …") in errors.
    pub introspection: bool,
    /// The GraphiQL page at `/` (it needs introspection).
    pub graphiql: bool,
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        GraphqlSettings {
            introspection: true,
            graphiql: true,
        }
    }
}

impl GraphqlSettings {
    /// The production profile: the schema is not revealed (no introspection, no suggestions,
    /// no GraphiQL). Clients use the published `schema.graphql` instead.
    pub fn production() -> Self {
        GraphqlSettings {
            introspection: false,
            graphiql: false,
        }
    }
}

/// Request budgets ([`crate::rate_limit`]): shared through Redis when the cache has a Redis
/// URL, in-process otherwise (and whenever Redis fails).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Off, no request is limited (benchmarks of the other paths).
    pub enabled: bool,
    /// Requests without a token (reads, and mutations other than `applyToPosting`), per
    /// client IP.
    pub anonymous: Budget,
    /// Queries with a token, per token subject.
    pub token: Budget,
    /// Mutations with a token (other than `applyToPosting`), per token subject.
    pub token_mutations: Budget,
    /// New applications (`applyToPosting` with an idempotency key not seen before), per
    /// client IP.
    pub apply_per_ip: Budget,
    /// New applications, per posting.
    pub apply_per_posting: Budget,
    /// Peers whose `X-Forwarded-For` is believed; empty (the default), the client is always
    /// the peer address.
    pub trusted_proxies: Vec<ProxyNet>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let budget = |quota, seconds| Budget {
            quota,
            window: Duration::from_secs(seconds),
        };
        RateLimitSettings {
            enabled: true,
            anonymous: budget(600, 60),
            token: budget(3_000, 60),
            token_mutations: budget(120, 60),
            // The job boards' "2 applications a second", with room for a burst of 10.
            apply_per_ip: budget(10, 5),
            apply_per_posting: budget(10, 5),
            trusted_proxies: Vec::new(),
        }
    }
}

/// `quota` requests per `window`: up to `quota` at once, then one every `window / quota`
/// (GCRA). Written `600/60s` or `2/500ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub quota: u32,
    pub window: Duration,
}

impl Budget {
    /// The time one request uses up: `window / quota`.
    pub fn interval(&self) -> Duration {
        self.window / self.quota.max(1)
    }
}

impl std::str::FromStr for Budget {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{text:?} is not a budget such as 600/60s or 2/500ms");
        let (quota, window) = text.trim().split_once('/').ok_or_else(bad)?;
        let quota: u32 = quota.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let window = if let Some(millis) = window.strip_suffix("ms") {
            Duration::from_millis(millis.parse().map_err(|_| bad())?)
        } else if let Some(seconds) = window.strip_suffix('s') {
            Duration::from_secs(seconds.parse().map_err(|_| bad())?)
        } else {
            return Err(bad());
        };
        if quota == 0 || window.is_zero() {
            return Err(bad());
        }
        Ok(Budget { quota, window })
    }
}

/// An address or network (`10.0.0.7`, `10.0.0.0/8`, `fd00::/8`) of trusted proxies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyNet {
    pub address: std::net::IpAddr,
    pub prefix: u8,
}

impl ProxyNet {
    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
            let keep = u32::from(prefix.min(width));
            if keep == 0 {
                0
            } else {
                bits >> (u32::from(width) - keep)
            }
        }
        match (self.address, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.prefix)
                    == masked(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix)
                    == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for ProxyNet {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{text:?} is not an IP address or network such as 10.0.0.0/8");
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let address: std::net::IpAddr = address.parse().map_err(|_| bad())?;
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().map_err(|_| bad())?,
            None => width,
        };
        if prefix > width {
            return Err(bad());
        }
        Ok(ProxyNet { address, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        let settings = DatabaseSettings::new("postgres://app:hunter2@db:5432/jobs");
        assert_eq!(settings.redacted_url(), "postgres://app:***@db:5432/jobs");
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn the_file_of_a_sqlite_url_is_found() {
        assert_eq!(
            DatabaseSettings::embedded_default().sqlite_path(),
            Some(PathBuf::from("jobgraph.db"))
        );
        assert_eq!(
            DatabaseSettings::new("sqlite:///tmp/x/jobs.db?mode=rwc").sqlite_path(),
            Some(PathBuf::from("/tmp/x/jobs.db"))
        );
        assert_eq!(DatabaseSettings::new("sqlite::memory:").sqlite_path(), None);
        assert_eq!(
            DatabaseSettings::new("postgres://db/jobs").sqlite_path(),
            None
        );
    }

    #[test]
    fn budgets_and_proxy_networks_parse() {
        let budget: Budget = "600/60s".parse().expect("a budget");
        assert_eq!(budget.interval(), Duration::from_millis(100));
        assert_eq!(
            "2/500ms".parse::<Budget>(),
            Ok(Budget {
                quota: 2,
                window: Duration::from_millis(500)
            })
        );
        assert!("0/1s".parse::<Budget>().is_err());
        assert!("5 per minute".parse::<Budget>().is_err());
        let net: ProxyNet = "10.0.0.0/8".parse().expect("a network");
        assert!(net.contains("10.1.2.3".parse().expect("an address")));
        assert!(!net.contains("11.0.0.1".parse().expect("an address")));
        let one: ProxyNet = "::1".parse().expect("an address");
        assert!(one.contains("::1".parse().expect("an address")));
        assert!(!one.contains("127.0.0.1".parse().expect("an address")));
    }

    #[test]
    fn urls_without_password_are_unchanged() {
        assert_eq!(
            redact_password("sqlite://jobgraph.db?mode=rwc"),
            "sqlite://jobgraph.db?mode=rwc"
        );
        assert_eq!(
            redact_password("postgres://app@db/jobs"),
            "postgres://app@db/jobs"
        );
    }
}
