//! Property tests: no validator or generator panics on any input, and what they accept
//! satisfies AWS's rules.

use connect_sso::domain::input::{
    AccountId, ConnectInstance, Description, DisplayName, IdentityStoreId, InstanceId, PolicyName,
    RoleName, SamlProviderName,
};
use connect_sso::domain::region::{Region, SignInEndpoint};
use connect_sso::domain::setup::{Answers, Setup};
use proptest::prelude::*;

fn iam_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validators_never_panic_and_accept_only_valid_values(s in any::<String>()) {
        if let Ok(r) = RoleName::parse(&s) {
            let n = r.as_str().chars().count();
            prop_assert!((1..=64).contains(&n));
            prop_assert!(r.as_str().chars().all(|c| iam_char(c) && c != ','));
        }
        if let Ok(p) = PolicyName::parse(&s) {
            prop_assert!((1..=128).contains(&p.as_str().chars().count()));
            prop_assert!(p.as_str().chars().all(iam_char));
        }
        if let Ok(p) = SamlProviderName::parse(&s) {
            prop_assert!((1..=128).contains(&p.as_str().chars().count()));
            prop_assert!(p.as_str().chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
        }
        if let Ok(d) = DisplayName::parse(&s) {
            prop_assert!(!d.as_str().is_empty());
            prop_assert!(!d.as_str().chars().any(char::is_control));
        }
        if let Ok(Some(d)) = Description::parse(&s) {
            prop_assert!(!d.as_str().chars().any(char::is_control));
        }
        if let Ok(a) = AccountId::parse(&s) {
            prop_assert!(a.as_str().len() == 12 && a.as_str().bytes().all(|b| b.is_ascii_digit()));
        }
        let _ = InstanceId::parse(&s);
        let _ = IdentityStoreId::parse(&s);
        let _ = Region::parse(&s);
        let _ = SignInEndpoint::parse(&s);
        let _ = ConnectInstance::from_arn(&s);
    }

    #[test]
    fn arn_like_strings_never_panic(
        partition in "(aws|aws-us-gov|aws-cn|x)",
        service in "(connect|iam|)",
        region in "[a-z0-9-]{0,16}",
        account in "[0-9]{0,13}",
        resource in "(instance|queue)/[0-9a-fA-F-]{0,40}(/[a-z]{0,5})?",
    ) {
        let arn = format!("arn:{partition}:{service}:{region}:{account}:{resource}");
        if let Ok(i) = ConnectInstance::from_arn(&arn) {
            prop_assert_eq!(i.arn(), arn.to_ascii_lowercase());
        }
    }

    #[test]
    fn valid_names_are_accepted(name in "[A-Za-z0-9+=.@_-]{1,64}") {
        let role = RoleName::parse(&name).unwrap();
        let policy = PolicyName::parse(&name).unwrap();
        prop_assert_eq!(role.as_str(), name.as_str());
        prop_assert_eq!(policy.as_str(), name.as_str());
    }

    #[test]
    fn instance_arns_round_trip(
        region_index in 0usize..64,
        account in "[0-9]{12}",
        id in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    ) {
        let regions: Vec<Region> = Region::all().filter(|r| r.partition().offers_connect()).collect();
        let region = regions[region_index % regions.len()];
        let arn = format!("arn:{}:connect:{}:{account}:instance/{id}", region.partition(), region);
        let instance = ConnectInstance::from_arn(&arn).unwrap();
        prop_assert_eq!(instance.arn(), arn);
    }

    #[test]
    fn setups_never_panic_and_role_attribute_is_one_pair(
        arn in proptest::option::of(any::<String>()),
        role in proptest::option::of(any::<String>()),
        provider in proptest::option::of(any::<String>()),
        endpoint in proptest::option::of("(global|regional|[a-z]{0,8})"),
    ) {
        let arn = arn.map(|a| if a.len() % 2 == 0 {
            "arn:aws:connect:eu-west-2:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef".to_string()
        } else { a });
        let answers = Answers {
            instance_arn: arn,
            role_name: role,
            provider_name: provider,
            sign_in_endpoint: endpoint,
            ..Answers::default()
        };
        if let Ok(setup) = Setup::from_answers(&answers) {
            let attribute = setup.role_attribute();
            prop_assert_eq!(attribute.matches(',').count(), 1);
            prop_assert!(!attribute.contains(' '));
            let (role_arn, provider_arn) = attribute.split_once(',').unwrap();
            prop_assert_eq!(role_arn, setup.role_arn());
            prop_assert_eq!(provider_arn, setup.provider_arn());
            prop_assert_eq!(
                &setup.trust_policy()["Statement"][0]["Condition"]["StringEquals"]["SAML:aud"],
                setup.acs_url()
            );
        }
    }
}
