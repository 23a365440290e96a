//! `#[derive(mizan::Form)]` and `#[derive(mizan::FormGroup)]`: the exact spec a struct makes, and
//! the server rules and dynamic choices the derive wires up.

use mizan::forms::{Choice, Decimal, Form, FormHandler, Invalid, PathStep, Upload};
use mizan::{AuthRequirement, Registry, Request, Result};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, mizan::FormGroup)]
#[allow(dead_code)]
struct Address {
    #[field(max_length = 100)]
    street: String,
    #[field(label = "Town")]
    city: String,
    zip: Option<String>,
}

#[derive(Deserialize, mizan::FormGroup)]
#[allow(dead_code)]
struct Item {
    #[field(min = 1, max = 99)]
    qty: u8,
    #[field(choices(small = "Small", r#large = "Large"))]
    size: String,
}

#[derive(Deserialize, mizan::Form)]
#[form(
    name = "order",
    title = "Place an order",
    redirect = "/thanks",
    page = "/order",
    auth
)]
#[allow(dead_code)]
struct Order {
    #[field(label = "Your name", help = "As on your card", placeholder = "Ada", min_length = 2, clean = not_reserved)]
    name: String,
    #[field(email, clean = not_taken)]
    email: String,
    #[field(url)]
    site: Option<String>,
    #[field(clean = adult)]
    age: Option<u8>,
    #[field(min = -5, max = 10_000_000_000_000_000)]
    count: i64,
    #[field(
        widget = "textarea",
        optional,
        max_length = 500,
        pattern = "[^<>]*",
        pattern_message = "No angle brackets."
    )]
    notes: String,
    #[field(choices = [("tea", "Tea"), ("coffee", "Coffee")], widget = "radio", initial = "tea")]
    drink: String,
    #[field(choices_from = toppings, max_items = 2, min_items = 1)]
    toppings: Vec<String>,
    #[field(choices_from = colours)]
    colour: String,
    #[field(choices(a = "A", b = "B"), initial = ["a", "b"], widget = "select-multiple")]
    letters: Vec<String>,
    #[field(initial = true)]
    newsletter: bool,
    #[field(required, label = "I agree")]
    terms: bool,
    #[field(kind = "date", min = "2024-01-01", max = "2030-12-31")]
    when: String,
    #[field(max_digits = 6, decimal_places = 2, min = "0.01")]
    price: Decimal,
    #[field(kind = "text", widget = "password", initial = 7)]
    code: String,
    address: Address,
    #[field(min_items = 1, max_items = 5)]
    items: Vec<Item>,
    #[field(max_size = 1024, accept = ["image/PNG", "image/*"], label = "Photo")]
    photo: Option<Upload>,
    r#type: String,
}

async fn not_reserved(_req: &Request, name: &str) -> std::result::Result<(), Invalid> {
    if name == "root" {
        return Err(Invalid::message("This name is reserved."));
    }
    Ok(())
}

async fn not_taken(_req: &Request, email: &str) -> std::result::Result<(), Invalid> {
    match email {
        "taken@example.com" => Err(Invalid::message("This address is taken.")),
        "down@example.com" => Err(Invalid::Error(mizan::Error::conflict("the store is down"))),
        _ => Ok(()),
    }
}

async fn adult(_req: &Request, age: &Option<u8>) -> std::result::Result<(), Invalid> {
    match age {
        Some(age) if *age < 18 => Err(Invalid::field("age", "Adults only.")),
        _ => Ok(()),
    }
}

async fn toppings(_req: &Request) -> Result<Vec<Choice>> {
    Ok(vec![
        Choice::new("cheese", "Cheese"),
        Choice::new("ham", "Ham"),
    ])
}

async fn colours(_req: &Request) -> Result<Vec<Choice>> {
    Ok(vec![Choice::new("red", "Red")])
}

impl FormHandler for Order {
    type Output = String;
    async fn submit(self, _req: &Request) -> Result<String> {
        Ok(self.name)
    }
}

