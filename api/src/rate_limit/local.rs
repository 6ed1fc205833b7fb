//! The in-process limiter: the same GCRA as the Redis script (`redis_backend`), kept in one
//! table per budget behind one lock, so that a check of several budgets charges all of them
//! or none, exactly as the script does. A check's `cost` is not reserved ahead here: with
//! no round trip to save, every request is charged as it comes. Used alone without Redis, and for any call Redis
//! fails or is too slow to answer.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use moka::future::Cache;

use super::backend::{BackendError, BudgetName, Check, Decision, LimiterBackend};
use crate::config::{Budget, RateLimitSettings};

/// How many idempotency-key markers one process keeps at most.
const MAX_MARKERS: u64 = 100_000;

pub struct LocalBackend {
    budgets: Vec<(BudgetName, Budget)>,
    /// Per budget (in `budgets`' order), each holder's theoretical arrival time: nanoseconds
    /// since `started`. A holder whose time has passed has its whole budget again.
    arrivals: Mutex<Vec<HashMap<String, u64>>>,
    markers: Cache<String, ()>,
    started: Instant,
}

impl LocalBackend {
    pub fn new(settings: &RateLimitSettings, seen_ttl: Duration) -> Self {
        let budgets: Vec<_> = BudgetName::ALL
            .into_iter()
            .map(|name| (name, budget_of(settings, name)))
            .collect();
        LocalBackend {
            arrivals: Mutex::new(vec![HashMap::new(); budgets.len()]),
            budgets,
            markers: Cache::builder()
                .max_capacity(MAX_MARKERS)
                .time_to_live(seen_ttl)
                .build(),
            started: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        nanos(self.started.elapsed())
    }

    /// Forgets holders whose budget is whole again, so the tables stay as large as the
    /// holders of the last window.
    pub fn retain_recent(&self) {
        let now = self.now();
        let mut arrivals = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        for table in arrivals.iter_mut() {
            table.retain(|_, arrival| *arrival > now);
            table.shrink_to_fit();
        }
    }

    /// Charges every check, or none when any has no room (GCRA: a holder's theoretical
    /// arrival time moves one interval per request and may run at most one window ahead).
    fn charge(&self, checks: &[Check]) -> Decision {
        let now = self.now();
        let mut arrivals = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        let mut decisions = Vec::with_capacity(checks.len());
        let mut charges = Vec::with_capacity(checks.len());
        for check in checks {
            let Some(index) = self
                .budgets
                .iter()
                .position(|(name, budget)| *name == check.name && *budget == check.budget)
            else {
                // A budget this backend was not built with (never, in practice): free.
                decisions.push(Decision::free(check));
                continue;
            };
            let budget = check.budget;
            let interval = nanos(budget.interval()).max(1);
            let window = nanos(budget.window);
            let arrival = arrivals[index]
                .get(check.holder.as_str())
                .copied()
                .unwrap_or(now)
                .max(now);
            let next = arrival.saturating_add(interval);
            let wait = next.saturating_sub(window).saturating_sub(now);
            if wait > 0 {
                decisions.push(Decision {
                    allowed: false,
                    name: check.name,
                    budget,
                    remaining: 0,
                    reset: Duration::from_nanos(arrival - now),
                    retry_after: Duration::from_nanos(wait),
                    free: false,
                    granted: 0,
                });
            } else {
                let ahead = next - now;
                decisions.push(Decision {
                    allowed: true,
                    name: check.name,
                    budget,
                    remaining: u32::try_from(window.saturating_sub(ahead) / interval)
                        .unwrap_or(u32::MAX),
                    reset: Duration::from_nanos(ahead),
                    retry_after: Duration::ZERO,
                    free: false,
                    granted: 1,
                });
                charges.push((index, check.holder.as_str(), next));
            }
        }
        let decision = Decision::combine(decisions).unwrap_or_else(Decision::nothing);
        if decision.allowed {
            for (index, holder, next) in charges {
                arrivals[index].insert(holder.to_owned(), next);
            }
        }
        decision
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
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

#[async_trait::async_trait]
impl LimiterBackend for LocalBackend {
    async fn check(
        &self,
        checks: &[Check],
        seen: Option<&str>,
        _seen_ttl: Duration,
    ) -> Result<Decision, BackendError> {
        if let Some(marker) = seen {
            let entry = self.markers.entry(marker.to_owned()).or_insert(()).await;
            if !entry.is_fresh() {
                return Ok(checks
                    .first()
                    .map_or_else(Decision::nothing, Decision::free));
            }
        }
        let decision = self.charge(checks);
        if !decision.allowed
            && let Some(marker) = seen
        {
            // Refused: a retry with this key must pay.
            self.markers.invalidate(marker).await;
        }
        Ok(decision)
    }

    async fn forget(&self, marker: &str) -> Result<(), BackendError> {
        self.markers.invalidate(marker).await;
        Ok(())
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
            cost: 1,
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
    async fn a_check_of_two_budgets_refused_by_one_charges_neither() {
        let settings = RateLimitSettings {
            apply_per_ip: "5/60s".parse().expect("a budget"),
            apply_per_posting: "1/60s".parse().expect("a budget"),
            ..RateLimitSettings::default()
        };
        let backend = LocalBackend::new(&settings, Duration::from_secs(60));
        let ip = Check {
            name: BudgetName::ApplyPerIp,
            budget: settings.apply_per_ip,
            holder: "ip:192.0.2.1".to_owned(),
            cost: 1,
        };
        let posting = |id: &str| Check {
            name: BudgetName::ApplyPerPosting,
            budget: settings.apply_per_posting,
            holder: format!("posting:{id}"),
            cost: 1,
        };
        let check = |checks: Vec<Check>| {
            let backend = &backend;
            async move {
                backend
                    .check(&checks, None, Duration::ZERO)
                    .await
                    .expect("local")
            }
        };
        let first = check(vec![ip.clone(), posting("a")]).await;
        assert!(first.allowed);
        assert_eq!(first.remaining, 0, "the tightest budget: the posting's");
        // The posting's budget refuses: the IP's must not be charged for it.
        for _ in 0..10 {
            let refused = check(vec![ip.clone(), posting("a")]).await;
            assert!(!refused.allowed);
            assert_eq!(refused.name, BudgetName::ApplyPerPosting);
        }
        let alone = check(vec![ip.clone()]).await;
        assert!(alone.allowed);
        assert_eq!(alone.remaining, 3, "5 - the one application - this check");
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
