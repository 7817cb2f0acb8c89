//! The checks a document passes after parsing and before anything runs. async-graphql limits
//! depth, complexity and directives itself; aliases (which let one request ask for the same
//! expensive field many times) are counted here.
//!
//! This is not a schema extension on purpose: async-graphql routes *every field* of every
//! request through the extension chain as soon as one extension is registered (a registry
//! lookup and three boxed futures per field), although the alias count needs only the parsed
//! document. Both transports parse through [`parse`] instead and hand the checked document to
//! the schema (`Request::set_parsed_query`); the schema still validates it (depth, complexity,
//! types and arguments) on every request.
//!
//! Parsing is a pure function of the query text, so [`parse`] keeps the documents it parsed in
//! a small bounded cache ([`Memo`]): a client that sends the same query again (every dashboard, every
//! poll) skips the parser. Only documents that parsed are kept, the limit is checked on every
//! call (servers in one process may have different limits), and a hit hands out a copy, so a
//! request can never see another's document after async-graphql has edited it.

use std::sync::{Arc, OnceLock};

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Positioned, Request, ServerError};

use crate::cache::Memo;

/// The parsed document for `query`, refused when it uses more than `max_aliases` aliases.
pub fn parse(query: &str, max_aliases: usize) -> Result<ExecutableDocument, ServerError> {
    Ok(checked(query, max_aliases)?.document.clone())
}

/// The cached parse of `query`, refused when it uses more than `max_aliases` aliases.
fn checked(query: &str, max_aliases: usize) -> Result<Arc<Parsed>, ServerError> {
    let parsed = documents().get_or_parse(query)?;
    if parsed.aliases > max_aliases {
        return Err(ServerError::new(
            format!(
                "the document uses {} aliases; at most {max_aliases} are allowed",
                parsed.aliases
            ),
            None,
        ));
    }
    Ok(parsed)
}

/// Parses and checks a request's query and attaches the document to it, for the schema to
/// validate and run without parsing again. The answer keeps the document as parsed, for the
/// completion of an answer with field errors ([`super::complete`]).
pub fn prepare(request: &mut Request, max_aliases: usize) -> Result<Prepared, ServerError> {
    let parsed = checked(&request.query, max_aliases)?;
    if parsed.conditional {
        apply_defaults(request, &parsed.document);
    }
    request.set_parsed_query(parsed.document.clone());
    Ok(Prepared(parsed))
}

/// Gives each variable the request leaves out its default, as the spec's variable coercion does.
/// async-graphql applies defaults where a variable is an argument, but decides `@skip` and
/// `@include` from the variables as sent: `query($all: Boolean = true) { … @include(if: $all) }`
/// sent without variables left the field out. Only documents whose directives read variables
/// come here.
fn apply_defaults(request: &mut Request, document: &ExecutableDocument) {
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return,
        },
        _ => return,
    };
    for definition in &operation.node.variable_definitions {
        let name = &definition.node.name.node;
        if let Some(default) = &definition.node.default_value
            && !request.variables.contains_key(name)
        {
            request.variables.insert(name.clone(), default.node.clone());
        }
    }
}

/// A request's document as parsed, before async-graphql edits its copy.
pub struct Prepared(Arc<Parsed>);

impl Prepared {
    /// The document.
    pub fn document(&self) -> &ExecutableDocument {
        &self.0.document
    }

    /// Whether a directive of the document reads a variable (then the request's variables
    /// decide which fields an answer holds).
    pub fn reads_variables_in_directives(&self) -> bool {
        self.0.conditional
    }

    /// Whether the document holds several operations (then the request's operation name says
    /// which one ran).
    pub fn has_several_operations(&self) -> bool {
        matches!(self.0.document.operations, DocumentOperations::Multiple(_))
    }
}

