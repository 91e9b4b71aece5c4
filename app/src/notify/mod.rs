//! Email, SMS and push delivery. Real transports (SMTP, Twilio, Firebase Cloud Messaging) when
//! configured; otherwise messages go to the log, or to files in MAIL_DIR so a person or a test
//! can follow the links.

mod events;
mod letter;
mod push;

pub use events::{Channel, Notifications};
pub use letter::{escape, Image, Letter, Link, IMAGE_ID};
pub use push::{Push, Pushed, ServiceAccount};

use lettre::{
    message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SendError(String);

fn fail(err: impl std::fmt::Display) -> SendError {
    SendError(err.to_string())
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// One text file per message.
    Files(PathBuf),
    /// Development prints the whole message (links included); production only notes that a
    /// message could not be sent, since its links are secrets.
    Log { show_body: bool },
}

/// SMTP settings as configured; `host` absent means no SMTP.
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub credentials: Option<(String, String)>,
    pub from: String,
}

words! {
    /// How the connection to the SMTP server is protected.
    pub enum SmtpTls {
        /// Plain first, then STARTTLS, which the server must offer (port 587).
        StartTls = "starttls",
        /// TLS from the first byte (port 465).
        Tls = "tls",
        /// None at all: only for a server on this machine or a private network.
        Plain = "none",
    }
}

impl Mailer {
    pub fn smtp(settings: SmtpSettings) -> Result<Self, SendError> {
        type Transport = AsyncSmtpTransport<Tokio1Executor>;
        let builder = match settings.tls {
            SmtpTls::StartTls => Transport::starttls_relay(&settings.host).map_err(fail)?,
            SmtpTls::Tls => Transport::relay(&settings.host).map_err(fail)?,
            SmtpTls::Plain => Transport::builder_dangerous(&settings.host),
        };
        let mut builder = builder.port(settings.port);
        if let Some((user, password)) = settings.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Self::Smtp {
            transport: builder.build(),
            from: settings.from.parse().map_err(fail)?,
        })
    }

    pub async fn send(&self, to: &str, letter: &Letter) -> Result<(), SendError> {
        let (subject, body) = (&letter.subject, letter.text());
        match self {
            Self::Smtp { transport, from } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(to.parse().map_err(fail)?)
                    .subject(subject)
                    .message_id(
                        letter
                            .message_id
                            .as_ref()
                            .map(|id| format!("<{id}@{}>", from.email.domain())),
                    )
                    .multipart(parts(letter, body))
                    .map_err(fail)?;
                transport.send(message).await.map(|_| ()).map_err(fail)
            }
            Self::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(fail)?;
                let name = format!(
                    "{}-{}.txt",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
                    to
                );
                let text = format!("To: {to}\nSubject: {subject}\n\n{body}\n");
                tokio::fs::write(dir.join(name), text).await.map_err(fail)
            }
            Self::Log { show_body: true } => {
                tracing::info!(%to, %subject, body, "email (log transport)");
                Ok(())
            }
            Self::Log { show_body: false } => {
                tracing::warn!(%to, %subject, "email not sent: no SMTP configured");
                Ok(())
            }
        }
    }
}

/// Plain text and HTML as alternatives; an image goes with the HTML, related to it.
fn parts(letter: &Letter, text: String) -> MultiPart {
    let html = SinglePart::html(letter.html());
    let alternative = MultiPart::alternative().singlepart(SinglePart::plain(text));
    match &letter.image {
        None => alternative.singlepart(html),
        Some(image) => alternative.multipart(MultiPart::related().singlepart(html).singlepart(
            Attachment::new_inline(IMAGE_ID.to_owned()).body(
                image.png.clone(),
                ContentType::parse("image/png").expect("a type"),
            ),
        )),
    }
}

/// What a phone shows: an SMS or a push notification, made from the email of the same news.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Who it is from, in the letter's language.
    pub from: String,
    pub title: String,
    pub body: String,
    /// Where tapping it leads.
    pub link: String,
}

impl Note {
    pub fn from_letter(letter: &Letter) -> Self {
        Self {
            from: crate::i18n::tr(letter.lang, "site-name"),
            title: letter.subject.clone(),
            body: letter.paragraphs.first().cloned().unwrap_or_default(),
            link: letter
                .link
                .as_ref()
                .map(|l| l.url.clone())
                .unwrap_or_default(),
        }
    }

    /// As an SMS: the title and the link, which says the rest.
    pub fn text(&self) -> String {
        format!("{}: {}. {}", self.from, self.title, self.link)
    }
}

#[derive(Clone)]
pub enum Sms {
    Twilio {
        client: reqwest::Client,
        api_base: String,
        account_sid: String,
        auth_token: String,
        from: String,
    },
    /// Like the mail log: the code itself only outside production.
    Log { show_body: bool },
}

impl Sms {
    pub async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        match self {
            Self::Twilio {
                client,
                api_base,
                account_sid,
                auth_token,
                from,
            } => {
                let url = format!("{api_base}/2010-04-01/Accounts/{account_sid}/Messages.json");
                let response = client
                    .post(url)
                    .basic_auth(account_sid, Some(auth_token))
                    .form(&[("To", to), ("From", from.as_str()), ("Body", text)])
                    .send()
                    .await
                    .map_err(fail)?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(SendError(format!("Twilio answered {}", response.status())))
                }
            }
            Self::Log { show_body: true } => {
                tracing::info!(%to, text, "sms (log transport)");
                Ok(())
            }
            Self::Log { show_body: false } => {
                let to = format!("…{}", &to[to.len().saturating_sub(4)..]);
                tracing::warn!(%to, "sms not sent: no Twilio credentials configured");
                Ok(())
            }
        }
    }
}
