"""Digital signatures on results and legal forms (PAdES, pyHanko) and their public verification.

Keys live behind PKCS#11 (an HSM, the national CA's token; SoftHSM2 in tests and the demo), or in
files for the embedded default only (docs/signing.md).
"""
