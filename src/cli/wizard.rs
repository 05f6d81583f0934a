//! The full-screen wizard: terminal set-up and restore, logging to a file, the event loop
//! that feeds `Msg`s to `app::update`, runs the `Cmd`s and draws after every batch.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tokio::sync::mpsc;

use super::account::{Access, save_error};
use super::{GlobalArgs, Status, WizardArgs};
use crate::app::effects::Effects;
use crate::app::{Cmd, Key, Mode, Msg, State, StepStatus, update};
use crate::cloud::sandbox::{SANDBOX_INSTANCE_ARN, Sandbox};
use crate::cloud::sdk::SdkCloud;
use crate::domain::setup::Answers;
use crate::session::{self, Loaded};

/// Whether any AWS credentials source looks configured; without one the wizard starts on
/// the sandbox account rather than failing.
pub fn aws_credentials_configured(answers: &Answers) -> bool {
    let env = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if answers.profile.is_some()
        || [
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        ]
        .iter()
        .any(|k| env(k))
    {
        return true;
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let file = |var: &str, name: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(name)))
            .is_some_and(|p| p.exists())
    };
    file("AWS_CONFIG_FILE", "config") || file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

pub fn to_key(ev: KeyEvent) -> Option<Key> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    Some(match ev.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Esc => Key::Esc,
        KeyCode::F(n) => Key::F(n),
        _ => return None,
    })
}

/// Logs go to a file, never to the screen under the TUI.
fn init_logging(
    dir: Option<&PathBuf>,
) -> Option<(PathBuf, tracing_appender::non_blocking::WorkerGuard)> {
    let dir = dir?.join("logs");
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "connect-sso.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("CONNECT_SSO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some((dir.join("connect-sso.log"), guard))
}

/// Plain prompts instead of the full screen: asked for, a dumb terminal, or no terminal.
pub fn wants_plain(args: &WizardArgs) -> bool {
    use std::io::IsTerminal;
    args.plain
        || std::env::var("TERM").is_ok_and(|t| t == "dumb")
        || !std::io::stdout().is_terminal()
        || !std::io::stdin().is_terminal()
}

