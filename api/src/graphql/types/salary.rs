//! A posting's salary range: what clients read, set, and filter by.

use async_graphql::{InputObject, Object};
use entity::salary::SalaryRange;

use super::enums::SalaryUnit;
use crate::error::ServiceError;
use crate::service::validate;

/// A posting's salary range.
pub struct Salary(pub SalaryRange);

/// What a job pays: a range in one currency for one period. Either bound may be missing
/// ("from 45,000 SEK a month").
#[Object]
impl Salary {
    /// The lower bound, in units of `currency` (such as 45000.0).
    async fn min(&self) -> Option<f64> {
        self.0.min.map(from_hundredths)
    }

    /// The upper bound, in units of `currency`.
    async fn max(&self) -> Option<f64> {
        self.0.max.map(from_hundredths)
    }

    /// ISO 4217 currency code, such as `SEK`.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// The period the amounts are paid for.
    async fn unit(&self) -> SalaryUnit {
        self.0.unit.into()
    }
}

fn from_hundredths(amount: i64) -> f64 {
    amount as f64 / 100.0
}

/// An amount in hundredths, or why it cannot be one.
fn hundredths(field: &str, amount: f64) -> Result<i64, ServiceError> {
    if !amount.is_finite() || !(0.0..=100_000_000_000.0).contains(&amount) {
        return Err(ServiceError::invalid(
            field,
            "must be between 0 and 100,000,000,000",
        ));
    }
    Ok((amount * 100.0).round() as i64)
}

/// A salary range to set; at least one of `min` and `max`.
#[derive(InputObject, Clone, Debug)]
pub struct SalaryInput {
    /// The lower bound, in units of `currency`; at most two decimals are kept.
    pub min: Option<f64>,
    /// The upper bound, not below `min`.
    pub max: Option<f64>,
    /// ISO 4217 currency code, such as `SEK`.
    pub currency: String,
    /// The period the amounts are paid for.
    pub unit: SalaryUnit,
}

impl SalaryInput {
    pub fn into_range(self, field: &str) -> Result<SalaryRange, ServiceError> {
        Ok(SalaryRange {
            min: self
                .min
                .map(|amount| hundredths(&format!("{field}.min"), amount))
                .transpose()?,
            max: self
                .max
                .map(|amount| hundredths(&format!("{field}.max"), amount))
                .transpose()?,
            currency: self.currency,
            unit: self.unit.into(),
        })
    }
}

/// Postings paying at least `amount` in `currency` per `unit`: their range's upper bound (or,
/// without one, its lower bound) reaches it. Postings in another currency or unit do not
/// match: amounts are never converted.
#[derive(InputObject, Clone, Debug)]
pub struct SalaryAtLeastInput {
    /// The least amount, in units of `currency`.
    pub amount: f64,
    /// ISO 4217 currency code, such as `SEK`.
    pub currency: String,
    /// The period `amount` is paid for.
    pub unit: SalaryUnit,
}

impl SalaryAtLeastInput {
    pub fn into_floor(self) -> Result<(i64, String, entity::enums::SalaryUnit), ServiceError> {
        Ok((
            hundredths("filter.salaryAtLeast.amount", self.amount)?,
            validate::currency("filter.salaryAtLeast.currency", &self.currency)?,
            self.unit.into(),
        ))
    }
}
