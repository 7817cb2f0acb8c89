//! A stock async-graphql server: async-graphql-actix-web's own handler in front of a one-field
//! schema, with no authentication, limits or database.
//!
//! It is the framework's floor for Tandem's trivial query on the same machine with the same
//! worker count: where Tandem's rate stands between it and the bare handler
//! (`tandem-bench-baseline`) tells how much of the distance that GraphQL execution costs Tandem
//! has closed.
//!
//!     tandem-bench-stock 127.0.0.1:PORT [WORKERS]

use actix_web::{App, HttpServer, web};
use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
use async_graphql_actix_web::GraphQL;

/// The query root: one field, since a GraphQL object must have one; the benchmark asks only for
/// `__typename`.
struct Query;

#[Object]
impl Query {
    /// Always true.
    async fn ok(&self) -> bool {
        true
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:8091".to_owned());
    let workers = args
        .next()
        .and_then(|w| w.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    HttpServer::new(move || {
        App::new().route("/graphql", web::post().to(GraphQL::new(schema.clone())))
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
