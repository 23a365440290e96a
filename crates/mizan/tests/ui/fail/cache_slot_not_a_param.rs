#[mizan::client(context = "local", cache(max_age = 60, tags = ["post:{id}", "user:{user}"]))]
fn read(_req: &mizan::Request, id: u32) -> mizan::Result<u32> {
    Ok(id)
}

#[mizan::client(context = "global", cache(max_age = 60, tags = ["site:{lang}"]))]
fn site(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(invalidates = ["post:{post_id}"])]
fn write(_req: &mizan::Request, id: u32) -> mizan::Result<()> {
    let _ = id;
    Ok(())
}

fn main() {}
