//! A private PostgreSQL for tests that need one of their own (a primary and its streaming
//! replica): Debian's server binaries run as the postgres user, in a temporary directory, on a
//! free port; stopped and removed on drop. Never the machine's shared server.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

pub struct Cluster {
    pub port: u16,
    dir: PathBuf,
}

/// Debian's newest server binaries.
fn bin(tool: &str) -> PathBuf {
    let mut versions: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server binaries")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort();
    let newest = versions.last().expect("a PostgreSQL version");
    PathBuf::from(format!("/usr/lib/postgresql/{newest}/bin/{tool}"))
}

/// Runs a server tool as the postgres user (the server refuses to run as root).
fn as_postgres(tool: &str, args: &[&str]) {
    let out = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(bin(tool))
        .args(args)
        .output()
        .expect("runuser");
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fresh_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("district-pg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir(&dir).unwrap();
    let chowned = Command::new("chown")
        .arg("postgres:postgres")
        .arg(&dir)
        .status();
    assert!(chowned.unwrap().success());
    dir
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

impl Cluster {
    /// A new primary that streams to replicas.
    pub fn primary() -> Self {
        let dir = fresh_dir();
        let data = dir.join("data");
        as_postgres(
            "initdb",
            &["-D", text(&data), "-U", "postgres", "--auth=trust", "-N"],
        );
        let conf = "listen_addresses = '127.0.0.1'\nwal_level = replica\nmax_wal_senders = 4\n\
                    fsync = off\n";
        let path = data.join("postgresql.conf");
        let mut settings = std::fs::read_to_string(&path).unwrap();
        settings.push_str(conf);
        std::fs::write(&path, settings).unwrap();
        Self::start(dir)
    }

    /// A streaming replica of this primary, cloned with pg_basebackup.
    pub fn replica(&self) -> Self {
        let dir = fresh_dir();
        let port = self.port.to_string();
        let data = dir.join("data");
        // A fast checkpoint: the default spreads it out over minutes.
        let args = [
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "-D",
            text(&data),
        ];
        let mut args = args.to_vec();
        args.extend(["-R", "-X", "stream", "-c", "fast"]);
        as_postgres("pg_basebackup", &args);
        Self::start(dir)
    }

    fn start(dir: PathBuf) -> Self {
        let port = super::free_port();
        let options = format!("-p {port} -k {}", text(&dir));
        let data = dir.join("data");
        let log = dir.join("log");
        as_postgres(
            "pg_ctl",
            &[
                "-D",
                text(&data),
                "-l",
                text(&log),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
        Self { port, dir }
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops at once, as a crash would.
    pub fn stop(&self) {
        let data = self.dir.join("data");
        as_postgres(
            "pg_ctl",
            &["-D", text(&data), "-m", "immediate", "-w", "stop"],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin("pg_ctl"))
            .args(["-D", text(&data), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
