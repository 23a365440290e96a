#[derive(serde::Deserialize, mizan::FormGroup)]
struct Inner {
    x: String,
}

#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "contact")]
#[serde(rename_all = "camelCase")]
struct Contact {
    #[serde(rename = "fullName")]
    full_name: String,
    #[serde(flatten)]
    inner: Inner,
}

fn main() {}
