//! Stand-ins for the phone services, speaking their wire formats on ports of their own:
//! Twilio's Messages API (form posts under HTTP basic auth), and Firebase Cloud Messaging's
//! HTTP v1 API with the OAuth token endpoint a service account signs in at, which checks the
//! account's RS256-signed JWT against its public key (a key pair made by openssl per test).

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
    Form, Json, Router,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    path::PathBuf,
    process::Command,
    sync::{Arc, Mutex},
};

/// A device token the FCM stand-in answers as unregistered.
pub const GONE_DEVICE: &str = "gone-device";
const ACCESS_TOKEN: &str = "ya29.stand-in";

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

#[derive(Clone, Default)]
pub struct Twilio {
    pub base: String,
    texts: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl Twilio {
    /// Takes messages for `sid` signed with `token`; anything else gets Twilio's 401.
    pub async fn start(sid: &'static str, token: &'static str) -> Self {
        let texts: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
        let expected = format!("Basic {}", base64_encode(&format!("{sid}:{token}")));
        let kept = texts.clone();
        let router = Router::new().route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(
                move |Path(account): Path<String>,
                      headers: HeaderMap,
                      Form(form): Form<HashMap<String, String>>| async move {
                    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
                    if account != sid || auth != Some(expected.as_str()) {
                        let body = json!({"code": 20003, "message": "Authenticate", "status": 401});
                        return (StatusCode::UNAUTHORIZED, Json(body));
                    }
                    kept.lock().unwrap().push(form.clone());
                    let body = json!({"sid": "SM00000000000000000000000000000000",
                                      "status": "queued", "to": form.get("To"), "body": form.get("Body")});
                    (StatusCode::CREATED, Json(body))
                },
            ),
        );
        Self {
            base: serve(router).await,
            texts,
        }
    }

    /// Every message taken: its form fields (`To`, `From`, `Body`).
    pub fn texts(&self) -> Vec<HashMap<String, String>> {
        self.texts.lock().unwrap().clone()
    }
}

fn base64_encode(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[derive(Clone)]
struct Fcm {
    public_key: Vec<u8>,
    token_uri: String,
    client_email: String,
    pushes: Arc<Mutex<Vec<Value>>>,
    sign_ins: Arc<Mutex<usize>>,
}

pub struct FcmStandIn {
    pub base: String,
    /// The service account's JSON key, as FCM_SERVICE_ACCOUNT_FILE names it.
    pub key_file: PathBuf,
    state: Fcm,
}

impl FcmStandIn {
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("district-fcm-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let (private, public) = rsa_pair(&dir);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Fcm {
            public_key: public,
            token_uri: format!("{base}/token"),
            client_email: "district@district-test.iam.gserviceaccount.com".into(),
            pushes: Arc::default(),
            sign_ins: Arc::default(),
        };
        let key_file = dir.join("service-account.json");
        let account = json!({
            "type": "service_account",
            "project_id": "district-test",
            "private_key_id": "stand-in",
            "private_key": std::fs::read_to_string(&private).unwrap(),
            "client_email": state.client_email,
            "token_uri": state.token_uri,
        });
        std::fs::write(&key_file, account.to_string()).unwrap();
        let router = Router::new()
            .route("/token", post(sign_in))
            .route("/v1/projects/{project}/messages:send", post(send))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            base,
            key_file,
            state,
        }
    }

    /// Every message pushed, as FCM received it (`{"message": {...}}`).
    pub fn pushes(&self) -> Vec<Value> {
        self.state.pushes.lock().unwrap().clone()
    }

    /// How many times the service account signed in.
    pub fn sign_ins(&self) -> usize {
        *self.state.sign_ins.lock().unwrap()
    }
}

/// Google's OAuth token endpoint for service accounts: a JWT bearer grant, signed by the key.
async fn sign_in(
    State(fcm): State<Fcm>,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let refused = |why: &str| {
        let body = json!({"error": "invalid_grant", "error_description": why});
        (StatusCode::BAD_REQUEST, Json(body))
    };
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return refused("grant_type");
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[&fcm.token_uri]);
    validation.set_issuer(&[&fcm.client_email]);
    let key = DecodingKey::from_rsa_pem(&fcm.public_key).unwrap();
    let assertion = form.get("assertion").cloned().unwrap_or_default();
    match jsonwebtoken::decode::<Value>(&assertion, &key, &validation) {
        Ok(token)
            if token.claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging" =>
        {
            *fcm.sign_ins.lock().unwrap() += 1;
            let body =
                json!({"access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"});
            (StatusCode::OK, Json(body))
        }
        Ok(_) => refused("scope"),
        Err(err) => refused(&err.to_string()),
    }
}

/// FCM's `messages:send`: 401 without the access token, 404 UNREGISTERED for a gone device.
async fn send(
    State(fcm): State<Fcm>,
    Path(project): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(bearer.as_str()) {
        let body = json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}});
        return (StatusCode::UNAUTHORIZED, Json(body));
    }
    if body["message"]["token"] == GONE_DEVICE {
        let body = json!({"error": {"code": 404, "status": "NOT_FOUND",
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                         "errorCode": "UNREGISTERED"}]}});
        return (StatusCode::NOT_FOUND, Json(body));
    }
    fcm.pushes.lock().unwrap().push(body);
    let name = format!(
        "projects/{project}/messages/{}",
        fcm.pushes.lock().unwrap().len()
    );
    (StatusCode::OK, Json(json!({ "name": name })))
}

/// An RSA key pair made by openssl in `dir`: the private key's file and the public key (PEM).
pub fn rsa_pair(dir: &std::path::Path) -> (PathBuf, Vec<u8>) {
    let private = dir.join("key.pem");
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&private)
        .status()
        .expect("openssl");
    assert!(made.success());
    let public = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .output()
        .unwrap();
    assert!(public.status.success());
    (private, public.stdout)
}
