//! Unit tests of the metadata parser: parsing and its errors, the certificates, the messages,
//! and inputs that must never make it panic. The helpers here edit the Identity Center
//! fixture.

mod certificate;
mod messages;
mod never_panic;
mod parse;

use super::certificate::significant_bits;
use super::error::DOWNLOAD_HINT;
use super::*;
use base64::Engine as _;
use proptest::prelude::*;
use time::Duration;
use time::macros::datetime;

const FIXTURE: &[u8] = include_bytes!("../../../../tests/fixtures/metadata/idc-metadata.xml");
const EXPIRED_RSA2048: &str =
    include_str!("../../../../tests/fixtures/metadata/expired-rsa2048.b64");
const RSA1024: &str = include_str!("../../../../tests/fixtures/metadata/rsa1024.b64");
const RSA3072: &str = include_str!("../../../../tests/fixtures/metadata/rsa3072.b64");
const EC_P256: &str = include_str!("../../../../tests/fixtures/metadata/ec-p256.b64");
const EC_P384: &str = include_str!("../../../../tests/fixtures/metadata/ec-p384.b64");
const ED25519: &str = include_str!("../../../../tests/fixtures/metadata/ed25519.b64");

// Independent values from `openssl x509 -noout -fingerprint -sha256` (see the fixtures'
// README.md).
const FIXTURE_FP: &str = "E0:39:1A:18:01:D0:94:39:E5:EF:1B:36:AB:00:40:3A:A0:2F:E5:86:\
                          D1:09:CE:87:FC:5B:C9:CD:B1:F8:72:3A";
const EXPIRED_FP: &str = "3D:1C:12:FD:1C:D0:CF:5F:CD:19:31:EB:69:77:74:82:A1:59:D1:90:\
                          1E:7C:E5:DD:11:0F:29:FA:F6:0A:FD:37";
const RSA1024_FP: &str = "15:F2:39:35:03:D9:D4:F0:51:87:33:8F:80:3B:74:70:6D:6A:06:68:\
                          82:DB:4E:F0:01:2F:1B:1B:FB:3D:FE:61";
const RSA3072_FP: &str = "A3:1B:DC:F8:02:B6:F4:BB:1E:72:E2:D9:6A:9B:CD:2D:A9:10:6F:3F:\
                          23:FB:9B:3C:56:EB:22:AF:1E:AD:6F:B3";
const EC_P256_FP: &str = "52:1A:AA:BC:B6:2D:2F:82:CD:58:7A:E9:E7:49:59:8D:DC:1C:11:8E:\
                          76:7B:B2:1F:B5:11:DD:D2:D7:96:E9:68";
const EC_P384_FP: &str = "40:D2:0F:88:B6:F2:A3:E0:EC:28:9C:3C:1C:C0:20:0E:BD:AE:53:DE:\
                          A7:F8:86:39:7F:F2:9B:40:3C:B0:E7:C3";
const ED25519_FP: &str = "B4:F9:7D:D3:49:F1:1B:25:43:CF:40:61:24:0E:BC:DB:0F:35:FA:79:\
                          FA:9E:15:EA:BE:37:2D:AB:3E:22:42:20";

const ENTITY_ID: &str = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/\
                         MTIzNDU2Nzg5MDEyX2lucy0xYTJiM2M0ZDVlNmY3YThi";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const FIXTURE_DN: &str = "C=US, ST=Washington, L=Seattle, O=Example IdP, \
                          CN=portal.sso.us-east-1.amazonaws.com";

/// While the fixture certificate is valid and far from expiry.
const NOW: OffsetDateTime = datetime!(2028-06-01 12:00 UTC);

fn fixture() -> String {
    String::from_utf8(FIXTURE.to_vec()).unwrap()
}

/// Replace every `from` in the fixture; fails if `from` is absent so edits never no-op.
fn edit(doc: &str, from: &str, to: &str) -> String {
    assert!(doc.contains(from), "fixture edit: {from:?} not found");
    doc.replace(from, to)
}

fn fixture_cert_b64() -> String {
    let doc = fixture();
    let start = doc.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
    let end = doc.find("</ds:X509Certificate>").unwrap();
    doc[start..end].to_owned()
}

fn key_descriptor(use_attr: Option<&str>, b64: &str) -> String {
    let use_attr = use_attr
        .map(|u| format!(" use=\"{u}\""))
        .unwrap_or_default();
    format!(
        "    <md:KeyDescriptor{use_attr}>\n      <ds:KeyInfo \
         xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n        <ds:X509Data>\n          \
         <ds:X509Certificate>{b64}</ds:X509Certificate>\n        </ds:X509Data>\n      \
         </ds:KeyInfo>\n    </md:KeyDescriptor>\n"
    )
}

/// The fixture with its KeyDescriptor replaced by `descriptors`.
fn with_key_descriptors(descriptors: &[String]) -> String {
    let doc = fixture();
    let start = doc.find("    <md:KeyDescriptor").unwrap();
    let end = doc.find("</md:KeyDescriptor>\n").unwrap() + "</md:KeyDescriptor>\n".len();
    format!("{}{}{}", &doc[..start], descriptors.concat(), &doc[end..])
}

fn with_signing_certs(certs: &[&str]) -> String {
    let descriptors: Vec<String> = certs
        .iter()
        .map(|c| key_descriptor(Some("signing"), c))
        .collect();
    with_key_descriptors(&descriptors)
}

/// Keep edited documents above MIN_BYTES so the rule under test is the one that fires.
fn pad(doc: &str) -> String {
    format!("{doc}<!-- {} -->\n", "padding ".repeat(130))
}

fn parse_str(doc: &str) -> Result<IdpMetadata, MetadataError> {
    parse(doc.as_bytes())
}

fn check_str(doc: &str, now: OffsetDateTime) -> Result<CheckedMetadata, MetadataError> {
    check(doc.as_bytes(), now)
}

fn assert_fixture_identity(md: &IdpMetadata) {
    assert_eq!(md.entity_id, ENTITY_ID);
    assert_eq!(md.sso_endpoints.len(), 2);
    assert_eq!(md.certificates.len(), 1);
    assert_eq!(md.certificates[0].sha256_fingerprint, FIXTURE_FP);
}
