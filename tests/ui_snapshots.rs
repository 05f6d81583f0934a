//! Every screen of the wizard drawn headlessly at 80x24 and 120x40 and compared with its
//! snapshot, plus the cell colours where colour carries meaning.
//!
//! Accept changed screens with `INSTA_UPDATE=always cargo test --test ui_snapshots`, then
//! read the `.snap` files.

use connect_sso::app::{
    Busy, Contexts, Done, Focus, Key, Mode, Msg, Overlay, State, StepReport, StepStatus, update,
};
use connect_sso::cloud::CallerIdentity;
use connect_sso::cloud::sandbox::SANDBOX_INSTANCE_ARN;
use connect_sso::domain::setup::Answers;
use connect_sso::steps::STEPS;
use connect_sso::ui::{Theme, draw_with};
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::style::Color;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn identity(role: &str) -> CallerIdentity {
    CallerIdentity {
        account: "111122223333".to_string(),
        arn: format!("arn:aws:sts::111122223333:assumed-role/{role}/alice"),
        user_id: "AROAEXAMPLEID:alice".to_string(),
    }
}

/// A sandbox session on the start screen whose contexts have loaded.
fn fresh() -> State {
    let answers = Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        ..Answers::default()
    };
    let mut state = State::new(Mode::Sandbox, "default", &answers);
    state.contexts = Some(Contexts {
        connect: identity("ConnectAdmin"),
        identity: identity("IdentityCenterAdmin"),
    });
    state.identity_store_id = Some("d-9067a1b2c3".to_string());
    state
}

fn key(state: &mut State, key: Key) {
    update(state, Msg::Key(key));
}

/// Some progress, so the step list shows every kind of status.
fn with_progress(mut state: State) -> State {
    for (id, status) in [
        ("prerequisites", StepStatus::Verified),
        ("1", StepStatus::Done),
        ("2", StepStatus::Failed),
        ("3-5", StepStatus::Skipped),
    ] {
        state.statuses.insert(id, status);
    }
    state.reports.insert(
        "prerequisites",
        StepReport {
            ok: true,
            lines: vec![
                "Instance workshop-contact-center is ACTIVE and uses SAML 2.0 identity management."
                    .to_string(),
            ],
        },
    );
    state
}

/// The state on step screen `screen` (1 = prerequisites), reached with PageDown as a user would.
fn on_screen(screen: usize) -> State {
    let mut state = with_progress(fresh());
    for _ in 0..screen {
        key(&mut state, Key::PageDown);
    }
    assert_eq!(
        state.screen, screen,
        "PageDown was refused: {:?}",
        state.flash
    );
    state
}

fn render(state: &State, width: u16, height: u16, theme: &Theme) -> Terminal<TestBackend> {
    let mut state = state.clone();
    update(&mut state, Msg::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw_with(&state, f, theme)).unwrap();
    terminal
}

/// The screen as text, with the cursor: (0, 0) is the header, where no cursor ever goes.
fn text(state: &State, width: u16, height: u16) -> String {
    let mut terminal = render(state, width, height, &Theme::default());
    let cursor = terminal.backend_mut().get_cursor_position().unwrap();
    let cursor = if (cursor.x, cursor.y) == (0, 0) {
        "cursor: hidden".to_string()
    } else {
        format!("cursor: column {}, row {}", cursor.x, cursor.y)
    };
    format!("{cursor}\n{}", terminal.backend())
}

/// Snapshots `state` at both sizes, named `name_80x24` and `name_120x40`.
fn snapshot_both(name: &str, state: &State) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(state, w, h));
    }
}

fn buffer(state: &State, width: u16, height: u16, theme: &Theme) -> Buffer {
    render(state, width, height, theme)
        .backend()
        .buffer()
        .clone()
}

