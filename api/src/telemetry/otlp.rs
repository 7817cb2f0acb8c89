//! The OTLP/HTTP (protobuf) trace exporter. It sends through the server's own HTTP client
//! (reqwest on the server's Tokio runtime, with the rustls it already has) rather than a
//! client of the exporter's choosing, which would bring a second reqwest and TLS stack.
//!
//! Batching follows the standard `OTEL_BSP_*` variables (`OTEL_BSP_SCHEDULE_DELAY`, in
//! milliseconds, default 5000), and the exporter reads `OTEL_EXPORTER_OTLP_HEADERS` and
//! `OTEL_EXPORTER_OTLP_TIMEOUT` itself.

use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;

use crate::settings::TraceSettings;

/// A tracer provider that batches spans and sends them to `settings.endpoint`.
pub(super) fn provider(settings: &TraceSettings) -> anyhow::Result<SdkTracerProvider> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| anyhow::anyhow!("traces need the Tokio runtime to send from"))?;
    let client = Client {
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
        runtime,
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_endpoint(settings.endpoint.clone())
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(settings.service_name.clone())
                .build(),
        )
        .build())
}

/// Sends the exporter's requests on the server's runtime: the exporter runs on a thread of its
/// own, where reqwest's async client cannot run by itself.
#[derive(Debug)]
struct Client {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for Client {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let request = reqwest::Request::try_from(request)?;
        self.runtime
            .spawn(async move {
                let response = client.execute(request).await?;
                let mut answer = Response::builder().status(response.status());
                if let Some(headers) = answer.headers_mut() {
                    *headers = response.headers().clone();
                }
                Ok(answer.body(response.bytes().await?)?)
            })
            .await?
    }
}
