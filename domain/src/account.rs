//! Accounts: customer organisations, the centre of everything Tandem knows.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::ids::{AccountId, TeamMemberId};
use crate::money::Currency;
use crate::{DomainError, DomainResult, Patch, text};

crate::text_enum! {
    /// How an account is served.
    pub enum TouchTier {
        /// A named manager, goals agreed with the customer, quarterly business reviews.
        High = "HIGH",
        /// Pooled managers and periodic reviews.
        Medium = "MEDIUM",
        /// Light-touch, mostly one-to-many programmes.
        Low = "LOW",
        /// Digital, self-serve journeys only.
        Tech = "TECH",
    }
}

crate::text_enum! {
    /// Where an account is in its life with the vendor.
    pub enum LifecycleStage {
        /// Being set up.
        Onboarding = "ONBOARDING",
        /// Learning to use the product.
        Adoption = "ADOPTION",
        /// Growing its use.
        Expansion = "EXPANSION",
        /// Approaching a renewal decision.
        Renewal = "RENEWAL",
        /// Gone.
        Churned = "CHURNED",
    }
}

crate::text_enum! {
    /// The size band of a company, by employees.
    pub enum CompanySize {
        /// 1 to 10 employees.
        Size1To10 = "SIZE_1_10",
        /// 11 to 50 employees.
        Size11To50 = "SIZE_11_50",
        /// 51 to 200 employees.
        Size51To200 = "SIZE_51_200",
        /// 201 to 1,000 employees.
        Size201To1000 = "SIZE_201_1000",
        /// 1,001 to 5,000 employees.
        Size1001To5000 = "SIZE_1001_5000",
        /// More than 5,000 employees.
        Size5001Plus = "SIZE_5001_PLUS",
    }
}

/// What an account needs from the vendor, in its own words.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Needs {
    /// The jobs the customer hires the product to do.
    pub jobs_to_be_done: Vec<String>,
    /// What hurts today.
    pub pain_points: Vec<String>,
    /// What the customer values most.
    pub value_drivers: Vec<String>,
}

impl Needs {
    /// Checks each list: at most 20 statements of at most 300 characters.
    pub fn validate(self, field: &str) -> DomainResult<Needs> {
        Ok(Needs {
            jobs_to_be_done: text::statements(
                &format!("{field}.jobsToBeDone"),
                &self.jobs_to_be_done,
                20,
                300,
            )?,
            pain_points: text::statements(
                &format!("{field}.painPoints"),
                &self.pain_points,
                20,
                300,
            )?,
            value_drivers: text::statements(
                &format!("{field}.valueDrivers"),
                &self.value_drivers,
                20,
                300,
            )?,
        })
    }
}

/// The editable fields of an account, validated. Field names serialise as the API spells them,
/// which is what account-change events record.
///
/// `Tags` is what the account's tags are known as: the tags themselves, or [`Unread`] in an
/// account read without them ([`Untagged`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountData<Tags = Vec<String>> {
    /// The organisation's name.
    pub name: String,
    /// Its main internet domain (`acme.com`).
    pub domain: Option<String>,
    /// Its industry, in the vendor's own taxonomy.
    pub industry: Option<String>,
    /// Its size band.
    pub company_size: Option<CompanySize>,
    /// Its sales region (`EMEA`, `NA`…).
    pub region: Option<String>,
    /// The plan it is on.
    pub plan: Option<String>,
    /// How it is served.
    pub touch_tier: TouchTier,
    /// Where it is in its life with the vendor.
    pub lifecycle_stage: LifecycleStage,
    /// The team member who owns the relationship.
    pub owner_id: Option<TeamMemberId>,
    /// When its contract next renews.
    pub renewal_date: Option<NaiveDate>,
    /// The currency it is billed in.
    pub currency: Currency,
    /// Free labels for filtering.
    pub tags: Tags,
    /// Free-form attributes from other systems (a JSON object).
    pub traits: Map<String, Value>,
    /// What it needs from the vendor.
    pub needs: Needs,
}

