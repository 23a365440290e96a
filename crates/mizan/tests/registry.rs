//! Registration fails loudly at startup, never silently.

use mizan::{Registry, RegistryError, Request, Result};
use schemars::JsonSchema;
use serde::Serialize;

#[mizan::client]
fn ping(_req: &Request) -> Result<String> {
    Ok("pong".into())
}

#[derive(Serialize, JsonSchema)]
struct Price {
    amount: f64,
}

#[mizan::client(context = "local")]
fn price(_req: &Request, sku: String) -> Result<Price> {
    Ok(Price {
        amount: sku.len() as f64,
    })
}

#[mizan::client]
fn price_call(_req: &Request, sku: String) -> Result<Price> {
    Ok(Price {
        amount: sku.len() as f64,
    })
}

#[test]
fn issue_duplicate_function_name_is_an_error() {
    let mut registry = Registry::new();
    registry.register(ping, "ping").unwrap();
    let err = registry.register(ping, "ping").unwrap_err();
    assert_eq!(err, RegistryError::DuplicateName("ping".into()));
    assert_eq!(registry.names().collect::<Vec<_>>(), ["ping"]);
}

#[test]
fn invalid_names_are_rejected() {
    let mut registry = Registry::new();
    for bad in ["", "a b", "1ping", "a..b", "ping.", "a/b"] {
        assert_eq!(
            registry.register(ping, bad).unwrap_err(),
            RegistryError::InvalidName(bad.into())
        );
    }
    assert!(registry.register(ping, "contact.submit").is_ok());
}

#[test]
fn contexts_that_can_return_floats_are_rejected_but_calls_may() {
    let mut registry = Registry::new();
    let err = registry.register(price, "price").unwrap_err();
    assert!(
        matches!(&err, RegistryError::FloatInContextOutput { schema_path, .. } if schema_path == "/properties/amount"),
        "{err:?}"
    );
    assert!(err.to_string().contains("canonical JSON"));
    assert!(registry.register(price_call, "price").is_ok());
}

#[test]
fn functions_stay_callable_as_rust() {
    let req = Request::builder().build();
    assert_eq!(ping::call(&req).unwrap(), "pong");
}
