//! `district`: serve the site, apply migrations, or load demo data.

use clap::{Parser, Subcommand};
use server::{config::Config, db, jobs, seed, telemetry};
use std::process::ExitCode;

/// Every request allocates freely (rendering, JSON, compression): glibc's allocator spent a
/// third of a page's CPU and made the workers wait on its locks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "district",
    version,
    about = "District movie-ticket booking platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and REST API, and run the background jobs (default).
    Serve,
    /// Apply pending migrations, or revert the latest one with --down.
    Migrate {
        /// Revert the most recently applied migration.
        #[arg(long)]
        down: bool,
        /// With --down: revert every migration.
        #[arg(long, requires = "down")]
        all: bool,
    },
    /// Load demo data (cities, theaters, movies, a week of shows, demo users). Idempotent.
    Seed {
        /// How many days of shows to create, starting today in each city's time zone.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=31))]
        days: u32,
        /// Drop and recreate the database first, for a clean demo.
        #[arg(long)]
        fresh: bool,
    },
    /// Check the booking and money invariants on the data; exits 1 naming any breach.
    Check {
        /// Also count holds past their deadline, and events not relayed, by more than this
        /// many seconds.
        #[arg(long)]
        lag_seconds: Option<u64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.app_env);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate { down, all } => migrate(&config, down, all).await,
            Command::Seed { days, fresh } => seed_demo(&config, days, fresh).await,
            Command::Check { lag_seconds } => {
                check(&config, lag_seconds.map(std::time::Duration::from_secs)).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    if config.auto_migrate {
        db::ensure_database(config.database_url.expose_secret()).await?;
    }
    let options = server::leptos_options(&config)?;
    let addr = options.site_addr;
    let state = server::state(&config, options).await?;
    let backends = &state.backends;
    if config.auto_migrate {
        db::MIGRATOR.run(backends.db.primary()).await?;
    } else if !db::pending_migrations(backends.db.primary())
        .await?
        .is_empty()
    {
        tracing::warn!("migrations are pending and AUTO_MIGRATE=false: run `district migrate`");
    }
    let sessions =
        server::sessions::Store::new(backends.db.primary().clone(), backends.redis.clone());
    let jobs = jobs::start(state.clone(), sessions);
    let redis_url = config.redis_url.as_ref();
    state
        .bookings
        .follow_others(redis_url.map(|u| u.expose_secret().to_owned()));
    let live = state.bookings.live().clone();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, env = %config.app_env, "listening");
    let head_timeout = config.bounds.header_read_timeout;
    let app = server::router(state);
    server::listen::serve(listener, app, head_timeout, async move {
        shutdown_signal().await;
        // Open seat streams would otherwise keep the drain waiting forever.
        live.close();
    })
    .await;
    tracing::info!("requests drained, stopping jobs");
    jobs.shutdown().await;
    Ok(())
}

async fn check(config: &Config, lag: Option<std::time::Duration>) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    let pool = db::connect(config.database_url.expose_secret(), 2).await?;
    let mut found = server::invariants::invariant_breaches(&pool).await?;
    if let Some(lag) = lag {
        found.extend(server::invariants::lag_breaches(&pool, lag).await?);
    }
    for breach in &found {
        println!("{breach}");
    }
    anyhow::ensure!(found.is_empty(), "{} invariant breaches", found.len());
    println!("invariants hold");
    Ok(())
}

async fn migrate(config: &Config, down: bool, all: bool) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    let url = config.database_url.expose_secret();
    if !down {
        db::ensure_database(url).await?;
    }
    let pool = db::connect(url, 2).await?;
    if !down {
        db::MIGRATOR.run(&pool).await?;
        tracing::info!("migrations applied");
        return Ok(());
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap_or_default();
    let target = if all {
        0
    } else {
        applied.iter().rev().nth(1).copied().unwrap_or(0)
    };
    db::MIGRATOR.undo(&pool, target).await?;
    tracing::info!(target, "migrations reverted");
    Ok(())
}

async fn seed_demo(config: &Config, days: u32, fresh: bool) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    if config.is_production() {
        anyhow::bail!("refusing to load demo data (and demo users) when APP_ENV=production");
    }
    let url = config.database_url.expose_secret();
    if fresh {
        db::recreate_database(url).await?;
    } else {
        db::ensure_database(url).await?;
    }
    let pool = db::connect(url, 4).await?;
    db::MIGRATOR.run(&pool).await?;
    let options = seed::Options::for_today(days, std::env::var("DEMO_PASSWORD").ok());
    let report = seed::run(&pool, &options).await?;
    tracing::info!(?report, "demo data loaded");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM: stop accepting, let in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received");
}