/// An account as stored: with its tags, or, as [`Untagged`], without them.
#[derive(Debug, Clone, PartialEq)]
pub struct Account<Tags = Vec<String>> {
    /// Its id.
    pub id: AccountId,
    /// Its fields.
    pub data: AccountData<Tags>,
    /// Bumped on every change; an update names the version it read.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was archived, if it was.
    pub archived_at: Option<DateTime<Utc>>,
}

/// What an account read without its tags has for tags: not "none", but not known. A page of
/// accounts is read so, since most pages do not show tags and reading them costs a statement
/// of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unread;

/// An account read without its tags: a reader that needs them reads them and makes an
/// [`Account`] with [`Untagged::tagged`]; nothing here can be taken for an account without tags.
pub type Untagged = Account<Unread>;

impl<Tags> Account<Tags> {
    /// The account with `tags` for its tags, and the tags it had.
    fn retagged<T>(self, tags: T) -> (Account<T>, Tags) {
        let Account {
            id,
            data,
            version,
            created_at,
            updated_at,
            archived_at,
        } = self;
        let AccountData {
            name,
            domain,
            industry,
            company_size,
            region,
            plan,
            touch_tier,
            lifecycle_stage,
            owner_id,
            renewal_date,
            currency,
            tags: had,
            traits,
            needs,
        } = data;
        let data = AccountData {
            name,
            domain,
            industry,
            company_size,
            region,
            plan,
            touch_tier,
            lifecycle_stage,
            owner_id,
            renewal_date,
            currency,
            tags,
            traits,
            needs,
        };
        let account = Account {
            id,
            data,
            version,
            created_at,
            updated_at,
            archived_at,
        };
        (account, had)
    }
}

impl Account {
    /// The account without its tags, and its tags.
    pub fn untagged(self) -> (Untagged, Vec<String>) {
        self.retagged(Unread)
    }
}

impl Untagged {
    /// The account with `tags`, read for it.
    pub fn tagged(self, tags: Vec<String>) -> Account {
        self.retagged(tags).0
    }
}

/// The fields of a new account as a person typed them, before validation.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<CompanySize>,
    pub region: Option<String>,
    pub plan: Option<String>,
    pub touch_tier: TouchTier,
    pub lifecycle_stage: LifecycleStage,
    pub owner_id: Option<TeamMemberId>,
    pub renewal_date: Option<NaiveDate>,
    pub currency: Option<String>,
    pub tags: Vec<String>,
    pub traits: Option<Value>,
    pub needs: Needs,
}

#[allow(clippy::derivable_impls)] // the enum is declared by `text_enum!`
impl Default for TouchTier {
    fn default() -> Self {
        TouchTier::Medium
    }
}

#[allow(clippy::derivable_impls)] // the enum is declared by `text_enum!`
impl Default for LifecycleStage {
    fn default() -> Self {
        LifecycleStage::Onboarding
    }
}

/// A change to an account as a person typed it: `None` and [`Patch::Keep`] leave a field alone.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    pub name: Option<String>,
    pub domain: Patch<String>,
    pub industry: Patch<String>,
    pub company_size: Patch<CompanySize>,
    pub region: Patch<String>,
    pub plan: Patch<String>,
    pub touch_tier: Option<TouchTier>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Patch<TeamMemberId>,
    pub renewal_date: Patch<NaiveDate>,
    pub currency: Option<String>,
    pub tags: Option<Vec<String>>,
    pub traits: Patch<Value>,
    pub needs: Option<Needs>,
}

/// The largest `traits` object accepted, serialised.
pub const MAX_TRAITS_BYTES: usize = 16 * 1024;

