//! Follows Tandem's account-change events on NATS JetStream: replays the stream from a sequence
//! (1, the start, by default) and goes on with new events as they come, in commit order.
//!
//! ```sh
//! cargo run -p tandem-api --example jetstream_consumer -- nats://127.0.0.1:4222 1
//! ```
//!
//! Keep the stream sequence of the last event you processed and pass the next one to resume.
//! Set `FILTER` to a subject such as `tandem.events.HEALTH_STATUS_CHANGED.*` (one kind) or
//! `tandem.events.*.<account global id>` (one account) to receive only those.

use async_nats::jetstream::{self, consumer::DeliverPolicy, consumer::pull};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), async_nats::Error> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "nats://127.0.0.1:4222".into());
    let start_sequence: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    let stream_name = std::env::var("STREAM").unwrap_or_else(|_| "TANDEM_EVENTS".into());
    let js = jetstream::new(async_nats::connect(url).await?);
    let stream = js.get_stream(stream_name).await?;
    let consumer = stream
        .create_consumer(pull::OrderedConfig {
            filter_subject: std::env::var("FILTER").unwrap_or_default(),
            deliver_policy: DeliverPolicy::ByStartSequence { start_sequence },
            ..Default::default()
        })
        .await?;
    let mut messages = consumer.messages().await?;
    while let Some(message) = messages.next().await {
        let message = message?;
        let sequence = message.info()?.stream_sequence;
        let event: serde_json::Value = serde_json::from_slice(&message.payload)?;
        println!(
            "seq={sequence} cursor={} kind={} account={} changes={}",
            event["cursor"], event["kind"], event["accountId"], event["changes"]
        );
    }
    Ok(())
}
