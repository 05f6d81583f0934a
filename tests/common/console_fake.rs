//! A loopback HTTP fake of the IAM Identity Center console API (JSON 1.1 over HTTP): it
//! records every request (target header, path, signature, body) and answers in the shapes of
//! the public model, keeping application instances as the API describes them. Shared by the
//! client tests (`console_api.rs`) and the contract tests run on it and on the sandbox
//! (`console_contract.rs`).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_json::{Value, json};

use connect_sso::cloud::console::ConsoleClient;

pub const METADATA: &str = include_str!("../fixtures/metadata/idc-metadata.xml");

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub target: String,
    pub content_type: String,
    pub authorization: String,
    pub body: Value,
}

#[derive(Default)]
pub struct State {
    pub base: String,
    pub instances: BTreeMap<String, Value>,
    /// What step 10 last received, per instance (no read of it exists).
    pub responses: BTreeMap<String, (Value, Value)>,
    pub seen: Vec<Seen>,
    /// The profiles of each instance (`ListProfiles`), none unless a test adds them.
    pub profiles: BTreeMap<String, Vec<String>>,
    /// Answers forced for an operation: (status, body).
    pub forced: HashMap<String, (u16, String)>,
    pub next: u64,
}

#[derive(Clone)]
pub struct Fake {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, code: &str, message: &str) -> (u16, String) {
    (
        status,
        json!({ "__type": format!("com.amazonaws.swbservice#{code}"), "message": message })
            .to_string(),
    )
}

