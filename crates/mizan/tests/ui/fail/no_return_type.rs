#[mizan::client]
fn f(_req: &mizan::Request) {}

fn main() {}
