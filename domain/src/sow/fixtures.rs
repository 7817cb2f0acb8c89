//! SOWs for the unit tests of this module's files.

use chrono::{NaiveDate, Utc};

use super::scope::{NewSow, Rate, ScopeItem};
use super::statement::{Sow, SowStatus};
use crate::hours::Hours;
use crate::ids::{AccountId, SowId};

pub(super) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

pub(super) fn draft() -> Sow {
    let data = NewSow {
        title: "Replatforming, phases 1–3".into(),
        currency: Some("eur".into()),
        fixed_price: 4_800_000,
        rate_card: vec![
            Rate {
                role: "Solutions Architect".into(),
                hourly_rate: 18_000,
            },
            Rate {
                role: "Developer".into(),
                hourly_rate: 12_000,
            },
        ],
        scope: vec![ScopeItem {
            deliverable: "Catalog model".into(),
            estimated_hours: Hours(8000),
            phase_id: None,
        }],
        tm_hours_cap: Some(Hours(4000)),
        tm_amount_cap: Some(500_000),
    }
    .validate(&[])
    .unwrap();
    Sow {
        id: SowId::new(),
        account_id: AccountId::new(),
        engagement_id: None,
        data,
        status: SowStatus::Draft,
        baseline: None,
        signed_on: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

pub(super) fn signed() -> Sow {
    let s = draft();
    let s = s.moved(SowStatus::Proposed, today()).unwrap();
    s.moved(SowStatus::Signed, today()).unwrap()
}
