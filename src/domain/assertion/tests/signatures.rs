//! Signatures and tampering: changed values, other keys, signature wrapping, algorithms.

use super::*;

fn assert_rejected(xml: &str, why: &str) {
    let found = findings(xml);
    let failing = fails(&found);
    assert!(failing.contains(&"Signed assertion"), "{why}: {found:#?}");
    assert!(!parse(xml).unwrap().assertion_signed(), "{why}");
}

#[test]
fn changing_a_signed_value_breaks_the_digest() {
    let xml = good();
    let cases = [
        (
            tamper(
                &xml,
                "Recipient=\"https://signin.aws.amazon.com/saml\"",
                "Recipient=\"https://evil.example.com/saml\"",
            ),
            "Recipient",
        ),
        (
            tamper(&xml, ROLE, "arn:aws:iam::111122223333:role/Admin"),
            "Role attribute",
        ),
        (
            tamper(
                &xml,
                ">maria.garcia@example.com</saml2:NameID>",
                ">boss@example.com</saml2:NameID>",
            ),
            "NameID",
        ),
        (
            tamper(&xml, "<saml2:Audience>", "<saml2:Audience>\n"),
            "whitespace",
        ),
    ];
    for (tampered, what) in cases {
        let resp = parse(&tampered).unwrap();
        let sig = &resp.signatures[0];
        assert!(!sig.digest_ok && sig.signature_ok, "{what}: {sig:?}");
        assert!(
            sig.problem.as_deref().unwrap().contains("does not match"),
            "{what}"
        );
        let found = check(&resp, &exp(), NOW);
        let f = one(&found, "Signature on Assertion", Severity::Fail);
        assert_eq!(f.trouble, Some("invalid-saml-response"));
        assert!(
            f.fix
                .as_deref()
                .unwrap()
                .contains("changed after it was signed"),
            "{f:?}"
        );
        assert_rejected(&tampered, what);
    }
}

