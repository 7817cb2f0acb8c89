//! Relay paging: the `first`/`after`/`last`/`before` arguments parsed once into a [`Paging`],
//! the window a repository reads, and the `PageInfo` every connection answers with.

use async_graphql::SimpleObject;
use tandem_persistence::page::Window;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::ids;

/// The largest page a list returns.
pub const MAX_PAGE: u64 = 100;
/// The page size when none is given.
pub const DEFAULT_PAGE: u64 = 20;

/// Checks a page size argument: 0 to [`MAX_PAGE`].
pub(crate) fn page_size(field: &str, value: Option<i32>) -> ApiResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE as i32).contains(&n) => Ok(Some(n as u64)),
        Some(n) => Err(ApiError::invalid(
            field,
            format!("{n} is out of range; a page holds 0 to {MAX_PAGE} items"),
        )),
    }
}

/// A `first` argument (0 to [`MAX_PAGE`]), or `default` when it is not given.
pub(crate) fn first_or(first: Option<i32>, default: u64) -> ApiResult<u64> {
    Ok(page_size("first", first)?.unwrap_or(default))
}

/// Relay's paging arguments of a list, checked: `first` (with `after`) reads forwards, `last`
/// (with `before`) backwards; [`DEFAULT_PAGE`] items when neither size is given.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    limit: u64,
    after: Option<String>,
    before: Option<String>,
    from_end: bool,
}

impl Paging {
    /// Checks the arguments as a resolver received them.
    pub(crate) fn parse(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Paging> {
        if first.is_some() && last.is_some() {
            return Err(ApiError::invalid(
                "last",
                "pass either first or last, not both",
            ));
        }
        let first = page_size("first", first)?;
        let last = page_size("last", last)?;
        Ok(Paging {
            limit: first.or(last).unwrap_or(DEFAULT_PAGE),
            after,
            before,
            from_end: last.is_some(),
        })
    }

    /// Forwards only: `first` and `after`.
    pub(crate) fn forwards(first: Option<i32>, after: Option<String>) -> ApiResult<Paging> {
        Paging::parse(first, after, None, None)
    }

    /// The window of a list ordered by id, whose cursors are ids.
    pub(crate) fn by_id(self) -> ApiResult<Window<Uuid>> {
        self.window(ids::decode_cursor)
    }

    /// The window of a list whose cursors `decode` reads (it is given the cursor and the
    /// argument's name, for errors).
    pub(crate) fn window<K>(
        self,
        decode: impl Fn(&str, &str) -> ApiResult<K>,
    ) -> ApiResult<Window<K>> {
        Ok(Window {
            limit: self.limit,
            after: self.after.map(|c| decode(&c, "after")).transpose()?,
            before: self.before.map(|c| decode(&c, "before")).transpose()?,
            from_end: self.from_end,
        })
    }
}

/// Where a page sits in its list.
#[derive(SimpleObject, Clone, Default)]
pub struct PageInfo {
    /// Whether items follow this page.
    pub has_next_page: bool,
    /// Whether items precede this page.
    pub has_previous_page: bool,
    /// The cursor of the first item, to page backwards with `before`.
    pub start_cursor: Option<String>,
    /// The cursor of the last item, to page forwards with `after`.
    pub end_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_together_are_refused() {
        let e = Paging::parse(Some(2), None, Some(2), None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("last"));
    }

    #[test]
    fn a_page_size_outside_the_bounds_names_its_argument() {
        let e = Paging::parse(None, None, Some(101), None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("last"));
        assert!(Paging::parse(Some(-1), None, None, None).is_err());
        assert_eq!(first_or(Some(100), 5).ok(), Some(100));
        assert_eq!(first_or(None, 5).ok(), Some(5));
    }

    #[test]
    fn last_reads_from_the_end_and_sizes_default() {
        let w = Paging::parse(None, None, Some(3), None)
            .and_then(|p| p.window(|c, _| Ok(c.to_owned())))
            .unwrap();
        assert_eq!((w.limit, w.from_end), (3, true));
        let w = Paging::forwards(None, Some("k".into()))
            .and_then(|p| p.window(|c, _| Ok(c.to_owned())))
            .unwrap();
        assert_eq!(
            (w.limit, w.from_end, w.after.as_deref()),
            (DEFAULT_PAGE, false, Some("k"))
        );
    }

    #[test]
    fn a_bad_cursor_names_the_argument_it_came_in() {
        let e = Paging::forwards(None, Some("not a cursor".into()))
            .and_then(Paging::by_id)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("after"));
    }
}
