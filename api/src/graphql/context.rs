//! What resolvers read from their context.

use async_graphql::{Context, ContextBase};
use sea_orm::DatabaseConnection;

use crate::db::ReadPool;

use super::cursor::CursorCodec;
use super::loaders::Loaders;
use crate::auth::Principal;
use crate::config::Limits;
use crate::service::visibility::Visibility;

/// Shared by every request: built once, before the server starts.
pub struct Catalog {
    /// Writes and transactions.
    pub db: DatabaseConnection,
    /// Read-only statements.
    pub reads: ReadPool,
    pub cursors: CursorCodec,
    pub limits: Limits,
}

/// What one request sees: who is asking and that request's loaders.
pub struct RequestScope {
    /// The verified token, if the request carried one.
    pub principal: Option<Principal>,
    pub visibility: Visibility,
    pub loaders: Loaders,
}

impl RequestScope {
    pub fn new(reads: &ReadPool, principal: Option<Principal>) -> Self {
        let visibility = Visibility::of(principal.as_ref());
        RequestScope {
            loaders: Loaders::new(reads, &visibility),
            visibility,
            principal,
        }
    }

    /// Who is acting, for the service layer.
    pub fn actor(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }
}

/// Reads the shared catalog and this request's scope from a resolver's (or a selection's)
/// context.
pub fn scope<'a, T>(
    ctx: &ContextBase<'a, T>,
) -> async_graphql::Result<(&'a Catalog, &'a RequestScope)> {
    Ok((ctx.data::<Catalog>()?, ctx.data::<RequestScope>()?))
}

/// async-graphql 7.0 lets a resolver's error escape a nullable field and null its parent (up
/// to `data` itself at the root). Nullable fields pass their result through this instead: the
/// error is recorded with the field's path and only the field becomes null, as the GraphQL
/// spec says.
pub fn null_on_error<T>(ctx: &Context<'_>, result: async_graphql::Result<Option<T>>) -> Option<T> {
    match result {
        Ok(value) => value,
        Err(error) => {
            ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
            None
        }
    }
}
