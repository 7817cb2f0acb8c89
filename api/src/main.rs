//! `tandem`: serve the API, migrate the database, refit the renewal model, print the schema, or
//! mint a token.

#![recursion_limit = "256"] // the schema's nested async resolver types, in release builds

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tandem_api::settings::{JwtAlgorithm, Overrides, Settings, parse_duration};
use tandem_api::{app, auth, demo, graphql, telemetry};
use tandem_domain::auth::Role;

/// Tandem: the one source of truth that services, customer-success and product teams share
/// about each customer.
#[derive(Parser)]
#[command(name = "tandem", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the GraphQL API.
    Serve {
        /// The address to listen on (TANDEM_BIND; default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// The database URL (TANDEM_DATABASE_URL; default an SQLite file, tandem.db).
        #[arg(long)]
        database_url: Option<String>,
        /// Fill an empty database with demo data and print a token to try it with.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate {
        /// The database URL (TANDEM_DATABASE_URL; default an SQLite file, tandem.db).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Recompute every live account's health score now (what a nightly job runs), then exit.
    RecomputeHealth {
        /// The database URL (TANDEM_DATABASE_URL; default an SQLite file, tandem.db).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The revenue outlook's renewal model.
    Outlook {
        #[command(subcommand)]
        action: OutlookCommand,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print a token signed with the configured key (TANDEM_JWT_SECRET for HS256).
    Token {
        /// The role: ADMIN, CS_MANAGER, SERVICES, PRODUCT, VIEWER, INTEGRATION or CUSTOMER.
        #[arg(long)]
        role: String,
        /// The subject: a team member's id, or a machine client's name.
        #[arg(long, default_value = "dev")]
        sub: String,
        /// CUSTOMER only, at least once: an account the customer may see, by its id as the API
        /// shows it (repeat for a group's accounts).
        #[arg(long = "account")]
        accounts: Vec<String>,
        /// CUSTOMER only: the contact the customer acts as, by its id as the API shows it.
        #[arg(long)]
        contact: Option<String>,
        /// How long the token is valid: 30m, 12h, 7d…
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
}

#[derive(Subcommand)]
enum OutlookCommand {
    /// Fit the likelihood-to-renew model on the closed renewals now and print its backtest.
    Refit {
        /// The database URL (TANDEM_DATABASE_URL; default an SQLite file, tandem.db).
        #[arg(long)]
        database_url: Option<String>,
    },
}

/// mimalloc: the server allocates and frees many small values per request (JSON, GraphQL
/// values, rows), where it is markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            bind,
            database_url,
            demo,
        } => serve(Overrides { bind, database_url }, demo).await,
        Command::Migrate { database_url } => {
            migrate(Overrides {
                bind: None,
                database_url,
            })
            .await
        }
        Command::RecomputeHealth { database_url } => {
            recompute_health(Overrides {
                bind: None,
                database_url,
            })
            .await
        }
        Command::Outlook {
            action: OutlookCommand::Refit { database_url },
        } => {
            outlook_refit(Overrides {
                bind: None,
                database_url,
            })
            .await
        }
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Token {
            role,
            sub,
            ttl,
            accounts,
            contact,
        } => token(&role, &sub, &ttl, accounts, contact),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandem: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(overrides: Overrides, with_demo: bool) -> anyhow::Result<()> {
    let mut settings = Settings::from_env(&overrides)?;
    let telemetry = telemetry::init(
        settings.log_format,
        &settings.log_filter,
        settings.traces.as_ref(),
    );
    let stop = app::shutdown_signal()?;
    if with_demo && settings.auth.algorithm == JwtAlgorithm::Hs256 && settings.auth.secret.is_none()
    {
        settings.auth.secret = Some(auth::ephemeral_secret());
        tracing::info!("no TANDEM_JWT_SECRET set: using a random secret for this demo run");
    }
    let store = app::connect(&settings).await?;
    let mut options = app::StartOptions::default();
    let mut banner = None;
    if with_demo {
        let summary = demo::load(&store).await?;
        let token = auth::Issuer::new(&settings.auth)?.issue(
            &summary.admin_subject,
            Role::Admin,
            std::time::Duration::from_secs(30 * 86_400),
        )?;
        options.graphiql_token = Some(token.clone());
        banner = Some((summary, token));
    }
    let server = app::start(&settings, store.clone(), options).await?;
    tracing::info!(addr = %server.addr, "tandem is serving");
    if let Some((summary, token)) = banner {
        print_banner(&format!("http://{}/graphql", server.addr), &summary, &token);
    }
    stop.await;
    tracing::info!("shutting down: finishing in-flight requests");
    server.stop().await;
    store.close().await.ok();
    tracing::info!("stopped");
    telemetry.shutdown().await;
    Ok(())
}

/// Tells the person who ran `serve --demo` how to try it. Written with `writeln!` and errors
/// ignored: a closed stdout (a pipe whose reader left) must not take the server down.
fn print_banner(url: &str, summary: &demo::DemoSummary, token: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = if summary.accounts > 0 {
        writeln!(
            out,
            "Loaded the demo data: {} accounts, {} contacts, {} team members, {} engagements.",
            summary.accounts, summary.contacts, summary.team_members, summary.engagements
        )
    } else {
        writeln!(
            out,
            "The database already holds data; the demo data was not loaded again."
        )
    };
    let _ = writeln!(
        out,
        "GraphiQL: {url}  (open it in a browser; the admin token below is prefilled)"
    );
    let _ = writeln!(out, "Admin token (valid 30 days):\n{token}");
    let _ = writeln!(
        out,
        "Try:\n  curl -s {url} -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\\n    -d '{{\"query\":\"{{ accounts(first: 3) {{ totalCount nodes {{ name touchTier mrr {{ formatted }} }} }} }}\"}}'"
    );
    let _ = out.flush();
}

async fn migrate(overrides: Overrides) -> anyhow::Result<()> {
    let settings = Settings::from_env(&overrides)?;
    let _telemetry = telemetry::init(settings.log_format, &settings.log_filter, None);
    let store = app::connect(&settings).await?;
    store.close().await.ok();
    println!("migrations applied");
    Ok(())
}

async fn recompute_health(overrides: Overrides) -> anyhow::Result<()> {
    let settings = Settings::from_env(&overrides)?;
    let _telemetry = telemetry::init(settings.log_format, &settings.log_filter, None);
    let store = app::connect(&settings).await?;
    let started = std::time::Instant::now();
    let report = tandem_persistence::health::compute::recompute(
        &store,
        "tandem recompute-health",
        tandem_persistence::health::compute::Scope::All,
        chrono::Utc::now(),
    )
    .await?;
    store.close().await.ok();
    println!(
        "scored {} of {} accounts in {} ms ({} status changes, {} without a model or signals)",
        report.scored,
        report.accounts,
        started.elapsed().as_millis(),
        report.status_changes,
        report.skipped
    );
    Ok(())
}

async fn outlook_refit(overrides: Overrides) -> anyhow::Result<()> {
    use tandem_api::service::outlook::{Refit, fit};
    let settings = Settings::from_env(&overrides)?;
    let _telemetry = telemetry::init(settings.log_format, &settings.log_filter, None);
    let store = app::connect(&settings).await?;
    let refit = fit(&store, "tandem outlook refit", &settings.outlook).await;
    store.close().await.ok();
    let refit = refit.map_err(|e| anyhow::anyhow!("{}", e.message))?;
    match refit {
        Refit::Fitted(m) => {
            let bt = &m.fitted.backtest;
            let figure = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"));
            println!(
                "fitted renewal model version {} on {} closed renewals",
                m.version, m.closed_renewals
            );
            println!(
                "backtest on the {} most recent (from {}), fitted on the {} before:",
                bt.held_out, bt.held_out_from, bt.trained_on
            );
            println!(
                "  model:   AUC {}  Brier {}",
                figure(bt.model.auc),
                figure(bt.model.brier)
            );
            println!(
                "  manager: AUC {}  Brier {}  ({} called; the model on those: AUC {}  Brier {})",
                figure(bt.manager.auc),
                figure(bt.manager.brier),
                bt.manager.count,
                figure(bt.model_where_called.auc),
                figure(bt.model_where_called.brier)
            );
        }
        Refit::NotEnoughHistory { closed, needed } => {
            println!("not enough history: {closed} of {needed} closed renewals");
        }
    }
    Ok(())
}

fn token(
    role: &str,
    sub: &str,
    ttl: &str,
    accounts: Vec<String>,
    contact: Option<String>,
) -> anyhow::Result<()> {
    let role: Role = role
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--role: {e}"))?;
    let ttl = parse_duration(ttl).ok_or_else(|| {
        anyhow::anyhow!("--ttl: expected a duration such as 30m, 12h or 7d, got '{ttl}'")
    })?;
    if sub.trim().is_empty() {
        anyhow::bail!("--sub: must not be empty");
    }
    let who =
        auth::principal_for(sub, role, accounts, contact).map_err(|e| anyhow::anyhow!("{e}"))?;
    let auth = Settings::auth_from_env()?;
    let token = auth::Issuer::new(&auth)?.issue_for(&who, ttl)?;
    println!("{token}");
    Ok(())
}