fn row_text(buffer: &Buffer, y: u16) -> String {
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

// ---- screens -------------------------------------------------------------------------

#[test]
fn start_with_contexts() {
    snapshot_both("start_contexts", &fresh());
}

#[test]
fn start_with_context_error() {
    let answers = Answers::default();
    let mut state = State::new(Mode::Aws, "acme", &answers);
    update(
        &mut state,
        Msg::Done(Done::Contexts(Err(
            "no AWS credentials found for profile acme: run `aws sso login --profile acme`, or start with --sandbox".to_string(),
        ))),
    );
    snapshot_both("start_context_error", &state);
}

#[test]
fn start_plan_only() {
    let mut state = fresh();
    state.mode = Mode::PlanOnly;
    state.contexts = None;
    snapshot_both("start_plan_only", &state);
}

#[test]
fn every_step_screen() {
    for (i, step) in STEPS.iter().enumerate() {
        let state = on_screen(i + 1);
        snapshot_both(&format!("step_{}", step.id), &state);
    }
}

#[test]
fn step_with_selected_value_row() {
    let mut state = on_screen(8); // 7-9: relay state, no fields
    key(&mut state, Key::Down);
    assert_eq!(state.focus, Focus::Values(1));
    snapshot_both("step_7-9_second_row_selected", &state);
}

#[test]
fn document_scrolled() {
    let mut state = on_screen(6); // 6b: the permissions policy
    key(&mut state, Key::Esc);
    key(&mut state, Key::Ctrl('d'));
    key(&mut state, Key::Ctrl('d'));
    snapshot_both("step_6b_scrolled", &state);
}

#[test]
fn help_overlay() {
    let mut state = on_screen(6);
    key(&mut state, Key::Esc);
    key(&mut state, Key::Char('?'));
    assert_eq!(state.overlay, Overlay::Help);
    snapshot_both("help_overlay", &state);
}

#[test]
fn steps_overlay() {
    let mut state = on_screen(4);
    key(&mut state, Key::Esc);
    key(&mut state, Key::Char('s'));
    assert_eq!(state.overlay, Overlay::Steps { selected: 4 });
    snapshot_both("steps_overlay", &state);
}

/// The verification screen after a doctor run on the fresh sandbox (nothing set up yet).
fn verified_on_a_fresh_sandbox() -> State {
    let mut state = on_screen(STEPS.len());
    let setup = state.setup().unwrap();
    let sandbox = connect_sso::cloud::sandbox::Sandbox::new();
    let metadata = connect_sso::domain::metadata::parse(
        connect_sso::cloud::sandbox::SANDBOX_METADATA.as_bytes(),
    )
    .unwrap();
    let now = metadata.certificates[0].not_before + time::Duration::days(30);
    let report = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(connect_sso::cloud::doctor::doctor(
            &sandbox,
            connect_sso::cloud::doctor::DoctorInput {
                setup: &setup,
                metadata: None,
                users: &[],
                now,
            },
        ));
    update(&mut state, Msg::Done(Done::Verified(Box::new(report))));
    state
}

#[test]
fn verification_and_troubleshooting() {
    let mut state = verified_on_a_fresh_sandbox();
    assert_eq!(state.status("verify"), StepStatus::Failed);
    snapshot_both("verify_failed", &state);
    key(&mut state, Key::Char('t'));
    assert!(matches!(state.overlay, Overlay::Troubles { .. }));
    snapshot_both("troubleshooting_overlay", &state);
    // Detected entries are marked in the warning colour (and with "!" without colour).
    let buffer = buffer(&state, 120, 40, &Theme::default());
    let marked = (0..40)
        .any(|y| row_text(&buffer, y).contains("! Access denied on connect:GetFederationToken"));
    assert!(marked);
    // At 80x24 the selected entry's fix is in view, whatever entry is selected.
    for _ in 0..12 {
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = text(&state, w, h);
            assert!(screen.contains("│Fix "), "{screen}");
        }
        key(&mut state, Key::Down);
    }
}

#[test]
fn inspect_overlay_empty_and_refused() {
    let mut state = on_screen(STEPS.len());
    key(&mut state, Key::Esc);
    key(&mut state, Key::Char('i'));
    assert_eq!(state.overlay, Overlay::Inspect);
    snapshot_both("inspect_overlay_empty", &state);
    update(&mut state, Msg::Paste("PHNhbWxwOlJlc3BvbnNl".to_string()));
    update(
        &mut state,
        Msg::Done(Done::Inspected {
            text: "PHNhbWxwOlJlc3BvbnNl".to_string(),
            result: Err(
                "the text is base64 but not a SAMLResponse: copy the whole SAMLResponse form value"
                    .to_string(),
            ),
        }),
    );
    snapshot_both("inspect_overlay_refused", &state);
}

