#[mizan::client(cache(max_age = 60))]
fn save(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(context = "local", invalidates = ["posts"])]
fn read(_req: &mizan::Request, id: u32) -> mizan::Result<u32> {
    Ok(id)
}

#[mizan::client(context = "global", invalidates(contexts = ["read"]))]
fn site(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
