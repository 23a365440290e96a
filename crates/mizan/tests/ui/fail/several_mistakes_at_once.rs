#[mizan::client(auth = "root", context = "page")]
fn f(_req: &mizan::Request, _x: u32, y: &str) -> mizan::Result<()> {
    let _ = y;
    Ok(())
}

fn main() {}
