//! A small JSON Schema checker, enough for docs/report.schema.json: type, enum, minimum,
//! properties, required, additionalProperties and items.

use serde_json::Value;

/// Every place where `value` breaks `schema`, as `path: problem` lines.
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, value, "$", &mut out);
    out
}

fn check(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !allowed.iter().any(|kind| has_type(value, kind)) {
            out.push(format!("{at}: expected {allowed:?}, found {value}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {options:?}"));
    }
    let minimum = schema.get("minimum").and_then(Value::as_f64);
    if let (Some(minimum), Some(number)) = (minimum, value.as_f64())
        && number < minimum
    {
        out.push(format!("{at}: {number} is below {minimum}"));
    }
    if let Value::Object(object) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                out.push(format!("{at}: missing `{name}`"));
            }
        }
        for (name, field) in object {
            match properties.and_then(|properties| properties.get(name)) {
                Some(field_schema) => check(field_schema, field, &format!("{at}.{name}"), out),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}: unexpected `{name}`"));
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            check(item_schema, item, &format!("{at}[{index}]"), out);
        }
    }
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

#[test]
fn the_checker_catches_what_the_schema_forbids() {
    let schema = serde_json::json!({
        "type": "object", "required": ["a"], "additionalProperties": false,
        "properties": { "a": { "type": "integer", "minimum": 1 }, "b": { "enum": ["x"] } }
    });
    assert!(violations(&schema, &serde_json::json!({ "a": 1, "b": "x" })).is_empty());
    let problems = violations(&schema, &serde_json::json!({ "a": 0, "b": "y", "c": true }));
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert_eq!(violations(&schema, &serde_json::json!({})), ["$: missing `a`"]);
}
