//! What one replica holds of budgets kept in Redis, so that most requests need no round trip
//! to it: a check far from its limit reserves several units at once (up to an eighth of what
//! the budget has left, at most [`MAX_CHUNK`]), and the replica spends them one request at a
//! time; a refusal is remembered until its `Retry-After`. Units are charged in Redis before
//! they are spent, so replicas together never admit more than a budget allows; a replica's
//! unspent units lapse after [`HELD_FOR`], and close to a limit every check goes to Redis.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::backend::{BudgetName, Check, Decision};

/// Most units one check reserves.
pub const MAX_CHUNK: u32 = 64;

/// How long reserved units may be spent.
const HELD_FOR: Duration = Duration::from_secs(1);

/// One holder's units of one budget, as this replica holds them.
struct Held {
    /// Reserved in Redis, not yet spent.
    units: u32,
    /// What Redis said the budget had left after the last reservation.
    shared_remaining: u32,
    /// When the budget was to be whole again, as of the last reservation (ms since start).
    reset_at: u64,
    /// Until when `units` may be spent (ms since start).
    spend_until: u64,
    /// Until when the budget refuses (ms since start), after Redis refused it.
    refused_until: u64,
    /// The decision that refused it, for its headers.
    refusal: Option<Decision>,
}

pub struct Allowances {
    /// Per budget (in `BudgetName::ALL`'s order), by holder.
    tables: Mutex<Vec<HashMap<String, Held>>>,
}

fn index_of(name: BudgetName) -> usize {
    BudgetName::ALL
        .iter()
        .position(|candidate| *candidate == name)
        .unwrap_or(0)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Allowances {
    pub fn new() -> Self {
        Allowances {
            tables: Mutex::new(BudgetName::ALL.map(|_| HashMap::new()).into()),
        }
    }

    fn with_table<T>(
        &self,
        name: BudgetName,
        work: impl FnOnce(&mut HashMap<String, Held>) -> T,
    ) -> T {
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        work(&mut tables[index_of(name)])
    }

    /// The decision for `check` from what this replica holds, if it can decide alone: a
    /// unit spent, or the refusal it remembers.
    pub fn spend(&self, check: &Check, now: u64) -> Option<Decision> {
        self.with_table(check.name, |table| {
            let held = table.get_mut(check.holder.as_str())?;
            if held.refused_until > now {
                let mut refusal = held.refusal.clone()?;
                refusal.retry_after = Duration::from_millis(held.refused_until - now);
                return Some(refusal);
            }
            if held.units == 0 || held.spend_until <= now {
                return None;
            }
            held.units -= 1;
            Some(Decision {
                allowed: true,
                name: check.name,
                budget: check.budget,
                remaining: held.shared_remaining.saturating_add(held.units),
                reset: Duration::from_millis(held.reset_at.saturating_sub(now)),
                retry_after: Duration::ZERO,
                free: false,
                granted: 1,
            })
        })
    }

    /// How many units a check of `check` should reserve: an eighth of what the budget had
    /// left when last seen, 1 to [`MAX_CHUNK`] (1 when never seen).
    pub fn chunk(&self, check: &Check) -> u32 {
        self.with_table(check.name, |table| {
            table
                .get(check.holder.as_str())
                .map_or(1, |held| (held.shared_remaining / 8).clamp(1, MAX_CHUNK))
        })
    }

    /// Records what Redis decided for a reservation of `check`, and returns the decision
    /// for the request that made it (which spends one of the units granted).
    pub fn record(&self, check: &Check, decision: Decision, now: u64) -> Decision {
        self.with_table(check.name, |table| {
            let held = table.entry(check.holder.clone()).or_insert(Held {
                units: 0,
                shared_remaining: 0,
                reset_at: now,
                spend_until: now,
                refused_until: 0,
                refusal: None,
            });
            if !decision.allowed {
                held.units = 0;
                held.refused_until = now.saturating_add(millis(decision.retry_after).max(1));
                held.refusal = Some(decision.clone());
                return decision;
            }
            let kept = decision.granted.saturating_sub(1);
            if held.spend_until <= now {
                held.units = 0;
            }
            held.units = held.units.saturating_add(kept);
            held.shared_remaining = decision.remaining;
            held.reset_at = now.saturating_add(millis(decision.reset));
            held.spend_until = now.saturating_add(millis(HELD_FOR));
            held.refused_until = 0;
            held.refusal = None;
            Decision {
                remaining: decision.remaining.saturating_add(held.units),
                granted: 1,
                ..decision
            }
        })
    }

    /// Forgets holders with nothing left to spend and no refusal to remember.
    pub fn retain_recent(&self, now: u64) {
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        for table in tables.iter_mut() {
            table.retain(|_, held| held.spend_until > now || held.refused_until > now);
            table.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Budget;

    fn check() -> Check {
        Check {
            name: BudgetName::Anonymous,
            budget: Budget {
                quota: 1000,
                window: Duration::from_secs(10),
            },
            holder: "ip:192.0.2.1".to_owned(),
            cost: 1,
        }
    }

    fn granted(units: u32, remaining: u32) -> Decision {
        Decision {
            allowed: true,
            name: BudgetName::Anonymous,
            budget: check().budget,
            remaining,
            reset: Duration::from_secs(1),
            retry_after: Duration::ZERO,
            free: false,
            granted: units,
        }
    }

    #[test]
    fn reserved_units_are_spent_one_by_one_then_lapse() {
        let allowances = Allowances::new();
        let check = check();
        assert_eq!(allowances.chunk(&check), 1, "never seen: one unit");
        assert!(allowances.spend(&check, 0).is_none());
        let first = allowances.record(&check, granted(1, 800), 0);
        assert_eq!(first.remaining, 800);
        assert_eq!(allowances.chunk(&check), 64, "far from the limit: the most");
        let second = allowances.record(&check, granted(3, 700), 10);
        assert_eq!(second.remaining, 702, "700 in Redis and 2 held here");
        assert_eq!(allowances.spend(&check, 20).map(|d| d.remaining), Some(701));
        assert_eq!(allowances.spend(&check, 30).map(|d| d.remaining), Some(700));
        assert!(allowances.spend(&check, 40).is_none(), "all spent");
        allowances.record(&check, granted(5, 600), 50);
        assert!(
            allowances.spend(&check, 50 + 1001).is_none(),
            "units held too long lapse"
        );
        allowances.record(&check, granted(2, 15), 2000);
        assert_eq!(
            allowances.chunk(&check),
            1,
            "close to the limit: one at a time"
        );
    }

    #[test]
    fn a_refusal_is_remembered_until_its_retry_after() {
        let allowances = Allowances::new();
        let check = check();
        let refused = Decision {
            allowed: false,
            remaining: 0,
            retry_after: Duration::from_millis(500),
            granted: 0,
            ..granted(0, 0)
        };
        allowances.record(&check, refused, 100);
        let again = allowances.spend(&check, 300).expect("remembered");
        assert!(!again.allowed);
        assert_eq!(again.retry_after, Duration::from_millis(300));
        assert!(
            allowances.spend(&check, 600).is_none(),
            "Redis decides again"
        );
        allowances.retain_recent(600);
        assert_eq!(allowances.chunk(&check), 1, "forgotten");
    }
}
