//! Headless driver: key events go through `update`, commands through the effect runner on
//! the sandbox account, results come back as messages; the whole guide is walked.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use connect_sso::app::effects::Effects;
use connect_sso::app::{Focus, Key, Mode, Msg, Saved, State, StepStatus, update};
use connect_sso::cloud::sandbox::{
    Fault, FaultKind, SANDBOX_INSTANCE_ARN, Sandbox, SandboxOptions,
};
use connect_sso::domain::setup::Answers;
use connect_sso::session;
use tokio::sync::mpsc::unbounded_channel;
// The signed-response kit reaches the response builder through `super`.
use connect_sso::domain::assertion::issue;

#[path = "common/saml.rs"]
mod saml;

/// The app's headless driver on a sandbox account, with a session file in a temporary folder.
struct Driver {
    inner: connect_sso::app::driver::Driver,
    sandbox: Arc<Sandbox>,
    session: PathBuf,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Driver {
    type Target = connect_sso::app::driver::Driver;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Driver {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

impl Driver {
    fn new(options: SandboxOptions) -> Driver {
        Driver::on(|_| Sandbox::with_options(options))
    }

    /// A wizard on a sandbox whose every call takes 30 s; nothing settles.
    fn slow() -> Driver {
        Driver::new(SandboxOptions {
            latency: Duration::from_secs(30),
            faults: Vec::new(),
        })
    }

    /// Ctrl-C on the running action, until its cancellation arrives (at once; the slow
    /// context load may go on in the background).
    async fn cancel(&mut self) {
        self.dispatch(Msg::Key(Key::Ctrl('c')));
        while self.state.busy.is_some() {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
                .await
                .expect("the cancellation arrives at once")
                .unwrap();
            self.dispatch(msg);
        }
    }

    /// On a sandbox account kept in a file, with its ledger of assignments beside it.
    fn with_saved_account() -> Driver {
        Driver::on(|dir| {
            Sandbox::seeded_at(&dir.join("sandbox/account.json"), SandboxOptions::default())
        })
    }

    fn on(sandbox: impl FnOnce(&std::path::Path) -> Sandbox) -> Driver {
        let dir = tempfile::tempdir().unwrap();
        let session = session::session_path(dir.path(), "test");
        let (tx, rx) = unbounded_channel();
        let sandbox = Arc::new(sandbox(dir.path()));
        let effects = Effects::new(
            sandbox.clone(),
            Some(sandbox.clone()),
            tx,
            Some(session.clone()),
            None,
        );
        let answers = Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            ..Answers::default()
        };
        let mut state = State::new(Mode::Sandbox, "test", &answers);
        update(&mut state, Msg::Resize(120, 40));
        Driver {
            inner: connect_sso::app::driver::Driver::new(state, effects, rx),
            sandbox,
            session,
            _dir: dir,
        }
    }

    async fn keys(&mut self, keys: &[Key]) {
        for k in keys {
            self.key(*k).await;
        }
    }

    async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(Key::Char(c)).await;
        }
    }

    /// `d`: on a console step of the sandbox its form opens, and each value is pasted as
    /// the wizard shows it, then saved (Ctrl-S).
    async fn done(&mut self) {
        self.key(Key::Char('d')).await;
        if self.state.overlay == connect_sso::app::Overlay::ConsoleForm {
            self.fill_console_form(|_, shown| shown.to_string()).await;
            self.key(Key::Ctrl('s')).await;
        }
    }

    /// Fills the open console form field by field, pasting what `typed` makes of each
    /// field's label and the wizard's value (a format is chosen from its menu).
    async fn fill_console_form(&mut self, typed: impl Fn(&str, &str) -> String) {
        use connect_sso::app::console_form::FieldKind;
        let n = self.state.console_form.as_ref().unwrap().fields.len();
        for i in 0..n {
            let field = self.state.console_form.as_ref().unwrap().fields[i].clone();
            assert_eq!(self.state.console_form.as_ref().unwrap().focus, i);
            let Some(shown) = field.shown.as_deref() else {
                self.key(Key::Tab).await;
                continue;
            };
            let wanted = typed(&field.label, shown);
            match field.kind {
                FieldKind::Text => {
                    self.key(Key::Ctrl('u')).await;
                    self.dispatch(Msg::Paste(wanted));
                }
                FieldKind::Choice(menu) => {
                    for _ in 0..menu.len() {
                        let form = self.state.console_form.as_ref().unwrap();
                        if form.fields[i].value == wanted {
                            break;
                        }
                        self.key(Key::Right).await;
                    }
                }
            }
            self.key(Key::Tab).await;
        }
    }

    fn step(&self) -> &'static str {
        self.state.step().map_or("start", |s| s.id)
    }

    fn status(&self, id: &str) -> StepStatus {
        self.state.status(id)
    }
}

#[tokio::test]
async fn walks_the_whole_guide_on_the_sandbox() {
    let mut d = Driver::new(SandboxOptions::default());
    d.settle().await;
    assert_eq!(d.step(), "start");

    d.key(Key::Enter).await;
    assert_eq!(d.step(), "prerequisites");
    assert_eq!(
        d.state.focus,
        Focus::Values(0),
        "the instance is already filled in"
    );
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("prerequisites"), StepStatus::Verified);

    d.key(Key::Char('n')).await;
    assert_eq!(d.step(), "1");
    assert_eq!(
        d.state.focus,
        Focus::Values(0),
        "screens open on their keys"
    );
    d.key(Key::Char('e')).await;
    assert_eq!(d.state.focus, Focus::Field(0));
    d.type_text("Workshop Connect").await;
    d.keys(&[Key::Enter, Key::Enter]).await;
    assert!(matches!(d.state.focus, Focus::Values(_)));
    d.done().await;
    assert_eq!(
        d.status("1"),
        StepStatus::Verified,
        "{:?}",
        d.state.reports.get("1")
    );

    d.key(Key::Char('n')).await;
    assert_eq!(d.step(), "2");
    // The sandbox's own metadata, so its Identity Center's signature is trusted.
    let metadata = d._dir.path().join("sandbox-idc.xml");
    std::fs::write(&metadata, d.sandbox.metadata_document()).unwrap();
    d.key(Key::Char('e')).await;
    d.type_text(metadata.to_str().unwrap()).await;
    d.key(Key::Enter).await;
    assert_eq!(
        d.status("2"),
        StepStatus::Verified,
        "{:?}",
        d.state.reports.get("2")
    );
    assert!(d.state.metadata.is_some());

    d.key(Key::Char('n')).await;
    assert_eq!(d.step(), "3-5");
    d.done().await; // the default (global) sign-in endpoint
    assert_eq!(d.status("3-5"), StepStatus::Done);

    for step in ["6a", "6b", "6c"] {
        d.key(Key::Char('n')).await;
        assert_eq!(d.step(), step);
        d.key(Key::Char('r')).await; // with the default name
        assert_eq!(
            d.status(step),
            StepStatus::Done,
            "{step}: {:?}",
            d.state.reports.get(step)
        );
    }
    let snap = d.sandbox.snapshot();
    assert_eq!(
        (
            snap.saml_providers.len(),
            snap.policies.len(),
            snap.roles.len()
        ),
        (1, 1, 1)
    );

    for step in ["7-9", "10"] {
        d.key(Key::Char('n')).await;
        assert_eq!(d.step(), step);
        d.done().await;
        assert_eq!(d.status(step), StepStatus::Done);
    }

    d.key(Key::Char('n')).await;
    assert_eq!(d.step(), "11");
    d.key(Key::Char('e')).await;
    d.type_text("maria.garcia@example.com").await;
    // Enter keeps the users and goes to the groups field; Enter there keeps it empty and
    // leaves the last field: the next key is a command, not text.
    d.key(Key::Enter).await;
    assert_eq!(d.state.focus, Focus::Field(1));
    d.key(Key::Enter).await;
    assert_eq!(d.state.focus, Focus::Values(0));
    d.key(Key::Char('r')).await;
    assert_eq!(
        d.status("11"),
        StepStatus::Done,
        "{:?}",
        d.state.reports.get("11")
    );
    assert_eq!(d.state.users.len(), 1);

    d.key(Key::Char('n')).await;
    assert_eq!(d.step(), "verify");
    d.key(Key::Char('r')).await;
    assert_eq!(
        d.status("verify"),
        StepStatus::Verified,
        "{:?} {:?}",
        d.state.reports.get("verify"),
        d.state.flash
    );
    let verify = &d.state.reports["verify"].lines;
    assert!(
        verify
            .iter()
            .any(|l| l.starts_with("✓ Federation role (6c): trusts arn:aws:iam::")),
        "{verify:?}"
    );
    assert!(
        verify
            .iter()
            .any(|l| l.starts_with("✓ User maria.garcia@example.com: assigned to")),
        "{verify:?}"
    );
    assert!(d.state.doctor.as_ref().is_some_and(|r| r.passed(true)));
    // What next: the same checks from the command line, and how to come back.
    assert!(
        verify.iter().any(
            |l| l.contains("`connect-sso doctor --sandbox --session test`")
                && l.contains("`connect-sso --sandbox --session test` opens this session again")
        ),
        "{verify:?}"
    );
    d.key(Key::Char('n')).await;
    assert_eq!(d.step(), "verify");
    assert!(
        d.state
            .flash
            .as_deref()
            .unwrap()
            .starts_with("This is the last step. q quits")
    );

    // Running 6c again finds nothing to change: verified.
    for _ in 0..4 {
        d.key(Key::Char('b')).await;
    }
    assert_eq!(d.step(), "6c");
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("6c"), StepStatus::Verified);

    d.key(Key::Char('q')).await;
    assert!(d.state.quit);
}

