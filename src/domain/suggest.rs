//! "Did you mean": the known names closest to what was typed, for a region, a user name or
//! an email that is not found.

/// Edits (insert, delete, replace one character) between `a` and `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Up to three of `known` that `typed` probably meant, best first: the same name in another
/// letter case, a name that starts with it as a word (`maria` for `maria.garcia@...`), or one
/// at most two typos away. Empty when nothing is close.
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &str)> = known
        .into_iter()
        .filter_map(|name| {
            let lower = name.to_lowercase();
            let local = lower.split('@').next().unwrap_or_default();
            let score = if lower == typed {
                0
            } else if lower.starts_with(&typed)
                && lower[typed.len()..].starts_with(['.', '@', '_', '-', '+'])
                || local.split(['.', '_', '-', '+']).any(|word| word == typed)
            {
                1
            } else {
                match edit_distance(&typed, &lower).min(edit_distance(&typed, local)) {
                    d @ 1..=2 => 1 + d,
                    _ => return None,
                }
            };
            Some((score, name))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEOPLE: [&str; 4] = [
        "maria.garcia@example.com",
        "Kwame.Mensah@example.com",
        "aisha.khan",
        "marta.ruiz@example.com",
    ];

    #[test]
    fn close_names_are_suggested_best_first() {
        assert_eq!(did_you_mean("maria", PEOPLE), ["maria.garcia@example.com"]);
        assert_eq!(
            did_you_mean("kwame.mensah@example.com", PEOPLE),
            ["Kwame.Mensah@example.com"]
        );
        assert_eq!(did_you_mean("garcia", PEOPLE), ["maria.garcia@example.com"]);
        assert_eq!(did_you_mean("aisha.kahn", PEOPLE), ["aisha.khan"]);
        assert!(did_you_mean("zoe", PEOPLE).is_empty());
        assert!(did_you_mean("  ", PEOPLE).is_empty());
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("us-east1", "us-east-1"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
