//! Catalog modeling: each account's draft model (one document; variants are generated, never
//! stored), its published versions, and modeling sessions.

use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;
use tandem_domain::DomainResult;
use tandem_domain::catalog::session::{CatalogSession, SessionData, SessionStatus};
use tandem_domain::catalog::{CatalogModel, Draft, PublishedVersion, generate, validate};
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{
    AccountId, CatalogSessionId, CatalogVersionId, ContactId, PhaseId, TeamMemberId,
};
use uuid::Uuid;

use crate::entity::{catalog_draft, catalog_session, catalog_version};
use crate::error::corrupt;
use crate::event::record;
use crate::{PersistenceError, PersistenceResult, Store, versioned};

fn model_of(json: Value) -> PersistenceResult<CatalogModel> {
    serde_json::from_value(json).map_err(|e| corrupt("catalog model", e))
}

/// The account's draft (an empty model at version 0 if nothing was saved yet).
pub async fn draft(store: &Store, account_id: AccountId) -> PersistenceResult<Draft> {
    load_draft(store.conn(), account_id).await
}

async fn load_draft<C: sea_orm::ConnectionTrait>(
    conn: &C,
    account_id: AccountId,
) -> PersistenceResult<Draft> {
    Ok(
        match catalog_draft::Entity::find_by_id(account_id.0)
            .one(conn)
            .await?
        {
            Some(row) => Draft {
                account_id,
                model: model_of(row.model)?,
                version: row.version,
                updated_at: Some(row.updated_at),
            },
            None => Draft {
                account_id,
                model: CatalogModel::default(),
                version: 0,
                updated_at: None,
            },
        },
    )
}