#[tokio::test]
async fn going_back_keeps_what_was_typed() {
    let mut d = Driver::new(SandboxOptions::default());
    d.keys(&[Key::Enter, Key::Char('n'), Key::Char('e')]).await;
    d.type_text("Acme Connect").await;
    d.key(Key::Tab).await;
    d.type_text("for agents").await;
    d.key(Key::PageUp).await;
    assert_eq!(d.step(), "prerequisites");
    d.key(Key::PageDown).await;
    assert_eq!(d.step(), "1");
    let fields = d.state.screen_fields();
    assert_eq!(fields[0].value, "Acme Connect");
    assert_eq!(fields[1].value, "for agents");
}

#[tokio::test]
async fn an_invalid_answer_blocks_going_forward_with_its_message() {
    let mut d = Driver::new(SandboxOptions::default());
    for _ in 0..6 {
        d.key(Key::PageDown).await;
    }
    assert_eq!(d.step(), "6b");
    d.key(Key::Char('e')).await;
    assert_eq!(d.state.focus, Focus::Field(0));
    d.type_text("bad policy/name").await;
    d.key(Key::Enter).await;
    let error = d
        .state
        .field(connect_sso::steps::Input::PolicyName)
        .error
        .clone();
    assert!(
        error.as_deref().is_some_and(|e| e.contains("'/'")),
        "{error:?}"
    );
    d.key(Key::Char('n')).await;
    assert_eq!(d.step(), "6b", "an invalid answer must not be passed");
    assert_eq!(d.state.focus, Focus::Field(0));
    // Going back is always allowed.
    d.key(Key::PageUp).await;
    assert_eq!(d.step(), "6a");
}

#[tokio::test]
async fn a_failed_action_shows_the_fix_and_can_be_retried() {
    let options = SandboxOptions {
        latency: Duration::ZERO,
        faults: vec![Fault::new(
            FaultKind::AccessDenied,
            "iam:CreatePolicy",
            Some(1),
        )],
    };
    let mut d = Driver::new(options);
    for _ in 0..6 {
        d.key(Key::PageDown).await;
    }
    assert_eq!(d.step(), "6b");
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("6b"), StepStatus::Failed);
    let report = d.state.reports.get("6b").unwrap();
    assert!(!report.ok);
    assert!(
        report.lines[0].contains("iam:CreatePolicy"),
        "{:?}",
        report.lines
    );
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("6b"), StepStatus::Done);
}

#[tokio::test]
async fn ctrl_c_cancels_a_running_action() {
    let mut d = Driver::slow();
    // No settling: every call of this sandbox takes 30 s.
    d.dispatch(Msg::Key(Key::Enter));
    d.dispatch(Msg::Key(Key::Char('r')));
    assert!(d.state.busy.is_some());
    assert_eq!(d.status("prerequisites"), StepStatus::InProgress);
    d.cancel().await;
    assert!(d.state.busy.is_none());
    assert!(
        !d.state.quit,
        "Ctrl-C during an action cancels it, it does not quit"
    );
    assert_eq!(d.status("prerequisites"), StepStatus::NotStarted);
}

#[tokio::test]
async fn cancelling_a_step_run_again_keeps_its_result_and_verification() {
    let mut d = Driver::slow();
    d.dispatch(Msg::Key(Key::Enter));
    // As a resumed session has it: the prerequisites checked, then verification passed.
    let line = "Instance workshop-contact-center is ACTIVE and uses SAML 2.0 identity management.";
    d.state
        .statuses
        .insert("prerequisites", StepStatus::Verified);
    d.state.reports.insert(
        "prerequisites",
        connect_sso::app::StepReport {
            ok: true,
            lines: vec![line.to_string()],
        },
    );
    for step in ["prerequisites", "verify"] {
        d.state.refresh_bases();
        let basis = d.state.current_basis(step).cloned().unwrap();
        d.state.bases.insert(step, basis);
    }
    d.state.statuses.insert("verify", StepStatus::Verified);
    d.state.refresh_bases();
    assert_eq!(d.status("verify"), StepStatus::Verified);

    d.dispatch(Msg::Key(Key::Char('r')));
    assert_eq!(d.status("prerequisites"), StepStatus::InProgress);
    assert_eq!(
        d.status("verify"),
        StepStatus::Verified,
        "running a step again does not undo what verification judged"
    );
    d.cancel().await;
    assert_eq!(d.status("prerequisites"), StepStatus::Verified);
    assert_eq!(d.state.reports["prerequisites"].lines, [line]);
    d.assert_flash("keeps its last result");
    assert_eq!(d.status("verify"), StepStatus::Verified);
}

#[tokio::test]
async fn the_session_is_saved_after_every_change_and_resumes() {
    let mut d = Driver::new(SandboxOptions::default());
    d.keys(&[Key::Enter, Key::Char('r'), Key::Char('n'), Key::Char('e')])
        .await;
    d.type_text("Resumed App").await;
    d.key(Key::Enter).await;
    let saved: Saved = match session::load(&d.session).unwrap() {
        session::Loaded::Found(s) => s,
        other => panic!("{other:?}"),
    };
    let mut resumed = State::new(Mode::Sandbox, "test", &Answers::default());
    resumed.restore(saved);
    assert_eq!(resumed.screen, d.state.screen);
    assert_eq!(
        resumed.field(connect_sso::steps::Input::AppName).value,
        "Resumed App"
    );
    assert_eq!(
        resumed.field(connect_sso::steps::Input::Instance).value,
        SANDBOX_INSTANCE_ARN
    );
    assert_eq!(resumed.status("prerequisites"), StepStatus::Verified);
}

