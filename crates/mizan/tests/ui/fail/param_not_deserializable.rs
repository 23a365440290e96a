#[derive(schemars::JsonSchema)]
struct Opaque;

#[mizan::client]
fn f(_req: &mizan::Request, value: Opaque) -> mizan::Result<()> {
    let _ = value;
    Ok(())
}

fn main() {}
