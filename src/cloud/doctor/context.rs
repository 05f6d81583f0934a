//! Doctor's first checks: who the credentials are in both contexts, and whether the Connect
//! instance is active, in the connect context's account and using SAML.

use super::{Check, Verdict};
use crate::cloud::apply::instance_check;
use crate::cloud::{CallerIdentity, Cloud, ConnectInstanceSummary, Context};
use crate::domain::setup::Setup;

pub(super) async fn check_context(cloud: &dyn Cloud, setup: &Setup) -> Vec<Check> {
    let instance_id = setup.instance.id.as_str();
    let (connect, identity, instance) = tokio::join!(
        cloud.caller_identity(Context::Connect),
        cloud.caller_identity(Context::Identity),
        cloud.describe_connect_instance(instance_id),
    );
    let mut context = Check::new("context", "connect and identity contexts");
    let who = |c: &CallerIdentity| format!("account {} as {}", c.account, c.arn);
    match (&connect, &identity) {
        (Ok(c), Ok(i)) => {
            context.evidence.push(format!("connect: {}", who(c)));
            context.evidence.push(format!("identity: {}", who(i)));
            if c.account != setup.instance.account.as_str() {
                context.evidence.push(format!(
                    "the instance belongs to account {}, not {}",
                    setup.instance.account, c.account
                ));
                context.mark(
                    Verdict::Fail,
                    Some(format!(
                        "use --profile with credentials for account {}",
                        setup.instance.account
                    )),
                    None,
                );
            }
        }
        (Err(e), _) | (_, Err(e)) => context = Check::error("context", context.subject, e),
    }
    let mut check = Check::new("instance", setup.instance.arn());
    match instance {
        Err(e) => check = Check::error("instance", check.subject, &e),
        Ok(None) => {
            check.evidence.push(format!(
                "no instance {} in account {}, region {}",
                instance_id,
                setup.instance.account,
                setup.region()
            ));
            check.mark(
                Verdict::Fail,
                Some("check the instance ARN and --region".to_string()),
                None,
            );
        }
        Ok(Some(i)) => {
            check.evidence.push(instance_line(&i));
            if let Err(e) = instance_check(&i) {
                check.fail(
                    "sign-in through SAML is not possible on it",
                    e.to_string(),
                    "instance-not-saml",
                );
            }
        }
    }
    vec![context, check]
}

fn instance_line(i: &ConnectInstanceSummary) -> String {
    format!(
        "{} is {}, identity management {}",
        i.alias.as_deref().unwrap_or(&i.id),
        i.status,
        i.identity_management_type
    )
}