#[tokio::test]
async fn instances_are_picked_from_the_list_and_a_non_saml_one_is_explained() {
    let mut d = Driver::new(SandboxOptions::default());
    d.settle().await;
    d.key(Key::Enter).await;
    assert_eq!(d.step(), "prerequisites");
    let values = connect_sso::app::screen_values(&d.state);
    let row = |alias: &str| {
        values
            .iter()
            .position(|(label, _)| label.contains(alias))
            .unwrap_or_else(|| panic!("{alias} not listed: {values:?}"))
    };
    let (legacy, saml) = (row("legacy-directory"), row("workshop-contact-center"));
    for _ in 0..legacy {
        d.key(Key::Down).await;
    }
    d.keys(&[Key::Char('u'), Key::Char('r')]).await;
    assert_eq!(d.status("prerequisites"), StepStatus::Failed);
    let report = &d.state.reports["prerequisites"];
    assert!(
        report.lines[0].contains("cannot change it later"),
        "{report:?}"
    );

    d.state.focus = Focus::Values(saml);
    d.keys(&[Key::Char('u'), Key::Char('r')]).await;
    assert_eq!(d.status("prerequisites"), StepStatus::Verified);
    assert_eq!(
        d.state.field(connect_sso::steps::Input::Instance).value,
        SANDBOX_INSTANCE_ARN
    );
}

#[tokio::test]
async fn a_failed_verification_marks_the_troubleshooting_entries_it_explains() {
    use connect_sso::app::{Overlay, detected_troubles};
    use connect_sso::troubleshoot::TROUBLES;

    let mut d = Driver::new(SandboxOptions::default());
    while d.step() != "verify" {
        d.key(Key::PageDown).await;
    }
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("verify"), StepStatus::Failed);
    let lines = &d.state.reports["verify"].lines;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("✗ SAML provider (6a): the SAML provider does not exist")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("    fix: ")),
        "{lines:?}"
    );
    let detected = detected_troubles(&d.state);
    assert!(
        detected.contains(&"not-authorized-assume-role"),
        "{detected:?}"
    );
    assert!(
        detected.contains(&"federation-token-denied"),
        "{detected:?}"
    );

    d.key(Key::Char('t')).await;
    let first = TROUBLES
        .iter()
        .position(|t| detected.contains(&t.id))
        .unwrap();
    assert_eq!(d.state.overlay, Overlay::Troubles { selected: first });
    assert_eq!(d.state.key_hints()[0], ("↑↓", "select"));
    d.key(Key::Down).await;
    assert_eq!(
        d.state.overlay,
        Overlay::Troubles {
            selected: first + 1
        }
    );
    // Keys meant for the screen do nothing while the list is open.
    d.key(Key::Char('r')).await;
    assert!(d.state.busy.is_none());
    d.key(Key::Esc).await;
    assert_eq!(d.state.overlay, Overlay::None);
}

#[tokio::test]
async fn a_pasted_saml_response_is_checked_in_the_wizard() {
    use connect_sso::app::Overlay;

    let mut d = Driver::new(SandboxOptions::default());
    // Pasting into a field keeps one line of text.
    d.key(Key::PageDown).await;
    d.key(Key::PageDown).await;
    assert_eq!(d.step(), "1");
    d.state.focus = Focus::Field(0);
    d.dispatch(Msg::Paste("Acme Connect\n".to_string()));
    assert_eq!(d.state.screen_fields()[0].value, "Acme Connect");

    while d.step() != "verify" {
        d.key(Key::PageDown).await;
    }
    d.key(Key::Char('i')).await;
    assert_eq!(d.state.overlay, Overlay::Inspect);
    let setup = d.state.setup().unwrap();
    // The Role attribute's name lost its capital letter: AWS ignores it.
    let spec = saml::Spec::new(
        &setup.role_arn(),
        &setup.provider_arn(),
        "maria.garcia@example.com",
        time::OffsetDateTime::now_utc(),
    )
    .rename_attribute(
        saml::ROLE_ATTRIBUTE,
        "https://aws.amazon.com/SAML/Attributes/role",
    );
    let xml = saml::signed(&spec, saml::idc_key(), saml::Sign::Assertion);
    d.dispatch(Msg::Paste(saml::base64(&xml)));
    d.key(Key::Enter).await;
    let report = match &d.state.inspection {
        Some(Ok(r)) => r,
        other => panic!("{other:?}"),
    };
    assert!(report.failed());
    assert!(!report.offline);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.trouble == Some("invalid-saml-response")),
        "{:?}",
        report.findings
    );
    assert!(d.state.flash.as_deref().unwrap().contains("cannot sign in"));

    // Garbage is refused with the reason; Ctrl-U clears; Esc closes and keeps the screen.
    d.key(Key::Ctrl('u')).await;
    assert!(d.state.assertion_text.is_empty());
    d.dispatch(Msg::Paste("<html><body>hello</body></html>".to_string()));
    d.key(Key::Enter).await;
    assert!(matches!(&d.state.inspection, Some(Err(_))));
    // A result that arrives for text no longer in the box is dropped.
    d.key(Key::Ctrl('u')).await;
    d.dispatch(Msg::Paste("PHNhbWxwOlJlc3BvbnNl".to_string()));
    d.dispatch(Msg::Done(connect_sso::app::Done::Inspected {
        text: "something pasted earlier".to_string(),
        result: Err("not a SAMLResponse".to_string()),
    }));
    assert!(d.state.inspection.is_none());
    d.key(Key::Esc).await;
    assert_eq!(d.state.overlay, Overlay::None);
    assert_eq!(d.step(), "verify");
}

impl Driver {
    /// The wizard started again on the same sandbox account and session file, as after
    /// quitting and running `connect-sso --sandbox` again.
    fn resume(self) -> Driver {
        let saved: Saved = match session::load(&self.session).unwrap() {
            session::Loaded::Found(s) => s,
            other => panic!("{other:?}"),
        };
        let (tx, rx) = unbounded_channel();
        let effects = Effects::new(
            self.sandbox.clone(),
            Some(self.sandbox.clone()),
            tx,
            Some(self.session.clone()),
            None,
        );
        let mut state = State::new(Mode::Sandbox, "test", &Answers::default());
        state.restore(saved);
        update(&mut state, Msg::Resize(120, 40));
        Driver {
            inner: connect_sso::app::driver::Driver::new(state, effects, rx),
            sandbox: self.sandbox,
            session: self.session,
            _dir: self._dir,
        }
    }

    /// Goes forward to step `id`; fails (instead of spinning) when it lies behind.
    async fn go_to(&mut self, id: &str) {
        while self.step() != id {
            let last = connect_sso::app::screen_count() - 1;
            assert!(
                self.state.screen < last,
                "step {id} is not ahead of {}",
                self.step()
            );
            self.key(Key::PageDown).await;
        }
    }

    /// Edits the screen's field `i`: replaces its text and leaves it.
    async fn replace_field(&mut self, i: usize, text: &str) {
        self.state.focus = Focus::Field(i);
        self.keys(&[Key::Home, Key::Ctrl('k')]).await;
        self.type_text(text).await;
        self.key(Key::Esc).await;
    }

    /// Step 1 done (the sandbox's console creates the application) and step 2 naming the
    /// sandbox's own metadata, as the wizard writes it for a workshop.
    async fn step_1_and_the_sandboxs_metadata(&mut self) {
        self.go_to("1").await;
        self.done().await;
        let metadata = self._dir.path().join("sandbox-idc.xml");
        std::fs::write(&metadata, self.sandbox.metadata_document()).unwrap();
        self.go_to("2").await;
        self.replace_field(0, metadata.to_str().unwrap()).await;
    }

    /// Step 11 assigns Maria, then verification runs.
    async fn assign_maria_and_verify(&mut self) {
        self.go_to("11").await;
        self.replace_field(0, "maria.garcia@example.com").await;
        self.key(Key::Char('r')).await;
        self.go_to("verify").await;
        self.key(Key::Char('r')).await;
    }

    /// A fresh wizard with its opening work (contexts, metadata) done.
    async fn started() -> Driver {
        let mut d = Driver::new(SandboxOptions::default());
        d.settle().await;
        d
    }

    /// On step 11, with step 1's application created (by `d`) and found.
    async fn on_step_11_with_application() -> Driver {
        let mut d = Driver::started().await;
        d.go_to("1").await;
        d.done().await;
        d.go_to("11").await;
        d
    }

