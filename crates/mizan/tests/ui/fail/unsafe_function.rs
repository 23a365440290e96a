#[mizan::client]
unsafe fn f(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
