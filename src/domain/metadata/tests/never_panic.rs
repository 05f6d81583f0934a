//! No input makes the parser or the check panic.

use super::*;

fn any_now() -> impl Strategy<Value = OffsetDateTime> {
    // Years 1..9999, the whole range certificates can express.
    (-62_000_000_000_i64..253_000_000_000)
        .prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap_or(NOW))
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..3_000),
        now in any_now(),
    ) {
        let _ = parse(&bytes);
        let _ = check(&bytes, now);
    }

    #[test]
    fn never_panics_on_arbitrary_text_after_the_fixture_prolog(
        tail in "[<>/=\"a-zA-Z: !?\\[\\]&;#-]{0,2000}",
    ) {
        let doc = format!("{}{tail}", &fixture()[..1_000]);
        let _ = check_str(&doc, NOW);
    }

    #[test]
    fn never_panics_on_mutated_fixture(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16),
        cut in proptest::option::of(0..FIXTURE.len()),
        now in any_now(),
    ) {
        let mut bytes = FIXTURE.to_vec();
        for (at, byte) in flips {
            let len = bytes.len();
            bytes[at % len] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut);
        }
        let _ = parse(&bytes);
        let _ = check(&bytes, now);
    }

    #[test]
    fn never_panics_on_mutated_certificate_der(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in proptest::option::of(0..980_usize),
        now in any_now(),
    ) {
        // Mutate the DER, not the base64, so the X.509 parser sees the damage.
        let b64 = fixture_cert_b64();
        let mut der = base64::engine::general_purpose::STANDARD.decode(&b64).unwrap();
        for (at, byte) in flips {
            let len = der.len();
            der[at % len] = byte;
        }
        if let Some(cut) = cut {
            der.truncate(cut);
        }
        let body = base64::engine::general_purpose::STANDARD.encode(&der);
        let doc = pad(&fixture().replace(&b64, &body));
        match check_str(&doc, now) {
            Ok(checked) => prop_assert!(!checked.metadata.certificates.is_empty()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn messages_never_panic(now in any_now(), days in any::<i64>(), len in any::<usize>()) {
        let _ = MetadataError::NotYetValid { not_before: now }.to_string();
        let _ = MetadataError::TooLarge { len }.to_string();
        let _ = MetadataWarning::ExpiresSoon {
            fingerprint: String::new(),
            days_left: days,
            not_after: now,
        }
        .to_string();
    }
}
