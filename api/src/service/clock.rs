//! The service layer's clock: the one place that reads the time stamped on rows.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Now, to the microsecond: what both databases store exactly.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}
