//! The revenue outlook's likelihood to renew: fitting the renewal model on the closed renewals,
//! scoring renewals with it, and reading the fitted models with their backtests.
//!
//! Who may refit: ADMIN and CS_MANAGER (`Action::RefitOutlook`), the roles that own renewals
//! and health models; a refit only adds a version and changes no one's data, but it changes
//! every score the team reads, so it stays with the people who answer for those scores. Reads
//! (scores, models, backtests) need `ReadInsights`, as renewals and risks do.

use std::collections::HashMap;

use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::RenewalId;
use tandem_domain::outlook::features::Features;
use tandem_domain::outlook::{self, LikelihoodToRenew, OutlookModel, Training};
use tandem_persistence::Store;
use tandem_persistence::outlook::{self as store_outlook, Basis};

use super::Services;
use crate::error::ApiResult;
use crate::settings::OutlookSettings;

/// What a refit gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Refit {
    /// A new version, stored.
    Fitted(Box<OutlookModel>),
    /// Too few closed renewals: nothing was stored.
    NotEnoughHistory {
        /// Closed renewals so far.
        closed: usize,
        /// Closed renewals needed.
        needed: usize,
    },
}

/// Reads every closed renewal at its snapshot, fits the model with its backtest, and stores it
/// as the next version with `OUTLOOK_MODEL_FITTED`. Authorizes no one: the callers decide
/// (the API through [`refit`], `tandem outlook refit` and the schedule as operators, the demo
/// while seeding). Refuses, as a conflict, a history in which every renewal had one outcome.
#[tracing::instrument(skip(store, settings))]
pub async fn fit(store: &Store, actor: &str, settings: &OutlookSettings) -> ApiResult<Refit> {
    let closed = store_outlook::closed_renewals(store).await?;
    let model_settings = settings.model();
    match outlook::train(&closed, &model_settings)? {
        Training::NotEnoughHistory { closed, needed } => {
            Ok(Refit::NotEnoughHistory { closed, needed })
        }
        Training::Fitted(fitted) => {
            let saved =
                store_outlook::save_model(store, actor, closed.len(), *fitted, model_settings)
                    .await?;
            Ok(Refit::Fitted(Box::new(saved)))
        }
    }
}

/// Fits the model again on the vendor's closed renewals (ADMIN, CS_MANAGER).
#[tracing::instrument(skip_all, fields(subject = %who.subject))]
pub async fn refit(s: &Services, who: &Principal) -> ApiResult<Refit> {
    who.authorize(Action::RefitOutlook)?;
    let refit = fit(&s.store, &who.subject, &s.outlook).await?;
    Ok(s.committed(refit))
}

/// The latest model, or the one of `version`.
#[tracing::instrument(level = "debug", name = "service::outlook::model", skip_all)]
pub async fn model(
    s: &Services,
    who: &Principal,
    version: Option<i32>,
) -> ApiResult<Option<OutlookModel>> {
    who.authorize(Action::ReadInsights)?;
    Ok(match version {
        Some(v) => store_outlook::model_by_version(&s.store, v).await?,
        None => store_outlook::latest_model(&s.store).await?,
    })
}

/// Every model, the latest first.
#[tracing::instrument(level = "debug", name = "service::outlook::models", skip_all)]
pub async fn models(s: &Services, who: &Principal) -> ApiResult<Vec<OutlookModel>> {
    who.authorize(Action::ReadInsights)?;
    Ok(store_outlook::models(&s.store).await?)
}

/// One renewal's likelihood to renew from what the request's loaders read: the `basis` (closed
/// renewals and the latest model) and the renewal's `features` (`None` when the renewal is
/// unknown, which is then not found).
pub fn likelihood(
    s: &Services,
    who: &Principal,
    basis: &Basis,
    renewal: RenewalId,
    features: Option<&Features>,
) -> ApiResult<LikelihoodToRenew> {
    who.authorize(Action::ReadInsights)?;
    let features = features.ok_or_else(|| tandem_persistence::PersistenceError::NotFound {
        entity: "renewal",
        id: renewal.to_string(),
    })?;
    let model = basis.model.as_ref().map(|m| (&m.fitted.model, m.version));
    Ok(outlook::likelihood(
        basis.closed,
        model,
        features,
        &s.outlook.model(),
    )?)
}

/// The likelihood to renew of each of `renewals` (unknown ids are absent), scored against
/// `basis` (read once by the caller): their features in a bounded number of statements.
#[tracing::instrument(level = "debug", name = "service::outlook::likelihoods", skip_all)]
pub async fn likelihoods(
    s: &Services,
    who: &Principal,
    basis: &Basis,
    renewals: &[RenewalId],
) -> ApiResult<HashMap<RenewalId, LikelihoodToRenew>> {
    who.authorize(Action::ReadInsights)?;
    let features = store_outlook::features_of(&s.store, renewals).await?;
    features
        .iter()
        .map(|(id, f)| Ok((*id, likelihood(s, who, basis, *id, Some(f))?)))
        .collect()
}
