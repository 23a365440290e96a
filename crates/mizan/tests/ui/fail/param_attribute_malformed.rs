#[mizan::client]
fn add_note(
    _req: &mizan::Request,
    #[schemars(length(maximum = 80))] title: String,
) -> mizan::Result<String> {
    Ok(title)
}

fn main() {}
