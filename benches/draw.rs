//! How long `draw` takes for each screen at 120x40: it runs after every batch of messages,
//! spinner ticks included, so it should stay well under a millisecond.

use connect_sso::app::{Contexts, Done, Key, Mode, Msg, Overlay, State, StepStatus, update};
use connect_sso::cloud::CallerIdentity;
use connect_sso::cloud::sandbox::SANDBOX_INSTANCE_ARN;
use connect_sso::domain::setup::Answers;
use connect_sso::steps::STEPS;
use connect_sso::ui::draw;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn start() -> State {
    let answers = Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        ..Answers::default()
    };
    let mut state = State::new(Mode::Sandbox, "default", &answers);
    let who = CallerIdentity {
        account: "111122223333".to_string(),
        arn: "arn:aws:sts::111122223333:assumed-role/Admin/alice".to_string(),
        user_id: "AROAEXAMPLEID:alice".to_string(),
    };
    state.contexts = Some(Contexts {
        connect: who.clone(),
        identity: who,
    });
    update(&mut state, Msg::Resize(120, 40));
    state.statuses.insert("prerequisites", StepStatus::Verified);
    state
}

fn screens() -> Vec<(String, State)> {
    let mut out = vec![("start".to_string(), start())];
    let mut state = start();
    for step in STEPS {
        update(&mut state, Msg::Key(Key::PageDown));
        out.push((format!("step {}", step.id), state.clone()));
    }
    let mut help = out[6].1.clone();
    help.overlay = Overlay::Help;
    out.push(("help overlay".to_string(), help));
    let mut steps = out[6].1.clone();
    steps.overlay = Overlay::Steps { selected: 1 };
    out.push(("steps overlay".to_string(), steps));
    let mut failed = out[5].1.clone();
    update(
        &mut failed,
        Msg::Done(Done::Ensured {
            step: "6a",
            result: Err("AccessDenied: not authorized to perform iam:CreateSAMLProvider".into()),
        }),
    );
    out.push(("failed report".to_string(), failed));
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("draw 120x40");
    for (name, state) in screens() {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal.draw(|f| draw(black_box(&state), f)).unwrap();
            })
        });
    }
    group.finish();
}

/// A paste into a field: a 100 KB paste (a whole file copied by mistake) must be refused at
/// once, and a long value that fits taken in one piece; both well under 50 ms. The update
/// after it includes recomputing every step's basis.
fn paste(c: &mut Criterion) {
    let mut group = c.benchmark_group("paste into a field");
    let mut on_field = start();
    update(&mut on_field, Msg::Key(Key::PageDown));
    update(&mut on_field, Msg::Key(Key::PageDown));
    update(&mut on_field, Msg::Key(Key::Char('e')));
    for (name, len) in [("100 KB", 100_000), ("4000 characters", 4000)] {
        let text = "A".repeat(len);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut state = on_field.clone();
                update(&mut state, Msg::Paste(black_box(text.clone())));
                state
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench, paste);
criterion_main!(benches);