fn traits(field: &str, value: Value) -> DomainResult<Map<String, Value>> {
    let Value::Object(map) = value else {
        return Err(DomainError::invalid(
            field,
            "must be a JSON object ({\"key\": value, …})",
        ));
    };
    if let Some(key) = map
        .keys()
        .find(|k| k.trim().is_empty() || k.chars().count() > 64)
    {
        return Err(DomainError::invalid(
            field,
            format!("key '{key}' must be 1 to 64 characters long"),
        ));
    }
    let size = serde_json::to_string(&map)
        .map(|s| s.len())
        .unwrap_or(usize::MAX);
    if size > MAX_TRAITS_BYTES {
        return Err(DomainError::invalid(
            field,
            format!("is {size} bytes as JSON; at most {MAX_TRAITS_BYTES} are allowed"),
        ));
    }
    Ok(map)
}

fn opt_text(field: &str, value: Option<String>, max: usize) -> DomainResult<Option<String>> {
    text::optional(field, value.as_deref(), max)
}

fn patch_text(field: &str, patch: Patch<String>, max: usize) -> DomainResult<Patch<String>> {
    Ok(match patch {
        Patch::Set(v) => match text::optional(field, Some(&v), max)? {
            Some(v) => Patch::Set(v),
            None => Patch::Clear,
        },
        other => other,
    })
}

impl NewAccount {
    /// Validates every field; the first error names its field (under `input.`).
    pub fn validate(self) -> DomainResult<AccountData> {
        Ok(AccountData {
            name: text::required("name", &self.name, 200)?,
            domain: self
                .domain
                .filter(|d| !d.trim().is_empty())
                .map(|d| text::domain("domain", &d))
                .transpose()?,
            industry: opt_text("industry", self.industry, 100)?,
            company_size: self.company_size,
            region: opt_text("region", self.region, 50)?,
            plan: opt_text("plan", self.plan, 100)?,
            touch_tier: self.touch_tier,
            lifecycle_stage: self.lifecycle_stage,
            owner_id: self.owner_id,
            renewal_date: self.renewal_date,
            currency: match self.currency {
                Some(c) => Currency::parse("currency", &c)?,
                None => Currency::USD,
            },
            tags: text::tags("tags", &self.tags)?,
            traits: match self.traits {
                Some(Value::Null) | None => Map::new(),
                Some(v) => traits("traits", v)?,
            },
            needs: self.needs.validate("needs")?,
        })
    }
}

impl Account {
    /// The account's fields after `patch`, validated; refused when the account is archived.
    pub fn patched(&self, patch: AccountPatch) -> DomainResult<AccountData> {
        self.ensure_active()?;
        let d = self.data.clone();
        Ok(AccountData {
            name: match patch.name {
                Some(n) => text::required("name", &n, 200)?,
                None => d.name,
            },
            domain: patch
                .domain
                .try_map(|v| text::domain("domain", &v))?
                .apply(d.domain),
            industry: patch_text("industry", patch.industry, 100)?.apply(d.industry),
            company_size: patch.company_size.apply(d.company_size),
            region: patch_text("region", patch.region, 50)?.apply(d.region),
            plan: patch_text("plan", patch.plan, 100)?.apply(d.plan),
            touch_tier: patch.touch_tier.unwrap_or(d.touch_tier),
            lifecycle_stage: patch.lifecycle_stage.unwrap_or(d.lifecycle_stage),
            owner_id: patch.owner_id.apply(d.owner_id),
            renewal_date: patch.renewal_date.apply(d.renewal_date),
            currency: match patch.currency {
                Some(c) => Currency::parse("currency", &c)?,
                None => d.currency,
            },
            tags: match patch.tags {
                Some(t) => text::tags("tags", &t)?,
                None => d.tags,
            },
            traits: match patch.traits {
                Patch::Keep => d.traits,
                Patch::Clear => Map::new(),
                Patch::Set(v) => traits("traits", v)?,
            },
            needs: match patch.needs {
                Some(n) => n.validate("needs")?,
                None => d.needs,
            },
        })
    }

