"""The inspection's legal paper: numbered, hashed, verifiable documents (on-site record,
order to correct, re-check record) rendered as PDF."""
