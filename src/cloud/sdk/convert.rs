//! Conversions between the SDK's shapes and the `Cloud` port's types.

use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::cloud::{IdcUser, Tag};

/// Parses an IAM policy document as IAM returns it: URL-encoded JSON (RFC 3986).
/// Plain JSON is accepted too, as some emulators return it that way; an encoded document
/// never parses as JSON (it starts with `%7B`), so trying plain JSON first cannot misread
/// one, and a plain document keeps any `%` it contains.
pub(crate) fn decode_policy_document(raw: &str) -> Result<Value, String> {
    if let Ok(value) = serde_json::from_str(raw) {
        return Ok(value);
    }
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|e| format!("the policy document is not UTF-8 once URL-decoded: {e}"))?;
    serde_json::from_str(&decoded).map_err(|e| format!("the policy document is not JSON: {e}"))
}

/// Serializes a policy document for IAM (compact JSON; the SDK URL-encodes the request).
pub(crate) fn encode_policy_document(document: &Value) -> Result<String, String> {
    serde_json::to_string(document).map_err(|e| format!("the policy document: {e}"))
}

pub(crate) fn iam_tags(tags: &[Tag]) -> Result<Vec<aws_sdk_iam::types::Tag>, String> {
    tags.iter()
        .map(|t| {
            aws_sdk_iam::types::Tag::builder()
                .key(&t.key)
                .value(&t.value)
                .build()
                .map_err(|e| format!("tag {}: {e}", t.key))
        })
        .collect()
}

pub(crate) fn tags_from_iam(tags: &[aws_sdk_iam::types::Tag]) -> Vec<Tag> {
    tags.iter().map(|t| Tag::new(t.key(), t.value())).collect()
}

/// The parts of an identity store user that `DescribeUser` and `ListUsers` both return.
pub(crate) fn idc_user(
    user_id: &str,
    user_name: Option<&str>,
    display_name: Option<&str>,
    name: Option<&aws_sdk_identitystore::types::Name>,
    emails: &[aws_sdk_identitystore::types::Email],
) -> IdcUser {
    // The primary address first: it is the one `GetUserId` on `emails.value` finds and the
    // one the SAML attribute mapping `${user:email}` sends.
    let mut sorted: Vec<&aws_sdk_identitystore::types::Email> = emails.iter().collect();
    sorted.sort_by_key(|e| !e.primary());
    IdcUser {
        user_id: user_id.to_string(),
        user_name: user_name.unwrap_or_default().to_string(),
        display_name: display_name.map(str::to_string),
        given_name: name.and_then(|n| n.given_name()).map(str::to_string),
        family_name: name.and_then(|n| n.family_name()).map(str::to_string),
        emails: sorted
            .into_iter()
            .filter_map(|e| e.value())
            .map(str::to_string)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_url_encoded_documents() {
        let raw = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22connect%3AGetFederationToken%22%2C%22Resource%22%3A%22arn%3Aaws%3Aconnect%3Aus-east-1%3A111122223333%3Ainstance%2Fabc%2Fuser%2F%24%7Baws%3Auserid%7D%22%7D%5D%7D";
        assert_eq!(
            decode_policy_document(raw),
            Ok(json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": "connect:GetFederationToken",
                    "Resource": "arn:aws:connect:us-east-1:111122223333:instance/abc/user/${aws:userid}"
                }]
            }))
        );
    }

    #[test]
    fn keeps_plain_json_as_is_including_percent_signs() {
        let raw = r#"{"Sid":"100%20sure","Plus":"a+b"}"#;
        assert_eq!(
            decode_policy_document(raw),
            Ok(json!({"Sid": "100%20sure", "Plus": "a+b"}))
        );
    }

    #[test]
    fn plus_is_not_a_space_in_encoded_documents() {
        assert_eq!(
            decode_policy_document("%7B%22a%22%3A%22x+y%22%7D"),
            Ok(json!({"a": "x+y"}))
        );
    }

    #[test]
    fn rejects_documents_that_are_not_json() {
        assert!(decode_policy_document("%7Bnot json").is_err());
        assert!(decode_policy_document("%FF%FE").is_err());
        assert!(decode_policy_document("").is_err());
    }

    #[test]
    fn round_trips_through_encoding() {
        let doc = json!({"Version": "2012-10-17", "Statement": []});
        let text = encode_policy_document(&doc).expect("serializes");
        assert_eq!(text, r#"{"Version":"2012-10-17","Statement":[]}"#);
        assert_eq!(decode_policy_document(&text), Ok(doc));
    }

    #[test]
    fn primary_email_first() {
        use aws_sdk_identitystore::types::{Email, Name};
        let emails = vec![
            Email::builder().value("other@example.com").build(),
            Email::builder()
                .value("main@example.com")
                .primary(true)
                .build(),
        ];
        let name = Name::builder()
            .given_name("Ana")
            .family_name("Lima")
            .build();
        let user = idc_user("u-1", Some("ana"), None, Some(&name), &emails);
        assert_eq!(user.emails, vec!["main@example.com", "other@example.com"]);
        assert_eq!(user.given_name.as_deref(), Some("Ana"));
        assert_eq!(user.family_name.as_deref(), Some("Lima"));
        assert_eq!(user.user_name, "ana");
    }

    #[test]
    fn tags_round_trip() {
        let tags = vec![Tag::new("managed-by", "connect-sso")];
        let sdk = iam_tags(&tags).expect("valid tags");
        assert_eq!(tags_from_iam(&sdk), tags);
    }
}
