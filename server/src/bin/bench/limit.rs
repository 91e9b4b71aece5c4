//! The yardstick: pgbench running the bare all-or-nothing claim and release of seats
//! (`bench/pg-limit`) on the same PostgreSQL, with as many clients as the other targets, up to
//! the server's pool size: the server never holds more connections than that, and PostgreSQL's
//! `max_connections` may not allow more.

use super::probe::CpuSample;
use anyhow::{bail, Context};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use std::{process::Stdio, time::Duration};

/// The database `bench/pg-limit/schema.sql` was loaded into.
pub struct Limit {
    pub options: PgConnectOptions,
    pub database: String,
    pub script: String,
    /// The most connections pgbench opens (the server's pool size).
    pub connections: usize,
}

/// What pgbench measured.
pub struct Measured {
    pub tps: f64,
    pub latency_ms: f64,
    pub failed: u64,
    pub cycles: u64,
    pub cpu: super::probe::Cpu,
}

impl Limit {
    pub async fn run(
        &self,
        clients: usize,
        warmup: Duration,
        duration: Duration,
    ) -> anyhow::Result<Measured> {
        let clients = clients.min(self.connections);
        self.vacuum().await?;
        if !warmup.is_zero() {
            self.pgbench(clients, warmup, None).await?;
        }
        let (output, cpu) = self.pgbench(clients, duration, Some(())).await?;
        let value = |prefix: &str| -> Option<f64> {
            output.lines().find_map(|line| {
                line.strip_prefix(prefix)?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
        };
        let (Some(tps), Some(latency_ms)) = (value("tps = "), value("latency average = ")) else {
            bail!("pgbench said:\n{output}");
        };
        Ok(Measured {
            tps,
            latency_ms,
            failed: value("number of failed transactions: ").unwrap_or(0.0) as u64,
            cycles: value("number of transactions actually processed: ").unwrap_or(0.0) as u64,
            cpu: cpu.unwrap_or_default(),
        })
    }

    async fn vacuum(&self) -> anyhow::Result<()> {
        let db = sqlx::PgPool::connect_with(self.options.clone().database(&self.database)).await?;
        sqlx::query("VACUUM ANALYZE show_seats")
            .execute(&db)
            .await?;
        sqlx::query("CHECKPOINT").execute(&db).await?;
        db.close().await;
        Ok(())
    }

    /// Runs pgbench for `duration`; with `measure`, also the CPU it and the rest used.
    async fn pgbench(
        &self,
        clients: usize,
        duration: Duration,
        measure: Option<()>,
    ) -> anyhow::Result<(String, Option<super::probe::Cpu>)> {
        let mut command = tokio::process::Command::new("pgbench");
        command
            .args([
                "-n",
                "-M",
                "prepared",
                "-j",
                "2",
                "-D",
                "nshows=200",
                "-D",
                "nseats=300",
            ])
            .arg("-c")
            .arg(clients.to_string())
            .arg("-T")
            .arg(duration.as_secs().max(1).to_string())
            .arg("-f")
            .arg(&self.script)
            .arg("-h")
            .arg(self.options.get_host())
            .arg("-p")
            .arg(self.options.get_port().to_string())
            .arg("-U")
            .arg(self.options.get_username())
            .arg(&self.database)
            // Over TLS when the server's connections are, so both sides pay the same.
            .env(
                "PGSSLMODE",
                match self.options.get_ssl_mode() {
                    PgSslMode::Disable => "disable",
                    PgSslMode::Allow => "allow",
                    PgSslMode::Prefer => "prefer",
                    PgSslMode::Require => "require",
                    PgSslMode::VerifyCa => "verify-ca",
                    PgSslMode::VerifyFull => "verify-full",
                },
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = command
            .spawn()
            .context("pgbench is not installed (postgresql-client)")?;
        let pid = child.id();
        let sampling = async {
            let first = CpuSample::take(pid, None);
            let measured = duration.saturating_sub(Duration::from_millis(200));
            tokio::time::sleep(measured).await;
            CpuSample::take(pid, None).since(&first, measured.as_secs_f64())
        };
        let (output, cpu) = tokio::join!(child.wait_with_output(), sampling);
        let output = output?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if !output.status.success() {
            bail!("pgbench failed:\n{text}");
        }
        Ok((text, measure.map(|()| cpu)))
    }
}
