//! Keeping the account in a file: saved and loaded as it was, run-only state left out, damaged
//! or unreadable files.

use super::*;

#[tokio::test]
async fn a_saved_account_loads_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = account_path(dir.path());
    let sb = busy_account().await;
    sb.save(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let (loaded, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(warning, None);
    assert_eq!(loaded.file(), Some(path.as_path()));
    assert_eq!(loaded.snapshot(), sb.snapshot());
    // What the snapshot does not show is kept too: inline policies, users, the serials.
    assert_eq!(loaded.lock().to_saved(), sb.lock().to_saved());
    assert_eq!(
        loaded.list_role_policies("Fed").await.unwrap(),
        ["Extra".to_string()]
    );
    // Ids and creation times go on from where they were, never handing one out twice.
    assert_eq!(
        loaded.simulate_create_application("Second"),
        sb.simulate_create_application("Second")
    );
    let versions = loaded
        .list_policy_versions(&iam_arn("policy", "Fed"))
        .await
        .unwrap();
    let newest = versions.iter().map(|v| v.created).max().unwrap();
    loaded
        .create_policy("Later", &permissions(), &[])
        .await
        .unwrap();
    let later = loaded
        .get_policy(&iam_arn("policy", "Later"))
        .await
        .unwrap();
    assert!(later.is_some());
    assert!(loaded.lock().clock > newest);

    // Saving again over the file leaves no temporary file behind.
    loaded.save(&path).unwrap();
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("account.json")]);
}

#[tokio::test]
async fn calls_faults_and_latency_belong_to_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = account_path(dir.path());
    let deny = parse_fault("deny:iam:CreatePolicy").unwrap();
    let sb = Sandbox::with_options(SandboxOptions {
        latency: Duration::ZERO,
        faults: vec![deny.clone()],
    });
    sb.caller_identity(Context::Connect).await.unwrap();
    assert!(sb.create_policy("Fed", &permissions(), &[]).await.is_err());
    sb.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    for run_only in ["GetCallerIdentity", "CreatePolicy", "deny", "latency"] {
        assert!(!text.contains(run_only), "{run_only} in {text}");
    }

    let (loaded, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert!(loaded.calls().is_empty());
    assert!(loaded.call_timings().is_empty());
    loaded
        .create_policy("Fed", &permissions(), &[])
        .await
        .unwrap();
    // The faults of the run that loads the account apply.
    let (again, _) = Sandbox::load_or_seed(
        &path,
        SandboxOptions {
            latency: Duration::ZERO,
            faults: vec![deny],
        },
    );
    assert!(
        again
            .create_policy("Fed", &permissions(), &[])
            .await
            .is_err()
    );
}

#[test]
fn a_missing_file_gives_the_seeded_account_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = account_path(dir.path());
    let (sb, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(warning, None);
    assert_eq!(sb.snapshot(), Sandbox::new().snapshot());
    // The same but for the signing key: every seeded account gets its own.
    let without_key = |sb: &Sandbox| {
        let mut saved = sb.lock().to_saved();
        saved.signing_key = None;
        saved
    };
    assert_eq!(without_key(&sb), without_key(&Sandbox::new()));
    assert_eq!(sb.file(), Some(path.as_path()));
    assert!(!dir.path().join("sandbox").exists());
}

#[tokio::test]
async fn a_damaged_file_is_moved_aside_and_the_account_starts_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let path = account_path(dir.path());
    busy_account().await.save(&path).unwrap();
    let later_format =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"version\": 1", "\"version\": 2", 1);
    assert!(later_format.contains("\"version\": 2"));
    for damaged in [
        "{ not json",
        "[]",
        "{\"version\": 1}",
        later_format.as_str(),
    ] {
        let moved = dir.path().join("sandbox").join("account.json.corrupt");
        // An earlier copy would send this one to a numbered name.
        let _ = std::fs::remove_file(&moved);
        std::fs::write(&path, damaged).unwrap();
        let (sb, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
        let warning = warning.expect("a warning");
        assert!(warning.contains(&moved.display().to_string()), "{warning}");
        assert!(warning.contains("starts again"), "{warning}");
        assert_eq!(std::fs::read_to_string(&moved).unwrap(), damaged);
        assert!(!path.exists());
        assert_eq!(sb.snapshot(), Sandbox::new().snapshot());
        // The seeded account is kept in the same place from now on.
        assert_eq!(sb.file(), Some(path.as_path()));
    }
    std::fs::write(&path, later_format.as_bytes()).unwrap();
    let (_, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert!(
        warning.unwrap().contains("format version 2"),
        "a later format is named"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = account_path(dir.path());
    // A folder where the file should be: it can be neither read nor replaced.
    std::fs::create_dir_all(&path).unwrap();
    let (sb, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    let warning = warning.expect("a warning");
    assert!(warning.contains("saves nothing"), "{warning}");
    assert_eq!(sb.file(), None, "in memory only");
    assert_eq!(sb.snapshot(), Sandbox::new().snapshot());
    assert!(path.is_dir());
}
