//! End to end: the real binary in a pseudo-terminal walks the whole wizard on the sandbox
//! account, quits, and leaves a saved session and a restored terminal.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    /// Kept open: dropping the master side hangs the terminal up.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `needle`; fails with the screen when it does not.
    fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.text().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("waited for {needle:?}; the screen shows:\n{}", self.text());
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let the wizard draw before the next key, as a person would.
        std::thread::sleep(Duration::from_millis(60));
    }
}

/// The binary in a 120x40 pseudo-terminal on the sandbox, with its state under `home`.
fn start(
    home: &std::path::Path,
    session: &str,
) -> (Screen, Box<dyn portable_pty::Child + Send + Sync>) {
    start_with(home, &["--sandbox", "--session", session])
}

/// The binary with `args` in a 120x40 pseudo-terminal, with its state under `home`.
fn start_with(
    home: &std::path::Path,
    args: &[&str],
) -> (Screen, Box<dyn portable_pty::Child + Send + Sync>) {
    let state = home.join("state");
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_connect-sso"));
    cmd.args(args);
    cmd.env_clear();
    cmd.env("HOME", home);
    cmd.env("XDG_STATE_HOME", &state);
    cmd.env("TERM", "xterm-256color");
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
    let raw = Arc::new(Mutex::new(Vec::new()));
    let mut reader = pair.master.try_clone_reader().unwrap();
    {
        let parser = parser.clone();
        let raw = raw.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
                raw.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
    }
    let screen = Screen {
        parser,
        raw,
        writer: pair.master.take_writer().unwrap(),
        _master: pair.master,
    };
    (screen, child)
}

