#[mizan::client]
fn f<T: Default>(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
