"""Gathering what the hardening rules read beyond the cluster's own description: whether the key that
encrypts its Secrets rotates (KMS)."""

from __future__ import annotations

from domino_eks.collect.recorder import Recorder


def secrets_key_rotation(r: Recorder) -> None:
    """The rotation of each key the cluster's encryption config names, by key ARN."""
    keys = [c["provider"]["keyArn"] for c in (r.facts.get("cluster") or {}).get("encryptionConfig") or ()
            if "secrets" in c.get("resources", ())]
    if not keys:
        return
    kms = r.aws.client("kms")
    with r.recorded("kms"):
        r.store("key_rotation", {key: kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] for key in keys})
