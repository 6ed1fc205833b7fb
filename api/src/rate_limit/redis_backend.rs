//! Budgets shared by every replica: one Lua script does GCRA for every budget of a check
//! atomically in Redis, in one round trip (`EVALSHA`, loaded on first use by `redis::Script`).
//! Time is Redis's own (`TIME`), so replicas' clocks do not matter. Connections are made as
//! the response cache makes them (`cache::redis_backend`): one lazily connected
//! `ConnectionManager` per worker thread, every call bounded by the cache timeout.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::backend::{BackendError, Check, Decision, LimiterBackend};
use crate::per_thread::PerThread;

/// KEYS: one per budget, then the marker key when ARGV[1] is "1". ARGV[2]: the marker's
/// time to live (ms); then for each budget its interval and window (ms) and the units to
/// reserve at most. Each budget key holds its theoretical arrival time (ms, Redis time) and
/// expires when the budget is whole. A budget grants as many of its units as it has room for
/// (at least one, or it refuses); every budget grants or none is charged. Returns `{2}` when
/// the marker was already set (free), else `{allowed, then per budget: retry_ms, remaining,
/// reset_ms, granted}`.
const GCRA: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local budgets = #KEYS
local marked = ARGV[1] == '1'
if marked then
  budgets = budgets - 1
  if redis.call('EXISTS', KEYS[#KEYS]) == 1 then return {2} end
end
local result = {1}
local arrivals = {}
for i = 1, budgets do
  local interval = tonumber(ARGV[3 * i])
  local window = tonumber(ARGV[1 + 3 * i])
  local cost = tonumber(ARGV[2 + 3 * i])
  if interval <= 0 then interval = 0.000001 end
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  local room = math.floor((now + window - tat) / interval)
  if room < 1 then
    result[1] = 0
    arrivals[i] = tat
    result[#result + 1] = math.ceil(tat + interval - window - now)
    result[#result + 1] = 0
    result[#result + 1] = math.ceil(tat - now)
    result[#result + 1] = 0
  else
    local granted = math.min(cost, room)
    local next_tat = tat + granted * interval
    arrivals[i] = next_tat
    result[#result + 1] = 0
    result[#result + 1] = room - granted
    result[#result + 1] = math.ceil(next_tat - now)
    result[#result + 1] = granted
  end
end
if result[1] == 1 then
  for i = 1, budgets do
    redis.call('SET', KEYS[i], string.format('%.6f', arrivals[i]), 'PX', math.ceil(arrivals[i] - now) + 1)
  end
  if marked then redis.call('SET', KEYS[#KEYS], '1', 'PX', ARGV[2]) end
end
return result
";

pub struct RedisLimiter {
    client: redis::Client,
    config: ConnectionManagerConfig,
    connections: PerThread<ConnectionManager>,
    script: redis::Script,
    timeout: Duration,
    /// `jobgraph:<namespace>:rl:`.
    prefix: String,
}

impl RedisLimiter {
    /// Prepares (without connecting) a limiter on `url`, its keys under `namespace`.
    pub fn new(url: &str, namespace: &str, timeout: Duration) -> Result<Self, BackendError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let limiter = RedisLimiter {
            client,
            config,
            connections: PerThread::default(),
            script: redis::Script::new(GCRA),
            timeout,
            prefix: format!("jobgraph:{namespace}:rl:"),
        };
        limiter.connection()?;
        Ok(limiter)
    }

    fn connection(&self) -> Result<ConnectionManager, BackendError> {
        Ok(self.connections.get_or_try_make(|| {
            ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())
        })?)
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[async_trait::async_trait]
impl LimiterBackend for RedisLimiter {
    async fn check(
        &self,
        checks: &[Check],
        seen: Option<&str>,
        seen_ttl: Duration,
    ) -> Result<Decision, BackendError> {
        let mut invocation = self.script.prepare_invoke();
        for check in checks {
            invocation.key(format!(
                "{}{}:{}",
                self.prefix,
                check.name.as_str(),
                check.holder
            ));
        }
        if let Some(marker) = seen {
            invocation.key(format!("{}seen:{marker}", self.prefix));
        }
        invocation.arg(if seen.is_some() { "1" } else { "0" }).arg(
            u64::try_from(seen_ttl.as_millis())
                .unwrap_or(u64::MAX)
                .max(1),
        );
        for check in checks {
            invocation
                .arg(format!("{:.6}", millis(check.budget.interval())))
                .arg(format!("{:.3}", millis(check.budget.window)))
                .arg(check.cost.max(1));
        }
        let mut connection = self.connection()?;
        let call = invocation.invoke_async::<Vec<i64>>(&mut connection);
        let answer = match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(error)) if error.is_timeout() => return Err(BackendError::Timeout),
            Ok(Err(error)) => return Err(error.into()),
            Err(_) => return Err(BackendError::Timeout),
        };
        let Some((&allowed, per_budget)) = answer.split_first() else {
            return Err(BackendError::Timeout);
        };
        if allowed == 2 {
            return Ok(checks
                .first()
                .map_or_else(Decision::nothing, Decision::free));
        }
        let as_duration = |ms: i64| Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        let decisions = checks
            .iter()
            .zip(per_budget.chunks_exact(4))
            .map(|(check, values)| Decision {
                allowed: values[3] >= 1,
                name: check.name,
                budget: check.budget,
                remaining: u32::try_from(values[1]).unwrap_or(u32::MAX),
                reset: as_duration(values[2]),
                retry_after: as_duration(values[0]),
                free: false,
                granted: u32::try_from(values[3]).unwrap_or(0),
            })
            .collect();
        Ok(Decision::combine(decisions).unwrap_or_else(Decision::nothing))
    }

    async fn forget(&self, marker: &str) -> Result<(), BackendError> {
        let mut connection = self.connection()?;
        let key = format!("{}seen:{marker}", self.prefix);
        let mut command = redis::cmd("DEL");
        command.arg(key);
        let call = command.query_async::<i64>(&mut connection);
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(error.into()),
            Err(_) => Err(BackendError::Timeout),
        }
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}
