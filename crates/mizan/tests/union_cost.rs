//! Explaining a failure inside recursive unions stays cheap: a deep value that fits no variant
//! must not make the server explain every combination of variants at every level (§2.2.1). A
//! regression here does not fail an assertion: it makes these tests run for hours.

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

#[tokio::test]
async fn a_deep_value_matching_no_variant_is_refused_quickly() {
    let mut registry = Registry::new();
    registry.register(tree, "tree").unwrap();
    let app: Router = Router::new().merge(Mizan::new(registry).router("/api/mizan"));
    // 15 levels of an object and an array: the deepest the default limit of 32 lets through.
    let mut node = String::from(r#"{"children":[]}"#);
    for _ in 0..14 {
        node = format!(r#"{{"children":[{node}]}}"#);
    }
    let reply = post(
        &app,
        "/api/mizan/call/tree",
        &format!(r#"{{"root":{node}}}"#),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["fields"],
        serde_json::json!([{"path": ["root"], "message": TOO_DEEP}])
    );
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
