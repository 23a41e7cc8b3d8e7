//! Throwaway certificates for TLS tests, made with rcgen (ring).
//!
//! [`TestCerts::generate`] makes a fresh test CA and three leaf certificates:
//!
//! - [`server`](TestCerts::server): signed by the CA, for `localhost`, `127.0.0.1` and `::1`:
//!   a client that trusts [`ca_cert_der`](TestCerts::ca_cert_der) accepts it;
//! - [`wrong_name`](TestCerts::wrong_name): signed by the same CA but only for
//!   `wrong.example`: a client connecting to 127.0.0.1 or localhost must refuse it;
//! - [`self_signed`](TestCerts::self_signed): for the right names but signed by nobody the
//!   client trusts: refused unless the client opts in to trusting it.
//!
//! Every key is ECDSA P-256 in PKCS#8. The PEM and DER forms load directly into rustls
//! (`CertificateDer`, `PrivateKeyDer` from `rustls-pki-types`) and into libunftp and OpenSSL.
//!
//! ```
//! use ftp_testkit::certs::TestCerts;
//! let certs = TestCerts::generate().unwrap();
//! assert!(certs.ca_cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//! assert!(certs.server().key_pem().contains("PRIVATE KEY"));
//! assert_ne!(certs.server().cert_der(), certs.wrong_name().cert_der());
//! ```

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io;
use std::path::{Path, PathBuf};

/// The names the good server certificate is for.
pub const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The only name the wrong-name certificate is for.
pub const WRONG_NAME: &str = "wrong.example";

/// A certificate and its private key.
#[derive(Debug, Clone)]
pub struct CertAndKey {
    cert_der: CertificateDer<'static>,
    issuer_der: Option<CertificateDer<'static>>,
    cert_pem: String,
    key_der: Vec<u8>,
    key_pem: String,
    chain_pem: String,
}

impl CertAndKey {
    /// The certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }

    /// The issuing CA's certificate, DER (`None` for a self-signed one): with
    /// [`cert_der`](Self::cert_der), the chain a rustls server presents.
    pub fn issuer_der(&self) -> Option<CertificateDer<'static>> {
        self.issuer_der.clone()
    }

    /// The certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The certificate followed by its issuer's (for a self-signed one, just the certificate),
    /// PEM: what a server presents.
    pub fn chain_pem(&self) -> &str {
        &self.chain_pem
    }

    /// The private key, PKCS#8 DER, as rustls takes it.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }

    /// The private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Writes `NAME.cert.pem` (the chain) and `NAME.key.pem` into `dir` and returns their
    /// paths, for servers that read files (libunftp, vsftpd, proftpd).
    ///
    /// ```
    /// let certs = ftp_testkit::certs::TestCerts::generate().unwrap();
    /// let dir = tempfile::tempdir().unwrap();
    /// let (cert, key) = certs.server().write_to(dir.path(), "server").unwrap();
    /// assert!(std::fs::read_to_string(cert).unwrap().contains("BEGIN CERTIFICATE"));
    /// assert!(std::fs::read_to_string(key).unwrap().contains("PRIVATE KEY"));
    /// ```
    pub fn write_to(&self, dir: &Path, name: &str) -> io::Result<(PathBuf, PathBuf)> {
        let cert = dir.join(format!("{name}.cert.pem"));
        let key = dir.join(format!("{name}.key.pem"));
        std::fs::write(&cert, &self.chain_pem)?;
        std::fs::write(&key, &self.key_pem)?;
        Ok((cert, key))
    }
}

/// A test CA and the certificates it signed, plus a self-signed one. See the
/// [module docs](self).
#[derive(Debug, Clone)]
pub struct TestCerts {
    ca_der: CertificateDer<'static>,
    ca_pem: String,
    server: CertAndKey,
    wrong_name: CertAndKey,
    self_signed: CertAndKey,
}

fn dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

fn leaf_params(names: &[&str]) -> Result<CertificateParams, rcgen::Error> {
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    params.distinguished_name = dn(names[0]);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

fn cert_and_key(
    cert: rcgen::Certificate,
    key: &KeyPair,
    issuer: Option<(&str, &CertificateDer<'static>)>,
) -> CertAndKey {
    let cert_pem = cert.pem();
    let chain_pem = match issuer {
        Some((ca, _)) => format!("{cert_pem}{ca}"),
        None => cert_pem.clone(),
    };
    CertAndKey {
        cert_der: cert.der().clone(),
        issuer_der: issuer.map(|(_, der)| der.clone()),
        cert_pem,
        key_der: key.serialize_der(),
        key_pem: key.serialize_pem(),
        chain_pem,
    }
}

impl TestCerts {
    /// Makes a fresh CA and its certificates (a few milliseconds).
    pub fn generate() -> Result<TestCerts, rcgen::Error> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.distinguished_name = dn("ftp-rs test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let ca_pem = ca_cert.pem();
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate()?;
        let server = leaf_params(&SERVER_NAMES)?.signed_by(&server_key, &issuer)?;
        let wrong_key = KeyPair::generate()?;
        let wrong = leaf_params(&[WRONG_NAME])?.signed_by(&wrong_key, &issuer)?;
        let self_key = KeyPair::generate()?;
        let mut self_params = leaf_params(&SERVER_NAMES)?;
        self_params.use_authority_key_identifier_extension = false;
        let self_signed = self_params.self_signed(&self_key)?;

        let ca_der = ca_cert.der().clone();
        Ok(TestCerts {
            server: cert_and_key(server, &server_key, Some((&ca_pem, &ca_der))),
            wrong_name: cert_and_key(wrong, &wrong_key, Some((&ca_pem, &ca_der))),
            ca_der,
            self_signed: cert_and_key(self_signed, &self_key, None),
            ca_pem,
        })
    }

    /// The CA certificate, DER: add it to a rustls `RootCertStore`.
    pub fn ca_cert_der(&self) -> CertificateDer<'static> {
        self.ca_der.clone()
    }

    /// The CA certificate, PEM (a CA file for curl `--cacert` or OpenSSL).
    pub fn ca_cert_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The good server certificate (localhost, 127.0.0.1, ::1), signed by the CA.
    pub fn server(&self) -> &CertAndKey {
        &self.server
    }

    /// A certificate for `wrong.example` only, signed by the CA.
    pub fn wrong_name(&self) -> &CertAndKey {
        &self.wrong_name
    }

    /// A self-signed certificate for the right names, not signed by the CA.
    pub fn self_signed(&self) -> &CertAndKey {
        &self.self_signed
    }
}
