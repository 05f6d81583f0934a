//! STS on the AWS SDK: who the caller is, in either context.

use async_trait::async_trait;

use super::{SdkCloud, map_error};
use crate::cloud::{CallerIdentity, CloudResult, Context, Sts};

#[async_trait]
impl Sts for SdkCloud {
    async fn caller_identity(&self, context: Context) -> CloudResult<CallerIdentity> {
        let call = self.call(context, "sts:GetCallerIdentity", "caller identity");
        let client = match context {
            Context::Connect => &self.clients.connect_sts,
            Context::Identity => &self.clients.identity_sts,
        };
        let out = client
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }
}