#[test]
fn changing_the_signed_info_or_the_value_breaks_the_signature() {
    let xml = good();
    let value = element(&xml, "<ds:SignatureValue>", "</ds:SignatureValue>").to_owned();
    let flipped = {
        let mut chars: Vec<char> = value.chars().collect();
        let i = "<ds:SignatureValue>".len() + 10;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let cases = [
        tamper(&xml, &value, &flipped),
        tamper(
            &xml,
            "xml-exc-c14n#\"/><ds:SignatureMethod",
            "xml-exc-c14n#\"/> <ds:SignatureMethod",
        ),
    ];
    for tampered in cases {
        let resp = parse(&tampered).unwrap();
        let sig = &resp.signatures[0];
        assert!(sig.digest_ok && !sig.signature_ok, "{sig:?}");
        assert!(
            sig.problem.as_deref().unwrap().contains("does not verify"),
            "{sig:?}"
        );
        assert_rejected(&tampered, "signature");
    }
}

#[test]
fn a_response_signed_with_another_key_is_not_trusted() {
    let xml = testkit::signed(&spec(), other_key(), Sign::Assertion);
    let found = findings(&xml);
    assert_eq!(fails(&found), ["Signing certificate"], "{found:#?}");
    let f = one(&found, "Signing certificate", Severity::Fail);
    assert_eq!(f.trouble, Some("certificate"));
    assert!(
        f.seen
            .as_deref()
            .unwrap()
            .contains(&fingerprint(&other_key().cert_der))
    );
    assert!(
        f.expected
            .as_deref()
            .unwrap()
            .contains(&fingerprint(&idc_key().cert_der))
    );
    assert!(
        f.fix
            .as_deref()
            .unwrap()
            .contains("connect-sso apply --metadata FILE")
    );
    // Without trusted certificates there is nothing to compare with: a warning, since
    // anyone can sign with a certificate of their own.
    let offline = check(
        &parse(&xml).unwrap(),
        &Expectations::from_setup(&setup()),
        NOW,
    );
    assert_eq!(fails(&offline), Vec::<&str>::new(), "{offline:#?}");
    one(&offline, "Signing certificate", Severity::Warn);
    one(&offline, "Issuer", Severity::Info);
}

#[test]
fn a_signature_without_keyinfo_is_checked_against_the_trusted_certificates() {
    let xml = good();
    let key_info = element(&xml, "<ds:KeyInfo>", "</ds:KeyInfo>").to_owned();
    let bare = tamper(&xml, &key_info, "");
    let resp = parse(&bare).unwrap();
    assert!(resp.signatures[0].digest_ok && !resp.signatures[0].signature_ok);
    let found = check(&resp, &exp(), NOW);
    assert_eq!(fails(&found), Vec::<&str>::new(), "{found:#?}");
    one(&found, "Signing certificate", Severity::Pass);
    // Nor can it pass with an untrusted key.
    let other = Expectations {
        trusted_certificates: Some(vec![other_key().cert_der.clone()]),
        ..exp()
    };
    let found = check(&resp, &other, NOW);
    assert!(fails(&found).contains(&"Signed assertion"), "{found:#?}");
}

#[test]
fn an_unsigned_response_fails() {
    let found = findings(&testkit::signed(&spec(), idc_key(), Sign::Nothing));
    let f = one(&found, "Signature", Severity::Fail);
    assert_eq!(f.trouble, Some("invalid-saml-response"));
}

/// The signed assertion moved aside and a forged one put first (signature wrapping).
#[test]
fn a_forged_assertion_next_to_the_signed_one_is_not_covered() {
    let xml = good();
    let genuine = element(&xml, "<saml2:Assertion ", "</saml2:Assertion>").to_owned();
    let forged = genuine
        .replace(&spec().assertion_id, "_forged")
        .replace("maria.garcia@example.com", "boss@example.com");
    let forged = {
        // Drop the (now meaningless) signature from the forgery.
        let sig = element(&forged, "<ds:Signature ", "</ds:Signature>").to_owned();
        forged.replace(&sig, "")
    };
    for arranged in [
        format!("{forged}{genuine}"),
        format!(
            "<samlp:Extensions xmlns:samlp=\"{PROTOCOL_NS}\">{genuine}</samlp:Extensions>{forged}"
        ),
    ] {
        let wrapped = tamper(&xml, &genuine, &arranged);
        let resp = parse(&wrapped).unwrap();
        assert_eq!(resp.role_session_name(), Some("boss@example.com"));
        assert!(resp.signatures[0].is_valid());
        assert_eq!(
            resp.assertion.as_ref().unwrap().covered_by,
            Vec::<usize>::new()
        );
        let found = check(&resp, &exp(), NOW);
        one(&found, "Signature on Assertion", Severity::Warn);
        one(&found, "Signed assertion", Severity::Fail);
    }
}

#[test]
fn a_forged_assertion_with_the_signed_id_is_refused() {
    let xml = good();
    let genuine = element(&xml, "<saml2:Assertion ", "</saml2:Assertion>").to_owned();
    let forged = genuine.replace("maria.garcia@example.com", "boss@example.com");
    let wrapped = tamper(&xml, &genuine, &format!("{forged}{genuine}"));
    let resp = parse(&wrapped).unwrap();
    assert!(resp.signatures.iter().all(|s| !s.is_valid()));
    assert!(
        resp.signatures[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("signature-wrapping")
    );
    assert_rejected(&wrapped, "duplicate ID");
}

#[test]
fn a_signature_moved_out_of_its_element_is_refused() {
    let xml = good();
    let sig = element(&xml, "<ds:Signature ", "</ds:Signature>").to_owned();
    let moved = tamper(&xml, &sig, "");
    let moved = tamper(
        &moved,
        "</saml2:Issuer><saml2p:Status>",
        &format!("</saml2:Issuer>{sig}<saml2p:Status>"),
    );
    let resp = parse(&moved).unwrap();
    let problem = resp.signatures[0].problem.clone().unwrap();
    assert!(
        problem.contains("sits in <Response> but signs the <Assertion>"),
        "{problem}"
    );
    assert_rejected(&moved, "moved signature");
}

#[test]
fn comments_cannot_truncate_a_signed_value() {
    // A comment inside a signed value is not part of the digest; the value read must be
    // the whole text, as AWS reads it, not the part before the comment.
    let xml = good();
    let commented = tamper(
        &xml,
        ">maria.garcia@example.com</saml2:NameID>",
        ">maria.garcia@example.com<!-- x -->.evil.example</saml2:NameID>",
    );
    let resp = parse(&commented).unwrap();
    assert!(!resp.signatures[0].digest_ok);
    assert_eq!(
        resp.assertion.unwrap().name_id.as_deref(),
        Some("maria.garcia@example.com.evil.example")
    );
    // Comments that were there when it was signed do not break the digest.
    let s = spec();
    let unsigned =
        testkit::unsigned(&s).replacen("<saml2:Subject>", "<saml2:Subject><!-- note -->", 1);
    let signed = testkit::sign_element(&unsigned, &s.assertion_id, idc_key());
    assert!(parse(&signed).unwrap().assertion_signed());
}

#[test]
fn unsupported_algorithms_are_named() {
    let xml = good();
    let cases = [
        (
            tamper(
                &xml,
                "2001/04/xmldsig-more#rsa-sha256",
                "2000/09/xmldsig#dsa-sha1",
            ),
            "not supported",
        ),
        (
            tamper(
                &xml,
                "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
                "",
            ),
            "enveloped-signature transform",
        ),
        (
            tamper(
                &xml,
                "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"",
                "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"",
            ),
            "does not support",
        ),
        (tamper(&xml, "URI=\"#", "URI=\"#x"), "no element has the ID"),
        (
            tamper(&xml, "xmlenc#sha256", "xmlenc#sha999"),
            "digest method",
        ),
    ];
    for (tampered, words) in cases {
        let resp = parse(&tampered).unwrap();
        let problem = resp.signatures[0].problem.clone().unwrap_or_default();
        assert!(problem.contains(words), "{words}: {problem}");
        assert!(!resp.assertion_signed());
    }
}

#[test]
fn sha1_signatures_are_weak() {
    // Re-sign by hand with SHA-1 digests: the digest of the same canonical assertion.
    let xml = good();
    let resp = parse(&tamper(&xml, "xmlenc#sha256", "xmldsig#sha1").replace(
        "http://www.w3.org/2001/04/xmldsig#sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
    ))
    .unwrap();
    let sig = &resp.signatures[0];
    assert_eq!(sig.digest_method.as_deref(), Some(SHA1));
    assert!(sig.weak.iter().any(|w| w.contains("SHA-1")), "{sig:?}");
    assert!(!sig.digest_ok);
}

#[test]
fn too_many_signatures_are_not_all_verified() {
    let xml = good();
    let sig = element(&xml, "<ds:Signature ", "</ds:Signature>").to_owned();
    let many = tamper(
        &xml,
        "<saml2p:Status>",
        &format!("{}<saml2p:Status>", sig.repeat(MAX_SIGNATURES + 2)),
    );
    let resp = parse(&many).unwrap();
    assert_eq!(resp.signatures.len(), MAX_SIGNATURES);
    assert_eq!(resp.unverified_signatures, 3);
    let found = check(&resp, &exp(), NOW);
    assert!(
        of(&found, "Signature")
            .iter()
            .any(|f| f.severity == Severity::Warn)
    );
}
