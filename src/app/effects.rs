//! The effect runner: turns each `Cmd` into work (a tokio task on the `Cloud`, a clipboard
//! write, a session save) and each result into `Msg::Done` on the channel.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::picker::Pick;
use super::{Cmd, Contexts, Done, LoadedMetadata, Msg, State};
use crate::cloud::console::ConsoleApi;
use crate::cloud::sandbox::{ConsolePage, Sandbox};
use crate::cloud::{Cloud, Context, ensure};
use crate::plan::MetadataSummary;

/// On AWS the console pages are the console's own.
const NO_CONSOLE_PAGES: &str =
    "Only the sandbox has console forms: on AWS, do this step in the IAM Identity Center console";

pub struct Effects {
    cloud: Arc<dyn Cloud>,
    /// The sandbox behind `cloud`, when it is one: it also simulates console steps.
    sandbox: Option<Arc<Sandbox>>,
    /// IAM Identity Center's console API on AWS (the sandbox answers it itself); `None`
    /// when its client could not be made, which the console steps then say.
    console: Option<Result<Arc<dyn ConsoleApi>, String>>,
    tx: UnboundedSender<Msg>,
    /// Running cloud tasks; the last one is the user's action that Ctrl-C cancels.
    tasks: Vec<JoinHandle<()>>,
    session_path: Option<PathBuf>,
    /// Kept for the life of the process: on X11 a copy vanishes with its owner.
    clipboard: Option<arboard::Clipboard>,
    /// Where OSC 52 goes (the terminal); `None` in tests.
    terminal: Option<Box<dyn Write + Send>>,
}

impl Effects {
    pub fn new(
        cloud: Arc<dyn Cloud>,
        sandbox: Option<Arc<Sandbox>>,
        tx: UnboundedSender<Msg>,
        session_path: Option<PathBuf>,
        terminal: Option<Box<dyn Write + Send>>,
    ) -> Effects {
        Effects {
            cloud,
            sandbox,
            tx,
            tasks: Vec::new(),
            session_path,
            clipboard: None,
            terminal,
            console: None,
        }
    }

    /// The console API client for AWS, or why there is none.
    pub fn with_console(mut self, console: Result<Arc<dyn ConsoleApi>, String>) -> Effects {
        self.console = Some(console);
        self
    }

    /// Whether a cloud task is still running.
    pub fn busy(&self) -> bool {
        self.tasks.iter().any(|t| !t.is_finished())
    }

    fn spawn<F>(&mut self, work: F)
    where
        F: std::future::Future<Output = Done> + Send + 'static,
    {
        let tx = self.tx.clone();
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(tokio::spawn(async move {
            let done = work.await;
            let _ = tx.send(Msg::Done(done));
        }));
    }

    fn send(&self, done: Done) {
        let _ = self.tx.send(Msg::Done(done));
    }

