//! Building and running the server. `tandem serve` and the end-to-end tests both go through
//! [`start`], so the tests run the same server production runs.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};
use tandem_persistence::{Store, StoreOptions};
use tokio::sync::watch;

use crate::auth::Verifier;
use crate::graphql::audience::Audience;
use crate::graphql::known::Known;
use crate::graphql::{SchemaOptions, build_schema};
use crate::relay::EventRelay;
use crate::service::Services;
use crate::settings::Settings;
use crate::state::AppState;

/// Connects to the configured database and applies pending migrations.
pub async fn connect(settings: &Settings) -> anyhow::Result<Store> {
    let mut options = StoreOptions::new(settings.database_url.clone());
    options.max_connections = settings.database_max_connections;
    options.pg_schema = settings.database_schema.clone();
    options.acquire_timeout = settings.database_acquire_timeout;
    let store = Store::connect(&options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e:?}"))?;
    Ok(store)
}

/// Extra choices for [`start`].
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// A token to prefill in GraphiQL's headers (demo mode only).
    pub graphiql_token: Option<String>,
}

/// A server that is running.
pub struct RunningServer {
    /// The address it listens on (the real port when the settings asked for port 0).
    pub addr: SocketAddr,
    handle: ServerHandle,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
    drain_timeout: std::time::Duration,
}

impl RunningServer {
    /// Stops gracefully: subscriptions are closed with 1001, new connections are refused,
    /// in-flight requests finish (up to the shutdown timeout).
    pub async fn stop(self) {
        // Drain first: stop accepting connections, but go on serving the requests already
        // sent (a busy worker may not have started them yet) until none has been in flight
        // for a moment, or the shutdown timeout passes; then drop every connection.
        let _ = self.shutdown.send(true);
        self.handle.pause().await;
        let started = std::time::Instant::now();
        let mut quiet_since = std::time::Instant::now();
        while started.elapsed() < self.drain_timeout {
            if self.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                quiet_since = std::time::Instant::now();
            } else if quiet_since.elapsed() >= std::time::Duration::from_millis(300) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// Binds, builds the app and starts serving in the background.
pub async fn start(
    settings: &Settings,
    store: Store,
    options: StartOptions,
) -> anyhow::Result<RunningServer> {
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let relay = EventRelay::start(
        store.clone(),
        settings.event_poll_interval,
        shutdown_rx.clone(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot read the event outbox: {e}"))?;
    let services = Services {
        store,
        relay,
        automation: Arc::default(),
        webhook_allowed_networks: settings.automation.webhook_allowed_networks.clone().into(),
        outlook: settings.outlook,
    };
    crate::worker::start(
        services.clone(),
        settings.automation.clone(),
        shutdown_rx.clone(),
    );
    let jetstream = settings.nats.clone().map(|nats| {
        crate::jetstream::start(
            services.clone(),
            nats,
            settings.automation.standby_interval,
            shutdown_rx.clone(),
        )
    });
    let schema_options = SchemaOptions {
        audience: Audience::Vendor,
        limits: settings.limits,
        introspection: settings.introspection,
        suggestions: settings.suggestions,
    };
    let schema = build_schema(
        schema_options,
        Some(services.clone()),
        async_graphql::ValidationMode::Strict,
    );
    let known = Known::new(schema_options, Some(services.clone()));
    let customer_options = SchemaOptions {
        audience: Audience::Customer,
        ..schema_options
    };
    let customer_schema = build_schema(
        customer_options,
        Some(services.clone()),
        async_graphql::ValidationMode::Strict,
    );
    let customer_known = Known::new(customer_options, Some(services.clone()));
    let graphiql = settings
        .graphiql
        .then(|| crate::graphiql::page(options.graphiql_token.as_deref()));
    let shape = Arc::new(crate::graphql::complete::Shape::from_sdl(&schema.sdl()));
    let state = web::Data::from(Arc::new(AppState {
        shape,
        schema,
        known,
        customer_schema,
        customer_known,
        verifier: Verifier::new(&settings.auth)?,
        services,
        limits: settings.limits,
        limiter: Arc::new(crate::rate_limit::RateLimiter::new(
            crate::rate_limit::RateLimit {
                per_second: settings.limits.rate_per_second,
                burst: settings.limits.rate_burst,
            },
        )),
        graphiql,
        documents: Arc::new(crate::http::trusted::Documents::load(
            &settings.trusted_documents,
        )?),
        shutdown: shutdown_rx,
        metrics: crate::metrics::Metrics::new(),
        jetstream,
        in_flight: in_flight.clone(),
    }));
    let metrics = settings.metrics;
    let listener = TcpListener::bind(settings.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    let addr = listener.local_addr()?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/graphql", web::post().to(crate::http::post))
            .route("/graphql", web::get().to(crate::http::get))
            .route(
                "/graphiql/{version}/{file}",
                web::get().to(crate::graphiql::asset),
            )
            .route("/healthz", web::get().to(crate::http::healthz))
            .route("/readyz", web::get().to(crate::http::readyz))
            .configure(|app| {
                if metrics {
                    app.route("/metrics", web::get().to(crate::http::metrics));
                }
            })
            .default_service(web::to(crate::http::not_found))
    })
    .workers(settings.workers)
    .disable_signals()
    .shutdown_timeout(settings.shutdown_timeout.as_secs())
    .listen(listener)?
    .run();
    let handle = server.handle();
    let task = tokio::spawn(server);
    Ok(RunningServer {
        addr,
        handle,
        shutdown: shutdown_tx,
        task,
        in_flight,
        drain_timeout: settings.shutdown_timeout,
    })
}

/// Listens for SIGINT and SIGTERM from the moment it is called (so a signal that arrives while
/// the server is still starting is not lost to the default action), and returns a future that
/// completes at the first of them.
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