pub fn run(global: &GlobalArgs, args: &WizardArgs, err: &mut dyn Write) -> std::io::Result<Status> {
    let plain = wants_plain(args);
    if let Err(e) = session::valid_name(&args.session) {
        writeln!(err, "error: {e}")?;
        return Ok(Status::BadInput);
    }
    let Some(answers) = super::plan::load_answers(global, args.answers.to_answers(global), err)?
    else {
        return Ok(Status::BadInput);
    };
    let state_dir = session::state_dir();
    // A workshop scenario keeps its sessions in its own folder.
    let work_dir = super::account::work_dir(global);
    let scenario = super::account::scenario_of(global).map(|s| s.name.to_string());
    let mut session_path = work_dir
        .as_ref()
        .map(|d| session::session_path(d, &args.session));
    let log = init_logging(state_dir.as_ref());
    let log_path = log.as_ref().map(|(p, _)| p.clone());
    // Held until the wizard ends: a second wizard on this session is refused.
    let _session_lock = match session_path
        .as_deref()
        .map(|p| session::lock(p, &args.session))
    {
        Some(Err(e)) => {
            writeln!(err, "error: {e}")?;
            return Ok(Status::CheckFailed);
        }
        Some(Ok(lock)) => lock,
        None => None,
    };

    let mut mode = if global.sandbox || !aws_credentials_configured(&answers) {
        Mode::Sandbox
    } else {
        Mode::Aws
    };
    let mut answers = answers;
    if mode == Mode::Sandbox && answers.instance_arn.is_none() && answers.instance_id.is_none() {
        answers.instance_arn = Some(SANDBOX_INSTANCE_ARN.to_string());
    }
    // Workshop attendees have no Identity Center to download metadata from: the sandbox's
    // own application metadata, with the account's certificate, is written where step 2 can
    // read it once the account is open (below).
    let sandbox_metadata = match &work_dir {
        Some(dir) if mode == Mode::Sandbox && answers.metadata.is_none() => {
            let file = match scenario {
                Some(_) => dir.join("idc-metadata.xml"),
                None => dir.join("sandbox").join("idc-metadata.xml"),
            };
            std::fs::create_dir_all(file.parent().unwrap_or(dir))
                .is_ok()
                .then_some(file)
        }
        _ => None,
    };
    if let Some(file) = &sandbox_metadata {
        answers.metadata = Some(file.clone());
    }
    let mut state = State::new(mode, &args.session, &answers);
    state.scenario = scenario.clone();
    let mut notes = Vec::new();
    if !global.sandbox && mode == Mode::Sandbox {
        notes.push("No AWS credentials found: working on the sandbox account".to_string());
    }
    if let Some(path) = session_path.clone()
        && let Some(version) = session::saved_version(&path)
        && version > u64::from(crate::app::SESSION_FORMAT)
    {
        // Rewriting it in this version's format could lose what the newer one keeps.
        notes.push(format!(
            "Session {} was saved by a newer connect-sso (format {version}); it is left as it is and this run saves nothing: update connect-sso, or use --session NAME for another session",
            args.session
        ));
        session_path = None;
    }
    if let Some(path) = &session_path {
        match session::load(path) {
            Ok(Loaded::Found(saved)) if !args.new_session => {
                state.restore(saved);
                // A flag beats the saved session's mode.
                if global.sandbox {
                    state.mode = Mode::Sandbox;
                }
                mode = state.mode;
                notes.push(format!("Resumed session {} (run with --new to start over)", args.session));
            }
            Ok(Loaded::Corrupt { moved_to, reason }) => notes.push(format!(
                "The saved session was damaged ({reason}); it was moved to {} and a new one started",
                moved_to.display()
            )),
            Ok(_) => {}
            Err(e) => notes.push(e),
        }
    }
    // On the sandbox, the account earlier runs left behind (seeded with --sandbox-reset); it
    // is saved after every finished action and at the end.
    let kept = if mode == Mode::Sandbox {
        // Holds the account's lock until the wizard ends; waits for a command using it.
        let wait = super::account::Wait::UpTo(super::account::SANDBOX_WAIT);
        let (sandbox, warnings) =
            match super::account::open_sandbox_with(global, Access::Changes, wait, err) {
                Ok(opened) => opened.started(),
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(Status::CheckFailed);
                }
            };
        for w in warnings {
            writeln!(err, "warning: {w}")?;
            if !plain {
                notes.push(format!("Warning: {w}"));
            }
        }
        if let Some(file) = &sandbox_metadata
            && let Err(e) = std::fs::write(file, sandbox.metadata_document())
        {
            let w = format!(
                "the sandbox's Identity Center metadata could not be written to {} ({e}), so step 2 cannot read it: check that the folder is writable",
                file.display()
            );
            writeln!(err, "warning: {w}")?;
            if !plain {
                notes.push(format!("Warning: {w}"));
            }
        }
        Some(Arc::new(sandbox))
    } else {
        None
    };
    state.flash = (!notes.is_empty()).then(|| notes.join(". "));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = if plain {
        runtime.block_on(async {
            let (tx, rx) = mpsc::unbounded_channel::<Msg>();
            let sandbox = effects_sandbox(global, kept.as_ref());
            let effects =
                make_effects(mode, &answers, sandbox, tx, session_path.clone(), None).await;
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            let mut input = stdin.lock();
            let mut locked = stdout.lock();
            let mut output = super::output::SafeWriter::new(&mut locked);
            super::plain::run(
                state,
                effects,
                rx,
                &mut input,
                &mut output,
                kept.as_deref(),
                args.yes,
            )
            .await
            .map(|end| (end.status("verify"), end.save_error.clone()))
        })
    } else {
        runtime
            .block_on(event_loop(
                state,
                mode,
                answers,
                global,
                kept.clone(),
                session_path.clone(),
                log_path.clone(),
            ))
            // The full screen showed the verdict; its exit status is that it ended cleanly.
            .map(|save_error| (StepStatus::NotStarted, save_error))
    };
    drop(log);
    if plain && let Some(sandbox) = &kept {
        super::account::save_sandbox(sandbox, err)?;
    }
    match result {
        Ok((verify, save_error)) => {
            match (&session_path, save_error) {
                (Some(_), Some(e)) => writeln!(err, "warning: the session was not saved: {e}")?,
                (Some(p), None) => writeln!(
                    err,
                    "Session saved to {}; `connect-sso{} --session {}` resumes it",
                    p.display(),
                    crate::app::mode_flag(mode, scenario.as_deref()),
                    args.session
                )?,
                (None, _) => {}
            }
            // A verification that ran and did not pass is the run's result.
            Ok(match verify {
                StepStatus::Failed | StepStatus::Stale => {
                    writeln!(err, "Verification did not pass: the sign-in would fail")?;
                    Status::CheckFailed
                }
                _ => Status::Ok,
            })
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            if let Some(p) = &log_path {
                writeln!(err, "The log is in {}", p.display())?;
            }
            Ok(Status::CheckFailed)
        }
    }
}

