//! `district serve` as a process: it answers, SIGTERM stops it cleanly, and slow, outsized or
//! SQL-looking requests neither crash it nor keep others waiting.

use server::db::MIGRATOR;
use sqlx::PgPool;
use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The URL of the database this test owns (sqlx::test made it on DATABASE_URL's server).
async fn own_database_url(db: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(db)
        .await
        .unwrap();
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    try_exchange(port, request.as_bytes())
}

/// `district serve` on a free port, answering: the process and its port.
async fn start(db: &PgPool) -> (Child, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_district"))
        .arg("serve")
        .current_dir(std::env::temp_dir())
        .env("DATABASE_URL", own_database_url(db).await)
        .env("APP_ENV", "test")
        .env("APP_HOST", "127.0.0.1")
        .env("APP_PORT", port.to_string())
        .env("HEADER_READ_TIMEOUT", "2s")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        if let Some(reply) = http_get(port, "/healthz") {
            break reply;
        }
        assert!(Instant::now() < deadline, "server did not come up");
        assert!(child.try_wait().unwrap().is_none(), "server exited early");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    (child, port)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn sigterm_stops_the_server_cleanly(db: PgPool) {
    let (mut child, port) = start(&db).await;
    let ready = http_get(port, "/readyz").unwrap();
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no longer accepting"
    );
}

/// Writes `request` and reads the answer until the server closes the connection.
fn exchange(port: u16, request: &[u8]) -> String {
    try_exchange(port, request).expect("the server accepts connections")
}

/// As `exchange`, or `None` while nothing listens on the port.
fn try_exchange(port: u16, request: &[u8]) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    // A server may answer and close before it has read all of an outsized request.
    let _ = stream.write_all(request);
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    Some(String::from_utf8_lossy(&reply).into_owned())
}

fn status_of(reply: &str) -> u16 {
    reply.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Stops the server however the test ends, gently, so its database connections are closed
/// before the test's database is dropped.
struct Stopping(Child);

impl Drop for Stopping {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.0.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn slow_outsized_and_sql_looking_requests_neither_crash_nor_stall_others(db: PgPool) {
    let (child, port) = start(&db).await;
    let mut server = Stopping(child);
    let get = |path: &str| http_get(port, path).expect("the server accepts connections");

    // Slowloris: hundreds of connections send half a request's head and go quiet.
    let slow: Vec<TcpStream> = (0..300)
        .map(|i| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(
                stream,
                "GET /api/v1/movies HTTP/1.1\r\nHost: x\r\nX-Slow-{i}: "
            )
            .unwrap();
            stream
        })
        .collect();
    // Everyone else is answered while they wait.
    for path in ["/healthz", "/api/v1/movies", "/"] {
        let reply = get(path);
        assert_eq!(
            status_of(&reply),
            200,
            "{path} behind slow clients: {reply}"
        );
    }

    // Outsized: a 100 KB address, a 1 MB header, a body declared at a gigabyte.
    let long_path = format!("/api/v1/movies/{}", "a".repeat(100_000));
    let long_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(1_000_000)
    );
    let huge_body =
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                     Content-Length: 1000000000\r\nConnection: close\r\n\r\n{\"email\":\"";
    for (what, reply) in [
        ("a long address", get(&long_path)),
        ("a long header", exchange(port, long_header.as_bytes())),
        ("a huge body", exchange(port, huge_body.as_bytes())),
    ] {
        let status = status_of(&reply);
        assert!(
            [400, 404, 413, 414, 431].contains(&status) || reply.is_empty(),
            "{what}: {status} {}",
            reply.lines().next().unwrap_or_default()
        );
    }

    // SQL-looking input is only ever data.
    let movies = || async {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM movies")
            .fetch_one(&db)
            .await
            .unwrap();
        count
    };
    let before = movies().await;
    let injection = "%27%20OR%201%3D1%3B%20DROP%20TABLE%20movies%3B--";
    for path in [
        format!("/api/v1/movies/search?q={injection}"),
        format!("/api/v1/movies/{injection}"),
        format!("/api/v1/shows?city={injection}&date={injection}"),
        format!("/api/v1/theaters?city={injection}"),
        format!("/search?q={injection}"),
        format!("/movies/{injection}"),
    ] {
        let status = status_of(&get(&path));
        assert!((200..500).contains(&status), "{path}: {status}");
    }
    let login = r#"{"email":"' OR ''='","password":"' OR 1=1 --"}"#;
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{login}",
        login.len()
    );
    let status = status_of(&exchange(port, request.as_bytes()));
    assert!(
        [401, 422].contains(&status),
        "an injected sign-in: {status}"
    );
    assert_eq!(movies().await, before, "the movies are all there");

    // Still up and answering; and the slow clients, never done with their heads, are cut off
    // once HEADER_READ_TIMEOUT has passed instead of keeping their sockets for ever.
    assert!(server.0.try_wait().unwrap().is_none(), "the server stopped");
    assert_eq!(status_of(&get("/readyz")), 200);
    for mut stream in slow {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut rest = Vec::new();
        match stream.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(err) => panic!("a slow client was not cut off: {err}"),
        }
    }
}
