//! The `jobgraph` command line: `serve` (the default), `migrate`, `schema`, `seed-sample`,
//! `import`, `token`.
//! Settings come from defaults, then `.env`, then environment variables, then flags.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use secrecy::SecretString;

use crate::auth::{Scope, dev_secret, token};
use crate::config::{
    AuthSettings, Budget, CacheSettings, DatabaseSettings, DocumentLimits, GraphqlSettings,
    HttpSettings, Limits, ProxyNet, RateLimitSettings, Settings,
};
use crate::db::{self, StatementCounter};
use crate::startup::Application;
use crate::telemetry::{self, LogFormat};
use crate::{graphql, seed, service};
use uuid::Uuid;

#[derive(Parser, Debug)]
#[command(
    name = "jobgraph",
    version,
    about = "A GraphQL API over a catalog of job postings"
)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A set of defaults for where the server runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    Development,
    Production,
}

/// A feature switched on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// Options every subcommand takes; each also reads the environment variable named.
#[derive(Args, Debug, Default)]
pub struct Options {
    /// Database URL [default: a SQLite file jobgraph.db in the working directory]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "JOBGRAPH_BIND", global = true)]
    pub bind: Option<String>,
    /// Log format [default: auto: pretty on a terminal, JSON otherwise]
    #[arg(long, env = "JOBGRAPH_LOG_FORMAT", value_enum, global = true)]
    pub log_format: Option<LogFormat>,
    /// Log level or filter, such as `info` or `api=debug`; RUST_LOG wins [default: info]
    #[arg(long, env = "JOBGRAPH_LOG_LEVEL", global = true)]
    pub log_level: Option<String>,
    /// HTTP worker threads [default: one per core]
    #[arg(long, env = "JOBGRAPH_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Most database connections; on PostgreSQL a quarter (at least one) for writes, the rest
    /// kept for reads [default: 10]
    #[arg(long, env = "JOBGRAPH_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<u32>,
    /// On PostgreSQL, run reads on connections the server keeps itself, one round trip per
    /// statement (see README, Operations); `off` reads through the ordinary pool [default: on]
    #[arg(long, env = "JOBGRAPH_DB_READ_POOL", value_enum, global = true)]
    pub db_read_pool: Option<Switch>,
    /// PostgreSQL parallel workers one statement may use; more answers a lone large count or
    /// search sooner but takes CPU from every other request under load (see README,
    /// Operations) [default: 0]
    #[arg(long, env = "JOBGRAPH_DB_PARALLEL_WORKERS", global = true)]
    pub db_parallel_workers: Option<u32>,
    /// Largest request body in bytes; larger ones get 413 [default: 65536]
    #[arg(long, env = "JOBGRAPH_MAX_BODY_BYTES", global = true)]
    pub max_body_bytes: Option<usize>,
    /// Largest multipart/form-data body (file uploads, with a token) in bytes [default: 16777216]
    #[arg(long, env = "JOBGRAPH_MAX_UPLOAD_BYTES", global = true)]
    pub max_upload_bytes: Option<usize>,
    /// Request timeout in milliseconds; also PostgreSQL's statement_timeout [default: 10000]
    #[arg(long, env = "JOBGRAPH_REQUEST_TIMEOUT_MS", global = true)]
    pub request_timeout_ms: Option<u64>,
    /// Most /graphql requests worked on at once; beyond, 503 with Retry-After [default: 512]
    #[arg(long, env = "JOBGRAPH_MAX_IN_FLIGHT", global = true)]
    pub max_in_flight: Option<usize>,
    /// Milliseconds a refusal for a document limit waits before it is sent, so a client
    /// repeating one on a connection is slowed, not served at full speed [default: 10]
    #[arg(long, env = "JOBGRAPH_REFUSAL_HOLD_MS", global = true)]
    pub refusal_hold_ms: Option<u64>,
    /// Browser origins allowed to send a token, comma-separated, such as
    /// `https://tools.example.com`; anonymous requests come from any origin [default: none]
    #[arg(long, env = "JOBGRAPH_CORS_ORIGINS", value_delimiter = ',',
          value_parser = crate::http::cors::parse_origin, global = true)]
    pub cors_origins: Vec<String>,
    /// `production` turns introspection, field suggestions and GraphiQL off [default:
    /// development]
    #[arg(long, env = "JOBGRAPH_PROFILE", value_enum, global = true)]
    pub profile: Option<Profile>,
    /// Introspection and field suggestions, whatever the profile says [default: on, off in
    /// the production profile]
    #[arg(long, env = "JOBGRAPH_INTROSPECTION", value_enum, global = true)]
    pub introspection: Option<Switch>,
    /// Deepest query accepted, introspection aside [default: 12]
    #[arg(long, env = "JOBGRAPH_MAX_DEPTH", global = true)]
    pub max_depth: Option<usize>,
    /// Most tokens a document may have [default: 5000]
    #[arg(long, env = "JOBGRAPH_MAX_TOKENS", global = true)]
    pub max_tokens: Option<usize>,
    /// Most complex query accepted [default: 20000]
    #[arg(long, env = "JOBGRAPH_MAX_COMPLEXITY", global = true)]
    pub max_complexity: Option<usize>,
    /// Largest page a connection returns [default: 100]
    #[arg(long, env = "JOBGRAPH_MAX_PAGE_SIZE", global = true)]
    pub max_page_size: Option<u64>,
    /// HS256 secret for bearer tokens
    #[arg(
        long,
        env = "JOBGRAPH_JWT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
    /// PEM public key (RSA, P-256 or Ed25519) for RS256, ES256 or EdDSA tokens
    #[arg(long, env = "JOBGRAPH_JWT_PUBLIC_KEY", global = true)]
    pub jwt_public_key: Option<PathBuf>,
    /// JWKS file with public keys chosen by `kid`; reloaded when it changes
    #[arg(long, env = "JOBGRAPH_JWKS_FILE", global = true)]
    pub jwks_file: Option<PathBuf>,
    /// Required token issuer (`iss`)
    #[arg(long, env = "JOBGRAPH_JWT_ISSUER", global = true)]
    pub jwt_issuer: Option<String>,
    /// Required token audience (`aud`)
    #[arg(long, env = "JOBGRAPH_JWT_AUDIENCE", global = true)]
    pub jwt_audience: Option<String>,
    /// Clock skew allowed on `exp` and `nbf`, in seconds [default: 30]
    #[arg(long, env = "JOBGRAPH_JWT_LEEWAY_SECS", global = true)]
    pub jwt_leeway_secs: Option<u64>,
    /// Redis URL for the shared response cache [default: an in-process cache]
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Turn the response cache off (persisted queries still work)
    #[arg(long, env = "JOBGRAPH_CACHE_DISABLED", global = true)]
    pub cache_disabled: bool,
    /// Longest a cached response lives, in seconds [default: 300]
    #[arg(long, env = "JOBGRAPH_CACHE_TTL_SECS", global = true)]
    pub cache_ttl_secs: Option<u64>,
    /// Longest a cache call may take, in milliseconds [default: 50]
    #[arg(long, env = "JOBGRAPH_CACHE_TIMEOUT_MS", global = true)]
    pub cache_timeout_ms: Option<u64>,
    /// How long a replica trusts the cache generation it read from Redis, in milliseconds;
    /// every write waits as long before it is answered (see README, Caching) [default: 10]
    #[arg(long, env = "JOBGRAPH_CACHE_GENERATION_LEASE_MS", global = true)]
    pub cache_generation_lease_ms: Option<u64>,
    /// Cache-Control max-age of anonymous GET responses, in seconds [default: 30]
    #[arg(long, env = "JOBGRAPH_HTTP_MAX_AGE_SECS", global = true)]
    pub http_max_age_secs: Option<u64>,
    /// Rate limits (see README, Rate limits) [default: on]
    #[arg(long, env = "JOBGRAPH_RATE_LIMITS", value_enum, global = true)]
    pub rate_limits: Option<Switch>,
    /// Requests without a token per client IP, as QUOTA/WINDOW [default: 600/60s]
    #[arg(long, env = "JOBGRAPH_RATE_LIMIT_ANONYMOUS", global = true)]
    pub rate_limit_anonymous: Option<Budget>,
    /// Queries per token subject [default: 3000/60s]
    #[arg(long, env = "JOBGRAPH_RATE_LIMIT_TOKEN", global = true)]
    pub rate_limit_token: Option<Budget>,
    /// Mutations per token subject, applications aside [default: 120/60s]
    #[arg(long, env = "JOBGRAPH_RATE_LIMIT_TOKEN_MUTATIONS", global = true)]
    pub rate_limit_token_mutations: Option<Budget>,
    /// New applications per client IP [default: 10/5s]
    #[arg(long, env = "JOBGRAPH_RATE_LIMIT_APPLY_PER_IP", global = true)]
    pub rate_limit_apply_per_ip: Option<Budget>,
    /// New applications per posting [default: 10/5s]
    #[arg(long, env = "JOBGRAPH_RATE_LIMIT_APPLY_PER_POSTING", global = true)]
    pub rate_limit_apply_per_posting: Option<Budget>,
    /// Proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the
    /// client [default: none: the client is the peer address]
    #[arg(
        long,
        env = "JOBGRAPH_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<ProxyNet>,
    /// Secret that signs pagination cursors; replicas must share it [default: random per start]
    #[arg(
        long,
        env = "JOBGRAPH_CURSOR_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub cursor_secret: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (the default)
    Serve,
    /// Apply or revert migrations, or show their status
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL)
    Schema,
    /// Load the sample catalog into the database
    SeedSample,
    /// Import posting pages (JSON-LD, HTML, text, listings) as postings; prints a report
    Import {
        /// The company (slug or id) every posting is for [default: the one each page names,
        /// created when new]
        #[arg(long)]
        company: Option<String>,
        /// Publish each posting that is complete; the others stay drafts, and the report says
        /// why
        #[arg(long)]
        publish: bool,
        /// Read and check everything, write nothing
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON instead of a table
        #[arg(long)]
        json: bool,
        /// The format of every file [default: told from each file's content]
        #[arg(long, value_enum)]
        format: Option<crate::import::Format>,
        /// The files to import
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a signed token for the configured HS256 secret (or the local development secret)
    Token {
        /// The company the token acts for: its slug or id (repeatable)
        #[arg(long = "company")]
        companies: Vec<String>,
        /// Space-separated scopes, such as "postings:write applications:read"
        #[arg(long)]
        scope: String,
        /// How long the token is valid, such as 15m, 1h or 7d
        #[arg(long, default_value = "1h")]
        ttl: String,
        /// The token's subject, recorded in the audit trail
        #[arg(long, default_value = "jobgraph-cli")]
        subject: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum MigrateAction {
    /// Apply every pending migration
    Up,
    /// Revert the last migrations
    Down {
        /// How many migrations to revert
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether they are applied
    Status,
}

impl Options {
    /// These options laid over the defaults.
    pub fn into_settings(self) -> Settings {
        let mut database = match self.database_url {
            Some(url) => DatabaseSettings::new(url),
            None => DatabaseSettings::embedded_default(),
        };
        if let Some(read_pool) = self.db_read_pool {
            database.read_pool = read_pool == Switch::On;
        }
        if let Some(workers) = self.db_parallel_workers {
            database.parallel_workers = workers;
        }
        if let Some(max) = self.db_max_connections {
            database.max_connections = max;
        }
        if let Some(timeout) = self.request_timeout_ms {
            database.statement_timeout = Duration::from_millis(timeout);
        }
        let auth_defaults = AuthSettings::default();
        let auth = AuthSettings {
            hs256_secret: self.jwt_secret.map(SecretString::from),
            public_key_file: self.jwt_public_key,
            jwks_file: self.jwks_file,
            issuer: self.jwt_issuer,
            audience: self.jwt_audience,
            leeway: self
                .jwt_leeway_secs
                .map(Duration::from_secs)
                .unwrap_or(auth_defaults.leeway),
            jwks_reload_interval: auth_defaults.jwks_reload_interval,
        };
        let cache_defaults = CacheSettings::default();
        let cache = CacheSettings {
            enabled: !self.cache_disabled,
            redis_url: self.redis_url.map(SecretString::from),
            ttl: self
                .cache_ttl_secs
                .map(Duration::from_secs)
                .unwrap_or(cache_defaults.ttl),
            timeout: self
                .cache_timeout_ms
                .map(Duration::from_millis)
                .unwrap_or(cache_defaults.timeout),
            generation_lease: self
                .cache_generation_lease_ms
                .map(Duration::from_millis)
                .unwrap_or(cache_defaults.generation_lease),
            memory_max_bytes: cache_defaults.memory_max_bytes,
            http_max_age: self
                .http_max_age_secs
                .map(Duration::from_secs)
                .unwrap_or(cache_defaults.http_max_age),
            namespace: cache_defaults.namespace,
        };
        let mut graphql = match self.profile {
            Some(Profile::Production) => GraphqlSettings::production(),
            Some(Profile::Development) | None => GraphqlSettings::default(),
        };
        if let Some(introspection) = self.introspection {
            graphql.introspection = introspection == Switch::On;
        }
        // GraphiQL reads the schema by introspection.
        graphql.graphiql &= graphql.introspection;
        let rate_defaults = RateLimitSettings::default();
        let rate_limits = RateLimitSettings {
            enabled: self.rate_limits != Some(Switch::Off),
            anonymous: self.rate_limit_anonymous.unwrap_or(rate_defaults.anonymous),
            token: self.rate_limit_token.unwrap_or(rate_defaults.token),
            token_mutations: self
                .rate_limit_token_mutations
                .unwrap_or(rate_defaults.token_mutations),
            apply_per_ip: self
                .rate_limit_apply_per_ip
                .unwrap_or(rate_defaults.apply_per_ip),
            apply_per_posting: self
                .rate_limit_apply_per_posting
                .unwrap_or(rate_defaults.apply_per_posting),
            trusted_proxies: self.trusted_proxies,
        };
        let http_defaults = HttpSettings::default();
        let limit_defaults = Limits::default();
        Settings {
            database,
            http: HttpSettings {
                bind: self.bind.unwrap_or(http_defaults.bind),
                workers: self.workers.or(http_defaults.workers),
                max_body_bytes: self.max_body_bytes.unwrap_or(http_defaults.max_body_bytes),
                max_upload_bytes: self
                    .max_upload_bytes
                    .unwrap_or(http_defaults.max_upload_bytes),
                request_timeout: self
                    .request_timeout_ms
                    .map(Duration::from_millis)
                    .unwrap_or(http_defaults.request_timeout),
                shutdown_timeout: http_defaults.shutdown_timeout,
                max_in_flight: self.max_in_flight.unwrap_or(http_defaults.max_in_flight),
                header_timeout: http_defaults.header_timeout,
                refusal_hold: self
                    .refusal_hold_ms
                    .map(Duration::from_millis)
                    .unwrap_or(http_defaults.refusal_hold),
                cors_token_origins: self.cors_origins,
            },
            limits: Limits {
                document: DocumentLimits {
                    max_depth: self.max_depth.unwrap_or(limit_defaults.document.max_depth),
                    max_tokens: self
                        .max_tokens
                        .unwrap_or(limit_defaults.document.max_tokens),
                    ..limit_defaults.document
                },
                max_complexity: self.max_complexity.unwrap_or(limit_defaults.max_complexity),
                max_page_size: self.max_page_size.unwrap_or(limit_defaults.max_page_size),
                default_page_size: limit_defaults.default_page_size,
            },
            auth,
            cache,
            graphql,
            rate_limits,
            cursor_secret: self.cursor_secret.map(SecretString::from),
        }
    }
}

/// Runs the command line; `src/main.rs` calls only this.
pub fn main() -> ExitCode {
    // A missing .env is normal; a broken one is worth saying.
    if let Err(error) = dotenvy::dotenv()
        && !error.not_found()
    {
        eprintln!("ignoring .env: {error}");
    }
    let cli = Cli::parse();
    telemetry::init(
        cli.options.log_format.unwrap_or_default(),
        cli.options.log_level.as_deref().unwrap_or("info"),
    );
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let settings = cli.options.into_settings();
    let result = runtime.block_on(run(cli.command.unwrap_or(Command::Serve), settings));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "jobgraph failed");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Serve => {
            let application = Application::build(settings).await?;
            application.run_until_stopped().await?;
        }
        Command::Schema => print!("{}", graphql::sdl()),
        Command::Migrate { action } => {
            let db = db::connect(&settings.database, StatementCounter::default()).await?;
            match action {
                MigrateAction::Up => {
                    Migrator::up(&db, None).await?;
                    invalidate_cached_answers(&settings, &db).await?;
                    println!("migrations applied");
                }
                MigrateAction::Down { steps } => {
                    Migrator::down(&db, Some(steps)).await?;
                    invalidate_cached_answers(&settings, &db).await?;
                    println!("reverted {steps} migration(s)");
                }
                MigrateAction::Status => {
                    for migration in Migrator::get_migration_with_status(&db).await? {
                        println!("{}\t{}", migration.status(), migration.name());
                    }
                }
            }
        }
        Command::SeedSample => {
            let db = db::connect(&settings.database, StatementCounter::default()).await?;
            db::migrate(&db, &settings.database).await?;
            let summary = seed::seed_sample(&db).await?;
            // Cached answers from before the seeding must not be served.
            invalidate_cached_answers(&settings, &db).await?;
            println!(
                "added {} companies and {} postings",
                summary.companies, summary.postings
            );
        }
        Command::Import {
            company,
            publish,
            dry_run,
            json,
            format,
            files,
        } => {
            let options = service::import_write::ImportOptions {
                company: None,
                publish,
                dry_run,
                format,
            };
            import_files(&settings, company.as_deref(), options, json, &files).await?;
        }
        Command::Token {
            companies,
            scope,
            ttl,
            subject,
        } => {
            let token = issue_token(&settings, &companies, &scope, &ttl, &subject).await?;
            println!("{token}");
        }
    }
    Ok(())
}

/// How long a subcommand waits for the cache (Redis, or the database's generation row) to
/// take its invalidation: far longer than a request may, since nobody waits on it but the
/// operator, and a running server must learn of the change.
const CLI_CACHE_TIMEOUT: Duration = Duration::from_secs(5);

/// Makes every answer cached before this subcommand's writes stale, in Redis or (without
/// one) in every server's in-process cache on this database.
async fn invalidate_cached_answers(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
) -> Result<(), crate::startup::StartupError> {
    let mut settings = settings.clone();
    settings.cache.timeout = CLI_CACHE_TIMEOUT;
    crate::startup::response_cache(&settings, db)
        .await?
        .invalidate()
        .await;
    Ok(())
}

/// `jobgraph import`: reads the files, stores their postings as an admin, prints the report,
/// and fails when any document did.
async fn import_files(
    settings: &Settings,
    company: Option<&str>,
    mut options: service::import_write::ImportOptions,
    json: bool,
    files: &[PathBuf],
) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::{IsTerminal, Write};

    use crate::import::Document;
    use crate::import::report::{Outcome, ReportRow};

    let db = db::connect(&settings.database, StatementCounter::default()).await?;
    db::migrate(&db, &settings.database).await?;
    if let Some(company) = company {
        options.company = Some(resolve_company(&db, company).await?);
    }
    let mut documents = Vec::new();
    let mut unreadable = Vec::new();
    for path in files {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match read_limited(path) {
            Ok(bytes) => documents.push(Document {
                name,
                bytes,
                format: None,
            }),
            Err(error) => unreadable.push(ReportRow {
                document: name,
                entry: 1,
                line: None,
                format: None,
                title: None,
                outcome: Outcome::Failed,
                posting_id: None,
                slug: None,
                status: None,
                version: None,
                detail: Some(format!("cannot read {}: {error}", path.display())),
            }),
        }
    }
    let actor = crate::auth::Principal::new("jobgraph import", [Scope::Admin], Vec::new());
    let show_progress = std::io::stderr().is_terminal();
    let today = chrono::Utc::now().date_naive();
    let mut report = service::import_write::import(
        &db,
        Some(&actor),
        documents,
        &options,
        today,
        |done, total| {
            if show_progress && total > 1 {
                let width = 30;
                let filled = done * width / total.max(1);
                eprint!(
                    "\r[{}{}] {done}/{total} documents",
                    "#".repeat(filled),
                    ".".repeat(width - filled)
                );
                if done == total {
                    eprintln!();
                }
                let _ = std::io::stderr().flush();
            }
        },
    )
    .await;
    report.rows.extend(unreadable);
    let counts = report.counts();
    if !options.dry_run && counts.created + counts.updated > 0 {
        invalidate_cached_answers(settings, &db).await?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    if counts.failed > 0 {
        return Err(format!("{} of {} postings failed", counts.failed, report.rows.len()).into());
    }
    Ok(())
}

/// A file's bytes, refusing one too large for an import before reading it.
fn read_limited(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;

    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    // One byte more than the limit is enough for the import to say the file is too large.
    file.take(crate::import::MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A company's id from its slug or id.
async fn resolve_company(
    db: &sea_orm::DatabaseConnection,
    company: &str,
) -> Result<Uuid, Box<dyn std::error::Error>> {
    let found = match Uuid::parse_str(company) {
        Ok(id) => service::company::by_ids(db, &[id])
            .await?
            .into_iter()
            .next(),
        Err(_) => service::company::by_slug(db, company).await?,
    };
    Ok(found.ok_or_else(|| format!("no company {company:?}"))?.id)
}

/// `jobgraph token`: resolves the companies, checks the scopes, and signs.
async fn issue_token(
    settings: &Settings,
    companies: &[String],
    scope: &str,
    ttl: &str,
    subject: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    use secrecy::ExposeSecret;

    let scopes = scope
        .split_whitespace()
        .map(|name| {
            Scope::parse(name).ok_or_else(|| {
                format!(
                    "unknown scope {name:?}; known: {}",
                    Scope::ALL.map(Scope::as_str).join(" ")
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ttl = token::parse_ttl(ttl).ok_or("--ttl takes a duration such as 15m, 1h or 7d")?;
    let secret = match &settings.auth.hs256_secret {
        Some(secret) => secret.expose_secret().to_owned(),
        None if settings.database.is_embedded_default => {
            let path = settings
                .database
                .sqlite_path()
                .map(|db| dev_secret::path_beside(&db))
                .ok_or("the embedded database has no file")?;
            dev_secret::load_or_create(&path)?.0
        }
        None => {
            return Err("set JOBGRAPH_JWT_SECRET: tokens are signed with the HS256 secret".into());
        }
    };
    let db = db::connect(&settings.database, StatementCounter::default()).await?;
    db::migrate(&db, &settings.database).await?;
    let mut ids = Vec::new();
    for company in companies {
        ids.push(resolve_company(&db, company).await?);
    }
    Ok(token::sign_hs256(
        secret.as_bytes(),
        &token::TokenRequest {
            subject,
            scopes: &scopes,
            companies: &ids,
            ttl,
            issuer: settings.auth.issuer.as_deref(),
            audience: settings.auth.audience.as_deref(),
        },
    )?)
}
