#[mizan::client(context = "local", cache(scope = "shared", max_age = 60))]
fn read(_req: &mizan::Request, id: u32) -> mizan::Result<u32> {
    Ok(id)
}

#[mizan::client(context = "global", cache(scope = public, max_age = 60))]
fn site(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
