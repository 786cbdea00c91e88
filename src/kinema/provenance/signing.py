"""Content Credentials (C2PA): every rendered video carries a manifest, signed with the
instance's own key, saying it was made by a trained algorithm with Kinema, and by whom.

On first use a signing key and a small certificate chain (a self-signed instance CA and
a claim-signing certificate it issued) are generated with ``cryptography`` and kept in
the given directory. Readers elsewhere see the chain as untrusted (it is not on the
public C2PA trust list) but the signature and the hash of the video still verify; this
instance trusts its own CA when it checks a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import kinema
from kinema.errors import InvalidInput

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
GENERATOR = "Kinema"
KEY_FILE = "c2pa_signing_key.pem"
CHAIN_FILE = "c2pa_signing_chain.pem"
CA_FILE = "c2pa_ca.pem"


@dataclass(frozen=True)
class SigningIdentity:
    """Where the instance's C2PA key and certificates live."""

    key: Path
    chain: Path  # the signing certificate followed by the CA certificate (PEM)
    ca: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kinema instance"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def ensure_signing_identity(directory: Path, *, instance_name: str = "Kinema") -> SigningIdentity:
    """Return the instance's signing identity in ``directory``, creating the key and the
    certificate chain the first time."""
    directory = Path(directory)
    identity = SigningIdentity(directory / KEY_FILE, directory / CHAIN_FILE, directory / CA_FILE)
    if identity.key.is_file() and identity.chain.is_file() and identity.ca.is_file():
        return identity
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{instance_name} C2PA root")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{instance_name} content credentials"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # C2PA accepts claim signers with the e-mail protection purpose.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    key_bytes = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # The private key is readable by the instance's user only.
    fd = os.open(identity.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    identity.chain.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    identity.ca.write_bytes(ca_cert.public_bytes(pem))
    return identity


def _manifest(author_handle: str, title: str) -> dict[str, Any]:
    version = kinema.__version__
    return {
        "claim_generator_info": [{"name": GENERATOR, "version": version}],
        "title": title,
        "format": "video/mp4",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": {"name": GENERATOR, "version": version},
                        }
                    ]
                },
            },
            {
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "https://schema.org",
                    "@type": "CreativeWork",
                    "author": [{"@type": "Person", "name": f"@{author_handle.lstrip('@')}"}],
                },
            },
        ],
    }


def sign_video(
    source: Path, output: Path, *, author_handle: str, key_dir: Path, title: str = ""
) -> Path:
    """Write ``output``: the progressive (faststart) MP4 ``source`` with an embedded C2PA
    manifest signed by the instance key kept in ``key_dir``."""
    identity = ensure_signing_identity(key_dir)
    info = c2pa.C2paSignerInfo(
        alg=c2pa.C2paSigningAlg.ES256,
        sign_cert=identity.chain.read_bytes(),
        private_key=identity.key.read_bytes(),
        ta_url=None,
    )
    manifest = _manifest(author_handle, title or Path(source).name)
    try:
        with (
            c2pa.Signer.from_info(info) as signer,
            c2pa.Builder(manifest) as builder,
            open(source, "rb") as src,
            open(output, "w+b") as dst,
        ):
            builder.sign(signer, "video/mp4", src, dst)
    except c2pa.C2paError as exc:
        Path(output).unlink(missing_ok=True)
        raise InvalidInput(f"Could not sign that video: {exc}") from exc
    return Path(output)


@dataclass(frozen=True)
class ContentCredentials:
    """What a C2PA manifest in a file says, and whether it holds up."""

    generator: str
    generator_version: str
    digital_source_type: str
    author: str
    signature_valid: bool  # the signature and the hash of the content verify
    trusted: bool  # signed by a CA the checker trusts
    validation_state: str
    problems: list[str]


def read_credentials(path: Path, *, trust_ca: Path | None = None) -> ContentCredentials | None:
    """Read and validate the C2PA manifest in ``path``; None when there is none.

    With ``trust_ca`` (a PEM file) that CA counts as trusted, so an instance can
    recognise its own signatures.
    """
    context = None
    if trust_ca is not None:
        context = c2pa.Context.from_dict(
            {
                "verify": {"verify_trust": True},
                "trust": {"trust_anchors": Path(trust_ca).read_text()},
            }
        )
    try:
        with open(path, "rb") as stream:
            reader = (
                c2pa.Reader("video/mp4", stream, context=context)
                if context
                else c2pa.Reader("video/mp4", stream)
            )
            with reader:
                report = json.loads(reader.json())
                state = reader.get_validation_state() or ""
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as exc:
        raise InvalidInput(
            f"The content credentials in that file could not be read: {exc}"
        ) from exc

    manifest = report["manifests"][report["active_manifest"]]
    generator = (manifest.get("claim_generator_info") or [{}])[0]
    source_type, author = "", ""
    for assertion in manifest.get("assertions", []):
        data = assertion.get("data", {})
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in data.get("actions", []):
                if action.get("action") == "c2pa.created":
                    source_type = action.get("digitalSourceType", "")
        if assertion.get("label") == "stds.schema-org.CreativeWork":
            author = (data.get("author") or [{}])[0].get("name", "")
    failures = [
        f"{item.get('code')}: {item.get('explanation', '')}"
        for item in report.get("validation_status", []) or []
    ]
    untrusted_only = all("untrusted" in problem for problem in failures)
    return ContentCredentials(
        generator=generator.get("name", ""),
        generator_version=generator.get("version", ""),
        digital_source_type=source_type,
        author=author,
        signature_valid=state in ("Valid", "Trusted") or (bool(failures) and untrusted_only),
        trusted=state == "Trusted",
        validation_state=state,
        problems=failures,
    )
