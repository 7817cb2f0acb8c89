//! A bare actix-web server that answers `POST /graphql` with the fixed answer to `{ __typename }`.
//!
//! It reads the request body, like Tandem does, and then does nothing else: the rate it sustains
//! is the ceiling for Tandem's trivial query on the same machine with the same worker count.
//!
//!     tandem-bench-baseline 127.0.0.1:PORT [WORKERS]

use actix_web::{App, HttpResponse, HttpServer, web};

const ANSWER: &str = r#"{"data":{"__typename":"Query"}}"#;

async fn graphql(body: web::Bytes) -> HttpResponse {
    if body.is_empty() {
        return HttpResponse::BadRequest().finish();
    }
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(ANSWER)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let workers = args
        .next()
        .and_then(|w| w.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    HttpServer::new(|| App::new().route("/graphql", web::post().to(graphql)))
        .workers(workers)
        .bind(bind)?
        .run()
        .await
}
