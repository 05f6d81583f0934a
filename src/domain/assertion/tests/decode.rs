//! Decoding: every way of copying a response, and the errors for everything else.

use super::*;

#[test]
fn decodes_every_way_of_copying_it() {
    let xml = good();
    let base64 = testkit::base64(&xml);
    let cases = [
        (xml.clone(), InputKind::Xml),
        (format!("\u{FEFF}\n  {xml}\n"), InputKind::Xml),
        (base64.clone(), InputKind::Base64),
        (testkit::base64_wrapped(&xml), InputKind::Base64),
        (format!("\"{base64}\"\n"), InputKind::Base64),
        (base64.trim_end_matches('=').to_owned(), InputKind::Base64),
        (
            base64.replace('+', "-").replace('/', "_"),
            InputKind::Base64,
        ),
        (testkit::url_encode(&base64), InputKind::UrlEncodedBase64),
        (testkit::form_body(&xml, None), InputKind::FormBody),
        (
            format!("RelayState=x&{}", testkit::form_body(&xml, None)),
            InputKind::FormBody,
        ),
        (
            format!("SAMLResponse: {base64}\nRelayState: {RELAY}\n"),
            InputKind::FormBody,
        ),
        (
            format!(
                "https://signin.aws.amazon.com/saml?{}",
                testkit::form_body(&xml, None)
            ),
            InputKind::FormBody,
        ),
    ];
    for (input, kind) in cases {
        let decoded = decode(input.as_bytes()).unwrap_or_else(|e| panic!("{input:.80}: {e}"));
        assert_eq!(decoded.xml, xml, "{input:.80}");
        assert_eq!(decoded.kind, kind, "{input:.80}");
    }
}

#[test]
fn keeps_the_relay_state_of_a_form_body() {
    let xml = good();
    let deep_link = format!("{RELAY}?destination=%2Fccp-v2%2F");
    let decoded = decode(testkit::form_body(&xml, Some(&deep_link)).as_bytes()).unwrap();
    assert_eq!(decoded.relay_state.as_deref(), Some(deep_link.as_str()));
    assert_eq!(decoded.kind, InputKind::FormBody);
    let decoded = decode(testkit::form_body(&xml, Some("")).as_bytes()).unwrap();
    assert_eq!(decoded.relay_state, None);
    let decoded = decode(testkit::base64(&xml).as_bytes()).unwrap();
    assert_eq!(decoded.relay_state, None);
}

#[test]
fn decode_errors_say_what_and_how() {
    let html =
        "<!DOCTYPE html><html><head><title>Amazon Web Services Sign-In</title></head></html>";
    let cases: Vec<(Vec<u8>, AssertionError)> = vec![
        (b"".to_vec(), AssertionError::Empty),
        (b" \r\n\t ".to_vec(), AssertionError::Empty),
        (b"SAMLResponse=".to_vec(), AssertionError::Empty),
        (
            vec![b'A'; MAX_INPUT_BYTES + 1],
            AssertionError::TooLarge {
                len: MAX_INPUT_BYTES + 1,
                max: MAX_INPUT_BYTES,
            },
        ),
        (vec![0xFF, 0xFE, b'<', 0], AssertionError::NotText),
        (html.as_bytes().to_vec(), AssertionError::HtmlPage),
        (
            b"<html><body>Sign in</body></html>".to_vec(),
            AssertionError::HtmlPage,
        ),
        (testkit::base64(html).into_bytes(), AssertionError::HtmlPage),
        (
            b"SAMLRequest=fZJNT8MwDIbv&RelayState=x".to_vec(),
            AssertionError::SamlRequest,
        ),
        (
            b"username=maria&password=secret".to_vec(),
            AssertionError::NoSamlResponseField {
                fields: "username, password".into(),
            },
        ),
        (
            testkit::base64("hello, world").into_bytes(),
            AssertionError::DecodedNotXml,
        ),
        (
            base64::engine::general_purpose::STANDARD
                .encode([0u8, 159, 146, 150])
                .into_bytes(),
            AssertionError::DecodedNotXml,
        ),
    ];
    for (input, expected) in cases {
        let got = decode(&input).unwrap_err();
        assert_eq!(
            got,
            expected,
            "{:?}",
            String::from_utf8_lossy(&input[..input.len().min(60)])
        );
        let message = got.to_string();
        assert!(message.contains("developer tools"), "{message}");
    }
    match decode(b"PHNhbWxwOlJlc3BvbnNl!!!") {
        Err(AssertionError::NotBase64 { detail }) => {
            assert!(detail.contains("Invalid"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        AssertionError::HtmlPage
            .to_string()
            .starts_with("this looks like an HTML page, not a SAMLResponse")
    );
    assert!(
        AssertionError::HtmlPage
            .to_string()
            .contains("https://signin.aws.amazon.com/saml")
    );
}

#[test]
fn tells_html_from_xml_by_its_tags() {
    assert!(looks_like_html(
        "<!-- saved from url -->\n<!DOCTYPE HTML><p>"
    ));
    assert!(looks_like_html("<HTML lang=\"en\"><p>x</p>"));
    assert!(looks_like_html("<div><body class=\"x\">"));
    assert!(!looks_like_html(
        "<Response xmlns=\"urn:x\"><headers/><bodyguard/></Response>"
    ));
    assert!(!looks_like_html("<htmlish/>"));
}
