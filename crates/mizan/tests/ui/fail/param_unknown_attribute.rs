#[mizan::client]
fn add_note(
    _req: &mizan::Request,
    #[serde(rename = "heading")] title: String,
) -> mizan::Result<String> {
    Ok(title)
}

fn main() {}
