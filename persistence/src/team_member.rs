//! Team members: the vendor's people, who own accounts and sign in.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use tandem_domain::event::{self, EventKind, SubjectKind};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_domain::team_member::{Team, TeamMember, TeamMemberData};
use tandem_domain::{DomainError, DomainResult};

use crate::change::{self, Aggregate, Archivable};
use crate::entity::{account, team_member};
use crate::error::corrupt;
use crate::{PersistenceError, PersistenceResult, Store};

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
    change::record(
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
    change::update(store, actor, id, version, change).await
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
    change::archive(store, actor, id, version).await
}

impl Aggregate for TeamMember {
    type Id = TeamMemberId;
    type Data = TeamMemberData;
    type Entity = team_member::Entity;
    const NAME: &'static str = "team member";
    const SUBJECT: SubjectKind = SubjectKind::TeamMember;
    const UPDATED: EventKind = EventKind::TeamMemberUpdated;
    const KEY: (team_member::Column, team_member::Column) =
        (team_member::Column::Id, team_member::Column::Version);

    fn id(&self) -> TeamMemberId {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn data(&self) -> &TeamMemberData {
        &self.data
    }
    /// A team member concerns no single account.
    fn account(&self) -> Option<AccountId> {
        None
    }
    fn row(&self) -> team_member::ActiveModel {
        active_model(self)
    }
    fn with_data(&self, data: TeamMemberData) -> TeamMember {
        TeamMember { data, ..*self }
    }
    fn stamp(&mut self, version: i32, at: DateTime<Utc>) {
        self.version = version;
        self.updated_at = at;
    }
    async fn find<C: ConnectionTrait>(
        conn: &C,
        id: TeamMemberId,
    ) -> PersistenceResult<Option<TeamMember>> {
        team_member::Entity::find_by_id(id.0)
            .one(conn)
            .await?
            .map(to_domain)
            .transpose()
    }
    /// A new e-mail address must be free among the active team.
    async fn vet(
        tx: &DatabaseTransaction,
        current: &TeamMember,
        data: &TeamMemberData,
    ) -> PersistenceResult<()> {
        if data.email != current.data.email {
            ensure_email_free(tx, &data.email, Some(current.id)).await?;
        }
        Ok(())
    }
}

impl Archivable for TeamMember {
    const ARCHIVED: EventKind = EventKind::TeamMemberArchived;

    /// Refused when already archived, and while they own active accounts.
    async fn may_archive(&self, tx: &DatabaseTransaction) -> PersistenceResult<()> {
        if self.archived_at.is_some() {
            return Err(DomainError::Conflict(format!(
                "team member '{}' is already archived",
                self.data.name
            ))
            .into());
        }
        let owned = account::Entity::find()
            .filter(account::Column::OwnerId.eq(self.id.0))
            .filter(account::Column::ArchivedAt.is_null())
            .count(tx)
            .await?;
        if owned > 0 {
            return Err(PersistenceError::Conflict(format!(
                "team member '{}' owns {owned} active account(s); give them another owner first",
                self.data.name
            )));
        }
        Ok(())
    }
    fn archived(&self, at: DateTime<Utc>) -> TeamMember {
        TeamMember {
            archived_at: Some(at),
            ..self.clone()
        }
    }
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
