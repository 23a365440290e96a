#[mizan::client]
fn f(text: String) -> mizan::Result<String> {
    Ok(text)
}

fn main() {}
