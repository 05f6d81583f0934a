//! The checks, one by one.

use super::*;

#[test]
fn status_must_be_success() {
    let s = Spec {
        status: "urn:oasis:names:tc:SAML:2.0:status:Responder".into(),
        ..spec()
    };
    let f = findings(&signed(&s));
    let status = one(&f, "Status", Severity::Fail);
    assert_eq!(
        status.seen.as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:status:Responder")
    );
    assert_eq!(status.expected.as_deref(), Some(STATUS_SUCCESS));
}

#[test]
fn destination_and_recipient_must_be_the_acs_url() {
    let regional = "https://eu-west-2.signin.aws.amazon.com/saml";
    let s = Spec {
        destination: Some(regional.into()),
        recipient: Some(regional.into()),
        ..spec()
    };
    let f = findings(&signed(&s));
    for field in ["Destination", "Recipient"] {
        let finding = one(&f, field, Severity::Fail);
        assert_eq!(finding.seen.as_deref(), Some(regional));
        assert_eq!(finding.expected.as_deref(), Some(testkit::ACS_URL));
        assert_eq!(finding.trouble, Some("wrong-acs-url"));
        let fix = finding.fix.as_deref().unwrap();
        assert!(
            fix.contains("regional sign-in endpoint of eu-west-2"),
            "{fix}"
        );
        assert!(fix.contains("--sign-in-endpoint"), "{fix}");
    }
    let s = Spec {
        destination: Some("https://example.com/acs".into()),
        recipient: None,
        ..spec()
    };
    let f = findings(&signed(&s));
    assert!(
        one(&f, "Destination", Severity::Fail)
            .fix
            .as_deref()
            .unwrap()
            .contains("not an AWS sign-in URL")
    );
    one(&f, "Recipient", Severity::Fail);
    let s = Spec {
        destination: None,
        ..spec()
    };
    one(&findings(&signed(&s)), "Destination", Severity::Warn);
}

#[test]
fn audience_must_be_the_partitions() {
    for (audience, hint) in [
        ("urn:amazon:webservices:govcloud", "another AWS partition"),
        (testkit::ACS_URL, "ACS URL was probably pasted"),
        ("https://example.com", "step 4"),
    ] {
        let s = Spec {
            audience: audience.into(),
            ..spec()
        };
        let f = findings(&signed(&s));
        let finding = one(&f, "Audience", Severity::Fail);
        assert_eq!(finding.seen.as_deref(), Some(audience));
        assert_eq!(finding.expected.as_deref(), Some("urn:amazon:webservices"));
        assert_eq!(finding.trouble, Some("wrong-acs-url"));
        assert!(
            finding.fix.as_deref().unwrap().contains(hint),
            "{finding:?}"
        );
    }
}

#[test]
fn role_attribute_near_misses_say_what_differs() {
    let cases = [
        (
            "https://aws.amazon.com/saml/attributes/role",
            "letters in the wrong case",
        ),
        (
            "http://aws.amazon.com/SAML/Attributes/Role",
            "http:// instead of https://",
        ),
        (
            "https://aws.amazon.com/SAML/Attributes/Role/",
            "a trailing slash",
        ),
        (
            "https://aws.amazon.com/SAML/Role",
            "no \"Attributes/\" in the path",
        ),
        ("Role", "the short name \"Role\""),
        (
            " https://aws.amazon.com/SAML/Attributes/Role",
            "spaces around it",
        ),
        (
            "http://aws.amazon.com/saml/role/",
            "a trailing slash and http:// instead of https:// and no \"Attributes/\" in the path and letters in the wrong case",
        ),
    ];
    for (name, why) in cases {
        let s = spec().rename_attribute(ROLE_ATTRIBUTE, name);
        let f = findings(&signed(&s));
        let finding = one(&f, "Role attribute", Severity::Fail);
        let seen = finding.seen.as_deref().unwrap();
        assert!(seen.contains(name) && seen.contains(why), "{name}: {seen}");
        assert_eq!(finding.expected.as_deref(), Some(ROLE_ATTRIBUTE));
        assert_eq!(finding.trouble, Some("invalid-saml-response"));
        assert!(
            finding
                .fix
                .as_deref()
                .unwrap()
                .contains(&format!("{ROLE},{PROVIDER}"))
        );
    }
    let s = spec().without_attribute(ROLE_ATTRIBUTE);
    let f = findings(&signed(&s));
    assert_eq!(
        one(&f, "Role attribute", Severity::Fail).seen.as_deref(),
        Some("missing")
    );
    // RoleSessionName is not a near miss of Role.
    assert_eq!(
        near_miss(ROLE_SESSION_NAME_ATTRIBUTE, None, ROLE_ATTRIBUTE, "Role"),
        None
    );
    assert_eq!(
        near_miss(
            "https://aws.amazon.com/SAML/Attributes/Roles",
            None,
            ROLE_ATTRIBUTE,
            "Role"
        ),
        None
    );
}

