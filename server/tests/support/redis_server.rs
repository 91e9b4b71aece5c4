//! A private redis-server on a free port, killed on drop, for tests that take Redis away.

use std::process::{Child, Command, Stdio};

pub struct Server {
    port: u16,
    child: Child,
}

impl Server {
    pub fn start() -> Self {
        Self::start_on(super::free_port())
    }

    /// On `port`, as a Redis that was down comes back.
    pub fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (make test installs it)");
        super::wait_for_port(port, "redis-server");
        Self { port, child }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
