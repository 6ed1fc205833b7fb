//! Building and running the server; `main` and the tests start it the same way.

use std::net::TcpListener;

use actix_web::dev::Server;
pub use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use rand::RngCore;
use sea_orm::{DatabaseConnection, DbBackend};
use sea_orm::{EntityTrait, PaginatorTrait};
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{TokenVerifier, dev_secret};
use crate::cache::database_generation::DatabaseGeneration;
use crate::cache::memory::MemoryBackend;
use crate::cache::redis_backend::RedisBackend;
use crate::cache::{CacheBackend, ResponseCache};
use crate::config::{AuthSettings, Settings};
use crate::db::{self, StatementCounter};
use crate::graphql::build_schema;
use crate::graphql::context::Catalog;
use crate::graphql::cursor::CursorCodec;
use crate::graphql::executor::{Executor, ExecutorSettings};
use crate::graphql::pushdown::Pushdown;
use crate::http;
use crate::seed;
use crate::state::AppState;

/// What can stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot use the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot seed the sample catalog: {0}")]
    Seed(#[from] seed::SeedError),
    #[error("cannot set up the cache: {0}")]
    Cache(#[from] crate::cache::CacheError),
    #[error("cannot set up the rate limits: {0}")]
    RateLimits(#[from] crate::rate_limit::BackendError),
    #[error("cannot set up token verification: {0}")]
    Auth(#[from] crate::auth::AuthError),
    #[error("cannot create the local development secret: {0}")]
    DevSecret(std::io::Error),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

/// A built server, listening, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    db: DatabaseConnection,
    statements: StatementCounter,
}

/// Connects, migrates, seeds a brand-new embedded database, and builds everything the server
/// shares between its workers. Binds nothing: tests use it to drive the executor without HTTP.
pub async fn build_state(settings: &Settings) -> Result<AppState, StartupError> {
    let statements = StatementCounter::default();
    let db::Pools { db, reads } = db::connect_pools(&settings.database, statements.clone()).await?;
    reads.spawn_idle_reaper();
    db::migrate(&db, &settings.database).await?;
    // Postings that predate search, or that an older analyzer read, are analyzed now.
    let analyzed = crate::service::search::index::refresh_stale(&db).await?;
    if analyzed > 0 {
        tracing::info!(postings = analyzed, "analyzed postings for search");
    }
    if settings.database.is_embedded_default {
        // An earlier `token` or `migrate up` may have made the file: what decides is whether
        // the catalog is empty.
        let companies = entity::company::Entity::find().count(&db).await?;
        if companies == 0 {
            let summary = seed::seed_sample(&db).await?;
            tracing::info!(
                companies = summary.companies,
                postings = summary.postings,
                "the embedded database held no companies: loaded the sample catalog"
            );
        } else {
            tracing::info!(companies, "embedded database: serving its catalog");
        }
    }

    let cursors = match &settings.cursor_secret {
        Some(secret) => CursorCodec::new(secret.expose_secret().as_bytes()),
        None => {
            if !settings.database.is_embedded_default {
                tracing::warn!(
                    "JOBGRAPH_CURSOR_SECRET is not set: cursors will not survive a restart \
                     or work across replicas"
                );
            }
            let mut secret = [0u8; 32];
            rand::rng().fill_bytes(&mut secret);
            CursorCodec::new(&secret)
        }
    };
    let pushdown = Pushdown::new(
        db.get_database_backend() == DbBackend::Postgres,
        cursors.clone(),
        settings.limits,
    );
    let schema = build_schema(
        Catalog {
            db: db.clone(),
            reads: reads.clone(),
            cursors,
            limits: settings.limits,
        },
        settings.limits,
        settings.graphql.introspection,
    );
    let verifier = TokenVerifier::new(&auth_settings(settings)?)?;
    let cache = response_cache(settings, &db).await?;
    // What was cached before this start may predate a restore, an import or a migration
    // made beside the API: a starting replica makes it stale.
    cache.invalidate().await;
    crate::metrics::handle();
    let executor = Executor::new(
        schema,
        reads.clone(),
        cache,
        pushdown,
        ExecutorSettings {
            request_timeout: settings.http.request_timeout,
            shared_max_age: settings.cache.http_max_age,
            document_limits: settings.limits.document,
        },
    );
    Ok(AppState {
        executor,
        verifier,
        db,
        reads,
        statements,
        max_body_bytes: settings.http.max_body_bytes,
        max_upload_bytes: settings.http.max_upload_bytes,
        graphiql: settings.graphql.graphiql,
        in_flight: tokio::sync::Semaphore::new(settings.http.max_in_flight.max(1)),
        body_timeout: settings.http.request_timeout,
        refusal_hold: settings.http.refusal_hold,
        rate_limiter: rate_limiter(settings)?,
    })
}

impl Application {
    /// Builds the shared state (see [`build_state`]), binds, and builds the server.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let state = build_state(&settings).await?;
        let db = state.db.clone();
        let statements = state.statements.clone();
        let state = web::Data::new(state);

        let listener =
            TcpListener::bind(&settings.http.bind).map_err(|source| StartupError::Bind {
                address: settings.http.bind.clone(),
                source,
            })?;
        let bind_error = |source| StartupError::Bind {
            address: settings.http.bind.clone(),
            source,
        };
        let port = listener.local_addr().map_err(bind_error)?.port();
        let token_origins = settings.http.cors_token_origins.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(http::request_id::echo))
                .wrap(TracingLogger::<http::request_span::RequestSpan>::new())
                .wrap(http::security_headers::every_response())
                .app_data(state.clone())
                .configure(|config| http::routes(config, &token_origins))
        })
        .shutdown_timeout(settings.http.shutdown_timeout.as_secs())
        // A client trickling its headers is cut off instead of holding a connection.
        .client_request_timeout(settings.http.header_timeout)
        // A client that closes its connection gives up its request: the handler is dropped
        // (and with it, on PostgreSQL, the statement it waits for: see
        // `db::session_settings`) rather than run on for nobody. HTTP clients do not half-close
        // a connection to wait for an answer.
        .h1_allow_half_closed(false)
        .listen(listener)
        .map_err(bind_error)?;
        if let Some(workers) = settings.http.workers {
            server = server.workers(workers);
        }
        tracing::info!(
            port,
            database = %settings.database.redacted_url(),
            "listening"
        );
        Ok(Application {
            port,
            server: server.run(),
            db,
            statements,
        })
    }

    /// The port the server listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database pool the server uses.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Counts the SQL statements the server has run.
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }

    /// Stops the server from outside (tests); SIGTERM and SIGINT do the same.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The token settings to use: as configured, or, on the embedded default with no key