#[test]
fn role_pairs_in_either_order_are_accepted() {
    let s = spec().attribute(ROLE_ATTRIBUTE, &[&format!("{PROVIDER},{ROLE}")]);
    let f = findings(&signed(&s));
    assert_eq!(fails(&f), Vec::<&str>::new(), "{f:#?}");
    let info = one(&f, "Role attribute", Severity::Info);
    assert!(info.fix.as_deref().unwrap().contains("either order"));
}

#[test]
fn role_values_with_spaces_are_rejected() {
    for value in [
        format!("{ROLE}, {PROVIDER}"),
        format!("{ROLE} ,{PROVIDER}"),
        format!(" {ROLE},{PROVIDER}"),
    ] {
        let s = spec().attribute(ROLE_ATTRIBUTE, &[&value]);
        let f = findings(&signed(&s));
        let finding = one(&f, "Role attribute", Severity::Fail);
        assert!(
            finding.fix.as_deref().unwrap().contains("space"),
            "{finding:?}"
        );
        assert_eq!(finding.trouble, Some("invalid-saml-response"));
    }
}

#[test]
fn role_values_for_another_role_or_provider_fail() {
    let cases = [
        (
            format!("arn:aws:iam::999999999999:role/ConnectSSO-5f8c2a4e,{PROVIDER}"),
            "in account 999999999999",
        ),
        (
            format!("{},{PROVIDER}", ROLE.to_lowercase()),
            "only in letter case",
        ),
        (
            format!("{ROLE},arn:aws:iam::111122223333:saml-provider/Other"),
            "is not the setup's",
        ),
    ];
    for (value, why) in cases {
        let s = spec().attribute(ROLE_ATTRIBUTE, &[&value]);
        let f = findings(&signed(&s));
        let finding = one(&f, "Role attribute", Severity::Fail);
        assert_eq!(finding.trouble, Some("not-authorized-assume-role"));
        assert_eq!(finding.seen.as_deref(), Some(value.as_str()));
        assert_eq!(
            finding.expected.as_deref(),
            Some(format!("{ROLE},{PROVIDER}").as_str())
        );
        assert!(
            finding.fix.as_deref().unwrap().contains(why),
            "{why}: {finding:?}"
        );
    }
    for value in [
        "",
        "arn:aws:iam::111122223333:role/X",
        "a,b",
        &format!("{ROLE},{ROLE}"),
    ] {
        let s = spec().attribute(ROLE_ATTRIBUTE, &[value]);
        let f = findings(&signed(&s));
        assert!(
            of(&f, "Role attribute")
                .iter()
                .any(|x| x.severity == Severity::Fail),
            "{value}"
        );
    }
}

#[test]
fn several_role_pairs_warn() {
    let other =
        "arn:aws:iam::111122223333:role/Other,arn:aws:iam::111122223333:saml-provider/Other";
    let s = spec().attribute(ROLE_ATTRIBUTE, &[other, &format!("{ROLE},{PROVIDER}")]);
    let f = findings(&signed(&s));
    assert_eq!(fails(&f), Vec::<&str>::new(), "{f:#?}");
    let warn = one(&f, "Role attribute", Severity::Warn);
    assert!(warn.fix.as_deref().unwrap().contains("choose a role"));
}

#[test]
fn role_session_name_rules() {
    let cases = [
        ("a", "1 characters long", "invalid-saml-response"),
        (
            &"x".repeat(65) as &str,
            "65 characters long",
            "invalid-saml-response",
        ),
        (
            "maria garcia@example.com",
            "a space",
            "invalid-saml-response",
        ),
        ("CORP\\maria", "a backslash", "windows-upn"),
        ("maria#1", "'#'", "invalid-saml-response"),
    ];
    for (value, why, trouble) in cases {
        let s = spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[value]);
        let f = findings(&signed(&s));
        let finding = one(&f, "RoleSessionName", Severity::Fail);
        assert!(
            finding.fix.as_deref().unwrap().contains(why),
            "{value}: {finding:?}"
        );
        assert_eq!(finding.trouble, Some(trouble), "{value}");
    }
    let s = spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[USER, "x@example.com"]);
    one(&findings(&signed(&s)), "RoleSessionName", Severity::Fail);
    let s = spec().without_attribute(ROLE_SESSION_NAME_ATTRIBUTE);
    let f = findings(&signed(&s));
    assert_eq!(
        one(&f, "RoleSessionName", Severity::Fail).seen.as_deref(),
        Some("missing")
    );
    let s = spec().rename_attribute(ROLE_SESSION_NAME_ATTRIBUTE, "RoleSessionName");
    let f = findings(&signed(&s));
    assert!(
        one(&f, "RoleSessionName", Severity::Fail)
            .seen
            .as_deref()
            .unwrap()
            .contains("short name")
    );
    // Exactly 2 and 64 characters pass.
    for value in ["ab", &"x".repeat(64)] {
        let s = spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[value]);
        one(&findings(&signed(&s)), "RoleSessionName", Severity::Pass);
    }
}

