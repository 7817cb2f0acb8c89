//! Team members: the vendor's people, who own accounts and sign in.

use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use tandem_domain::event::{self, EventKind, NewEvent, SubjectKind};
use tandem_domain::hours::Hours;
use tandem_domain::ids::TeamMemberId;
use tandem_domain::team_member::{Team, TeamMember, TeamMemberData};
use tandem_domain::{DomainError, DomainResult};

use crate::entity::{account, team_member};
use crate::error::corrupt;
use crate::{PersistenceError, PersistenceResult, Store, versioned};

/// The team members with these ids that exist, archived or not.
pub async fn by_ids(store: &Store, ids: &[TeamMemberId]) -> PersistenceResult<Vec<TeamMember>> {
    let rows = crate::page::rows_in(
        store.conn(),
        team_member::Entity::find(),
        team_member::Column::Id,
        ids,
    )
    .await?;
    rows.into_iter().map(to_domain).collect()
}

/// One team member by id.
pub async fn get(store: &Store, id: TeamMemberId) -> PersistenceResult<Option<TeamMember>> {
    Ok(by_ids(store, &[id]).await?.pop())
}

/// The team, by name; only active members unless `include_archived`, only `team` if given.
pub async fn list(
    store: &Store,
    team: Option<Team>,
    include_archived: bool,
) -> PersistenceResult<Vec<TeamMember>> {
    let mut select = team_member::Entity::find()
        .order_by_asc(team_member::Column::Name)
        .order_by_asc(team_member::Column::Id);
    if let Some(team) = team {
        select = select.filter(team_member::Column::Team.eq(team.as_str()));
    }
    if !include_archived {
        select = select.filter(team_member::Column::ArchivedAt.is_null());
    }
    select
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_domain)
        .collect()
}

