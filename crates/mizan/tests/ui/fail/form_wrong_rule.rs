use mizan::forms::Invalid;
use mizan::Request;

fn sync_rule(_req: &Request, _v: &str) -> Result<(), Invalid> {
    Ok(())
}

#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "contact")]
struct Contact {
    #[field(clean = sync_rule)]
    name: String,
}

fn main() {}