#[test]
fn directory_names_instead_of_emails_warn() {
    for (value, words) in [
        ("maria@corp.local", "user principal name"),
        ("maria@CORP", "user principal name"),
        ("akhan", "not an email address"),
    ] {
        let s = Spec {
            name_id: value.into(),
            ..spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[value])
        };
        let f = findings(&signed(&s));
        one(&f, "RoleSessionName", Severity::Pass);
        for field in ["RoleSessionName", "NameID"] {
            let warn = one(&f, field, Severity::Warn);
            assert_eq!(warn.trouble, Some("windows-upn"));
            assert!(
                warn.fix.as_deref().unwrap().contains(words),
                "{value}: {warn:?}"
            );
        }
    }
}

#[test]
fn mixed_case_session_names_get_a_note() {
    let s = Spec {
        name_id: "Li.Wei@Example.com".into(),
        ..spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &["Li.Wei@Example.com"])
    };
    let f = findings(&signed(&s));
    let info = one(&f, "RoleSessionName", Severity::Info);
    assert_eq!(info.trouble, Some("not-onboarded"));
    assert!(
        info.expected
            .as_deref()
            .unwrap()
            .contains("\"Li.Wei@Example.com\"")
    );
    assert_eq!(
        parse(&signed(&s)).unwrap().role_session_name(),
        Some("Li.Wei@Example.com")
    );
}

#[test]
fn name_id_must_be_there() {
    let xml = good();
    let name_id = element(&xml, "<saml2:NameID", "</saml2:NameID>").to_owned();
    let unsigned = testkit::unsigned(&spec()).replace(&name_id, "");
    let s = spec();
    let xml = testkit::sign_element(&unsigned, &s.assertion_id, idc_key());
    let f = findings(&xml);
    assert_eq!(
        one(&f, "NameID", Severity::Fail).trouble,
        Some("invalid-saml-response")
    );
    let persistent = Spec {
        name_id_format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into(),
        ..spec()
    };
    let f = findings(&signed(&persistent));
    assert!(
        one(&f, "NameID", Severity::Pass)
            .seen
            .as_deref()
            .unwrap()
            .contains("format persistent")
    );
}

#[test]
fn an_expired_capture_warns_and_the_rest_is_still_checked() {
    let s = Spec::new(ROLE, PROVIDER, USER, NOW - Duration::days(3));
    let f = findings(&signed(&s));
    assert_eq!(fails(&f), Vec::<&str>::new(), "{f:#?}");
    let warn = one(&f, "NotOnOrAfter", Severity::Warn);
    assert_eq!(warn.trouble, Some("session-expired"));
    let fix = warn.fix.as_deref().unwrap();
    assert!(
        fix.contains(
            "This capture expired at 2026-02-27 10:05:00 UTC; that is expected for a saved file"
        ),
        "{fix}"
    );
    one(&f, "Role attribute", Severity::Pass);
    // Within the clock skew it still passes.
    let s = Spec::new(ROLE, PROVIDER, USER, NOW - Duration::minutes(8));
    one(&findings(&signed(&s)), "NotOnOrAfter", Severity::Pass);
}

#[test]
fn impossible_validity_periods_fail() {
    let issued = NOW - Duration::minutes(1);
    let born_expired = Spec {
        not_on_or_after: issued - Duration::seconds(1),
        ..spec()
    };
    let f = findings(&signed(&born_expired));
    assert_eq!(
        one(&f, "NotOnOrAfter", Severity::Fail).trouble,
        Some("session-expired")
    );
    let future = Spec::new(ROLE, PROVIDER, USER, NOW + Duration::hours(2));
    let f = findings(&signed(&future));
    let finding = one(&f, "NotBefore", Severity::Fail);
    assert!(finding.fix.as_deref().unwrap().contains("clock"));
    // Within the clock skew, a slightly early response passes.
    let early = Spec::new(ROLE, PROVIDER, USER, NOW + Duration::minutes(3));
    one(&findings(&signed(&early)), "NotBefore", Severity::Pass);
}

