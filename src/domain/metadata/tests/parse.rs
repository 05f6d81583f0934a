//! Parsing: the fixture, the variants accepted, and every way a file is refused.

use super::*;

// ---- the fixture itself -------------------------------------------------------------

#[test]
fn parses_the_fixture() {
    let md = parse(FIXTURE).unwrap();
    assert_eq!(md.entity_id, ENTITY_ID);
    assert_eq!(md.byte_len, 2789);
    assert_eq!(
        md.sso_endpoints,
        vec![
            Endpoint {
                binding: POST.into(),
                location: ENTITY_ID.into()
            },
            Endpoint {
                binding: REDIRECT.into(),
                location: ENTITY_ID.into()
            },
        ]
    );
    assert_eq!(md.certificates.len(), 1);
    let cert = &md.certificates[0];
    assert_eq!(cert.subject, FIXTURE_DN);
    assert_eq!(cert.issuer, FIXTURE_DN);
    assert_eq!(cert.not_before, datetime!(2026-11-28 20:49:41 UTC));
    assert_eq!(cert.not_after, datetime!(2031-11-27 20:49:41 UTC));
    assert_eq!(cert.key_algorithm, "RSA");
    assert_eq!(cert.key_bits, 2048);
    assert_eq!(cert.sha256_fingerprint, FIXTURE_FP);
    let der = base64::engine::general_purpose::STANDARD
        .decode(fixture_cert_b64())
        .unwrap();
    assert_eq!(cert.der, der);
    assert!(!cert.is_weak_key());
}

#[test]
fn checks_the_fixture_without_warnings() {
    let checked = check(FIXTURE, NOW).unwrap();
    assert_eq!(checked.metadata, parse(FIXTURE).unwrap());
    assert_eq!(checked.warnings, vec![]);
}

#[test]
fn serializes_dates_as_rfc3339_and_omits_der() {
    let json = serde_json::to_value(parse(FIXTURE).unwrap()).unwrap();
    let cert = &json["certificates"][0];
    assert_eq!(cert["not_before"], "2026-11-28T20:49:41Z");
    assert_eq!(cert["not_after"], "2031-11-27T20:49:41Z");
    assert!(cert.get("der").is_none());
    assert_eq!(json["sso_endpoints"][1]["binding"], REDIRECT);
    let warning = MetadataWarning::WeakKey {
        fingerprint: "AA".into(),
        algorithm: "RSA".into(),
        bits: 1024,
    };
    assert_eq!(serde_json::to_value(warning).unwrap()["kind"], "weak_key");
}

// ---- accepted variants --------------------------------------------------------------

#[test]
fn accepts_any_namespace_prefix() {
    let doc = edit(&fixture(), "<md:", "<saml2md:");
    let doc = edit(&doc, "</md:", "</saml2md:");
    let doc = edit(&doc, "xmlns:md=", "xmlns:saml2md=");
    let doc = edit(&doc, "<ds:", "<dsig:");
    let doc = edit(&doc, "</ds:", "</dsig:");
    let doc = edit(&doc, "xmlns:ds=", "xmlns:dsig=");
    assert_fixture_identity(&parse_str(&doc).unwrap());
}

#[test]
fn accepts_default_namespaces() {
    let doc = edit(&fixture(), "<md:", "<");
    let doc = edit(&doc, "</md:", "</");
    let doc = edit(&doc, "xmlns:md=", "xmlns=");
    assert_fixture_identity(&parse_str(&doc).unwrap());

    // The signature namespace as the default inside KeyInfo as well.
    let doc = edit(&doc, "<ds:", "<");
    let doc = edit(&doc, "</ds:", "</");
    let doc = edit(&doc, "xmlns:ds=", "xmlns=");
    assert_fixture_identity(&parse_str(&doc).unwrap());
}

#[test]
fn matches_namespace_uri_not_prefix() {
    // Right prefix and local names, wrong namespace URI: not SAML 2.0 metadata.
    let doc = edit(
        &fixture(),
        "xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"",
        "xmlns:md=\"urn:oasis:names:tc:SAML:1.0:metadata\"",
    );
    assert_eq!(
        parse_str(&doc),
        Err(MetadataError::NotMetadata {
            root: "<EntityDescriptor> in namespace urn:oasis:names:tc:SAML:1.0:metadata".into()
        })
    );
    // The certificate must be in the XML-DSig namespace too.
    let doc = edit(
        &fixture(),
        "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"",
        "xmlns:ds=\"http://example.com/not-xmldsig\"",
    );
    assert_eq!(parse_str(&doc), Err(MetadataError::NoSigningCertificate));
}

