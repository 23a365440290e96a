use mizan::{Registry, Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, JsonSchema)]
struct Item {
    id: u32,
}

fn is_owner(req: &Request) -> bool {
    req.user().is_some()
}

async fn is_member(req: &Request) -> bool {
    req.principal().permission_key().is_some()
}

async fn store_says(req: &Request) -> Result<bool> {
    Ok(req.user().is_some())
}

fn may_fail(_req: &Request) -> Result<bool> {
    Err(mizan::Error::internal("the store is down"))
}

#[mizan::client(auth = is_member)]
async fn members(_req: &Request) -> Result<()> {
    Ok(())
}

#[mizan::client(auth = store_says, context = "local")]
fn stored(_req: &Request, slot: String) -> Result<String> {
    Ok(slot)
}

#[mizan::client(auth = may_fail)]
fn fallible(_req: &Request) -> Result<()> {
    Ok(())
}

#[mizan::client]
async fn plain(_req: &Request, r#type: String, item: Item, note: Option<String>) -> Result<Item> {
    let _ = (r#type, note);
    Ok(item)
}

#[mizan::client(auth)]
fn signed_in(_req: &Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(auth = "staff")]
async fn staff(_req: &Request) -> Result<u8> {
    Ok(1)
}

#[mizan::client(auth = "superuser", context = "global")]
async fn root(_req: &Request) -> Result<bool> {
    Ok(true)
}

#[mizan::client(auth = is_owner, context = "local")]
pub fn mine(req: &mizan::Request, mut page: u32) -> Result<Vec<String>> {
    page += 1;
    Ok(vec![format!("{page} {}", req.method())])
}

fn main() {
    let mut registry = Registry::new();
    registry
        .register(plain, "plain")
        .and_then(|r| r.register(signed_in, "signed_in"))
        .and_then(|r| r.register(staff, "staff"))
        .and_then(|r| r.register(root, "root"))
        .and_then(|r| r.register(mine, "mine"))
        .and_then(|r| r.register(members, "members"))
        .and_then(|r| r.register(stored, "stored"))
        .and_then(|r| r.register(fallible, "fallible"))
        .unwrap();
    let _ = mine::call(&Request::builder().build(), 1);
}
