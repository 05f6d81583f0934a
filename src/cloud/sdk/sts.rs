//! STS on the AWS SDK: who the caller is, in either context, and `AssumeRoleWithSAML`, the
//! first half of a sign-in test.

use async_trait::async_trait;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

use super::{SdkCloud, map_error};
use crate::cloud::{CallerIdentity, CloudError, CloudResult, Context, Sts, TemporaryCredentials};

/// STS's answers to a SAMLResponse it will not accept (codes without `Exception`): the
/// response, the role or the provider is at fault, never the credentials connect-sso runs
/// with, so they are [`CloudError::SignInRefused`] rather than access or credentials errors.
const SAML_REFUSALS: &[&str] = &[
    "InvalidIdentityToken",
    "ExpiredToken",
    "IDPRejectedClaim",
    "AccessDenied",
    "MalformedPolicyDocument",
    "PackedPolicyTooLarge",
    "RegionDisabled",
    "ValidationError",
    "InvalidParameterValue",
];

/// A refusal of a sign-in call when the service error's code is one of `codes`; `None` for
/// every other error (throttling, network, AWS-side failures), which `map_error` words.
pub(super) fn sign_in_refusal<E>(
    err: &SdkError<E>,
    action: &str,
    codes: &[&str],
) -> Option<CloudError>
where
    E: ProvideErrorMetadata,
{
    let service = err.as_service_error()?;
    let code = service.code()?;
    let base = code.strip_suffix("Exception").unwrap_or(code);
    codes.contains(&base).then(|| CloudError::SignInRefused {
        action: action.to_string(),
        code: base.to_string(),
        message: service.message().unwrap_or_default().to_string(),
    })
}

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

    async fn assume_role_with_saml(
        &self,
        role_arn: &str,
        principal_arn: &str,
        saml_response_b64: &str,
        duration_seconds: i32,
    ) -> CloudResult<TemporaryCredentials> {
        const ACTION: &str = "sts:AssumeRoleWithSAML";
        let call = self.connect(ACTION, format!("role {role_arn}"));
        // The SDK models AssumeRoleWithSAML with no auth scheme but `noAuth`: the request is
        // sent unsigned and the credentials provider is never asked, so an expired SSO login
        // or no credentials at all do not stop the test.
        let result = self
            .clients
            .connect_sts
            .assume_role_with_saml()
            .role_arn(role_arn)
            .principal_arn(principal_arn)
            .saml_assertion(saml_response_b64)
            .duration_seconds(duration_seconds)
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                return Err(sign_in_refusal(&e, ACTION, SAML_REFUSALS)
                    .unwrap_or_else(|| map_error(e, &call)));
            }
        };
        let incomplete = |field: &str| CloudError::Service {
            action: ACTION.to_string(),
            code: "IncompleteResponse".to_string(),
            message: format!("the response has no {field}"),
        };
        let user = out
            .assumed_role_user
            .ok_or_else(|| incomplete("AssumedRoleUser"))?;
        // Moved, not copied: the secrets exist once, in the value that zeroes them.
        let secrets = out.credentials.ok_or_else(|| incomplete("Credentials"))?;
        let expiration = secrets.expiration.secs();
        let mut credentials = TemporaryCredentials::new(
            user.arn,
            user.assumed_role_id,
            secrets.access_key_id,
            secrets.secret_access_key,
            secrets.session_token,
        );
        credentials.subject = out.subject;
        credentials.issuer = out.issuer;
        credentials.audience = out.audience;
        credentials.expiration = Some(expiration);
        Ok(credentials)
    }
}
