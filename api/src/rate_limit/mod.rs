//! Rate limits: budgets per client IP (anonymous requests, new applications), per token
//! subject (queries, mutations) and per posting (new applications), shared by every replica
//! through Redis ([`redis_backend`]) and kept in process without it ([`local`]). When Redis
//! fails or is slower than the cache timeout, the in-process limiter decides instead (fails
//! open to it, never to "unlimited"), and `/metrics` counts it. A replica reserves units of a
//! budget far from its limit several at a time ([`allowance`]), so most requests are decided
//! without a round trip to Redis.
//!
//! The HTTP layer makes a [`Gate`] for each request (who is asking) and the executor asks it
//! to [`Gate::admit`] a [`Cost`] (what is asked) once it knows what the operation is.

mod allowance;
mod backend;
pub mod client;
mod local;
mod redis_backend;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use uuid::Uuid;

pub use backend::{BackendError, BudgetName, Check, Decision, LimiterBackend};
pub use local::LocalBackend;
pub use redis_backend::RedisLimiter;

use crate::auth::Principal;
use crate::config::RateLimitSettings;
use crate::error::{ErrorCode, RequestFailure};
use crate::metrics::{self, RateLimitEvent};

/// How long an application's idempotency key is remembered as paid for: retries within it
/// are free (after it, a retry pays once more; it still makes no second row).
const SEEN_TTL: Duration = Duration::from_secs(3600);

/// After Redis fails, how long the in-process limiter decides alone before Redis is tried
/// again, so a stalled Redis costs one timeout per second rather than one per request.
const REDIS_PAUSE: Duration = Duration::from_secs(1);

/// The limiter every worker shares.
pub struct RateLimiter {
    settings: RateLimitSettings,
    shared: Option<Arc<dyn LimiterBackend>>,
    local: Arc<LocalBackend>,
    /// What this replica holds of the budgets in Redis (`allowance`).
    allowances: Arc<allowance::Allowances>,
    started: Instant,
    /// Milliseconds since `started` before which Redis is not tried.
    redis_paused_until: AtomicU64,
}

impl RateLimiter {
    /// A limiter shared through `shared` (Redis) when given, in process otherwise.
    pub fn new(settings: RateLimitSettings, shared: Option<Arc<dyn LimiterBackend>>) -> Self {
        let local = Arc::new(LocalBackend::new(&settings, SEEN_TTL));
        RateLimiter {
            settings,
            shared,
            local,
            allowances: Arc::new(allowance::Allowances::new()),
            started: Instant::now(),
            redis_paused_until: AtomicU64::new(0),
        }
    }

    pub fn settings(&self) -> &RateLimitSettings {
        &self.settings
    }

    /// Forgets, every `period`, in-process holders whose budget is whole again.
    pub fn spawn_sweeper(&self, period: Duration) {
        let local = Arc::downgrade(&self.local);
        let allowances = Arc::downgrade(&self.allowances);
        let started = self.started;
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            loop {
                ticks.tick().await;
                let (Some(local), Some(allowances)) = (local.upgrade(), allowances.upgrade())
                else {
                    return;
                };
                local.retain_recent();
                allowances.retain_recent(
                    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                );
            }
        });
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn check(&self, checks: &[Check], seen: Option<&str>) -> Decision {
        if let Some(shared) = &self.shared
            && self.now_ms() >= self.redis_paused_until.load(Ordering::Relaxed)
        {
            // One budget and no idempotency key: decided from what this replica holds when
            // it can, else by reserving several units at once.
            let reserve = match checks {
                [check] if seen.is_none() => Some(check),
                _ => None,
            };
            if let Some(check) = reserve
                && let Some(decision) = self.allowances.spend(check, self.now_ms())
            {
                return counted(decision);
            }
            let reserving;
            let sent = match reserve {
                Some(check) => {
                    reserving = [Check {
                        cost: self.allowances.chunk(check),
                        ..check.clone()
                    }];
                    &reserving[..]
                }
                None => checks,
            };
            match shared.check(sent, seen, SEEN_TTL).await {
                Ok(decision) => {
                    return counted(match reserve {
                        Some(check) => self.allowances.record(check, decision, self.now_ms()),
                        None => decision,
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, "rate limits decided in process: Redis failed");
                    let until = self.now_ms().saturating_add(REDIS_PAUSE.as_millis() as u64);
                    self.redis_paused_until.store(until, Ordering::Relaxed);
                    metrics::rate_limit_event(RateLimitEvent::FailedOpen);
                }
            }
        } else if self.shared.is_some() {
            metrics::rate_limit_event(RateLimitEvent::FailedOpen);
        }
        match self.local.check(checks, seen, SEEN_TTL).await {
            Ok(decision) => counted(decision),
            // The in-process backend does not fail; were it to, the request goes through.
            Err(_) => Decision::nothing(),
        }
    }

    /// Unsets an idempotency marker wherever it may have been set (Redis, and this process
    /// when it decided alone), so a retry with its key pays again.
    async fn forget(&self, marker: &str) {
        if let Some(shared) = &self.shared
            && self.now_ms() >= self.redis_paused_until.load(Ordering::Relaxed)
            && let Err(error) = shared.forget(marker).await
        {
            // The marker expires on its own; until then retries of that key stay free.
            tracing::warn!(%error, "an idempotency marker could not be unset in Redis");
        }
        let _ = self.local.forget(marker).await;
    }
}

