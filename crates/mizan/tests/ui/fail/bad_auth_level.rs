#[mizan::client(auth = "admin")]
fn f(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
