//! An engagement's row: read as the domain's [`Engagement`] and written from it. The
//! engagement repository (this folder's `mod.rs`) goes through it, also in [`super::load`],
//! with which the phase repository checks the engagement a phase belongs to.

use sea_orm::{NotSet, Set};
use tandem_domain::engagement::{Engagement, EngagementData, TemplateRef};
use tandem_domain::ids::{AccountId, EngagementId, TeamMemberId, TemplateId};

use crate::PersistenceResult;
use crate::entity::engagement;
use crate::error::corrupt;

pub(super) fn active_model(e: &Engagement) -> engagement::ActiveModel {
    let d = &e.data;
    engagement::ActiveModel {
        id: NotSet,
        account_id: NotSet,
        name: Set(d.name.clone()),
        kind: Set(d.kind.as_str().to_owned()),
        source_platform: Set(d.source_platform.clone()),
        target_platform: Set(d.target_platform.clone()),
        lead_id: Set(d.lead_id.map(|l| l.0)),
        description: Set(d.description.clone()),
        planned_start: Set(d.planned_start),
        status: Set(e.status.as_str().to_owned()),
        version: Set(e.version),
        created_at: NotSet,
        updated_at: Set(e.updated_at),
        template_id: NotSet,
        template_version: NotSet,
    }
}

pub(super) fn to_domain(m: engagement::Model) -> PersistenceResult<Engagement> {
    Ok(Engagement {
        id: EngagementId(m.id),
        account_id: AccountId(m.account_id),
        data: EngagementData {
            name: m.name,
            kind: m
                .kind
                .parse()
                .map_err(|e: String| corrupt("engagement kind", e))?,
            source_platform: m.source_platform,
            target_platform: m.target_platform,
            lead_id: m.lead_id.map(TeamMemberId),
            description: m.description,
            planned_start: m.planned_start,
        },
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("engagement status", e))?,
        template: match (m.template_id, m.template_version) {
            (Some(id), Some(version)) => Some(TemplateRef {
                id: TemplateId(id),
                version,
            }),
            _ => None,
        },
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}