#[test]
fn accepts_a_utf8_bom() {
    let mut bytes = UTF8_BOM.to_vec();
    bytes.extend_from_slice(FIXTURE);
    let md = parse(&bytes).unwrap();
    assert_fixture_identity(&md);
    assert_eq!(md.byte_len, FIXTURE.len() + 3);
    assert_eq!(strip_bom(&bytes), FIXTURE);
    assert_eq!(strip_bom(FIXTURE), FIXTURE);
}

#[test]
fn accepts_crlf_line_endings() {
    let doc = edit(&fixture(), "\n", "\r\n");
    assert_fixture_identity(&parse_str(&doc).unwrap());
}

#[test]
fn accepts_wrapped_and_spaced_base64() {
    let b64 = fixture_cert_b64();
    let wrapped: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    for (sep, label) in [
        ("\n", "LF"),
        ("\r\n", "CRLF"),
        ("\n            ", "indented"),
        (" \t ", "spaces and tabs"),
    ] {
        let body = format!("{sep}{}{sep}", wrapped.join(sep));
        let doc = edit(&fixture(), &b64, &body);
        let md = parse_str(&doc).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_fixture_identity(&md);
    }
}

#[test]
fn accepts_certificate_text_split_by_a_comment_or_pem_armour() {
    let b64 = fixture_cert_b64();
    let (a, b) = b64.split_at(100);
    let doc = edit(&fixture(), &b64, &format!("{a}<!-- split -->{b}"));
    assert_fixture_identity(&parse_str(&doc).unwrap());
    let doc = edit(
        &fixture(),
        &b64,
        &format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----"),
    );
    assert_fixture_identity(&parse_str(&doc).unwrap());
}

#[test]
fn takes_the_first_idp_from_an_entities_descriptor() {
    let doc = fixture();
    let decl_end = doc.find("?>").unwrap() + 2;
    let sp = "<md:EntityDescriptor entityID=\"urn:amazon:webservices\">\
              <md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>\
              </md:EntityDescriptor>";
    let wrapped = format!(
        "{}\n<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\">{sp}{}</md:EntitiesDescriptor>\n",
        &doc[..decl_end],
        &doc[decl_end..]
    );
    let checked = check_str(&wrapped, NOW).unwrap();
    assert_fixture_identity(&checked.metadata);
    assert_eq!(checked.warnings, vec![]);

    // Two identity providers: the first is used, with a warning.
    let second = doc[decl_end..].replace(ENTITY_ID, "https://second.example.test/idp");
    let two = format!(
        "{}\n<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\">{}{second}</md:EntitiesDescriptor>\n",
        &doc[..decl_end],
        &doc[decl_end..]
    );
    let checked = check_str(&two, NOW).unwrap();
    assert_fixture_identity(&checked.metadata);
    assert_eq!(
        checked.warnings,
        vec![MetadataWarning::MultipleEntities {
            count: 2,
            used_entity_id: ENTITY_ID.into()
        }]
    );
}

#[test]
fn collects_signing_certificates_in_order_deduplicated() {
    let fixture_b64 = fixture_cert_b64();
    let doc = with_key_descriptors(&[
        key_descriptor(Some("encryption"), EC_P384),
        key_descriptor(Some("signing"), &fixture_b64),
        key_descriptor(None, EC_P256),
        key_descriptor(None, &fixture_b64),
        key_descriptor(Some(" signing "), ED25519),
    ]);
    let md = parse_str(&doc).unwrap();
    let fingerprints: Vec<&str> = md
        .certificates
        .iter()
        .map(|c| c.sha256_fingerprint.as_str())
        .collect();
    assert_eq!(fingerprints, vec![FIXTURE_FP, EC_P256_FP, ED25519_FP]);
}

// ---- size, encoding and format errors -----------------------------------------------

#[test]
fn rejects_empty_input() {
    assert_eq!(parse(b""), Err(MetadataError::Empty));
    assert_eq!(parse(b" \r\n\t "), Err(MetadataError::Empty));
    assert_eq!(parse(UTF8_BOM), Err(MetadataError::Empty));
    assert_eq!(parse(&[b' '; 5_000]), Err(MetadataError::Empty));
}

#[test]
fn rejects_tiny_and_truncated_input_by_size() {
    assert_eq!(parse(b"<x/>"), Err(MetadataError::TooSmall { len: 4 }));
    assert_eq!(
        parse(&FIXTURE[..512]),
        Err(MetadataError::TooSmall { len: 512 })
    );
    // The limits are inclusive: 999 is too small, 1,000 goes on to parsing.
    assert_eq!(
        parse(&[b'x'; MIN_BYTES - 1]),
        Err(MetadataError::TooSmall { len: 999 })
    );
    assert!(matches!(
        parse(&[b'x'; MIN_BYTES]),
        Err(MetadataError::NotXml { .. })
    ));
}

