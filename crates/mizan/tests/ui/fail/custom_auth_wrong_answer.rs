async fn check(_req: &mizan::Request) -> String {
    String::from("yes")
}

#[mizan::client(auth = check)]
fn f(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
