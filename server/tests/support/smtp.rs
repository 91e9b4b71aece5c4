//! A real SMTP server for the mail tests: aiosmtpd (PyPI) on a free port, storing each message
//! it receives as a Maildir file; killed on drop.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
};

pub struct Server {
    pub port: u16,
    maildir: PathBuf,
    child: Child,
}

impl Server {
    pub fn start() -> Self {
        Self::start_on(super::free_port())
    }

    pub fn start_on(port: u16) -> Self {
        let maildir = std::env::temp_dir().join(format!("district-smtp-{}", uuid::Uuid::new_v4()));
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (make test installs it)");
        super::wait_for_port(port, "aiosmtpd");
        Self {
            port,
            maildir,
            child,
        }
    }

    /// Every message received so far, raw, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.maildir.join("new"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort_by_key(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// A message's header value (the first of that name).
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    let head = message.split("\n\n").next().unwrap_or(message);
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// A message's body, with quoted-printable soft line breaks and `=3D` undone.
pub fn body(message: &str) -> String {
    let message = message.replace("\r\n", "\n");
    let body = message.split_once("\n\n").map_or("", |(_, body)| body);
    body.replace("=\n", "").replace("=3D", "=")
}