/// Ctrl-Z: gives the terminal back to the shell, stops the process, and when it is continued
/// (`fg`, SIGCONT) takes the screen again and redraws it whole.
fn suspend(terminal: &mut ratatui::DefaultTerminal) -> std::io::Result<()> {
    restore_terminal();
    #[cfg(unix)]
    // SAFETY: raise() only sends a signal to this process; SIGSTOP cannot be caught, so
    // this returns once the process is continued.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    take_screen(terminal)
}

/// `v`: the value alone on the normal screen, where the terminal wraps it softly and a mouse
/// selection copies it without line breaks.
fn show_raw(label: &str, value: &str) {
    restore_terminal();
    println!("\n{}:\n", crate::ui::clean(label));
    for line in value.lines() {
        println!("{}", crate::ui::clean(line));
    }
    println!("\nSelect it with the mouse to copy it; press Enter to go back to the wizard.");
}

/// Raw mode and the alternate screen again, drawn whole on the next frame.
fn take_screen(terminal: &mut ratatui::DefaultTerminal) -> std::io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::event::EnableBracketedPaste
    )?;
    // What the shell drew meanwhile is not what the old buffers remember: a new terminal
    // draws everything. (`Terminal::clear` would read the cursor position, which the input
    // thread's pending read makes time out.)
    *terminal = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))?;
    Ok(())
}

/// Leaves bracketed paste, raw mode and the alternate screen.
fn restore_terminal() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
}

/// Restores the terminal and ends the process on any panic, a tokio task's included: the
/// app must not go on under a broken screen.
fn install_panic_hook(log_path: Option<PathBuf>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
        eprintln!(
            "connect-sso stopped on an internal error. Your answers up to the last change are saved."
        );
        if let Some(p) = &log_path {
            eprintln!("The log is in {}", p.display());
        }
        std::process::exit(101);
    }));
}

/// The sandbox the effect runner works on: the kept account, or (for plan-only, which makes
/// no calls that change anything) one in memory.
fn effects_sandbox(global: &GlobalArgs, kept: Option<&Arc<Sandbox>>) -> Arc<Sandbox> {
    kept.cloned()
        .unwrap_or_else(|| Arc::new(Sandbox::with_options(global.sandbox_options())))
}

/// The effect runner on AWS (two contexts) or on the sandbox account.
async fn make_effects(
    mode: Mode,
    answers: &Answers,
    sandbox: Arc<Sandbox>,
    tx: mpsc::UnboundedSender<Msg>,
    session_path: Option<PathBuf>,
    terminal: Option<Box<dyn Write + Send>>,
) -> Effects {
    match mode {
        Mode::Aws => {
            let (connect, identity) = super::context_settings(answers);
            let cloud = Arc::new(SdkCloud::load(&connect, &identity).await);
            // Made now even when unused: loading a client makes no request.
            let console = crate::cloud::console::ConsoleClient::load(&connect, &identity)
                .await
                .map(|c| Arc::new(c) as Arc<dyn crate::cloud::console::ConsoleApi>);
            Effects::new(cloud, None, tx, session_path, terminal).with_console(console)
        }
        Mode::Sandbox | Mode::PlanOnly => {
            Effects::new(sandbox.clone(), Some(sandbox), tx, session_path, terminal)
        }
    }
}

/// Saves the kept sandbox account; the first failure is shown on screen, every one logged.
fn save_kept(kept: Option<&Arc<Sandbox>>, state: &mut State, warned: &mut bool) {
    let Some(e) = kept.and_then(|s| save_error(s)) else {
        return;
    };
    tracing::warn!("{e}");
    if !*warned {
        *warned = true;
        state.flash = Some(format!("Warning: {e}"));
    }
}

