//! Parsing: every field read, the checks of a correct response, and the parse errors.

use super::*;

#[test]
fn reads_every_field_of_an_identity_center_response() {
    let s = spec();
    let resp = parse(&good()).unwrap();
    assert_eq!(resp.id.as_deref(), Some(s.response_id.as_str()));
    assert_eq!(resp.destination.as_deref(), Some(testkit::ACS_URL));
    assert_eq!(resp.issuer.as_deref(), Some(testkit::ISSUER));
    assert_eq!(resp.status_code.as_deref(), Some(STATUS_SUCCESS));
    assert_eq!(
        resp.issue_instant.as_deref(),
        Some("2026-03-02T09:59:00.000Z")
    );
    assert_eq!(
        (resp.assertion_count, resp.encrypted_assertion_count),
        (1, 0)
    );
    let a = resp.assertion.as_ref().unwrap();
    assert_eq!(a.id.as_deref(), Some(s.assertion_id.as_str()));
    assert_eq!(a.issuer.as_deref(), Some(testkit::ISSUER));
    assert_eq!(a.name_id.as_deref(), Some(USER));
    assert_eq!(a.name_id_format.as_deref(), Some(testkit::EMAIL_FORMAT));
    assert_eq!(
        a.subject_confirmations,
        vec![SubjectConfirmation {
            method: Some(BEARER.into()),
            recipient: Some(testkit::ACS_URL.into()),
            not_before: None,
            not_on_or_after: Some("2026-03-02T10:04:00.000Z".into()),
        }]
    );
    assert_eq!(a.not_before.as_deref(), Some("2026-03-02T09:54:00.000Z"));
    assert_eq!(
        a.not_on_or_after.as_deref(),
        Some("2026-03-02T10:04:00.000Z")
    );
    assert_eq!(a.audiences, vec![testkit::AUDIENCE.to_owned()]);
    assert_eq!(a.attributes.len(), 2);
    assert_eq!(a.attributes[1].name, ROLE_ATTRIBUTE);
    assert_eq!(
        a.attributes[1].name_format.as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified")
    );
    assert_eq!(a.attributes[1].values, vec![format!("{ROLE},{PROVIDER}")]);
    assert_eq!(resp.role_session_name(), Some(USER));
    assert_eq!(resp.role_arns(), vec![ROLE.to_owned()]);

    assert_eq!(resp.signatures.len(), 1);
    let sig = &resp.signatures[0];
    assert_eq!(sig.covers, "Assertion");
    assert_eq!(sig.location, "Assertion");
    assert_eq!(
        sig.reference_uri.as_deref(),
        Some(format!("#{}", s.assertion_id).as_str())
    );
    assert_eq!(sig.canonicalization.as_deref(), Some(EXC_C14N));
    assert_eq!(sig.signature_method.as_deref(), Some(RSA_SHA256));
    assert_eq!(sig.digest_method.as_deref(), Some(SHA256));
    assert_eq!(
        sig.transforms,
        vec![ENVELOPED_SIGNATURE.to_owned(), EXC_C14N.to_owned()]
    );
    assert!(sig.digest_ok && sig.signature_ok, "{sig:?}");
    assert_eq!(sig.problem, None);
    assert!(sig.weak.is_empty());
    let cert = sig.signing_certificate().unwrap();
    assert_eq!(cert.der, idc_key().cert_der);
    assert_eq!(cert.sha256_fingerprint, fingerprint(&idc_key().cert_der));
    assert_eq!(cert.key_algorithm, "RSA");
    assert_eq!(cert.key_bits, 2048);
    assert!(
        cert.subject.contains("portal.sso.us-east-1.amazonaws.com"),
        "{}",
        cert.subject
    );
    assert_eq!(a.covered_by, vec![0]);
    assert!(resp.assertion_signed());
}

#[test]
fn a_correct_response_passes_every_check() {
    let found = findings(&good());
    assert_eq!(worst(&found), Severity::Pass, "{found:#?}");
    let fields: Vec<&str> = found.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "Status",
            "Assertion",
            "Signature on Assertion",
            "Signing certificate",
            "Certificate validity",
            "Issuer",
            "Destination",
            "Recipient",
            "Audience",
            "NotOnOrAfter",
            "NotBefore",
            "Role attribute",
            "RoleSessionName",
            "NameID",
        ]
    );
    for f in &found {
        assert!(f.seen.is_some(), "{f:?}");
        assert_eq!(f.trouble, None, "{f:?}");
    }
}

