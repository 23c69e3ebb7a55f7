"""Identity and access: who is calling (SigV4, tokens) and what they may do (policies).

Pure logic only; the lookups that feed it live in ``coffer.services``.
"""