    /// Refuses changes to an archived account.
    pub fn ensure_active(&self) -> DomainResult<()> {
        match self.archived_at {
            Some(when) => Err(DomainError::Conflict(format!(
                "account '{}' was archived on {}; archived accounts cannot be changed",
                self.data.name,
                when.date_naive()
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn new_account() -> NewAccount {
        NewAccount {
            name: " Acme Outdoor ".into(),
            domain: Some("https://acme-outdoor.com/".into()),
            tags: vec!["VIP".into()],
            ..NewAccount::default()
        }
    }

    fn stored(data: AccountData) -> Account {
        let now = Utc::now();
        Account {
            id: AccountId::new(),
            data,
            version: 1,
            created_at: now,
            updated_at: now,
            archived_at: None,
        }
    }

    #[test]
    fn an_account_taken_apart_from_its_tags_comes_back_whole() {
        let account = stored(new_account().validate().unwrap());
        let (untagged, tags) = account.clone().untagged();
        assert_eq!(tags, vec!["vip"]);
        assert_eq!(untagged.data.tags, Unread);
        assert_eq!(untagged.data.name, account.data.name);
        assert_eq!(untagged.tagged(tags), account);
    }

    #[test]
    fn a_new_account_is_normalised_and_gets_defaults() {
        let data = new_account().validate().unwrap();
        assert_eq!(data.name, "Acme Outdoor");
        assert_eq!(data.domain.as_deref(), Some("acme-outdoor.com"));
        assert_eq!(data.tags, vec!["vip"]);
        assert_eq!(data.currency, Currency::USD);
        assert_eq!(data.touch_tier, TouchTier::Medium);
        assert_eq!(data.lifecycle_stage, LifecycleStage::Onboarding);
    }

    #[test]
    fn a_blank_name_is_refused_naming_the_field() {
        let err = NewAccount {
            name: "  ".into(),
            ..new_account()
        }
        .validate()
        .unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "name"));
    }

    #[test]
    fn traits_must_be_an_object_of_bounded_size() {
        let bad = NewAccount {
            traits: Some(json!([1, 2])),
            ..new_account()
        };
        assert!(bad.validate().is_err());
        let huge = NewAccount {
            traits: Some(json!({ "blob": "x".repeat(MAX_TRAITS_BYTES) })),
            ..new_account()
        };
        assert!(huge.validate().unwrap_err().to_string().contains("bytes"));
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let account = stored(new_account().validate().unwrap());
        let patched = account
            .patched(AccountPatch {
                touch_tier: Some(TouchTier::High),
                domain: Patch::Clear,
                ..AccountPatch::default()
            })
            .unwrap();
        assert_eq!(patched.touch_tier, TouchTier::High);
        assert_eq!(patched.domain, None);
        assert_eq!(patched.name, "Acme Outdoor");
        assert_eq!(patched.tags, vec!["vip"]);
    }

    #[test]
    fn setting_optional_text_to_blank_clears_it() {
        let mut data = new_account().validate().unwrap();
        data.plan = Some("Growth".into());
        let patched = stored(data)
            .patched(AccountPatch {
                plan: Patch::Set("  ".into()),
                ..AccountPatch::default()
            })
            .unwrap();
        assert_eq!(patched.plan, None);
    }

    #[test]
    fn an_archived_account_refuses_changes() {
        let mut account = stored(new_account().validate().unwrap());
        account.archived_at = Some(Utc::now());
        let err = account.patched(AccountPatch::default()).unwrap_err();
        assert!(matches!(err, DomainError::Conflict(ref m) if m.contains("archived")));
    }

    #[test]
    fn enum_names_round_trip() {
        for size in CompanySize::ALL {
            assert_eq!(size.as_str().parse::<CompanySize>().unwrap(), *size);
        }
        let err = "HUGE".parse::<TouchTier>().unwrap_err();
        assert!(err.contains("HIGH, MEDIUM, LOW, TECH"), "{err}");
    }
}