    pub fn run(&mut self, cmd: Cmd, state: &State) {
        let cloud = self.cloud.clone();
        // On the sandbox, the ledger beside its saved account (none for one in memory only).
        let ledger = match &self.sandbox {
            None => crate::ledger::default_path(),
            Some(sandbox) => sandbox.file().map(crate::ledger::beside_account),
        };
        match cmd {
            Cmd::LoadContexts => self.spawn(async move {
                Done::Contexts(load_contexts(cloud.as_ref()).await.map_err(|e| e.to_string()))
            }),
            Cmd::ListGroups { identity_store_id } => self.spawn(async move {
                let result = cloud.list_groups(&identity_store_id).await;
                Done::Groups(result.map_err(|e| e.to_string()))
            }),
            Cmd::ListPeople { identity_store_id } => self.spawn(async move {
                Done::People(
                    cloud
                        .list_users(&identity_store_id)
                        .await
                        .map_err(|e| e.to_string()),
                )
            }),
            Cmd::ListProfiles { instance_id, pick } => self.spawn(async move {
                let result = match pick {
                    Pick::RoutingProfile => cloud.list_routing_profiles(&instance_id).await,
                    _ => cloud.list_security_profiles(&instance_id).await,
                };
                Done::Profiles {
                    pick,
                    result: result.map_err(|e| e.to_string()),
                }
            }),
            Cmd::CheckInstance { instance_id } => self.spawn(async move {
                Done::Instance(match cloud.describe_connect_instance(&instance_id).await {
                    Ok(Some(i)) => Ok(i),
                    Ok(None) => Err(format!(
                        "No Connect instance {instance_id} is visible to the connect context: check the instance ARN, the account and the region"
                    )),
                    Err(e) => Err(e.to_string()),
                })
            }),
            Cmd::FindApplication { .. } => self.spawn(async move {
                let result = async {
                    let instances = cloud.list_idc_instances().await?;
                    let mut apps = Vec::new();
                    for i in instances.iter().take(1) {
                        apps = cloud.list_applications(&i.instance_arn).await?;
                    }
                    Ok::<_, crate::cloud::CloudError>(apps)
                }
                .await;
                Done::Applications(result.map_err(|e| e.to_string()))
            }),
            Cmd::SimulateApplication { name } => {
                if let Some(sandbox) = &self.sandbox {
                    sandbox.simulate_ensure_application(&name);
                }
            }
            Cmd::OpenConsolePage { arn, name, step } => {
                let result = match &self.sandbox {
                    Some(sandbox) => arn
                        .or_else(|| sandbox.custom_application_named(&name))
                        .ok_or_else(|| {
                            format!(
                                "its Identity Center has no application named {name} yet: do step 1 first (d there)"
                            )
                        })
                        .and_then(|arn| {
                            let (name, page) = sandbox.console_page(&arn, step)?;
                            Ok((arn, name, page))
                        }),
                    None => Err(NO_CONSOLE_PAGES.to_string()),
                };
                self.send(Done::ConsolePage(result));
            }
            Cmd::SaveConsolePage { arn, page } => {
                let step = page.step();
                let result = match &self.sandbox {
                    Some(sandbox) => sandbox
                        .save_console_page(&arn, page)
                        .map_err(|e| e.to_string())
                        .and_then(|app| {
                            ConsolePage::of(step, &app.config)
                                .ok_or_else(|| format!("step {step} has no console page"))
                        }),
                    None => Err(NO_CONSOLE_PAGES.to_string()),
                };
                self.send(Done::ConsolePageSaved(result));
            }
            Cmd::LoadMetadata { path } => self.spawn(async move {
                let now = time::OffsetDateTime::now_utc();
                let result = crate::cloud::metadata_source::load_source(&path, now).await;
                Done::Metadata(result.map(|(checked, document)| LoadedMetadata {
                    summary: MetadataSummary::new(path, &checked),
                    document,
                }))
            }),
            Cmd::Ensure6a { setup, document } => self.spawn(async move {
                let result = ensure::ensure_saml_provider(cloud.as_ref(), &setup, &document, false).await;
                Done::Ensured {
                    step: "6a",
                    result: result.map_err(|e| e.to_string()),
                }
            }),
            Cmd::Ensure6b { setup } => self.spawn(async move {
                let result = ensure::ensure_policy(cloud.as_ref(), &setup, false).await;
                Done::Ensured {
                    step: "6b",
                    result: result.map_err(|e| e.to_string()),
                }
            }),
            Cmd::Ensure6c { setup } => self.spawn(async move {
                let result = ensure::ensure_role(cloud.as_ref(), &setup, false).await;
                Done::Ensured {
                    step: "6c",
                    result: result.map_err(|e| e.to_string()),
                }
            }),
            Cmd::AssignUsers {
                setup,
                application_arn,
                identity_store_id,
                users,
                groups,
                create_connect_users,
            } => self.spawn(async move {
                let request = Step11 {
                    application_arn,
                    identity_store_id,
                    users,
                    groups,
                    create_connect_users,
                };
                assign(cloud.as_ref(), &setup, request, ledger.as_deref()).await
            }),
            Cmd::ConsoleSteps { setup } => {
                let api: Result<Arc<dyn ConsoleApi>, String> = match (&self.sandbox, &self.console) {
                    (Some(sandbox), _) => Ok(sandbox.clone()),
                    (None, Some(console)) => console.clone(),
                    (None, None) => Err("the console API client was not set up".to_string()),
                };
                let sandbox = self.sandbox.clone();
                self.spawn(async move {
                    console_steps(cloud.as_ref(), api, sandbox, &setup, ledger.as_deref()).await
                })
            }
            Cmd::Unassign {
                application_arn,
                entries,
            } => self.spawn(async move {
                let mut removed = Vec::new();
                let mut done = Vec::new();
                let mut failure = None;
                for e in &entries {
                    match cloud
                        .delete_application_assignment(
                            &application_arn,
                            e.principal_type,
                            &e.principal_id,
                        )
                        .await
                    {
                        Ok(()) => {
                            removed.push(e.user_name.clone());
                            done.push((application_arn.clone(), e.principal_id.clone()));
                        }
                        Err(err) => {
                            failure = Some(format!("{}: {err}", e.user_name));
                            break;
                        }
                    }
                }
                if let Some(path) = ledger.as_deref()
                    && let Err(e) = crate::ledger::forget(path, &done)
                {
                    tracing::warn!("the ledger could not forget the removed assignments: {e}");
                }
                Done::Unassigned(match failure {
                    None => Ok(removed),
                    Some(f) if removed.is_empty() => Err(f),
                    Some(f) => Err(format!("{f} (removed before it: {})", removed.join(", "))),
                })
            }),
            Cmd::Verify {
                setup,
                document,
                users,
                groups,
            } => {
                let sandbox = self.sandbox.clone();
                self.spawn(async move {
                    use crate::cloud::doctor::simulated::{insert_sign_in, simulated_sign_in};
                    let now = time::OffsetDateTime::now_utc();
                    let input = crate::cloud::doctor::DoctorInput {
                        setup: &setup,
                        metadata: document.as_deref(),
                        users: &users,
                        now,
                    };
                    let mut report =
                        crate::cloud::doctor::doctor_with_groups(cloud.as_ref(), input, &groups)
                            .await;
                    // On the sandbox, as doctor does: a sign-in from the access portal.
                    if let Some(sandbox) = sandbox
                        && let Some(check) =
                            simulated_sign_in(&sandbox, &setup, document.as_deref(), &report, now)
                                .await
                    {
                        insert_sign_in(&mut report, check);
                    }
                    Done::Verified(Box::new(report))
                })
            }
            Cmd::Inspect {
                setup,
                text,
                metadata,
                live,
            } => self.spawn(async move {
                let checked = match crate::domain::assertion::decode(text.as_bytes()) {
                    Err(e) => Err(e.to_string()),
                    Ok(decoded) => crate::cloud::inspect::inspect(
                        live.then_some(cloud.as_ref()),
                        &setup,
                        &decoded,
                        metadata.as_deref(),
                        time::OffsetDateTime::now_utc(),
                    )
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string()),
                };
                Done::Inspected {
                    text,
                    result: checked,
                }
            }),
            Cmd::IssueResponse { setup, user } => {
                let issued = match &self.sandbox {
                    None => Err("Only the sandbox's Identity Center can be asked for a response: on AWS, sign in from the access portal and paste what the browser posted".to_string()),
                    Some(sandbox) => sandbox
                        .issue_response(&user, &setup, time::OffsetDateTime::now_utc())
                        .map(|r| r.form_body())
                        .map_err(|e| e.to_string()),
                };
                self.send(Done::Issued(issued));
            }
            Cmd::SignInTest {
                setup,
                text,
                metadata,
            } => self.spawn(async move {
                let result = match crate::domain::assertion::decode(text.as_bytes()) {
                    Err(e) => Err(e.to_string()),
                    Ok(decoded) => crate::cloud::sign_in::sign_in_test(
                        cloud.as_ref(),
                        &setup,
                        &decoded,
                        metadata.as_deref(),
                        None,
                        time::OffsetDateTime::now_utc(),
                    )
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string()),
                };
                Done::SignInTested { text, result }
            }),
            Cmd::Copy { label, value } => {
                let result = self.copy(&value);
                self.send(Done::Copied { label, result });
            }
            // The terminal's business (the event loop does it); nothing to run.
            Cmd::ShowRaw { .. } => {}
            Cmd::Save => {
                if let Some(path) = &self.session_path {
                    let result = crate::session::save(path, &state.to_saved());
                    if result.is_err() {
                        self.send(Done::Saved(result));
                    }
                }
            }
            Cmd::Cancel => {
                if let Some(task) = self.tasks.pop() {
                    task.abort();
                }
                self.send(Done::Cancelled);
            }
            Cmd::UseSandbox => {
                let sandbox = Arc::new(Sandbox::new());
                self.cloud = sandbox.clone();
                self.sandbox = Some(sandbox);
            }
        }
    }

    /// OSC 52 through the terminal (works over SSH and in tmux) and the native clipboard.
    fn copy(&mut self, value: &str) -> Result<String, String> {
        let mut ways = Vec::new();
        let mut errors = Vec::new();
        if let Some(term) = &mut self.terminal {
            let encoded = base64::engine::general_purpose::STANDARD.encode(value);
            match write!(term, "\x1b]52;c;{encoded}\x07").and_then(|_| term.flush()) {
                Ok(()) => ways.push("terminal (OSC 52)"),
                Err(e) => errors.push(format!("terminal: {e}")),
            }
        }
        if self.clipboard.is_none() {
            match arboard::Clipboard::new() {
                Ok(c) => self.clipboard = Some(c),
                Err(e) => errors.push(format!("system clipboard: {e}")),
            }
        }
        if let Some(c) = &mut self.clipboard {
            match c.set_text(value.to_string()) {
                Ok(()) => ways.push("system clipboard"),
                Err(e) => errors.push(format!("system clipboard: {e}")),
            }
        }
        if ways.is_empty() {
            Err(errors.join("; "))
        } else {
            Ok(ways.join(" and the "))
        }
    }
}