    /// Asserts the status line says `words`.
    fn assert_flash(&self, words: &str) {
        assert!(
            self.state
                .flash
                .as_deref()
                .is_some_and(|f| f.contains(words)),
            "{words:?} not in {:?}",
            self.state.flash
        );
    }

    /// Asserts a step's status, showing its last report when it differs.
    fn assert_status(&self, id: &str, expected: StepStatus) {
        assert_eq!(
            self.status(id),
            expected,
            "{id}: {:?} {:?}",
            self.state.reports.get(id),
            self.state.flash
        );
    }

    /// The sandbox's one custom SAML application (step 1's).
    fn application_arn(&self) -> String {
        self.sandbox
            .snapshot()
            .applications
            .iter()
            .find(|a| a.application.provider_arn == connect_sso::cloud::CUSTOM_SAML_PROVIDER)
            .map(|a| a.application.arn.clone())
            .expect("step 1's application")
    }

    fn applications_named(&self, name: &str) -> usize {
        self.sandbox
            .snapshot()
            .applications
            .iter()
            .filter(|a| a.application.name == name)
            .count()
    }
}

#[tokio::test]
async fn the_default_display_name_is_the_one_checked_and_created_once() {
    let mut d = Driver::started().await;
    d.go_to("1").await;
    let name = d
        .state
        .default_of(connect_sso::steps::Input::AppName)
        .unwrap();
    assert_eq!(name, "Amazon Connect 5f8c2a4e");
    assert!(
        d.state
            .field(connect_sso::steps::Input::AppName)
            .value
            .is_empty()
    );
    d.done().await;
    d.assert_status("1", StepStatus::Verified);
    assert!(d.state.reports["1"].lines[0].starts_with("Found: "));
    // Pressing it again checks the same application instead of adding a second one.
    d.done().await;
    d.key(Key::Char('r')).await;
    assert_eq!(d.applications_named(&name), 1);
    assert_eq!(d.status("1"), StepStatus::Verified);

    d.go_to("11").await;
    d.replace_field(0, "maria.garcia@example.com").await;
    d.key(Key::Char('r')).await;
    d.assert_status("11", StepStatus::Done);
}

#[tokio::test]
async fn results_go_stale_when_their_answers_change_and_block_verification() {
    use connect_sso::cloud::sandbox::SANDBOX_LEGACY_INSTANCE_ARN;

    let mut d = Driver::started().await;
    d.key(Key::Enter).await;
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("prerequisites"), StepStatus::Verified);
    // Step 1 first: the sandbox's console page of 7-9 is its application's.
    d.go_to("1").await;
    d.done().await;
    d.go_to("6b").await;
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("6b"), StepStatus::Done);
    d.go_to("7-9").await;
    d.done().await;
    assert_eq!(d.status("7-9"), StepStatus::Done);

    // Another instance: every result computed for the first one is out of date.
    d.key(Key::Home).await;
    assert_eq!(d.step(), "prerequisites");
    d.replace_field(0, SANDBOX_LEGACY_INSTANCE_ARN).await;
    for id in ["prerequisites", "6b", "7-9"] {
        assert_eq!(d.status(id), StepStatus::Stale, "{id}");
    }
    let flash = d.state.flash.clone().unwrap_or_default();
    assert!(flash.contains("6b") && flash.contains("7-9"), "{flash}");
    assert_eq!(StepStatus::Stale.marker(), ("↻", "stale"));

    // Verification cannot pass while they are stale.
    d.replace_field(0, SANDBOX_INSTANCE_ARN).await;
    assert_eq!(
        d.status("6b"),
        StepStatus::Done,
        "back to the answers it was run with"
    );
    d.go_to("6b").await;
    d.replace_field(0, "OtherPolicyName").await;
    assert_eq!(d.status("6b"), StepStatus::Stale);
    d.go_to("verify").await;
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("verify"), StepStatus::Failed);
    let lines = &d.state.reports["verify"].lines;
    assert!(
        lines
            .iter()
            .any(|l| l.contains("out of date or failed: 6b")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn keys_from_the_help_bar_never_type_into_a_field() {
    let mut d = Driver::started().await;
    d.go_to("6c").await;
    assert_eq!(d.state.focus, Focus::Values(0));
    let hints = d.state.key_hints();
    assert!(hints.contains(&("q", "quit")), "{hints:?}");
    assert!(hints.contains(&("e", "edit")), "{hints:?}");
    // d on a RUN screen says what to press; nothing is typed.
    d.done().await;
    assert!(
        d.state
            .field(connect_sso::steps::Input::RoleName)
            .value
            .is_empty()
    );
    assert!(d.state.flash.as_deref().unwrap().contains("press r"));
    // While a field has focus, the bar says how to leave and how to quit.
    d.key(Key::Char('e')).await;
    let hints = d.state.key_hints();
    assert!(hints.contains(&("Esc", "done editing")), "{hints:?}");
    assert!(hints.contains(&("Ctrl-C", "quit")), "{hints:?}");
    d.key(Key::Esc).await;
    // Enter goes on to the next step; it does not copy.
    d.key(Key::Enter).await;
    assert_eq!(d.step(), "7-9");
    d.key(Key::Char('q')).await;
    assert!(d.state.quit);
    assert!(
        d.state
            .field(connect_sso::steps::Input::RoleName)
            .value
            .is_empty()
    );
}

#[tokio::test]
async fn the_step_list_jumps_and_home_goes_back_to_the_first_step() {
    use connect_sso::app::Overlay;

    let mut d = Driver::started().await;
    d.go_to("verify").await;
    d.key(Key::Home).await;
    assert_eq!(
        d.step(),
        "prerequisites",
        "one key back to the start of the guide"
    );
    d.key(Key::Char('s')).await;
    assert_eq!(d.state.overlay, Overlay::Steps { selected: 1 });
    for _ in 0..3 {
        d.key(Key::Down).await;
    }
    d.key(Key::Enter).await;
    assert_eq!(d.state.overlay, Overlay::None);
    assert_eq!(d.step(), "3-5");
}

#[tokio::test]
async fn after_a_resume_step_11_uses_step_1s_application() {
    let mut d = Driver::started().await;
    d.go_to("1").await;
    d.done().await;
    assert_eq!(d.status("1"), StepStatus::Verified);
    d.go_to("11").await;
    d.replace_field(0, "maria.garcia@example.com").await;

    let mut d = d.resume();
    d.settle().await;
    assert_eq!(d.step(), "11");
    assert_eq!(
        d.status("1"),
        StepStatus::Verified,
        "checked again on start"
    );
    d.key(Key::Char('r')).await;
    d.assert_status("11", StepStatus::Done);
}

#[tokio::test]
async fn a_failed_prerequisite_holds_the_console_steps_back() {
    use connect_sso::cloud::sandbox::SANDBOX_LEGACY_INSTANCE_ARN;

    let mut d = Driver::started().await;
    d.key(Key::Enter).await;
    d.replace_field(0, SANDBOX_LEGACY_INSTANCE_ARN).await;
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("prerequisites"), StepStatus::Failed);
    d.key(Key::Char('n')).await;
    assert!(
        d.state
            .flash
            .as_deref()
            .unwrap()
            .contains("prerequisites check failed"),
        "{:?}",
        d.state.flash
    );
    d.go_to("3-5").await;
    d.done().await;
    assert_eq!(d.status("3-5"), StepStatus::NotStarted);
    assert!(d.state.flash.as_deref().unwrap().contains("prerequisites"));
    // An invalid answer cannot be marked done either.
    d.key(Key::Char('b')).await;
    d.key(Key::Char('b')).await;
    assert_eq!(d.step(), "1");
    d.replace_field(0, &"A".repeat(300)).await;
    d.done().await;
    assert_eq!(d.status("1"), StepStatus::NotStarted);
}

#[tokio::test]
async fn step_11_suggests_names_reports_in_words_and_creates_missing_connect_users() {
    use connect_sso::app::picker::Pick;
    use connect_sso::app::{Cmd, Msg, Overlay};

    let mut d = Driver::on_step_11_with_application().await;

    d.replace_field(0, "maria").await;
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("11"), StepStatus::Failed);
    let lines = d.state.reports["11"].lines.clone();
    assert_eq!(
        lines[0], "✗ maria: not found in Identity Center",
        "{lines:?}"
    );
    assert!(
        lines[1].contains("did you mean maria.garcia@example.com?"),
        "{lines:?}"
    );

    // Someone without a Connect user: the row says so, and a creates it.
    d.replace_field(0, "kwame.mensah@example.com").await;
    d.key(Key::Char('r')).await;
    let lines = d.state.reports["11"].lines.clone();
    assert_eq!(
        lines[0],
        "✗ kwame.mensah@example.com: assignment created; Connect user kwame.mensah@example.com missing",
        "{lines:?}"
    );
    // Below the people typed: everyone the application reaches, and the same key.
    assert!(
        lines.iter().any(|l| l
            .starts_with("i The application reaches 1 person: 0 with a Connect user, 1 missing")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("! 1 person has no Connect user yet: press a")),
        "{lines:?}"
    );
    assert!(d.state.key_hints().contains(&("a", "run + Connect users")));
    // a lists the instance's security profiles, on the answer's default.
    d.key(Key::Char('a')).await;
    assert_eq!(d.state.overlay, Overlay::Picker);
    let picker = d.state.picker.as_ref().unwrap();
    assert_eq!(picker.pick, Pick::SecurityProfile);
    let shown: Vec<&str> = picker.visible().iter().map(|c| c.value.as_str()).collect();
    assert_eq!(
        shown,
        ["Admin", "Agent", "CallCenterManager", "QualityAnalyst"]
    );
    assert_eq!(picker.answer().as_deref(), Some("Agent"));
    assert!(
        d.state.busy.is_none(),
        "nothing runs before both are picked"
    );
    d.type_text("manager").await;
    d.key(Key::Enter).await;
    let picker = d.state.picker.as_ref().unwrap();
    assert_eq!(picker.pick, Pick::RoutingProfile);
    assert_eq!(picker.answer().as_deref(), Some("Basic Routing Profile"));
    // Enter keeps the routing profile and runs.
    let cmds = connect_sso::app::update(&mut d.state.clone(), Msg::Key(Key::Enter));
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::AssignUsers { create_connect_users: Some(t), .. }
            if t.security_profile == "CallCenterManager" && t.routing_profile == "Basic Routing Profile")),
        "{cmds:?}"
    );
    d.key(Key::Enter).await;
    assert_eq!(d.state.overlay, Overlay::None);
    assert_eq!(
        d.state.answers().security_profile.as_deref(),
        Some("CallCenterManager"),
        "the choice is the answer, saved with the session"
    );
    d.assert_status("11", StepStatus::Done);
    assert_eq!(
        d.state.reports["11"].lines[0],
        "✓ kwame.mensah@example.com: already assigned; Connect user kwame.mensah@example.com created"
    );
    let created = d
        .sandbox
        .snapshot()
        .connect_instances
        .iter()
        .flat_map(|i| i.users.clone())
        .any(|u| u.username == "kwame.mensah@example.com");
    assert!(created);
}

