//! How much work explaining a failure would take.
//!
//! Checking params (`is_valid`) stops at the first failure and is linear in the input. Listing
//! every failure is not: the validator explains a failed `anyOf`/`oneOf` by explaining every
//! variant, and a recursive type whose variants share a member (an expression tree whose `Add`
//! and `Sub` both hold `left` and `right`) makes that work double at every level of nesting. This
//! estimates that work without doing it, memoized on (schema node, value node) pairs, so the
//! estimate costs at most the product of the two sizes even when the work it counts is
//! exponential.

use std::collections::HashMap;

use serde_json::Value;

/// The node visits a full explanation may always take; beyond it, and beyond
/// [`VISITS_PER_VALUE`] per value of the params, failures are reported per parameter instead
/// (§2.2.1).
pub(crate) const EXPLANATION_BUDGET: u64 = 20_000;

/// Visits per value of the params a full explanation may take: large flat params (a long list)
/// are still explained in full, since that work grows with their size only.
pub(crate) const VISITS_PER_VALUE: u64 = 8;

/// Whether explaining why `instance` fails the schema `root` would take more node visits than
/// the budget allows.
pub(crate) fn explanation_too_costly(root: &Value, instance: &Value) -> bool {
    let mut estimate = Estimate {
        root,
        memo: HashMap::new(),
    };
    let allowed = EXPLANATION_BUDGET.max(count_values(instance).saturating_mul(VISITS_PER_VALUE));
    estimate.cost(root, instance, 0) > allowed
}

fn count_values(value: &Value) -> u64 {
    1 + match value {
        Value::Object(members) => members.values().map(count_values).sum(),
        Value::Array(items) => items.iter().map(count_values).sum(),
        _ => 0,
    }
}

struct Estimate<'a> {
    root: &'a Value,
    memo: HashMap<(usize, usize), u64>,
}

/// Deeper than any params object the server accepts (§2.2: 32 levels): a `$ref` cycle that does
/// not descend into the value ends here.
const MAX_SCHEMA_STEPS: usize = 256;

impl<'a> Estimate<'a> {
    fn cost(&mut self, schema: &'a Value, instance: &'a Value, steps: usize) -> u64 {
        let key = (
            std::ptr::from_ref(schema) as usize,
            std::ptr::from_ref(instance) as usize,
        );
        if let Some(&known) = self.memo.get(&key) {
            return known;
        }
        let Value::Object(keywords) = schema else {
            return 1;
        };
        if steps > MAX_SCHEMA_STEPS {
            return u64::MAX;
        }
        let mut total: u64 = 1;
        if let Some(target) = keywords
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| super::ref_target(self.root, reference))
        {
            total = total.saturating_add(self.cost(target, instance, steps + 1));
        }
        for union in ["anyOf", "oneOf", "allOf"] {
            for variant in keywords
                .get(union)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                total = total.saturating_add(self.cost(variant, instance, steps + 1));
            }
        }
        match instance {
            Value::Object(members) => {
                let properties = keywords.get("properties").and_then(Value::as_object);
                let additional = keywords.get("additionalProperties");
                for (name, value) in members {
                    if let Some(sub) = properties.and_then(|p| p.get(name)).or(additional) {
                        total = total.saturating_add(self.cost(sub, value, steps + 1));
                    }
                }
            }
            Value::Array(items) => {
                let prefix = keywords.get("prefixItems").and_then(Value::as_array);
                let rest = keywords.get("items");
                for (i, item) in items.iter().enumerate() {
                    if let Some(sub) = prefix.and_then(|p| p.get(i)).or(rest) {
                        total = total.saturating_add(self.cost(sub, item, steps + 1));
                    }
                }
            }
            _ => {}
        }
        self.memo.insert(key, total);
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `Expr = oneOf [Add {left, right}, Sub {left, right}, Lit]`, as schemars writes it.
    fn expr_schema() -> Value {
        let binary = |op: &str| {
            json!({"type": "object", "properties": {
                "op": {"const": op},
                "left": {"$ref": "#/$defs/Expr"},
                "right": {"$ref": "#/$defs/Expr"}
            }, "required": ["op", "left", "right"]})
        };
        json!({
            "type": "object",
            "properties": {"expr": {"$ref": "#/$defs/Expr"}},
            "$defs": {"Expr": {"oneOf": [
                binary("add"), binary("sub"),
                {"type": "object", "properties": {"op": {"const": "lit"}, "value": {"type": "integer"}}}
            ]}}
        })
    }

    fn chain(depth: usize) -> Value {
        let mut node = json!({"op": "lit", "value": "x"});
        for _ in 0..depth {
            node = json!({"op": "add", "left": node, "right": {"op": "lit", "value": 1}});
        }
        json!({ "expr": node })
    }

    #[test]
    fn nested_shared_unions_are_too_costly_and_flat_data_is_not() {
        let schema = expr_schema();
        assert!(!explanation_too_costly(&schema, &chain(4)));
        assert!(explanation_too_costly(&schema, &chain(20)));
        let list = json!({"type": "object", "properties": {"tags": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}});
        let many: Vec<Value> = (0..30_000).map(|i| json!(i)).collect();
        assert!(!explanation_too_costly(&list, &json!({ "tags": many })));
    }
}