#[test]
fn the_wizard_completes_on_the_sandbox_and_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    let (mut s, mut child) = start(home.path(), "e2e");

    s.wait_for("111122223333");
    s.send("\r");
    s.wait_for("Check the prerequisites");
    s.send("r");
    s.wait_for("uses SAML 2.0");

    s.send("n");
    s.wait_for("Add a custom SAML 2.0 application");
    s.send("eE2E Connect\r\r");
    s.send("d");
    s.wait_for("Found:");

    s.send("n");
    s.wait_for("Download the IAM Identity Center SAML metadata");
    // The sandbox hands out its application's metadata file: the path is filled in.
    s.send("r");
    s.wait_for("Entity id:");

    // The console pages are forms on the sandbox: the attendee pastes (bracketed paste) or
    // types each value, Ctrl-S saves the page.
    let setup =
        connect_sso::domain::setup::Setup::from_answers(&connect_sso::domain::setup::Answers {
            instance_arn: Some(connect_sso::cloud::sandbox::SANDBOX_INSTANCE_ARN.into()),
            ..Default::default()
        })
        .unwrap();
    let paste = |v: &str| format!("\x1b[200~{v}\x1b[201~");
    s.send("n");
    s.wait_for("ACS URL");
    s.send("d");
    s.wait_for("Sandbox console");
    s.send(&paste(setup.acs_url()));
    s.send("\t");
    s.send(setup.audience());
    s.send("\x13");
    s.wait_for("Application SAML audience: urn:amazon:webservices");

    for (title, result) in [
        (
            "Create the IAM SAML identity provider",
            "SAML provider created",
        ),
        (
            "Create the IAM policy for Connect federation",
            "policy created",
        ),
        (
            "Create the IAM role that trusts the provider",
            "role created",
        ),
    ] {
        s.send("n");
        s.wait_for(title);
        s.send("r");
        s.wait_for(result);
    }
    s.send("n");
    s.wait_for("Set the relay state");
    s.send("d");
    s.wait_for("Sandbox console");
    s.send(&paste(&setup.relay_state(None)));
    s.send("\x13");
    s.wait_for("Saved in the sandbox");
    s.send("n");
    s.wait_for("Map the SAML attributes");
    s.send("d");
    s.wait_for("Sandbox console");
    // The Subject replaces Identity Center's default; its format is chosen from a menu.
    s.send("\x15${user:email}\t\x1b[D\x1b[D\t");
    let rows = setup.attribute_mappings();
    for m in &rows[1..] {
        s.send(&paste(m.attribute));
        s.send("\t");
        s.send(&paste(&m.value));
        s.send("\t\t");
    }
    s.send("\x13");
    s.wait_for("Subject → ${user:email} (emailAddress)");
    s.send("n");
    s.wait_for("Assign users to the application");
    // Enter keeps the users and moves to the groups field; Enter again keeps it empty.
    s.send("emaria.garcia@example.com\r\r");
    s.send("r");
    s.wait_for("maria.garcia@example.com: assignment created");
    s.send("n");
    s.wait_for("Verify the sign-in");
    // A simulated sign-in: the sandbox's Identity Center signs a response for maria
    // (Ctrl-G), then STS and Connect are asked whether it signs her in (Ctrl-T).
    s.send("i");
    s.send("\x07");
    s.wait_for("The sandbox's Identity Center signed a response");
    s.send("\x14");
    s.wait_for("signed in maria.garcia@example.com");
    s.send("\x1b");
    s.send("q");

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "the wizard did not exit after q");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    std::thread::sleep(Duration::from_millis(200));

    // The terminal is restored: alternate screen left, cursor shown.
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("the wizard used the alternate screen");
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was left");
    assert!(left > entered);
    assert!(raw[left..].contains("\x1b[?25h") || raw.rfind("\x1b[?25h").unwrap() > entered);

    // The session is saved, private, and records the progress.
    let file = state.join("connect-sso/sessions/e2e.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    let statuses = saved["statuses"].as_array().unwrap();
    let status_of = |id: &str| {
        statuses
            .iter()
            .find(|s| s[0] == id)
            .map(|s| s[1].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status_of("prerequisites"), "verified");
    assert_eq!(status_of("1"), "verified");
    assert_eq!(status_of("6c"), "done");
    assert_eq!(status_of("11"), "done");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(
        !text.contains("AWS_SECRET"),
        "no credentials in the session"
    );

    // The sandbox account is kept for the next run, with what the wizard made in it, and the
    // assignment is in the sandbox's own ledger.
    let sandbox = state.join("connect-sso/sandbox");
    let account = std::fs::read_to_string(sandbox.join("account.json")).unwrap();
    assert!(account.contains("role/ConnectSSO-5f8c2a4e"), "{account}");
    assert!(account.contains("saml-provider/IdentityCenter-Connect-5f8c2a4e"));
    let ledger = std::fs::read_to_string(sandbox.join("ledger.json")).unwrap();
    assert!(ledger.contains("maria.garcia@example.com"), "{ledger}");
}

fn signal(child: &(dyn portable_pty::Child + Send + Sync), name: &str) {
    let pid = child.process_id().expect("the wizard's pid");
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
    std::thread::sleep(Duration::from_millis(300));
}

/// Waits for the wizard to end; its terminal must be back: the alternate screen left after
/// it was last entered.
fn ends_restored(s: &Screen, child: &mut Box<dyn portable_pty::Child + Send + Sync>, how: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the wizard did not end after {how}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
    let entered = raw.rfind("\x1b[?1049h").expect("alternate screen used");
    let left = raw.rfind("\x1b[?1049l").expect("alternate screen left");
    assert!(
        left > entered,
        "after {how} the alternate screen is still on"
    );
}

#[cfg(unix)]
#[test]
fn signals_restore_the_terminal_and_a_continued_wizard_redraws() {
    let home = tempfile::tempdir().unwrap();
    let (mut s, mut child) = start(home.path(), "signals");
    s.wait_for("111122223333");
    s.send("\r");
    s.wait_for("Check the prerequisites");

    // SIGTSTP: the terminal is given back, then the process stops.
    let before = s.raw.lock().unwrap().len();
    signal(&*child, "TSTP");
    let stopped = String::from_utf8_lossy(&s.raw.lock().unwrap()[before..]).into_owned();
    assert!(
        stopped.contains("\x1b[?1049l"),
        "alternate screen left on SIGTSTP"
    );
    // SIGCONT: the screen is taken again and drawn whole.
    let before = s.raw.lock().unwrap().len();
    signal(&*child, "CONT");
    s.wait_for("Check the prerequisites");
    let resumed = String::from_utf8_lossy(&s.raw.lock().unwrap()[before..]).into_owned();
    assert!(
        resumed.contains("\x1b[?1049h"),
        "alternate screen entered again"
    );
    assert!(
        resumed.contains("Check the prerequisites"),
        "the screen is redrawn"
    );
    // Keys work again.
    s.send("n");
    s.wait_for("Add a custom SAML 2.0 application");

    // v: the selected value alone on the normal screen, on one line for the mouse; any key
    // brings the wizard back.
    s.send("b");
    s.wait_for("Check the prerequisites");
    let before = s.raw.lock().unwrap().len();
    s.send("v");
    s.wait_for("Select it with the mouse");
    let shown = String::from_utf8_lossy(&s.raw.lock().unwrap()[before..]).into_owned();
    assert!(
        shown.contains("\x1b[?1049l"),
        "the alternate screen is left"
    );
    assert!(
        shown.contains("arn:aws:connect:us-east-1:111122223333:instance/5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b\r\n"),
        "the ARN is written whole: {shown:?}"
    );
    s.send("\r");
    s.wait_for("Check the prerequisites");

    signal(&*child, "INT");
    ends_restored(&s, &mut child, "SIGINT");

    let (s, mut child) = start(home.path(), "signals-term");
    s.wait_for("111122223333");
    signal(&*child, "TERM");
    ends_restored(&s, &mut child, "SIGTERM");
}

#[test]
fn a_long_command_shows_a_spinner_on_a_terminal_and_clears_it() {
    let home = tempfile::tempdir().unwrap();
    let (s, mut child) = start_with(
        home.path(),
        &["doctor", "--sandbox", "--sandbox-latency-ms", "300"],
    );
    s.wait_for("checking the sign-in chain");
    s.wait_for("Sign-in will not work yet");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "doctor did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !s.text().contains("checking the sign-in chain"),
        "the spinner is cleared before the report:\n{}",
        s.text()
    );

    // Without a terminal: nothing extra on standard error.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(["doctor", "--sandbox"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&o.stderr).contains("checking"));
}
