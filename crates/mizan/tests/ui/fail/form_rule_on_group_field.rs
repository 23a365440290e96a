use mizan::forms::{Choice, Invalid};
use mizan::Request;

async fn known_city(_req: &Request, _city: &str) -> Result<(), Invalid> {
    Ok(())
}

async fn cities(_req: &Request) -> mizan::Result<Vec<Choice>> {
    Ok(Vec::new())
}

#[derive(serde::Deserialize, mizan::FormGroup)]
struct Address {
    #[field(clean = known_city)]
    city: String,
    #[field(choices_from = cities)]
    other_city: String,
}

fn main() {}
