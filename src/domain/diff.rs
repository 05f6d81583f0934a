//! Differences between two JSON documents, as short lines a person can read
//! (`Statement[0].Resource: "old" -> "new"`). Object key order does not count.

use serde_json::Value;

pub fn json_diff(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}

fn show(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    let here = if path.is_empty() { "(document)" } else { path };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = join(path, k);
                match b.get(k) {
                    Some(vb) => walk(&p, va, vb, out),
                    None => out.push(format!("{p}: {} -> (removed)", show(va))),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("{}: (missing) -> {}", join(path, k), show(vb)));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                walk(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        (a, b) if a != b => out.push(format!("{here}: {} -> {}", show(a), show(b))),
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_documents_have_no_difference_whatever_the_key_order() {
        let a = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "x"}]});
        let b = json!({"Statement": [{"Action": "x", "Effect": "Allow"}], "Version": "2012-10-17"});
        assert!(json_diff(&a, &b).is_empty());
    }

    #[test]
    fn changed_added_and_removed_values_are_named_by_path() {
        let a = json!({"Statement": [{"Resource": "old", "Sid": "S"}]});
        let b = json!({"Statement": [{"Resource": "new", "Effect": "Allow"}]});
        assert_eq!(
            json_diff(&a, &b),
            [
                r#"Statement[0].Resource: "old" -> "new""#,
                r#"Statement[0].Sid: "S" -> (removed)"#,
                r#"Statement[0].Effect: (missing) -> "Allow""#,
            ]
        );
        assert_eq!(
            json_diff(&json!([1]), &json!([1, 2])),
            ["(document): [1] -> [1,2]"]
        );
    }
}
