//! Trace export settings: the standard OpenTelemetry variables.

use super::reader::Reader;

/// Trace export over OTLP/HTTP (protobuf), configured by the standard OpenTelemetry variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceSettings {
    /// The collector's full traces URL: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, or
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended.
    pub endpoint: String,
    /// The `service.name` resource attribute (`OTEL_SERVICE_NAME`, default `tandem`).
    pub service_name: String,
}

impl TraceSettings {
    /// Reads the standard variables; `None` when no endpoint is set or `OTEL_SDK_DISABLED` is
    /// true. Other `OTEL_*` variables (headers, timeouts, `OTEL_BSP_*`) are read by the exporter.
    pub(super) fn read(r: &mut Reader<'_>) -> Option<TraceSettings> {
        if r.flag("OTEL_SDK_DISABLED", false) {
            return None;
        }
        let (name, endpoint) = match (
            r.raw("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            r.raw("OTEL_EXPORTER_OTLP_ENDPOINT"),
        ) {
            (Some(traces), _) => ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces.to_owned()),
            (None, Some(base)) => (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                format!("{}/v1/traces", base.trim_end_matches('/')),
            ),
            (None, None) => return None,
        };
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
            || url::Url::parse(&endpoint).is_err()
        {
            r.errors.push(format!(
                "{name}: expected an http:// or https:// URL such as http://localhost:4318"
            ));
            return None;
        }
        Some(TraceSettings {
            endpoint,
            service_name: r.string("OTEL_SERVICE_NAME", "tandem"),
        })
    }
}
