//! The cluster's CA and serving certificate (SAN 127.0.0.1 and localhost), made at first start and
//! kept in the data directory, and the rustls server configuration that serves them.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::datadir::{self, DataDir};
use crate::error::{Error, Result};

const CA_CERT: &str = "ca.crt";
const CA_KEY: &str = "ca.key";
const SERVER_CERT: &str = "server.crt";
const SERVER_KEY: &str = "server.key";

/// PEM texts of the CA and the serving certificate.
#[derive(Clone, Debug)]
pub struct Certificates {
    /// The CA certificate clients trust.
    pub ca_pem: String,
    /// The serving certificate.
    pub server_pem: String,
    /// The serving certificate's private key.
    pub server_key_pem: String,
}

fn tls_error(error: impl std::fmt::Display) -> Error {
    Error::Tls(error.to_string())
}

/// Reads the certificates from the data directory, making them on first start.
pub fn load_or_create(dir: &DataDir) -> Result<Certificates> {
    let files = [CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY].map(|name| dir.file(name));
    if files.iter().all(|file| file.exists()) {
        let read = |index: usize| -> Result<String> {
            String::from_utf8(datadir::read(&files[index])?)
                .map_err(|_| tls_error(format!("{} is not PEM text", files[index].display())))
        };
        return Ok(Certificates {
            ca_pem: read(0)?,
            server_pem: read(2)?,
            server_key_pem: read(3)?,
        });
    }
    if files.iter().any(|file| file.exists()) {
        return Err(Error::UnsupportedDataDir {
            path: dir.root().to_path_buf(),
            detail: "some of ca.crt, ca.key, server.crt, server.key are missing".to_string(),
        });
    }
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "ferry-local-ca");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_error)?;
    let issuer = Issuer::new(ca_params, &ca_key);
    let server_key = KeyPair::generate().map_err(tls_error)?;
    let mut server_params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(tls_error)?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "ferry-local");
    server_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .map_err(tls_error)?;
    let certificates = Certificates {
        ca_pem: ca_cert.pem(),
        server_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
    };
    datadir::write_private(&files[1], ca_key.serialize_pem().as_bytes())?;
    datadir::write_private(&files[2], certificates.server_pem.as_bytes())?;
    datadir::write_private(&files[3], certificates.server_key_pem.as_bytes())?;
    datadir::write_private(&files[0], certificates.ca_pem.as_bytes())?;
    Ok(certificates)
}

/// The rustls configuration serving the certificate (HTTP/1.1), with the aws-lc-rs provider the
/// rest of the workspace links.
pub fn server_config(certificates: &Certificates) -> Result<Arc<rustls::ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(certificates.server_pem.as_bytes())
            .collect::<std::result::Result<_, _>>()
            .map_err(tls_error)?;
    let key =
        PrivateKeyDer::from_pem_slice(certificates.server_key_pem.as_bytes()).map_err(tls_error)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(tls_error)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_are_made_once_and_then_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::open(&dir.path().join("data")).expect("data dir");
        let first = load_or_create(&data).expect("create");
        let second = load_or_create(&data).expect("reload");
        assert_eq!(first.ca_pem, second.ca_pem);
        assert!(first.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(server_config(&second).is_ok());
    }
}