#[test]
fn too_small_terminal() {
    let state = fresh();
    insta::assert_snapshot!("too_small_59x16", text(&state, 59, 16));
    insta::assert_snapshot!("too_small_40x10", text(&state, 40, 10));
}

fn with_validation_error() -> State {
    let mut state = on_screen(1);
    state.fields[0].value = "arn:aws:connect:us-east-1:1234:instance/nope".to_string();
    state.fields[0].cursor = 12;
    key(&mut state, Key::PageDown);
    assert_eq!(state.screen, 1, "an invalid answer blocks going on");
    state
}

#[test]
fn validation_error() {
    let state = with_validation_error();
    assert!(state.fields[0].error.is_some());
    snapshot_both("validation_error", &state);
}

#[test]
fn busy_spinner() {
    let mut state = on_screen(7); // 6c
    key(&mut state, Key::Esc);
    key(&mut state, Key::Char('r'));
    assert!(state.busy.is_some(), "{:?}", state.flash);
    update(&mut state, Msg::Tick);
    update(&mut state, Msg::Tick);
    snapshot_both("busy_6c", &state);
}

fn with_failed_report() -> State {
    let mut state = on_screen(5); // 6a
    update(
        &mut state,
        Msg::Done(Done::Ensured {
            step: "6a",
            result: Err("AccessDenied: User arn:aws:sts::111122223333:assumed-role/ConnectAdmin/alice is not authorized to perform: iam:CreateSAMLProvider. Ask for iam:CreateSAMLProvider on arn:aws:iam::111122223333:saml-provider/*".to_string()),
        }),
    );
    state
}

#[test]
fn failed_report() {
    snapshot_both("failed_report_6a", &with_failed_report());
}

/// 6a failed for a policy name since changed: its result is kept but marked out of date.
fn with_stale_report() -> State {
    let mut state = with_failed_report();
    key(&mut state, Key::Char('e'));
    for c in "Renamed".chars() {
        key(&mut state, Key::Char(c));
    }
    key(&mut state, Key::Esc);
    state
}

#[test]
fn stale_report() {
    let state = with_stale_report();
    assert_eq!(state.status("6a"), StepStatus::Stale);
    assert!(
        state
            .flash
            .as_deref()
            .unwrap_or_default()
            .contains("step 6a"),
        "{:?}",
        state.flash
    );
    snapshot_both("stale_report_6a", &state);
}

#[test]
fn people_picker() {
    use connect_sso::app::picker::{Pick, Picker};
    use connect_sso::cloud::IdcUser;

    let mut state = on_screen(10); // step 11
    let user = |name: &str, display: &str| IdcUser {
        user_id: format!("id-{name}"),
        user_name: name.to_string(),
        display_name: Some(display.to_string()),
        given_name: None,
        family_name: None,
        emails: vec![format!("{name}@example.com")],
    };
    let mut picker = Picker::new(Pick::People, &["kwame.mensah@example.com".to_string()]);
    picker.loaded_people(&[
        user("maria.garcia", "Maria Garcia"),
        user("kwame.mensah", "Kwame Mensah"),
        user("aisha.khan", "Aisha Khan"),
    ]);
    picker.type_char('a');
    picker.move_by(1);
    state.picker = Some(picker);
    state.overlay = Overlay::Picker;
    assert_eq!(state.key_hints()[0], ("type", "filter"));
    snapshot_both("people_picker", &state);
}

#[test]
fn profile_picker() {
    use connect_sso::app::picker::{Pick, Picker};
    use connect_sso::cloud::NamedId;

    let mut state = on_screen(10); // step 11
    let profile = |name: &str| NamedId {
        id: format!("id-{name}"),
        name: name.to_string(),
    };
    let mut picker = Picker::new(Pick::SecurityProfile, &["Agent".to_string()]);
    picker.loaded_profiles(&[
        profile("Admin"),
        profile("Agent"),
        profile("CallCenterManager"),
    ]);
    state.picker = Some(picker);
    state.overlay = Overlay::Picker;
    assert_eq!(
        state.key_hints(),
        [
            ("type", "filter"),
            ("↑↓", "move"),
            ("Enter", "use it"),
            ("Esc", "cancel")
        ]
    );
    snapshot_both("profile_picker", &state);
}

