//! Gitea's (and Forgejo's) release API v1 as the fake forge serves it: the tag look-up
//! shows drafts, a second create is `409`, assets come as `multipart/form-data`.

use serde_json::{Value, json};

use super::github::drafted_view;
use super::{PROJECT, State, create, decode, find, take_id, update};
use crate::http::{Request, header};

pub(super) fn serve(state: &mut State, url: &str, request: &Request, body: &Value) -> (u16, Value) {
    let not_found = (
        404,
        json!({ "errors": [], "message": "The target couldn't be found.", "url": format!("{url}/api/swagger") }),
    );
    let target = request.target.as_str();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let view = |release: &Value| drafted_view(&format!("{url}/api/v1"), url, release, None);
    let Some(rest) = path.strip_prefix(&format!("/api/v1/repos/{PROJECT}/releases")) else {
        return not_found;
    };
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match (request.method.as_str(), parts.as_slice()) {
        ("GET", ["tags", tag]) => {
            let tag = decode(tag);
            state
                .releases
                .iter()
                .find(|r| r["tag_name"] == tag.as_str())
                .map_or(not_found, |r| (200, view(r)))
        }
        ("GET", [id]) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            let id: u64 = id.parse().unwrap_or(0);
            state.releases.iter().find(|r| r["id"] == id).map_or(not_found, |r| (200, view(r)))
        }
        ("GET", [""]) => (200, Value::from(state.releases.iter().map(view).collect::<Vec<_>>())),
        ("POST", [""]) => {
            let Some(tag) = body["tag_name"].as_str() else {
                return (
                    422,
                    json!({ "message": "[TagName]: Required", "url": format!("{url}/api/swagger") }),
                );
            };
            if find(state, tag).is_some() {
                return (
                    409,
                    json!({ "message": "Release is has no Tag", "url": format!("{url}/api/swagger") }),
                );
            }
            let draft = body["draft"].as_bool().unwrap_or(false);
            (201, view(&create(state, body, "body", draft)))
        }
        ("POST", [id, "assets"]) => {
            let name = query.split('&').find_map(|pair| pair.strip_prefix("name=")).map(decode);
            let Some(bytes) = multipart_attachment(request) else {
                return (
                    400,
                    json!({ "message": "GetFile: http: no such file", "url": format!("{url}/api/swagger") }),
                );
            };
            let id: u64 = id.parse().unwrap_or(0);
            let asset_id = take_id(state);
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found;
            };
            let name = name.unwrap_or_default();
            release["assets"]
                .as_array_mut()
                .expect("assets")
                .push(json!({ "id": asset_id, "name": name, "bytes": bytes }));
            (201, json!({ "id": asset_id, "name": name, "size": bytes.len() }))
        }
        ("DELETE", [id, "assets", asset]) => {
            let (id, asset): (u64, u64) = (id.parse().unwrap_or(0), asset.parse().unwrap_or(0));
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found;
            };
            let assets = release["assets"].as_array_mut().expect("assets");
            let Some(at) = assets.iter().position(|a| a["id"] == asset) else { return not_found };
            assets.remove(at);
            (204, Value::Null)
        }
        ("PATCH", [id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found;
            };
            update(release, body, "body");
            (200, view(release))
        }
        _ => not_found,
    }
}

/// The content of the `attachment` part of a `multipart/form-data` body.
fn multipart_attachment(request: &Request) -> Option<Vec<u8>> {
    let kind = header(&request.headers, "content-type")?;
    let boundary = kind.strip_prefix("multipart/form-data; boundary=")?;
    let body = &request.body;
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let start = text.find(&delimiter)?;
    let head_end = find_bytes(body, b"\r\n\r\n", start)? + 4;
    let head = String::from_utf8_lossy(&body[start..head_end]);
    if !head.contains("name=\"attachment\"") {
        return None;
    }
    let end = find_bytes(body, format!("\r\n{delimiter}").as_bytes(), head_end)?;
    Some(body[head_end..end].to_vec())
}

fn find_bytes(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}
