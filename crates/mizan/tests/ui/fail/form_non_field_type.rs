#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "measures")]
struct Measures {
    weight: f64,
    scores: Vec<u32>,
}

fn main() {}