#[test]
fn outside_text_is_cleaned() {
    let mut state = on_screen(2);
    state.fields[1].value = "Agents\u{1b}[2J\u{1b}]52;c;cGF3bmVk\u{7}".to_string();
    state.fields[1].cursor = 3;
    state.focus = Focus::Field(0);
    state.flash = Some("copied\r\u{1b}[31mred".to_string());
    state.busy = Some(Busy {
        step: "1",
        label: "sso:ListApplications\u{1b}[H".to_string(),
        frame: 3,
        basis: None,
        previous: None,
    });
    state.reports.insert(
        "1",
        StepReport {
            ok: false,
            lines: vec!["Found: \u{1b}[31mevil\u{202E}txt.exe".to_string()],
        },
    );
    for (w, h) in SIZES {
        let buffer = buffer(&state, w, h, &Theme::default());
        for cell in buffer.content() {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || c == '\u{202E}'),
                "control character drawn at {w}x{h}"
            );
        }
    }
    insta::assert_snapshot!("outside_text_cleaned_80x24", text(&state, 80, 24));
}

// ---- colours -------------------------------------------------------------------------

/// The cells of the step list's rows for `id`: (symbol cell, its colour).
fn status_cell(buffer: &Buffer, title: &str) -> (String, Color) {
    for y in 0..buffer.area.height {
        let row = row_text(buffer, y);
        if let Some(col) = row.find(title) {
            // The symbol is the first non-blank, non-`>` cell of the row inside the list.
            let start = row[..col]
                .rfind('│')
                .map_or(0, |i| row[..i].chars().count() + 1);
            for x in start as u16..buffer.area.width {
                let s = buffer[(x, y)].symbol();
                if s != " " && s != ">" {
                    return (s.to_string(), buffer[(x, y)].fg);
                }
            }
        }
    }
    panic!("no step row titled {title}");
}

#[test]
fn status_symbols_carry_their_colour() {
    let mut state = on_screen(3);
    state.statuses.insert("6a", StepStatus::Failed);
    for overlay in [false, true] {
        let (w, h) = if overlay { (80, 24) } else { (120, 40) };
        let mut state = state.clone();
        if overlay {
            state.overlay = Overlay::Steps { selected: 3 };
        }
        let buffer = buffer(&state, w, h, &Theme::default());
        assert_eq!(
            status_cell(&buffer, "Check the prerequisites"),
            ("✔".to_string(), Color::Green),
            "verified, overlay {overlay}"
        );
        assert_eq!(
            status_cell(&buffer, "Create the IAM SAML"),
            ("✗".to_string(), Color::Red),
            "failed, overlay {overlay}"
        );
    }
}

#[test]
fn validation_error_is_red() {
    let state = with_validation_error();
    for (w, h) in SIZES {
        let buffer = buffer(&state, w, h, &Theme::default());
        let y = (0..h)
            .find(|&y| row_text(&buffer, y).contains("✗ in the ARN"))
            .expect("an error line");
        let x0 = row_text(&buffer, y).chars().position(|c| c == '✗').unwrap() as u16;
        for x in x0..w {
            let cell = &buffer[(x, y)];
            if cell.symbol() != " " {
                assert_eq!(cell.fg, Color::Red, "cell {x},{y} at {w}x{h}");
            }
        }
    }
}

#[test]
fn failed_report_is_red_and_marked() {
    let state = with_failed_report();
    let buffer = buffer(&state, 120, 40, &Theme::default());
    let y = (0..40)
        .find(|&y| row_text(&buffer, y).contains("✗ AccessDenied"))
        .expect("the report line, marked ✗");
    let x = row_text(&buffer, y).chars().position(|c| c == '✗').unwrap() as u16;
    assert_eq!(buffer[(x, y)].fg, Color::Red);
}

/// Every state the snapshots draw, for the colour-free check.
fn all_states() -> Vec<State> {
    let mut states = vec![fresh(), with_validation_error(), with_failed_report()];
    states.extend((1..=STEPS.len()).map(on_screen));
    states.push(verified_on_a_fresh_sandbox());
    for overlay in [
        Overlay::Help,
        Overlay::Steps { selected: 3 },
        Overlay::Troubles { selected: 2 },
        Overlay::Inspect,
    ] {
        let mut s = on_screen(3);
        s.overlay = overlay;
        states.push(s);
    }
    let mut error = fresh();
    error.contexts = None;
    error.context_error = Some("no credentials".to_string());
    states.push(error);
    states
}