#[test]
fn rejects_input_over_ten_megabytes() {
    let mut big = FIXTURE.to_vec();
    big.extend_from_slice(b"<!--");
    big.resize(MAX_BYTES - 4, b'x');
    big.extend_from_slice(b"-->\n");
    assert_eq!(big.len(), MAX_BYTES);
    // Exactly at the limit is still accepted.
    assert_fixture_identity(&parse(&big).unwrap());
    big.push(b'\n');
    assert_eq!(
        parse(&big),
        Err(MetadataError::TooLarge { len: MAX_BYTES + 1 })
    );
}

#[test]
fn rejects_truncated_xml() {
    let err = parse(&FIXTURE[..2_000]).unwrap_err();
    assert!(matches!(err, MetadataError::NotXml { .. }), "{err:?}");
    let err = parse(&FIXTURE[..FIXTURE.len() - 10]).unwrap_err();
    assert!(matches!(err, MetadataError::NotXml { .. }), "{err:?}");
}

#[test]
fn rejects_non_xml_text() {
    let json = format!("{{\"metadata\": \"{}\"}}", "x".repeat(1_200));
    let err = parse_str(&json).unwrap_err();
    assert!(matches!(err, MetadataError::NotXml { .. }), "{err:?}");
}

#[test]
fn rejects_non_utf8() {
    let doc = edit(
        &fixture(),
        "<md:NameIDFormat/>",
        "<!-- \u{1} --><md:NameIDFormat/>",
    );
    let mut bytes = doc.into_bytes();
    let at = bytes.iter().position(|b| *b == 1).unwrap();
    bytes[at] = 0xFF;
    assert_eq!(parse(&bytes), Err(MetadataError::NotUtf8));

    // UTF-16 (as some editors save it), with its byte-order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(fixture().encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(parse(&utf16), Err(MetadataError::NotUtf8));
}

#[test]
fn rejects_html_pages() {
    let body = format!(
        "<head><title>AWS access portal</title></head>\n<body><p>{}</p></body>\n</html>\n",
        "Sign in to continue. ".repeat(60)
    );
    let pages = [
        format!("<!DOCTYPE html>\n<html lang=\"en\">{body}"),
        format!("\n\n  <!doctype HTML>\n<html>{body}"),
        format!("<HTML>{body}"),
        format!("<!-- saved from url=(0014)about:internet -->\r\n<html>{body}"),
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \
             \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html \
             xmlns=\"http://www.w3.org/1999/xhtml\">{body}"
        ),
        // A well-formed XHTML page reaches the root-element check.
        format!("<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:p>{body}</h:p></h:html>")
            .replace("</html>\n", "")
            .replace("<head>", "<h:head>")
            .replace("</head>", "</h:head>")
            .replace("<body>", "<h:body>")
            .replace("</body>", "</h:body>")
            .replace("<title>", "<h:title>")
            .replace("</title>", "</h:title>")
            .replace("<p>", "<h:p>")
            .replace("</p>", "</h:p>"),
        // Malformed HTML with no <html> start: caught after the XML parser fails.
        format!("<meta charset=\"utf-8\">{body}"),
    ];
    for (i, page) in pages.iter().enumerate() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(page.as_bytes());
        assert_eq!(parse_str(page), Err(MetadataError::HtmlPage), "page {i}");
        assert_eq!(
            parse(&bytes),
            Err(MetadataError::HtmlPage),
            "page {i} with BOM"
        );
    }
}

#[test]
fn rejects_dtds_and_entities() {
    let doc = fixture();
    let decl_end = doc.find("?>").unwrap() + 2;
    let (decl, rest) = doc.split_at(decl_end);
    let dtds = [
        "<!DOCTYPE md:EntityDescriptor [<!ENTITY name \"value\">]>",
        "<!DOCTYPE md:EntityDescriptor SYSTEM \"http://attacker.example/evil.dtd\">",
        "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>",
        "<!DOCTYPE md:EntityDescriptor>",
        "<!-- comment first -->\n<!DOCTYPE md:EntityDescriptor [<!ENTITY a \"b\">]>",
    ];
    for dtd in dtds {
        let with_dtd = format!("{decl}\n{dtd}{rest}");
        assert_eq!(
            parse_str(&with_dtd),
            Err(MetadataError::DtdForbidden),
            "{dtd}"
        );
    }
    // An entity reference to an entity that was declared: DTD error, never expansion.
    let used = format!(
        "{decl}\n<!DOCTYPE md:EntityDescriptor [<!ENTITY id \"{ENTITY_ID}\">]>{}",
        rest.replacen(ENTITY_ID, "&id;", 1)
    );
    assert_eq!(parse_str(&used), Err(MetadataError::DtdForbidden));
    // A DOCTYPE the prolog check does not see first still hits roxmltree's refusal.
    let late = format!("{decl}<?pi x?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>{rest}");
    assert_eq!(parse_str(&late), Err(MetadataError::DtdForbidden));
}

