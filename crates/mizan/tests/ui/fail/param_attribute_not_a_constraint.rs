#[mizan::client]
fn add_note(
    _req: &mizan::Request,
    #[schemars(rename = "heading", lenght(max = 80))] title: String,
    #[validate(email)] author: String,
) -> mizan::Result<String> {
    Ok(format!("{title} by {author}"))
}

fn main() {}
