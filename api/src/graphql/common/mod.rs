//! What every feature of the schema shares, in one place so that no feature imports another for
//! a helper: the request's parts (services, caller, loaders) and the role guard, Relay paging
//! arguments parsed once, and the input rules every mutation and filter applies (patches,
//! bounded lists of ids).
//!
//! A feature module (`account`, `engagement`, …) imports from here and from the low shared
//! modules beside it (`ids`, `enums`, `scalars`, `money`); it imports another feature only for
//! that feature's GraphQL object types, which refer to each other as the schema does.

pub mod context;
pub mod input;
pub mod paging;