fn counted(decision: Decision) -> Decision {
    metrics::rate_limit_event(if decision.allowed {
        RateLimitEvent::Allowed
    } else {
        RateLimitEvent::Limited
    });
    decision
}

/// What an operation costs, as the executor classifies it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// A query (or anything not a mutation): the reader's request budget.
    pub read: bool,
    /// A mutation with root fields other than `applyToPosting`.
    pub mutation: bool,
    /// Each `applyToPosting` of a mutation.
    pub applications: Vec<Application>,
}

impl Cost {
    pub fn read() -> Self {
        Cost {
            read: true,
            ..Cost::default()
        }
    }
}

/// One `applyToPosting`: its posting (when the id is one this API issued) and idempotency
/// key, as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub posting: Option<Uuid>,
    pub idempotency_key: Option<String>,
}

/// Who is asking, as budgets key it: the token's subject, else the client's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `ip:<address>` (an IPv6 client by its /64).
    ip: String,
    /// `sub:<hash of the subject>`, with a token.
    subject: Option<String>,
}

impl Caller {
    pub fn new(ip: std::net::IpAddr, principal: Option<&Principal>) -> Self {
        Caller {
            ip: format!("ip:{}", client::budget_address(ip)),
            subject: principal.map(|principal| format!("sub:{}", digest(&principal.subject))),
        }
    }
}

fn digest(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..32].to_owned()
}

/// One request's way through the limits: who asks, and what was decided.
pub struct Gate<'a> {
    limiter: Option<&'a RateLimiter>,
    caller: Option<Caller>,
    charged: bool,
    /// The idempotency markers this request set: its applications were paid for here.
    marked: Vec<String>,
    /// The decision that refused the request, for its headers.
    refusal: Mutex<Option<Decision>>,
    /// Of the decisions that admitted it, the one with the least left: the budget an
    /// answer's `RateLimit` headers tell of.
    standing: Mutex<Option<Decision>>,
}

impl<'a> Gate<'a> {
    /// A gate that admits everything (limits off, or a transport without a client).
    pub fn open() -> Self {
        Gate {
            limiter: None,
            caller: None,
            charged: false,
            marked: Vec::new(),
            refusal: Mutex::new(None),
            standing: Mutex::new(None),
        }
    }

    pub fn new(limiter: Option<&'a RateLimiter>, caller: Caller) -> Self {
        Gate {
            limiter,
            caller: Some(caller),
            ..Gate::open()
        }
    }

    /// Whether a cost was already admitted for this request.
    pub fn charged(&self) -> bool {
        self.charged
    }

