#[mizan::client(context = "local", cache(max_age = 60, tags = ["post:{id", "post}", "post {id}", "", "{}", "mizan:fn:read", "a", "a", tag]))]
fn read(_req: &mizan::Request, id: u32) -> mizan::Result<u32> {
    Ok(id)
}

#[mizan::client(invalidates(tags = ["mizan:fn:1x", "mizan:p:x"], contexts = ["not a name", "read", "read"]))]
fn write(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(invalidates = "posts")]
fn touch(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