/// configured, the local development secret (created on first start). A configured database
/// never falls back to it.
fn auth_settings(settings: &Settings) -> Result<AuthSettings, StartupError> {
    let mut auth = settings.auth.clone();
    if auth.has_key() || !settings.database.is_embedded_default {
        if !auth.has_key() {
            tracing::warn!(
                "no token key is configured (JOBGRAPH_JWT_SECRET, JOBGRAPH_JWT_PUBLIC_KEY or \
                 JOBGRAPH_JWKS_FILE): every token is refused"
            );
        }
        return Ok(auth);
    }
    let Some(database) = settings.database.sqlite_path() else {
        return Ok(auth);
    };
    let path = dev_secret::path_beside(&database);
    let (secret, created) = dev_secret::load_or_create(&path).map_err(StartupError::DevSecret)?;
    if created {
        tracing::warn!(
            path = %path.display(),
            "created a local development secret for tokens; `jobgraph token` signs with it. \
             Configure JOBGRAPH_JWT_SECRET or a public key in production"
        );
    } else {
        tracing::info!(path = %path.display(), "using the local development secret for tokens");
    }
    auth.hs256_secret = Some(secrecy::SecretString::from(secret));
    Ok(auth)
}

/// Redis when configured (connected lazily: the server starts even while Redis is down), the
/// in-process cache otherwise, which checks the database's generation (on `db`'s database) so
/// that other processes' writes reach it.
pub async fn response_cache(
    settings: &Settings,
    db: &DatabaseConnection,
) -> Result<ResponseCache, StartupError> {
    use secrecy::ExposeSecret;
    let backend: Arc<dyn CacheBackend> = match &settings.cache.redis_url {
        Some(url) => Arc::new(RedisBackend::new(
            url.expose_secret(),
            settings.cache.timeout,
        )?),
        None => Arc::new(
            MemoryBackend::new(settings.cache.memory_max_bytes, settings.cache.ttl).watching(
                DatabaseGeneration::open(&settings.database, db).await?,
                settings.cache.timeout,
            ),
        ),
    };
    let namespace = namespace(settings);
    tracing::info!(backend = backend.name(), namespace, "response cache");
    // Without Redis, other processes' writes (`seed-sample`, the `sqlite3` shell) reach the
    // in-process store through the database's generation and wait out no lease: read it
    // every time.
    let lease = if settings.cache.redis_url.is_some() {
        settings.cache.generation_lease
    } else {
        Duration::ZERO
    };
    let cache = ResponseCache::new(backend, &namespace, settings.cache.ttl, lease);
    Ok(if settings.cache.enabled {
        cache
    } else {
        tracing::info!("response caching is off");
        cache.without_responses()
    })
}

/// The prefix of this deployment's keys in a shared Redis: replicas on one database share
/// cache entries and rate-limit budgets; deployments on different databases never do.
fn namespace(settings: &Settings) -> String {
    settings.cache.namespace.clone().unwrap_or_else(|| {
        use sha2::Digest;
        crate::cache::response::hex(&sha2::Sha256::digest(
            settings.database.url.expose_secret().as_bytes(),
        ))[..16]
            .to_owned()
    })
}

/// The rate limiter: shared through the cache's Redis when it has one (connected lazily,
/// bounded by the cache timeout), in process otherwise; `None` when limits are off.
pub fn rate_limiter(
    settings: &Settings,
) -> Result<Option<crate::rate_limit::RateLimiter>, StartupError> {
    use crate::rate_limit::{LimiterBackend, RateLimiter, RedisLimiter};
    if !settings.rate_limits.enabled {
        tracing::info!("rate limits are off");
        return Ok(None);
    }
    let namespace = namespace(settings);
    let shared: Option<Arc<dyn LimiterBackend>> = match &settings.cache.redis_url {
        Some(url) => Some(Arc::new(RedisLimiter::new(
            url.expose_secret(),
            &namespace,
            settings.cache.timeout,
        )?)),
        None => None,
    };
    tracing::info!(
        backend = shared.as_ref().map_or("memory", |backend| backend.name()),
        "rate limits"
    );
    let limiter = RateLimiter::new(settings.rate_limits.clone(), shared);
    limiter.spawn_sweeper(std::time::Duration::from_secs(60));
    Ok(Some(limiter))
}
