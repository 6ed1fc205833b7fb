//! What a limiter backend does: check one or more budgets at once, and charge them all only
//! if every one has room.

use std::time::Duration;

use crate::config::Budget;

/// Which budget a check is against; it names the budget in headers and keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BudgetName {
    Anonymous,
    Token,
    TokenMutations,
    ApplyPerIp,
    ApplyPerPosting,
}

impl BudgetName {
    pub const ALL: [BudgetName; 5] = [
        BudgetName::Anonymous,
        BudgetName::Token,
        BudgetName::TokenMutations,
        BudgetName::ApplyPerIp,
        BudgetName::ApplyPerPosting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BudgetName::Anonymous => "anonymous",
            BudgetName::Token => "token",
            BudgetName::TokenMutations => "token-mutations",
            BudgetName::ApplyPerIp => "apply-ip",
            BudgetName::ApplyPerPosting => "apply-posting",
        }
    }
}

/// One budget charged for one holder (an IP, a subject, a posting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: BudgetName,
    pub budget: Budget,
    /// The holder, already reduced to a bounded, typed text (`ip:…`, `sub:<hash>`, `posting:<uuid>`).
    pub holder: String,
    /// Units to reserve at most: 1 for one request; more for a replica that spends them
    /// itself afterwards (`allowance`). Only a check of one budget asks for more than 1.
    pub cost: u32,
}

/// What a check came to, for the budget that decided it: the one that refused, or else the
/// one with the least room left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub name: BudgetName,
    pub budget: Budget,
    /// Requests still allowed now, after this one.
    pub remaining: u32,
    /// Until the budget is whole again.
    pub reset: Duration,
    /// Until a refused request may be sent again (zero when allowed).
    pub retry_after: Duration,
    /// Nothing was charged: the idempotency key was already paid for.
    pub free: bool,
    /// Units charged (up to the check's `cost`; 0 when refused or free).
    pub granted: u32,
}

impl Decision {
    /// A check that charged nothing (an application retried with a key already seen).
    pub fn free(check: &Check) -> Self {
        Decision {
            allowed: true,
            name: check.name,
            budget: check.budget,
            remaining: check.budget.quota,
            reset: Duration::ZERO,
            retry_after: Duration::ZERO,
            free: true,
            granted: 0,
        }
    }

    /// The decision when there was nothing to charge.
    pub fn nothing() -> Self {
        Decision {
            allowed: true,
            name: BudgetName::Anonymous,
            budget: Budget {
                quota: 1,
                window: Duration::from_secs(1),
            },
            remaining: 1,
            reset: Duration::ZERO,
            retry_after: Duration::ZERO,
            free: true,
            granted: 0,
        }
    }

    /// The decision of several budgets: the first refusal (the longest wait), or the one
    /// with the least room left.
    pub fn combine(decisions: Vec<Decision>) -> Option<Decision> {
        let refused = decisions
            .iter()
            .filter(|decision| !decision.allowed)
            .max_by_key(|decision| decision.retry_after)
            .cloned();
        refused.or_else(|| {
            decisions
                .into_iter()
                .min_by_key(|decision| decision.remaining)
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("timed out")]
    Timeout,
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

#[async_trait::async_trait]
pub trait LimiterBackend: Send + Sync {
    /// Charges every check, or none when any has no room. With `seen`, a marker that is
    /// already set makes the whole call free; a call that is allowed sets it for
    /// `seen_ttl`.
    async fn check(
        &self,
        checks: &[Check],
        seen: Option<&str>,
        seen_ttl: Duration,
    ) -> Result<Decision, BackendError>;

    /// Unsets a marker `check` set: what it paid for was not done (an application that
    /// failed), so a retry with its key pays again.
    async fn forget(&self, marker: &str) -> Result<(), BackendError>;

    fn name(&self) -> &'static str;
}
