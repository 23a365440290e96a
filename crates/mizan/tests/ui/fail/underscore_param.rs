#[mizan::client]
fn f(_req: &mizan::Request, _unused: u32) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