#[tokio::test]
async fn step_10_attribute_names_can_be_copied_and_any_value_shown_whole() {
    use connect_sso::app::Cmd;

    let mut d = Driver::started().await;
    d.go_to("10").await;
    let values = connect_sso::app::screen_values(&d.state);
    let row = values
        .iter()
        .position(|(label, _)| label == "Attribute name RoleSessionName")
        .unwrap_or_else(|| panic!("{values:?}"));
    assert_eq!(
        values[row].1,
        "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
    );
    d.state.focus = Focus::Values(row);
    let cmds = update(&mut d.state, Msg::Key(Key::Char('v')));
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::ShowRaw { value, .. }
            if value == "https://aws.amazon.com/SAML/Attributes/RoleSessionName")),
        "{cmds:?}"
    );
}

#[tokio::test]
async fn step_11_picks_people_from_the_identity_store() {
    use connect_sso::app::Overlay;

    let mut d = Driver::on_step_11_with_application().await;
    assert!(d.state.key_hints().contains(&("p", "people")));
    d.key(Key::Char('p')).await;
    assert_eq!(d.state.overlay, Overlay::Picker);
    let picker = d.state.picker.as_ref().unwrap();
    assert_eq!(
        picker.visible().len(),
        6,
        "every sample user: {:?}",
        picker.visible()
    );
    // Keys of the screen type into the filter here: `r` runs nothing.
    d.type_text("sofia").await;
    assert!(d.state.busy.is_none());
    assert_eq!(d.state.picker.as_ref().unwrap().visible().len(), 1);
    d.key(Key::Char(' ')).await;
    for _ in 0..5 {
        d.key(Key::Backspace).await;
    }
    d.type_text("kwame").await;
    d.key(Key::Char(' ')).await;
    d.key(Key::Enter).await;
    assert_eq!(d.state.overlay, Overlay::None);
    assert_eq!(
        d.state.field(connect_sso::steps::Input::Users).value,
        "sofia.rossi@example.com, kwame.mensah@example.com"
    );
    d.key(Key::Char('a')).await;
    // Both profile lists open on their defaults: Enter twice keeps them.
    d.key(Key::Enter).await;
    d.key(Key::Enter).await;
    d.assert_status("11", StepStatus::Done);
    let lines = &d.state.reports["11"].lines;
    assert!(lines.iter().all(|l| !l.starts_with('✗')), "{lines:?}");
}

#[tokio::test]
async fn step_11_unassigns_people_taken_out_of_the_answer_after_asking() {
    use connect_sso::app::Overlay;

    let mut d = Driver::with_saved_account();
    d.settle().await;
    d.go_to("1").await;
    d.done().await;
    d.go_to("11").await;
    d.replace_field(0, "maria.garcia@example.com, sofia.rossi@example.com")
        .await;
    d.key(Key::Char('r')).await;
    let assigned = |d: &Driver| -> Vec<String> {
        d.sandbox
            .snapshot()
            .applications
            .iter()
            .flat_map(|a| a.assignments.iter().map(|x| x.principal_id.clone()))
            .collect()
    };
    assert_eq!(assigned(&d).len(), 2, "{:?}", d.state.reports.get("11"));
    assert!(d.state.unrequested.is_empty());

    // Sofia taken out: the run says she is still assigned and offers u.
    d.replace_field(0, "maria.garcia@example.com").await;
    d.key(Key::Char('r')).await;
    let lines = d.state.reports["11"].lines.clone();
    assert!(
        lines.iter().any(|l| l.starts_with("! Still assigned")
            && l.contains("sofia.rossi@example.com")
            && l.contains("Press u")),
        "{lines:?}"
    );
    assert!(d.state.key_hints().contains(&("u", "unassign removed")));

    // n keeps her; y removes her, and only her.
    d.key(Key::Char('u')).await;
    assert_eq!(d.state.overlay, Overlay::ConfirmUnassign);
    d.key(Key::Char('r')).await;
    assert_eq!(
        d.state.overlay,
        Overlay::ConfirmUnassign,
        "other keys do nothing"
    );
    d.key(Key::Char('n')).await;
    assert_eq!(d.state.overlay, Overlay::None);
    assert_eq!(assigned(&d).len(), 2);
    d.key(Key::Char('u')).await;
    d.key(Key::Char('y')).await;
    assert_eq!(assigned(&d).len(), 1);
    let lines = d.state.reports["11"].lines.clone();
    assert_eq!(
        lines.last().map(String::as_str),
        Some("✓ Unassigned: sofia.rossi@example.com"),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("! Still assigned")));
    d.assert_status("11", StepStatus::Done);

    // The ledger forgot her: the next run offers nothing.
    d.key(Key::Char('r')).await;
    assert!(d.state.unrequested.is_empty());
    assert!(!d.state.key_hints().contains(&("u", "unassign removed")));
}

