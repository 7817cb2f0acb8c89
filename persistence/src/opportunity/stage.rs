//! The stages of the opportunity pipeline: configurable, ordered, each with a default
//! probability.

use sea_orm::{ConnectionTrait, QueryResult};
use tandem_domain::DomainError;
use tandem_domain::event::{self, EventKind, NewEvent, SubjectKind};
use tandem_domain::ids::OpportunityStageId;
use tandem_domain::opportunity::Stage;

use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store, versioned};

pub(super) const STAGE_COLUMNS: &str = "id, name, position, default_probability, version";

pub(super) fn stage(r: &QueryResult) -> PersistenceResult<Stage> {
    Ok(Stage {
        id: OpportunityStageId(get(r, "id")?),
        name: get(r, "name")?,
        position: get(r, "position")?,
        default_probability: get(r, "default_probability")?,
        version: get(r, "version")?,
    })
}

/// Every stage, in pipeline order.
pub async fn stages(store: &Store) -> PersistenceResult<Vec<Stage>> {
    let q = Sql::new(&format!(
        "SELECT {STAGE_COLUMNS} FROM opportunity_stages ORDER BY position, name"
    ));
    q.all(store.conn()).await?.iter().map(stage).collect()
}

async fn one_stage(
    conn: &impl ConnectionTrait,
    id: OpportunityStageId,
) -> PersistenceResult<Option<Stage>> {
    let mut q = Sql::new(&format!(
        "SELECT {STAGE_COLUMNS} FROM opportunity_stages WHERE id = "
    ));
    q.bind(id.0);
    q.all(conn).await?.first().map(stage).transpose()
}

/// The stage `id`, refused as input `field` when there is none.
pub(super) async fn stage_named_by(
    conn: &impl ConnectionTrait,
    id: OpportunityStageId,
    field: &str,
) -> PersistenceResult<Stage> {
    one_stage(conn, id).await?.ok_or_else(|| {
        DomainError::invalid(
            field,
            "names no stage of the pipeline; `opportunityStages` lists them",
        )
        .into()
    })
}

/// Adds a stage (`read` is `None`) or changes the stage `stage.id` still at version `read`;
/// `OPPORTUNITY_STAGE_CONFIGURED`, an event of no account.
pub async fn set_stage(
    store: &Store,
    actor: &str,
    read: Option<i32>,
    stage: Stage,
) -> PersistenceResult<Stage> {
    let tx = store.begin_write().await?;
    let (saved, changes) = match read {
        None => {
            let mut q = Sql::new(&format!(
                "INSERT INTO opportunity_stages ({STAGE_COLUMNS}) VALUES ("
            ));
            q.bind(stage.id.0)
                .push(", ")
                .bind(stage.name.as_str())
                .push(", ")
                .bind(stage.position)
                .push(", ")
                .bind(stage.default_probability)
                .push(", 1)");
            q.execute(&tx).await?;
            let saved = Stage {
                version: 1,
                ..stage
            };
            let changes = event::created(&saved);
            (saved, changes)
        }
        Some(read) => {
            let current = versioned::read(
                one_stage(&tx, stage.id).await?,
                "opportunity stage",
                stage.id,
                read,
                |s| s.version,
            )?;
            let saved = Stage {
                version: read + 1,
                ..stage
            };
            let changes = event::diff(&current, &saved);
            if changes.is_empty() {
                return Ok(current);
            }
            let mut q = Sql::new("UPDATE opportunity_stages SET name = ");
            q.bind(saved.name.as_str())
                .push(", position = ")
                .bind(saved.position)
                .push(", default_probability = ")
                .bind(saved.default_probability)
                .push(", version = ")
                .bind(saved.version)
                .push(" WHERE id = ")
                .bind(saved.id.0);
            versioned::save_sql(&tx, q, read, "opportunity stage").await?;
            (saved, changes)
        }
    };
    crate::event::append(
        store,
        &tx,
        NewEvent {
            account_id: None,
            subject_kind: SubjectKind::OpportunityStage,
            subject_id: saved.id.0,
            kind: EventKind::OpportunityStageConfigured,
            actor: actor.to_owned(),
            changes,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}