#[test]
fn no_color_theme_draws_no_colour() {
    for state in all_states() {
        for (w, h) in SIZES {
            let buffer = buffer(&state, w, h, &Theme::plain());
            for cell in buffer.content() {
                assert_eq!(
                    (cell.fg, cell.bg),
                    (Color::Reset, Color::Reset),
                    "screen {} at {w}x{h}: {cell:?}",
                    state.screen
                );
            }
        }
    }
}

#[test]
fn the_focused_field_has_the_cursor() {
    let mut state = on_screen(6); // 6b, editing its empty policy name
    state.focus = Focus::Field(0);
    let mut terminal = render(&state, 80, 24, &Theme::default());
    let at = terminal.backend_mut().get_cursor_position().unwrap();
    assert_ne!((at.x, at.y), (0, 0), "cursor shown");
    let row = row_text(terminal.backend().buffer(), at.y - 1);
    assert!(row.contains("› Policy name"), "{row}");
}

#[test]
fn every_screen_draws_at_the_edges_of_the_supported_sizes() {
    // The smallest size drawn in full, the narrowest with the step list beside, and a
    // size below the minimum: none may panic, and the smallest keeps the help bar.
    for state in all_states() {
        for (w, h) in [(60, 16), (100, 30), (30, 5), (1, 1)] {
            let buffer = buffer(&state, w, h, &Theme::default());
            if (w, h) == (60, 16) && state.overlay == Overlay::None {
                // The key map stays one key away; "more keys" when the bar cannot hold all.
                let bar = row_text(&buffer, 15);
                assert!(
                    bar.contains("? keys")
                        || bar.contains("? more keys")
                        || state.focus != Focus::Values(0),
                    "{bar}"
                );
            }
        }
    }
}

#[test]
fn prerequisites_lists_the_instances_to_pick() {
    use connect_sso::cloud::ConnectInstanceSummary;
    let mut state = on_screen(1);
    state.instances = vec![
        ConnectInstanceSummary {
            id: "5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b".into(),
            arn: SANDBOX_INSTANCE_ARN.into(),
            alias: Some("workshop-contact-center".into()),
            identity_management_type: "SAML".into(),
            status: "ACTIVE".into(),
        },
        ConnectInstanceSummary {
            id: "a3e1c7d9-6b2f-4e8a-8c0d-9f1b3e5d7a2c".into(),
            arn: "arn:aws:connect:us-east-1:111122223333:instance/a3e1c7d9-6b2f-4e8a-8c0d-9f1b3e5d7a2c".into(),
            alias: Some("legacy-directory".into()),
            identity_management_type: "CONNECT_MANAGED".into(),
            status: "ACTIVE".into(),
        },
    ];
    key(&mut state, Key::Down);
    key(&mut state, Key::Down);
    snapshot_both("prerequisites_instances", &state);
}

#[test]
fn unassign_question() {
    let mut state = on_screen(10); // step 11
    state.unrequested = vec![connect_sso::ledger::LedgerEntry {
        application_arn: "arn:aws:sso::111122223333:application/ssoins-1/apl-1".to_string(),
        principal_id: "id-sofia".to_string(),
        principal_type: connect_sso::cloud::PrincipalType::User,
        user_name: "sofia.rossi@example.com".to_string(),
        instance_id: "5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b".to_string(),
        created_at: "2026-12-01T00:00:00Z".to_string(),
    }];
    state.overlay = Overlay::ConfirmUnassign;
    assert_eq!(state.key_hints(), [("y", "unassign"), ("n", "keep them")]);
    snapshot_both("unassign_question", &state);
}

