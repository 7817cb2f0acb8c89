//! The endpoints beside GraphQL: liveness, readiness and the answer to every other path.

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::Code;
use crate::state::AppState;

use super::media::{Media, refuse};

/// `GET /healthz`: the process is alive.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

/// `GET /readyz`: the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.services.store.ping().await {
        Ok(()) => HttpResponse::Ok()
            .content_type("application/json")
            .body(r#"{"status":"ready"}"#),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("application/json")
                .body(r#"{"status":"database unavailable"}"#)
        }
    }
}

/// Any other path or method.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if req.path() == "/graphql" && req.method() != Method::GET && req.method() != Method::POST {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            Media::Json,
            Code::BadUserInput,
            "use GET or POST",
        );
    }
    refuse(
        StatusCode::NOT_FOUND,
        Media::Json,
        Code::NotFound,
        "nothing here: the API is at /graphql",
    )
}
