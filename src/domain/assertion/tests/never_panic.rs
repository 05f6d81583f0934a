//! No input makes the decoder, the parser or the checks panic.

use super::*;

proptest! {
    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4_000)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn decode_never_panics_on_form_like_text(text in "[A-Za-z0-9%+/=&:?\\n \"]{0,400}") {
        let _ = decode(text.as_bytes());
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,2000}") {
        let _ = parse(&text);
    }

    #[test]
    fn parse_never_panics_on_xml_like_text(text in "[<>/=\"a-zA-Z0-9: !?\\[\\]&;#-]{0,2000}") {
        if let Ok(resp) = parse(&text) {
            let _ = check(&resp, &exp(), NOW);
        }
    }

    #[test]
    fn mutated_responses_never_panic_and_never_pass_when_signed_parts_change(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in proptest::option::of(0..20_000_usize),
    ) {
        let original = good();
        let mut bytes = original.clone().into_bytes();
        for (at, byte) in flips {
            let len = bytes.len();
            bytes[at % len] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut);
        }
        if let Ok(decoded) = decode(&bytes)
            && let Ok(resp) = parse(&decoded.xml)
        {
            let found = check(&resp, &exp(), NOW);
            let _ = check_relay_state(&decoded, &exp());
            prop_assert!(found.iter().all(|f| !f.field.is_empty()));
        }
    }
}
