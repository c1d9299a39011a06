//! Gitea's and Forgejo's API v1 where it differs from GitHub's (`github.rs` has the
//! shared flow): `GET /repos/{owner}/{repo}/releases/tags/{tag}` finds drafts too, and
//! an asset is uploaded as `multipart/form-data` with the file in the `attachment` part,
//! to `POST /repos/{owner}/{repo}/releases/{id}/assets?name=NAME` (`201`).

use crate::github::{Release, parse, releases};
use crate::http::{Answer, Body};
use crate::{Asset, Client, Error, segment};

/// The release of `tag`, drafts included.
pub(crate) fn find(client: &Client, tag: &str) -> Result<Option<Release>, Error> {
    let url = releases(client, &format!("/tags/{}", segment(tag)));
    let answer = client.http.send("GET", &url, &Body::Empty)?;
    match answer.status {
        200 => Ok(Some(parse(client, &answer)?)),
        404 => Ok(None),
        _ => Err(client.error("look up the release", &answer)),
    }
}

/// Uploads `asset` to `release`.
pub(crate) fn upload(client: &Client, release: &Release, asset: &Asset) -> Result<Answer, Error> {
    let url = releases(client, &format!("/{}/assets?name={}", release.id, segment(&asset.name)));
    let (content_type, bytes) = multipart(asset);
    let body = Body::Bytes { content_type: &content_type, bytes: &bytes };
    client.http.send_rate_limited("POST", &url, &body)
}

/// The form with one `attachment` part holding `asset`, and its content type.
fn multipart(asset: &Asset) -> (String, Vec<u8>) {
    let boundary = format!("launchkit-{}", launchkit_registry::checksum(&asset.bytes));
    let name = asset.name.replace(['"', '\r', '\n'], "_");
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&asset.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
