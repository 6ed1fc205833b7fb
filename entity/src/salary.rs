//! A posting's salary range, as the posting's `salary_*` columns hold it.

use serde::{Deserialize, Serialize};

use crate::enums::SalaryUnit;

/// A salary range: bounds in hundredths of `currency` (either may be missing), an ISO 4217
/// currency, and the period it is paid for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalaryRange {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub currency: String,
    pub unit: SalaryUnit,
}

impl SalaryRange {
    /// The range a posting's columns hold, if it states one.
    pub fn of(
        min: Option<i64>,
        max: Option<i64>,
        currency: Option<&str>,
        unit: Option<SalaryUnit>,
    ) -> Option<SalaryRange> {
        Some(SalaryRange {
            min,
            max,
            currency: currency?.to_owned(),
            unit: unit?,
        })
    }
}
