#[mizan::client]
fn f(_req: &mizan::Request, (a, b): (u32, u32)) -> mizan::Result<u32> {
    Ok(a + b)
}

fn main() {}
