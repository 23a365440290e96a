#[mizan::client(context = "local", cache(max_age = 60, ttl = 5, tags = ["a"], tags = ["b"]))]
fn read(_req: &mizan::Request, id: u32) -> mizan::Result<u32> {
    Ok(id)
}

#[mizan::client(invalidates(tags = ["a"], functions = ["read"]))]
fn write(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(context = "global", cache = 60)]
fn site(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(invalidates)]
fn touch(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
