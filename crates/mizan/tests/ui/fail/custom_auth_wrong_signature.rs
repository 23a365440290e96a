fn check(name: &str) -> bool {
    name.is_empty()
}

#[mizan::client(auth = check)]
fn f(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
