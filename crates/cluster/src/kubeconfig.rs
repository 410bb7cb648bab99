//! The kubeconfig `kubectl` and kube-rs use unchanged: cluster, context and user `ferry-local`,
//! the bearer token, and the CA data (for HTTPS).

use std::path::Path;

use base64::Engine as _;

use crate::datadir;
use crate::error::Result;

/// The name of the cluster, context and user.
pub const CONTEXT: &str = "ferry-local";

/// The kubeconfig text for a server URL, token and CA (None for plain HTTP).
pub fn render(server: &str, token: &str, ca_pem: Option<&str>) -> String {
    let authority = match ca_pem {
        Some(pem) => format!(
            "    certificate-authority-data: {}\n",
            base64::engine::general_purpose::STANDARD.encode(pem.as_bytes())
        ),
        None => String::new(),
    };
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {CONTEXT}\n  cluster:\n    server: {server}\n{authority}contexts:\n- name: {CONTEXT}\n  context:\n    cluster: {CONTEXT}\n    user: {CONTEXT}\ncurrent-context: {CONTEXT}\nusers:\n- name: {CONTEXT}\n  user:\n    token: {token}\npreferences: {{}}\n"
    )
}

/// Writes the kubeconfig (owner-only: it holds the token), creating its directory.
pub fn write(path: &Path, server: &str, token: &str, ca_pem: Option<&str>) -> Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| crate::Error::io("creating", parent, e))?;
    }
    datadir::write_private(path, render(server, token, ca_pem).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kubeconfig_names_everything_ferry_local() {
        let text = render("https://127.0.0.1:6443", "t0k3n", Some("PEM"));
        let value = ferry_yaml::parse_single("kubeconfig", text.as_bytes()).expect("yaml");
        assert_eq!(value["current-context"], "ferry-local");
        assert_eq!(
            value["clusters"][0]["cluster"]["server"],
            "https://127.0.0.1:6443"
        );
        assert_eq!(
            value["clusters"][0]["cluster"]["certificate-authority-data"],
            "UEVN"
        );
        assert_eq!(value["users"][0]["user"]["token"], "t0k3n");
        assert_eq!(value["contexts"][0]["context"]["cluster"], "ferry-local");
    }
}
