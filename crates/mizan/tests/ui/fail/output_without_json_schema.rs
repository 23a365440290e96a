extern crate schemars as _;

#[derive(serde::Serialize)]
struct Undescribed;

#[mizan::client]
fn f(_req: &mizan::Request) -> mizan::Result<Undescribed> {
    Ok(Undescribed)
}

fn main() {}