#[test]
fn the_spec_is_exactly_what_the_attributes_and_types_say() {
    let spec = serde_json::to_value(Order::spec()).unwrap();
    let expected = json!({
        "name": "order",
        "title": "Place an order",
        "redirect": "/thanks",
        "page": "/order",
        "multipart": true,
        "fields": [
            {"name": "name", "kind": "text", "label": "Your name", "required": true, "widget": "text",
             "help": "As on your card", "placeholder": "Ada", "min_length": 2},
            {"name": "email", "kind": "email", "label": "Email", "required": true, "widget": "email",
             "max_length": 254},
            {"name": "site", "kind": "url", "label": "Site", "required": false, "widget": "url",
             "max_length": 2048},
            {"name": "age", "kind": "integer", "label": "Age", "required": false, "widget": "number",
             "min": 0, "max": 255},
            // The attribute narrows the type's range but never widens it past ±(2^53 − 1).
            {"name": "count", "kind": "integer", "label": "Count", "required": true, "widget": "number",
             "min": -5, "max": 9_007_199_254_740_991_i64},
            {"name": "notes", "kind": "text", "label": "Notes", "required": false, "widget": "textarea",
             "max_length": 500, "pattern": "[^<>]*", "pattern_message": "No angle brackets."},
            {"name": "drink", "kind": "choice", "label": "Drink", "required": true, "widget": "radio",
             "initial": "tea",
             "choices": [{"value": "tea", "label": "Tea"}, {"value": "coffee", "label": "Coffee"}]},
            {"name": "toppings", "kind": "multichoice", "label": "Toppings", "required": false,
             "widget": "checkboxes", "dynamic_choices": true, "min_items": 1, "max_items": 2},
            {"name": "colour", "kind": "choice", "label": "Colour", "required": true, "widget": "select",
             "dynamic_choices": true},
            {"name": "letters", "kind": "multichoice", "label": "Letters", "required": false,
             "widget": "select-multiple", "initial": ["a", "b"],
             "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
            {"name": "newsletter", "kind": "boolean", "label": "Newsletter", "required": false,
             "widget": "checkbox", "initial": true},
            {"name": "terms", "kind": "boolean", "label": "I agree", "required": true, "widget": "checkbox"},
            {"name": "when", "kind": "date", "label": "When", "required": true, "widget": "date",
             "min": "2024-01-01", "max": "2030-12-31"},
            {"name": "price", "kind": "decimal", "label": "Price", "required": true, "widget": "decimal",
             "min": "0.01", "max_digits": 6, "decimal_places": 2},
            {"name": "code", "kind": "text", "label": "Code", "required": true, "widget": "password",
             "initial": 7},
            {"name": "address", "kind": "group", "label": "Address", "required": true, "widget": "group",
             "fields": [
                {"name": "street", "kind": "text", "label": "Street", "required": true, "widget": "text",
                 "max_length": 100},
                {"name": "city", "kind": "text", "label": "Town", "required": true, "widget": "text"},
                {"name": "zip", "kind": "text", "label": "Zip", "required": false, "widget": "text"},
             ]},
            {"name": "items", "kind": "rows", "label": "Items", "required": false, "widget": "rows",
             "min_items": 1, "max_items": 5,
             "fields": [
                {"name": "qty", "kind": "integer", "label": "Qty", "required": true, "widget": "number",
                 "min": 1, "max": 99},
                {"name": "size", "kind": "choice", "label": "Size", "required": true, "widget": "select",
                 "choices": [{"value": "small", "label": "Small"}, {"value": "large", "label": "Large"}]},
             ]},
            {"name": "photo", "kind": "file", "label": "Photo", "required": false, "widget": "file",
             "max_size": 1024, "accept": ["image/png", "image/*"]},
            {"name": "type", "kind": "text", "label": "Type", "required": true, "widget": "text"},
        ],
    });
    assert_eq!(
        spec,
        expected,
        "{}",
        serde_json::to_string_pretty(&spec).unwrap()
    );
}

#[test]
fn the_form_registers_with_its_auth() {
    assert!(matches!(Order::auth(), AuthRequirement::Authenticated));
    let mut registry = Registry::new();
    registry.form::<Order>().unwrap();
    let names: Vec<&str> = registry.names().collect();
    assert_eq!(names, ["order.schema", "order.submit", "order.validate"]);
}

fn issues(found: &[mizan::forms::FieldIssue]) -> Vec<(Vec<PathStep>, &str)> {
    found
        .iter()
        .map(|i| (i.path.clone(), i.message.as_str()))
        .collect()
}

fn key(name: &str) -> Vec<PathStep> {
    vec![PathStep::Key(name.to_owned())]
}

#[tokio::test]
async fn field_rules_run_on_the_fields_that_passed_their_checks() {
    let request = Request::builder().build();
    let values = json!({"name": "root", "email": "taken@example.com", "age": 12});
    let all = |_: &str| true;
    let found = Order::field_rules(&request, &values, &all).await.unwrap();
    assert_eq!(
        issues(&found),
        [
            (key("name"), "This name is reserved."),
            (key("email"), "This address is taken."),
            (key("age"), "Adults only."),
        ]
    );

    // A field with an error of its own is not handed to its rule.
    let not_name = |path: &str| path != "name";
    let found = Order::field_rules(&request, &values, &not_name)
        .await
        .unwrap();
    assert_eq!(
        issues(&found),
        [
            (key("email"), "This address is taken."),
            (key("age"), "Adults only.")
        ]
    );

    // An optional field left empty reaches its rule as `None`.
    let values = json!({"name": "ada", "email": "ada@example.com"});
    assert!(
        Order::field_rules(&request, &values, &all)
            .await
            .unwrap()
            .is_empty()
    );

    // A rule that cannot decide fails the request.
    let values = json!({"name": "ada", "email": "down@example.com"});
    let error = Order::field_rules(&request, &values, &all)
        .await
        .unwrap_err();
    assert_eq!(error.message(), "the store is down");
}

#[tokio::test]
async fn dynamic_choices_come_from_their_functions() {
    let request = Request::builder().build();
    let choices = Order::dynamic_choices(&request).await.unwrap();
    assert_eq!(
        choices,
        [
            (
                "toppings",
                vec![Choice::new("cheese", "Cheese"), Choice::new("ham", "Ham")]
            ),
            ("colour", vec![Choice::new("red", "Red")]),
        ]
    );
}

#[derive(Deserialize, mizan::Form)]
#[form(name = "plain")]
#[allow(dead_code)]
struct Plain {
    text: String,
}

async fn is_admin(req: &Request) -> bool {
    req.headers().contains_key("x-admin")
}

#[derive(Deserialize, mizan::Form)]
#[form(name = "custom", auth = is_admin)]
#[allow(dead_code)]
struct Custom {
    text: String,
}

#[derive(Deserialize, mizan::Form)]
#[form(name = "staff_only", auth = "staff")]
#[allow(dead_code)]
struct StaffOnly {
    text: String,
}

#[tokio::test]
async fn defaults_and_auth_levels() {
    let spec = serde_json::to_value(Plain::spec()).unwrap();
    assert_eq!(
        spec,
        json!({"name": "plain", "title": "plain", "multipart": false, "fields": [
            {"name": "text", "kind": "text", "label": "Text", "required": true, "widget": "text"},
        ]})
    );
    assert!(matches!(Plain::auth(), AuthRequirement::Public));
    assert!(matches!(StaffOnly::auth(), AuthRequirement::Staff));
    let request = Request::builder().build();
    assert!(
        Plain::field_rules(&request, &json!({}), &|_| true)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(Plain::dynamic_choices(&request).await.unwrap().is_empty());
    let AuthRequirement::Custom(check) = Custom::auth() else {
        panic!("a custom check");
    };
    assert!(!check(&request).await.unwrap());
    let admin = Request::builder()
        .header(
            http::HeaderName::from_static("x-admin"),
            http::HeaderValue::from_static("1"),
        )
        .build();
    assert!(check(&admin).await.unwrap());
    let _: Value = serde_json::to_value(Custom::spec()).unwrap();
}
