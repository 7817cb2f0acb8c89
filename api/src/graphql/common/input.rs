//! Rules every input follows: a nullable field of an update is a three-way patch (absent keeps,
//! `null` clears, a value sets), and a list a filter or mutation takes is bounded.

use async_graphql::{ID, MaybeUndefined};
use tandem_domain::Patch;

use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};

/// The most values one list argument takes (ids to filter by, statuses, tags…).
pub const MAX_LIST_VALUES: usize = 100;

/// A nullable update field as a [`Patch`]: absent keeps the value, `null` clears it, a value is
/// checked by `f` and set.
pub(crate) fn patch<T, U>(
    value: MaybeUndefined<T>,
    f: impl FnOnce(T) -> ApiResult<U>,
) -> ApiResult<Patch<U>> {
    Ok(match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(f(v)?),
    })
}

/// A list argument, empty when not given, refused when it holds more than
/// [`MAX_LIST_VALUES`] values.
pub(crate) fn bounded<T>(field: &str, values: Option<Vec<T>>) -> ApiResult<Vec<T>> {
    let values = values.unwrap_or_default();
    if values.len() > MAX_LIST_VALUES {
        return Err(ApiError::invalid(
            field,
            format!(
                "at most {MAX_LIST_VALUES} values are allowed, got {}",
                values.len()
            ),
        ));
    }
    Ok(values)
}

/// A bounded list of global ids of one kind, decoded; an id of another kind is refused at its
/// index (`filter.accountIds[2]`).
pub(crate) fn bounded_ids<T>(
    field: &str,
    kind: Kind,
    list: Option<Vec<ID>>,
    wrap: fn(uuid::Uuid) -> T,
) -> ApiResult<Vec<T>> {
    bounded(field, list)?
        .iter()
        .enumerate()
        .map(|(i, id)| ids::decode_as(kind, id, &format!("{field}[{i}]"), wrap))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_keeps_clears_or_sets() {
        let keep = patch(MaybeUndefined::<i32>::Undefined, Ok).unwrap();
        let clear = patch(MaybeUndefined::<i32>::Null, Ok).unwrap();
        let set = patch(MaybeUndefined::Value(3), |v| Ok(v * 2)).unwrap();
        assert!(matches!(keep, Patch::Keep));
        assert!(matches!(clear, Patch::Clear));
        assert!(matches!(set, Patch::Set(6)));
    }

    #[test]
    fn a_list_longer_than_the_bound_is_refused_by_name() {
        assert_eq!(bounded::<u8>("tags", None).unwrap(), Vec::<u8>::new());
        assert_eq!(bounded("tags", Some(vec![1; 100])).unwrap().len(), 100);
        let e = bounded("tags", Some(vec![1; 101])).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags"));
    }

    #[test]
    fn an_id_of_another_kind_is_refused_at_its_index() {
        let account = ids::encode(Kind::Account, uuid::Uuid::nil());
        let contact = ids::encode(Kind::Contact, uuid::Uuid::nil());
        let e = bounded_ids("ids", Kind::Account, Some(vec![account, contact]), |u| u).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ids[1]"));
    }
}
