#[derive(schemars::JsonSchema)]
struct Secret;

#[mizan::client]
fn f(_req: &mizan::Request) -> mizan::Result<Secret> {
    Ok(Secret)
}

fn main() {}
