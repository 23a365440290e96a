extern crate schemars as _;

#[derive(serde::Deserialize)]
struct Undescribed;

#[mizan::client]
fn f(_req: &mizan::Request, value: Undescribed) -> mizan::Result<()> {
    let _ = value;
    Ok(())
}

fn main() {}