#[test]
fn unreadable_or_missing_times_fail() {
    let xml = testkit::unsigned(&spec());
    let s = spec();
    let broken = xml.replacen(
        "NotOnOrAfter=\"2026-03-02T10:04:00.000Z\"",
        "NotOnOrAfter=\"tomorrow\"",
        1,
    );
    let f = findings(&testkit::sign_element(&broken, &s.assertion_id, idc_key()));
    assert_eq!(
        one(&f, "NotOnOrAfter", Severity::Fail).seen.as_deref(),
        Some("tomorrow")
    );
    let missing = xml.replacen(" NotOnOrAfter=\"2026-03-02T10:04:00.000Z\"", "", 1);
    let f = findings(&testkit::sign_element(&missing, &s.assertion_id, idc_key()));
    assert!(
        one(&f, "NotOnOrAfter", Severity::Fail)
            .seen
            .as_deref()
            .unwrap()
            .contains("no NotOnOrAfter")
    );
}

#[test]
fn certificate_validity() {
    let expired = idc_key().with_validity(
        datetime!(2020-01-01 0:00 UTC),
        datetime!(2025-01-01 0:00 UTC),
    );
    let soon = idc_key().with_validity(datetime!(2020-01-01 0:00 UTC), NOW + Duration::days(10));
    let future = idc_key().with_validity(NOW + Duration::days(1), datetime!(2099-01-01 0:00 UTC));
    for (key, severity, words) in [
        (&expired, Severity::Fail, "expired on 2025-01-01"),
        (&soon, Severity::Warn, "expires in 10 days"),
        (&future, Severity::Fail, "valid only from"),
    ] {
        let xml = testkit::signed(&spec(), key, Sign::Assertion);
        let trusting = Expectations {
            trusted_certificates: Some(vec![key.cert_der.clone()]),
            ..exp()
        };
        let f = check(&parse(&xml).unwrap(), &trusting, NOW);
        let finding = one(&f, "Certificate validity", severity);
        assert!(
            finding.seen.as_deref().unwrap().contains(words),
            "{finding:?}"
        );
        assert_eq!(finding.trouble, Some("certificate"));
    }
}

#[test]
fn issuer_must_be_the_metadata_entity_id() {
    let s = Spec {
        issuer: "https://portal.sso.eu-west-1.amazonaws.com/saml/assertion/OTHER".into(),
        ..spec()
    };
    let f = findings(&signed(&s));
    let finding = one(&f, "Issuer", Severity::Fail);
    assert_eq!(
        finding.expected.as_deref(),
        Some(format!("{} (the entity ID of the test metadata)", testkit::ISSUER).as_str())
    );
    // The metadata's entity id and certificates are what `trusting` takes.
    let metadata = crate::domain::metadata::parse(
        testkit::metadata(&idc_key().cert_der, testkit::ISSUER).as_bytes(),
    )
    .unwrap();
    let from_metadata =
        Expectations::from_setup(&setup()).trusting(&metadata, "the IAM SAML provider");
    assert_eq!(
        from_metadata.expected_issuer.as_deref(),
        Some(testkit::ISSUER)
    );
    assert_eq!(
        from_metadata.trusted_certificates,
        Some(vec![idc_key().cert_der.clone()])
    );
    let f = check(&parse(&good()).unwrap(), &from_metadata, NOW);
    assert_eq!(worst(&f), Severity::Pass, "{f:#?}");
}

#[test]
fn session_duration_range() {
    let with = |v: &[&str]| findings(&signed(&spec().attribute(SESSION_DURATION_ATTRIBUTE, v)));
    one(&with(&["3600"]), "SessionDuration", Severity::Pass);
    one(&with(&["900"]), "SessionDuration", Severity::Pass);
    one(&with(&["43200"]), "SessionDuration", Severity::Pass);
    for bad in [&["899"][..], &["43201"], &["1h"], &["3600", "3600"], &[]] {
        one(&with(bad), "SessionDuration", Severity::Fail);
    }
    assert!(of(&findings(&good()), "SessionDuration").is_empty());
}

