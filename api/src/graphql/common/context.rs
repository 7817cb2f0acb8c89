//! A resolver's request: the services and the caller, the request's DataLoaders, and the guard
//! that hides a field from roles that may not see it.

use async_graphql::{Context, Guard};
use tandem_domain::auth::{Action, Principal};

use crate::error::{ApiError, ApiResult, Code};
use crate::graphql::loaders::Loaders;
use crate::service::Services;

/// The services and the caller of a resolver's request.
pub(crate) fn parts<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Services, &'a Principal)> {
    let principal = ctx
        .data::<Principal>()
        .map_err(|_| ApiError::new(Code::Unauthenticated, "this API needs a bearer token"))?;
    let services = ctx
        .data::<Services>()
        .map_err(|_| ApiError::new(Code::Internal, "the server is not fully started"))?;
    Ok((services, principal))
}

/// The loaders of a resolver's request.
pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ctx.data::<Loaders>()
        .map_err(|_| ApiError::new(Code::Internal, "the request has no data loaders"))
}

/// Hides a field from roles that may not take `action` (money fields from PRODUCT and VIEWER):
/// the field resolves to `null` with a FORBIDDEN error at its path.
pub(crate) struct Allowed(pub Action);

impl Guard for Allowed {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let (_, who) = parts(ctx)?;
        who.authorize(self.0).map_err(|e| ApiError::from(e).into())
    }
}
