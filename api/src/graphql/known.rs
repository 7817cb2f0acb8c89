//! Validation once per distinct request.
//!
//! async-graphql validates every request against the schema: some twenty rules walk the
//! document, each looking fields and types up by name. Validation is a pure function of the
//! schema, the document, the operation name and the variables, so a request that passed once
//! passes again: a dashboard that polls, or a client that sends the same query with the same
//! variables, need not pay for it every time. [`Known`] remembers the requests (by their whole
//! text: query, operation name and variables as sent) that passed, in a bounded [`Memo`], and
//! runs them on a second build of the schema in async-graphql's fast validation mode — which
//! still computes and enforces the depth and complexity limits, and still refuses fragment
//! cycles. A request seen for the first time, or forgotten, is validated in full.

use async_graphql::{Request, Response, ValidationMode};

use super::schema::{SchemaOptions, TandemSchema, build_schema};
use crate::cache::Memo;
use crate::service::Services;

/// Requests remembered at most, per thread (each HTTP worker keeps its own).
const REMEMBERED: usize = 1024;

/// The longest request text remembered: larger ones (usage batches) are validated every time
/// rather than kept in memory.
const LONGEST: usize = 8 * 1024;

/// The schema for requests that passed validation before, and which ones did.
pub struct Known {
    schema: TandemSchema,
    passed: Memo<()>,
}

impl Known {
    /// A second build of the schema with `options`, validating only what can change. Each
    /// audience has its own: a request that passed the vendor's validation says nothing about
    /// the customer's, whose schema lacks most fields.
    pub fn new(options: SchemaOptions, services: Option<Services>) -> Known {
        Known {
            schema: build_schema(options, services, ValidationMode::Fast),
            passed: Memo::new(REMEMBERED),
        }
    }

    /// Runs `request` on `schema`, or on the fast-validating schema when `text` (the request's
    /// whole text: query, operation name and variables) passed validation before.
    pub async fn execute(&self, schema: &TandemSchema, request: Request, text: &str) -> Response {
        let rememberable = text.len() <= LONGEST;
        if rememberable && self.passed.get(text).is_some() {
            return self.schema.execute(request).await;
        }
        let response = schema.execute(request).await;
        // An error without a path is about the request (it did not parse, validate or pass a
        // limit); one with a path came from a field, after validation passed.
        if rememberable && response.errors.iter().all(|e| !e.path.is_empty()) {
            self.passed.put(text, ());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas() -> (TandemSchema, Known) {
        let options = SchemaOptions::default();
        (
            build_schema(options, None, ValidationMode::Strict),
            Known::new(options, None),
        )
    }

    #[tokio::test]
    async fn only_requests_that_passed_are_remembered() {
        let (schema, known) = schemas();
        for _ in 0..2 {
            let bad = known
                .execute(&schema, Request::new("{ nope }"), "{ nope }")
                .await;
            assert_eq!(bad.errors.len(), 1, "{:?}", bad.errors);
            assert!(bad.errors[0].message.contains("nope"), "{:?}", bad.errors);
        }
        assert!(known.passed.is_empty());
        for _ in 0..2 {
            let good = known
                .execute(&schema, Request::new("{ __typename }"), "{ __typename }")
                .await;
            assert!(good.errors.is_empty(), "{:?}", good.errors);
            assert_eq!(good.data.to_string(), r#"{__typename: "Query"}"#);
        }
        assert_eq!(known.passed.len(), 1);
    }

    #[tokio::test]
    async fn the_fast_schema_still_enforces_the_limits() {
        let (_, known) = schemas();
        let deep = format!(
            "{{ accounts {{ nodes {{ {}id{} }} }} }}",
            "engagements { account { ".repeat(8),
            " } }".repeat(8)
        );
        let refused = known.schema.execute(Request::new(&deep)).await;
        assert_eq!(refused.errors.len(), 1, "{:?}", refused.errors);
        assert!(
            refused.errors[0].message.contains("nested too deep"),
            "{:?}",
            refused.errors
        );
    }
}