/// Changes the draft still at `version` with `change`, which returns a one-line summary of what
/// it did for the event; records `CATALOG_DRAFT_CHANGED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn change_draft(
    store: &Store,
    actor: &str,
    account_id: AccountId,
    version: i32,
    change: impl FnOnce(&mut CatalogModel) -> DomainResult<String>,
) -> PersistenceResult<Draft> {
    let tx = store.begin_write().await?;
    crate::account::ensure_exists(&tx, account_id)
        .await?
        .ensure_active()?;
    let current = load_draft(&tx, account_id).await?;
    versioned::check("catalog draft", version, current.version)?;
    let mut model = current.model.clone();
    let summary = change(&mut model)?;
    let now = Utc::now();
    let json = serde_json::to_value(&model).map_err(|e| corrupt("catalog model", e))?;
    if current.version == 0 {
        catalog_draft::Entity::insert(catalog_draft::ActiveModel {
            account_id: Set(account_id.0),
            model: Set(json),
            version: Set(1),
            updated_at: Set(now),
        })
        .exec_without_returning(&tx)
        .await?;
    } else {
        versioned::save::<catalog_draft::Entity>(
            &tx,
            catalog_draft::ActiveModel {
                account_id: NotSet,
                model: Set(json),
                version: Set(version + 1),
                updated_at: Set(now),
            },
            (
                catalog_draft::Column::AccountId,
                catalog_draft::Column::Version,
            ),
            account_id.0,
            version,
            "catalog draft",
        )
        .await?;
    }
    let changes = vec![FieldChange {
        field: "summary".into(),
        before: Value::Null,
        after: summary.into(),
    }];
    record(
        store,
        &tx,
        actor,
        account_id,
        SubjectKind::CatalogModel,
        account_id.0,
        EventKind::CatalogDraftChanged,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(Draft {
        account_id,
        model,
        version: version + 1,
        updated_at: Some(now),
    })
}

/// Publishes the draft still at `version` as the next numbered version, if it validates without
/// errors; records `CATALOG_MODEL_PUBLISHED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn publish(
    store: &Store,
    actor: &str,
    account_id: AccountId,
    version: i32,
) -> PersistenceResult<PublishedVersion> {
    let tx = store.begin_write().await?;
    let current = load_draft(&tx, account_id).await?;
    versioned::check("catalog draft", version, current.version)?;
    let issues = validate::validate_with(&current.model, &generate::variants(&current.model));
    let errors: Vec<_> = issues
        .iter()
        .filter(|i| i.severity == validate::Severity::Error)
        .collect();
    if let Some(first) = errors.first() {
        return Err(PersistenceError::Conflict(format!(
            "the model has {} validation error(s) and cannot be published; the first: {} at {}: {}",
            errors.len(),
            first.code,
            first.path,
            first.message
        )));
    }
    if current.version == 0 {
        return Err(PersistenceError::Conflict(
            "the model is empty: add product types, axes and products first".into(),
        ));
    }
    let latest = catalog_version::Entity::find()
        .filter(catalog_version::Column::AccountId.eq(account_id.0))
        .order_by_desc(catalog_version::Column::Number)
        .one(&tx)
        .await?
        .map_or(0, |v| v.number);
    let published = PublishedVersion {
        id: CatalogVersionId::new(),
        account_id,
        number: latest + 1,
        model: current.model,
        published_by: actor.to_owned(),
        published_at: Utc::now(),
    };
    catalog_version::Entity::insert(catalog_version::ActiveModel {
        id: Set(published.id.0),
        account_id: Set(account_id.0),
        number: Set(published.number),
        model: Set(serde_json::to_value(&published.model).map_err(|e| corrupt("catalog model", e))?),
        published_by: Set(published.published_by.clone()),
        published_at: Set(published.published_at),
    })
    .exec_without_returning(&tx)
    .await?;
    let changes = vec![FieldChange {
        field: "number".into(),
        before: latest.into(),
        after: published.number.into(),
    }];
    record(
        store,
        &tx,
        actor,
        account_id,
        SubjectKind::CatalogModel,
        account_id.0,
        EventKind::CatalogModelPublished,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(published)
}

/// The account's published versions, oldest first.
pub async fn versions(
    store: &Store,
    account_id: AccountId,
) -> PersistenceResult<Vec<PublishedVersion>> {
    catalog_version::Entity::find()
        .filter(catalog_version::Column::AccountId.eq(account_id.0))
        .order_by_asc(catalog_version::Column::Number)
        .all(store.conn())
        .await?
        .into_iter()
        .map(version_to_domain)
        .collect()
}

/// One published version by number.
pub async fn version(
    store: &Store,
    account_id: AccountId,
    number: i32,
) -> PersistenceResult<Option<PublishedVersion>> {
    catalog_version::Entity::find()
        .filter(catalog_version::Column::AccountId.eq(account_id.0))
        .filter(catalog_version::Column::Number.eq(number))
        .one(store.conn())
        .await?
        .map(version_to_domain)
        .transpose()
}

fn version_to_domain(m: catalog_version::Model) -> PersistenceResult<PublishedVersion> {
    Ok(PublishedVersion {
        id: CatalogVersionId(m.id),
        account_id: AccountId(m.account_id),
        number: m.number,
        model: model_of(m.model)?,
        published_by: m.published_by,
        published_at: m.published_at,
    })
}

/// The account's sessions, by time.
pub async fn sessions(
    store: &Store,
    account_id: AccountId,
) -> PersistenceResult<Vec<CatalogSession>> {
    catalog_session::Entity::find()
        .filter(catalog_session::Column::AccountId.eq(account_id.0))
        .order_by_asc(catalog_session::Column::ScheduledAt)
        .all(store.conn())
        .await?
        .into_iter()
        .map(session_to_domain)
        .collect()
}

/// Schedules a session on an active account; records `CATALOG_SESSION_CREATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn schedule(
    store: &Store,
    actor: &str,
    account_id: AccountId,
    data: SessionData,
) -> PersistenceResult<CatalogSession> {
    let tx = store.begin_write().await?;
    crate::account::ensure_exists(&tx, account_id)
        .await?
        .ensure_active()?;
    if let Some(f) = data.facilitator_id {
        crate::team_member::ensure_active(&tx, f, "facilitatorId").await?;
    }
    if let Some(phase) = data.phase_id {
        let row = crate::entity::phase::Entity::find_by_id(phase.0)
            .one(&tx)
            .await?;
        let engagement = match row {
            Some(r) => Some(
                crate::engagement::load(&tx, tandem_domain::ids::EngagementId(r.engagement_id))
                    .await?,
            ),
            None => None,
        };
        if engagement.is_none_or(|e| e.account_id != account_id) {
            return Err(tandem_domain::DomainError::invalid(
                "phaseId",
                "is not a phase of this account's engagements",
            )
            .into());
        }
    }
    let now = Utc::now();
    let s = CatalogSession {
        id: CatalogSessionId::new(),
        account_id,
        data,
        status: SessionStatus::Scheduled,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut row = session_model(&s);
    row.id = Set(s.id.0);
    row.account_id = Set(account_id.0);
    row.created_at = Set(now);
    catalog_session::Entity::insert(row)
        .exec_without_returning(&tx)
        .await?;
    record(
        store,
        &tx,
        actor,
        account_id,
        SubjectKind::CatalogSession,
        s.id.0,
        EventKind::CatalogSessionCreated,
        event::created(&s.data),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Changes a session still at `version`: new fields and, optionally, a new status.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_session(
    store: &Store,
    actor: &str,
    id: CatalogSessionId,
    version: i32,
    change: impl FnOnce(&CatalogSession) -> DomainResult<SessionData>,
    status: Option<SessionStatus>,
) -> PersistenceResult<CatalogSession> {
    let tx = store.begin_write().await?;
    let current = catalog_session::Entity::find_by_id(id.0)
        .one(&tx)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "catalog session",
            id: id.to_string(),
        })
        .and_then(session_to_domain)?;
    versioned::check("catalog session", version, current.version)?;
    let data = change(&current)?;
    let mut changes = event::diff(&current.data, &data);
    if let Some(next) = status.filter(|s| *s != current.status) {
        current.check_transition(next)?;
        changes.push(FieldChange::new(
            "status",
            current.status.as_str(),
            next.as_str(),
        ));
    }
    if changes.is_empty() {
        return Ok(current);
    }
    let updated = CatalogSession {
        data,
        status: status.unwrap_or(current.status),
        version: version + 1,
        updated_at: Utc::now(),
        ..current
    };
    versioned::save::<catalog_session::Entity>(
        &tx,
        session_model(&updated),
        (
            catalog_session::Column::Id,
            catalog_session::Column::Version,
        ),
        id.0,
        version,
        "catalog session",
    )
    .await?;
    record(
        store,
        &tx,
        actor,
        updated.account_id,
        SubjectKind::CatalogSession,
        id.0,
        EventKind::CatalogSessionUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

fn session_model(s: &CatalogSession) -> catalog_session::ActiveModel {
    let d = &s.data;
    catalog_session::ActiveModel {
        id: NotSet,
        account_id: NotSet,
        title: Set(d.title.clone()),
        phase_id: Set(d.phase_id.map(|p| p.0)),
        facilitator_id: Set(d.facilitator_id.map(|f| f.0)),
        scheduled_at: Set(d.scheduled_at),
        attendees: Set(serde_json::to_value(&d.attendees).unwrap_or(Value::Array(vec![]))),
        notes: Set(d.notes.clone()),
        decisions: Set(serde_json::to_value(&d.decisions).unwrap_or(Value::Array(vec![]))),
        status: Set(s.status.as_str().to_owned()),
        version: Set(s.version),
        created_at: NotSet,
        updated_at: Set(s.updated_at),
    }
}

fn session_to_domain(m: catalog_session::Model) -> PersistenceResult<CatalogSession> {
    let attendees: Vec<Uuid> =
        serde_json::from_value(m.attendees).map_err(|e| corrupt("attendees", e))?;
    Ok(CatalogSession {
        id: CatalogSessionId(m.id),
        account_id: AccountId(m.account_id),
        data: SessionData {
            title: m.title,
            phase_id: m.phase_id.map(PhaseId),
            facilitator_id: m.facilitator_id.map(TeamMemberId),
            scheduled_at: m.scheduled_at,
            attendees: attendees.into_iter().map(ContactId).collect(),
            notes: m.notes,
            decisions: serde_json::from_value(m.decisions).map_err(|e| corrupt("decisions", e))?,
        },
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("session status", e))?,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}
