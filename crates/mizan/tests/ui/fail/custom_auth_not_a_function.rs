const CHECK: bool = true;

#[mizan::client(auth = CHECK)]
fn f(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