/// Aliased fields in every operation and fragment of a document.
pub fn count_aliases(document: &ExecutableDocument) -> usize {
    fn in_set(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + in_set(&f.node.selection_set.node)
                }
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = match &document.operations {
        DocumentOperations::Single(op) => in_set(&op.node.selection_set.node),
        DocumentOperations::Multiple(ops) => ops
            .values()
            .map(|op| in_set(&op.node.selection_set.node))
            .sum(),
    };
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| in_set(&f.node.selection_set.node))
        .sum();
    operations + fragments
}

/// Whether a directive anywhere in `document` has an argument that reads a variable.
fn reads_variables_in_directives(document: &ExecutableDocument) -> bool {
    fn reads(directives: &[Positioned<Directive>]) -> bool {
        directives.iter().any(|d| {
            d.node
                .arguments
                .iter()
                .any(|(_, v)| v.node.clone().into_const().is_none())
        })
    }
    fn in_set(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(f) => reads(&f.node.directives) || in_set(&f.node.selection_set.node),
            Selection::InlineFragment(i) => {
                reads(&i.node.directives) || in_set(&i.node.selection_set.node)
            }
            Selection::FragmentSpread(s) => reads(&s.node.directives),
        })
    }
    document
        .operations
        .iter()
        .any(|(_, op)| in_set(&op.node.selection_set.node))
        || document
            .fragments
            .values()
            .any(|f| in_set(&f.node.selection_set.node))
}

/// Documents kept at most, per thread (each HTTP worker keeps its own).
const CACHED_DOCUMENTS: usize = 512;
/// Longer query texts are parsed every time rather than kept.
const CACHED_QUERY_BYTES: usize = 16 * 1024;

/// A parsed document and its alias count.
struct Parsed {
    document: ExecutableDocument,
    aliases: usize,
    /// Whether a directive reads a variable.
    conditional: bool,
}

/// Parsed documents by query text, at most [`CACHED_DOCUMENTS`] a thread of at most
/// [`CACHED_QUERY_BYTES`] each.
struct Documents(Memo<Arc<Parsed>>);

fn documents() -> &'static Documents {
    static DOCUMENTS: OnceLock<Documents> = OnceLock::new();
    DOCUMENTS.get_or_init(|| Documents(Memo::new(CACHED_DOCUMENTS)))
}

impl Documents {
    fn get_or_parse(&self, query: &str) -> Result<Arc<Parsed>, ServerError> {
        if let Some(hit) = self.0.get(query) {
            return Ok(hit);
        }
        let document = async_graphql::parser::parse_query(query)?;
        let parsed = Arc::new(Parsed {
            aliases: count_aliases(&document),
            conditional: reads_variables_in_directives(&document),
            document,
        });
        if query.len() <= CACHED_QUERY_BYTES {
            self.0.put(query, parsed.clone());
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: viewer { r: role } viewer { role } ...F } fragment F on Query { b: viewer { role } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 3);
    }

    #[test]
    fn the_alias_limit_holds_for_a_cached_document_too() {
        let query = "{ a: viewer { role } b: viewer { role } }";
        assert!(parse(query, 2).is_ok());
        // The document is cached now; a lower limit still refuses it.
        let err = parse(query, 1).unwrap_err();
        assert!(err.message.contains("2 aliases"), "{}", err.message);
        assert!(parse(query, 2).is_ok());
    }

    #[test]
    fn a_document_that_does_not_parse_is_refused_every_time() {
        for _ in 0..2 {
            assert!(parse("{ viewer { ", 10).is_err());
        }
    }

    #[test]
    fn a_long_query_is_not_kept() {
        let cache = Documents(Memo::new(CACHED_DOCUMENTS));
        let long = format!(
            "{{ viewer {{ role }} }} # {}",
            "x".repeat(CACHED_QUERY_BYTES)
        );
        cache.get_or_parse(&long).unwrap();
        assert!(cache.0.is_empty());
        cache.get_or_parse("{ viewer { role } }").unwrap();
        assert_eq!(cache.0.len(), 1);
    }

    #[test]
    fn a_hit_is_a_copy_of_the_document() {
        let query = "{ viewer { role } }";
        let a = parse(query, 0).unwrap();
        let b = parse(query, 0).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
