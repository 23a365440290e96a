fn check(_req: &mizan::Request, _role: &str) -> bool {
    true
}

#[mizan::client(auth = check)]
fn f(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