#[test]
fn sandbox_console_form_for_step_10() {
    use connect_sso::cloud::sandbox::{ConsolePage, Mapping};
    let mut state = on_screen(1 + STEPS.iter().position(|s| s.id == "10").unwrap());
    // The page as the sandbox sends it for an application whose mappings were never set.
    update(
        &mut state,
        Msg::Done(Done::ConsolePage(Ok((
            "arn:aws:sso::111122223333:application/ssoins-1/apl-1".to_string(),
            "Amazon Connect 5f8c2a4e".to_string(),
            ConsolePage::Mappings {
                subject: Mapping::new("${user:subject}", "persistent"),
                attributes: Vec::new(),
            },
        )))),
    );
    assert_eq!(state.overlay, Overlay::ConsoleForm);
    key(&mut state, Key::Ctrl('u'));
    for c in "${user:email}".chars() {
        key(&mut state, Key::Char(c));
    }
    snapshot_both("console_form_step_10", &state);
    // Down to the second row's name: the focused field stays in view.
    for _ in 0..5 {
        key(&mut state, Key::Tab);
    }
    update(
        &mut state,
        Msg::Paste("https://aws.amazon.com/SAML/Attributes/Role".into()),
    );
    snapshot_both("console_form_step_10_scrolled", &state);
    // On the row's value, the wizard's Role value wraps under it: all of it stays in view.
    key(&mut state, Key::Tab);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&state, w, h);
        assert!(
            screen.contains("IdentityCenter-Connect-5f8c2a4e"),
            "{screen}"
        );
    }
    assert!(
        state.key_hints().contains(&("Ctrl-Y", "copy shown")),
        "{:?}",
        state.key_hints()
    );
    // A refused save says why, in view, while the focus goes to the first field.
    for _ in 0..6 {
        key(&mut state, Key::BackTab);
    }
    key(&mut state, Key::Ctrl('u'));
    key(&mut state, Key::Ctrl('s'));
    assert_eq!(state.console_form.as_ref().unwrap().focus, 0);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&state, w, h);
        assert!(screen.contains("Subject: maps to is required"), "{screen}");
        assert!(screen.contains("› Subject: maps to"), "{screen}");
    }
}

#[test]
fn a_status_message_longer_than_the_terminal_wraps_instead_of_being_cut() {
    let mut state = on_screen(10); // step 11
    key(&mut state, Key::Char('r'));
    let message = state
        .flash
        .clone()
        .expect("step 11 without anyone says what to do");
    assert!(message.chars().count() > 78, "{message}");
    for (w, h) in [(60, 16), (80, 24), (120, 40)] {
        let terminal = render(&state, w, h, &Theme::default());
        let buffer = terminal.backend().buffer();
        let rows: Vec<String> = (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .collect();
        assert!(
            rows.join(" ").contains(&message),
            "{w}x{h}: {message} not whole in\n{}",
            rows.join("\n")
        );
        // The help bar is still the last line.
        assert!(rows[usize::from(h) - 1].contains("q quit"), "{rows:?}");
    }
    // Longer than three lines: the third ends in "…", the help bar stays.
    state.flash = Some(format!("{message} {message} {message} {message}"));
    let terminal = render(&state, 80, 24, &Theme::default());
    let buffer = terminal.backend().buffer();
    let row = |y: u16| {
        (0..80)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect::<String>()
    };
    assert!(row(22).trim_end().ends_with('…'), "{:?}", row(22));
    assert!(row(20).contains("Name at least one"), "{:?}", row(20));
    assert!(row(23).contains("q quit"), "{:?}", row(23));
}

#[test]
fn a_workshop_scenario_is_named_in_the_header_and_in_the_commands_given() {
    let mut state = on_screen(1);
    state.scenario = Some("wrong-audience".to_string());
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&state, w, h);
        let header = screen.lines().nth(1).unwrap_or_default();
        assert!(header.contains("scenario wrong-audience"), "{header}");
    }
    assert_eq!(
        state.resume_command(),
        "connect-sso --sandbox-scenario wrong-audience --session default"
    );
    // The start screen tells the attendee the story and whom to sign in as, not the cause.
    let mut start = fresh();
    start.scenario = Some("wrong-audience".to_string());
    let scenario = connect_sso::cloud::sandbox::scenario("wrong-audience").unwrap();
    let screen = text(&start, 120, 40);
    assert!(
        screen.contains("Workshop scenario wrong-audience"),
        "{screen}"
    );
    assert!(screen.contains(&scenario.brief[..40]), "{screen}");
    assert!(screen.contains("kwame.mensah@example.com"), "{screen}");
    assert!(!screen.contains(&scenario.cause[..30]), "{screen}");
    assert!(
        state
            .doctor_command()
            .starts_with("connect-sso doctor --sandbox-scenario wrong-audience"),
        "{}",
        state.doctor_command()
    );
}
