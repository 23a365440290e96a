#[mizan::client]
fn f(_req: &mizan::Request, name: &str) -> mizan::Result<String> {
    Ok(name.to_owned())
}

fn main() {}
