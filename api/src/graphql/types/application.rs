use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::application;

use super::enums::ApplicationStatus;
use super::posting::Posting;
use crate::graphql::context::{null_on_error, scope};
use crate::graphql::global_id::{self, NodeKind};

/// A candidate's application to a posting. Only the posting's company sees it (with a token
/// holding `applications:read`); its personal data is null once erased.
pub struct Application(pub application::Model);

impl Application {
    fn personal(&self, value: &str) -> Option<String> {
        (self.0.erased_at.is_none()).then(|| value.to_owned())
    }
}

/// A candidate's application to a posting. Only the posting's company sees it, with a token
/// holding `applications:read`; the candidate's personal data is null once erased.
#[Object]
impl Application {
    /// The application's global id, for `node(id:)` and `application(id:)`.
    pub async fn id(&self) -> ID {
        global_id::encode(NodeKind::Application, self.0.id)
    }

    /// The candidate's name; null once erased.
    async fn name(&self) -> Option<String> {
        self.personal(&self.0.candidate_name)
    }

    /// The candidate's e-mail address; null once erased.
    async fn email(&self) -> Option<String> {
        self.personal(&self.0.email)
    }

    /// The candidate's phone number, if given; null once erased.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Where the candidate's résumé is, if given; null once erased.
    async fn resume_url(&self) -> Option<&str> {
        self.0.resume_url.as_deref()
    }

    /// The candidate's cover letter, if given; null once erased.
    async fn cover_letter(&self) -> Option<&str> {
        self.0.cover_letter.as_deref()
    }

    /// Where the application is in the hiring process.
    async fn status(&self) -> ApplicationStatus {
        self.0.status.into()
    }

    /// When the personal data was erased on a data-protection request, if it was.
    async fn erased_at(&self) -> Option<DateTime<Utc>> {
        self.0.erased_at
    }

    /// When the candidate applied.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the application last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The posting applied to, if the reader may see it.
    async fn posting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Posting>> {
        let result = async {
            let (_, scope) = scope(ctx)?;
            Ok(scope
                .loaders
                .postings
                .load_one(self.0.posting_id)
                .await?
                .map(Posting))
        }
        .await;
        Ok(null_on_error(ctx, result))
    }
}
