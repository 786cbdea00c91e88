"""Provenance: every rendered video is provably AI-made and traceable to where it came
from — a visible moving watermark, an invisible video id, a signed C2PA manifest, and
fingerprints for reverse lookup."""

from kinema.provenance.fingerprint import (
    Fingerprint,
    fingerprint_image,
    fingerprint_video,
    match,
    similarity,
)
from kinema.provenance.invisible import (
    embed_video_id_in_frame,
    read_video_id,
    read_video_id_from_frames,
)
from kinema.provenance.marks import apply_provenance_marks, mark_frame
from kinema.provenance.signing import (
    ContentCredentials,
    SigningIdentity,
    ensure_signing_identity,
    read_credentials,
    sign_video,
)
from kinema.provenance.watermark import apply_visible_watermark, watermark_frame

__all__ = [
    "ContentCredentials",
    "Fingerprint",
    "SigningIdentity",
    "apply_provenance_marks",
    "apply_visible_watermark",
    "embed_video_id_in_frame",
    "ensure_signing_identity",
    "fingerprint_image",
    "fingerprint_video",
    "mark_frame",
    "match",
    "read_credentials",
    "read_video_id",
    "read_video_id_from_frames",
    "sign_video",
    "similarity",
    "watermark_frame",
]