#[tokio::test]
async fn ctrl_t_asks_aws_whether_the_pasted_response_signs_in() {
    use connect_sso::app::Overlay;
    use connect_sso::cloud::sign_in::Outcome;

    let mut d = Driver::started().await;
    d.go_to("1").await;
    d.done().await;
    // The metadata of the test key that signs the responses below.
    let metadata = d._dir.path().join("idc.xml");
    std::fs::write(
        &metadata,
        saml::metadata(&saml::idc_key().cert_der, saml::ISSUER),
    )
    .unwrap();
    d.go_to("2").await;
    d.replace_field(0, metadata.to_str().unwrap()).await;
    for step in ["6a", "6b", "6c"] {
        d.go_to(step).await;
        d.key(Key::Char('r')).await;
        d.assert_status(step, StepStatus::Done);
    }
    d.go_to("verify").await;
    assert!(!d.state.key_hints().contains(&("Ctrl-T", "ask AWS")));
    d.key(Key::Char('i')).await;
    assert!(d.state.key_hints().contains(&("Ctrl-T", "ask AWS")));
    let setup = d.state.setup().unwrap();
    let spec = saml::Spec::new(
        &setup.role_arn(),
        &setup.provider_arn(),
        "maria.garcia@example.com",
        time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
    );
    let xml = saml::signed(&spec, saml::idc_key(), saml::Sign::Assertion);
    d.dispatch(Msg::Paste(saml::base64(&xml)));
    d.key(Key::Ctrl('t')).await;
    assert_eq!(d.state.overlay, Overlay::Inspect);
    let report = match &d.state.sign_in {
        Some(Ok(r)) => r,
        other => panic!("{other:?}"),
    };
    assert!(report.signed_in, "{:?}", report.attempts);
    assert!(
        matches!(&report.attempts[0].outcome, Outcome::SignedIn { connect_user, .. }
            if connect_user == "maria.garcia@example.com")
    );
    assert!(
        d.state
            .flash
            .as_deref()
            .unwrap()
            .contains("signed the person in")
    );

    // Another key's signature: refused, with the entry that explains it; new text
    // forgets the old verdict.
    d.key(Key::Ctrl('u')).await;
    assert!(d.state.sign_in.is_none());
    let xml = saml::signed(&spec, saml::other_key(), saml::Sign::Assertion);
    d.dispatch(Msg::Paste(saml::base64(&xml)));
    d.key(Key::Ctrl('t')).await;
    let report = match &d.state.sign_in {
        Some(Ok(r)) => r,
        other => panic!("{other:?}"),
    };
    assert!(!report.signed_in);
    assert!(
        matches!(
            &report.attempts[0].outcome,
            Outcome::Refused {
                trouble: Some("certificate"),
                ..
            }
        ),
        "{:?}",
        report.attempts
    );
}

#[tokio::test]
async fn on_the_sandbox_ctrl_g_gets_a_signed_response_and_ctrl_t_signs_in_with_it() {
    use connect_sso::app::Overlay;

    let mut d = Driver::started().await;
    d.step_1_and_the_sandboxs_metadata().await;
    // The console pages as the wizard shows them; 6a-6c run.
    for step in ["3-5", "6a", "6b", "6c", "7-9", "10"] {
        d.go_to(step).await;
        match step {
            "3-5" | "7-9" | "10" => d.done().await,
            _ => d.key(Key::Char('r')).await,
        }
        d.assert_status(step, StepStatus::Done);
    }
    d.go_to("verify").await;
    d.key(Key::Char('i')).await;
    d.key(Key::Ctrl('g')).await;
    assert!(d.state.assertion_text.is_empty(), "nobody on step 11 yet");
    assert!(d.state.flash.as_deref().unwrap().contains("step 11"));
    d.key(Key::Esc).await;

    d.key(Key::Char('b')).await;
    assert_eq!(d.step(), "11");
    d.replace_field(0, "maria.garcia@example.com").await;
    d.key(Key::Char('r')).await;
    d.assert_status("11", StepStatus::Done);
    d.go_to("verify").await;
    d.key(Key::Char('i')).await;
    assert_eq!(d.state.overlay, Overlay::Inspect);
    assert!(d.state.key_hints().contains(&("Ctrl-G", "issue one")));
    d.key(Key::Ctrl('g')).await;
    assert!(
        d.state.assertion_text.starts_with("SAMLResponse="),
        "{}",
        d.state.assertion_text
    );
    d.key(Key::Ctrl('t')).await;
    let report = match &d.state.sign_in {
        Some(Ok(r)) => r,
        other => panic!("{other:?}"),
    };
    assert!(report.signed_in, "{:?}", report.attempts);
    d.key(Key::Enter).await;
    let inspected = match &d.state.inspection {
        Some(Ok(r)) => r,
        other => panic!("{other:?}"),
    };
    assert!(!inspected.failed(), "{:?}", inspected.findings);
}

#[tokio::test]
async fn step_11_counts_everyone_the_application_reaches_and_a_creates_their_connect_users() {
    use connect_sso::cloud::PrincipalType;
    use connect_sso::cloud::api::*;
    use connect_sso::cloud::sandbox::SANDBOX_GROUPS;

    let mut d = Driver::on_step_11_with_application().await;
    // Someone else assigned a group in the console: its members are reached too.
    let app = d.application_arn();
    let supervisors = SANDBOX_GROUPS[1];
    d.sandbox
        .create_application_assignment(&app, PrincipalType::Group, supervisors.group_id)
        .await
        .unwrap();
    let connect_users = |d: &Driver| -> Vec<String> {
        d.sandbox
            .snapshot()
            .connect_instances
            .iter()
            .flat_map(|i| i.users.iter().map(|u| u.username.clone()))
            .collect()
    };
    assert!(!connect_users(&d).contains(&"aisha.khan@example.com".to_string()));

    d.replace_field(0, "kwame.mensah@example.com").await;
    d.key(Key::Char('r')).await;
    let lines = d.state.reports["11"].lines.clone();
    assert!(
        lines.iter().any(|l| l
            == "i The application reaches 2 people (with the members of 1 group): 0 with a Connect user, 2 missing, 0 near misses"),
        "{lines:?}"
    );
    // a: both profiles kept with Enter, then the typed person and the group's member get
    // their Connect users.
    d.key(Key::Char('a')).await;
    d.key(Key::Enter).await;
    d.key(Key::Enter).await;
    d.assert_status("11", StepStatus::Done);
    let lines = d.state.reports["11"].lines.clone();
    assert!(
        lines.iter().any(|l| l
            == "i The application reaches 2 people (with the members of 1 group): 2 with a Connect user, 0 missing, 0 near misses"),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "✓ 1 Connect user created for the people reached"),
        "the typed person's came from the assignment, the member's from the sync: {lines:?}"
    );
    let users = connect_users(&d);
    assert_eq!(
        users
            .iter()
            .filter(|u| *u == "aisha.khan@example.com")
            .count(),
        1
    );
    // Nothing left to create: a second a creates nothing more.
    d.key(Key::Char('a')).await;
    d.key(Key::Enter).await;
    d.key(Key::Enter).await;
    assert_eq!(connect_users(&d).len(), users.len());
    assert!(
        !d.state.reports["11"]
            .lines
            .iter()
            .any(|l| l.contains("created for the people reached"))
    );
}

