//! A `moto_server` (PyPI `moto[server]`) on a free loopback port, for testing `SdkCloud`
//! against something that speaks the AWS protocols. One server per `MotoServer`, stopped on
//! drop, so tests running in parallel threads never see each other's resources.
//!
//! Without `moto_server` on PATH, `start` prints a loud SKIPPED line and returns `None`,
//! except with `CI=true`, where a missing server fails the test.

// Each test binary that includes `common` uses only some of these.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
use connect_sso::cloud::sdk::{Profiles, SdkCloud};

/// The account moto puts everything in.
pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
/// The Connect instance of the moto tests' setup (moto needs none to exist for IAM and STS).
pub const INSTANCE_ID: &str = "12345678-90ab-cdef-1234-567890abcdef";

/// A setup for an instance in moto's account, with the default names.
pub fn setup() -> connect_sso::domain::setup::Setup {
    connect_sso::domain::setup::Setup::from_answers(&connect_sso::domain::setup::Answers {
        instance_arn: Some(format!(
            "arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"
        )),
        ..Default::default()
    })
    .expect("valid answers")
}
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

pub struct MotoServer {
    child: Child,
    port: u16,
    /// Holds the server's log and its empty HOME; removed on drop.
    dir: tempfile::TempDir,
}

impl MotoServer {
    /// Starts a server, or returns `None` when `moto_server` is not installed (outside CI).
    pub fn start() -> Option<MotoServer> {
        let Some(program) = find_on_path("moto_server") else {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !ci,
                "moto_server not found on PATH and CI=true: pip install 'moto[server]'"
            );
            // Straight to stderr: libtest captures `eprintln!`, and a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n==== SKIPPED: moto_server not found; pip install 'moto[server]' ====\n"
            );
            return None;
        };
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("moto.log")).expect("log file");
        let log_err = log.try_clone().expect("log file handle");
        let child = Command::new(program)
            .args(["-p", &port.to_string(), "-H", "127.0.0.1"])
            // Keep the developer's AWS files and settings out of the server.
            .env("HOME", dir.path())
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .expect("moto_server starts");
        let mut server = MotoServer { child, port, dir };
        server.wait_until_ready();
        Some(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A config that talks only to this server: fixed test credentials, region and
    /// endpoint, one attempt, short timeouts; nothing is read from the environment or
    /// from ~/.aws, so tests in parallel threads cannot disturb each other.
    pub fn sdk_config(&self) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(self.endpoint())
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "testing", "testing", None, None, "moto",
            )))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .operation_timeout(Duration::from_secs(30))
                    .build(),
            )
            .build()
    }

    /// `SdkCloud` with both contexts on this server.
    pub fn sdk_cloud(&self) -> SdkCloud {
        SdkCloud::from_configs(self.sdk_config(), self.sdk_config(), Profiles::default())
    }

    /// Forgets every resource (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let status = http_request(self.port, "POST", "/moto-api/reset")
            .unwrap_or_else(|e| panic!("moto reset: {e}\n{}", self.log()));
        assert_eq!(status, 200, "moto reset answered {status}");
    }

    /// The server's output so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("moto.log")).unwrap_or_default()
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("moto_server exited with {status}:\n{}", self.log());
            }
            if http_request(self.port, "GET", "/moto-api/data.json").is_ok_and(|s| s == 200) {
                return;
            }
            assert!(
                started.elapsed() < STARTUP_TIMEOUT,
                "moto_server did not answer on port {} within {STARTUP_TIMEOUT:?}:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        // The shim execs into the Python process, so this pid is the server itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &std::path::Path) -> bool {
    path.is_file()
}

/// A port nobody listens on now. The OS picks it; the listener closes before moto binds,
/// a race that loses only if another process grabs that very port in between.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A minimal HTTP/1.1 request; returns the status code. Enough for moto's control API
/// without pulling an HTTP client into the dev-dependencies.
fn http_request(port: u16, method: &str, path: &str) -> std::io::Result<u16> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    // "HTTP/1.1 200"
    std::str::from_utf8(&head[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("not an HTTP response"))
}
