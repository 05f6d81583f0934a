//! STS as the sandbox stands in for it: one caller, the same in both contexts.

use async_trait::async_trait;

use super::Sandbox;
use super::account::{SANDBOX_ACCOUNT, SANDBOX_CALLER_ARN, SANDBOX_CALLER_USER_ID};
use crate::cloud::{CallerIdentity, CloudResult, Context, Sts};

#[async_trait]
impl Sts for Sandbox {
    async fn caller_identity(&self, context: Context) -> CloudResult<CallerIdentity> {
        self.enter("sts:GetCallerIdentity", context).await?;
        Ok(CallerIdentity {
            account: SANDBOX_ACCOUNT.to_string(),
            arn: SANDBOX_CALLER_ARN.to_string(),
            user_id: SANDBOX_CALLER_USER_ID.to_string(),
        })
    }
}
