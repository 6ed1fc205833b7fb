//! Parsed GraphQL documents, kept by their text: clients send the same few documents over and
//! over, and parsing one costs more than executing a small query. Holds only what any client
//! could send again, so each process keeps its own.

use std::sync::Arc;

use async_graphql::ServerError;
use async_graphql::parser::parse_query;
use async_graphql::parser::types::ExecutableDocument;
use moka::future::Cache;

use super::document_limits::{self, DocumentLimits, Refusal};

/// How many bytes of document text the cache holds at most.
const CAPACITY_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct DocumentCache {
    parsed: Cache<Arc<str>, Arc<ExecutableDocument>>,
    limits: DocumentLimits,
}

impl DocumentCache {
    /// A cache whose documents are checked against `limits` before they are parsed.
    pub fn new(limits: DocumentLimits) -> Self {
        let parsed = Cache::builder()
            .max_capacity(CAPACITY_BYTES)
            .weigher(|text: &Arc<str>, _: &Arc<ExecutableDocument>| {
                // The parsed tree is several times the size of its text.
                u32::try_from(text.len().saturating_mul(8)).unwrap_or(u32::MAX)
            })
            .build();
        DocumentCache { parsed, limits }
    }
}

impl DocumentCache {
    /// Refuses a document over the byte limit before anything reads it whole: looking it up
    /// here, in the pushdown's plans or in the response cache hashes all of it, which for a
    /// hostile 100 KB document cost more than the rest of its refusal.
    pub fn check_size(&self, text: &str) -> Result<(), ServerError> {
        document_limits::check_size(&self.limits, text).map_err(Refusal::into_server_error)
    }

    /// `text` parsed, from the cache when it was parsed before. A document is checked against
    /// the limits before it is first parsed (a refusal carries `GRAPHQL_VALIDATION_FAILED`);
    /// documents refused or that do not parse are not kept.
    pub async fn parse(&self, text: &str) -> Result<Arc<ExecutableDocument>, Unparsed> {
        self.check_size(text).map_err(Unparsed::OverLimits)?;
        if let Some(document) = self.parsed.get(text).await {
            return Ok(document);
        }
        document_limits::check(&self.limits, text)
            .map_err(|refusal| Unparsed::OverLimits(refusal.into_server_error()))?;
        let document = Arc::new(parse_query(text).map_err(|error| Unparsed::Syntax(error.into()))?);
        self.parsed.insert(Arc::from(text), document.clone()).await;
        Ok(document)
    }
}

/// Why a document was not parsed.
#[derive(Debug)]
pub enum Unparsed {
    /// It breaks a document limit: refused unread, `GRAPHQL_VALIDATION_FAILED` with
    /// `extensions.limit`.
    OverLimits(ServerError),
    /// It is not a GraphQL document.
    Syntax(ServerError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_document_is_parsed_once_and_errors_are_not_kept() {
        let cache = DocumentCache::new(DocumentLimits::default());
        let first = cache
            .parse("{ postings { nodes { id } } }")
            .await
            .expect("parses");
        let second = cache
            .parse("{ postings { nodes { id } } }")
            .await
            .expect("parses");
        assert!(Arc::ptr_eq(&first, &second));
        assert!(cache.parse("{ postings {").await.is_err());
        assert!(cache.parse(&"{ a ".repeat(20)).await.is_err());
        cache.parsed.run_pending_tasks().await;
        assert_eq!(cache.parsed.entry_count(), 1);
    }
}