    /// Charges `cost` to the caller's budgets; a refusal is `RATE_LIMITED` (the transport
    /// adds the headers from [`Gate::refusal`]). Only the first call of a request charges.
    pub async fn admit(&mut self, cost: &Cost) -> Result<(), RequestFailure> {
        let (Some(limiter), Some(caller)) = (self.limiter, &self.caller) else {
            return Ok(());
        };
        if std::mem::replace(&mut self.charged, true) {
            return Ok(());
        }
        let settings = limiter.settings();
        let own = match &caller.subject {
            Some(subject) if cost.mutation => Some((
                BudgetName::TokenMutations,
                settings.token_mutations,
                subject,
            )),
            Some(subject) if cost.read => Some((BudgetName::Token, settings.token, subject)),
            None if cost.read || cost.mutation => {
                Some((BudgetName::Anonymous, settings.anonymous, &caller.ip))
            }
            _ => None,
        };
        if let Some((name, budget, holder)) = own {
            let check = Check {
                name,
                budget,
                holder: holder.clone(),
                cost: 1,
            };
            self.decided(limiter.check(&[check], None).await)?;
        }
        for application in &cost.applications {
            let mut checks = vec![Check {
                name: BudgetName::ApplyPerIp,
                budget: settings.apply_per_ip,
                holder: caller.ip.clone(),
                cost: 1,
            }];
            if let Some(posting) = application.posting {
                checks.push(Check {
                    name: BudgetName::ApplyPerPosting,
                    budget: settings.apply_per_posting,
                    holder: format!("posting:{posting}"),
                    cost: 1,
                });
            }
            // A key already paid for on this posting is a retry: free.
            let seen = application.idempotency_key.as_deref().map(|key| {
                let posting = application.posting.map(|id| id.to_string());
                digest(&format!("{}\n{}", posting.unwrap_or_default(), key.trim()))
            });
            let decision = limiter.check(&checks, seen.as_deref()).await;
            if decision.allowed
                && !decision.free
                && let Some(marker) = seen
            {
                self.marked.push(marker);
            }
            self.decided(decision)?;
        }
        Ok(())
    }

    /// The request's applications were not all stored (an error, a timeout): a retry with
    /// an idempotency key this request paid for pays again, so only a key whose application
    /// exists (or is being made) is free to retry.
    pub async fn applications_not_stored(&mut self) {
        let Some(limiter) = self.limiter else { return };
        for marker in std::mem::take(&mut self.marked) {
            limiter.forget(&marker).await;
        }
    }

    fn decided(&self, decision: Decision) -> Result<(), RequestFailure> {
        if decision.allowed {
            let mut standing = self.standing.lock().unwrap_or_else(PoisonError::into_inner);
            if standing
                .as_ref()
                .is_none_or(|tightest| decision.remaining < tightest.remaining)
            {
                *standing = Some(decision);
            }
            return Ok(());
        }
        let failure = RequestFailure::new(
            ErrorCode::RateLimited,
            format!(
                "too many requests: the {} budget allows {} per {} s; retry in {} s",
                decision.name.as_str(),
                decision.budget.quota,
                window_seconds(&decision),
                retry_seconds(&decision),
            ),
        );
        *self.refusal.lock().unwrap_or_else(PoisonError::into_inner) = Some(decision);
        Err(failure)
    }

    /// The decision that refused this request, if one did.
    pub fn refusal(&self) -> Option<Decision> {
        self.refusal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Of the budgets that admitted this request, the one with the least left, if any was
    /// charged.
    pub fn standing(&self) -> Option<Decision> {
        self.standing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn window_seconds(decision: &Decision) -> u64 {
    decision.budget.window.as_secs_f64().ceil() as u64
}

fn retry_seconds(decision: &Decision) -> u64 {
    (decision.retry_after.as_secs_f64().ceil() as u64).max(1)
}

/// The headers of a refusal: `Retry-After` (RFC 9110) and the budget's [`budget_headers`].
pub fn refusal_headers(decision: &Decision, headers: &mut HeaderMap) {
    if let Ok(value) = HeaderValue::from_str(&retry_seconds(decision).to_string()) {
        headers.insert(RETRY_AFTER, value);
    }
    let reset = (decision.reset.as_secs_f64().ceil() as u64).max(retry_seconds(decision));
    budget_headers(decision, reset, headers);
}

/// The headers of an admitted request: its tightest budget's [`budget_headers`].
pub fn standing_headers(decision: &Decision, headers: &mut HeaderMap) {
    budget_headers(
        decision,
        decision.reset.as_secs_f64().ceil() as u64,
        headers,
    );
}

/// The `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers-09
/// (structured fields: the policy's name, `q` its quota, `w` its window in seconds; `r` what
/// remains, `t` seconds until it resets).
fn budget_headers(decision: &Decision, reset_seconds: u64, headers: &mut HeaderMap) {
    let name = decision.name.as_str();
    let values = [
        (
            HeaderName::from_static("ratelimit-policy"),
            format!(
                "\"{name}\";q={};w={}",
                decision.budget.quota,
                window_seconds(decision)
            ),
        ),
        (
            HeaderName::from_static("ratelimit"),
            format!("\"{name}\";r={};t={reset_seconds}", decision.remaining),
        ),
    ];
    for (header, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(header, value);
        }
    }
}
