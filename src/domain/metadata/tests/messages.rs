//! Every error and warning message says what is wrong and how to fix it.

use super::*;

#[test]
fn error_messages_say_what_and_how() {
    assert_eq!(
        MetadataError::TooSmall { len: 512 }.to_string(),
        format!(
            "the file is 512 bytes; IAM accepts SAML metadata of 1,000 to 10,000,000 bytes — \
             this is probably truncated or not the metadata file. {DOWNLOAD_HINT}"
        )
    );
    assert!(
        MetadataError::TooLarge { len: 12_345_678 }
            .to_string()
            .starts_with("the file is 12,345,678 bytes")
    );
    let expired = MetadataError::AllCertificatesExpired {
        not_after: datetime!(2021-01-01 0:00 UTC),
    }
    .to_string();
    assert!(
        expired.contains("expired on 2021-01-01 00:00:00 UTC"),
        "{expired}"
    );
    assert!(expired.contains("create a new certificate"), "{expired}");
    let future = MetadataError::NotYetValid {
        not_before: datetime!(2026-11-28 20:49:41 UTC),
    }
    .to_string();
    assert!(future.contains("2026-11-28 20:49:41 UTC"), "{future}");
    assert!(future.contains("date, time and time zone"), "{future}");
    assert!(
        MetadataError::ServiceProviderMetadata
            .to_string()
            .contains("not IAM Identity Center's")
    );
    assert!(MetadataError::HtmlPage.to_string().contains("web page"));

    let all = [
        MetadataError::Empty,
        MetadataError::NotUtf8,
        MetadataError::NotXml { detail: "x".into() },
        MetadataError::DtdForbidden,
        MetadataError::NotMetadata { root: "<x>".into() },
        MetadataError::NoIdpDescriptor,
        MetadataError::NoEntityId,
        MetadataError::NoSsoEndpoint,
        MetadataError::NoSigningCertificate,
        MetadataError::UndecodableCertificate {
            index: 1,
            detail: "x".into(),
        },
    ];
    for error in all {
        let text = error.to_string();
        assert!(text.contains("Download the metadata again"), "{text}");
    }
}

#[test]
fn warning_messages_say_what_and_how() {
    let soon = MetadataWarning::ExpiresSoon {
        fingerprint: "AB:CD".into(),
        days_left: 1,
        not_after: datetime!(2031-11-27 20:49:41 UTC),
    }
    .to_string();
    assert!(
        soon.contains("expires in 1 day (on 2031-11-27 20:49:41 UTC)"),
        "{soon}"
    );
    assert!(soon.contains("update the IAM SAML provider"), "{soon}");
    let today = MetadataWarning::ExpiresSoon {
        fingerprint: "AB:CD".into(),
        days_left: 0,
        not_after: datetime!(2031-11-27 20:49:41 UTC),
    }
    .to_string();
    assert!(today.contains("expires within a day (on"), "{today}");
    let weak = MetadataWarning::WeakKey {
        fingerprint: "AB:CD".into(),
        algorithm: "RSA".into(),
        bits: 1024,
    }
    .to_string();
    assert!(weak.contains("1024-bit RSA key"), "{weak}");
    assert!(weak.contains("at least 2,048 bits"), "{weak}");
    let multiple = MetadataWarning::MultipleEntities {
        count: 3,
        used_entity_id: "urn:x".into(),
    }
    .to_string();
    assert!(multiple.contains("3 identity providers; the first one (urn:x)"));
}

#[test]
fn groups_digits() {
    assert_eq!(group_digits(0), "0");
    assert_eq!(group_digits(999), "999");
    assert_eq!(group_digits(1_000), "1,000");
    assert_eq!(group_digits(10_000_000), "10,000,000");
    assert_eq!(group_digits(123_456_789), "123,456,789");
}
