#[mizan::client(context = "global", cache(max_age = 0))]
fn zero(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(context = "global", cache(max_age = 31536001, swr = 99999999999))]
fn too_long(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(context = "global", cache(scope = "public"))]
fn missing(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

#[mizan::client(context = "global", cache(max_age = "60"))]
fn not_a_number(_req: &mizan::Request) -> mizan::Result<()> {
    Ok(())
}

fn main() {}
