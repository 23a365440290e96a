#[mizan::client(context = "global", cache = 5)]
fn f(_req: &mizan::Request, id: u32, _hidden: u32) -> mizan::Result<u32> {
    Ok(id)
}

fn main() {}
