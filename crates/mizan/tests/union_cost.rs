//! Recursive unions never cost exponential time: untagged ones whose variants serde cannot tell
//! apart are refused at registration (§2.7), and a deep failure inside a tagged one is not
//! explained through every combination of variants (§2.2.1). A regression in the second does not
//! fail an assertion: it makes the test run for hours.

mod common;

use axum::Router;
use common::post;
use mizan::{Mizan, Registry, Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const TOO_DEEP: &str =
    "does not match its type (the failure is nested too deeply in unions to explain further)";

/// Two variants that both recurse into `children`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Node {
    /// A directory.
    Dir {
        /// Its name.
        name: String,
        /// What it holds.
        children: Vec<Node>,
    },
    /// A link.
    Link {
        /// Where it points.
        target: String,
        /// What it holds.
        children: Vec<Node>,
    },
}

#[mizan::client]
fn tree(_req: &Request, root: Node) -> Result<bool> {
    let _ = root;
    Ok(true)
}

#[test]
fn a_recursive_untagged_enum_is_refused_at_registration() {
    let mut registry = Registry::new();
    let err = registry.register(tree, "tree").unwrap_err();
    assert!(
        matches!(
            &err,
            mizan::RegistryError::RecursiveUntaggedUnion { name, variants: (0, 1), .. } if name == "tree"
        ),
        "{err}"
    );
    assert!(err.to_string().contains("#[serde(tag"), "{err}");
}

/// A recursive, internally tagged expression tree.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Expr {
    /// A number.
    Lit {
        /// Its value.
        value: u32,
    },
    /// The negation of an expression.
    Neg {
        /// The expression.
        inner: Box<Expr>,
    },
    /// The difference of two expressions.
    Sub {
        /// The left side.
        left: Box<Expr>,
        /// The right side.
        right: Box<Expr>,
    },
    /// The sum of two expressions.
    Add {
        /// The left side.
        left: Box<Expr>,
        /// The right side.
        right: Box<Expr>,
    },
}

#[mizan::client]
fn eval(_req: &Request, expr: Expr) -> Result<bool> {
    let _ = expr;
    Ok(true)
}

#[tokio::test]
async fn a_deep_tagged_tree_is_checked_quickly() {
    let mut registry = Registry::new();
    registry.register(eval, "eval").unwrap();
    let app: Router = Router::new().merge(Mizan::new(registry).router("/api/mizan"));
    let expression = |depth: usize, leaf: &str| {
        let mut node = leaf.to_owned();
        for _ in 0..depth {
            node = format!(r#"{{"op":"add","left":{node},"right":{{"op":"lit","value":1}}}}"#);
        }
        format!(r#"{{"expr":{node}}}"#)
    };
    let (good, bad) = (r#"{"op":"lit","value":1}"#, r#"{"op":"lit","value":-1}"#);
    // 30 levels: explaining the failure in full would take about 2^30 steps.
    let reply = post(&app, "/api/mizan/call/eval", &expression(30, good)).await;
    assert_eq!(reply.status, 200);
    let reply = post(&app, "/api/mizan/call/eval", &expression(30, bad)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["fields"],
        serde_json::json!([{"path": ["expr"], "message": TOO_DEEP}])
    );
    // Shallow failures are explained in full, at the failing value.
    let reply = post(&app, "/api/mizan/call/eval", &expression(2, bad)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["fields"][0]["path"],
        serde_json::json!(["expr", "left", "left", "value"])
    );
}