#[tokio::test]
async fn step_11_picks_groups_and_assigns_each_once() {
    use connect_sso::app::Overlay;
    use connect_sso::cloud::PrincipalType;
    use connect_sso::cloud::api::*;
    use connect_sso::cloud::sandbox::SANDBOX_GROUPS;
    use connect_sso::steps::Input;

    let mut d = Driver::on_step_11_with_application().await;
    assert!(d.state.key_hints().contains(&("g", "groups")));
    // Nothing named: r says how to name someone.
    d.key(Key::Char('r')).await;
    d.assert_flash("p and g pick them");
    d.key(Key::Char('g')).await;
    assert_eq!(d.state.overlay, Overlay::Picker);
    let shown: Vec<String> = d
        .state
        .picker
        .as_ref()
        .unwrap()
        .visible()
        .iter()
        .map(|c| c.value.clone())
        .collect();
    assert_eq!(shown, ["Contact center agents", "Supervisors"]);
    d.type_text("super").await;
    d.key(Key::Char(' ')).await;
    d.key(Key::Enter).await;
    assert_eq!(d.state.field(Input::Groups).value, "Supervisors");

    d.key(Key::Char('r')).await;
    d.assert_status("11", StepStatus::Done);
    let lines = d.state.reports["11"].lines.clone();
    assert_eq!(
        lines[0],
        format!(
            "✓ Supervisors: assignment created (group {})",
            SANDBOX_GROUPS[1].group_id
        )
    );
    assert!(
        lines
            .iter()
            .any(|l| l
                .starts_with("i The application reaches 1 person (with the members of 1 group)")),
        "{lines:?}"
    );
    let app = d.application_arn();
    let assigned = d.sandbox.list_application_assignments(&app).await.unwrap();
    assert_eq!(
        assigned
            .iter()
            .filter(|a| a.is(PrincipalType::Group) && a.principal_id == SANDBOX_GROUPS[1].group_id)
            .count(),
        1
    );
    // Running it again assigns nothing twice.
    d.key(Key::Char('r')).await;
    assert!(
        d.state.reports["11"].lines[0].starts_with("✓ Supervisors: already assigned"),
        "{:?}",
        d.state.reports["11"].lines
    );
    // A group that does not exist stops the run before anything changes, with a suggestion.
    d.replace_field(1, "Supervisor").await;
    d.key(Key::Char('r')).await;
    d.assert_status("11", StepStatus::Failed);
    let lines = d.state.reports["11"].lines.clone();
    assert!(
        lines[0].contains("Supervisor") && lines[0].contains("did you mean"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn step_1_opts_in_to_the_console_api_which_runs_steps_1_2_3_5_and_10() {
    use connect_sso::app::Overlay;

    // A kept account: step 10's record lives beside its ledger.
    let mut d = Driver::with_saved_account();
    d.settle().await;
    d.go_to("1").await;
    assert!(d.state.key_hints().contains(&("o", "console API…")));
    // o asks first; n keeps it off.
    d.key(Key::Char('o')).await;
    assert_eq!(d.state.overlay, Overlay::ConfirmConsoleApi);
    d.key(Key::Char('n')).await;
    assert!(!d.state.console_api);
    d.key(Key::Char('o')).await;
    d.key(Key::Char('y')).await;
    assert!(d.state.console_api);
    assert_eq!(
        d.state.answers().console_api,
        Some(true),
        "saved with the answers"
    );
    assert!(d.state.key_hints().contains(&("r", "run (console API)")));

    d.key(Key::Char('r')).await;
    for step in ["1", "2", "3-5", "10"] {
        assert!(
            matches!(d.status(step), StepStatus::Done | StepStatus::Verified),
            "{step}: {:?}",
            d.state.reports.get(step)
        );
        assert!(
            d.state.reports[step].lines[0].contains("(console API)"),
            "{step}: {:?}",
            d.state.reports[step]
        );
    }
    assert_eq!(d.applications_named("Amazon Connect 5f8c2a4e"), 1);
    assert!(
        d.state.metadata.is_some(),
        "step 2's metadata came from the application"
    );
    // Nothing to do the second time: every step checked, none changed.
    d.key(Key::Char('r')).await;
    for step in ["1", "2", "3-5", "10"] {
        assert_eq!(
            d.status(step),
            StepStatus::Verified,
            "{step}: {:?}",
            d.state.reports[step]
        );
    }
    assert_eq!(d.applications_named("Amazon Connect 5f8c2a4e"), 1);

    // Step 11 finds the application the run created.
    d.go_to("11").await;
    d.replace_field(0, "maria.garcia@example.com").await;
    d.key(Key::Char('r')).await;
    d.assert_status("11", StepStatus::Done);

    // o again turns it off at once: step 1 is a console step again.
    d.go_to("verify").await;
    while d.step() != "1" {
        d.key(Key::Char('b')).await;
    }
    d.key(Key::Char('o')).await;
    assert!(!d.state.console_api);
    assert!(d.state.key_hints().contains(&("d", "I've done this")));
}

#[tokio::test]
async fn on_the_sandbox_the_console_pages_are_forms_and_a_typo_fails_the_sign_in() {
    use connect_sso::app::Overlay;

    let mut d = Driver::started().await;
    // Before step 1 there is no application whose page could be shown.
    d.go_to("3-5").await;
    d.key(Key::Char('d')).await;
    assert_eq!(d.state.overlay, Overlay::None);
    assert!(
        d.state
            .flash
            .as_deref()
            .unwrap()
            .contains("do step 1 first")
    );
    assert_eq!(d.status("3-5"), StepStatus::NotStarted);

    d.key(Key::Home).await;
    d.step_1_and_the_sandboxs_metadata().await;
    d.go_to("3-5").await;
    // Esc saves nothing and leaves the step as it was.
    d.key(Key::Char('d')).await;
    assert_eq!(d.state.overlay, Overlay::ConsoleForm);
    assert!(d.state.key_hints().contains(&("Ctrl-S", "save")));
    d.type_text("https://typed").await;
    d.key(Key::Esc).await;
    assert_eq!(d.state.overlay, Overlay::None);
    assert_eq!(d.status("3-5"), StepStatus::NotStarted);
    let arn = d.application_arn();
    assert_eq!(
        d.sandbox.application_config(&arn).unwrap().config.acs_url,
        None
    );
    // The console refuses a page without its required fields; the focus goes to the field.
    d.key(Key::Char('d')).await;
    d.key(Key::Ctrl('s')).await;
    let form = d.state.console_form.as_ref().unwrap();
    assert!(
        form.error
            .as_deref()
            .unwrap()
            .contains("Application ACS URL is required")
    );
    // Moving the cursor does not answer the refusal; typing does.
    d.key(Key::Left).await;
    assert!(d.state.console_form.as_ref().unwrap().error.is_some());
    d.type_text("h").await;
    assert_eq!(d.state.console_form.as_ref().unwrap().error, None);
    d.key(Key::Ctrl('u')).await;
    // A typo in the ACS URL is saved as typed.
    d.fill_console_form(|label, shown| match label {
        "Application ACS URL" => shown.replace("saml", "sam1"),
        _ => shown.to_string(),
    })
    .await;
    d.key(Key::Ctrl('s')).await;
    assert_eq!(d.state.overlay, Overlay::None);
    d.assert_status("3-5", StepStatus::Done);
    let saved = d.sandbox.application_config(&arn).unwrap().config;
    assert_eq!(
        saved.acs_url.as_deref(),
        Some("https://signin.aws.amazon.com/sam1")
    );
    assert!(
        d.state.reports["3-5"]
            .lines
            .iter()
            .any(|l| l.contains("sam1"))
    );
    for step in ["6a", "6b", "6c", "7-9", "10"] {
        d.go_to(step).await;
        match step {
            "7-9" | "10" => d.done().await,
            _ => d.key(Key::Char('r')).await,
        }
        d.assert_status(step, StepStatus::Done);
    }
    d.assign_maria_and_verify().await;
    // Verification ends in the sandbox's sign-in, which names the cause.
    assert_eq!(d.status("verify"), StepStatus::Failed);
    let lines = d.state.reports["verify"].lines.join("\n");
    assert!(lines.contains("Simulated sign-in"), "{lines}");
    assert!(
        lines.contains("refused by sts:AssumeRoleWithSAML"),
        "{lines}"
    );
    assert!(lines.contains("steps 3-5"), "{lines}");

    // The page opens again on what was saved; fixed, the sign-in passes.
    d.key(Key::Home).await;
    d.go_to("3-5").await;
    d.key(Key::Char('d')).await;
    let form = d.state.console_form.as_ref().unwrap();
    assert_eq!(form.fields[0].value, "https://signin.aws.amazon.com/sam1");
    d.fill_console_form(|_, shown| shown.to_string()).await;
    d.key(Key::Ctrl('s')).await;
    // The failed verification judged the page as it was: it is out of date now.
    d.assert_status("verify", StepStatus::Stale);
    d.assert_flash("verification");
    d.go_to("verify").await;
    d.key(Key::Char('r')).await;
    assert_eq!(
        d.status("verify"),
        StepStatus::Verified,
        "{:?}",
        d.state.reports["verify"]
    );
    // The passing sign-in's headline is where it landed.
    let lines = &d.state.reports["verify"].lines;
    assert!(
        lines.iter().any(|l| l.starts_with(
            "✓ Simulated sign-in (sandbox): signed in as Connect user maria.garcia@example.com"
        )),
        "{lines:?}"
    );
}

#[tokio::test]
async fn another_display_name_puts_the_console_work_on_the_old_application_out_of_date() {
    let mut d = Driver::started().await;
    d.step_1_and_the_sandboxs_metadata().await;
    d.key(Key::Char('r')).await;
    for step in ["3-5", "6a", "7-9", "10"] {
        d.go_to(step).await;
        match step {
            "6a" => d.key(Key::Char('r')).await,
            _ => d.done().await,
        }
    }
    for step in ["2", "3-5", "6a", "7-9", "10"] {
        assert!(
            matches!(d.status(step), StepStatus::Done | StepStatus::Verified),
            "{step}: {:?}",
            d.status(step)
        );
    }
    // The description is no other application; the display name is.
    d.key(Key::Home).await;
    d.go_to("1").await;
    d.replace_field(1, "Agents of the Lisbon site").await;
    assert_eq!(d.status("10"), StepStatus::Done);
    d.replace_field(0, "Connect Training").await;
    for step in ["1", "3-5", "7-9", "10"] {
        d.assert_status(step, StepStatus::Stale);
    }
    // IAM's steps do not name the application: the provider keeps its metadata.
    assert_eq!(d.status("6a"), StepStatus::Done);
    // Back to the name they were done for, they hold again.
    d.replace_field(0, "").await;
    d.assert_status("10", StepStatus::Done);
}

#[tokio::test]
async fn a_console_form_finds_an_application_that_was_there_before_the_wizard() {
    use connect_sso::app::Overlay;

    // As on a workshop scenario's account: the application exists, the wizard has not
    // checked step 1 in this run.
    let mut d = Driver::started().await;
    let arn = d
        .sandbox
        .simulate_create_application("Amazon Connect 5f8c2a4e");
    d.go_to("7-9").await;
    d.key(Key::Char('d')).await;
    assert_eq!(d.state.overlay, Overlay::ConsoleForm, "{:?}", d.state.flash);
    let form = d.state.console_form.as_ref().unwrap();
    assert_eq!(form.application_arn, arn);
    d.fill_console_form(|_, shown| shown.to_string()).await;
    d.key(Key::Ctrl('s')).await;
    d.assert_status("7-9", StepStatus::Done);
    assert!(
        d.sandbox
            .application_config(&arn)
            .unwrap()
            .config
            .relay_state
            .is_some_and(|r| r.contains("/connect/federate/"))
    );
}

#[tokio::test]
async fn commands_the_wizard_proposes_run_on_its_own_account_with_its_answers() {
    let mut d = Driver::started().await;
    d.go_to("6c").await;
    d.replace_field(0, "TrainingRole").await;
    d.go_to("verify").await;
    d.key(Key::Char('r')).await;
    let lines = d.state.reports["verify"].lines.join("\n");
    assert!(lines.contains("`connect-sso apply --sandbox "), "{lines}");
    assert!(!lines.contains("`connect-sso apply`"), "{lines}");
    assert!(lines.contains("--role-name TrainingRole"), "{lines}");
    // On a workshop scenario, its own account.
    d.state.scenario = Some("wrong-audience".to_string());
    d.key(Key::Char('r')).await;
    let lines = d.state.reports["verify"].lines.join("\n");
    assert!(
        lines.contains("`connect-sso apply --sandbox-scenario wrong-audience "),
        "{lines}"
    );
}

#[tokio::test]
async fn an_empty_relay_state_fails_the_sandboxs_sign_in_it_lands_outside_connect() {
    let mut d = Driver::started().await;
    d.step_1_and_the_sandboxs_metadata().await;
    for step in ["3-5", "6a", "6b", "6c", "7-9", "10"] {
        d.go_to(step).await;
        match step {
            // The relay state left empty, as the console allows.
            "7-9" => {
                d.key(Key::Char('d')).await;
                d.key(Key::Ctrl('s')).await;
            }
            "3-5" | "10" => d.done().await,
            _ => d.key(Key::Char('r')).await,
        }
        d.assert_status(step, StepStatus::Done);
    }
    d.assign_maria_and_verify().await;
    assert_eq!(d.status("verify"), StepStatus::Failed);
    let lines = &d.state.reports["verify"].lines;
    let sign_in = lines
        .iter()
        .position(|l| l.contains("Simulated sign-in"))
        .expect("the simulated sign-in ran");
    assert!(lines[sign_in].starts_with('✗'), "{lines:?}");
    assert!(
        !lines[sign_in].contains("signed in as"),
        "a ✗ is not headed by where it signed in: {lines:?}"
    );
    let all = lines.join("\n");
    assert!(all.contains("RelayState: (empty)"), "{all}");
    assert!(all.contains("steps 7-9"), "{all}");
}

#[tokio::test]
async fn step_11_goes_out_of_date_with_its_instance_not_with_the_description() {
    use connect_sso::cloud::sandbox::SANDBOX_LEGACY_INSTANCE_ARN;

    let mut d = Driver::on_step_11_with_application().await;
    d.replace_field(0, "maria.garcia@example.com").await;
    d.key(Key::Char('r')).await;
    d.assert_status("11", StepStatus::Done);
    d.key(Key::Home).await;
    d.go_to("1").await;
    d.replace_field(1, "Agents of the Lisbon site").await;
    d.assert_status("11", StepStatus::Done);
    // Its Connect users were looked for in the instance: another instance, another answer.
    d.key(Key::Home).await;
    d.replace_field(0, SANDBOX_LEGACY_INSTANCE_ARN).await;
    d.assert_status("11", StepStatus::Stale);
}

#[tokio::test]
async fn ctrl_u_brings_the_top_back_and_a_new_result_shows_from_the_top() {
    let mut d = Driver::started().await;
    d.key(Key::Enter).await;
    // A lower value selected holds the view down there: Ctrl-U goes back to the first row.
    d.keys(&[Key::Down, Key::Down, Key::Down]).await;
    assert_eq!(d.state.focus, Focus::Values(3));
    d.key(Key::Ctrl('u')).await;
    assert_eq!(d.state.focus, Focus::Values(0));
    // Scrolled down, then run: the result is shown from the top of the screen.
    d.keys(&[Key::Ctrl('d'), Key::Ctrl('d')]).await;
    assert_eq!(d.state.scroll, 10);
    d.key(Key::Char('r')).await;
    assert_eq!(d.status("prerequisites"), StepStatus::Verified);
    assert_eq!(d.state.scroll, 0);
}

#[tokio::test]
async fn step_2_is_not_marked_done_with_a_file_that_fails_its_check() {
    let mut d = Driver::started().await;
    d.go_to("2").await;
    let missing = d._dir.path().join("no-such-metadata.xml");
    d.replace_field(0, missing.to_str().unwrap()).await;
    d.assert_status("2", StepStatus::Failed);
    d.key(Key::Char('d')).await;
    d.assert_status("2", StepStatus::Failed);
    d.assert_flash("fails its check");
}
