//! The in-process limiter: governor's GCRA, one keyed limiter per budget. Used alone without
//! Redis, and for any call Redis fails or is too slow to answer.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use moka::future::Cache;

use super::backend::{BackendError, BudgetName, Check, Decision, LimiterBackend};
use crate::config::{Budget, RateLimitSettings};

type Keyed =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// How many idempotency-key markers one process keeps at most.
const MAX_MARKERS: u64 = 100_000;

pub struct LocalBackend {
    limiters: Vec<(BudgetName, Budget, Keyed)>,
    markers: Cache<String, ()>,
    clock: DefaultClock,
}

impl LocalBackend {
    pub fn new(settings: &RateLimitSettings, seen_ttl: Duration) -> Self {
        let limiters = BudgetName::ALL
            .into_iter()
            .map(|name| {
                let budget = budget_of(settings, name);
                (name, budget, keyed(budget))
            })
            .collect();
        LocalBackend {
            limiters,
            markers: Cache::builder()
                .max_capacity(MAX_MARKERS)
                .time_to_live(seen_ttl)
                .build(),
            clock: DefaultClock::default(),
        }
    }

    /// Forgets holders whose budget is whole again, so the tables stay as large as the
    /// holders of the last window.
    pub fn retain_recent(&self) {
        for (_, _, limiter) in &self.limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    fn check_one(&self, check: &Check) -> Decision {
        let Some((_, budget, limiter)) = self
            .limiters
            .iter()
            .find(|(name, budget, _)| *name == check.name && *budget == check.budget)
        else {
            // A budget this backend was not built with (never, in practice): let it through.
            return Decision::free(check);
        };
        let interval = budget.interval();
        match limiter.check_key(&check.holder) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Decision {
                    allowed: true,
                    name: check.name,
                    budget: *budget,
                    remaining,
                    reset: interval * budget.quota.saturating_sub(remaining),
                    retry_after: Duration::ZERO,
                }
            }
            Err(not_until) => Decision {
                allowed: false,
                name: check.name,
                budget: *budget,
                remaining: 0,
                reset: budget.window,
                retry_after: not_until.wait_time_from(self.clock.now()),
            },
        }
    }
}

pub fn budget_of(settings: &RateLimitSettings, name: BudgetName) -> Budget {
    match name {
        BudgetName::Anonymous => settings.anonymous,
        BudgetName::Token => settings.token,
        BudgetName::TokenMutations => settings.token_mutations,
        BudgetName::ApplyPerIp => settings.apply_per_ip,
        BudgetName::ApplyPerPosting => settings.apply_per_posting,
    }
}

fn keyed(budget: Budget) -> Keyed {
    let burst = NonZeroU32::new(budget.quota).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(budget.interval())
        .unwrap_or_else(|| Quota::per_second(burst))
        .allow_burst(burst);
    RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>()
}

#[async_trait::async_trait]
impl LimiterBackend for LocalBackend {
    async fn check(
        &self,
        checks: &[Check],
        seen: Option<&str>,
        _seen_ttl: Duration,
    ) -> Result<Decision, BackendError> {
        // Unlike the Redis script, budgets are charged one after the other, stopping at the
        // first refusal: a refusal by a later one leaves the earlier ones charged.
        if let Some(marker) = seen {
            let entry = self.markers.entry(marker.to_owned()).or_insert(()).await;
            if !entry.is_fresh() {
                return Ok(checks
                    .first()
                    .map_or_else(Decision::nothing, Decision::free));
            }
        }
        let mut decisions = Vec::with_capacity(checks.len());
        for check in checks {
            let decision = self.check_one(check);
            let refused = !decision.allowed;
            decisions.push(decision);
            if refused {
                break;
            }
        }
        let decision = Decision::combine(decisions).unwrap_or_else(Decision::nothing);
        if !decision.allowed
            && let Some(marker) = seen
        {
            // Refused: a retry with this key must pay.
            self.markers.invalidate(marker).await;
        }
        Ok(decision)
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(holder: &str, settings: &RateLimitSettings) -> Check {
        Check {
            name: BudgetName::Anonymous,
            budget: settings.anonymous,
            holder: holder.to_owned(),
        }
    }

    #[tokio::test]
    async fn a_budget_lets_its_quota_through_then_refuses_for_one_interval() {
        let settings = RateLimitSettings {
            anonymous: "3/3s".parse().expect("a budget"),
            ..RateLimitSettings::default()
        };
        let backend = LocalBackend::new(&settings, Duration::from_secs(60));
        let one = [check("ip:192.0.2.1", &settings)];
        let mut remaining = Vec::new();
        for _ in 0..3 {
            let decision = backend
                .check(&one, None, Duration::ZERO)
                .await
                .expect("local");
            assert!(decision.allowed);
            remaining.push(decision.remaining);
        }
        assert_eq!(remaining, [2, 1, 0]);
        let refused = backend
            .check(&one, None, Duration::ZERO)
            .await
            .expect("local");
        assert!(!refused.allowed);
        assert!(refused.retry_after > Duration::from_millis(500));
        assert!(refused.retry_after <= Duration::from_secs(1));
        let other = [check("ip:192.0.2.2", &settings)];
        assert!(
            backend
                .check(&other, None, Duration::ZERO)
                .await
                .expect("local")
                .allowed
        );
    }

    #[tokio::test]
    async fn a_marker_already_seen_costs_nothing() {
        let settings = RateLimitSettings {
            anonymous: "1/10s".parse().expect("a budget"),
            ..RateLimitSettings::default()
        };
        let backend = LocalBackend::new(&settings, Duration::from_secs(60));
        let one = [check("ip:192.0.2.1", &settings)];
        for _ in 0..5 {
            let decision = backend
                .check(&one, Some("k"), Duration::ZERO)
                .await
                .expect("local");
            assert!(decision.allowed);
        }
        let other_key = backend
            .check(&one, Some("k2"), Duration::ZERO)
            .await
            .expect("local");
        assert!(!other_key.allowed);
        // Refused, so k2 was not remembered: it pays again.
        assert!(
            !backend
                .check(&one, Some("k2"), Duration::ZERO)
                .await
                .expect("local")
                .allowed
        );
    }
}
