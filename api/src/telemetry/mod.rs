//! Logging and tracing: plain or JSON log lines on stderr, filtered by `TANDEM_LOG`, coloured
//! only for a terminal; and, when an OTLP endpoint is configured, the same spans exported as
//! OpenTelemetry traces (see [`otlp`]). Without an endpoint nothing of OpenTelemetry runs.

mod otlp;

use std::io::IsTerminal;

use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::settings::{LogFormat, TraceSettings};

/// What [`init`] started; [`Telemetry::shutdown`] sends the traces still buffered.
#[must_use = "shut it down at exit, or the last traces are lost"]
pub struct Telemetry {
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still buffered and stops the exporter (a no-op without one).
    pub async fn shutdown(self) {
        if let Some(provider) = self.provider {
            // The exporter's thread blocks until its last batch is sent.
            let stopped = tokio::task::spawn_blocking(move || provider.shutdown()).await;
            if let Ok(Err(e)) = stopped {
                tracing::warn!(error = %e, "traces: the exporter did not shut down cleanly");
            }
        }
    }
}

/// Whether log lines may carry colour codes: only for a terminal, and not when `NO_COLOR` is
/// set to anything but the empty string (<https://no-color.org>).
pub fn colour(writer_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    writer_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// What traces carry: spans and events at `info` and above (each request, each SQL statement,
/// the log lines inside them), and every service function's span, which are `debug` so that
/// logs at the default level neither show nor pay for them.
fn traced() -> Targets {
    Targets::new()
        .with_default(LevelFilter::INFO)
        .with_target("tandem_api::service", LevelFilter::DEBUG)
}

/// Installs the global subscriber. Calling it twice is harmless (tests do): the second call
/// changes nothing.
pub fn init(format: LogFormat, filter: &str, traces: Option<&TraceSettings>) -> Telemetry {
    let ansi = colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let env = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // sea-orm's statement spans are for traces: in logs they would repeat each statement's
    // text in every line logged inside it, and cost a formatted copy per statement.
    let logs_filter = env.and(filter_fn(|m| {
        !(m.is_span() && m.name().starts_with("sea_orm."))
    }));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![match format {
        LogFormat::Plain => fmt.with_filter(logs_filter).boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_filter(logs_filter)
            .boxed(),
    }];
    let mut provider = None;
    let mut failed = None;
    if let Some(traces) = traces {
        match otlp::provider(traces) {
            Ok(p) => {
                use opentelemetry::trace::TracerProvider as _;
                let tracer = p.tracer("tandem");
                layers.push(
                    tracing_opentelemetry::layer()
                        .with_tracer(tracer)
                        .with_filter(traced())
                        .boxed(),
                );
                provider = Some(p);
            }
            Err(e) => failed = Some(e),
        }
    }
    if tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .is_err()
    {
        // Already installed (a second call in tests): this provider would export nothing.
        return Telemetry { provider: None };
    }
    if let Some(e) = failed {
        tracing::error!(error = %e, "traces: the OTLP exporter could not start; no traces are sent");
    } else if let Some(traces) = traces {
        tracing::info!(endpoint = %traces.endpoint, "traces: exporting over OTLP/HTTP");
    }
    Telemetry { provider }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_for_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(colour(true, None));
        assert!(
            colour(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is unset"
        );
        assert!(!colour(true, Some(OsStr::new("1"))));
        assert!(!colour(false, None));
    }
}