/// Adds a team member and records `TEAM_MEMBER_CREATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    store: &Store,
    actor: &str,
    data: TeamMemberData,
) -> PersistenceResult<TeamMember> {
    let tx = store.begin_write().await?;
    ensure_email_free(&tx, &data.email, None).await?;
    let now = Utc::now();
    let member = TeamMember {
        id: TeamMemberId::new(),
        data,
        version: 1,
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let mut row = active_model(&member);
    row.id = Set(member.id.0);
    row.created_at = Set(now);
    team_member::Entity::insert(row)
        .exec_without_returning(&tx)
        .await?;
    let changes = event::created(&member.data);
    record(
        store,
        &tx,
        actor,
        &member,
        EventKind::TeamMemberCreated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(member)
}

/// Applies `change` if the member is still at `version`; records `TEAM_MEMBER_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    store: &Store,
    actor: &str,
    id: TeamMemberId,
    version: i32,
    change: impl FnOnce(&TeamMember) -> DomainResult<TeamMemberData>,
) -> PersistenceResult<TeamMember> {
    let tx = store.begin_write().await?;
    let current = load_for_write(&tx, id, version).await?;
    let data = change(&current)?;
    if data.email != current.data.email {
        ensure_email_free(&tx, &data.email, Some(id)).await?;
    }
    let changes = event::diff(&current.data, &data);
    if changes.is_empty() {
        return Ok(current);
    }
    let updated = TeamMember {
        data,
        version: version + 1,
        updated_at: Utc::now(),
        ..current
    };
    save(&tx, &updated, version).await?;
    record(
        store,
        &tx,
        actor,
        &updated,
        EventKind::TeamMemberUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Archives the member if still at `version`. Refused while they own active accounts, so that
/// no account is left with an owner who cannot act on it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn archive(
    store: &Store,
    actor: &str,
    id: TeamMemberId,
    version: i32,
) -> PersistenceResult<TeamMember> {
    let tx = store.begin_write().await?;
    let current = load_for_write(&tx, id, version).await?;
    if current.archived_at.is_some() {
        return Err(DomainError::Conflict(format!(
            "team member '{}' is already archived",
            current.data.name
        ))
        .into());
    }
    let owned = account::Entity::find()
        .filter(account::Column::OwnerId.eq(id.0))
        .filter(account::Column::ArchivedAt.is_null())
        .count(&tx)
        .await?;
    if owned > 0 {
        return Err(PersistenceError::Conflict(format!(
            "team member '{}' owns {owned} active account(s); give them another owner first",
            current.data.name
        )));
    }
    let now = Utc::now();
    let archived = TeamMember {
        version: version + 1,
        updated_at: now,
        archived_at: Some(now),
        ..current
    };
    save(&tx, &archived, version).await?;
    let changes = event::archived(now);
    record(
        store,
        &tx,
        actor,
        &archived,
        EventKind::TeamMemberArchived,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(archived)
}

/// Refuses a reference (`field`) to a team member who does not exist or is archived.
pub(crate) async fn ensure_active(
    tx: &DatabaseTransaction,
    id: TeamMemberId,
    field: &str,
) -> PersistenceResult<()> {
    let active = team_member::Entity::find_by_id(id.0)
        .filter(team_member::Column::ArchivedAt.is_null())
        .count(tx)
        .await?;
    if active == 0 {
        return Err(DomainError::invalid(field, "no active team member has this id").into());
    }
    Ok(())
}

async fn ensure_email_free(
    tx: &DatabaseTransaction,
    email: &str,
    except: Option<TeamMemberId>,
) -> PersistenceResult<()> {
    let mut select = team_member::Entity::find()
        .filter(team_member::Column::Email.eq(email))
        .filter(team_member::Column::ArchivedAt.is_null());
    if let Some(id) = except {
        select = select.filter(team_member::Column::Id.ne(id.0));
    }
    if select.count(tx).await? > 0 {
        return Err(PersistenceError::Conflict(format!(
            "a team member with the e-mail address {email} already exists"
        )));
    }
    Ok(())
}

async fn record(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    member: &TeamMember,
    kind: EventKind,
    changes: Vec<event::FieldChange>,
) -> PersistenceResult<i64> {
    crate::event::append(
        store,
        tx,
        NewEvent {
            account_id: None,
            subject_kind: SubjectKind::TeamMember,
            subject_id: member.id.0,
            kind,
            actor: actor.to_owned(),
            changes,
        },
    )
    .await
}

async fn load_for_write<C: ConnectionTrait>(
    conn: &C,
    id: TeamMemberId,
    version: i32,
) -> PersistenceResult<TeamMember> {
    let current = team_member::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "team member",
            id: id.to_string(),
        })
        .and_then(to_domain)?;
    versioned::check("team member", version, current.version)?;
    Ok(current)
}

async fn save(
    tx: &DatabaseTransaction,
    member: &TeamMember,
    read_version: i32,
) -> PersistenceResult<()> {
    let columns = (team_member::Column::Id, team_member::Column::Version);
    versioned::save::<team_member::Entity>(
        tx,
        active_model(member),
        columns,
        member.id.0,
        read_version,
        "team member",
    )
    .await
}

fn active_model(member: &TeamMember) -> team_member::ActiveModel {
    let d = &member.data;
    team_member::ActiveModel {
        id: NotSet,
        name: Set(d.name.clone()),
        email: Set(d.email.clone()),
        title: Set(d.title.clone()),
        team: Set(d.team.as_str().to_owned()),
        role: Set(d.role.as_str().to_owned()),
        weekly_capacity: Set(d.weekly_capacity.0),
        lead: Set(d.lead),
        version: Set(member.version),
        created_at: NotSet,
        updated_at: Set(member.updated_at),
        archived_at: Set(member.archived_at),
    }
}

fn to_domain(m: team_member::Model) -> PersistenceResult<TeamMember> {
    Ok(TeamMember {
        id: TeamMemberId(m.id),
        data: TeamMemberData {
            name: m.name,
            email: m.email,
            title: m.title,
            team: m.team.parse().map_err(|e: String| corrupt("team", e))?,
            role: m.role.parse().map_err(|e: String| corrupt("role", e))?,
            weekly_capacity: Hours(m.weekly_capacity),
            lead: m.lead,
        },
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
        archived_at: m.archived_at,
    })
}