async fn event_loop(
    mut state: State,
    mode: Mode,
    answers: Answers,
    global: &GlobalArgs,
    mut kept: Option<Arc<Sandbox>>,
    session_path: Option<PathBuf>,
    log_path: Option<PathBuf>,
) -> std::io::Result<Option<String>> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut effects = make_effects(
        mode,
        &answers,
        effects_sandbox(global, kept.as_ref()),
        tx.clone(),
        session_path.clone(),
        Some(Box::new(std::io::stdout())),
    )
    .await;
    let mut save_warned = false;

    let mut terminal = ratatui::init();
    // Pastes arrive whole (a SAMLResponse is kilobytes), not as thousands of key presses.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    install_panic_hook(log_path);
    let size = terminal.size()?;
    update(&mut state, Msg::Resize(size.width, size.height));

    // Input on its own thread: crossterm's read blocks.
    let input_tx = tx.clone();
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) => to_key(k).map(Msg::Key),
                Ok(Event::Resize(w, h)) => Some(Msg::Resize(w, h)),
                Ok(Event::Paste(text)) => Some(Msg::Paste(text)),
                Ok(_) => None,
                Err(_) => break,
            };
            if let Some(m) = msg
                && input_tx.send(m).is_err()
            {
                break;
            }
        }
    });
    // A closed terminal (SIGHUP), a kill (SIGTERM, SIGINT, SIGQUIT) ends the wizard the way
    // Ctrl-C does, so the terminal is restored; the session is saved after every change.
    // SIGTSTP (Ctrl-Z from a shell, or `kill -TSTP`) suspends: see `suspend`.
    let (suspend_tx, mut suspend_rx) = mpsc::unbounded_channel::<()>();
    #[cfg(unix)]
    {
        let signal_tx = tx.clone();
        let suspend_tx = suspend_tx.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut hup), Ok(mut term), Ok(mut int), Ok(mut quit), Ok(mut tstp)) = (
                signal(SignalKind::hangup()),
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
                signal(SignalKind::quit()),
                signal(SignalKind::from_raw(libc::SIGTSTP)),
            ) else {
                return;
            };
            loop {
                tokio::select! {
                    _ = tstp.recv() => {
                        let _ = suspend_tx.send(());
                        continue;
                    }
                    _ = hup.recv() => {}
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                    _ = quit.recv() => {}
                }
                // The first cancels a running action, the second quits.
                let _ = signal_tx.send(Msg::Key(Key::Ctrl('c')));
                let _ = signal_tx.send(Msg::Key(Key::Ctrl('c')));
            }
        });
    }

    for cmd in crate::app::init(&mut state) {
        effects.run(cmd, &state);
    }
    let theme = crate::ui::Theme::from_env();
    let mut ticker = tokio::time::interval(Duration::from_millis(120));
    // While a value is shown alone on the normal screen (`v`), nothing is drawn and the
    // next key brings the wizard back.
    let mut raw_view = false;
    let result = loop {
        if !raw_view && let Err(e) = terminal.draw(|f| crate::ui::draw_with(&state, f, &theme)) {
            break Err(e);
        }
        // Draw on events, not on a busy loop: ticks only while an action runs.
        let busy = state.busy.is_some();
        let first = tokio::select! {
            m = rx.recv() => m,
            _ = ticker.tick(), if busy => Some(Msg::Tick),
            Some(()) = suspend_rx.recv() => {
                if let Err(e) = suspend(&mut terminal) {
                    break Err(e);
                }
                continue;
            }
        };
        let Some(first) = first else { break Ok(()) };
        if raw_view && matches!(first, Msg::Key(_)) {
            raw_view = false;
            if let Err(e) = take_screen(&mut terminal) {
                break Err(e);
            }
            continue;
        }
        // Ctrl-Z reaches a raw terminal as a key: it suspends, as it would in a shell.
        if matches!(first, Msg::Key(Key::Ctrl('z'))) {
            let _ = suspend_tx.send(());
            continue;
        }
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        let mut finished = false;
        for msg in batch {
            finished |= matches!(msg, Msg::Done(_));
            for cmd in update(&mut state, msg) {
                if let Cmd::ShowRaw { label, value } = &cmd {
                    raw_view = true;
                    show_raw(label, value);
                    continue;
                }
                if matches!(cmd, Cmd::UseSandbox) {
                    // Switch to the account earlier runs left behind, not a fresh one.
                    let sandbox = match &kept {
                        Some(s) => s.clone(),
                        None => {
                            let (s, warnings) =
                                super::account::open_sandbox(global, Access::Changes);
                            if !warnings.is_empty() {
                                state.flash = Some(format!("Warning: {}", warnings.join(". ")));
                            }
                            Arc::new(s)
                        }
                    };
                    let terminal: Box<dyn Write + Send> = Box::new(std::io::stdout());
                    effects = Effects::new(
                        sandbox.clone(),
                        Some(sandbox.clone()),
                        tx.clone(),
                        session_path.clone(),
                        Some(terminal),
                    );
                    kept = Some(sandbox);
                    continue;
                }
                effects.run(cmd, &state);
            }
        }
        // Each finished action is saved at once: a closed terminal loses nothing done.
        if finished {
            save_kept(kept.as_ref(), &mut state, &mut save_warned);
        }
        if state.quit {
            break Ok(());
        }
    };
    restore_terminal();
    if let Some(e) = kept.as_ref().and_then(|s| save_error(s)) {
        eprintln!("warning: {e}");
    }
    result.map(|()| state.save_error.clone())
}