#[test]
fn signatures_over_the_response_or_both_count() {
    for what in [Sign::Response, Sign::Both] {
        let xml = testkit::signed(&spec(), idc_key(), what);
        let resp = parse(&xml).unwrap();
        assert!(
            resp.signatures.iter().all(SignatureReport::is_valid),
            "{what:?}"
        );
        assert!(resp.assertion_signed(), "{what:?}");
        let found = check(&resp, &exp(), NOW);
        assert_eq!(worst(&found), Severity::Pass, "{what:?}: {found:#?}");
    }
    let resp = parse(&testkit::signed(&spec(), idc_key(), Sign::Both)).unwrap();
    let covers: Vec<&str> = resp.signatures.iter().map(|s| s.covers.as_str()).collect();
    assert_eq!(covers, ["Response", "Assertion"]);
}

#[test]
fn the_signer_and_an_independent_verifier_agree() {
    // The canonical SignedInfo is signed with PKCS#1 v1.5 SHA-256: re-verify it with
    // aws-lc-rs directly from the certificate, outside the inspector's code path.
    let resp = parse(&good()).unwrap();
    let sig = &resp.signatures[0];
    let (_, cert) = X509Certificate::from_der(&idc_key().cert_der).unwrap();
    let key = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        cert.public_key().subject_public_key.data.as_ref(),
    );
    key.verify(&sig.signed_info, &sig.signature_value).unwrap();
    assert!(sig.verifies_with(&idc_key().cert_der));
    assert!(!sig.verifies_with(&other_key().cert_der));
    assert!(!sig.verifies_with(b"not a certificate"));
}

#[test]
fn parse_errors_say_what_and_how() {
    let cases = [
        (
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">]><r>&a;</r>",
            AssertionError::DtdForbidden,
        ),
        (
            "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\
             <samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&lol2;</samlp:Response>",
            AssertionError::DtdForbidden,
        ),
        (
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"><!DOCTYPE x></samlp:Response>",
            AssertionError::NotXml {
                detail: String::new(),
            },
        ),
        (
            "<html><head></head><body>x</body></html>",
            AssertionError::HtmlPage,
        ),
        ("<!doctype html><p>x", AssertionError::HtmlPage),
        (
            "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>",
            AssertionError::Metadata,
        ),
        (
            "<saml2:Assertion xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>",
            AssertionError::BareAssertion,
        ),
        (
            "<Response/>",
            AssertionError::NotResponse {
                root: "<Response> with no namespace".into(),
            },
        ),
        (
            "<x:Response xmlns:x=\"urn:other\"/>",
            AssertionError::NotResponse {
                root: "<Response> in namespace urn:other".into(),
            },
        ),
        (
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">",
            AssertionError::NotXml {
                detail: String::new(),
            },
        ),
        ("", AssertionError::Empty),
    ];
    for (xml, expected) in cases {
        let got = parse(xml).unwrap_err();
        match (&got, &expected) {
            (AssertionError::NotXml { detail }, AssertionError::NotXml { .. }) => {
                assert!(!detail.is_empty())
            }
            _ => assert_eq!(got, expected, "{xml}"),
        }
        assert!(got.to_string().contains("developer tools"), "{got}");
    }
    let huge = format!("<a>{}</a>", "<b/>".repeat(MAX_NODES as usize));
    assert!(matches!(parse(&huge), Err(AssertionError::NotXml { .. })));
    let too_big = "x".repeat(MAX_XML_BYTES + 1);
    assert!(matches!(
        parse(&too_big),
        Err(AssertionError::TooLarge { .. })
    ));
}

#[test]
fn a_refused_dtd_expands_nothing_even_through_decode() {
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol1;</lolz>";
    let decoded = decode(testkit::base64(bomb).as_bytes()).unwrap();
    assert_eq!(parse(&decoded.xml), Err(AssertionError::DtdForbidden));
}
