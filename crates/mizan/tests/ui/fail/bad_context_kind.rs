#[mizan::client(context = "session")]
fn f(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
