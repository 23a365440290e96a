#[mizan::client(context = "global")]
fn f(_req: &mizan::Request, id: u32) -> mizan::Result<u32> {
    Ok(id)
}

fn main() {}