#[test]
fn several_or_encrypted_assertions() {
    let xml = good();
    let genuine = element(&xml, "<saml2:Assertion ", "</saml2:Assertion>").to_owned();
    let encrypted = "<saml2:EncryptedAssertion><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"/></saml2:EncryptedAssertion>";
    let both = tamper(&xml, &genuine, &format!("{genuine}{encrypted}"));
    let f = findings(&both.replace(
        "<saml2:EncryptedAssertion>",
        "<saml2:EncryptedAssertion xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\">",
    ));
    one(&f, "Assertion", Severity::Warn);
    let only = tamper(
        &xml,
        &genuine,
        &encrypted.replace(
            "<saml2:EncryptedAssertion>",
            "<saml2:EncryptedAssertion xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\">",
        ),
    );
    let f = findings(&only);
    let warn = one(&f, "Assertion", Severity::Warn);
    assert!(warn.fix.as_deref().unwrap().contains("encrypted"));
    assert!(of(&f, "Role attribute").is_empty());
    let none = tamper(&xml, &genuine, "");
    assert_eq!(
        one(&findings(&none), "Assertion", Severity::Fail)
            .seen
            .as_deref(),
        Some("none")
    );
}

#[test]
fn relay_state_checks() {
    let xml = good();
    let exp = exp();
    let relay = |r: Option<&str>| {
        let decoded = decode(testkit::form_body(&xml, r).as_bytes()).unwrap();
        check_relay_state(&decoded, &exp).unwrap()
    };
    assert_eq!(relay(Some(RELAY)).severity, Severity::Pass);
    assert_eq!(
        relay(Some(&format!("{RELAY}?destination=%2Fccp-v2%2F"))).severity,
        Severity::Pass
    );
    let other = relay(Some(
        "https://eu-west-2.console.aws.amazon.com/connect/federate/other",
    ));
    assert_eq!(
        (other.severity, other.trouble),
        (Severity::Fail, Some("wrong-relay-state"))
    );
    assert!(
        other
            .fix
            .as_deref()
            .unwrap()
            .contains("another region or another instance")
    );
    assert_eq!(relay(Some("https://example.com")).severity, Severity::Fail);
    assert_eq!(relay(None).severity, Severity::Warn);
    let bare = decode(testkit::base64(&xml).as_bytes()).unwrap();
    assert_eq!(check_relay_state(&bare, &exp), None);
}

#[test]
fn findings_serialize_for_json_output() {
    let f = Finding::new("Audience", Severity::Fail)
        .seen("x")
        .expected("urn:amazon:webservices")
        .fix("set it")
        .trouble("wrong-acs-url");
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["severity"], "fail");
    assert_eq!(json["trouble"], "wrong-acs-url");
    assert_eq!(
        f.to_string(),
        "fail Audience: seen x, expected urn:amazon:webservices. set it"
    );
    let resp = serde_json::to_value(parse(&good()).unwrap()).unwrap();
    assert_eq!(resp["signatures"][0]["covers"], "Assertion");
    assert!(resp["signatures"][0].get("signed_info").is_none());
    assert!(
        resp["signatures"][0]["certificates"][0]
            .get("der")
            .is_none()
    );
}

#[test]
fn role_pairs_and_names() {
    let pair = RolePair::parse(&format!("{ROLE},{PROVIDER}")).unwrap();
    assert_eq!(
        (
            pair.role.as_str(),
            pair.provider.as_str(),
            pair.provider_first,
            pair.spaced
        ),
        (ROLE, PROVIDER, false, false)
    );
    let pair = RolePair::parse(&format!("{PROVIDER} , {ROLE}")).unwrap();
    assert!(pair.provider_first && pair.spaced);
    assert!(RolePair::parse("arn:aws:iam::1:role/x,arn:aws:iam::1:saml-provider/y").is_err());
    assert!(RolePair::parse("arn:aws-us-gov:iam::111122223333:role/x,arn:aws-us-gov:iam::111122223333:saml-provider/y").is_ok());
    assert_eq!(role_name_of(ROLE), Some("ConnectSSO-5f8c2a4e"));
    assert_eq!(
        role_name_of("arn:aws:iam::111122223333:role/path/to/Name"),
        Some("Name")
    );
    assert_eq!(role_name_of(PROVIDER), None);
    assert_eq!(name_style("maria@example.com"), NameStyle::Email);
    assert_eq!(name_style("maria@ad.example.co.uk"), NameStyle::Email);
    assert_eq!(name_style("maria@corp.internal"), NameStyle::Upn);
    assert_eq!(name_style("CORP\\maria"), NameStyle::DownLevel);
    assert_eq!(name_style("maria"), NameStyle::Other);
}