async fn load_contexts(
    cloud: &dyn Cloud,
) -> Result<
    (
        Contexts,
        Vec<crate::cloud::ConnectInstanceSummary>,
        Option<String>,
    ),
    crate::cloud::CloudError,
> {
    let (connect, identity) = tokio::try_join!(
        cloud.caller_identity(Context::Connect),
        cloud.caller_identity(Context::Identity),
    )?;
    // Listing is a convenience: a missing permission here must not block the wizard.
    let (instances, idc) = tokio::join!(cloud.list_connect_instances(), cloud.list_idc_instances());
    let identity_store_id = idc
        .ok()
        .and_then(|list| list.first().map(|i| i.identity_store_id.clone()));
    Ok((
        Contexts { connect, identity },
        instances.unwrap_or_default(),
        identity_store_id,
    ))
}

/// The ledger's assignments to `application_arn` for people no longer asked for; nothing
/// when there is no ledger or it cannot be read (step 11 then simply offers nothing).
async fn unrequested_for(
    cloud: &dyn Cloud,
    ledger: Option<&std::path::Path>,
    application_arn: &str,
    kept_users: &[String],
    kept_groups: &[String],
) -> Vec<crate::ledger::LedgerEntry> {
    let Some(entries) = ledger.and_then(|p| crate::ledger::load(p).ok()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (kind, kept) in [
        (crate::cloud::PrincipalType::User, kept_users),
        (crate::cloud::PrincipalType::Group, kept_groups),
    ] {
        out.extend(
            crate::cloud::teardown::unrequested_assignments(
                cloud,
                application_arn,
                &entries.0.assignments,
                kind,
                kept,
            )
            .await
            .unwrap_or_default(),
        );
    }
    out
}

/// Steps 1, 2, 3-5 and 10 through the console API, as `apply --console-api` runs them:
/// step 10's record beside the ledger read first and written after, the sandbox's metadata
/// URL served from its account. Then the applications, for step 1 and step 11.
async fn console_steps(
    cloud: &dyn Cloud,
    api: Result<Arc<dyn ConsoleApi>, String>,
    sandbox: Option<Arc<Sandbox>>,
    setup: &crate::domain::setup::Setup,
    ledger: Option<&std::path::Path>,
) -> Done {
    use crate::cloud::console::ensure::{
        ConsoleFailure, ConsoleRun, ensure_console_steps, fetch_with,
    };
    use crate::cloud::console::record;
    let now = time::OffsetDateTime::now_utc();
    let api = match api {
        Ok(api) => api,
        Err(e) => {
            let run = ConsoleRun {
                failure: Some(ConsoleFailure {
                    step: "1",
                    operation: "the console API client".to_string(),
                    answer: e,
                    unexpected: false,
                    done: Vec::new(),
                }),
                ..ConsoleRun::default()
            };
            return Done::Console {
                run: Box::new(run),
                applications: None,
            };
        }
    };
    let path = ledger.map(record::beside_ledger);
    let (recorded, warning) = match &path {
        Some(p) => record::load(p),
        None => (record::Record::default(), None),
    };
    let lookup = move |id: &str| recorded.mappings(id);
    let mut run = match &sandbox {
        Some(sandbox) => {
            let fetch = crate::cloud::sandbox::sandbox_fetch(sandbox, now);
            ensure_console_steps(api.as_ref(), setup, &lookup, &fetch, false).await
        }
        None => {
            let fetch = fetch_with(now);
            ensure_console_steps(api.as_ref(), setup, &lookup, &fetch, false).await
        }
    };
    run.warnings.extend(warning);
    if let (Some(path), Some(id)) = (&path, &run.instance_id)
        && let Err(e) = record::note(
            path,
            id,
            setup.instance.id.as_str(),
            run.created,
            run.mappings_written.as_deref(),
        )
    {
        run.warnings.push(format!(
            "what the console API did to {id} is not recorded ({e}), so the next run writes step 10 again"
        ));
    }
    let applications = match cloud.list_idc_instances().await {
        Ok(instances) => match instances.first() {
            Some(idc) => cloud.list_applications(&idc.instance_arn).await.ok(),
            None => None,
        },
        Err(_) => None,
    };
    Done::Console {
        run: Box::new(run),
        applications,
    }
}

/// What step 11 assigns.
struct Step11 {
    application_arn: String,
    identity_store_id: String,
    users: Vec<String>,
    groups: Vec<String>,
    create_connect_users: Option<ensure::ConnectUserTemplate>,
}

/// Step 11: every group is found before anything changes (as `apply` does), then the users
/// and the groups are assigned and recorded in the ledger, and everyone the application
/// reaches is counted (with `a`, their missing Connect users created).
async fn assign(
    cloud: &dyn Cloud,
    setup: &crate::domain::setup::Setup,
    request: Step11,
    ledger: Option<&std::path::Path>,
) -> Done {
    let failed = |message: String| Done::Users {
        result: Err(message),
        groups: Vec::new(),
        unrequested: Vec::new(),
        reach: None,
    };
    let arn = request.application_arn.as_str();
    let wanted_groups = match crate::cloud::groups::resolve_groups(
        cloud,
        &request.identity_store_id,
        &request.groups,
    )
    .await
    {
        Ok(found) => found,
        Err(e) => return failed(e.to_string()),
    };
    let users = match ensure::ensure_users(
        cloud,
        setup,
        arn,
        &request.identity_store_id,
        &request.users,
        request.create_connect_users.as_ref(),
        false,
    )
    .await
    {
        Ok(users) => users,
        Err(e) => return failed(e.to_string()),
    };
    let now = time::OffsetDateTime::now_utc();
    crate::ledger::remember(
        ledger,
        &crate::cloud::teardown::created_assignments(setup, arn, &users, now),
    );
    let (groups, error) =
        crate::cloud::groups::ensure_groups(cloud, Some(arn), &wanted_groups, false).await;
    crate::ledger::remember(
        ledger,
        &crate::cloud::teardown::created_group_assignments(setup, arn, &groups, now),
    );
    if let Some(e) = error {
        let done: Vec<String> = groups.iter().map(|g| g.in_words()).collect();
        return failed(format!("{e} (before it: {})", done.join("; ")));
    }
    let kept: Vec<String> = users.iter().filter_map(|u| u.user_id.clone()).collect();
    let kept_groups: Vec<String> = groups.iter().map(|g| g.group_id.clone()).collect();
    let unrequested = unrequested_for(cloud, ledger, arn, &kept, &kept_groups).await;
    let reach = reach_of(cloud, setup, request.create_connect_users.as_ref(), ledger).await;
    Done::Users {
        result: Ok(users),
        groups,
        unrequested,
        reach: Some(reach),
    }
}

/// Everyone step 1's application reaches, read as `users sync` reads them; with a
/// template (`a`), the missing Connect users are created too, each recorded in the ledger
/// as it is made.
async fn reach_of(
    cloud: &dyn Cloud,
    setup: &crate::domain::setup::Setup,
    template: Option<&ensure::ConnectUserTemplate>,
    ledger: Option<&std::path::Path>,
) -> Result<super::reach::Reach, String> {
    use crate::cloud::sync::{SyncOptions, plan_sync, run_sync};
    let options = SyncOptions {
        // Counting alone still resolves the profiles: the default ones, as `a` would ask.
        template: template
            .cloned()
            .unwrap_or_else(|| ensure::ConnectUserTemplate::from_answers(&Default::default())),
        prune: false,
        recorded: Default::default(),
    };
    let plan = plan_sync(cloud, setup, &options)
        .await
        .map_err(|e| format!("Who the application reaches could not be read: {e}"))?;
    if template.is_none() || plan.to_create.is_empty() {
        return Ok(super::reach::Reach::planned(&plan));
    }
    let recorder = crate::ledger::SyncRecorder::new(ledger, time::OffsetDateTime::now_utc());
    let report = run_sync(cloud, plan, &recorder).await;
    for w in recorder.warnings() {
        tracing::warn!("{w}");
    }
    Ok(super::reach::Reach::synced(&report))
}