impl Fake {
    pub fn start() -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let fake = Fake {
            state: Arc::new(Mutex::new(State {
                base,
                ..State::default()
            })),
        };
        let served = fake.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let fake = served.clone();
                std::thread::spawn(move || fake.serve(stream));
            }
        });
        fake
    }

    pub fn base(&self) -> String {
        self.state.lock().unwrap().base.clone()
    }

    pub fn force(&self, operation: &str, answer: (u16, String)) {
        self.state
            .lock()
            .unwrap()
            .forced
            .insert(operation.to_string(), answer);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn targets(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.target).collect()
    }

    pub fn clear(&self) {
        self.state.lock().unwrap().seen.clear();
    }

    fn serve(&self, stream: std::net::TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        reader.read_exact(&mut body).unwrap();
        let (status, content_type, answer) = if method == "GET" {
            match path.strip_prefix("/saml/metadata/") {
                Some(_) => (200, "application/xml", METADATA.to_string()),
                None => (404, "text/plain", String::new()),
            }
        } else {
            let seen = Seen {
                method,
                path,
                target: headers.get("x-amz-target").cloned().unwrap_or_default(),
                content_type: headers.get("content-type").cloned().unwrap_or_default(),
                authorization: headers.get("authorization").cloned().unwrap_or_default(),
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            };
            let (status, answer) = self.answer(seen);
            (status, "application/x-amz-json-1.1", answer)
        };
        let mut out = stream;
        let _ = write!(
            out,
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
    }

    fn answer(&self, seen: Seen) -> (u16, String) {
        let mut s = self.state.lock().unwrap();
        s.seen.push(seen.clone());
        let Some(op) = seen.target.strip_prefix("SWBService.") else {
            return error(400, "UnknownOperationException", "no such target");
        };
        if seen.path != "/control/" {
            return (404, "not here".to_string());
        }
        if let Some(forced) = s.forced.get(op) {
            return forced.clone();
        }
        let b = &seen.body;
        let id = b["instanceId"].as_str().unwrap_or("").to_string();
        let known = s.instances.contains_key(&id);
        let ok = |v: Value| (200, v.to_string());
        let missing = || {
            error(
                400,
                "ResourceNotFoundException",
                "the instance does not exist",
            )
        };
        match op {
            "ListApplicationInstances" => ok(json!({
                "applicationInstances": s.instances.values().cloned().collect::<Vec<_>>()
            })),
            "GetApplicationInstance" if known => {
                ok(json!({ "applicationInstance": s.instances[&id] }))
            }
            "CreateApplicationInstance" => {
                if b["templateId"].as_str().is_none() || b["name"].as_str().is_none() {
                    return error(
                        400,
                        "ValidationException",
                        "templateId and name are required",
                    );
                }
                s.next += 1;
                let id = format!("ins-{:016x}", 0xab00 + s.next);
                let instance = json!({
                    "instanceId": id,
                    "display": {},
                    "status": "DISABLED",
                    "template": { "templateId": b["templateId"], "sSOProtocol": "SAML" },
                    "identityProviderConfig": {
                        "metadataUrl": format!("{}/saml/metadata/{id}", s.base),
                        "issuerUrl": "https://portal.sso.eu-west-2.amazonaws.com/saml/assertion/x",
                    },
                });
                s.instances.insert(id.clone(), instance);
                ok(json!({ "applicationInstance": { "instanceId": id } }))
            }
            "UpdateApplicationInstanceDisplayData" if known => {
                let i = s.instances.get_mut(&id).unwrap();
                i["display"]["displayName"] = b["displayName"].clone();
                if b.get("description").is_some() {
                    i["display"]["description"] = b["description"].clone();
                }
                ok(json!({}))
            }
            "UpdateApplicationInstanceStatus" if known => {
                s.instances.get_mut(&id).unwrap()["status"] = b["status"].clone();
                ok(json!({}))
            }
            "UpdateApplicationInstanceServiceProviderConfiguration" if known => {
                s.instances.get_mut(&id).unwrap()["serviceProviderConfig"] =
                    b["serviceProviderConfig"].clone();
                ok(json!({}))
            }
            "UpdateApplicationInstanceResponseConfiguration" if known => {
                s.responses.entry(id).or_default().0 = b["responseConfig"].clone();
                ok(json!({}))
            }
            "UpdateApplicationInstanceResponseSchemaConfiguration" if known => {
                s.responses.entry(id).or_default().1 = b["responseSchemaConfig"].clone();
                ok(json!({}))
            }
            "ListApplicationInstanceCertificates" if known => ok(json!({ "certificates": [
                { "certificateId": "c-1", "status": "ACTIVE", "type": "SAML" }
            ] })),
            "ListProfiles" if known => {
                let profiles: Vec<Value> = s
                    .profiles
                    .get(&id)
                    .into_iter()
                    .flatten()
                    .map(|p| json!({ "profileId": p, "name": "Default", "status": "ENABLED" }))
                    .collect();
                ok(json!({ "applicationProfiles": profiles }))
            }
            "DeleteProfile" if known => {
                let profile = b["profileId"].as_str().unwrap_or("").to_string();
                let profiles = s.profiles.entry(id).or_default();
                match profiles.iter().position(|p| *p == profile) {
                    Some(i) => {
                        profiles.remove(i);
                        ok(json!({}))
                    }
                    None => error(400, "ResourceNotFoundException", "no such profile"),
                }
            }
            "DeleteApplicationInstance" if known => {
                if s.profiles.get(&id).is_some_and(|p| !p.is_empty()) {
                    return error(400, "ConflictException", "delete the profiles first");
                }
                s.instances.remove(&id);
                ok(json!({}))
            }
            "GetApplicationInstance"
            | "UpdateApplicationInstanceDisplayData"
            | "UpdateApplicationInstanceStatus"
            | "UpdateApplicationInstanceServiceProviderConfiguration"
            | "UpdateApplicationInstanceResponseConfiguration"
            | "UpdateApplicationInstanceResponseSchemaConfiguration"
            | "ListApplicationInstanceCertificates"
            | "ListProfiles"
            | "DeleteProfile"
            | "DeleteApplicationInstance" => missing(),
            _ => error(400, "UnknownOperationException", "unknown operation"),
        }
    }
}

pub fn client(fake: &Fake) -> ConsoleClient {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-2"))
        .endpoint_url(fake.base())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDCONSOLETEST",
            "secret",
            None,
            None,
            "test",
        )))
        .build();
    ConsoleClient::from_config(&config, Some("idc".to_string())).unwrap()
}