// ---- structural errors --------------------------------------------------------------

#[test]
fn rejects_other_xml_documents() {
    let doc = fixture();
    let decl_end = doc.find("?>").unwrap() + 2;
    let response = format!(
        "{}\n<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">{}</samlp:Response>",
        &doc[..decl_end],
        "<!-- x -->".repeat(100)
    );
    assert_eq!(
        parse_str(&response),
        Err(MetadataError::NotMetadata {
            root: "<Response> in namespace urn:oasis:names:tc:SAML:2.0:protocol".into()
        })
    );
    let plain = pad("<config><value>1</value></config>");
    assert_eq!(
        parse_str(&plain),
        Err(MetadataError::NotMetadata {
            root: "<config> with no namespace".into()
        })
    );
}

#[test]
fn rejects_service_provider_metadata() {
    let doc = edit(&fixture(), "IDPSSODescriptor", "SPSSODescriptor");
    assert_eq!(parse_str(&doc), Err(MetadataError::ServiceProviderMetadata));

    let doc = fixture();
    let decl_end = doc.find("?>").unwrap() + 2;
    let sp_only = format!(
        "{}\n<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\">{}</md:EntitiesDescriptor>",
        &doc[..decl_end],
        edit(&doc[decl_end..], "IDPSSODescriptor", "SPSSODescriptor")
    );
    assert_eq!(
        parse_str(&sp_only),
        Err(MetadataError::ServiceProviderMetadata)
    );
}

#[test]
fn rejects_metadata_without_an_idp() {
    let doc = edit(
        &fixture(),
        "IDPSSODescriptor",
        "AttributeAuthorityDescriptor",
    );
    assert_eq!(parse_str(&doc), Err(MetadataError::NoIdpDescriptor));
    let empty = pad(&format!(
        "<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\"/>"
    ));
    assert_eq!(parse_str(&empty), Err(MetadataError::NoIdpDescriptor));
}

#[test]
fn rejects_a_missing_entity_id() {
    let attr = format!(" entityID=\"{ENTITY_ID}\"");
    let doc = edit(&fixture(), &attr, "");
    assert_eq!(parse_str(&doc), Err(MetadataError::NoEntityId));
    let doc = edit(&fixture(), &attr, " entityID=\"  \"");
    assert_eq!(parse_str(&doc), Err(MetadataError::NoEntityId));
}

#[test]
fn rejects_a_missing_sso_endpoint() {
    let doc = fixture();
    let kept: String = doc
        .lines()
        .filter(|l| !l.contains("SingleSignOnService"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(parse_str(&pad(&kept)), Err(MetadataError::NoSsoEndpoint));
    // Endpoints without a Location do not count.
    let doc = edit(
        &doc,
        "Location=\"https://portal.sso.us-east-1.amazonaws.com/saml/assertion",
        "Place=\"x",
    );
    assert_eq!(parse_str(&doc), Err(MetadataError::NoSsoEndpoint));
}

#[test]
fn rejects_a_missing_signing_certificate() {
    let no_cert = pad(&with_key_descriptors(&[]));
    assert_eq!(
        parse_str(&no_cert),
        Err(MetadataError::NoSigningCertificate)
    );
    // Encryption certificates do not count.
    let doc = edit(&fixture(), "use=\"signing\"", "use=\"encryption\"");
    assert_eq!(parse_str(&doc), Err(MetadataError::NoSigningCertificate));
    // Nor does an empty-handed KeyDescriptor.
    let doc = pad(&edit(
        &fixture(),
        &format!(
            "<ds:X509Certificate>{}</ds:X509Certificate>",
            fixture_cert_b64()
        ),
        "",
    ));
    assert_eq!(parse_str(&doc), Err(MetadataError::NoSigningCertificate));
}

#[test]
fn rejects_undecodable_certificates() {
    let b64 = fixture_cert_b64();
    let cases = [
        ("not base64 at all!".to_owned(), "not valid base64"),
        ("".to_owned(), "empty"),
        ("AAAA".to_owned(), "not an X.509 certificate"),
        (b64[..b64.len() - 40].to_owned(), ""),
        (format!("{b64}AAAA"), ""),
    ];
    for (body, detail_part) in cases {
        let doc = pad(&edit(&fixture(), &b64, &body));
        match parse_str(&doc) {
            Err(MetadataError::UndecodableCertificate { index: 1, detail }) => {
                assert!(detail.contains(detail_part), "{detail}");
            }
            other => panic!("{body:?}: {other:?}"),
        }
    }
    // The index points at the bad certificate, counting from 1.
    let doc = with_signing_certs(&[&b64, "@@@@"]);
    assert!(matches!(
        parse_str(&doc),
        Err(MetadataError::UndecodableCertificate { index: 2, .. })
    ));
}
